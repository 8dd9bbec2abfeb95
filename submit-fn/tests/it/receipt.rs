//! The receipt on request (`POST …/v1/<municipality>/<form>/receipt`, docs/receipt.md): a stored
//! submission is answered with what its receipt is made of and no PDF; the endpoint checks that
//! against the submission's claim and answers the PDF, the same bytes for the same submission;
//! whatever the claim does not vouch for is refused with its own code and message.

use std::sync::Arc;

use crate::common::*;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};
use store::{MemoryStore, Store};
use uuid::Uuid;

/// The receipt form of a confirmation page: its `action` and its fields as a browser sends
/// them (an attribute's line breaks as CR LF, as HTML's form submission writes them).
pub fn receipt_form(page: &str) -> (String, Vec<(String, String)>) {
    let start = page
        .find("<form id=\"receipt\" method=\"post\" action=\"")
        .unwrap_or_else(|| panic!("no receipt form in {page}"));
    let rest = &page[start..];
    let form = &rest[..rest.find("</form>").unwrap()];
    let attribute = |s: &str| -> String {
        s.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let action = form.split("action=\"").nth(1).unwrap();
    let action = attribute(&action[..action.find('"').unwrap()]);
    let mut fields = Vec::new();
    for input in form.split("<input type=\"hidden\" name=\"").skip(1) {
        let (name, rest) = input.split_once("\" value=\"").unwrap();
        let value = &rest[..rest.find('"').unwrap()];
        fields.push((name.to_string(), attribute(value).replace('\n', "\r\n")));
    }
    (action, fields)
}

/// The browser posting the receipt form of the page that answered a post to `post_path`.
pub fn receipt_request_from_page(post_path: &str, page: &str) -> Request<Bytes> {
    let (action, fields) = receipt_form(page);
    form_request(&resolve(post_path, &action), &fields)
}

/// A script asking for the receipt with the 201's `receipt`.
pub fn receipt_request_from_answer(post_path: &str, answer: &Value) -> Request<Bytes> {
    let body = json!({
        "record": answer["receipt"]["record"],
        "attachments_sha512": answer["receipt"]["attachments_sha512"],
    });
    Request::post(format!("{post_path}/receipt"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .body(Bytes::from(serde_json::to_vec(&body).unwrap()))
        .unwrap()
}

/// The PDF of a receipt answer, checked as a download named `file_name`.
pub fn pdf_of(response: &http::Response<Bytes>, file_name: &str) -> Vec<u8> {
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(response.body())
    );
    assert_eq!(header_of(response, "content-type"), Some("application/pdf"));
    assert_eq!(
        header_of(response, "content-disposition"),
        Some(format!("attachment; filename=\"{file_name}\"").as_str())
    );
    assert_eq!(header_of(response, "cache-control"), Some("no-store"));
    assert!(response.body().starts_with(b"%PDF-"));
    response.body().to_vec()
}

/// Musterstadt's dog tax with its two files, sent by a script (`FormData`, JSON answer).
async fn submitted(handler: &submit_fn::Handler, id: Uuid) -> Value {
    let parts = multipart_parts(
        &hundesteuer_musterstadt(),
        Some(id),
        vec![
            Part::File(
                "erlaubnis".into(),
                "Erlaubnis.pdf".into(),
                "application/pdf".into(),
                pdf("Erlaubnis"),
            ),
            Part::File(
                "sachkunde".into(),
                "Foto Sachkunde.jpeg".into(),
                "image/jpeg".into(),
                jpeg("Sachkunde"),
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
    body_json(&response)
}

#[tokio::test]
async fn a_stored_submission_is_answered_with_its_receipt_data_and_the_endpoint_makes_the_pdf_from_it()
 {
    let store = Arc::new(MemoryStore::new());
    let handler = handler(store.clone());
    let id = new_id();
    let answer = submitted(&handler, id).await;
    let reference = answer["reference"].as_str().unwrap();
    let receipt = &answer["receipt"];
    // What the receipt is made of, and no PDF: the record exactly as stored, the attachments'
    // SHA-512 in the record's order.
    assert_eq!(
        receipt.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["file_name", "media_type", "record", "attachments_sha512"]
    );
    assert_eq!(
        receipt["file_name"],
        format!("Antragsbestaetigung-{reference}.pdf")
    );
    let record_key = store
        .keys()
        .into_iter()
        .find(|k| k.ends_with(&format!("/{id}/submission.json")))
        .unwrap();
    let dir = record_key.trim_end_matches("submission.json");
    let stored = stored_record(&store.object(&record_key).unwrap());
    assert_eq!(receipt["record"].as_str().unwrap().as_bytes(), &stored[..]);
    let record: Value = serde_json::from_slice(&stored).unwrap();
    let attachments = record["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2, "the example has two files");
    let hashes: Vec<String> = attachments
        .iter()
        .map(|a| {
            let name = a["key"].as_str().unwrap().rsplit('/').next().unwrap();
            store::metadata::sha512_hex(&store.object(&format!("{dir}{name}")).unwrap())
        })
        .collect();
    assert_eq!(receipt["attachments_sha512"], json!(hashes));
    // The claim vouches for them.
    let claim: Value = serde_json::from_slice(
        &store
            .object(&format!("_claims/musterstadt/{id}.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        claim["receipt_sha512"],
        store::protocol::receipt_sha512(&stored, &hashes)
    );

    let post = path("musterstadt", "hundesteuer-anmeldung");
    let objects = store.keys();
    let pdf = pdf_of(
        &handler
            .handle(receipt_request_from_answer(&post, &answer))
            .await,
        &format!("Antragsbestaetigung-{reference}.pdf"),
    );
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/Lang(de)"));
    // Asked again: the same bytes; nothing is stored.
    let again = handler
        .handle(receipt_request_from_answer(&post, &answer))
        .await;
    assert_eq!(again.body().as_ref(), &pdf[..]);
    assert_eq!(store.keys(), objects);
}

#[tokio::test]
async fn the_browsers_confirmation_page_posts_the_receipt_form_and_gets_the_pdf() {
    let handler = handler(Arc::new(MemoryStore::new()));
    for post in [
        path("musterstadt", "sperrmuell-anmeldung"),
        "/prod/v1/musterstadt/sperrmuell-anmeldung/".to_string(),
    ] {
        let id = new_id();
        let response = handler
            .handle(form_request(&post, &form_pairs(&sperrmuell(), Some(id))))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}",
            body_text(&response)
        );
        // The page's button posts to the function: its CSP lets forms post to itself.
        assert_eq!(
            header_of(&response, "content-security-policy"),
            Some(submit_fn::respond::CONFIRMATION_CSP)
        );
        let page = body_text(&response);
        assert!(
            page.contains(
                "<button type=\"submit\">Antragsbestätigung herunterladen (PDF)</button>"
            )
        );
        assert!(!page.contains("data:application/pdf"), "no PDF in the page");
        let reference = form_model::record::reference("musterstadt", 2026, id);
        let request = receipt_request_from_page(&post, &page);
        assert!(
            request
                .uri()
                .path()
                .ends_with("/v1/musterstadt/sperrmuell-anmeldung/receipt"),
            "{}",
            request.uri()
        );
        pdf_of(
            &handler.handle(request).await,
            &format!("Antragsbestaetigung-{reference}.pdf"),
        );
    }
}

#[tokio::test]
async fn a_retry_of_the_same_submission_gives_the_same_receipt_data_also_after_midnight() {
    use submit_fn::{FixedClock, Handler};
    use time::macros::datetime;
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let at = |t| Handler::new(registry(), store.clone()).with_clock(Arc::new(FixedClock(t)));
    let id = new_id();
    let first = submitted(&at(datetime!(2026-11-28 23:59:58 UTC)), id).await;
    let retry = submitted(&at(datetime!(2026-11-29 00:00:03 UTC)), id).await;
    assert_eq!(first["receipt"], retry["receipt"]);
    assert_eq!(first["received_at"], "2026-11-28T23:59:58Z");
    // The browser's retry (a form post) offers the same.
    let pairs = form_pairs(&sperrmuell(), Some(new_id()));
    let handler = at(datetime!(2026-11-29 00:00:04 UTC));
    let post = path("musterstadt", "sperrmuell-anmeldung");
    let once = body_text(&handler.handle(form_request(&post, &pairs)).await);
    let twice = body_text(&handler.handle(form_request(&post, &pairs)).await);
    assert_eq!(receipt_form(&once), receipt_form(&twice));
}

/// What the function answers a receipt request whose record or hashes were changed.
async fn refusal(handler: &submit_fn::Handler, post: &str, body: Value) -> (StatusCode, Value) {
    let request = Request::post(format!("{post}/receipt"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(serde_json::to_vec(&body).unwrap()))
        .unwrap();
    let response = handler.handle(request).await;
    (response.status(), body_json(&response))
}

#[tokio::test]
async fn a_tampered_record_a_wrong_attachment_hash_an_unknown_id_and_another_form_are_refused() {
    let store = Arc::new(MemoryStore::new());
    let handler = handler(store.clone());
    let id = new_id();
    let answer = submitted(&handler, id).await;
    let post = path("musterstadt", "hundesteuer-anmeldung");
    let record = answer["receipt"]["record"].as_str().unwrap().to_string();
    let hashes = answer["receipt"]["attachments_sha512"].clone();
    let refused = |status: StatusCode, body: &Value, code: &str, start: &str| {
        assert_eq!(body["error"]["code"], code, "{body}");
        let text = body["error"]["message"].as_str().unwrap();
        assert!(text.starts_with(start), "{code}: {text}");
        status
    };

    // A changed record (it still reads as one): another time received.
    let tampered = record.replacen("2026-11-28T10:15:00Z", "2026-11-27T10:15:00Z", 1);
    assert_ne!(tampered, record);
    let (status, body) = refusal(
        &handler,
        &post,
        json!({ "record": tampered, "attachments_sha512": hashes }),
    )
    .await;
    assert_eq!(
        refused(
            status,
            &body,
            "receipt-mismatch",
            "Diese Angaben stimmen nicht"
        ),
        StatusCode::BAD_REQUEST
    );

    // One attachment's hash changed, or left out.
    let mut wrong = hashes.as_array().unwrap().clone();
    wrong[1] = json!("0".repeat(128));
    let (status, body) = refusal(
        &handler,
        &post,
        json!({ "record": record, "attachments_sha512": wrong }),
    )
    .await;
    assert_eq!(
        refused(
            status,
            &body,
            "receipt-mismatch",
            "Diese Angaben stimmen nicht"
        ),
        StatusCode::BAD_REQUEST
    );
    let (status, body) = refusal(
        &handler,
        &post,
        json!({ "record": record, "attachments_sha512": [hashes[0]] }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "receipt-mismatch");
    // Not a hash at all.
    let (status, body) = refusal(
        &handler,
        &post,
        json!({ "record": record, "attachments_sha512": ["ABC"] }),
    )
    .await;
    assert_eq!(
        refused(
            status,
            &body,
            "invalid-receipt-request",
            "Die Anfrage enthält keine gültigen Angaben"
        ),
        StatusCode::BAD_REQUEST
    );

    // An id nobody claimed.
    let unknown = record.replace(&id.to_string(), &new_id().to_string());
    let (status, body) = refusal(
        &handler,
        &post,
        json!({ "record": unknown, "attachments_sha512": hashes }),
    )
    .await;
    assert_eq!(
        refused(
            status,
            &body,
            "receipt-unknown",
            "Zu diesen Angaben ist hier keine Sendung bekannt"
        ),
        StatusCode::NOT_FOUND
    );

    // Asked at another form's address.
    let (status, body) = refusal(
        &handler,
        &path("musterstadt", "sperrmuell-anmeldung"),
        json!({ "record": record, "attachments_sha512": hashes }),
    )
    .await;
    assert_eq!(
        refused(
            status,
            &body,
            "receipt-other-form",
            "Diese Angaben gehören zu einem anderen Formular"
        ),
        StatusCode::BAD_REQUEST
    );

    // Not a record.
    let (status, body) = refusal(&handler, &post, json!({ "record": "{}" })).await;
    assert_eq!(
        refused(
            status,
            &body,
            "invalid-receipt-request",
            "Die Anfrage enthält keine gültigen Angaben"
        ),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_claim_written_before_receipts_on_request_is_read_but_its_receipt_is_refused() {
    let store = Arc::new(MemoryStore::new());
    let handler = handler(store.clone());
    let id = new_id();
    let answer = submitted(&handler, id).await;
    // The claim as the function wrote it before: no `receipt_sha512`.
    let key = format!("_claims/musterstadt/{id}.json");
    let mut claim: Value = serde_json::from_slice(&store.object(&key).unwrap()).unwrap();
    claim.as_object_mut().unwrap().remove("receipt_sha512");
    store.delete(&key).await.unwrap();
    store
        .put_new(
            &key,
            Bytes::from(serde_json::to_vec_pretty(&claim).unwrap()),
            "application/json",
        )
        .await
        .unwrap();
    // A retry still finds it (and has no receipt hash to compare).
    let retry = submitted(&handler, id).await;
    assert_eq!(retry["reference"], answer["reference"]);
    // The receipt cannot be vouched for: 410 with its message, in the record's language.
    let post = path("musterstadt", "hundesteuer-anmeldung");
    let response = handler
        .handle(receipt_request_from_answer(&post, &answer))
        .await;
    assert_eq!(response.status(), StatusCode::GONE);
    let body = body_json(&response);
    assert_eq!(body["error"]["code"], "receipt-unverifiable");
    assert!(
        body["error"]["message"].as_str().unwrap().starts_with(
            "Für diese Sendung kann die Antragsbestätigung hier nicht erstellt werden"
        ),
        "{body}"
    );
}

#[tokio::test]
async fn a_browser_asking_for_a_receipt_that_is_refused_gets_a_german_page() {
    let handler = handler(Arc::new(MemoryStore::new()));
    let post = path("musterstadt", "sperrmuell-anmeldung");
    let page = body_text(
        &handler
            .handle(form_request(
                &post,
                &form_pairs(&sperrmuell(), Some(new_id())),
            ))
            .await,
    );
    let (action, mut fields) = receipt_form(&page);
    fields[0].1 = fields[0].1.replacen("\"de\"", "\"de\" ", 1);
    let response = handler
        .handle(form_request(&resolve(&post, &action), &fields))
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = body_text(&response);
    assert!(page.contains("<html lang=\"de\""), "{page}");
    assert!(
        page.contains("<h1>Antragsbestätigung nicht möglich</h1>"),
        "{page}"
    );
    assert!(page.contains("Diese Angaben stimmen nicht mit der gespeicherten Sendung überein."));
}
