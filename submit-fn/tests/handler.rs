//! The handler, called directly with requests built from the repository's real forms and
//! example submissions: answers for scripts and browsers, the stored layout and record, the
//! idempotency protocol (also across midnight, on failing stores and on stores that ignore
//! If-None-Match), CORS, the honeypot and NFC normalisation.

mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use bytes::Bytes;
use common::*;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};
use submit_fn::{FixedClock, Handler, MemoryStore};
use time::macros::datetime;
use uuid::Uuid;

fn memory() -> Arc<MemoryStore> {
    Arc::new(MemoryStore::new())
}

fn record(store: &MemoryStore, key: &str) -> Value {
    serde_json::from_slice(&store.object(key).unwrap_or_else(|| panic!("no {key}"))).unwrap()
}

fn submission_keys(store: &MemoryStore) -> Vec<String> {
    store
        .keys()
        .into_iter()
        .filter(|k| k.ends_with("/submission.json"))
        .collect()
}

#[tokio::test]
async fn stores_valid_script_post_and_answers_201_with_id_reference_and_received_at() {
    let store = memory();
    let handler = handler(store.clone());
    let id = new_id();
    let submission = sperrmuell();
    let response = handler
        .handle(json_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            Some(id),
            &submission,
        ))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        body_text(&response)
    );
    let answer = body_json(&response);
    let reference = form_model::record::reference("musterstadt", 2026, id);
    assert_eq!(
        answer,
        json!({ "id": id, "reference": reference, "received_at": "2026-11-28T10:15:00Z" })
    );
    let dir = format!("musterstadt/sperrmuell-anmeldung/v1/2026/11/28/{id}/");
    assert_eq!(
        store.keys(),
        vec![
            format!("_claims/musterstadt/{id}.json"),
            format!("{dir}metadata.json"),
            format!("{dir}submission.json")
        ]
    );
    let form = form("musterstadt", "sperrmuell-anmeldung");
    let clean = form_model::validate(&form, &submission, NOW.date()).unwrap();
    let stored = record(&store, &format!("{dir}submission.json"));
    let mut form_ref = json!({ "id": "sperrmuell-anmeldung", "version": 1, "sha256": form.sha256 });
    if let Some(service) = &form.service {
        form_ref["service"] = json!(service);
    }
    assert_eq!(
        stored,
        json!({
            "format": "formfabrik.submission/1",
            "id": id,
            "reference": reference,
            "received_at": "2026-11-28T10:15:00Z",
            "municipality": { "id": "musterstadt", "ags": "06531019" },
            "form": form_ref,
            "language": "de",
            "data": Value::Object(clean),
            "attachments": []
        })
    );
    assert_eq!(handler.stats().stored, 1);
}

#[tokio::test]
async fn redirects_browser_form_post_to_confirmation_page_with_reference() {
    let store = memory();
    let handler = handler(store.clone());
    let pairs = form_pairs(&sperrmuell(), None);
    let response = handler
        .handle(form_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            &pairs,
        ))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        body_text(&response)
    );
    // No id from the page (no JavaScript): the server made one.
    let id = CountingIds(AtomicU64::new(1)).new_id_for_test();
    let reference = form_model::record::reference("musterstadt", 2026, id);
    assert_eq!(
        header_of(&response, "location"),
        Some(
            format!(
                "https://formulare.musterstadt.example/sperrmuell-anmeldung/danke/?ref={reference}"
            )
            .as_str()
        )
    );
    assert_eq!(submission_keys(&store).len(), 1);
    assert!(submission_keys(&store)[0].contains(&id.to_string()));
}

trait NewIdForTest {
    fn new_id_for_test(&self) -> Uuid;
}

impl NewIdForTest for CountingIds {
    fn new_id_for_test(&self) -> Uuid {
        submit_fn::IdSource::new_id(self)
    }
}

#[tokio::test]
async fn redirects_to_the_confirmation_page_in_the_language_of_the_form_page() {
    let handler = handler(memory());
    let mut submission = sperrmuell();
    submission.language = "en".into();
    let id = new_id();
    let pairs = form_pairs(&submission, Some(id));
    let response = handler
        .handle(form_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            &pairs,
        ))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let reference = form_model::record::reference("musterstadt", 2026, id);
    assert_eq!(
        header_of(&response, "location").unwrap(),
        format!(
            "https://formulare.musterstadt.example/en/sperrmuell-anmeldung/danke/?ref={reference}"
        )
    );
}

#[tokio::test]
async fn stores_attachments_first_and_records_their_sha256_size_and_type() {
    let store = memory();
    let handler = handler(store.clone());
    let id = new_id();
    let erlaubnis = pdf("erlaubnis");
    let sachkunde = jpeg("sachkunde");
    let parts = multipart_parts(
        &hundesteuer_musterstadt(),
        Some(id),
        vec![
            Part::File(
                "erlaubnis".into(),
                "Erlaubnis Ordnungsamt.pdf".into(),
                "application/pdf".into(),
                erlaubnis.clone(),
            ),
            Part::File(
                "sachkunde".into(),
                "../../etc/passwd.jpg".into(),
                "image/jpeg".into(),
                sachkunde.clone(),
            ),
        ],
    );
    let response = handler
        .handle(multipart_request(
            &path("musterstadt", "hundesteuer-anmeldung"),
            &parts,
            "application/json",
        ))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "a path in a file name is refused"
    );
    assert!(store.keys().is_empty());

    let parts = multipart_parts(
        &hundesteuer_musterstadt(),
        Some(id),
        vec![
            Part::File(
                "erlaubnis".into(),
                "Erlaubnis Ordnungsamt.pdf".into(),
                "application/pdf".into(),
                erlaubnis.clone(),
            ),
            Part::File(
                "sachkunde".into(),
                "sachkunde.JPG".into(),
                "image/jpeg".into(),
                sachkunde.clone(),
            ),
        ],
    );
    let response = handler
        .handle(multipart_request(
            &path("musterstadt", "hundesteuer-anmeldung"),
            &parts,
            "application/json",
        ))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        body_text(&response)
    );
    let dir = format!("musterstadt/hundesteuer-anmeldung/v2/2026/11/28/{id}/");
    let sha = |b: &[u8]| submit_fn::storage::sha256_hex(b);
    assert_eq!(
        store.object(&format!("{dir}erlaubnis-1.pdf")).unwrap(),
        erlaubnis
    );
    assert_eq!(
        store.object(&format!("{dir}sachkunde-1.jpg")).unwrap(),
        sachkunde
    );
    let stored = record(&store, &format!("{dir}submission.json"));
    assert_eq!(
        stored["attachments"],
        json!([
            { "field": "erlaubnis", "key": format!("{dir}erlaubnis-1.pdf"), "sha256": sha(&erlaubnis), "size": erlaubnis.len(), "type": "application/pdf" },
            { "field": "sachkunde", "key": format!("{dir}sachkunde-1.jpg"), "sha256": sha(&sachkunde), "size": sachkunde.len(), "type": "image/jpeg" },
        ])
    );
    assert_eq!(
        stored["data"]["erlaubnis"],
        json!({ "name": "Erlaubnis Ordnungsamt.pdf", "type": "application/pdf", "size": erlaubnis.len(), "sha256": sha(&erlaubnis) })
    );
}

#[tokio::test]
async fn treats_an_empty_file_part_as_not_answered() {
    let store = memory();
    let handler = handler(store.clone());
    let mut submission = example("hundesteuer-anmeldung@2", "gefaehrlich-nein-lastschrift");
    submission.data.remove("anrede");
    submission
        .data
        .insert("steuermarke-gewuenscht".into(), json!("ja"));
    submission.data.insert("telefon".into(), json!("0641 1"));
    let parts = multipart_parts(
        &submission,
        None,
        vec![
            Part::File(
                "erlaubnis".into(),
                String::new(),
                "application/octet-stream".into(),
                Vec::new(),
            ),
            Part::File(
                "sachkunde".into(),
                String::new(),
                "application/octet-stream".into(),
                Vec::new(),
            ),
        ],
    );
    let response = handler
        .handle(multipart_request(
            &path("musterstadt", "hundesteuer-anmeldung"),
            &parts,
            BROWSER_ACCEPT,
        ))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{}",
        body_text(&response)
    );
    let keys = submission_keys(&store);
    assert_eq!(keys.len(), 1);
    assert_eq!(record(&store, &keys[0])["attachments"], json!([]));
}

#[tokio::test]
async fn answers_422_with_field_errors_in_the_forms_language_as_json() {
    let store = memory();
    let handler = handler(store.clone());
    let mut submission = sperrmuell();
    submission.language = "en".into();
    submission.data.remove("vorname");
    submission.data["anschrift"]["postcode"] = json!("1234");
    let response = handler
        .handle(json_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            Some(new_id()),
            &submission,
        ))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body_json(&response),
        json!({ "errors": [
            { "field": "vorname", "code": "required", "message": "“First name” is required. Please answer it." },
            { "field": "anschrift.postcode", "code": "invalid-postcode", "message": "“Collection address – Postcode” must be a postcode of 5 digits." },
        ]})
    );
    assert!(store.keys().is_empty());
    assert_eq!(handler.stats().invalid, 1);
}

#[tokio::test]
async fn answers_a_browser_form_post_with_an_accessible_error_summary_page() {
    let store = memory();
    let handler = handler(store.clone());
    let mut submission = sperrmuell();
    submission.data.remove("vorname");
    submission.data["anschrift"]["postcode"] = json!("1234");
    let pairs = form_pairs(&submission, Some(new_id()));
    let response = handler
        .handle(form_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            &pairs,
        ))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        header_of(&response, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(
        header_of(&response, "content-security-policy")
            .unwrap()
            .starts_with("default-src 'none'")
    );
    let page = body_text(&response);
    assert!(
        page.starts_with("<!DOCTYPE html>\n<html lang=\"de\" dir=\"ltr\">"),
        "{page}"
    );
    assert_eq!(page.matches("<h1>").count(), 1);
    assert!(page.contains(
        "<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\">"
    ));
    assert!(page.contains("<h2 id=\"error-summary-title\">Es gibt ein Problem</h2>"));
    let form_url = "https://formulare.musterstadt.example/sperrmuell-anmeldung/";
    assert!(page.contains(&format!(
        "<li><a href=\"{form_url}#f-vorname\">„Vorname“ ist ein Pflichtfeld. Bitte füllen Sie es aus.</a></li>"
    )), "{page}");
    assert!(
        page.contains(&format!("<a href=\"{form_url}#f-anschrift-postcode\">")),
        "{page}"
    );
    assert!(page.contains("Zurück-Taste Ihres Browsers"));
    assert!(page.contains("Ihre Eingaben bleiben dabei erhalten"));
    assert!(page.contains(&format!("<a href=\"{form_url}\">Formular neu öffnen</a>")));
    assert!(page.contains("https://formulare.musterstadt.example/impressum/"));
    assert!(!page.contains("<script") && !page.contains("style"));
    assert!(store.keys().is_empty());
}

#[tokio::test]
async fn the_error_page_is_arabic_and_right_to_left_for_an_arabic_page() {
    let handler = handler(memory());
    let mut submission = example("sperrmuell-anmeldung@1", "elektrogeraete-ohne-abstellort");
    assert_eq!(submission.language, "ar");
    submission.data.remove("nachname");
    let pairs = form_pairs(&submission, None);
    let response = handler
        .handle(form_request(
            &path("neustadt-am-see", "sperrmuell-anmeldung"),
            &pairs,
        ))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = body_text(&response);
    assert!(page.contains("<html lang=\"ar\" dir=\"rtl\">"), "{page}");
    assert!(page.contains("توجد مشكلة"));
    assert!(
        page.contains(
            "https://formulare.neustadt-am-see.example/ar/sperrmuell-anmeldung/#f-nachname"
        ),
        "{page}"
    );
}

#[tokio::test]
async fn same_id_and_same_content_gives_the_same_answer_and_one_submission() {
    let store = memory();
    let handler = handler(store.clone());
    let id = new_id();
    let request = || {
        json_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            Some(id),
            &sperrmuell(),
        )
    };
    let first = handler.handle(request()).await;
    let objects = store.keys();
    let second = handler.handle(request()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(first.body(), second.body());
    assert_eq!(store.keys(), objects);
    assert_eq!((handler.stats().stored, handler.stats().duplicates), (1, 1));

    // A browser retry of the same submission is redirected to the same confirmation.
    let pairs = form_pairs(&sperrmuell(), Some(id));
    let third = handler
        .handle(form_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            &pairs,
        ))
        .await;
    assert_eq!(third.status(), StatusCode::SEE_OTHER);
    assert!(
        header_of(&third, "location")
            .unwrap()
            .ends_with(body_json(&first)["reference"].as_str().unwrap())
    );
    assert_eq!(store.keys(), objects);
}

#[tokio::test]
async fn a_retry_after_midnight_finds_the_first_attempt() {
    let store = memory();
    let id = new_id();
    let before = Handler::new(registry(), store.clone())
        .with_clock(Arc::new(FixedClock(datetime!(2026-11-28 23:59:58 UTC))));
    let after = Handler::new(registry(), store.clone())
        .with_clock(Arc::new(FixedClock(datetime!(2026-11-29 00:00:03 UTC))));
    let request = || {
        json_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            Some(id),
            &sperrmuell(),
        )
    };
    let first = before.handle(request()).await;
    let retry = after.handle(request()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(body_json(&retry)["received_at"], "2026-11-28T23:59:58Z");
    assert_eq!(first.body(), retry.body());
    assert_eq!(
        submission_keys(&store),
        vec![format!(
            "musterstadt/sperrmuell-anmeldung/v1/2026/11/28/{id}/submission.json"
        )]
    );
}

#[tokio::test]
async fn same_id_with_different_content_is_refused_with_409_and_the_first_stays() {
    let store = memory();
    let handler = handler(store.clone());
    let id = new_id();
    let first = handler
        .handle(json_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            Some(id),
            &sperrmuell(),
        ))
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let key = submission_keys(&store)[0].clone();
    let before = store.object(&key).unwrap();
    let mut other = sperrmuell();
    other.data["vorname"] = json!("Mallory");
    let second = handler
        .handle(json_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            Some(id),
            &other,
        ))
        .await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    assert_eq!(body_json(&second)["error"]["code"], "id-conflict");
    assert_eq!(store.object(&key).unwrap(), before);
    // The same id on another form of the municipality is taken too.
    let third = handler
        .handle(json_request(
            &path("musterstadt", "hundesteuer-anmeldung"),
            Some(id),
            &hundesteuer_musterstadt_ohne_dateien(),
        ))
        .await;
    assert_eq!(third.status(), StatusCode::CONFLICT);
    assert_eq!(submission_keys(&store).len(), 1);
}

#[tokio::test]
async fn a_store_failure_answers_503_with_retry_after_and_leaves_nothing_complete() {
    // The claim is written, then the store fails: the attachment and the record are missing.
    let store = Arc::new(MemoryStore::failing_after(1));
    let handler = handler(store.clone());
    let id = new_id();
    let erlaubnis = pdf("e");
    let sachkunde = pdf("s");
    let parts = || {
        multipart_parts(
            &hundesteuer_musterstadt(),
            Some(id),
            vec![
                Part::File(
                    "erlaubnis".into(),
                    "e.pdf".into(),
                    "application/pdf".into(),
                    erlaubnis.clone(),
                ),
                Part::File(
                    "sachkunde".into(),
                    "s.pdf".into(),
                    "application/pdf".into(),
                    sachkunde.clone(),
                ),
            ],
        )
    };
    let url = path("musterstadt", "hundesteuer-anmeldung");
    let failed = handler
        .handle(multipart_request(&url, &parts(), "application/json"))
        .await;
    assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header_of(&failed, "retry-after"), Some("30"));
    assert_eq!(body_json(&failed)["error"]["code"], "store-unavailable");
    assert!(submission_keys(&store).is_empty(), "{:?}", store.keys());

    // The store is back; the retry completes the first attempt under its claim.
    store.recover();
    let retry = handler
        .handle(multipart_request(&url, &parts(), "application/json"))
        .await;
    assert_eq!(retry.status(), StatusCode::CREATED, "{}", body_text(&retry));
    let dir = format!("musterstadt/hundesteuer-anmeldung/v2/2026/11/28/{id}/");
    assert_eq!(
        store.keys(),
        vec![
            format!("_claims/musterstadt/{id}.json"),
            format!("{dir}erlaubnis-1.pdf"),
            format!("{dir}metadata.json"),
            format!("{dir}sachkunde-1.pdf"),
            format!("{dir}submission.json"),
        ]
    );
    assert_eq!(handler.stats().store_failures, 1);
}

#[tokio::test]
async fn on_a_store_that_ignores_if_none_match_a_second_request_never_replaces_the_first() {
    let store = Arc::new(MemoryStore::ignoring_if_none_match());
    let handler = handler(store.clone());
    let id = new_id();
    let url = path("musterstadt", "sperrmuell-anmeldung");
    assert_eq!(
        handler
            .handle(json_request(&url, Some(id), &sperrmuell()))
            .await
            .status(),
        StatusCode::CREATED
    );
    let key = submission_keys(&store)[0].clone();
    let before = store.object(&key).unwrap();
    let claim = store
        .object(&format!("_claims/musterstadt/{id}.json"))
        .unwrap();
    let mut other = sperrmuell();
    other.data["nachname"] = json!("Mallory");
    let second = handler.handle(json_request(&url, Some(id), &other)).await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    assert_eq!(store.object(&key).unwrap(), before);
    assert_eq!(
        store
            .object(&format!("_claims/musterstadt/{id}.json"))
            .unwrap(),
        claim
    );
    // The same content is still answered the same.
    let third = handler
        .handle(json_request(&url, Some(id), &sperrmuell()))
        .await;
    assert_eq!(third.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn drops_honeypot_posts_counts_them_and_stores_nothing() {
    let store = memory();
    let handler = handler(store.clone());
    let mut pairs = form_pairs(&sperrmuell(), Some(new_id()));
    for (k, v) in pairs.iter_mut() {
        if k == "_hp" {
            *v = "https://spam.example".into();
        }
    }
    let response = handler
        .handle(form_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            &pairs,
        ))
        .await;
    // To the bot it looks like success.
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(store.keys().is_empty());
    assert_eq!(handler.stats().honeypot, 1);
    assert_eq!(handler.stats().stored, 0);
}

#[tokio::test]
async fn normalises_strings_to_nfc_before_validation_and_storage() {
    let store = memory();
    let handler = handler(store.clone());
    let mut submission = sperrmuell();
    // "Jürgen" typed as u + combining diaeresis (as macOS may send it), in a file name too.
    submission.data["vorname"] = json!("Ju\u{0308}rgen");
    submission.data["anschrift"]["city"] = json!("Gie\u{00df}en");
    let pairs = form_pairs(&submission, Some(new_id()));
    let response = handler
        .handle(form_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            &pairs,
        ))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let stored = record(&store, &submission_keys(&store)[0]);
    assert_eq!(stored["data"]["vorname"], "J\u{00fc}rgen");
}

#[tokio::test]
async fn answers_cors_headers_only_to_the_municipalitys_site() {
    let handler = handler(memory());
    let url = path("musterstadt", "sperrmuell-anmeldung");
    let with_origin = |origin: &str| {
        let mut r = json_request(&url, Some(new_id()), &sperrmuell());
        r.headers_mut()
            .insert(header::ORIGIN, origin.parse().unwrap());
        r
    };
    let allowed = handler
        .handle(with_origin("https://formulare.musterstadt.example"))
        .await;
    assert_eq!(allowed.status(), StatusCode::CREATED);
    assert_eq!(
        header_of(&allowed, "access-control-allow-origin"),
        Some("https://formulare.musterstadt.example")
    );
    assert_eq!(header_of(&allowed, "vary"), Some("Origin"));
    let other = handler
        .handle(with_origin("https://formulare.beispieldorf.example"))
        .await;
    assert_eq!(header_of(&other, "access-control-allow-origin"), None);

    let preflight = |origin: &str| {
        Request::options(&url)
            .header(header::ORIGIN, origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Bytes::new())
            .unwrap()
    };
    let ok = handler
        .handle(preflight("https://formulare.musterstadt.example"))
        .await;
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(header_of(&ok, "access-control-allow-methods"), Some("POST"));
    assert!(
        header_of(&ok, "access-control-allow-headers")
            .unwrap()
            .contains("Content-Type")
    );
    let refused = handler.handle(preflight("https://evil.example")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(header_of(&refused, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn refuses_a_submission_id_that_is_not_a_version_4_uuid() {
    let store = memory();
    let handler = handler(store.clone());
    let mut body = json!({ "id": "00000000-0000-1000-8000-000000000000", "language": "de", "data": sperrmuell().data });
    let request = |body: &Value| {
        Request::post(path("musterstadt", "sperrmuell-anmeldung"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Bytes::from(body.to_string()))
            .unwrap()
    };
    let response = handler.handle(request(&body)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body_json(&response)["error"]["code"], "invalid-id");
    body["id"] = json!("../../etc/passwd");
    assert_eq!(
        handler.handle(request(&body)).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert!(store.keys().is_empty());
}
