//! The pay page over real HTTP: the browser gets the page, posts one of its buttons, is sent
//! back to the online service with a 303, and the adapter pulls the outcome.

use xbezahl::{PaymentMethod, PaymentStatus, PaymentTransaction};

use crate::common::{self, Setup, Variant};

/// Creates a transaction and fetches its pay page; returns the transaction and the page.
async fn open_pay_page(s: &Setup, id: &str, query: &str) -> (PaymentTransaction, String) {
    let client = common::client(s, Variant::Basic).await;
    let created = client.create(&common::request(id)).await.unwrap();
    let url = created
        .payment_information
        .transaction_redirect_url
        .clone()
        .unwrap();
    let r = common::browser()
        .get(format!("{url}{query}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("form-action 'self' https://musterstadt.example"),
        "{csp}"
    );
    (created, r.text().await.unwrap())
}

/// The form's action, as the page writes it.
fn form_action(page: &str) -> String {
    let start = page.find("<form method=\"post\" action=\"").unwrap() + 28;
    page[start..start + page[start..].find('"').unwrap()].to_owned()
}

/// Posts the pay page's form like a browser: the button pressed, the method chosen.
async fn press(s: &Setup, page: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let url = s.platform.base_url().join(&form_action(page)).unwrap();
    common::browser()
        .post(url)
        .form(fields)
        .send()
        .await
        .unwrap()
}

async fn pull(s: &Setup, t: &PaymentTransaction) -> PaymentTransaction {
    common::client(s, Variant::OAuth2)
        .await
        .transaction(&t.payment_information.transaction_id)
        .await
        .unwrap()
}

#[tokio::test]
async fn paying_sends_the_browser_back_and_the_pulled_status_is_payed() {
    let s = common::setup().await;
    let (created, page) = open_pay_page(&s, "flow-pay", "").await;
    let r = press(
        &s,
        &page,
        &[("lang", "de"), ("method", "GIROPAY"), ("action", "pay")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers()["location"],
        "https://musterstadt.example/v1/payments/return/2b1e4c7a"
    );
    let info = pull(&s, &created).await.payment_information;
    assert_eq!(info.status, PaymentStatus::Payed);
    assert_eq!(info.payment_method, Some(PaymentMethod::Giropay));
    assert!(info.transaction_reference.unwrap().starts_with("KZ-"));
    assert!(info.transaction_timestamp.is_some());
    assert_eq!(info.transaction_redirect_url, None);
}

#[tokio::test]
async fn cancelling_ends_the_transaction_as_canceled_without_a_payment_method() {
    let s = common::setup().await;
    let (created, page) = open_pay_page(&s, "flow-cancel", "").await;
    let r = press(
        &s,
        &page,
        &[
            ("lang", "de"),
            ("method", "CREDITCARD"),
            ("action", "cancel"),
        ],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let info = pull(&s, &created).await.payment_information;
    assert_eq!(info.status, PaymentStatus::Canceled);
    assert_eq!(info.payment_method, None);
    assert_eq!(info.transaction_timestamp, None);
}

#[tokio::test]
async fn failing_ends_the_transaction_as_failed() {
    let s = common::setup().await;
    let (created, page) = open_pay_page(&s, "flow-fail", "").await;
    let r = press(
        &s,
        &page,
        &[("lang", "de"), ("method", "PAYPAL"), ("action", "fail")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 303);
    let info = pull(&s, &created).await.payment_information;
    assert_eq!(info.status, PaymentStatus::Failed);
    assert!(info.status_detail.is_some());
}

#[tokio::test]
async fn a_finished_transaction_cannot_be_paid_again_and_a_retried_create_does_not_reopen_it() {
    let s = common::setup().await;
    let (created, page) = open_pay_page(&s, "flow-twice", "").await;
    press(
        &s,
        &page,
        &[("lang", "de"), ("method", "GIROPAY"), ("action", "pay")],
    )
    .await;
    let again = press(
        &s,
        &page,
        &[("lang", "de"), ("method", "GIROPAY"), ("action", "pay")],
    )
    .await;
    assert_eq!(again.status().as_u16(), 409);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("<strong>bezahlt</strong>")
    );
    // The online service retries its create (it did not see the answer): same transaction,
    // paid, no pay page to send the citizen to.
    let client = common::client(&s, Variant::Basic).await;
    let retried = client.create(&common::request("flow-twice")).await.unwrap();
    let info = retried.payment_information;
    assert_eq!(
        info.transaction_id,
        created.payment_information.transaction_id
    );
    assert_eq!(info.status, PaymentStatus::Payed);
    assert_eq!(info.transaction_redirect_url, None);
    // The pay page of a finished transaction says so and leads back.
    let url = created
        .payment_information
        .transaction_redirect_url
        .unwrap();
    let page = common::browser()
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Diese Zahlung ist abgeschlossen"));
    assert!(page.contains("href=\"https://musterstadt.example/v1/payments/return/2b1e4c7a\""));
}

#[tokio::test]
async fn the_pay_page_is_german_first_and_shows_what_is_paid_in_an_accessible_structure() {
    let s = common::setup().await;
    let (_, page) = open_pay_page(&s, "flow-page", "").await;
    assert!(page.starts_with("<!DOCTYPE html><html lang=\"de\">"));
    assert_eq!(page.matches("<h1>").count(), 1);
    assert!(page.contains("<main>"));
    assert!(page.contains("Empfänger: Stadt Musterstadt, Stadtkasse"));
    assert!(page.contains("<caption>Zu zahlende Positionen</caption>"));
    assert!(page.contains("<th scope=\"col\">Position</th>"));
    assert!(page.contains("<td>Prüfung der Sehtestbescheinigung</td><td class=\"n\">3</td><td class=\"n\">8,10\u{a0}€</td>"));
    assert!(page.contains("<strong>43,10\u{a0}€</strong>"));
    assert!(page.contains("<fieldset><legend>Zahlart</legend>"));
    assert_eq!(
        page.matches("<label><input type=\"radio\" name=\"method\"")
            .count(),
        5
    );
    for button in [
        "Jetzt bezahlen",
        "Zahlung abbrechen",
        "Fehlgeschlagene Zahlung simulieren",
    ] {
        assert!(page.contains(&format!("{button}</button>")), "{button}");
    }
    assert!(page.contains("Es wird kein Geld bewegt."));
    assert!(page.contains("<a href=\"?lang=en\" lang=\"en\" hreflang=\"en\">English</a>"));
    let css = common::browser()
        .get(s.platform.base_url().join("pay.css").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

#[tokio::test]
async fn the_pay_page_speaks_english_when_asked() {
    let s = common::setup().await;
    let (_, page) = open_pay_page(&s, "flow-english", "?lang=en").await;
    assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    assert!(page.contains("<strong>€43.10</strong>"));
    assert!(page.contains("Pay now</button>"));
    assert!(page.contains("<input type=\"hidden\" name=\"lang\" value=\"en\">"));
}

#[tokio::test]
async fn a_button_the_page_does_not_have_changes_nothing() {
    let s = common::setup().await;
    let (created, page) = open_pay_page(&s, "flow-bad", "").await;
    let r = press(
        &s,
        &page,
        &[("lang", "de"), ("method", "BITCOIN"), ("action", "pay")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 400);
    let r = press(&s, &page, &[("lang", "de"), ("action", "refund")]).await;
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        pull(&s, &created).await.payment_information.status,
        PaymentStatus::Initial
    );
    let r = common::browser()
        .get(
            s.platform
                .base_url()
                .join("pay/no-such-transaction")
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert!(r.text().await.unwrap().contains("Zahlung nicht gefunden"));
}
