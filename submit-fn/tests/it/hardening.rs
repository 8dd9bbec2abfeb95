//! Regression tests for the defects of issue 16 ("every stored byte was asked for, every 201 is
//! importable, every request ends"), each named after its defect, and for the tightened rules.

use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use bytes::Bytes;
use http::{Request, StatusCode, header};
use serde_json::{Map, Value, json};
use store::MemoryStore;
use submit_fn::server::ServerOptions;

fn memory() -> Arc<MemoryStore> {
    Arc::new(MemoryStore::new())
}

/// Dog tax at Grünwiesen (catalog version 3: a list of dogs), a dangerous dog with two files.
fn hundesteuer_gruenwiesen() -> form_model::Submission {
    example("hundesteuer-anmeldung@3", "gefaehrlich-ja-ueberweisung")
}

/// Input names and values a page sends for `data` (list entries as `group.<i>.child`), with
/// every file answer replaced by a file part of real bytes of its type.
fn parts_for(data: &Map<String, Value>, prefix: &str, parts: &mut Vec<Part>) {
    for (key, value) in data {
        let name = format!("{prefix}{key}");
        match value {
            Value::Object(o) if o.contains_key("sha256") => {
                let media = o["type"].as_str().unwrap().to_string();
                let bytes = file_of_type(&media, &name);
                let file_name = o["name"].as_str().unwrap().to_string();
                parts.push(Part::File(name, file_name, media, bytes));
            }
            Value::Object(o) => parts_for(o, &format!("{name}."), parts),
            Value::Array(items) if items.iter().all(Value::is_object) => {
                for (i, item) in items.iter().enumerate() {
                    parts_for(item.as_object().unwrap(), &format!("{name}.{i}."), parts);
                }
            }
            Value::Array(items) => {
                for item in items {
                    parts.push(Part::Text(name.clone(), text(item)));
                }
            }
            other => parts.push(Part::Text(name, text(other))),
        }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Real bytes of `media` (signature included), distinct per `marker`.
fn file_of_type(media: &str, marker: &str) -> Vec<u8> {
    match media {
        "image/jpeg" => jpeg(marker),
        "image/png" => {
            let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
            b.extend_from_slice(marker.as_bytes());
            b
        }
        _ => pdf(marker),
    }
}

fn multipart_of(submission: &form_model::Submission, extra: Vec<Part>) -> Vec<Part> {
    let mut parts = vec![
        Part::Text("_lang".into(), submission.language.clone()),
        Part::Text("_id".into(), new_id().to_string()),
    ];
    parts_for(&submission.data, "", &mut parts);
    parts.extend(extra);
    parts
}

const JSON_ACCEPT: &str = "application/json";

/// Posts `parts` as a script's multipart post (asking for JSON) to a Grünwiesen form.
async fn post_parts(
    handler: &submit_fn::Handler,
    form: &str,
    parts: &[Part],
) -> http::Response<Bytes> {
    handler
        .handle(multipart_request(
            &path("gruenwiesen", form),
            parts,
            JSON_ACCEPT,
        ))
        .await
}

#[tokio::test]
async fn the_valid_multipart_posts_these_tests_build_are_stored() {
    // The baseline for the defect tests below: without the extra parts, each post is stored.
    let store = memory();
    let handler = handler(store.clone());
    for (m, f, submission) in [
        (
            "gruenwiesen",
            "hundesteuer-anmeldung",
            hundesteuer_gruenwiesen(),
        ),
        (
            "gruenwiesen",
            "asbest-anzeige",
            example("asbest-anzeige@1", "alle-angaben"),
        ),
    ] {
        let parts = multipart_of(&submission, Vec::new());
        let response = handler
            .handle(multipart_request(&path(m, f), &parts, JSON_ACCEPT))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "{m}/{f}: {}",
            body_text(&response)
        );
    }
}

/// Defect 1: a file part named into a list with a missing or out-of-range index was dropped
/// from the data but stored (and imported: a 38 KB text/html file became `hunde-x-1.html`).
#[tokio::test]
async fn defect_1_a_file_part_nobody_asked_for_is_refused_with_422_and_nothing_is_stored() {
    for name in ["hunde.x", "hunde.999.rasse", "hunde.0", "nicht-im-formular"] {
        let store = memory();
        let handler = handler(store.clone());
        let html = b"<!DOCTYPE html><html><body>not asked for</body></html>".to_vec();
        let parts = multipart_of(
            &hundesteuer_gruenwiesen(),
            vec![Part::File(
                name.into(),
                "x.html".into(),
                "text/html".into(),
                html,
            )],
        );
        let response = post_parts(&handler, "hundesteuer-anmeldung", &parts).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            body_text(&response)
        );
        let errors = body_json(&response)["errors"].clone();
        assert!(
            errors
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == name && e["code"] == "unknown-field"),
            "{name}: {errors}"
        );
        assert!(store.keys().is_empty(), "{name}: {:?}", store.keys());
    }
}

/// Defect 2: `hunde.x` and `hunde.x.` both became `hunde-x-1.pdf`; the second write found the
/// first ("exists"), the record listed two attachments with one key, and the import failed on
/// a sha256 mismatch. Keys now come from validated answer paths.
#[tokio::test]
async fn defect_2_two_file_parts_can_never_share_a_key() {
    let store = memory();
    let handler = handler(store.clone());
    let parts = multipart_of(
        &hundesteuer_gruenwiesen(),
        vec![
            Part::File(
                "hunde.x".into(),
                "a.pdf".into(),
                "application/pdf".into(),
                pdf("a"),
            ),
            Part::File(
                "hunde.x.".into(),
                "b.pdf".into(),
                "application/pdf".into(),
                pdf("b"),
            ),
        ],
    );
    let response = post_parts(&handler, "hundesteuer-anmeldung", &parts).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(store.keys().is_empty());

    // Files in groups and list entries are stored under their answers' paths, all distinct.
    let store = memory();
    let parts = multipart_of(&example("asbest-anzeige@1", "alle-angaben"), Vec::new());
    let response = post_parts(
        &crate::common::handler(store.clone()),
        "asbest-anzeige",
        &parts,
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "{}",
        body_text(&response)
    );
    let record_key = store
        .keys()
        .into_iter()
        .find(|k| k.ends_with("submission.json"))
        .unwrap();
    let record: Value = stored_record_json(&store.object(&record_key).unwrap());
    let keys: Vec<&str> = record["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    let names: Vec<&str> = keys.iter().map(|k| k.rsplit('/').next().unwrap()).collect();
    assert_eq!(
        names,
        vec![
            "verantwortliche-person-im-betrieb.0.sachkundenachweis-1.pdf",
            "aufsichtsfuehrende-person-vor-ort.0.aufsichtsfuehrende-person-sachkundenachweis-1.pdf",
            "gefaehrdungsbeurteilung-mit-arbeitsplan-1.pdf",
            "zulassung.nachweis-zulassung-1.pdf",
            "betriebsanweisung-1.pdf",
            "ergaenzende-angaben-zum-arbeitsplan-1.pdf",
        ]
    );
    let fields: Vec<&str> = record["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields[0],
        "verantwortliche-person-im-betrieb.0.sachkundenachweis"
    );
}

/// Defect 3: `decode` checked only top-level fields for files in JSON; a JSON body could claim
/// files inside a group and was stored with `attachments: []`.
#[tokio::test]
async fn defect_3_a_file_claimed_inside_a_group_in_json_is_refused() {
    let store = memory();
    let handler = handler(store.clone());
    let mut submission = example("asbest-anzeige@1", "alle-angaben");
    // Only the files inside groups and list entries are left.
    for top in [
        "gefaehrdungsbeurteilung-mit-arbeitsplan",
        "betriebsanweisung",
        "ergaenzende-angaben-zum-arbeitsplan",
    ] {
        submission.data.remove(top);
    }
    let response = handler
        .handle(json_request(
            &path("gruenwiesen", "asbest-anzeige"),
            Some(new_id()),
            &submission,
        ))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "{}",
        body_text(&response)
    );
    assert_eq!(
        body_json(&response)["error"]["code"],
        "files-need-multipart"
    );
    assert!(store.keys().is_empty());
}

/// Defect 4: 1,009,984 unknown names in a 6 MB post gave a 422 of 124 MB, 883 MB peak RSS and
/// a 10-16 MB log line. Absurd name counts are refused while reading; the error list is capped.
#[tokio::test]
async fn defect_4_a_million_unknown_names_are_refused_early_and_error_lists_are_capped() {
    let handler = handler(memory());
    let mut body = String::with_capacity(6_000_000);
    let mut n = 0;
    while body.len() < 5_990_000 {
        body.push_str(&format!("u{n}=&"));
        n += 1;
    }
    assert!(n > 600_000, "{n}");
    let request = Request::post(path("musterstadt", "sperrmuell-anmeldung"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, BROWSER_ACCEPT)
        .body(Bytes::from(body))
        .unwrap();
    let response = handler.handle(request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        response.body().len() < 20_000,
        "{} bytes",
        response.body().len()
    );
    assert!(body_text(&response).contains("Felder"));

    // Just under the limit: a 422 that lists 50 problems and says how many there were.
    let limit = submit_fn::decode::Limits::for_form(&form("musterstadt", "sperrmuell-anmeldung"));
    let pairs: Vec<(String, String)> = (0..limit.names - 3)
        .map(|i| (format!("u{i}"), "x".to_string()))
        .collect();
    let mut request = form_request(&path("musterstadt", "sperrmuell-anmeldung"), &pairs);
    request
        .headers_mut()
        .insert(header::ACCEPT, "application/json".parse().unwrap());
    let response = handler.handle(request).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer = body_json(&response);
    assert_eq!(answer["errors"].as_array().unwrap().len(), 50);
    assert!(answer["error_count"].as_u64().unwrap() > 50);

    // A JSON body with more values than the form can hold is refused the same way.
    let mut data = Map::new();
    for i in 0..100_000 {
        data.insert(format!("u{i}"), json!(i));
    }
    let request = Request::post(path("musterstadt", "sperrmuell-anmeldung"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(
            serde_json::to_vec(&json!({ "language": "de", "data": data })).unwrap(),
        ))
        .unwrap();
    let response = handler.handle(request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body_json(&response)["error"]["code"], "too-many-fields");
}

fn fast_options() -> ServerOptions {
    ServerOptions {
        body_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
        ..ServerOptions::default()
    }
}

async fn start_with(
    options: ServerOptions,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    start_server_with(handler(memory()), options).await
}

/// Defect 5: headers timed out after 10 s, but a client that sent `Content-Length: 100` and
/// one byte waited forever (200 such connections all stayed open).
#[tokio::test]
async fn defect_5_a_stalled_body_is_answered_408_when_the_body_deadline_passes() {
    let (addr, _stop) = start_with(fast_options()).await;
    let raw = format!(
        "POST /v1/musterstadt/sperrmuell-anmeldung HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    );
    let answered = tokio::time::timeout(Duration::from_secs(10), send_raw(addr, raw.as_bytes()))
        .await
        .expect("the server answers a stalled body instead of waiting forever");
    let (status, body) = answered;
    assert_eq!(status, 408);
    assert!(body.contains("\"request-timeout\""), "{body}");
}

/// Defect 6: a broken chunked body got plain text without the headers every answer carries,
/// no error code and no log line.
#[tokio::test]
async fn defect_6_a_broken_chunked_body_gets_the_same_answer_as_every_other_error() {
    let (addr, _stop) = start_with(fast_options()).await;
    let raw = format!(
        "POST /v1/musterstadt/sperrmuell-anmeldung HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nAccept: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n"
    );
    let (status, body) = send_raw(addr, raw.as_bytes()).await;
    assert_eq!(status, 400);
    let json: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(json["error"]["code"], "incomplete-body");
    // The headers every answer carries.
    let raw_answer = {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(raw.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).to_lowercase()
    };
    for h in [
        "cache-control: no-store",
        "x-content-type-options: nosniff",
        "referrer-policy: no-referrer",
        "content-type: application/json",
        "connection: close",
    ] {
        assert!(raw_answer.contains(h), "{h} in {raw_answer}");
    }
}

#[tokio::test]
async fn json_objects_with_a_key_twice_and_a_repeated_id_are_refused_with_400() {
    let handler = handler(memory());
    let body = r#"{"language": "de", "data": {"vorname": "Erika", "vorname": "Max"}}"#;
    let request = Request::post(path("musterstadt", "sperrmuell-anmeldung"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(body))
        .unwrap();
    let response = handler.handle(request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error = body_json(&response)["error"].clone();
    assert_eq!(error["code"], "duplicate-key");
    assert!(
        error["message"].as_str().unwrap().contains("vorname"),
        "{error}"
    );
    for top in [
        r#"{"language": "de", "language": "en", "data": {}}"#,
        r#"{"id": "7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c", "id": "8d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c", "language": "de", "data": {}}"#,
    ] {
        let request = Request::post(path("musterstadt", "sperrmuell-anmeldung"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Bytes::from(top))
            .unwrap();
        let response = handler.handle(request).await;
        assert_eq!(
            body_json(&response)["error"]["code"],
            "duplicate-key",
            "{top}"
        );
    }
    let mut pairs = form_pairs(&sperrmuell(), Some(new_id()));
    pairs.push(("_id".into(), new_id().to_string()));
    let mut request = form_request(&path("musterstadt", "sperrmuell-anmeldung"), &pairs);
    request
        .headers_mut()
        .insert(header::ACCEPT, "application/json".parse().unwrap());
    let response = handler.handle(request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body_json(&response)["error"]["code"], "duplicate-key");
}

#[tokio::test]
async fn a_file_whose_bytes_are_not_its_declared_type_is_refused_with_a_clear_message() {
    let store = memory();
    let handler = handler(store.clone());
    let mut parts = multipart_of(&hundesteuer_gruenwiesen(), Vec::new());
    for part in &mut parts {
        if let Part::File(name, _, media, bytes) = part
            && name == "erlaubnis"
        {
            *media = "application/pdf".into();
            *bytes = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
        }
    }
    let response = post_parts(&handler, "hundesteuer-anmeldung", &parts).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let errors = body_json(&response)["errors"].clone();
    assert_eq!(errors[0]["field"], "erlaubnis");
    assert_eq!(errors[0]["code"], "file-content");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("keine echte PDF-Datei"),
        "{errors}"
    );
    assert!(store.keys().is_empty());
}

/// The claim's content hash left out the resolved form's sha256: a retry after a redeploy of a
/// changed form under the same version kept the old claim next to a record of the new form.
#[tokio::test]
async fn a_retry_against_a_changed_form_of_the_same_version_is_a_409() {
    let store = memory();
    let id = new_id();
    let first = handler(store.clone())
        .handle(json_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            Some(id),
            &sperrmuell(),
        ))
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let mut changed = registry();
    for f in &mut changed.forms {
        if f.municipality.id == "musterstadt" && f.form.id == "sperrmuell-anmeldung" {
            std::sync::Arc::make_mut(&mut f.form)
                .title
                .insert("de".into(), "Sperrmüll (geändert)".into());
            f.sha256 = f.content_hash().into();
        }
    }
    let redeployed = submit_fn::Handler::new(changed, store.clone()).with_clock(clock());
    let retry = redeployed
        .handle(json_request(
            &path("musterstadt", "sperrmuell-anmeldung"),
            Some(id),
            &sperrmuell(),
        ))
        .await;
    assert_eq!(
        retry.status(),
        StatusCode::CONFLICT,
        "{}",
        body_text(&retry)
    );
}
