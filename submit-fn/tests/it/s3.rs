//! Against a real S3-protocol server (moto) on 127.0.0.1, through the local HTTP server: a valid
//! submission lands at the expected keys with the expected record; a duplicate id gives one
//! object and the same answer; concurrent create-only writers and concurrent submissions with
//! one id have exactly one winner; and a matrix of bad inputs, each answered with the right
//! status and message and leaving the bucket empty.

use std::sync::Arc;

use crate::common::*;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};
use store::{PutOutcome, S3Store, Store};

const PREFIX: &str = "eingang";

async fn s3_handler() -> (aws_sdk_s3::Client, String, submit_fn::Handler) {
    let client = s3_client();
    let bucket = bucket(&client).await;
    let store = S3Store::new(client.clone(), &bucket, PREFIX);
    (client, bucket, handler(Arc::new(store)))
}

#[tokio::test]
async fn a_valid_submission_with_files_lands_at_the_expected_keys_with_the_expected_record() {
    let (client, bucket, handler) = s3_handler().await;
    let (addr, _stop) = start_server(handler).await;
    let id = new_id();
    let erlaubnis = pdf("Erlaubnis der Ordnungsbehörde");
    let sachkunde = jpeg("Sachkunde");
    let parts = multipart_parts(
        &hundesteuer_musterstadt(),
        Some(id),
        vec![
            Part::File(
                "erlaubnis".into(),
                "Erlaubnis.pdf".into(),
                "application/pdf".into(),
                erlaubnis.clone(),
            ),
            Part::File(
                "sachkunde".into(),
                "Foto Sachkunde.jpeg".into(),
                "image/jpeg".into(),
                sachkunde.clone(),
            ),
        ],
    );
    let url = path("musterstadt", "hundesteuer-anmeldung");
    let response = send(addr, multipart_request(&url, &parts, "application/json")).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        body_text(&response)
    );
    let reference = form_model::record::reference("musterstadt", 2026, id);
    // What the receipt is made of comes with the answer (docs/receipt.md); nothing else does.
    // The receipt endpoint makes the PDF from it, checked against the claim in the bucket.
    let mut answer = body_json(&response);
    let pdf = send(
        addr,
        crate::receipt::receipt_request_from_answer(&url, &answer),
    )
    .await;
    crate::receipt::pdf_of(&pdf, &format!("Antragsbestaetigung-{reference}.pdf"));
    let receipt = answer.as_object_mut().unwrap().remove("receipt").unwrap();
    assert_eq!(receipt["media_type"], "application/pdf");
    assert_eq!(receipt["attachments_sha512"].as_array().unwrap().len(), 2);
    assert_eq!(
        answer,
        json!({ "id": id, "reference": reference, "received_at": "2026-11-28T10:15:00Z" })
    );

    let dir = format!("{PREFIX}/musterstadt/hundesteuer-anmeldung/v2/2026/11/28/{id}/");
    assert_eq!(
        list(&client, &bucket).await,
        vec![
            format!("{PREFIX}/_claims/musterstadt/{id}.json"),
            format!("{dir}erlaubnis-1.pdf"),
            format!("{dir}sachkunde-1.jpg"),
            format!("{dir}submission.json"),
        ]
    );
    assert_eq!(
        get(&client, &bucket, &format!("{dir}erlaubnis-1.pdf")).await,
        erlaubnis
    );
    assert_eq!(
        get(&client, &bucket, &format!("{dir}sachkunde-1.jpg")).await,
        sachkunde
    );

    let record: Value =
        stored_record_json(&get(&client, &bucket, &format!("{dir}submission.json")).await);
    let form = form("musterstadt", "hundesteuer-anmeldung");
    let sha = |b: &[u8]| store::protocol::sha256_hex(b);
    let mut expected_data = hundesteuer_musterstadt();
    expected_data.data["erlaubnis"] = json!({ "name": "Erlaubnis.pdf", "type": "application/pdf", "size": erlaubnis.len(), "sha256": sha(&erlaubnis) });
    expected_data.data["sachkunde"] = json!({ "name": "Foto Sachkunde.jpeg", "type": "image/jpeg", "size": sachkunde.len(), "sha256": sha(&sachkunde) });
    let clean = form_model::validate(&form, &expected_data, NOW.date()).unwrap();
    assert_eq!(record["format"], "formfabrik.submission/1");
    assert_eq!(record["id"], json!(id));
    assert_eq!(record["reference"], json!(reference));
    assert_eq!(record["received_at"], "2026-11-28T10:15:00Z");
    assert_eq!(
        record["municipality"],
        json!({ "id": "musterstadt", "ags": "06531019" })
    );
    assert_eq!(
        record["form"],
        json!({ "id": "hundesteuer-anmeldung", "version": 2, "sha256": form.sha256, "service": "urn:de:fim:leika:leistung:99108008000000" })
    );
    assert_eq!(record["language"], "de");
    assert_eq!(record["data"], Value::Object(clean));
    assert_eq!(
        record["attachments"],
        json!([
            { "field": "erlaubnis", "key": format!("{dir}erlaubnis-1.pdf"), "sha256": sha(&erlaubnis), "size": erlaubnis.len(), "type": "application/pdf" },
            { "field": "sachkunde", "key": format!("{dir}sachkunde-1.jpg"), "sha256": sha(&sachkunde), "size": sachkunde.len(), "type": "image/jpeg" },
        ])
    );
    // The record parses as form-model's type (the back office's contract).
    let _: form_model::SubmissionRecord = serde_json::from_value(record).unwrap();
}

#[tokio::test]
async fn a_duplicate_id_gives_one_object_and_the_same_answer() {
    let (client, bucket, handler) = s3_handler().await;
    let (addr, _stop) = start_server(handler).await;
    let id = new_id();
    let url = path("musterstadt", "sperrmuell-anmeldung");
    let first = send(addr, json_request(&url, Some(id), &sperrmuell())).await;
    let keys = list(&client, &bucket).await;
    let second = send(addr, json_request(&url, Some(id), &sperrmuell())).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(first.body(), second.body());
    assert_eq!(list(&client, &bucket).await, keys);
    assert_eq!(
        keys.iter()
            .filter(|k| k.ends_with("/submission.json"))
            .count(),
        1
    );
    // As a browser form post: the same reference on the confirmation page, still one object.
    let third = send(
        addr,
        form_request(&url, &form_pairs(&sperrmuell(), Some(id))),
    )
    .await;
    assert_eq!(third.status(), StatusCode::OK);
    let reference = body_json(&first)["reference"].as_str().unwrap().to_string();
    assert!(body_text(&third).contains(&reference));
    assert_eq!(list(&client, &bucket).await, keys);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_concurrent_create_only_writers_of_one_key_have_exactly_one_winner() {
    let client = s3_client();
    let bucket = bucket(&client).await;
    let store = Arc::new(S3Store::new(client.clone(), &bucket, PREFIX));
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let outcome = store
                .put_new(
                    "race/object.json",
                    Bytes::from(format!("writer {i}")),
                    "application/json",
                )
                .await;
            (i, outcome)
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        let (i, outcome) = task.await.unwrap();
        // A create-only write either wins, finds the object, or (S3's 409 for a concurrent
        // conditional write) is told to retry; it never silently replaces.
        match outcome {
            Ok(PutOutcome::Created) => winners.push(i),
            Ok(PutOutcome::Exists) | Err(store::StoreError::Unavailable(_)) => {}
            Err(e) => panic!("writer {i}: {e}"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let stored = get(&client, &bucket, &format!("{PREFIX}/race/object.json")).await;
    assert_eq!(stored, format!("writer {}", winners[0]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_two_concurrent_submissions_with_one_id_store_exactly_one() {
    let (client, bucket, handler) = s3_handler().await;
    let (addr, _stop) = start_server(handler).await;
    let id = new_id();
    let url = path("musterstadt", "sperrmuell-anmeldung");
    let mut tasks = Vec::new();
    for i in 0..32 {
        let mut submission = sperrmuell();
        submission.data["beschreibung"] = json!(format!("Schrank Nummer {i}"));
        let request = json_request(&url, Some(id), &submission);
        tasks.push(tokio::spawn(async move { (i, send(addr, request).await) }));
    }
    let mut created = Vec::new();
    for task in tasks {
        let (i, response) = task.await.unwrap();
        match response.status() {
            StatusCode::CREATED => created.push(i),
            StatusCode::CONFLICT => {
                assert_eq!(body_json(&response)["error"]["code"], "id-conflict")
            }
            StatusCode::SERVICE_UNAVAILABLE => {}
            other => panic!("request {i}: {other} {}", body_text(&response)),
        }
    }
    assert_eq!(created.len(), 1, "{created:?}");
    let keys = list(&client, &bucket).await;
    let records: Vec<&String> = keys
        .iter()
        .filter(|k| k.ends_with("/submission.json"))
        .collect();
    assert_eq!(records.len(), 1, "{keys:?}");
    let record: Value = stored_record_json(&get(&client, &bucket, records[0]).await);
    assert_eq!(
        record["data"]["beschreibung"],
        format!("Schrank Nummer {}", created[0])
    );

    // Thirty-two retries of one submission all get the same answer.
    let id = new_id();
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let request = json_request(&url, Some(id), &sperrmuell());
        tasks.push(tokio::spawn(async move { send(addr, request).await }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        let response = task.await.unwrap();
        if response.status() == StatusCode::CREATED {
            answers.push(response.body().clone());
        } else {
            // A loser of the claim race may be told to retry (503); nothing else.
            assert_eq!(
                response.status(),
                StatusCode::SERVICE_UNAVAILABLE,
                "{}",
                body_text(&response)
            );
        }
    }
    assert!(!answers.is_empty());
    assert!(answers.iter().all(|a| *a == answers[0]));
    let keys = list(&client, &bucket).await;
    assert_eq!(
        keys.iter()
            .filter(|k| k.contains(&id.to_string()) && k.ends_with("/submission.json"))
            .count(),
        1
    );
}

/// What a bad input must be answered with.
enum Expect {
    /// JSON `{"error": {"code", "message"}}`; the message contains the text.
    Refused(&'static str, &'static str),
    /// JSON `{"errors": [...]}` with this field and code; the message contains the text.
    Invalid(&'static str, &'static str, &'static str),
    /// An HTML page that contains the text.
    Page(&'static str),
    /// A bot: an answer that looks like success.
    LooksAccepted,
}

struct Case {
    kind: &'static str,
    status: u16,
    expect: Expect,
    send: Sent,
}

enum Sent {
    Http(Box<Request<Bytes>>),
    Raw(Vec<u8>),
}

fn http(request: Request<Bytes>) -> Sent {
    Sent::Http(Box::new(request))
}

fn json_body(method: &str, url: &str, body: impl Into<Bytes>) -> Request<Bytes> {
    Request::builder()
        .method(method)
        .uri(url)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(body.into())
        .unwrap()
}

fn typed(url: &str, content_type: &str, body: impl Into<Bytes>) -> Request<Bytes> {
    let mut r = json_body("POST", url, body);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, content_type.parse().unwrap());
    r
}

fn script_post(url: &str, data: &serde_json::Map<String, Value>) -> Request<Bytes> {
    json_body(
        "POST",
        url,
        json!({ "id": new_id(), "language": "en", "data": data }).to_string(),
    )
}

fn json_form(url: &str, pairs: &[(String, String)]) -> Request<Bytes> {
    typed(url, "application/x-www-form-urlencoded", urlencode(pairs))
}

fn multipart_json(url: &str, parts: &[Part]) -> Request<Bytes> {
    let mut r = multipart_request(url, parts, "application/json");
    r.headers_mut()
        .insert(header::ACCEPT_LANGUAGE, "en".parse().unwrap());
    r
}

fn raw_multipart(url: &str, body: &[u8]) -> Request<Bytes> {
    typed(
        url,
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        Bytes::copy_from_slice(body),
    )
}

fn files(erlaubnis: Part, sachkunde: Part) -> Vec<Part> {
    multipart_parts(
        &hundesteuer_musterstadt(),
        Some(new_id()),
        vec![erlaubnis, sachkunde],
    )
}

fn file(field: &str, name: &str, media: &str, bytes: Vec<u8>) -> Part {
    Part::File(field.into(), name.into(), media.into(), bytes)
}

fn cases() -> Vec<Case> {
    use Expect::*;
    let sp = path("musterstadt", "sperrmuell-anmeldung");
    let hs = path("musterstadt", "hundesteuer-anmeldung");
    let base = sperrmuell().data;
    let with = |key: &str, value: Value| {
        let mut d = base.clone();
        d.insert(key.into(), value);
        d
    };
    let hs_plain = hundesteuer_musterstadt_ohne_dateien().data;
    let hs_with = |key: &str, value: Value| {
        let mut d = hs_plain.clone();
        d.insert(key.into(), value);
        d
    };
    let mut address = base["anschrift"].clone();
    address["postcode"] = json!("3539");
    let mut without_vorname = base.clone();
    without_vorname.remove("vorname");
    let pairs = form_pairs(&sperrmuell(), None);
    let mut pairs_twice = pairs.clone();
    pairs_twice.push(("vorname".into(), "Zweiter".into()));
    let mut pairs_fr = pairs.clone();
    pairs_fr[0].1 = "fr".into();
    let mut pairs_bad_id = pairs.clone();
    pairs_bad_id.push(("_id".into(), "123".into()));
    let mut pairs_bot = pairs.clone();
    pairs_bot.push(("_hp".into(), "http://spam.example".into()));
    let mut latin1 = b"_lang=de&vorname=Kl".to_vec();
    latin1.push(0xFC);
    latin1.extend_from_slice(b"aus");
    let text_part = |name: &str, value: &[u8]| {
        let mut b =
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                .into_bytes();
        b.extend_from_slice(value);
        b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        b
    };
    let file_name_part = |file_name: &[u8]| {
        let mut b = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"erlaubnis\"; filename=\""
        )
        .into_bytes();
        b.extend_from_slice(file_name);
        b.extend_from_slice(
            format!("\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--{BOUNDARY}--\r\n")
                .as_bytes(),
        );
        b
    };
    let mut hs_text_file = form_pairs(&hundesteuer_musterstadt(), None);
    hs_text_file.retain(|(k, _)| !k.starts_with("erlaubnis") && !k.starts_with("sachkunde"));
    hs_text_file.push(("erlaubnis".into(), "erlaubnis.pdf".into()));
    hs_text_file.push(("sachkunde".into(), "sachkunde.pdf".into()));
    let big = 7_000_000;
    let browser = |mut r: Request<Bytes>| {
        r.headers_mut()
            .insert(header::ACCEPT, BROWSER_ACCEPT.parse().unwrap());
        r.headers_mut()
            .insert(header::ACCEPT_LANGUAGE, "de".parse().unwrap());
        r
    };
    let chunked_oversize = {
        let mut raw = format!(
            "POST {sp} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nAccept-Language: en\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        .into_bytes();
        let chunk = vec![b'a'; 1_000_000];
        for _ in 0..7 {
            raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            raw.extend_from_slice(&chunk);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(b"0\r\n\r\n");
        raw
    };
    let raw_get = |target: &str| {
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nAccept-Language: en\r\nConnection: close\r\n\r\n").into_bytes()
    };

    vec![
        // Bodies that are not JSON of the contract.
        Case { kind: "malformed JSON", status: 400, expect: Refused("malformed-json", "not valid JSON (line 1, column"), send: http(json_body("POST", &sp, r#"{"language": "de", "data": {"vorname": "Klaus","#)) },
        Case { kind: "JSON with trailing garbage", status: 400, expect: Refused("malformed-json", "not valid JSON"), send: http(json_body("POST", &sp, r#"{"language": "de", "data": {}} {}"#)) },
        Case { kind: "JSON array instead of object", status: 400, expect: Refused("invalid-body", "expected shape"), send: http(json_body("POST", &sp, "[1, 2, 3]")) },
        Case { kind: "JSON without data", status: 400, expect: Refused("invalid-body", "missing field `data`"), send: http(json_body("POST", &sp, r#"{"language": "de"}"#)) },
        Case { kind: "JSON with an unknown top-level key", status: 400, expect: Refused("invalid-body", "unknown field `extra`"), send: http(json_body("POST", &sp, r#"{"language": "de", "data": {}, "extra": 1}"#)) },
        Case { kind: "JSON data that is not an object", status: 400, expect: Refused("invalid-body", "expected shape"), send: http(json_body("POST", &sp, r#"{"language": "de", "data": "Klaus"}"#)) },
        Case { kind: "empty JSON body", status: 400, expect: Refused("malformed-json", "not valid JSON"), send: http(json_body("POST", &sp, "")) },
        // Content types.
        Case { kind: "wrong content type (text/plain)", status: 415, expect: Refused("unsupported-media-type", "not accepted"), send: http(typed(&sp, "text/plain", "vorname=Klaus")) },
        Case { kind: "XML body", status: 415, expect: Refused("unsupported-media-type", "multipart/form-data"), send: http(typed(&sp, "application/xml", "<a/>")) },
        Case { kind: "no content type", status: 415, expect: Refused("unsupported-media-type", "application/json"), send: http({ let mut r = json_body("POST", &sp, "{}"); r.headers_mut().remove(header::CONTENT_TYPE); r }) },
        Case { kind: "Latin-1 charset", status: 415, expect: Refused("unsupported-charset", "Only UTF-8"), send: http(typed(&sp, "application/x-www-form-urlencoded; charset=ISO-8859-1", "vorname=Klaus")) },
        // Size.
        Case { kind: "oversize body (7 MB file)", status: 413, expect: Refused("payload-too-large", "at most 6 MB"), send: http(multipart_json(&hs, &files(file("erlaubnis", "gross.pdf", "application/pdf", vec![b'%'; big]), file("sachkunde", "s.pdf", "application/pdf", pdf("s"))))) },
        Case { kind: "a 10 MB text field", status: 413, expect: Refused("payload-too-large", "too large"), send: http(json_form(&sp, &[("vorname".into(), "K".repeat(10_000_000))])) },
        Case { kind: "oversize chunked body without Content-Length", status: 413, expect: Refused("payload-too-large", "too large"), send: Sent::Raw(chunked_oversize) },
        Case { kind: "oversize browser post gets an HTML page", status: 413, expect: Page("Die Sendung ist zu groß"), send: http(browser(json_form(&sp, &[("beschreibung".into(), "x".repeat(6_500_000))]))) },
        // Not UTF-8.
        Case { kind: "invalid UTF-8 in JSON", status: 400, expect: Refused("not-utf8", "not valid UTF-8"), send: http(json_body("POST", &sp, Bytes::from_static(b"{\"language\": \"de\", \"data\": {\"vorname\": \"Kl\xfcaus\"}}"))) },
        Case { kind: "invalid UTF-8 percent-encoded in a form post", status: 400, expect: Refused("not-utf8", "UTF-8"), send: http(typed(&sp, "application/x-www-form-urlencoded", "_lang=de&vorname=Kl%FCaus")) },
        Case { kind: "invalid UTF-8 raw byte in a form post", status: 400, expect: Refused("not-utf8", "UTF-8"), send: http(typed(&sp, "application/x-www-form-urlencoded", latin1)) },
        Case { kind: "invalid UTF-8 in a multipart text part", status: 400, expect: Refused("not-utf8", "UTF-8"), send: http(raw_multipart(&sp, &text_part("vorname", b"Kl\xfcaus"))) },
        Case { kind: "invalid UTF-8 in a file name", status: 400, expect: Refused("not-utf8", "UTF-8"), send: http(raw_multipart(&hs, &file_name_part(b"Erlaubnis-\xfc.pdf"))) },
        // Broken multipart.
        Case { kind: "multipart without boundary", status: 400, expect: Refused("malformed-multipart", "no boundary"), send: http(typed(&sp, "multipart/form-data", "x")) },
        Case { kind: "truncated multipart", status: 400, expect: Refused("malformed-multipart", "could not be read"), send: http(raw_multipart(&sp, format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"vorname\"\r\n\r\nKlaus").as_bytes())) },
        Case { kind: "multipart part without a name", status: 400, expect: Refused("malformed-multipart", "no name"), send: http(raw_multipart(&sp, format!("--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nKlaus\r\n--{BOUNDARY}--\r\n").as_bytes())) },
        Case { kind: "multipart file name only as filename*", status: 400, expect: Refused("malformed-multipart", "file name"), send: http(raw_multipart(&hs, format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"erlaubnis\"; filename*=UTF-8''a.pdf\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--{BOUNDARY}--\r\n").as_bytes())) },
        // Answers that validation refuses (form-model's codes and messages, in the language of the
        // page: English for these script posts, German for the form posts below).
        Case { kind: "a missing required field", status: 422, expect: Invalid("vorname", "required", "“First name” is required"), send: http(script_post(&sp, &without_vorname)) },
        Case { kind: "a hidden-but-filled field", status: 422, expect: Invalid("kontoinhaber", "not-applicable", "does not apply"), send: http(script_post(&hs, &hs_with("zahlungsart", json!("ueberweisung")))) },
        Case { kind: "an unknown option", status: 422, expect: Invalid("gegenstaende", "invalid-option", "Choose one of the options"), send: http(script_post(&sp, &with("gegenstaende", json!(["moebel", "auto"])))) },
        Case { kind: "an unknown field", status: 422, expect: Invalid("lieblingsfarbe", "unknown-field", "has no field"), send: http(script_post(&sp, &with("lieblingsfarbe", json!("blau")))) },
        Case { kind: "a bad IBAN", status: 422, expect: Invalid("iban", "invalid-iban", "not a valid IBAN"), send: http(script_post(&hs, &hs_with("iban", json!("DE89 3704 0044 0532 0130 01")))) },
        Case { kind: "a bad Steuer-ID", status: 422, expect: Invalid("steuer-id", "invalid-tax-id", "not a valid tax ID"), send: http(script_post(&path("testheim", "steuer-id-nachweis"), json!({ "name": "Erika Muster", "steuer-id": "86095742718" }).as_object().unwrap())) },
        Case { kind: "a bad PLZ", status: 422, expect: Invalid("anschrift.postcode", "invalid-postcode", "postcode of 5 digits"), send: http(script_post(&sp, &with("anschrift", address.clone()))) },
        Case { kind: "a bad email address", status: 422, expect: Invalid("email", "invalid-email", "email address in the correct format"), send: http(script_post(&sp, &with("email", json!("klaus(at)example.org")))) },
        Case { kind: "a date before the earliest allowed", status: 422, expect: Invalid("wunschtermin", "date-too-early", "on or after 5 December 2026"), send: http(script_post(&sp, &with("wunschtermin", json!("2026-11-29")))) },
        Case { kind: "a date that does not exist", status: 422, expect: Invalid("wunschtermin", "invalid-date", "real date"), send: http(script_post(&sp, &with("wunschtermin", json!("2027-02-30")))) },
        Case { kind: "not a number", status: 422, expect: Invalid("menge-m3", "not-a-number", "must be a number"), send: http(script_post(&sp, &with("menge-m3", json!("viel")))) },
        Case { kind: "a number above the maximum", status: 422, expect: Invalid("menge-m3", "too-large", "5 or less"), send: http(script_post(&sp, &with("menge-m3", json!(99)))) },
        Case { kind: "a text over its maximum length", status: 422, expect: Invalid("beschreibung", "too-long", "1000 characters or fewer"), send: http(script_post(&sp, &with("beschreibung", json!("x".repeat(1001))))) },
        Case { kind: "an answer of the wrong type", status: 422, expect: Invalid("vorname", "wrong-type", "wrong form"), send: http(script_post(&sp, &with("vorname", json!(42)))) },
        Case { kind: "a single-value field sent twice", status: 422, expect: Invalid("vorname", "wrong-type", "hat die falsche Form"), send: http(json_form(&sp, &pairs_twice)) },
        Case { kind: "a language the form is not offered in", status: 422, expect: Invalid("language", "unknown-language", "nicht in der Sprache „fr“"), send: http(json_form(&sp, &pairs_fr)) },
        // Routes and methods.
        Case { kind: "an unknown municipality", status: 404, expect: Refused("unknown-municipality", "“atlantis” is not known"), send: http(script_post(&path("atlantis", "sperrmuell-anmeldung"), &base)) },
        Case { kind: "an unknown form", status: 404, expect: Refused("unknown-form", "does not offer the form “hundesteuer-abmeldung”"), send: http(script_post(&path("musterstadt", "hundesteuer-abmeldung"), &base)) },
        Case { kind: "a form of another municipality", status: 404, expect: Refused("unknown-form", "Gemeinde Beispieldorf bietet das Formular „waffenbesitzkarte“ nicht an"), send: http(script_post(&path("beispieldorf", "waffenbesitzkarte"), &base)) },
        Case { kind: "an unknown form from a browser gets an HTML page", status: 404, expect: Page("Seite nicht gefunden"), send: http(browser(json_form(&path("musterstadt", "gibt-es-nicht"), &pairs))) },
        Case { kind: "GET", status: 405, expect: Refused("method-not-allowed", "only POST"), send: http(json_body("GET", &sp, "")) },
        Case { kind: "PUT", status: 405, expect: Refused("method-not-allowed", "sent with POST"), send: http(script_post(&sp, &base).map(|b| b).tap_method("PUT")) },
        Case { kind: "DELETE", status: 405, expect: Refused("method-not-allowed", "only POST"), send: http(json_body("DELETE", &sp, "")) },
        Case { kind: "path trick with dot segments", status: 404, expect: Refused("not-found", "nothing at this address"), send: Sent::Raw(raw_get("/v1/musterstadt/../../etc/passwd")) },
        Case { kind: "path trick with encoded slashes", status: 404, expect: Refused("not-found", "nothing at this address"), send: http(script_post("/v1/musterstadt/..%2F..%2Fetc%2Fpasswd", &base)) },
        Case { kind: "a path that is not /v1", status: 404, expect: Refused("not-found", "/v1/<municipality>/<form>"), send: http(script_post("/admin", &base)) },
        Case { kind: "a preflight from a foreign origin", status: 403, expect: Refused("origin-not-allowed", "cannot be sent from this website"), send: http(Request::options(&sp).header(header::ORIGIN, "https://evil.example").header("access-control-request-method", "POST").header(header::ACCEPT, "application/json").header(header::ACCEPT_LANGUAGE, "en").body(Bytes::new()).unwrap()) },
        // Files.
        Case { kind: "path tricks in a file name", status: 400, expect: Refused("invalid-file-name", "characters that are not allowed"), send: http(multipart_json(&hs, &files(file("erlaubnis", "../../etc/passwd.pdf", "application/pdf", pdf("e")), file("sachkunde", "s.pdf", "application/pdf", pdf("s"))))) },
        Case { kind: "a Windows path in a file name", status: 400, expect: Refused("invalid-file-name", "Permit to keep a dangerous dog"), send: http(multipart_json(&hs, &files(file("erlaubnis", "..\\..\\boot.ini.pdf", "application/pdf", pdf("e")), file("sachkunde", "s.pdf", "application/pdf", pdf("s"))))) },
        Case { kind: "a control character in a file name", status: 400, expect: Refused("invalid-file-name", "control characters"), send: http(multipart_json(&hs, &files(file("erlaubnis", "a\tb.pdf", "application/pdf", pdf("e")), file("sachkunde", "s.pdf", "application/pdf", pdf("s"))))) },
        Case { kind: "a file type the form does not accept", status: 422, expect: Invalid("erlaubnis", "file-type", "muss eine PDF, JPG oder PNG-Datei sein"), send: http(multipart_json(&hs, &files(file("erlaubnis", "e.gif", "image/gif", b"GIF89a".to_vec()), file("sachkunde", "s.pdf", "application/pdf", pdf("s"))))) },
        Case { kind: "a file larger than the field allows", status: 422, expect: Invalid("erlaubnis", "file-too-large", "höchstens 5 MB groß sein"), send: http(multipart_json(&hs, &files(file("erlaubnis", "e.pdf", "application/pdf", vec![b'%'; 5_500_000]), file("sachkunde", "s.pdf", "application/pdf", pdf("s"))))) },
        Case { kind: "an empty file with a name", status: 422, expect: Invalid("erlaubnis", "invalid-file", "konnte nicht gelesen werden"), send: http(multipart_json(&hs, &files(file("erlaubnis", "leer.pdf", "application/pdf", Vec::new()), file("sachkunde", "s.pdf", "application/pdf", pdf("s"))))) },
        Case { kind: "two files for one field", status: 422, expect: Invalid("erlaubnis", "invalid-file", "konnte nicht gelesen werden"), send: http(multipart_json(&hs, &{ let mut p = files(file("erlaubnis", "e1.pdf", "application/pdf", pdf("1")), file("sachkunde", "s.pdf", "application/pdf", pdf("s"))); p.push(file("erlaubnis", "e2.pdf", "application/pdf", pdf("2"))); p })) },
        Case { kind: "a file answered inside JSON", status: 400, expect: Refused("files-need-multipart", "multipart/form-data"), send: http(script_post(&hs, &hundesteuer_musterstadt().data)) },
        Case { kind: "a file field sent as text", status: 422, expect: Invalid("erlaubnis", "invalid-file", "konnte nicht gelesen werden"), send: http(json_form(&hs, &hs_text_file)) },
        // Ids and bots.
        Case { kind: "a submission id that is not a UUID", status: 400, expect: Refused("invalid-id", "UUID der Version 4"), send: http(json_form(&sp, &pairs_bad_id)) },
        Case { kind: "a UUID of another version", status: 400, expect: Refused("invalid-id", "UUID der Version 4"), send: http(json_body("POST", &sp, json!({ "id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "language": "de", "data": base }).to_string())) },
        Case { kind: "a filled honeypot (bot)", status: 201, expect: LooksAccepted, send: http(json_form(&sp, &pairs_bot)) },
    ]
}

trait TapMethod {
    fn tap_method(self, method: &str) -> Self;
}

impl TapMethod for Request<Bytes> {
    fn tap_method(mut self, method: &str) -> Self {
        *self.method_mut() = method.parse().unwrap();
        self
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_inputs_are_answered_clearly_and_nothing_is_stored() {
    let (client, bucket, handler) = s3_handler().await;
    let (addr, _stop) = start_server(handler).await;
    let cases = cases();
    assert!(cases.len() >= 40, "{} kinds", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let (status, body, content_type) = match case.send {
            Sent::Http(request) => {
                let r = send(addr, *request).await;
                let ct = header_of(&r, "content-type").unwrap_or("").to_string();
                (r.status().as_u16(), body_text(&r), ct)
            }
            Sent::Raw(raw) => {
                let (status, body) = send_raw(addr, &raw).await;
                (status, body, "application/json".into())
            }
        };
        let mut problems = Vec::new();
        if status != case.status {
            problems.push(format!("status {status}, expected {}", case.status));
        }
        match case.expect {
            Expect::Refused(code, text) => {
                let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                if v["error"]["code"] != code {
                    problems.push(format!("code {}, expected {code}", v["error"]["code"]));
                }
                if !v["error"]["message"].as_str().unwrap_or("").contains(text) {
                    problems.push(format!("message {} lacks {text:?}", v["error"]["message"]));
                }
            }
            Expect::Invalid(field, code, text) => {
                let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                let found = v["errors"].as_array().into_iter().flatten().any(|e| {
                    e["field"] == field
                        && e["code"] == code
                        && e["message"].as_str().unwrap_or("").contains(text)
                });
                if !found {
                    problems.push(format!("no error {field}/{code} with {text:?} in {v}"));
                }
            }
            Expect::Page(text) => {
                if !content_type.starts_with("text/html") || !body.contains(text) {
                    problems.push(format!("page lacks {text:?}: {body}"));
                }
            }
            Expect::LooksAccepted => {
                let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                if !v["reference"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("MUS-2026-")
                {
                    problems.push(format!("not an answer that looks accepted: {body}"));
                }
            }
        }
        let stored = list(&client, &bucket).await;
        if !stored.is_empty() {
            problems.push(format!("stored {stored:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.kind, problems.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} kinds failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
