//! Shared test helpers: the repository's registry with the test-only key for every
//! municipality, example submissions of every published form (with real attachment bytes)
//! stored through the function's write protocol, and a real S3-protocol server (moto).

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use form_model::model::FieldType;
use form_model::registry::Registry;
use form_model::validate::Submission;
use inbox::{Inbox, Schemas};
use serde_json::{Map, Value, json};
use store::crypto::{Decryptor, Encryptor};
use store::protocol::{self, Upload};
use store::{S3Store, Store};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

/// The day the examples are valid on.
pub const NOW: OffsetDateTime = datetime!(2026-11-28 10:15:00 UTC);

pub use test_support::moto::s3_client;
pub use test_support::repo;

/// The test-only key pair (never for real data).
pub fn public_key() -> Value {
    test_support::keys::public()
}

pub fn decryptor() -> Decryptor {
    Decryptor::from_jwk(&test_support::keys::private()).unwrap()
}

/// The registry of the repository's forms; with `encrypted`, every municipality has the
/// test-only public key.
pub fn registry(encrypted: bool) -> Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    let mut registry = REGISTRY
        .get_or_init(|| {
            let report = form_model::check(&repo().join("forms"));
            assert!(report.is_ok(), "{}", report.summary());
            Registry::build(&report, |m| m.site_origin.clone())
        })
        .clone();
    if encrypted {
        for m in &mut registry.municipalities {
            m.encryption_key = Some(public_key());
        }
    }
    registry
}

pub fn inbox(store: Arc<dyn Store>) -> Inbox {
    Inbox::new(
        store,
        Some(decryptor()),
        Schemas::from_registry(&registry(false)),
    )
}

/// What was submitted, for comparing with what is pulled.
#[derive(Debug, Clone)]
pub struct Sent {
    pub municipality: String,
    pub form: String,
    pub id: Uuid,
    pub data: Map<String, Value>,
    /// (field, bytes)
    pub files: Vec<(String, Vec<u8>)>,
}

impl Sent {
    /// Every submitted text of 8 characters or more (shorter ones could occur in random
    /// ciphertext by chance), and a marker inside each file.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_texts(&Value::Object(self.data.clone()), &mut out);
        out.retain(|s| {
            s.chars().count() >= 8 && !s.starts_with("image/") && !s.starts_with("application/")
        });
        for (_, bytes) in &self.files {
            out.push(marker_of(bytes));
        }
        out
    }
}

fn collect_texts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_texts(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                // The file's sha256 is not a submitted value; it is in the (encrypted) record.
                if k != "sha256" {
                    collect_texts(x, out);
                }
            }
        }
        _ => {}
    }
}

fn marker_of(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.split_whitespace()
        .find(|w| w.starts_with("MARKER"))
        .unwrap()
        .to_string()
}

fn file_bytes(media_type: &str, marker: &str) -> Vec<u8> {
    if media_type == "application/pdf" {
        format!("%PDF-1.4\n% {marker} \n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n").into_bytes()
    } else {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, b' '];
        b.extend_from_slice(marker.as_bytes());
        b.extend_from_slice(&[b' ', 0xFF, 0xD9]);
        b
    }
}

/// The examples for a published form that its validation accepts (Musterstadt's overlay of
/// the dog tax form removes `anrede` and adds two required fields).
pub fn examples(municipality: &str, form: &str, version: u32) -> Vec<Submission> {
    let dir = repo().join(format!("tests/fixtures/submissions/{form}@{version}"));
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    for path in names {
        let mut s: Submission =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if municipality == "musterstadt" && form == "hundesteuer-anmeldung" {
            s.data.remove("anrede");
            s.data.insert("telefon".into(), json!("0641 123456"));
            s.data.insert("steuermarke-gewuenscht".into(), json!("ja"));
        }
        out.push(s);
    }
    out
}

/// Stores every valid example of every published form (with unique attachment bytes)
/// through the function's write protocol; encrypted when `encrypted`.
pub async fn store_all(store: &dyn Store, encrypted: bool) -> Vec<Sent> {
    store_all_as(store, encrypted, &public_key()).await
}

/// [`store_all`], encrypted with another public key (key rotation).
pub async fn store_all_with_key(store: &dyn Store, public: &Value) -> Vec<Sent> {
    store_all_as(store, true, public).await
}

async fn store_all_as(store: &dyn Store, encrypted: bool, public: &Value) -> Vec<Sent> {
    let registry = registry(encrypted);
    let encryptor = Encryptor::from_jwk(public).unwrap();
    let mut sent = Vec::new();
    for form in &registry.forms {
        let mut stored_for_form = 0;
        for (n, mut example) in examples(&form.municipality.id, &form.form.id, form.form.version)
            .into_iter()
            .enumerate()
        {
            let mut uploads = Vec::new();
            let mut files = Vec::new();
            for field in form.form.fields() {
                if field.kind != FieldType::File {
                    continue;
                }
                let Some(Value::Object(file)) = example.data.get(&field.id).cloned() else {
                    continue;
                };
                let media_type = file["type"].as_str().unwrap().to_string();
                let marker = format!("MARKER{}", Uuid::new_v4().simple());
                let bytes = file_bytes(&media_type, &marker);
                let sha256 = protocol::sha256_hex(&bytes);
                example.data.insert(
                    field.id.clone(),
                    json!({"name": file["name"], "type": media_type, "size": bytes.len(), "sha256": sha256}),
                );
                uploads.push(Upload {
                    field: field.id.clone(),
                    bytes: Bytes::from(bytes.clone()),
                    media_type,
                    sha256,
                });
                files.push((field.id.clone(), bytes));
            }
            let Ok(clean) =
                inbox::contract::adapt(form, &mut example, submit_fn::clock::german_date(NOW))
            else {
                continue;
            };
            let id = Uuid::new_v4();
            let submission = protocol::Submission {
                form,
                id,
                language: &example.language,
                data: clean.clone(),
                awaiting_payment: false,
                payment_declined: false,
                uploads,
                encryption: encrypted.then_some(&encryptor),
                amount_due: (!form.form.fees.is_empty())
                    .then(|| form_model::fees::amount_due(&form.form, &clean, NOW.date())),
                identity: None,
                store_refuses_overwrite: store.honours_create_only() == Some(true),
            };
            // Spread over two days, so date filters have something to do.
            let when = NOW + time::Duration::days((n % 2) as i64);
            protocol::write(store, submission, when).await.unwrap();
            sent.push(Sent {
                municipality: form.municipality.id.clone(),
                form: form.form.id.clone(),
                id,
                data: clean,
                files,
            });
            stored_for_form += 1;
        }
        assert!(
            stored_for_form > 0,
            "no example of {}/{} is valid",
            form.municipality.id,
            form.form.id
        );
    }
    assert!(sent.iter().any(|s| !s.files.is_empty()), "some have files");
    sent
}

/// A store in a fresh bucket of moto, under the prefix `eingang`.
pub async fn s3_store() -> (Arc<S3Store>, aws_sdk_s3::Client, String) {
    let client = s3_client();
    let bucket = test_support::moto::bucket(&client).await;
    let store = Arc::new(S3Store::new(client.clone(), bucket.clone(), "eingang"));
    (store, client, bucket)
}

/// Every object's key and bytes in a bucket.
pub async fn all_objects(client: &aws_sdk_s3::Client, bucket: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let list = client
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    for o in list.contents() {
        let key = o.key().unwrap().to_string();
        let body = client
            .get_object()
            .bucket(bucket)
            .key(&key)
            .send()
            .await
            .unwrap()
            .body
            .collect()
            .await
            .unwrap()
            .into_bytes()
            .to_vec();
        out.push((key, body));
    }
    out
}

/// Records which run delivered what; idempotent by id like a real importer's table.
#[derive(Clone, Default)]
pub struct Recorder {
    pub run: usize,
    pub delivered: Arc<std::sync::Mutex<std::collections::BTreeMap<Uuid, Vec<usize>>>>,
}

impl inbox::import::Sink for Recorder {
    fn deliver(&mut self, pulled: &inbox::Pulled) -> Result<(), String> {
        let mut d = self.delivered.lock().unwrap();
        d.entry(pulled.record.id).or_default().push(self.run);
        Ok(())
    }
}

/// An import run of `municipality`'s new submissions into `sink`, as its own task, at [`NOW`]
/// with 15-minute leases.
pub fn spawn_import(
    store: Arc<dyn Store>,
    municipality: String,
    owner: String,
    mut sink: Recorder,
) -> tokio::task::JoinHandle<Result<inbox::import::RunReport, inbox::InboxError>> {
    tokio::spawn(async move {
        let inbox = inbox(store);
        let now = || NOW;
        let opts = inbox::import::RunOptions {
            owner,
            lease: time::Duration::minutes(15),
            now: &now,
        };
        let filter = inbox::Filter {
            municipality,
            ..inbox::Filter::default()
        };
        inbox::import::run(&inbox, &filter, &opts, &mut sink).await
    })
}
