//! What the platform refuses, with the standard's functional codes; every problem answer keeps
//! to the standard's constraints itself.

use serde_json::{Value, json};
use xbezahl::{ClientError, FunctionalCode, Problem};

use crate::common::{self, Setup, Variant};

/// Posts a raw body (past the adapter's own checks) with Basic credentials.
async fn post(s: &Setup, endpoint: &str, body: &Value) -> (u16, Problem) {
    let r = common::post_raw(s, endpoint, body).await;
    let status = r.status().as_u16();
    assert_eq!(
        r.headers()["content-type"],
        "application/problem+json",
        "status {status}"
    );
    let problem: Problem = r.json().await.unwrap();
    assert_eq!(problem.status, Some(status));
    problem.check().unwrap_or_else(|v| panic!("{v}"));
    (status, problem)
}

fn body() -> Value {
    serde_json::from_str(&common::fixture("payment-request.json")).unwrap()
}

#[tokio::test]
async fn a_gross_amount_that_does_not_match_the_items_is_a_calculation_error() {
    let s = common::setup().await;
    let mut b = body();
    b["grosAmount"] = json!(43.0);
    let (status, p) = post(&s, common::ENDPOINT, &b).await;
    assert_eq!(status, 400);
    assert_eq!(p.functional_code, Some(FunctionalCode::CalculationError));
    assert_eq!(
        p.detail.as_deref(),
        Some("grosAmount is 43.00, but the items add up to 43.10")
    );
}

#[tokio::test]
async fn a_reused_request_id_with_other_content_is_refused_as_payment_exists() {
    let s = common::setup().await;
    let client = common::client(&s, Variant::Basic).await;
    let first = common::request("reused-id");
    client.create(&first).await.unwrap();
    let mut other = first.clone();
    other.description = Some("Eine andere Zahlung".into());
    let e = client.create(&other).await.unwrap_err();
    assert!(matches!(e, ClientError::Problem { status: 409, .. }), "{e}");
    assert_eq!(e.functional_code(), Some(&FunctionalCode::PaymentExists));
}

#[tokio::test]
async fn the_same_request_twice_returns_the_same_transaction() {
    let s = common::setup().await;
    let client = common::client(&s, Variant::Basic).await;
    let r = common::request("retried");
    let a = client.create(&r).await.unwrap();
    let b = client.create(&r).await.unwrap();
    assert_eq!(a, b);
}

#[tokio::test]
async fn an_unknown_endpoint_is_no_valid_originator_or_endpoint() {
    let s = common::setup().await;
    let client = common::client_for(&s, Variant::Basic, "99999999").await;
    let e = client
        .create(&common::request("unknown-endpoint"))
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Problem { status: 400, .. }), "{e}");
    assert_eq!(
        e.functional_code(),
        Some(&FunctionalCode::NoValidOriginatorOrEndpoint)
    );
    let (_, p) = post(&s, "not%20an%20id", &body()).await;
    assert_eq!(
        p.functional_code,
        Some(FunctionalCode::NoValidOriginatorOrEndpoint)
    );
}

#[tokio::test]
async fn a_tenant_the_credentials_are_not_authorised_for_is_forbidden() {
    let s = common::setup().await;
    for variant in [Variant::OAuth2, Variant::Basic, Variant::Mtls] {
        let client = common::client_for(&s, variant, common::NEIGHBOUR).await;
        let e = client
            .create(&common::request("neighbour"))
            .await
            .unwrap_err();
        assert!(
            matches!(e, ClientError::Problem { status: 403, .. }),
            "{variant:?}: {e}"
        );
        assert_eq!(e.functional_code(), Some(&FunctionalCode::Forbidden));
    }
}

#[tokio::test]
async fn a_call_without_credentials_is_forbidden() {
    let s = common::setup().await;
    let url = format!(
        "{}status/{}/{}",
        s.platform.base_url(),
        common::ORIGINATOR,
        common::ENDPOINT
    );
    let r = common::browser().get(url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let p: Problem = r.json().await.unwrap();
    assert_eq!(p.functional_code, Some(FunctionalCode::Forbidden));
}

#[tokio::test]
async fn a_purpose_outside_the_standards_class_is_a_validation_error() {
    let s = common::setup().await;
    let mut b = body();
    b["purpose"] = json!("Gebühr Fahrerlaubnis");
    let (status, p) = post(&s, common::ENDPOINT, &b).await;
    assert_eq!(status, 400);
    assert_eq!(p.functional_code, Some(FunctionalCode::ValidationError));
    assert!(
        p.detail
            .unwrap()
            .starts_with("purpose contains the character with code point 00FC")
    );
}

#[tokio::test]
async fn an_unsupported_currency_is_a_validation_error() {
    let s = common::setup().await;
    let mut b = body();
    b["currency"] = json!("USD");
    let (_, p) = post(&s, common::ENDPOINT, &b).await;
    assert_eq!(p.functional_code, Some(FunctionalCode::ValidationError));
    assert!(p.detail.unwrap().starts_with("currency is not supported"));
}

#[tokio::test]
async fn an_amount_with_three_decimals_is_a_validation_error_naming_the_field() {
    let s = common::setup().await;
    let mut b = body();
    b["items"][1]["totalNetAmount"] = json!(8.105);
    let (_, p) = post(&s, common::ENDPOINT, &b).await;
    assert_eq!(p.functional_code, Some(FunctionalCode::ValidationError));
    let detail = p.detail.unwrap();
    assert!(
        detail.starts_with(
            "items.1.totalNetAmount an amount in euros 8.105 has more than two decimals"
        ),
        "{detail}"
    );
}

#[tokio::test]
async fn a_missing_field_and_a_request_without_items_are_validation_errors() {
    let s = common::setup().await;
    let mut b = body();
    b.as_object_mut().unwrap().remove("redirectUrl");
    let (_, p) = post(&s, common::ENDPOINT, &b).await;
    assert_eq!(p.functional_code, Some(FunctionalCode::ValidationError));
    assert!(p.detail.unwrap().contains("missing field redirectUrl"));
    let mut b = body();
    b["items"] = json!([]);
    b["grosAmount"] = json!(0);
    let (_, p) = post(&s, common::ENDPOINT, &b).await;
    assert_eq!(p.functional_code, Some(FunctionalCode::ValidationError));
    assert!(p.detail.unwrap().starts_with("items is empty"));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused_with_415() {
    let s = common::setup().await;
    let url = format!(
        "{}paymenttransaction/{}/{}",
        s.platform.base_url(),
        common::ORIGINATOR,
        common::ENDPOINT
    );
    let r = common::browser()
        .post(url)
        .basic_auth(common::BASIC_USER, Some(common::BASIC_PASSWORD))
        .body("requestId=x")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
}

#[tokio::test]
async fn items_without_the_booking_data_the_tenant_needs_are_booking_data_missing() {
    let s = common::setup().await;
    let client = common::client_for(&s, Variant::OAuth2, common::STRICT).await;
    let mut r = common::request("booking-data");
    let e = client.create(&r).await.unwrap_err();
    assert_eq!(
        e.functional_code(),
        Some(&FunctionalCode::BookingDataMissing),
        "{e}"
    );
    let ClientError::Problem { problem, .. } = e else {
        unreachable!()
    };
    assert_eq!(
        problem.detail.as_deref(),
        Some("items.0.bookingData lacks objektnummer. items.1.bookingData lacks objektnummer")
    );
    for item in &mut r.items {
        item.booking_data
            .insert("objektnummer".into(), "HH-4711".into());
    }
    client.create(&r).await.unwrap();
}

#[tokio::test]
async fn the_adapter_refuses_to_send_what_the_platform_would_refuse() {
    let s = common::setup().await;
    let client = common::client(&s, Variant::Basic).await;
    let mut r = common::request("local-check");
    r.gros_amount = xbezahl::Amount::from_cents(1);
    let e = client.create(&r).await.unwrap_err();
    let ClientError::Invalid(v) = e else {
        panic!("{e}")
    };
    assert_eq!(v.code(), FunctionalCode::CalculationError);
}
