//! Direct uploads (issue 17, docs/submission-api.md "Files beyond the body limit"): the
//! function signs one POST policy per file, the browser posts the file to the store (or to
//! the local upload endpoint, which checks the same policy), and the answers then refer to the
//! upload. Through the local HTTP server, with a folder store, an encrypted municipality, moto
//! (S3 protocol, no policy checks) and Garage (which checks POST policies as S3 does).

use std::sync::Arc;

use crate::common::noting::NotingReads;
use crate::common::*;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};
use store::{Bounded, FolderStore, S3Store, Store};
use uuid::Uuid;

const FORM: &str = "hundesteuer-anmeldung";

/// Asks the function for a signed upload; the answer as status and JSON.
async fn presign(
    addr: std::net::SocketAddr,
    id: Uuid,
    field: &str,
    media_type: &str,
    size: usize,
) -> (StatusCode, Value) {
    let request = Request::post(format!("{}/upload", path("musterstadt", FORM)))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .body(Bytes::from(
            json!({ "id": id, "field": field, "type": media_type, "size": size }).to_string(),
        ))
        .unwrap();
    let response = send(addr, request).await;
    (response.status(), body_json(&response))
}

/// The browser's POST of `bytes` with the signed fields (`fields` may be changed first), to
/// the URL the function named: relative URLs go to the function's own server at `function`.
async fn upload(
    function: std::net::SocketAddr,
    signed: &Value,
    fields: &[(String, String)],
    content_type: &str,
    bytes: Vec<u8>,
) -> (StatusCode, String) {
    let url = signed["url"].as_str().unwrap();
    let (addr, path) = match url.strip_prefix("http://") {
        Some(rest) => {
            let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
            (host.parse().unwrap(), format!("/{path}"))
        }
        None => (function, url.to_string()),
    };
    let mut parts: Vec<Part> = fields
        .iter()
        .map(|(k, v)| Part::Text(k.clone(), v.clone()))
        .collect();
    parts.push(Part::File(
        "file".into(),
        "upload.bin".into(),
        content_type.into(),
        bytes,
    ));
    let request = Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart_body(&parts))
        .unwrap();
    let response = send(addr, request).await;
    (response.status(), body_text(&response))
}

fn fields_of(signed: &Value) -> Vec<(String, String)> {
    signed["fields"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

fn with_field(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut f = fields.to_vec();
    f.iter_mut().find(|(n, _)| n == name).unwrap().1 = value.into();
    f
}

/// Presigns and uploads `bytes` for `field`; returns the answer for the submission.
async fn staged(
    addr: std::net::SocketAddr,
    id: Uuid,
    field: &str,
    name: &str,
    media_type: &str,
    bytes: &[u8],
) -> Value {
    let (status, signed) = presign(addr, id, field, media_type, bytes.len()).await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    let (status, text) = upload(
        addr,
        &signed,
        &fields_of(&signed),
        media_type,
        bytes.to_vec(),
    )
    .await;
    assert!(status.is_success(), "upload answered {status}: {text}");
    json!({ "name": name, "type": media_type, "size": bytes.len(), "upload": signed["upload"] })
}

/// The dangerous-dog Hundesteuer submission with the two file answers given.
fn submission_with(id: Uuid, erlaubnis: Value, sachkunde: Value) -> Request<Bytes> {
    let mut s = hundesteuer_musterstadt();
    s.data.insert("erlaubnis".into(), erlaubnis);
    s.data.insert("sachkunde".into(), sachkunde);
    json_request(&path("musterstadt", FORM), Some(id), &s)
}

/// Uploads the two files of the dangerous-dog submission `id` and submits it: stored (201).
async fn stage_and_submit(addr: std::net::SocketAddr, id: Uuid, erlaubnis: &[u8], photo: &[u8]) {
    let e = staged(addr, id, "erlaubnis", "a.pdf", "application/pdf", erlaubnis).await;
    let s = staged(addr, id, "sachkunde", "b.jpg", "image/jpeg", photo).await;
    let response = send(addr, submission_with(id, e, s)).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        body_text(&response)
    );
}

fn sha256(bytes: &[u8]) -> String {
    store::protocol::sha256_hex(bytes)
}

/// A PDF of about `n` bytes.
fn big_pdf(marker: &str, n: usize) -> Vec<u8> {
    let mut b = pdf(marker);
    b.resize(n, b'%');
    b
}

#[tokio::test]
async fn files_uploaded_through_the_local_endpoint_are_checked_stored_with_the_submission_and_their_staging_copies_removed()
 {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(dir.path()));
    let (addr, _stop) = start_server(handler(store.clone())).await;
    let id = new_id();
    // 4.9 MB and 3 MB: together more than the body limit of one request (6 MB).
    let erlaubnis = big_pdf("Erlaubnis", 4_900_000);
    let sachkunde = {
        let mut j = jpeg("Sachkunde");
        j.resize(3_000_000, 0);
        j
    };
    let e = staged(
        addr,
        id,
        "erlaubnis",
        "Erlaubnis.pdf",
        "application/pdf",
        &erlaubnis,
    )
    .await;
    let s = staged(
        addr,
        id,
        "sachkunde",
        "Sachkunde.jpg",
        "image/jpeg",
        &sachkunde,
    )
    .await;
    assert_eq!(
        store.list("_staging/").await.unwrap().len(),
        2,
        "both files wait in staging"
    );
    let response = send(addr, submission_with(id, e, s)).await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        body_text(&response)
    );
    let dir_key = format!("musterstadt/{FORM}/v2/2026/11/28/{id}/");
    let record: Value = stored_record_json(
        &store
            .get(&format!("{dir_key}submission.json"))
            .await
            .unwrap()
            .unwrap(),
    );
    let attachments = record["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2);
    for (field, bytes, name) in [
        ("erlaubnis", &erlaubnis, "erlaubnis-1.pdf"),
        ("sachkunde", &sachkunde, "sachkunde-1.jpg"),
    ] {
        let a = attachments.iter().find(|a| a["field"] == field).unwrap();
        assert_eq!(a["sha256"], sha256(bytes));
        assert_eq!(a["size"], bytes.len());
        assert_eq!(record["data"][field]["sha256"], sha256(bytes));
        assert_eq!(record["data"][field]["size"], bytes.len());
        assert!(record["data"][field].get("upload").is_none());
        let stored = store
            .get(&format!("{dir_key}{name}"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.as_ref(), bytes.as_slice());
    }
    assert_eq!(record["data"]["erlaubnis"]["name"], "Erlaubnis.pdf");
    assert!(
        store.list("_staging/").await.unwrap().is_empty(),
        "no copy stays in staging"
    );
}

#[tokio::test]
async fn the_function_refuses_to_sign_uploads_a_question_would_refuse() {
    let (addr, _stop) = start_server(handler(Arc::new(store::MemoryStore::new()))).await;
    let id = new_id();
    let code = |answer: &Value| answer["errors"][0]["code"].as_str().unwrap().to_string();
    let (status, answer) = presign(addr, id, "erlaubnis", "text/html", 100).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&answer), "file-type");
    assert_eq!(answer["errors"][0]["field"], "erlaubnis");
    let (status, answer) = presign(addr, id, "erlaubnis", "application/pdf", 5_000_001).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&answer), "file-too-large");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains('5')
    );
    let (status, answer) = presign(addr, id, "name", "application/pdf", 100).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&answer), "unknown-field");
    let (status, answer) = presign(addr, id, "nichts", "application/pdf", 100).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&answer), "unknown-field");
    let (status, answer) = presign(addr, Uuid::nil(), "erlaubnis", "application/pdf", 100).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "invalid-id");
    let (status, signed) = presign(addr, id, "erlaubnis", "application/pdf", 100).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(signed["max_size"], 5_000_000);
    assert_eq!(signed["url"], "/v1/_upload");
    let key = signed["fields"]["key"].as_str().unwrap();
    assert_eq!(
        key,
        format!(
            "_staging/musterstadt/{id}/{}",
            signed["upload"].as_str().unwrap()
        )
    );
    assert_eq!(signed["fields"]["Content-Type"], "application/pdf");
}

#[tokio::test]
async fn the_local_endpoint_enforces_the_policy_as_s3_does() {
    let store = Arc::new(store::MemoryStore::new());
    let (addr, _stop) = start_server(handler(store.clone())).await;
    let id = new_id();
    let (_, signed) = presign(addr, id, "erlaubnis", "application/pdf", 1000).await;
    let fields = fields_of(&signed);
    let refused = |(status, text): (StatusCode, String)| {
        let code = serde_json::from_str::<Value>(&text).unwrap()["error"]["code"]
            .as_str()
            .unwrap()
            .to_string();
        (status.as_u16(), code)
    };
    // Larger than the question allows (5 MB): the policy's content-length-range.
    let too_large = big_pdf("gross", 5_000_001);
    assert_eq!(
        refused(upload(addr, &signed, &fields, "application/pdf", too_large).await),
        (403, "EntityTooLarge".into())
    );
    // Another type, another key, another bucket's policy, a changed signature, a field the
    // policy does not name: each refused, as S3 refuses them.
    let html = b"<!DOCTYPE html><p>x</p>".to_vec();
    let other_key = format!("_staging/musterstadt/{id}/{}", store::upload::new_token());
    for (fields, code) in [
        (
            with_field(&fields, "Content-Type", "text/html"),
            "AccessDenied",
        ),
        (with_field(&fields, "key", &other_key), "AccessDenied"),
        (
            with_field(&fields, "x-amz-signature", &"0".repeat(64)),
            "SignatureDoesNotMatch",
        ),
        (
            [fields.clone(), vec![("acl".into(), "public-read".into())]].concat(),
            "AccessDenied",
        ),
    ] {
        assert_eq!(
            refused(upload(addr, &signed, &fields, "text/html", html.clone()).await),
            (403, code.into())
        );
    }
    assert!(
        store.list("").await.unwrap().is_empty(),
        "nothing was written"
    );
    // The policy as signed: taken, once.
    let ok = pdf("ok");
    assert_eq!(
        upload(addr, &signed, &fields, "application/pdf", ok.clone())
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        upload(addr, &signed, &fields, "application/pdf", ok)
            .await
            .0,
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn staged_files_are_checked_again_when_the_answers_are_submitted() {
    let store = Arc::new(store::MemoryStore::new());
    let (addr, _stop) = start_server(handler(store.clone())).await;
    let id = new_id();
    // An HTML page uploaded as a PDF: the policy fixes only the declared type; the function
    // looks at the first bytes.
    let html = b"<!DOCTYPE html><html><body>nope</body></html>".to_vec();
    let fake = staged(addr, id, "erlaubnis", "a.pdf", "application/pdf", &html).await;
    let photo = jpeg("Sachkunde");
    let good = staged(addr, id, "sachkunde", "b.jpg", "image/jpeg", &photo).await;
    let response = send(addr, submission_with(id, fake, good.clone())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let errors = body_json(&response)["errors"].clone();
    assert_eq!(errors[0]["field"], "erlaubnis");
    assert_eq!(errors[0]["code"], "file-content");

    // A sha256 that is not the upload's, and a token nobody uploaded: not a file.
    let id = new_id();
    let real = pdf("Erlaubnis");
    let mut wrong_hash = staged(addr, id, "erlaubnis", "a.pdf", "application/pdf", &real).await;
    wrong_hash["sha256"] = json!(sha256(b"something else"));
    let good = staged(addr, id, "sachkunde", "b.jpg", "image/jpeg", &photo).await;
    let response = send(addr, submission_with(id, wrong_hash, good.clone())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body_json(&response)["errors"][0]["code"], "invalid-file");
    let unknown = json!({ "name": "a.pdf", "type": "application/pdf", "size": 10,
        "upload": store::upload::new_token() });
    let response = send(addr, submission_with(id, unknown, good.clone())).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body_json(&response)["errors"][0]["field"], "erlaubnis");
    // Another submission's upload cannot be taken: staging keys are per submission id.
    let other = new_id();
    let theirs = staged(addr, other, "erlaubnis", "a.pdf", "application/pdf", &real).await;
    let response = send(addr, submission_with(id, theirs, good)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !store
            .list("")
            .await
            .unwrap()
            .iter()
            .any(|k| k.starts_with("_claims/") || k.starts_with("musterstadt/")),
        "nothing but staging objects"
    );
}

#[tokio::test]
async fn a_post_makes_the_function_read_only_the_staged_files_its_file_questions_name() {
    let store = Arc::new(NotingReads::new(Arc::new(store::MemoryStore::new())));
    let (addr, _stop) = start_server(handler(store.clone())).await;
    let id = new_id();
    let e = staged(addr, id, "erlaubnis", "a.pdf", "application/pdf", &pdf("E")).await;
    let s = staged(addr, id, "sachkunde", "b.jpg", "image/jpeg", &jpeg("S")).await;
    // Three more uploads of the same submission, named where no file question is: under a
    // key the form does not have, nested in it, and as the answer of a text question.
    let mut others = Vec::new();
    for marker in ["X", "Y", "Z"] {
        let o = staged(
            addr,
            id,
            "erlaubnis",
            "o.pdf",
            "application/pdf",
            &pdf(marker),
        )
        .await;
        others.push(o["upload"].as_str().unwrap().to_string());
    }
    let mut submission = hundesteuer_musterstadt();
    submission.data.insert("erlaubnis".into(), e.clone());
    submission.data.insert("sachkunde".into(), s.clone());
    submission.data.insert(
        "anhang".into(),
        json!([{ "upload": others[0] }, { "tiefer": { "upload": others[1] } }]),
    );
    submission
        .data
        .insert("vorname".into(), json!({ "upload": others[2] }));
    let response = send(
        addr,
        json_request(&path("musterstadt", FORM), Some(id), &submission),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let staging =
        |upload: &Value| store::upload::staging_key("musterstadt", id, upload.as_str().unwrap());
    let read: Vec<String> = store
        .reads()
        .into_iter()
        .filter(|k| k.starts_with("_staging/"))
        .collect();
    assert_eq!(read, vec![staging(&e["upload"]), staging(&s["upload"])]);
}

#[tokio::test]
async fn a_staged_file_over_its_questions_size_is_refused_as_too_large_without_being_read() {
    let store = Arc::new(NotingReads::new(Arc::new(store::MemoryStore::new())));
    let (addr, _stop) = start_server(handler(store.clone())).await;
    let id = new_id();
    // An object larger than the question allows (5 MB) under a staging key of the submission,
    // as one signed for a question with a larger limit would be.
    let token = store::upload::new_token();
    let key = store::upload::staging_key("musterstadt", id, &token);
    let big = big_pdf("Erlaubnis", 5_500_000);
    store
        .put_new(&key, Bytes::from(big.clone()), "application/pdf")
        .await
        .unwrap();
    let e = json!({ "name": "a.pdf", "type": "application/pdf", "size": 1000, "upload": token });
    let s = staged(addr, id, "sachkunde", "b.jpg", "image/jpeg", &jpeg("S")).await;
    let response = send(addr, submission_with(id, e, s)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let errors = body_json(&response)["errors"].clone();
    assert_eq!(errors[0]["field"], "erlaubnis", "{errors}");
    assert_eq!(errors[0]["code"], "file-too-large", "{errors}");
    assert_eq!(errors.as_array().unwrap().len(), 1, "{errors}");
    // Read with the question's bound (5 MB), so no more than that is ever taken in.
    assert!(
        store.bounds().contains(&(key, 5_000_000)),
        "{:?}",
        store.bounds()
    );
}

#[tokio::test]
async fn the_staged_files_of_one_submission_together_are_bounded() {
    let store = Arc::new(store::MemoryStore::new());
    let (addr, _stop) = start_server(handler(store.clone()).with_staged_limit(1_500_000)).await;
    let id = new_id();
    // Each within its question's 5 MB, together over the limit of 1.5 MB.
    let e = staged(
        addr,
        id,
        "erlaubnis",
        "a.pdf",
        "application/pdf",
        &big_pdf("E", 1_000_000),
    )
    .await;
    let mut photo = jpeg("S");
    photo.resize(1_000_000, 0);
    let s = staged(addr, id, "sachkunde", "b.jpg", "image/jpeg", &photo).await;
    let response = send(addr, submission_with(id, e, s)).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body_json(&response)["error"]["code"], "payload-too-large");
    assert!(
        !store
            .list("")
            .await
            .unwrap()
            .iter()
            .any(|k| k.starts_with("musterstadt/")),
        "nothing stored"
    );
}

#[tokio::test]
async fn with_an_encryption_key_staged_files_are_stored_encrypted_and_no_plaintext_stays() {
    let (public, private) = store::crypto::generate_key_pair(4096, "k1").unwrap();
    let mut registry = registry();
    registry
        .municipalities
        .iter_mut()
        .find(|m| m.id == "musterstadt")
        .unwrap()
        .encryption_key = Some(public);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(dir.path()));
    let handler = submit_fn::Handler::new(registry, store.clone()).with_clock(clock());
    let (addr, _stop) = start_server(handler).await;
    let id = new_id();
    let erlaubnis = pdf("Erlaubnis geheim");
    let photo = jpeg("Sachkunde geheim");
    stage_and_submit(addr, id, &erlaubnis, &photo).await;
    let keys = store.list("").await.unwrap();
    assert!(!keys.iter().any(|k| k.starts_with("_staging/")), "{keys:?}");
    let object = format!("musterstadt/{FORM}/v2/2026/11/28/{id}/erlaubnis-1.pdf.jwe");
    let sealed = store.get(&object).await.unwrap().unwrap();
    let opened = store::crypto::Decryptor::from_jwk(&private)
        .unwrap()
        .decrypt(&sealed)
        .unwrap();
    assert_eq!(opened.payload, erlaubnis);
    for key in keys {
        let bytes = store.get(&key).await.unwrap().unwrap();
        assert!(
            !contains_token(&String::from_utf8_lossy(&bytes), "geheim"),
            "{key} holds plaintext"
        );
    }
}

/// Runs the direct-upload flow against an S3-protocol server (`client`, the store signing
/// with `key_id`/`secret` for `endpoint`), with the system clock: the server checks the
/// policy's expiry against its own.
async fn s3_flow(
    client: aws_sdk_s3::Client,
    bucket: String,
    endpoint: &str,
    key_id: &str,
    secret: &str,
) -> (std::net::SocketAddr, Arc<S3Store>, impl Drop) {
    let credentials = aws_sdk_s3::config::SharedCredentialsProvider::new(
        aws_sdk_s3::config::Credentials::new(key_id, secret, None, None, "tests"),
    );
    let store = Arc::new(S3Store::new(client, &bucket, "eingang").with_uploads(
        credentials,
        Some(endpoint),
        true,
    ));
    let handler = submit_fn::Handler::new(registry(), store.clone());
    let (addr, stop) = start_server(handler).await;
    (addr, store, stop)
}

/// The flow itself: two uploads to the bucket, the submission, the record's hashes, staging
/// empty.
async fn upload_and_submit(addr: std::net::SocketAddr, store: &S3Store, endpoint: &str) {
    let id = new_id();
    let erlaubnis = big_pdf("Erlaubnis", 3_000_000);
    let photo = jpeg("Sachkunde");
    let (_, signed) = presign(addr, id, "erlaubnis", "application/pdf", erlaubnis.len()).await;
    assert!(
        signed["url"].as_str().unwrap().starts_with(endpoint),
        "{signed}"
    );
    assert!(
        signed["fields"]["key"]
            .as_str()
            .unwrap()
            .starts_with(&format!("eingang/_staging/musterstadt/{id}/"))
    );
    stage_and_submit(addr, id, &erlaubnis, &photo).await;
    let keys = store.list("").await.unwrap();
    assert!(!keys.iter().any(|k| k.starts_with("_staging/")), "{keys:?}");
    let record_key = keys
        .iter()
        .find(|k| k.ends_with(&format!("{id}/submission.json")))
        .unwrap();
    let record: Value = stored_record_json(&store.get(record_key).await.unwrap().unwrap());
    assert_eq!(record["data"]["erlaubnis"]["sha256"], sha256(&erlaubnis));
    let stored = store
        .get(&record_key.replace("submission.json", "erlaubnis-1.pdf"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.as_ref(), erlaubnis.as_slice());
}

#[tokio::test]
async fn direct_uploads_to_an_s3_protocol_server_moto() {
    let client = s3_client();
    let bucket = bucket(&client).await;
    let endpoint = test_support::moto::moto().endpoint.clone();
    let (addr, store, _stop) = s3_flow(client, bucket, &endpoint, "test", "test").await;
    upload_and_submit(addr, &store, &endpoint).await;
}

#[tokio::test]
async fn direct_uploads_to_garage_whose_policy_checks_refuse_a_file_too_large_or_of_another_type() {
    let client = test_support::garage::garage_client();
    let bucket = test_support::garage::garage_bucket(&client).await;
    let g = test_support::garage::garage();
    let (addr, store, _stop) = s3_flow(client, bucket, &g.endpoint, &g.key_id, &g.secret).await;
    upload_and_submit(addr, &store, &g.endpoint).await;

    let id = new_id();
    let (_, signed) = presign(addr, id, "erlaubnis", "application/pdf", 1000).await;
    let fields = fields_of(&signed);
    let (status, text) = upload(
        addr,
        &signed,
        &fields,
        "application/pdf",
        big_pdf("gross", 5_000_001),
    )
    .await;
    assert!(status.is_client_error(), "{status}: {text}");
    let (status, text) = upload(
        addr,
        &signed,
        &with_field(&fields, "Content-Type", "text/html"),
        "text/html",
        b"<!DOCTYPE html>".to_vec(),
    )
    .await;
    assert!(status.is_client_error(), "{status}: {text}");
    assert!(
        store
            .list(&format!("_staging/musterstadt/{id}/"))
            .await
            .unwrap()
            .is_empty(),
        "Garage kept nothing it refused"
    );
}

#[tokio::test]
async fn a_bounded_read_gives_an_objects_bytes_within_the_bound_and_otherwise_only_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let client = s3_client();
    let bucket = bucket(&client).await;
    let stores: Vec<Arc<dyn Store>> = vec![
        Arc::new(FolderStore::new(dir.path())),
        Arc::new(store::MemoryStore::new()),
        Arc::new(S3Store::new(client, &bucket, "eingang")),
    ];
    for s in stores {
        let key = "_staging/musterstadt/x/t";
        s.put_new(key, Bytes::from_static(b"0123456789"), "application/pdf")
            .await
            .unwrap();
        let what = s.describe();
        assert_eq!(
            s.get_at_most(key, 10).await.unwrap(),
            Bounded::Found(Bytes::from_static(b"0123456789")),
            "{what}"
        );
        assert_eq!(
            s.get_at_most(key, 9).await.unwrap(),
            Bounded::TooLarge(10),
            "{what}"
        );
        assert_eq!(
            s.get_at_most("_staging/musterstadt/x/none", 9)
                .await
                .unwrap(),
            Bounded::Missing,
            "{what}"
        );
    }
}
