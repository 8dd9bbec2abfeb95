//! Shared test helpers: the registry built from the repository's real forms and the theme for
//! its sites, its example submissions, request builders for the three body types, a fixed clock
//! and ids, and (from test-support) a real S3-protocol server (moto) on 127.0.0.1.

#![allow(dead_code)]

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use form_model::registry::Registry;
use form_model::resolve::ResolvedForm;
use form_model::validate::Submission;
use http::{Request, header};
use serde_json::{Map, Value, json};
use store::Store;
use submit_fn::{Clock, FixedClock, Handler, IdSource};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

/// The day the examples are valid on (relative date rules), in the morning.
pub const NOW: OffsetDateTime = datetime!(2026-11-28 10:15:00 UTC);

pub mod noting;

// Not every binary that includes this file uses each of them.
#[allow(unused_imports)]
pub use test_support::moto::{bucket, moto, s3_client};
pub use test_support::repo;

/// The record's bytes in a stored `submission.json` (the envelope, `store::envelope`): byte
/// for byte what the function made and the receipt is over.
pub fn stored_record(object: &[u8]) -> Bytes {
    store::envelope::open(&Bytes::copy_from_slice(object))
        .unwrap()
        .record
}

/// The record in a stored `submission.json`, as JSON.
pub fn stored_record_json(object: &[u8]) -> Value {
    serde_json::from_slice(&stored_record(object)).unwrap()
}

/// The FIT-Connect-shaped metadata in a stored `submission.json`.
pub fn stored_metadata(object: &[u8]) -> Value {
    let opened = store::envelope::open(&Bytes::copy_from_slice(object)).unwrap();
    serde_json::from_slice(&opened.metadata.expect("an envelope")).unwrap()
}

/// The registry for the repository's forms, as the generator builds it for publishing, plus
/// the test-only municipality `testheim` (tests/fixtures/forms: a form with a tax-id field,
/// which the catalog does not have yet).
pub fn registry() -> Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY
        .get_or_init(|| {
            let mut registry = build_registry(&repo().join("forms"));
            let extra =
                build_registry(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/forms"));
            registry.municipalities.extend(extra.municipalities);
            registry.forms.extend(extra.forms);
            // What the function loads must pass the function's own start-up check.
            Registry::from_json(&registry.to_json()).expect("merged registry is valid")
        })
        .clone()
}

/// The theme the generator writes beside the registry (`function/theme.json`), made here from
/// the repository's site templates for the municipalities of [`registry`]: each site at its
/// `site-origin`, posting to its `submission-endpoint`. The asset names have the shape the
/// generator gives them (fingerprinted); no test here loads them.
pub fn theme_json() -> String {
    static THEME: OnceLock<String> = OnceLock::new();
    THEME
        .get_or_init(|| {
            let theme = view::Theme::load(&repo().join("site-templates")).expect("site templates");
            let registry = registry();
            let mut sites = std::collections::BTreeMap::new();
            let dirs = [
                repo().join("forms"),
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/forms"),
            ];
            for dir in dirs {
                for m in form_model::check(&dir).project.municipalities {
                    let m = m.config;
                    let origin = |url: &str| view::paths::origin_of(url).to_string();
                    let scripts = registry
                        .forms
                        .iter()
                        .filter(|f| f.municipality.id == m.id)
                        .map(|f| (f.form.id.clone(), "form.5f0c2a9e41.js".to_string()))
                        .collect();
                    let site = view::bundle::SiteBundle {
                        address: view::SiteAddress {
                            url: m.site_origin.clone(),
                            origin: origin(&m.site_origin),
                        },
                        endpoint: m.submission_endpoint.trim_end_matches('/').to_string(),
                        endpoint_origin: origin(&m.submission_endpoint),
                        assets: view::SiteAssets {
                            css: "site.3b7e1d0c52.css".into(),
                            logo: None,
                            combobox: "combobox.c2d94e1a70.css".into(),
                            index: "index.9a41c7e03d.css".into(),
                            confirmation: "confirmation.e07b1d5f33.css".into(),
                            sign_in: "sign-in.5d0c2a9e41.js".into(),
                            fees: "fees.8c3f0b6d27.js".into(),
                        },
                        scripts,
                        municipality: m,
                    };
                    sites.insert(site.municipality.id.clone(), site);
                }
            }
            view::bundle::Bundle::new(&theme, sites).to_json()
        })
        .clone()
}

/// The form pages of [`theme_json`], as the function loads them.
pub fn pages() -> Arc<view::bundle::RemotePages> {
    Arc::new(view::bundle::RemotePages::from_json(&theme_json(), "theme.json").unwrap())
}

fn build_registry(dir: &Path) -> Registry {
    let report = form_model::check(dir);
    assert!(
        report.is_ok(),
        "{} has errors: {}",
        dir.display(),
        report.summary()
    );
    Registry::build(&report, |m| m.site_origin.clone())
}

pub fn form(municipality: &str, form: &str) -> ResolvedForm {
    registry()
        .form(municipality, form)
        .unwrap_or_else(|| panic!("{municipality}/{form} is not published"))
        .clone()
}

/// An example submission from tests/fixtures/submissions/<form>@<version>/<name>.json.
pub fn example(form_version: &str, name: &str) -> Submission {
    let path = repo().join(format!(
        "tests/fixtures/submissions/{form_version}/{name}.json"
    ));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Sperrmüll (bulky waste) at Musterstadt: published unchanged from the catalog, no files.
pub fn sperrmuell() -> Submission {
    example("sperrmuell-anmeldung@1", "moebel-mit-abstellort")
}

/// Hundesteuer at Musterstadt (overlaid: no `anrede`, `telefon` required, a new required
/// `steuermarke-gewuenscht`), with the two files of a dangerous dog.
pub fn hundesteuer_musterstadt() -> Submission {
    let mut s = example("hundesteuer-anmeldung@2", "gefaehrlich-ja-ueberweisung");
    s.data.remove("anrede");
    s.data.insert("telefon".into(), json!("0641 123456"));
    s.data.insert("steuermarke-gewuenscht".into(), json!("ja"));
    s
}

/// Hundesteuer at Musterstadt for a dog that is not dangerous: no files.
pub fn hundesteuer_musterstadt_ohne_dateien() -> Submission {
    let mut s = example("hundesteuer-anmeldung@2", "gefaehrlich-nein-lastschrift");
    s.data.remove("anrede");
    s.data.insert("telefon".into(), json!("0641 123456"));
    s.data.insert("steuermarke-gewuenscht".into(), json!("ja"));
    s
}

/// Whether `secret` occurs in `text` as a token of its own (not inside a longer run of
/// letters or digits, such as a timestamp that happens to contain "977").
pub fn contains_token(text: &str, secret: &str) -> bool {
    text.match_indices(secret).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + secret.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// A clock standing still.
pub fn clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock(NOW))
}

/// Version-4 UUIDs counted up from a seed, so tests know which id the server makes.
#[derive(Debug)]
pub struct CountingIds(pub AtomicU64);

impl IdSource for CountingIds {
    fn new_id(&self) -> Uuid {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        uuid::Builder::from_random_bytes((u128::from(n) << 8).to_be_bytes()).into_uuid()
    }
}

pub fn handler(store: Arc<dyn Store>) -> Handler {
    Handler::new(registry(), store)
        .with_clock(clock())
        .with_ids(Arc::new(CountingIds(AtomicU64::new(1))))
}

pub fn new_id() -> Uuid {
    Uuid::new_v4()
}

pub const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

pub fn path(municipality: &str, form: &str) -> String {
    format!("/v1/{municipality}/{form}")
}

/// The confirmation page's path for a form.
pub fn confirmation_path(municipality: &str, form: &str) -> String {
    format!("/v1/{municipality}/{form}/danke")
}

/// A browser opening `path_and_query`.
pub fn browser_get(path_and_query: &str) -> Request<Bytes> {
    Request::get(path_and_query)
        .header(header::ACCEPT, BROWSER_ACCEPT)
        .body(Bytes::new())
        .unwrap()
}

/// A `Location` resolved against the path (and query) of the request it answered, as a
/// browser does (RFC 3986 §5.2; the function sends `./…` references).
pub fn resolve(request_path: &str, location: &str) -> String {
    let rel = location
        .strip_prefix("./")
        .unwrap_or_else(|| panic!("expected a relative Location ./…, got {location}"));
    let path = request_path.split('?').next().unwrap();
    let dir = &path[..=path.rfind('/').unwrap()];
    format!("{dir}{rel}")
}

/// A script post: `{"id", "language", "data"}`.
pub fn json_request(path: &str, id: Option<Uuid>, submission: &Submission) -> Request<Bytes> {
    let mut body = json!({ "language": submission.language, "data": submission.data });
    if let Some(id) = id {
        body["id"] = json!(id);
    }
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .body(Bytes::from(serde_json::to_vec(&body).unwrap()))
        .unwrap()
}

/// The name/value pairs a browser sends for `submission`'s data (address parts as
/// `field.part`, checkboxes repeated), plus `_lang` and `_id` when given.
pub fn form_pairs(submission: &Submission, id: Option<Uuid>) -> Vec<(String, String)> {
    let mut pairs = vec![("_lang".to_string(), submission.language.clone())];
    if let Some(id) = id {
        pairs.push(("_id".into(), id.to_string()));
    }
    pairs.push(("_hp".into(), String::new()));
    for (name, value) in &submission.data {
        push_pairs(&mut pairs, name, value);
    }
    pairs
}

fn push_pairs(pairs: &mut Vec<(String, String)>, name: &str, value: &Value) {
    match value {
        Value::String(s) => pairs.push((name.into(), s.clone())),
        Value::Number(n) => pairs.push((name.into(), n.to_string())),
        Value::Bool(b) => pairs.push((name.into(), b.to_string())),
        Value::Array(items) => {
            for item in items {
                push_pairs(pairs, name, item);
            }
        }
        Value::Object(parts) => {
            for (part, v) in parts {
                push_pairs(pairs, &format!("{name}.{part}"), v);
            }
        }
        Value::Null => {}
    }
}

pub fn urlencode(pairs: &[(String, String)]) -> Bytes {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    Bytes::from(
        pairs
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&"),
    )
}

/// A browser form post without JavaScript.
pub fn form_request(path: &str, pairs: &[(String, String)]) -> Request<Bytes> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, BROWSER_ACCEPT)
        .body(urlencode(pairs))
        .unwrap()
}

/// One part of a multipart body.
pub enum Part {
    Text(String, String),
    /// name, file name, content type, bytes
    File(String, String, String, Vec<u8>),
}

pub const BOUNDARY: &str = "----formfabrik-test-boundary-7MA4YWxkTrZu0gW";

pub fn multipart_body(parts: &[Part]) -> Bytes {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
                body.extend_from_slice(value.as_bytes());
            }
            Part::File(name, file_name, content_type, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    Bytes::from(body)
}

/// Text parts for the pairs of `submission`, minus the file fields (given as files instead).
pub fn multipart_parts(submission: &Submission, id: Option<Uuid>, files: Vec<Part>) -> Vec<Part> {
    let file_fields: Vec<String> = files
        .iter()
        .filter_map(|p| match p {
            Part::File(name, ..) => Some(name.clone()),
            Part::Text(..) => None,
        })
        .collect();
    let mut data = submission.data.clone();
    for f in &file_fields {
        data.remove(f);
    }
    let mut parts: Vec<Part> = form_pairs(
        &Submission {
            language: submission.language.clone(),
            data,
        },
        id,
    )
    .into_iter()
    .map(|(k, v)| Part::Text(k, v))
    .collect();
    parts.extend(files);
    parts
}

pub fn multipart_request(path: &str, parts: &[Part], accept: &str) -> Request<Bytes> {
    Request::post(path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::ACCEPT, accept)
        .body(multipart_body(parts))
        .unwrap()
}

/// A small but real PDF.
pub fn pdf(marker: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {marker}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

/// A tiny JPEG-looking file.
pub fn jpeg(marker: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
    b.extend_from_slice(marker.as_bytes());
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

pub fn body_json(response: &http::Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(response.body())
        )
    })
}

pub fn body_text(response: &http::Response<Bytes>) -> String {
    String::from_utf8(response.body().to_vec()).unwrap()
}

pub fn header_of<'a>(response: &'a http::Response<Bytes>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The data of a record as a map.
pub fn data_of(record: &Value) -> Map<String, Value> {
    record["data"].as_object().unwrap().clone()
}

/// Every key in the bucket.
pub async fn list(client: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    let out = client
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .expect("list bucket");
    let mut keys: Vec<String> = out
        .contents()
        .iter()
        .filter_map(|o| o.key().map(String::from))
        .collect();
    keys.sort();
    keys
}

pub async fn get(client: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Bytes {
    client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {key}: {e:?}"))
        .body
        .collect()
        .await
        .unwrap()
        .into_bytes()
}

/// The local server (`submit_fn::server`) on 127.0.0.1 with a free port, until the returned
/// sender is dropped.
pub async fn start_server(
    handler: Handler,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    start_server_with(handler, submit_fn::server::ServerOptions::default()).await
}

/// As [`start_server`], with the server's limits (timeouts, connections, body memory).
pub async fn start_server_with(
    handler: Handler,
    options: submit_fn::server::ServerOptions,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(submit_fn::server::serve_with(
        listener,
        Arc::new(handler),
        options,
        async move {
            let _ = stopped.await;
        },
    ));
    (addr, stop)
}

/// Sends `request` over HTTP/1.1 to `addr` and reads the whole answer.
pub async fn send(addr: std::net::SocketAddr, request: Request<Bytes>) -> http::Response<Bytes> {
    use http_body_util::{BodyExt, Full};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let (mut parts, body) = request.into_parts();
    parts
        .headers
        .insert(header::HOST, addr.to_string().parse().unwrap());
    let response = sender
        .send_request(Request::from_parts(parts, Full::new(body)))
        .await
        .expect("an answer");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    http::Response::from_parts(parts, bytes)
}

/// Writes raw bytes (for requests an HTTP client would not send) and returns status and body.
pub async fn send_raw(addr: std::net::SocketAddr, raw: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let raw = raw.to_vec();
    // Write while reading: the server may answer before it has read everything.
    let writing = tokio::spawn(async move {
        let _ = writer.write_all(&raw).await;
        writer
    });
    let mut answer = Vec::new();
    let _ = reader.read_to_end(&mut answer).await;
    drop(writing.await);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}
