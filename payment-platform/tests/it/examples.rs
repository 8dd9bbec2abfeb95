//! The standard's message shapes (tests/fixtures/xbezahldienste, written after the published
//! schema; see its README): the platform accepts the request as it is, the adapter reads a
//! platform's answers, the problem document keeps to the standard's constraints.

use serde_json::Value;
use xbezahl::{FunctionalCode, PaymentMethod, PaymentStatus, PaymentTransaction, Problem};

use crate::common;

#[tokio::test]
async fn the_platform_accepts_the_example_request_and_echoes_it_unchanged() {
    let s = common::setup().await;
    let body: Value = serde_json::from_str(&common::fixture("payment-request.json")).unwrap();
    let r = common::post_raw(&s, common::ENDPOINT, &body).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/json");
    let answer: Value = r.json().await.unwrap();
    let info = &answer["paymentInformation"];
    assert_eq!(info["status"], "INITIAL");
    let id = info["transactionId"].as_str().unwrap();
    assert!(!id.is_empty() && id.len() <= 36);
    assert!(xbezahl::validate::check_id("transactionId", id).is_ok());
    assert!(info["transactionUrl"].as_str().unwrap().ends_with(&format!(
        "/paymenttransaction/{}/{}/{id}",
        common::ORIGINATOR,
        common::ENDPOINT
    )));
    assert!(info.get("paymentMethod").is_none());
    // Numbers may be written differently (35 or 35.0); the values are the same.
    let echoed: xbezahl::PaymentRequest =
        serde_json::from_value(answer["paymentRequest"].clone()).unwrap();
    let sent: xbezahl::PaymentRequest = serde_json::from_value(body).unwrap();
    assert_eq!(echoed, sent);
}

#[test]
fn the_adapter_reads_a_platforms_create_answer() {
    let t: PaymentTransaction =
        serde_json::from_str(&common::fixture("payment-transaction.json")).unwrap();
    assert_eq!(t.payment_information.status, PaymentStatus::Initial);
    assert!(t.payment_information.transaction_redirect_url.is_some());
}

#[test]
fn the_adapter_reads_a_paid_status() {
    let t: PaymentTransaction =
        serde_json::from_str(&common::fixture("payment-transaction-payed.json")).unwrap();
    let info = t.payment_information;
    assert_eq!(info.status, PaymentStatus::Payed);
    assert_eq!(info.payment_method, Some(PaymentMethod::Creditcard));
    assert_eq!(
        info.transaction_reference.as_deref(),
        Some("KZ-2025-0004711")
    );
    assert!(t.payment_request.is_none());
}

#[test]
fn the_example_problem_keeps_to_the_standards_constraints() {
    let p: Problem =
        serde_json::from_str(&common::fixture("problem-calculation-error.json")).unwrap();
    assert_eq!(p.functional_code, Some(FunctionalCode::CalculationError));
    p.check().unwrap();
}

#[test]
fn the_example_request_keeps_to_the_standards_constraints_and_round_trips() {
    let text = common::fixture("payment-request.json");
    let r: xbezahl::PaymentRequest = serde_json::from_str(&text).unwrap();
    r.check().unwrap();
    let again: xbezahl::PaymentRequest =
        serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
    assert_eq!(again, r);
}
