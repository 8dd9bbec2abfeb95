//! The handler, called directly with requests built from the repository's real forms and
//! example submissions: answers for scripts and browsers, the function's confirmation page for
//! browsers without JavaScript, the stored layout and record, the idempotency protocol (also
//! across midnight, on failing stores and on stores that ignore If-None-Match), CORS, the
//! honeypot and NFC normalisation.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use crate::common::*;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};
use store::MemoryStore;
use submit_fn::{FixedClock, Handler};
use time::macros::datetime;
use uuid::Uuid;

fn memory() -> Arc<MemoryStore> {
    Arc::new(MemoryStore::new())
}

fn record(store: &MemoryStore, key: &str) -> Value {
    stored_record_json(&store.object(key).unwrap_or_else(|| panic!("no {key}")))
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
    let mut answer = body_json(&response);
    let reference = form_model::record::reference("musterstadt", 2026, id);
    // What the receipt is made of comes with the answer, not the PDF (docs/receipt.md).
    let receipt = answer.as_object_mut().unwrap().remove("receipt").unwrap();
    assert_eq!(
        receipt["file_name"],
        format!("Antragsbestaetigung-{reference}.pdf")
    );
    assert_eq!(receipt["media_type"], "application/pdf");
    assert_eq!(receipt["attachments_sha512"], json!([]));
    assert!(receipt.get("base64").is_none());
    assert_eq!(
        answer,
        json!({ "id": id, "reference": reference, "received_at": "2026-11-28T10:15:00Z" })
    );
    let dir = format!("musterstadt/sperrmuell-anmeldung/v1/2026/11/28/{id}/");
    assert_eq!(
        store.keys(),
        vec![
            format!("_claims/musterstadt/{id}.json"),
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
        receipt["record"].as_str().unwrap().as_bytes(),
        &stored_record(&store.object(&format!("{dir}submission.json")).unwrap())[..],
        "the record exactly as stored"
    );
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
async fn answers_a_browser_form_post_with_the_confirmation_page_and_the_receipt_button() {
    let store = memory();
    let handler = handler(store.clone());
    let pairs = form_pairs(&sperrmuell(), None);
    let post = path("musterstadt", "sperrmuell-anmeldung");
    let response = handler.handle(form_request(&post, &pairs)).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        body_text(&response)
    );
    // What the receipt is made of exists only in this answer: not cached, not stored.
    assert_eq!(header_of(&response, "cache-control"), Some("no-store"));
    // No id from the page (no JavaScript): the server made one.
    let id = CountingIds(AtomicU64::new(1)).new_id_for_test();
    let reference = form_model::record::reference("musterstadt", 2026, id);
    let page = body_text(&response);
    assert!(page.contains(&format!(
        "<p id=\"reference\"><strong dir=\"ltr\">{reference}</strong></p>"
    )));
    let pdf = handler
        .handle(crate::receipt::receipt_request_from_page(&post, &page))
        .await;
    crate::receipt::pdf_of(&pdf, &format!("Antragsbestaetigung-{reference}.pdf"));
    assert!(page.contains("Antragsbestätigung herunterladen (PDF)"));
    assert_eq!(submission_keys(&store).len(), 1);
    assert!(submission_keys(&store)[0].contains(&id.to_string()));
    // Nothing but the submission's own objects was stored.
    assert!(store.keys().iter().all(|k| !k.ends_with(".pdf")));
}

#[tokio::test]
async fn a_browser_form_post_is_answered_below_a_stage_and_after_a_trailing_slash() {
    let handler = handler(memory());
    for post in [
        "/prod/v1/musterstadt/sperrmuell-anmeldung",
        "/v1/musterstadt/sperrmuell-anmeldung/",
        "/formfabrik/api/v1/musterstadt/sperrmuell-anmeldung",
    ] {
        let id = new_id();
        let response = handler
            .handle(form_request(post, &form_pairs(&sperrmuell(), Some(id))))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{post}");
        let reference = form_model::record::reference("musterstadt", 2026, id);
        assert!(body_text(&response).contains(&reference), "{post}");
        // The confirmation route still shows the reference (links and bookmarks to it).
        let prefix = post.split("/v1/").next().unwrap();
        let target =
            format!("{prefix}/v1/musterstadt/sperrmuell-anmeldung/danke?ref={reference}&lang=de");
        let page = handler.handle(browser_get(&target)).await;
        assert_eq!(page.status(), StatusCode::OK, "{target}");
        assert!(body_text(&page).contains(&reference));
    }
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
async fn the_confirmation_page_and_the_receipt_are_in_the_language_of_the_form_page() {
    let handler = handler(memory());
    let mut submission = sperrmuell();
    submission.language = "en".into();
    let id = new_id();
    let pairs = form_pairs(&submission, Some(id));
    let post = path("musterstadt", "sperrmuell-anmeldung");
    let response = handler.handle(form_request(&post, &pairs)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let reference = form_model::record::reference("musterstadt", 2026, id);
    let page = body_text(&response);
    assert!(page.contains("<html lang=\"en\""), "{page:.300}");
    assert!(page.contains("Download the application receipt (PDF)"));
    let pdf = crate::receipt::pdf_of(
        &handler
            .handle(crate::receipt::receipt_request_from_page(&post, &page))
            .await,
        &format!("Application-receipt-{reference}.pdf"),
    );
    assert!(
        String::from_utf8_lossy(&pdf).contains("/Lang(en)"),
        "the receipt's document language"
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
    let sha = |b: &[u8]| store::protocol::sha256_hex(b);
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
        StatusCode::OK,
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
        ], "error_count": 2 })
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

/// Without JavaScript an error must not cost the answers (GOV.UK's pattern): with the sites'
/// theme the answer to an invalid browser post is the form page itself, as the site renders
/// it, with the error summary on top, each error at its question, the answers filled in and a
/// word at each file question whose file must be chosen again.
#[tokio::test]
async fn with_the_theme_an_invalid_browser_post_gets_the_form_page_back_filled_in_with_each_error_at_its_question()
 {
    let store = memory();
    let handler = handler(store.clone()).with_pages(pages());
    let mut submission = hundesteuer_musterstadt();
    submission.data["vorname"] = json!("Erika <Beispiel>");
    submission.data.remove("nachname");
    // The permit is not sent (asked only for a dangerous dog, so no browser requires it); the
    // certificate is, and a browser will not send it a second time.
    submission.data.remove("erlaubnis");
    submission.data.remove("sachkunde");
    let parts = multipart_parts(
        &submission,
        Some(new_id()),
        vec![Part::File(
            "sachkunde".into(),
            "sachkunde.jpg".into(),
            "image/jpeg".into(),
            jpeg("sachkunde"),
        )],
    );
    let response = handler
        .handle(multipart_request(
            &path("musterstadt", "hundesteuer-anmeldung"),
            &parts,
            "text/html,application/xhtml+xml,*/*;q=0.8",
        ))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        header_of(&response, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(header_of(&response, "cache-control"), Some("no-store"));
    let site = "https://formulare.musterstadt.example";
    let api = "https://api.musterstadt.example";
    let csp = format!(
        "default-src 'none'; script-src {site}; style-src {site}; img-src {site}; \
         connect-src {api}; form-action {api}; base-uri 'none'"
    );
    assert_eq!(
        header_of(&response, "content-security-policy"),
        Some(format!("{csp}; frame-ancestors 'none'").as_str())
    );
    let page = body_text(&response);
    assert!(
        page.starts_with("<!doctype html>\n<html lang=\"de\""),
        "{page}"
    );
    assert!(page.contains(&format!("content=\"{csp}\"")));
    assert!(page.contains("<title>Fehler: "), "{page}");
    assert!(
        page.contains(&format!(
            "action=\"{api}/v1/musterstadt/hundesteuer-anmeldung\""
        )),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<link rel=\"stylesheet\" href=\"{site}/assets/site."
    )));
    // The summary links to the questions on this page, which show the same messages.
    let nachname = "„Nachname“ ist ein Pflichtfeld. Bitte füllen Sie es aus.";
    assert!(
        page.contains(&format!("<li><a href=\"#f-nachname\">{nachname}</a></li>")),
        "{page}"
    );
    assert!(page.contains("<li><a href=\"#f-erlaubnis\">"), "{page}");
    assert!(page.contains(&format!(
        "<p id=\"f-nachname-error\" class=\"error-message\"><span class=\"visually-hidden\">Fehler: </span><span class=\"error-text\">{nachname}</span></p>"
    )));
    assert!(page.contains("id=\"f-erlaubnis-error\""));
    // The answers, escaped, in their places; the file to choose again says so.
    assert!(page.contains("value=\"Erika &lt;Beispiel&gt;\""), "{page}");
    assert!(page.contains(&format!(
        "value=\"{}\"",
        submission.data["email"].as_str().unwrap()
    )));
    assert!(page.contains(
        "<div id=\"f-sachkunde-note\" class=\"hint\">Die Datei wurde nicht übernommen. Bitte wählen Sie sie noch einmal aus.</div>"
    ), "{page}");
    assert!(!page.contains("id=\"f-erlaubnis-note\""));
    assert!(store.keys().is_empty());
    assert_eq!(handler.stats().invalid, 1);
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

    // A browser retry of the same submission gets the same confirmation and receipt.
    let pairs = form_pairs(&sperrmuell(), Some(id));
    let third = handler
        .handle(form_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            &pairs,
        ))
        .await;
    assert_eq!(third.status(), StatusCode::OK);
    let reference = body_json(&first)["reference"].as_str().unwrap().to_string();
    let page = body_text(&third);
    assert!(page.contains(&reference));
    let post = path("musterstadt", "sperrmuell-anmeldung");
    let file = format!("Antragsbestaetigung-{reference}.pdf");
    let json_pdf = crate::receipt::pdf_of(
        &handler
            .handle(crate::receipt::receipt_request_from_answer(
                &post,
                &body_json(&first),
            ))
            .await,
        &file,
    );
    assert_eq!(
        crate::receipt::pdf_of(
            &handler
                .handle(crate::receipt::receipt_request_from_page(&post, &page))
                .await,
            &file
        ),
        json_pdf,
        "the same bytes for the same submission"
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

/// What the function wrote before the envelope, when it failed before the record: the claim
/// and `metadata.json`. A retry by the function of today completes it with the envelope, the
/// same answer and the same bytes as an attempt that never failed.
#[tokio::test]
async fn a_retry_completes_an_attempt_the_function_before_the_envelope_left() {
    use store::Store;
    let store = memory();
    let handler = handler(store.clone());
    let id = new_id();
    let url = path("musterstadt", "sperrmuell-anmeldung");
    let first = handler
        .handle(json_request(&url, Some(id), &sperrmuell()))
        .await;
    assert_eq!(first.status(), StatusCode::CREATED, "{}", body_text(&first));
    let dir = format!("musterstadt/sperrmuell-anmeldung/v1/2026/11/28/{id}/");
    let complete = store.object(&format!("{dir}submission.json")).unwrap();
    let opened = store::envelope::open(&complete).unwrap();
    assert!(
        store
            .delete(&format!("{dir}submission.json"))
            .await
            .unwrap()
    );
    let old_metadata = opened.metadata.unwrap();
    store
        .put_new(
            &format!("{dir}metadata.json"),
            old_metadata,
            "application/json",
        )
        .await
        .unwrap();

    let retry = handler
        .handle(json_request(&url, Some(id), &sperrmuell()))
        .await;
    assert_eq!(retry.status(), StatusCode::CREATED, "{}", body_text(&retry));
    assert_eq!(retry.body(), first.body());
    assert_eq!(
        store.object(&format!("{dir}submission.json")).unwrap(),
        complete
    );
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
async fn on_a_store_that_refuses_overwrites_a_submission_costs_two_writes_and_no_read() {
    let store = Arc::new(crate::common::noting::NotingReads::new(memory()));
    let handler = handler(store.clone());
    let id = new_id();
    let url = path("musterstadt", "sperrmuell-anmeldung");
    let first = handler
        .handle(json_request(&url, Some(id), &sperrmuell()))
        .await;
    assert_eq!(first.status(), StatusCode::CREATED, "{}", body_text(&first));
    let dir = format!("musterstadt/sperrmuell-anmeldung/v1/2026/11/28/{id}/");
    assert_eq!(
        store.writes(),
        vec![
            format!("_claims/musterstadt/{id}.json"),
            format!("{dir}submission.json"),
        ]
    );
    assert_eq!(store.reads(), Vec::<String>::new());
    // A retry finds the claim by its create-only write and reads it once.
    let retry = handler
        .handle(json_request(&url, Some(id), &sperrmuell()))
        .await;
    assert_eq!(retry.status(), StatusCode::CREATED, "{}", body_text(&retry));
    assert_eq!(
        store.reads(),
        vec![format!("_claims/musterstadt/{id}.json")]
    );
    let mut other = sperrmuell();
    other.data["nachname"] = json!("Mallory");
    let conflict = handler.handle(json_request(&url, Some(id), &other)).await;
    assert_eq!(conflict.status(), StatusCode::CONFLICT);
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
    assert_eq!(response.status(), StatusCode::OK);
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

// ---- The confirmation page (GET …/<form>/danke?ref=…&lang=…) --------------------------------

/// The page for a reference the function issued for `municipality`.
async fn confirmation(
    handler: &Handler,
    municipality: &str,
    form: &str,
    query: &str,
) -> http::Response<Bytes> {
    handler
        .handle(browser_get(&format!(
            "{}?{query}",
            confirmation_path(municipality, form)
        )))
        .await
}

fn issued(municipality: &str) -> String {
    form_model::record::reference(municipality, 2026, new_id())
}

#[tokio::test]
async fn the_confirmation_page_shows_reference_next_steps_contact_and_print_hint_in_german() {
    let store = memory();
    let handler = handler(store.clone());
    let reference = issued("musterstadt");
    let response = confirmation(
        &handler,
        "musterstadt",
        "sperrmuell-anmeldung",
        &format!("ref={reference}&lang=de"),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        body_text(&response)
    );
    assert_eq!(
        header_of(&response, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(header_of(&response, "cache-control"), Some("no-store"));
    assert_eq!(
        header_of(&response, "content-security-policy"),
        Some(submit_fn::respond::HTML_CSP)
    );
    assert_eq!(
        header_of(&response, "x-content-type-options"),
        Some("nosniff")
    );
    assert_eq!(header_of(&response, "referrer-policy"), Some("no-referrer"));
    let page = body_text(&response);
    assert!(
        page.starts_with("<!DOCTYPE html>\n<html lang=\"de\" dir=\"ltr\">"),
        "{page}"
    );
    assert_eq!(page.matches("<h1>").count(), 1);
    for part in [
        "<title>Ihr Antrag ist eingegangen – Sperrmüllabholung anmelden – Stadt Musterstadt</title>",
        "<a href=\"#inhalt\">Zum Inhalt springen</a>",
        "<main id=\"inhalt\">",
        "<h1>Ihr Antrag ist eingegangen</h1>",
        "<p>Formular: Sperrmüllabholung anmelden – Stadt Musterstadt</p>",
        "<p>Ihre Vorgangsnummer:</p>",
        &format!("<p id=\"reference\"><strong dir=\"ltr\">{reference}</strong></p>"),
        "<h2>Wie es weitergeht</h2>",
        "Die zuständige Stelle bearbeitet Ihren Antrag und meldet sich bei Ihnen, wenn etwas fehlt.",
        "<h2>Kontakt</h2>",
        "<address>\nStadt Musterstadt, Bürgerbüro<br>\nRathausplatz 1, 35399 Musterstadt\n",
        "<br>Telefon: <a href=\"tel:+4964098810-0\" dir=\"ltr\">+49 6409 8810-0</a>",
        "<br>E-Mail: <a href=\"mailto:buergerbuero@musterstadt.example\" dir=\"ltr\">buergerbuero@musterstadt.example</a>",
        "<p>Zum Drucken nutzen Sie die Druckfunktion Ihres Browsers (Strg+P).</p>",
        "<p><a href=\"https://formulare.musterstadt.example/\">Alle Online-Dienste</a></p>",
        "<footer>",
        "<a href=\"https://formulare.musterstadt.example/impressum/\">Impressum</a>",
        "<a href=\"https://formulare.musterstadt.example/datenschutz/\">Datenschutz</a>",
        "<a href=\"https://formulare.musterstadt.example/barrierefreiheit/\">Barrierefreiheit</a>",
    ] {
        assert!(page.contains(part), "missing {part}\n{page}");
    }
    assert!(!page.contains("<script") && !page.contains("style"));
    // A page view: nothing read or written, nothing counted as a submission.
    assert!(store.keys().is_empty());
    assert_eq!(handler.stats(), submit_fn::Stats::default());
}

#[tokio::test]
async fn the_confirmation_page_is_english_with_the_office_marked_as_german() {
    let handler = handler(memory());
    let reference = issued("musterstadt");
    let response = confirmation(
        &handler,
        "musterstadt",
        "hundesteuer-anmeldung",
        &format!("ref={reference}&lang=en"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = body_text(&response);
    assert!(page.contains("<html lang=\"en\" dir=\"ltr\">"), "{page}");
    for part in [
        "<h1>Your application has been received</h1>",
        "<p>Your reference number:</p>",
        &format!("<strong dir=\"ltr\">{reference}</strong>"),
        "<h2>What happens next</h2>",
        "<h2>Contact</h2>",
        "<span lang=\"de\" dir=\"ltr\">Stadt Musterstadt, Bürgerbüro<br>",
        "<br>Phone: <a href=\"tel:+4964098810-0\" dir=\"ltr\">",
        "To print, use your browser's print function (Ctrl+P).",
        "<a href=\"https://formulare.musterstadt.example/en/\">All online services</a>",
        "https://formulare.musterstadt.example/en/impressum/",
    ] {
        assert!(page.contains(part), "missing {part}\n{page}");
    }
}

#[tokio::test]
async fn the_confirmation_page_is_arabic_and_right_to_left() {
    let handler = handler(memory());
    let reference = issued("neustadt-am-see");
    let response = confirmation(
        &handler,
        "neustadt-am-see",
        "sperrmuell-anmeldung",
        &format!("ref={reference}&lang=ar"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = body_text(&response);
    assert!(page.contains("<html lang=\"ar\" dir=\"rtl\">"), "{page}");
    assert!(page.contains("<h1>تم استلام طلبك</h1>"));
    assert!(page.contains("رقم المعاملة الخاص بك"));
    assert!(page.contains(&format!("<strong dir=\"ltr\">{reference}</strong>")));
    assert!(page.contains("<span lang=\"de\" dir=\"ltr\">Stadt Neustadt am See, Bürgerbüro"));
    assert!(page.contains("<a href=\"tel:+4959718040-0\" dir=\"ltr\">+49 5971 8040-0</a>"));
    assert!(page.contains("https://formulare.neustadt-am-see.example/ar/"));
}

#[tokio::test]
async fn a_language_the_form_does_not_offer_falls_back_to_the_forms_first_language() {
    let handler = handler(memory());
    let reference = issued("neustadt-am-see");
    for query in [
        format!("ref={reference}&lang=en"),
        format!("ref={reference}&lang=fr"),
        format!("ref={reference}&lang=%3Cscript%3E"),
        format!("ref={reference}"),
        format!("lang=&ref={reference}"),
    ] {
        let response =
            confirmation(&handler, "neustadt-am-see", "sperrmuell-anmeldung", &query).await;
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        let page = body_text(&response);
        assert!(
            page.contains("<html lang=\"de\" dir=\"ltr\">"),
            "{query}: {page}"
        );
        assert!(
            page.contains("<h1>Ihr Antrag ist eingegangen</h1>"),
            "{query}"
        );
        assert!(!page.contains("script"), "{query}");
    }
}

#[tokio::test]
async fn the_confirmation_page_escapes_what_it_shows() {
    // The handler shows only references of the issued shape; the page escapes all the same.
    let m = registry().municipality("musterstadt").unwrap().clone();
    let form = form("musterstadt", "sperrmuell-anmeldung");
    let page = submit_fn::html::confirmation_page(
        &m,
        &form,
        "de",
        "<script>alert(\"&\")</script>",
        Some(submit_fn::html::ReceiptOffer::Inline {
            file_name: "a\"b<c>.pdf",
            base64: "JVBERi0=",
        }),
    );
    assert!(page.contains("&lt;script&gt;alert(&quot;&amp;&quot;)&lt;/script&gt;"));
    assert!(!page.contains("<script"));
    assert!(
        page.contains("download=\"a&quot;b&lt;c&gt;.pdf\""),
        "{page}"
    );
    // The receipt button's fields: a record is JSON, full of quotes.
    let page = submit_fn::html::confirmation_page(
        &m,
        &form,
        "de",
        "MUS-2026-7K3F9Q",
        Some(submit_fn::html::ReceiptOffer::OnRequest {
            action: "./f/receipt?a=1&b=\"",
            record: "{\"x\": \"</form><script>\"}",
            attachments_sha512: &["\"><b>".to_string()],
        }),
    );
    assert!(!page.contains("<script"), "{page}");
    assert!(!page.contains("<b>"), "{page}");
    assert!(
        page.contains(
            "<form id=\"receipt\" method=\"post\" action=\"./f/receipt?a=1&amp;b=&quot;\">"
        )
    );
    assert!(page.contains(
        "<input type=\"hidden\" name=\"record\" value=\"{&quot;x&quot;: &quot;&lt;/form&gt;&lt;script&gt;&quot;}\">"
    ));
}

#[tokio::test]
async fn a_missing_or_malformed_reference_gets_400_with_a_clear_page_and_is_never_echoed() {
    let store = memory();
    let handler = handler(store.clone());
    let other = issued("neustadt-am-see");
    let lower = issued("musterstadt").to_lowercase();
    for query in [
        "lang=de".to_string(),
        "ref=".to_string(),
        "ref=MUS-2026-7K3F9".to_string(),
        format!("ref={lower}"),
        format!("ref={other}"),
        "ref=%3Cscript%3Ealert(1)%3C%2Fscript%3E".to_string(),
        "ref=MUS-2026-7K3F9Q%22%3E%3Cb%3E".to_string(),
        "ref=%FF%FE".to_string(),
    ] {
        let response = confirmation(&handler, "musterstadt", "sperrmuell-anmeldung", &query).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            header_of(&response, "content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(header_of(&response, "cache-control"), Some("no-store"));
        let page = body_text(&response);
        assert_eq!(page.matches("<h1>").count(), 1);
        assert!(
            page.contains("<h1>Vorgangsnummer nicht erkannt</h1>"),
            "{page}"
        );
        // The example has the municipality's shape; the way on leads to its services.
        assert!(page.contains("Eine Vorgangsnummer sieht so aus: MUS-2026-7K3F9Q."));
        assert!(page.contains("Stadt Musterstadt weiter"));
        assert!(page.contains("<h2>Kontakt</h2>"));
        assert!(page.contains(
            "<a href=\"https://formulare.musterstadt.example/\">Alle Online-Dienste</a>"
        ));
        assert!(page.contains("https://formulare.musterstadt.example/impressum/"));
        assert!(!page.contains("Zurück-Taste"), "no way back to a form here");
        for echoed in ["<script", "alert", "<b>", &other, &lower, "7K3F9\""] {
            assert!(!page.contains(echoed), "{query}: {echoed} echoed\n{page}");
        }
    }
    // In English when asked for.
    let response = confirmation(
        &handler,
        "musterstadt",
        "sperrmuell-anmeldung",
        "ref=nope&lang=en",
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(&response).contains("<h1>Reference number not recognised</h1>"));
    assert!(store.keys().is_empty());
    assert_eq!(handler.stats().refused, 9);
    assert_eq!(handler.stats().stored, 0);
}

#[tokio::test]
async fn the_confirmation_page_of_an_unknown_municipality_or_form_is_404() {
    let handler = handler(memory());
    let reference = issued("musterstadt");
    for (m, f) in [
        ("gibt-es-nicht", "sperrmuell-anmeldung"),
        ("musterstadt", "gibt-es-nicht"),
    ] {
        let response = confirmation(&handler, m, f, &format!("ref={reference}")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{m}/{f}");
        assert_eq!(
            header_of(&response, "content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(body_text(&response).contains("<h1>Seite nicht gefunden</h1>"));
        assert!(!body_text(&response).contains(&reference));
    }
    let response = handler
        .handle(browser_get(&format!(
            "/v1/musterstadt/sperrmuell-anmeldung/danke/mehr?ref={reference}"
        )))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_confirmation_page_takes_only_get_and_stores_nothing() {
    let store = memory();
    let handler = handler(store.clone());
    let url = format!(
        "{}?ref={}",
        confirmation_path("musterstadt", "sperrmuell-anmeldung"),
        issued("musterstadt")
    );
    // A form posted to the confirmation page is not a submission.
    let pairs = form_pairs(&sperrmuell(), Some(new_id()));
    let post = handler.handle(form_request(&url, &pairs)).await;
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header_of(&post, "allow"), Some("GET"));
    assert!(body_text(&post).contains("<h1>Diese Seite kann nur aufgerufen werden</h1>"));
    let json = handler
        .handle(json_request(&url, Some(new_id()), &sperrmuell()))
        .await;
    assert_eq!(json.status(), StatusCode::METHOD_NOT_ALLOWED);
    for method in [
        http::Method::PUT,
        http::Method::DELETE,
        http::Method::OPTIONS,
    ] {
        let r = handler
            .handle(
                Request::builder()
                    .method(method.clone())
                    .uri(&url)
                    .body(Bytes::new())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
    for _ in 0..3 {
        assert_eq!(
            handler.handle(browser_get(&url)).await.status(),
            StatusCode::OK
        );
    }
    assert!(store.keys().is_empty());
    assert_eq!(handler.stats().stored, 0);
}

/// The dog tax at Musterstadt takes a SEPA direct-debit mandate (docs/payment.md): choosing
/// direct debit without ticking the consent is refused, as the page refuses it; with it the
/// record carries the mandate (reference, date of signature, creditor, debtor, IBAN, RCUR); a
/// bank transfer asks for no mandate and records none.
#[tokio::test]
async fn a_direct_debit_needs_the_mandates_consent_and_the_record_carries_the_mandate() {
    let store = memory();
    let handler = handler(store.clone());
    let url = path("musterstadt", "hundesteuer-anmeldung");

    let mut without = hundesteuer_musterstadt_ohne_dateien();
    without.language = "en".into();
    without.data.remove("sepa-mandat");
    let response = handler
        .handle(json_request(&url, Some(new_id()), &without))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let errors = body_json(&response);
    assert_eq!(errors["errors"][0]["field"], "sepa-mandat", "{errors}");
    assert_eq!(errors["errors"][0]["code"], "required", "{errors}");
    assert!(store.keys().is_empty());

    let id = new_id();
    let with = hundesteuer_musterstadt_ohne_dateien();
    let response = handler.handle(json_request(&url, Some(id), &with)).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        body_text(&response)
    );
    let reference = form_model::record::reference("musterstadt", 2026, id);
    let stored = record(
        &store,
        &format!("musterstadt/hundesteuer-anmeldung/v2/2026/11/28/{id}/submission.json"),
    );
    assert_eq!(
        stored["sepa_mandate"],
        json!({
            "reference": reference,
            "signed_at": "2026-11-28T10:15:00Z",
            "creditor_id": "DE98ZZZ09999999999",
            "creditor_name": "Stadt Musterstadt",
            "debtor_name": "Sabine Müller",
            "iban": "DE89370400440532013000",
            "sequence_type": "RCUR"
        })
    );

    let id = new_id();
    let mut transfer = hundesteuer_musterstadt_ohne_dateien();
    transfer
        .data
        .insert("zahlungsart".into(), json!("ueberweisung"));
    for asked_only_for_direct_debit in ["kontoinhaber", "iban", "sepa-mandat"] {
        transfer.data.remove(asked_only_for_direct_debit);
    }
    let response = handler
        .handle(json_request(&url, Some(id), &transfer))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        body_text(&response)
    );
    let stored = record(
        &store,
        &format!("musterstadt/hundesteuer-anmeldung/v2/2026/11/28/{id}/submission.json"),
    );
    assert!(stored.get("sepa_mandate").is_none(), "{stored}");
}
