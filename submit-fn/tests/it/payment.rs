//! Payment before the back office (docs/payment.md), against the local payment platform over
//! real HTTP: a submission of a form that requires payment awaits it unseen, the browser goes
//! to the pay page and back, the function pulls the status and releases a paid submission
//! exactly once — also when the citizen's return and the reconciliation race; a cancelled or
//! failed payment gets a page to try again or to withdraw; an unpaid one expires.

use std::sync::Arc;

use bytes::Bytes;
use form_model::validate::Submission;
use http::{Request, Response, header};
use serde_json::Value;
use store::{FolderStore, Store};
use submit_fn::Handler;
use submit_fn::payment::Payments;
use submit_fn::payment::flow::{self, Standing};
use submit_fn::payment::reconcile::{ReconcileOptions, reconcile};
use test_support::payment::{self as platform, Button};
use time::Duration;
use uuid::Uuid;

use crate::common::noting::NotingReads;
use crate::common::{self, BROWSER_ACCEPT, NOW};

struct Paying {
    platform: payment_platform::Platform,
    handler: Arc<Handler>,
    store: Arc<FolderStore>,
    registry: form_model::registry::Registry,
    payments: Arc<Payments>,
    _dir: tempfile::TempDir,
}

async fn setup() -> Paying {
    setup_with(platform::config(), common::registry()).await
}

/// [`setup`] with the platform's configuration and the function's registry given.
async fn setup_with(
    config: payment_platform::Config,
    mut registry: form_model::registry::Registry,
) -> Paying {
    let platform = platform::start_with(config).await;
    platform::use_platform(&mut registry, &platform);
    let payments = Arc::new(Payments::new(&registry, platform::secrets()));
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(dir.path()));
    let handler = Handler::new(registry.clone(), store.clone())
        .with_clock(common::clock())
        .with_pages(common::pages())
        .with_payments(Arc::clone(&payments));
    Paying {
        platform,
        handler: Arc::new(handler),
        store,
        registry,
        payments,
        _dir: dir,
    }
}

/// The test municipality's form with fees and `payment: required` (tests/fixtures/forms).
const M: &str = "testheim";
const FORM: &str = "beglaubigung";

/// Three certified copies: 5 € and 3 × 2.50 €.
fn copies() -> Submission {
    serde_json::from_value(serde_json::json!({
        "language": "de",
        "data": { "name": "Erika Mustermann", "anzahl": 3 },
    }))
    .unwrap()
}

/// A browser's form post of `submission` with id `id`.
fn form_post(submission: &Submission, id: Uuid) -> Request<Bytes> {
    let body = serde_urlencoded(&common::form_pairs(submission, Some(id)));
    Request::post(common::path(M, FORM))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, BROWSER_ACCEPT)
        .body(Bytes::from(body))
        .unwrap()
}

fn serde_urlencoded(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn text(r: &Response<Bytes>) -> String {
    String::from_utf8(r.body().to_vec()).unwrap()
}

/// The path and query of an absolute return address (the function is reached at
/// Testheim's `submission-endpoint`).
fn on_function(url: &str) -> String {
    let rest = url
        .strip_prefix("https://api.testheim.example")
        .unwrap_or_else(|| panic!("not the function's address: {url}"));
    rest.to_string()
}

async fn get(s: &Paying, path: &str) -> Response<Bytes> {
    s.handler.handle(common::browser_get(path)).await
}

async fn post(s: &Paying, path: &str) -> Response<Bytes> {
    let r = Request::post(path)
        .header(header::ACCEPT, BROWSER_ACCEPT)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Bytes::new())
        .unwrap();
    s.handler.handle(r).await
}

/// The keys of the store ending in `name`.
async fn objects(s: &Paying, name: &str) -> Vec<String> {
    s.store
        .list("testheim/")
        .await
        .unwrap()
        .into_iter()
        .filter(|k| k.ends_with(name))
        .collect()
}

/// What `inbox list` shows of Testheim's submissions, acknowledged ones included.
async fn inbox_list(s: &Paying) -> Vec<inbox::Entry> {
    let inbox = inbox::Inbox::new(
        s.store.clone(),
        None,
        inbox::Schemas::from_registry(&s.registry),
    );
    let all = inbox::Filter {
        municipality: M.into(),
        form: None,
        from: None,
        to: None,
        include_acked: true,
        only: None,
    };
    inbox.list(&all).await.unwrap()
}

/// The link to the platform's pay page on a page the function answered with.
fn pay_link(s: &Paying, r: &Response<Bytes>) -> String {
    let page = text(r);
    let base = s.platform.base_url().as_str();
    let start = page
        .find(&format!("href=\"{base}pay/"))
        .unwrap_or_else(|| panic!("no link to the pay page:\n{page}"))
        + 6;
    page[start..start + page[start..].find('"').unwrap()].to_string()
}

/// Submits as a browser and returns the pay page the function links to (a page, not a 303:
/// the form page's CSP would block a redirect to the platform after its post).
async fn submit(s: &Paying, id: Uuid) -> String {
    let r = s.handler.handle(form_post(&copies(), id)).await;
    assert_eq!(r.status(), 200, "{}", text(&r));
    assert!(text(&r).contains("Gebühr bezahlen"), "{}", text(&r));
    pay_link(s, &r)
}

fn expected_total(s: &Paying) -> i64 {
    let form = s.registry.form(M, FORM).unwrap();
    let clean = form_model::validate::validate(form, &copies(), NOW.date()).expect("valid example");
    form_model::fees::amount_due(&form.form, &clean, NOW.date()).total_cents
}

#[tokio::test]
async fn a_paid_submission_reaches_the_back_office_only_after_payment_and_exactly_once() {
    let s = setup().await;
    let id = common::new_id();
    let pay = submit(&s, id).await;
    // Awaiting payment: stored, but nothing the back office lists.
    assert_eq!(objects(&s, "submission.awaiting.json").await.len(), 1);
    assert!(objects(&s, "submission.json").await.is_empty());
    assert!(
        inbox_list(&s).await.is_empty(),
        "inbox list sees nothing awaiting payment"
    );

    let back = platform::press(&pay, Button::Pay).await;
    assert!(
        back.ends_with(&format!("/v1/testheim/payment/{id}/return?lang=de")),
        "{back}"
    );
    let r = get(&s, &on_function(&back)).await;
    assert_eq!(r.status(), 200);
    let page = text(&r);
    let reference = form_model::record::reference(M, 2026, id);
    assert!(page.contains(&reference), "{page}");
    assert!(page.contains("Zahlungsreferenz"), "{page}");
    assert!(
        page.contains("id=\"payment-reference\" dir=\"ltr\">KZ-"),
        "{page}"
    );
    assert!(
        page.contains("id=\"receipt\""),
        "the receipt as after any submission: {page}"
    );

    // The back office gets the record and the payment, once.
    assert_eq!(objects(&s, "submission.json").await.len(), 1);
    let payment = objects(&s, "payment.json").await;
    assert_eq!(payment.len(), 1);
    let info: Value =
        serde_json::from_slice(&s.store.get(&payment[0]).await.unwrap().unwrap()).unwrap();
    assert_eq!(info["requestId"], id.to_string());
    let pi = &info["paymentInformation"];
    assert_eq!(pi["status"], "PAYED");
    assert_eq!(pi["paymentMethod"], "GIROPAY");
    assert!(
        pi["transactionReference"]
            .as_str()
            .unwrap()
            .starts_with("KZ-")
    );
    assert!(pi["transactionTimestamp"].is_string());
    // The amount paid is the server's.
    assert_eq!(
        (pi["grossAmount"].as_f64().unwrap() * 100.0).round() as i64,
        expected_total(&s)
    );

    // The back office lists it once and pulls it with the payment in the metadata.
    let inbox = inbox::Inbox::new(
        s.store.clone(),
        None,
        inbox::Schemas::from_registry(&s.registry),
    );
    let filter = inbox::Filter {
        municipality: M.into(),
        form: None,
        from: None,
        to: None,
        include_acked: false,
        only: None,
    };
    let entries = inbox.list(&filter).await.unwrap();
    assert_eq!(entries.len(), 1);
    let pulled = inbox.pull(&entries[0]).await.unwrap();
    assert_eq!(pulled.metadata["paymentInformation"], *pi);

    // Coming back again (reload) shows the same confirmation and hands on nothing more.
    let again = get(&s, &on_function(&back)).await;
    assert_eq!(again.status(), 200);
    assert_eq!(objects(&s, "submission.json").await.len(), 1);
}

#[tokio::test]
async fn the_page_script_gets_202_with_the_pay_page_and_a_repeat_opens_no_second_payment() {
    let s = setup().await;
    let id = common::new_id();
    let request = || common::json_request(&common::path(M, FORM), Some(id), &copies());
    let r = s.handler.handle(request()).await;
    assert_eq!(r.status(), 202, "{}", text(&r));
    let answer: Value = serde_json::from_slice(r.body()).unwrap();
    let pay = answer["payment_url"].as_str().unwrap().to_string();
    assert!(pay.starts_with(s.platform.base_url().as_str()), "{pay}");
    assert_eq!(
        answer["reference"],
        form_model::record::reference(M, 2026, id)
    );
    // The same submission again (a retry of the script): the same transaction.
    let again: Value = serde_json::from_slice(s.handler.handle(request()).await.body()).unwrap();
    assert_eq!(again["payment_url"], pay.as_str());
    let attempts = s.store.list("_payments/testheim/").await.unwrap();
    assert_eq!(attempts.len(), 1, "{attempts:?}");
}

#[tokio::test]
async fn after_a_cancelled_payment_the_citizen_tries_again_and_pays_once() {
    let s = setup().await;
    let id = common::new_id();
    let first = submit(&s, id).await;
    let back = platform::press(&first, Button::Cancel).await;
    let r = get(&s, &on_function(&back)).await;
    assert_eq!(r.status(), 200);
    let page = text(&r);
    assert!(page.contains("Zahlung abgebrochen"), "{page}");
    assert!(page.contains("action=\"./retry?lang=de\""), "{page}");
    assert!(page.contains("action=\"./cancel?lang=de\""), "{page}");
    assert!(objects(&s, "submission.json").await.is_empty());

    let retry = post(&s, &format!("/v1/testheim/payment/{id}/retry?lang=de")).await;
    assert_eq!(retry.status(), 200);
    let second = pay_link(&s, &retry);
    assert_ne!(second, first, "a new transaction");
    let back = platform::press(&second, Button::Pay).await;
    let r = get(&s, &on_function(&back)).await;
    assert_eq!(r.status(), 200);
    assert!(text(&r).contains("Zahlungsreferenz"));
    assert_eq!(objects(&s, "submission.json").await.len(), 1);
    // Paid: trying again opens nothing new.
    let retry = post(&s, &format!("/v1/testheim/payment/{id}/retry?lang=de")).await;
    assert_eq!(retry.status(), 200);
    assert!(text(&retry).contains("Zahlungsreferenz"));
}

#[tokio::test]
async fn a_failed_payment_can_be_withdrawn_and_nothing_reaches_the_back_office() {
    let s = setup().await;
    let id = common::new_id();
    let pay = submit(&s, id).await;
    let back = platform::press(&pay, Button::Fail).await;
    let r = get(&s, &on_function(&back)).await;
    assert!(text(&r).contains("Zahlung nicht gelungen"), "{}", text(&r));
    let r = post(&s, &format!("/v1/testheim/payment/{id}/cancel?lang=en")).await;
    assert_eq!(r.status(), 200);
    assert!(text(&r).contains("Application withdrawn"), "{}", text(&r));
    // Withdrawn is final: no new transaction.
    let r = post(&s, &format!("/v1/testheim/payment/{id}/retry?lang=de")).await;
    assert_eq!(r.status(), 200);
    assert!(text(&r).contains("Antrag zurückgezogen"), "{}", text(&r));
    assert!(objects(&s, "submission.json").await.is_empty());
    assert!(objects(&s, "payment.json").await.is_empty());
}

#[tokio::test]
async fn a_citizen_who_closes_the_tab_after_paying_is_released_by_reconciliation() {
    let s = setup().await;
    let id = common::new_id();
    let pay = submit(&s, id).await;
    let options = ReconcileOptions::default();
    // Before paying, and too young to look at.
    let report = reconcile(s.store.as_ref(), &s.registry, &s.payments, NOW, options).await;
    assert_eq!((report.young, report.checked), (1, 0));
    let _ = platform::press(&pay, Button::Pay).await; // and never comes back
    let later = NOW + Duration::minutes(20);
    let report = reconcile(s.store.as_ref(), &s.registry, &s.payments, later, options).await;
    assert_eq!((report.checked, report.released), (1, 1), "{report:?}");
    assert_eq!(objects(&s, "submission.json").await.len(), 1);
    let report = reconcile(s.store.as_ref(), &s.registry, &s.payments, later, options).await;
    assert_eq!((report.checked, report.released), (0, 0), "{report:?}");
}

#[tokio::test]
async fn an_unpaid_submission_expires_after_the_configured_time_and_is_never_handed_on() {
    let s = setup().await;
    let id = common::new_id();
    let _pay = submit(&s, id).await;
    let options = ReconcileOptions::default();
    let report = reconcile(
        s.store.as_ref(),
        &s.registry,
        &s.payments,
        NOW + Duration::hours(2),
        options,
    )
    .await;
    assert_eq!((report.waiting, report.expired), (1, 0), "{report:?}");
    let report = reconcile(
        s.store.as_ref(),
        &s.registry,
        &s.payments,
        NOW + Duration::hours(25),
        options,
    )
    .await;
    assert_eq!(report.expired, 1, "{report:?}");
    let r = get(&s, &format!("/v1/testheim/payment/{id}/return?lang=de")).await;
    assert_eq!(r.status(), 410);
    assert!(text(&r).contains("Antrag verfallen"));
    assert!(objects(&s, "submission.json").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_return_and_reconciliation_racing_release_a_paid_submission_exactly_once() {
    let s = setup().await;
    let id = common::new_id();
    let pay = submit(&s, id).await;
    let _ = platform::press(&pay, Button::Pay).await;
    let later = NOW + Duration::hours(1);
    let mut racers = Vec::new();
    for i in 0..8 {
        let (store, registry, payments) = (s.store.clone(), s.registry.clone(), s.payments.clone());
        racers.push(tokio::spawn(async move {
            if i % 2 == 0 {
                match flow::settle(store.as_ref(), &payments, M, id, None).await {
                    Ok(Standing::Paid { first, .. }) => usize::from(first),
                    other => panic!("{other:?}"),
                }
            } else {
                let options = ReconcileOptions {
                    min_age: Duration::ZERO,
                    ..ReconcileOptions::default()
                };
                reconcile(store.as_ref(), &registry, &payments, later, options)
                    .await
                    .released
            }
        }));
    }
    let mut released = 0;
    for r in racers {
        released += r.await.unwrap();
    }
    assert_eq!(released, 1);
    assert_eq!(objects(&s, "submission.json").await.len(), 1);
    assert_eq!(objects(&s, "payment.json").await.len(), 1);
}

#[tokio::test]
async fn without_a_usable_platform_a_form_that_requires_payment_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(dir.path()));
    let handler = Handler::new(common::registry(), store.clone()).with_clock(common::clock());
    let r = handler.handle(form_post(&copies(), common::new_id())).await;
    assert_eq!(r.status(), 503);
    assert!(store.list("testheim/").await.unwrap().is_empty());
}

/// Issue 12: every fee goes to the platform with the booking keys of Testheim's
/// `payment.booking` (its own, its form's or the default accounts, and the Kassenzeichen made
/// of the prefix, the year and the reference); a platform that insists on them accepts the
/// payment, and the back office's payment object lists them. Without them it answers
/// BOOKING_DATA_MISSING.
#[tokio::test]
async fn each_fee_reaches_the_platform_with_its_booking_keys_and_the_back_office_sees_them() {
    let mut config = platform::config();
    let keys: Vec<String> = ["kassenzeichen", "haushaltsstelle", "produktkonto"]
        .map(String::from)
        .to_vec();
    for t in &mut config.tenants {
        t.required_booking_data = keys.clone();
    }
    let s = setup_with(config, common::registry()).await;
    let id = common::new_id();
    let pay = submit(&s, id).await;
    let reference = form_model::record::reference(M, 2026, id);
    let attempt = submit_fn::payment::attempt::get(s.store.as_ref(), M, id, 1)
        .await
        .unwrap()
        .unwrap();
    let booked: Vec<(String, Vec<(String, String)>)> = attempt
        .request
        .items
        .iter()
        .map(|i| (i.id.clone(), i.booking_data.clone().into_iter().collect()))
        .collect();
    let kassenzeichen = format!("TH.2026-{reference}");
    let entry = |hh: &str, pk: &str| {
        vec![
            ("haushaltsstelle".to_string(), hh.to_string()),
            ("kassenzeichen".to_string(), kassenzeichen.clone()),
            ("produktkonto".to_string(), pk.to_string()),
        ]
    };
    assert_eq!(
        booked,
        [
            (
                "grundgebuehr".to_string(),
                entry("1.0600.1100", "11.1.01.431100")
            ),
            (
                "abschrift".to_string(),
                entry("1.0600.1100", "11.1.01.431200")
            ),
        ]
    );
    let back = platform::press(&pay, Button::Pay).await;
    assert_eq!(get(&s, &on_function(&back)).await.status(), 200);
    let payment = objects(&s, "payment.json").await;
    let object: Value =
        serde_json::from_slice(&s.store.get(&payment[0]).await.unwrap().unwrap()).unwrap();
    let items = object["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["id"], "abschrift");
    assert_eq!(items[1]["quantity"], 3);
    assert_eq!(items[1]["totalAmount"], 7.5);
    assert_eq!(items[1]["bookingData"]["produktkonto"], "11.1.01.431200");
    assert_eq!(
        items[0]["bookingData"]["kassenzeichen"],
        kassenzeichen.as_str()
    );

    // A municipality without `booking` sends none; this platform refuses it.
    let form = s.registry.form(M, FORM).unwrap();
    let amount = attempt_amount(&s);
    let bare = submit_fn::payment::attempt::payment_request(
        form,
        None,
        &reference,
        NOW,
        &amount,
        "de",
        "https://api.testheim.example/back".into(),
        common::new_id().to_string(),
    )
    .unwrap();
    assert!(bare.items.iter().all(|i| i.booking_data.is_empty()));
    let refused = s
        .payments
        .client(M)
        .await
        .unwrap()
        .create(&bare)
        .await
        .unwrap_err();
    assert_eq!(
        refused.functional_code(),
        Some(&xbezahl::FunctionalCode::BookingDataMissing),
        "{refused}"
    );
}

/// Issue 12: a platform that knows the booking keys by other names (`payment.booking.keys`)
/// gets them under those names, insists on them (`required-booking-data`) and is paid; the
/// payment object says which name is which, so the booking export finds them.
#[tokio::test]
async fn booking_keys_named_as_the_platform_expects_reach_it_and_the_payment_object_maps_them() {
    let mut config = platform::config();
    for t in &mut config.tenants {
        t.required_booking_data = vec!["KZ".into(), "HHST".into()];
    }
    let mut registry = common::registry();
    let m = registry
        .municipalities
        .iter_mut()
        .find(|m| m.id == M)
        .unwrap();
    let booking = m.payment.as_mut().unwrap().booking.as_mut().unwrap();
    booking.keys.kassenzeichen = Some("KZ".into());
    booking.keys.haushaltsstelle = Some("HHST".into());
    let s = setup_with(config, registry).await;
    let id = common::new_id();
    let pay = submit(&s, id).await;
    let reference = form_model::record::reference(M, 2026, id);
    let attempt = submit_fn::payment::attempt::get(s.store.as_ref(), M, id, 1)
        .await
        .unwrap()
        .unwrap();
    let keys: Vec<Vec<String>> = attempt
        .request
        .items
        .iter()
        .map(|i| i.booking_data.keys().cloned().collect())
        .collect();
    assert_eq!(
        keys,
        [
            ["HHST", "KZ", "produktkonto"],
            ["HHST", "KZ", "produktkonto"]
        ]
    );
    let back = platform::press(&pay, Button::Pay).await;
    assert_eq!(get(&s, &on_function(&back)).await.status(), 200);
    let payment = objects(&s, "payment.json").await;
    let object: Value =
        serde_json::from_slice(&s.store.get(&payment[0]).await.unwrap().unwrap()).unwrap();
    assert_eq!(
        object["bookingKeys"],
        serde_json::json!({ "kassenzeichen": "KZ", "haushaltsstelle": "HHST" })
    );
    assert_eq!(
        object["items"][0]["bookingData"]["KZ"],
        format!("TH.2026-{reference}").as_str()
    );

    // Under Formfabrik's own names this platform refuses the same fees.
    let form = s.registry.form(M, FORM).unwrap();
    let mut plain = s.registry.municipality(M).unwrap().payment.clone().unwrap();
    let plain_booking = plain.booking.as_mut().unwrap();
    plain_booking.keys = Default::default();
    let request = submit_fn::payment::attempt::payment_request(
        form,
        Some(plain_booking),
        &reference,
        NOW,
        &attempt_amount(&s),
        "de",
        "https://api.testheim.example/back".into(),
        common::new_id().to_string(),
    )
    .unwrap();
    let refused = s
        .payments
        .client(M)
        .await
        .unwrap()
        .create(&request)
        .await
        .unwrap_err();
    assert_eq!(
        refused.functional_code(),
        Some(&xbezahl::FunctionalCode::BookingDataMissing),
        "{refused}"
    );
}

fn attempt_amount(s: &Paying) -> form_model::fees::AmountDue {
    let form = s.registry.form(M, FORM).unwrap();
    let clean = form_model::validate::validate(form, &copies(), NOW.date()).expect("valid example");
    form_model::fees::amount_due(&form.form, &clean, NOW.date())
}

/// Every object the store keeps of Testheim's submissions: folders, claims, payment objects.
async fn everything(s: &Paying) -> Vec<String> {
    let mut keys = Vec::new();
    for prefix in ["testheim/", "_claims/testheim/", "_payments/testheim/"] {
        keys.extend(s.store.list(prefix).await.unwrap());
    }
    keys
}

/// The objects the store keeps of submission `id`.
async fn of(s: &Paying, id: Uuid) -> Vec<String> {
    let id = id.to_string();
    everything(s)
        .await
        .into_iter()
        .filter(|k| k.contains(&id))
        .collect()
}

async fn reconcile_at(
    s: &Paying,
    now: time::OffsetDateTime,
) -> submit_fn::payment::reconcile::ReconcileReport {
    reconcile(
        s.store.as_ref(),
        &s.registry,
        &s.payments,
        now,
        ReconcileOptions::default(),
    )
    .await
}

async fn withdrawn(s: &Paying, id: Uuid) {
    let pay = submit(s, id).await;
    let back = platform::press(&pay, Button::Fail).await;
    let _ = get(s, &on_function(&back)).await;
    let r = post(s, &format!("/v1/testheim/payment/{id}/cancel?lang=en")).await;
    assert!(text(&r).contains("Application withdrawn"), "{}", text(&r));
}

#[tokio::test]
async fn a_withdrawn_submission_is_deleted_by_the_next_reconciliation_completely_and_once() {
    let s = setup().await;
    let id = common::new_id();
    withdrawn(&s, id).await;
    let kept = common::new_id();
    let _ = submit(&s, kept).await;
    assert!(!of(&s, id).await.is_empty());
    let report = reconcile_at(&s, NOW + Duration::minutes(20)).await;
    assert_eq!(report.purged, 1, "{report:?}");
    assert!(report.errors.is_empty(), "{report:?}");
    let left = of(&s, id).await;
    assert!(
        left.is_empty(),
        "answers, attachments, claim, markers all gone: {left:?}"
    );
    // The other submission, still awaiting payment, is untouched.
    assert_eq!(objects(&s, "submission.awaiting.json").await.len(), 1);
    // Idempotent: nothing left to do, nothing fails.
    let report = reconcile_at(&s, NOW + Duration::minutes(40)).await;
    assert_eq!((report.purged, report.errors.len()), (0, 0), "{report:?}");
    let r = get(&s, &format!("/v1/testheim/payment/{id}/return?lang=de")).await;
    assert_eq!(r.status(), 404, "{}", text(&r));
}

#[tokio::test]
async fn an_expired_submission_is_deleted_after_the_grace_period_and_a_late_payment_is_released_instead()
 {
    let s = setup().await;
    let unpaid = common::new_id();
    let _ = submit(&s, unpaid).await;
    let late = common::new_id();
    let late_pay = submit(&s, late).await;
    let expired_at = NOW + Duration::hours(25);
    let report = reconcile_at(&s, expired_at).await;
    assert_eq!(report.expired, 2, "{report:?}");
    // Within the grace period both are kept (their transactions were still open).
    let report = reconcile_at(&s, expired_at + Duration::days(1)).await;
    assert_eq!((report.purged, report.released), (0, 0), "{report:?}");
    assert_eq!(objects(&s, "submission.awaiting.json").await.len(), 2);
    // One is paid after all: money taken is never thrown away.
    let _ = platform::press(&late_pay, Button::Pay).await;
    let report = reconcile_at(&s, expired_at + Duration::days(8)).await;
    assert_eq!((report.purged, report.released), (1, 1), "{report:?}");
    assert!(report.errors.is_empty(), "{report:?}");
    assert!(of(&s, unpaid).await.is_empty());
    assert_eq!(objects(&s, "submission.json").await.len(), 1);
    assert_eq!(objects(&s, "payment.json").await.len(), 1);
    assert_eq!(
        inbox_list(&s).await.len(),
        1,
        "only the paid one reaches inbox list"
    );
    // The paid one stays, however often reconciliation runs.
    let report = reconcile_at(&s, expired_at + Duration::days(30)).await;
    assert_eq!((report.purged, report.released), (0, 0), "{report:?}");
    assert_eq!(objects(&s, "submission.json").await.len(), 1);
}

#[tokio::test]
async fn a_deletion_cut_short_is_finished_by_the_next_run() {
    let s = setup().await;
    let id = common::new_id();
    withdrawn(&s, id).await;
    // A run that stopped after the submission's folder, before its claim and markers.
    for key in objects(&s, "").await {
        if key.contains(&id.to_string()) {
            assert!(s.store.delete(&key).await.unwrap());
        }
    }
    assert!(!of(&s, id).await.is_empty());
    let report = reconcile_at(&s, NOW + Duration::minutes(20)).await;
    assert_eq!((report.purged, report.errors.len()), (1, 0), "{report:?}");
    assert!(of(&s, id).await.is_empty());
}

fn scheduled_event(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[tokio::test]
async fn the_scheduled_lambda_releases_a_payment_made_by_a_citizen_who_never_came_back() {
    use submit_fn::payment::scheduled::{Scheduled, ScheduledError};
    let s = setup().await;
    let id = common::new_id();
    let pay = submit(&s, id).await;
    // The transaction is INITIAL at the platform; the citizen pays and closes the tab.
    assert!(objects(&s, "submission.json").await.is_empty());
    let _ = platform::press(&pay, Button::Pay).await;
    let scheduled = Scheduled {
        store: s.store.clone(),
        registry: s.registry.clone(),
        payments: Arc::clone(&s.payments),
        options: ReconcileOptions::default(),
    };
    let later = NOW + Duration::minutes(20);
    let report = scheduled
        .handle(scheduled_event("eventbridge-scheduled.json"), later)
        .await
        .unwrap();
    assert_eq!((report.checked, report.released), (1, 1), "{report:?}");
    assert_eq!(objects(&s, "submission.json").await.len(), 1);
    assert_eq!(objects(&s, "payment.json").await.len(), 1);
    // An HTTP event is not a schedule's: refused, nothing run.
    let e = scheduled
        .handle(scheduled_event("apigw-v2-get.json"), later)
        .await
        .unwrap_err();
    assert!(matches!(e, ScheduledError::NotScheduled(_)), "{e}");
}

/// A submission of Testheim's paid form stored into the folder `dir`, paid at the local
/// platform by a citizen who never came back. The platform (keep it running) and the registry
/// pointed at it.
pub(crate) async fn paid_and_gone(
    dir: &std::path::Path,
) -> (payment_platform::Platform, form_model::registry::Registry) {
    let s = setup().await;
    let store = Arc::new(FolderStore::new(dir));
    let handler = Handler::new(s.registry.clone(), store)
        .with_clock(common::clock())
        .with_pages(common::pages())
        .with_payments(Arc::clone(&s.payments));
    let r = handler.handle(form_post(&copies(), common::new_id())).await;
    assert_eq!(r.status(), 200, "{}", text(&r));
    let pay = pay_link(&s, &r);
    let _ = platform::press(&pay, Button::Pay).await;
    (s.platform, s.registry)
}

/// The keys below `${StoragePrefix}/` the submission function's role may `s3:GetObject`, as
/// IAM patterns (`*` any characters), read from the template `submit-fn template` writes.
fn granted_reads(registry: &form_model::registry::Registry) -> Vec<String> {
    let text = submit_fn::sam_template::template(registry, "target/lambda/submit-fn/");
    let template: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let untag = |v: &serde_yaml::Value| match v {
        serde_yaml::Value::Tagged(t) => t.value.clone(),
        other => other.clone(),
    };
    let list = |v: &serde_yaml::Value| match v {
        serde_yaml::Value::Sequence(s) => s.iter().map(untag).collect::<Vec<_>>(),
        other => vec![untag(other)],
    };
    let mut granted = Vec::new();
    let policies = &template["Resources"]["SubmitFunction"]["Properties"]["Policies"];
    for statement in policies
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|p| p["Statement"].as_sequence().unwrap())
    {
        let actions = list(&statement["Action"]);
        if statement["Effect"].as_str() != Some("Allow")
            || !actions.iter().any(|a| a.as_str() == Some("s3:GetObject"))
        {
            continue;
        }
        for resource in list(&statement["Resource"]) {
            let arn = resource.as_str().unwrap();
            if let Some(key) = arn.strip_prefix("${SubmissionsBucket.Arn}/${StoragePrefix}/") {
                granted.push(key.to_string());
            }
        }
    }
    granted
}

/// IAM's wildcard: `*` is any run of characters, `/` included.
fn iam_matches(pattern: &str, key: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = key.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// Issue 12, on AWS: the paid confirmation of a plain (unsealed) record offers the receipt, and
/// on the way (the submission, the pay page, the return, the release) the function reads only
/// objects the SAM template lets it read — against S3 (moto), every key read checked against the
/// role's `s3:GetObject` resources. The receipt is made of the record awaiting payment (which
/// the release copies and leaves) and the attachments' hashes in the attempt: no read of the
/// released submission or its attachments, which the role may not read.
#[tokio::test]
async fn the_paid_page_offers_the_receipt_of_a_plain_record_reading_only_what_the_template_grants()
{
    paid_page_offers_the_receipt(false).await;
}

/// The same for a submission that awaited payment in the layout before the envelope (the bare
/// record as `submission.awaiting.json`, `metadata.json` beside it): paid after the function
/// was updated, its receipt is offered all the same.
#[tokio::test]
async fn the_paid_page_offers_the_receipt_of_a_record_awaiting_payment_in_the_old_layout() {
    paid_page_offers_the_receipt(true).await;
}

async fn paid_page_offers_the_receipt(old_layout: bool) {
    let mut registry = common::registry();
    let platform = platform::start_with(platform::config()).await;
    platform::use_platform(&mut registry, &platform);
    let granted = granted_reads(&registry);
    assert!(
        granted.contains(&"*/submission.awaiting.json".to_string()),
        "{granted:?}"
    );
    assert!(
        !granted
            .iter()
            .any(|g| iam_matches(g, "testheim/beglaubigung/v1/2026-11-28/x/submission.json")),
        "the role reads no released record: {granted:?}"
    );
    let payments = Arc::new(Payments::new(&registry, platform::secrets()));
    let client = common::s3_client();
    let bucket = common::bucket(&client).await;
    let s3: Arc<dyn Store> = Arc::new(store::S3Store::new(client, &bucket, "eingang"));
    let noting = Arc::new(NotingReads::new(s3.clone()));
    let handler = Handler::new(registry.clone(), noting.clone())
        .with_clock(common::clock())
        .with_pages(common::pages())
        .with_payments(Arc::clone(&payments));
    let id = common::new_id();
    let r = handler.handle(form_post(&copies(), id)).await;
    assert_eq!(r.status(), 200, "{}", text(&r));
    if old_layout {
        let awaiting = s3.list("").await.unwrap();
        let key = awaiting
            .iter()
            .find(|k| k.ends_with("/submission.awaiting.json"))
            .unwrap();
        let opened = store::envelope::open(&s3.get(key).await.unwrap().unwrap()).unwrap();
        s3.delete(key).await.unwrap();
        let meta = key.replace("submission.awaiting.json", "metadata.json");
        let json = "application/json";
        s3.put_new(&meta, opened.metadata.unwrap(), json)
            .await
            .unwrap();
        s3.put_new(key, opened.record, json).await.unwrap();
    }
    let page = text(&r);
    let at = page
        .find("href=\"http://127.0.0.1")
        .expect("a link to the pay page");
    let pay = page[at + 6..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let back = platform::press(&pay, Button::Pay).await;
    let paid = handler
        .handle(common::browser_get(&on_function(&back)))
        .await;
    assert_eq!(paid.status(), 200, "{}", text(&paid));
    let html = text(&paid);
    assert!(
        html.contains("<p id=\"receipt\"><a href=\"data:application/pdf;base64,"),
        "the receipt is offered: {html}"
    );
    let read = noting.reads();
    assert!(
        read.iter().any(|k| k.ends_with("submission.awaiting.json")),
        "{read:#?}"
    );
    for key in &read {
        assert!(
            granted.iter().any(|g| iam_matches(g, key)),
            "{key} is read, but the template grants only {granted:#?}"
        );
    }
}

// Payment offered (`payment: optional`): the citizen chooses with the send button clicked.

/// The test registry with Testheim's form with fees offering payment rather than requiring it.
fn optional_registry() -> form_model::registry::Registry {
    let mut registry = common::registry();
    let form = registry
        .forms
        .iter_mut()
        .find(|f| f.municipality.id == M && f.form.id == FORM)
        .unwrap();
    Arc::make_mut(&mut form.form).payment = form_model::model::PaymentMode::Optional;
    registry
}

/// A browser's form post of the copies with the send button `choice` clicked (`_payment`).
fn chosen_post(id: Uuid, choice: Option<&str>) -> Request<Bytes> {
    let mut pairs = common::form_pairs(&copies(), Some(id));
    if let Some(choice) = choice {
        pairs.push(("_payment".into(), choice.into()));
    }
    Request::post(common::path(M, FORM))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, BROWSER_ACCEPT)
        .body(Bytes::from(serde_urlencoded(&pairs)))
        .unwrap()
}

/// A script post of the copies with `"payment": choice`.
fn chosen_json(id: Uuid, choice: &str) -> Request<Bytes> {
    let mut body = serde_json::json!({ "id": id, "language": "de", "data": copies().data });
    body["payment"] = serde_json::json!(choice);
    Request::post(common::path(M, FORM))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .body(Bytes::from(serde_json::to_vec(&body).unwrap()))
        .unwrap()
}

/// How many of Testheim's payment objects (`_payments/testheim/`) have `part` in their key.
async fn payment_objects(s: &Paying, part: &str) -> usize {
    let keys = s.store.list("_payments/testheim/").await.unwrap();
    keys.iter().filter(|k| k.contains(part)).count()
}

/// The metadata `inbox pull` gives of Testheim's only submission.
async fn pulled_metadata(s: &Paying) -> Value {
    let inbox = inbox::Inbox::new(
        s.store.clone(),
        None,
        inbox::Schemas::from_registry(&s.registry),
    );
    let entries = inbox_list(s).await;
    assert_eq!(entries.len(), 1, "one submission for the back office");
    inbox.pull(&entries[0]).await.unwrap().metadata
}

#[tokio::test]
async fn optional_payment_chosen_online_awaits_payment_like_a_required_one() {
    let s = setup_with(platform::config(), optional_registry()).await;
    // Without JavaScript: the button's name and value in the form post.
    let id = common::new_id();
    let r = s.handler.handle(chosen_post(id, Some("online"))).await;
    assert_eq!(r.status(), 200, "{}", text(&r));
    assert!(text(&r).contains("Gebühr bezahlen"), "{}", text(&r));
    let pay = pay_link(&s, &r);
    assert_eq!(objects(&s, "submission.awaiting.json").await.len(), 1);
    assert!(inbox_list(&s).await.is_empty(), "nothing before payment");
    // The page script: `"payment": "online"` in the JSON gets 202 with the pay page.
    let other = common::new_id();
    let r = s.handler.handle(chosen_json(other, "online")).await;
    assert_eq!(r.status(), 202, "{}", text(&r));
    let answer: Value = serde_json::from_slice(r.body()).unwrap();
    assert!(answer["payment_url"].is_string(), "{answer}");
    assert_eq!(objects(&s, "submission.awaiting.json").await.len(), 2);

    let back = platform::press(&pay, Button::Pay).await;
    let r = get(&s, &on_function(&back)).await;
    assert!(text(&r).contains("Zahlungsreferenz"), "{}", text(&r));
    // The amount taken is the server's.
    let payment = objects(&s, "payment.json").await;
    let info: Value =
        serde_json::from_slice(&s.store.get(&payment[0]).await.unwrap().unwrap()).unwrap();
    assert_eq!(
        (info["paymentInformation"]["grossAmount"].as_f64().unwrap() * 100.0).round() as i64,
        expected_total(&s)
    );
    let metadata = pulled_metadata(&s).await;
    assert_eq!(metadata["paymentInformation"]["status"], "PAYED");
}

#[tokio::test]
async fn optional_payment_chosen_by_notice_is_released_at_once_and_marked_declined() {
    for (choice, script) in [
        (Some("notice"), false),
        (None, false),
        (Some("notice"), true),
    ] {
        let s = setup_with(platform::config(), optional_registry()).await;
        let id = common::new_id();
        let r = match (choice, script) {
            (Some(c), true) => s.handler.handle(chosen_json(id, c)).await,
            (c, _) => s.handler.handle(chosen_post(id, c)).await,
        };
        // A browser post: the confirmation page; the script: 201.
        let expected = if script { 201 } else { 200 };
        assert_eq!(r.status(), expected, "{choice:?}");
        if !script {
            assert!(
                text(&r).contains("Ihr Antrag ist eingegangen"),
                "{choice:?}"
            );
        }
        assert!(objects(&s, "submission.awaiting.json").await.is_empty());
        assert!(
            s.store.list("_payments/").await.unwrap().is_empty(),
            "no payment opened"
        );
        let metadata = pulled_metadata(&s).await;
        let pi = &metadata["paymentInformation"];
        assert_eq!(pi["paymentMethod"], "INVOICE", "{metadata}");
        assert_eq!(pi["paymentMethodDetail"], store::metadata::PAYMENT_DECLINED);
        assert_eq!(
            (pi["grossAmount"].as_f64().unwrap() * 100.0).round() as i64,
            expected_total(&s)
        );
    }
}

#[tokio::test]
async fn a_choice_is_ignored_for_a_form_that_requires_payment_and_an_unknown_one_refused() {
    let s = setup().await;
    // `payment: required`: choosing the notice changes nothing, the payment is required.
    let id = common::new_id();
    let r = s.handler.handle(chosen_post(id, Some("notice"))).await;
    assert_eq!(r.status(), 200, "{}", text(&r));
    assert!(text(&r).contains("Gebühr bezahlen"), "{}", text(&r));
    assert_eq!(objects(&s, "submission.awaiting.json").await.len(), 1);
    // A value no button has: 400, nothing stored.
    let r = s
        .handler
        .handle(chosen_post(common::new_id(), Some("later")))
        .await;
    assert_eq!(r.status(), 400, "{}", text(&r));
    let r = s
        .handler
        .handle(chosen_json(common::new_id(), "later"))
        .await;
    assert_eq!(r.status(), 400, "{}", text(&r));
    assert_eq!(objects(&s, "submission.awaiting.json").await.len(), 1);
    assert!(objects(&s, "submission.json").await.is_empty());
    // Two buttons' values in one post: which counts would be a guess.
    let mut pairs = common::form_pairs(&copies(), Some(common::new_id()));
    pairs.push(("_payment".into(), "online".into()));
    pairs.push(("_payment".into(), "notice".into()));
    let r = s
        .handler
        .handle(
            Request::post(common::path(M, FORM))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, BROWSER_ACCEPT)
                .body(Bytes::from(serde_urlencoded(&pairs)))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), 400, "{}", text(&r));
}

#[tokio::test]
async fn after_a_cancelled_payment_an_optional_one_is_sent_without_payment_exactly_once() {
    let s = setup_with(platform::config(), optional_registry()).await;
    let id = common::new_id();
    let r = s.handler.handle(chosen_post(id, Some("online"))).await;
    let pay = pay_link(&s, &r);
    let back = platform::press(&pay, Button::Cancel).await;
    let r = get(&s, &on_function(&back)).await;
    let page = text(&r);
    assert!(page.contains("Zahlung abgebrochen"), "{page}");
    assert!(page.contains("action=\"./retry?lang=de\""), "{page}");
    assert!(
        page.contains("action=\"./without-payment?lang=de\""),
        "{page}"
    );
    assert!(page.contains("Ohne Online-Zahlung senden"), "{page}");
    assert!(page.contains("action=\"./cancel?lang=de\""), "{page}");

    // Two requests racing (a double click): one release.
    let path = format!("/v1/testheim/payment/{id}/without-payment?lang=de");
    let (a, b) = tokio::join!(post(&s, &path), post(&s, &path));
    for r in [&a, &b] {
        assert_eq!(r.status(), 200, "{}", text(r));
        assert!(
            text(r).contains("id=\"payment-declined\""),
            "the confirmation, sent without payment: {}",
            text(r)
        );
        assert!(text(r).contains(&form_model::record::reference(M, 2026, id)));
    }
    assert_eq!(objects(&s, "submission.json").await.len(), 1);
    assert_eq!(payment_objects(&s, "released.json").await, 1);
    let payment = objects(&s, "payment.json").await;
    assert_eq!(payment.len(), 1);
    let object: Value =
        serde_json::from_slice(&s.store.get(&payment[0]).await.unwrap().unwrap()).unwrap();
    assert_eq!(object["status"], "DECLINED");
    assert!(object.get("paymentInformation").is_none(), "{object}");
    // The back office: by notice, declined.
    let metadata = pulled_metadata(&s).await;
    assert_eq!(
        metadata["paymentInformation"]["paymentMethodDetail"],
        store::metadata::PAYMENT_DECLINED
    );
    assert_eq!(metadata["paymentInformation"]["paymentMethod"], "INVOICE");

    // Sent is final: no new transaction, no withdrawal, the same page on return.
    for action in ["retry", "cancel", "without-payment"] {
        let r = post(&s, &format!("/v1/testheim/payment/{id}/{action}?lang=de")).await;
        assert!(
            text(&r).contains("id=\"payment-declined\""),
            "{action}: {}",
            text(&r)
        );
    }
    let r = get(&s, &on_function(&back)).await;
    assert!(text(&r).contains("id=\"payment-declined\""), "{}", text(&r));
    assert_eq!(payment_objects(&s, "attempt-").await, 1);
    assert_eq!(
        payment_objects(&s, "cancelled.json").await,
        0,
        "not withdrawn"
    );
    // Reconciliation leaves it alone.
    let report = reconcile_at(&s, NOW + Duration::days(30)).await;
    assert_eq!(report.released, 0);
    assert_eq!(objects(&s, "submission.json").await.len(), 1);
}

#[tokio::test]
async fn a_form_that_requires_payment_offers_no_sending_without_it() {
    let s = setup().await;
    let id = common::new_id();
    let pay = submit(&s, id).await;
    let back = platform::press(&pay, Button::Fail).await;
    let r = get(&s, &on_function(&back)).await;
    assert!(!text(&r).contains("without-payment"), "{}", text(&r));
    let r = post(
        &s,
        &format!("/v1/testheim/payment/{id}/without-payment?lang=de"),
    )
    .await;
    assert!(text(&r).contains("Zahlung nicht gelungen"), "{}", text(&r));
    assert!(objects(&s, "submission.json").await.is_empty());
    assert!(objects(&s, "payment.json").await.is_empty());
}
