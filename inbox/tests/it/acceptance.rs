//! The acceptance invariant of the submission function, as property tests (issue 16): for
//! generated submissions — valid ones from each published form's examples, mutated ones, and
//! adversarial ones (random names, list indexes, encodings, file parts, types, contents) — the
//! handler never panics; it answers 201 exactly when form-model's validation accepts what was
//! sent (and every file is what it claims to be); nothing is stored otherwise; and every 201 is
//! imported by the back office without error (`Inbox::pull`: hashes, metadata and the form's
//! JSON Schema checked), with the validated data and the sent files.
//!
//! The case counts are in the test names (100,000 in memory: 2 × 20,000 multipart, 30,000 urlencoded and 30,000 JSON posts; 300 on moto). With
//! `FORMFABRIK_ACCEPTANCE_CASES=N` the in-memory tests run N cases in all (in the same
//! proportions); `FORMFABRIK_ACCEPTANCE_S3_CASES` sets the moto count and
//! `FORMFABRIK_ACCEPTANCE_SEED` changes the (otherwise fixed) seed. `bench/submission` runs ten
//! million cases that way.

use std::sync::{Arc, OnceLock};

use crate::common::*;
use bytes::Bytes;
use form_model::form_post;
use form_model::model::{Field, FieldType};
use form_model::registry::Registry;
use form_model::resolve::ResolvedForm;
use form_model::validate::{Submission, validate};
use http::{Request, StatusCode, header};
use inbox::{Filter, Inbox, Schemas};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};
use store::{MemoryStore, S3Store, Store};
use submit_fn::{FixedClock, Handler};
use uuid::Uuid;

/// A valid submission of a published (unencrypted) form: the seed that cases mutate.
struct Seed {
    form: ResolvedForm,
    submission: Submission,
}

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| crate::common::registry(false))
}

fn seeds() -> &'static Vec<Seed> {
    static S: OnceLock<Vec<Seed>> = OnceLock::new();
    S.get_or_init(|| {
        let today = submit_fn::clock::german_date(NOW);
        let mut out = Vec::new();
        for form in &registry().forms {
            // A form that requires sign-in refuses every anonymous post before validating it
            // (submit-fn's sign_in tests cover that); the property is about the others.
            if form.form.identity.required().is_some() {
                continue;
            }
            // A form that requires payment is handed on only once paid (submit-fn's payment
            // tests cover the way there); the property is about what a post stores at once.
            if form.form.payment == form_model::model::PaymentMode::Required {
                continue;
            }
            for mut example in examples(&form.municipality.id, &form.form.id, form.form.version) {
                if inbox::contract::adapt(form, &mut example, today).is_ok() {
                    out.push(Seed {
                        form: form.clone(),
                        submission: example,
                    });
                }
            }
        }
        assert!(out.len() >= 20, "{} seeds", out.len());
        out
    })
}

/// Every field id of every form: names that address something somewhere.
fn field_ids() -> &'static Vec<String> {
    static F: OnceLock<Vec<String>> = OnceLock::new();
    F.get_or_init(|| {
        let mut ids: Vec<String> = registry()
            .forms
            .iter()
            .flat_map(|f| {
                f.form
                    .all_fields()
                    .map(|x| x.id.clone())
                    .collect::<Vec<_>>()
            })
            .collect();
        ids.sort();
        ids.dedup();
        ids
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Json,
    UrlEncoded,
    Multipart,
}

/// Kinds of file content, each with bytes the test knows the format of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    Pdf,
    Png,
    Jpeg,
    Html,
    /// Letters without any format's signature.
    Plain,
    Empty,
}

const DECLARED: [&str; 6] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/html",
    "application/octet-stream",
    "image/gif",
];

impl Content {
    fn bytes(self, marker: &str) -> Vec<u8> {
        match self {
            Content::Pdf => format!("%PDF-1.4\n% {marker}\n%%EOF\n").into_bytes(),
            Content::Png => [
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice(),
                marker.as_bytes(),
            ]
            .concat(),
            Content::Jpeg => [
                b"\xFF\xD8\xFF\xE0".as_slice(),
                marker.as_bytes(),
                b"\xFF\xD9",
            ]
            .concat(),
            Content::Html => {
                format!("<!DOCTYPE html><html><body>{marker}</body></html>").into_bytes()
            }
            Content::Plain => format!("zz {marker}").into_bytes(),
            Content::Empty => Vec::new(),
        }
    }

    /// Whether bytes of this kind are of the declared type, as the test knows it (the oracle
    /// for the function's magic-byte check).
    fn is(self, declared: &str) -> bool {
        match self {
            Content::Pdf => declared == "application/pdf",
            Content::Png => declared == "image/png",
            Content::Jpeg => declared == "image/jpeg",
            Content::Html => declared == "text/html",
            Content::Plain | Content::Empty => declared == "application/octet-stream",
        }
    }

    fn of(declared: &str) -> Content {
        match declared {
            "image/png" => Content::Png,
            "image/jpeg" => Content::Jpeg,
            _ => Content::Pdf,
        }
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Removes the n-th answer (modulo their number).
    Remove(usize),
    /// Sets the n-th answer to a text.
    SetText(usize, String),
    /// Adds a name and a value as sent (form posts: a pair; JSON: a top-level key).
    Add(String, String),
    /// Adds a file part under a name.
    File {
        name: String,
        file_name: String,
        declared: usize,
        content: Content,
    },
    /// Changes the declared type or the content of the n-th file of the seed.
    Retype(usize, usize),
    Recontent(usize, Content),
    Language(String),
}

/// A string strategy for `pattern`, compiled once (a `&str` strategy compiles per case).
fn regex(pattern: &str) -> BoxedStrategy<String> {
    proptest::string::string_regex(pattern)
        .expect("a valid generator pattern")
        .boxed()
}

fn name_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(field_ids().clone()),
        3 => proptest::sample::select(vec!["0", "1", "2", "4", "5", "199", "200", "999", "01", "-1", "x", "", "street", "postcode"]).prop_map(String::from),
        1 => regex("[a-zäß]{1,5}"),
    ];
    (proptest::collection::vec(piece, 1..4), any::<bool>()).prop_map(|(pieces, trailing)| {
        let mut name = pieces.join(".");
        if trailing {
            name.push('.');
        }
        name
    })
}

fn value_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        regex("[a-zA-Z0-9äöüß .@/-]{1,12}"),
        proptest::sample::select(vec![
            "ja",
            "nein",
            "1",
            "12",
            "2026-11-28",
            "1900-01-01",
            "35390",
            "DE89370400440532013000",
            "erika@example.org",
            "0641 123456",
            "moebel",
        ])
        .prop_map(String::from),
        regex("[a-z]{1,4}\u{202E}[a-z]{1,4}"),
    ]
}

fn content_strategy() -> impl Strategy<Value = Content> {
    proptest::sample::select(vec![
        Content::Pdf,
        Content::Png,
        Content::Jpeg,
        Content::Html,
        Content::Plain,
        Content::Empty,
    ])
}

fn mutation_strategy() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<usize>().prop_map(Mutation::Remove),
        3 => (any::<usize>(), value_strategy()).prop_map(|(i, v)| Mutation::SetText(i, v)),
        4 => (name_strategy(), value_strategy()).prop_map(|(n, v)| Mutation::Add(n, v)),
        3 => (
            name_strategy(),
            regex("[a-zA-Z0-9 _-]{0,8}(\\.pdf|\\.png|\\.jpg|\u{202E}fdp\\.exe|)"),
            0..DECLARED.len(),
            content_strategy()
        )
            .prop_map(|(name, file_name, declared, content)| Mutation::File {
                name,
                file_name,
                declared,
                content
            }),
        2 => (any::<usize>(), 0..DECLARED.len()).prop_map(|(i, d)| Mutation::Retype(i, d)),
        2 => (any::<usize>(), content_strategy()).prop_map(|(i, c)| Mutation::Recontent(i, c)),
        1 => proptest::sample::select(vec!["de", "en", "ar", "fr", ""]).prop_map(|l| Mutation::Language(l.into())),
    ]
}

/// One generated case: a seed, an encoding and what is done to it. Most cases are mutated;
/// a tenth are sent as they are (valid submissions).
fn case_strategy(
    encodings: Vec<Encoding>,
) -> impl Strategy<Value = (usize, Encoding, Vec<Mutation>)> {
    (
        0..seeds().len(),
        proptest::sample::select(encodings),
        prop_oneof![1 => Just(Vec::new()), 9 => proptest::collection::vec(mutation_strategy(), 1..6)],
    )
}

/// A file part of a case.
#[derive(Debug, Clone)]
struct FilePart {
    name: String,
    file_name: String,
    declared: String,
    content: Content,
    bytes: Vec<u8>,
}

/// A case made concrete: what is sent, and what form-model says about it.
struct Built {
    request: Request<Bytes>,
    /// The submission as form-model sees it (the oracle's input); `None` when the body
    /// cannot be a submission at all (the function must then answer 400).
    submission: Option<Submission>,
    files: Vec<FilePart>,
    id: Uuid,
}

/// Input names and values for `data` as a page sends them; file answers become file parts.
fn pairs_of(
    data: &Map<String, Value>,
    prefix: &str,
    pairs: &mut Vec<(String, String)>,
    files: &mut Vec<FilePart>,
    marker: &str,
) {
    for (key, value) in data {
        let name = format!("{prefix}{key}");
        match value {
            Value::Object(o) if o.contains_key("sha256") => {
                let declared = o["type"].as_str().unwrap_or("application/pdf").to_string();
                let content = Content::of(&declared);
                files.push(FilePart {
                    bytes: content.bytes(&format!("{marker}-{name}")),
                    name,
                    file_name: o["name"].as_str().unwrap_or("datei.pdf").to_string(),
                    declared,
                    content,
                });
            }
            Value::Object(o) => pairs_of(o, &format!("{name}."), pairs, files, marker),
            Value::Array(items) if items.iter().all(Value::is_object) => {
                for (i, item) in items.iter().enumerate() {
                    pairs_of(
                        item.as_object().unwrap(),
                        &format!("{name}.{i}."),
                        pairs,
                        files,
                        marker,
                    );
                }
            }
            Value::Array(items) => {
                for item in items {
                    pairs.push((name.clone(), text(item)));
                }
            }
            other => pairs.push((name, text(other))),
        }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn urlencode(pairs: &[(String, String)]) -> Vec<u8> {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

const BOUNDARY: &str = "----formfabrik-property-7MA4YWxkTrZu0gW";

fn multipart(pairs: &[(String, String)], files: &[FilePart]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in pairs {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for f in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                f.name, f.file_name, f.declared
            )
            .as_bytes(),
        );
        body.extend_from_slice(&f.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Whether `data` answers a file question anywhere (JSON cannot carry files).
fn claims_a_file(fields: &[Field], data: &Map<String, Value>) -> bool {
    fields.iter().any(|f| match (f.kind, data.get(&f.id)) {
        (FieldType::File, Some(v)) => form_model::validate::is_answered(v),
        (FieldType::Group, Some(Value::Object(o))) => claims_a_file(&f.fields, o),
        (FieldType::Group, Some(Value::Array(items))) => items
            .iter()
            .filter_map(Value::as_object)
            .any(|o| claims_a_file(&f.fields, o)),
        _ => false,
    })
}

fn build(seed: &Seed, encoding: Encoding, mutations: &[Mutation], n: u64) -> Built {
    let form = &seed.form;
    let id =
        uuid::Builder::from_random_bytes((u128::from(n) << 8 | 0x5a).to_be_bytes()).into_uuid();
    let marker = format!("M{n}");
    let mut data = seed.submission.data.clone();
    let mut language = seed.submission.language.clone();
    let mut extra_pairs = Vec::new();
    let mut extra_files = Vec::new();
    // Mutations of the answers themselves (all encodings).
    for m in mutations {
        match m {
            Mutation::Remove(i) if !data.is_empty() => {
                let key = data.keys().nth(i % data.len()).unwrap().clone();
                data.remove(&key);
            }
            Mutation::SetText(i, v) if !data.is_empty() => {
                let key = data.keys().nth(i % data.len()).unwrap().clone();
                data.insert(key, json!(v));
            }
            Mutation::Add(name, value) => extra_pairs.push((name.clone(), value.clone())),
            Mutation::File {
                name,
                file_name,
                declared,
                content,
            } => extra_files.push(FilePart {
                name: name.clone(),
                file_name: file_name.clone(),
                declared: DECLARED[*declared].to_string(),
                content: *content,
                bytes: content.bytes(&format!("{marker}-x{}", extra_files.len())),
            }),
            Mutation::Language(l) => language = l.clone(),
            _ => {}
        }
    }
    let path = format!("/v1/{}/{}", form.municipality.id, form.form.id);
    if encoding == Encoding::Json {
        for (name, value) in &extra_pairs {
            data.insert(name.clone(), json!(value));
        }
        for f in &extra_files {
            data.insert(
                f.name.clone(),
                json!({ "name": f.file_name, "type": f.declared, "size": f.bytes.len() }),
            );
        }
        let body = json!({ "id": id, "language": language, "data": data });
        let request = Request::post(&path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Bytes::from(serde_json::to_vec(&body).unwrap()))
            .unwrap();
        let top: Vec<Field> = form.form.fields().cloned().collect();
        let submission = (!claims_a_file(&top, &data)).then(|| Submission { language, data });
        return Built {
            request,
            submission,
            files: Vec::new(),
            id,
        };
    }
    let mut pairs = vec![
        ("_lang".to_string(), language),
        ("_id".to_string(), id.to_string()),
    ];
    let mut files = Vec::new();
    pairs_of(&data, "", &mut pairs, &mut files, &marker);
    // Changes to the seed's own files.
    for m in mutations {
        match m {
            Mutation::Retype(i, d) if !files.is_empty() => {
                let k = i % files.len();
                files[k].declared = DECLARED[*d].to_string();
            }
            Mutation::Recontent(i, c) if !files.is_empty() => {
                let k = i % files.len();
                files[k].content = *c;
                files[k].bytes = c.bytes(&format!("{marker}-r{k}"));
            }
            _ => {}
        }
    }
    pairs.extend(extra_pairs);
    files.extend(extra_files);
    let (content_type, body, files) = match encoding {
        Encoding::UrlEncoded => {
            // A form without enctype sends the file's name as text.
            for f in &files {
                pairs.push((f.name.clone(), f.file_name.clone()));
            }
            (
                "application/x-www-form-urlencoded".to_string(),
                urlencode(&pairs),
                Vec::new(),
            )
        }
        _ => (
            format!("multipart/form-data; boundary={BOUNDARY}"),
            multipart(&pairs, &files),
            files,
        ),
    };
    let request = Request::post(&path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json")
        .body(Bytes::from(body))
        .unwrap();
    // The oracle's view: form-model's decoding of the pairs, each file (but an empty part
    // without a name: "no file chosen") as its value where its name says.
    let bad_name = files
        .iter()
        .any(|f| f.file_name == "." || f.file_name == "..");
    let text_pairs: Vec<(String, String)> = pairs.clone();
    let post = form_post::decode(form, text_pairs);
    let mut sub = post.submission;
    let mut sent_files = Vec::new();
    for f in files {
        if f.file_name.is_empty() && f.bytes.is_empty() {
            continue;
        }
        let value = json!({
            "name": f.file_name,
            "type": f.declared,
            "size": f.bytes.len(),
            "sha256": store::protocol::sha256_hex(&f.bytes),
        });
        form_post::insert(form, &mut sub.data, &f.name, value);
        sent_files.push(f);
    }
    Built {
        request,
        submission: (!bad_name).then_some(sub),
        files: sent_files,
        id,
    }
}

/// Checks one case against `handler` and its `store`; `fresh` tells whether only this case's
/// objects are in the store (memory) or the store is shared (S3: compared by prefix).
async fn check(
    handler: &Handler,
    inbox: &Inbox,
    store: &dyn Store,
    seed: &Seed,
    built: Built,
) -> Result<StatusCode, TestCaseError> {
    let form = &seed.form;
    let m = &form.municipality.id;
    let expected_clean = built.submission.as_ref().and_then(|s| {
        let clean = validate(form, s, submit_fn::clock::german_date(NOW)).ok()?;
        // Every file must be what it claims to be.
        built
            .files
            .iter()
            .all(|f| f.content.is(&f.declared))
            .then_some(clean)
    });
    let response = handler.handle(built.request).await;
    let status = response.status();
    prop_assert!(
        matches!(status.as_u16(), 201 | 400 | 422),
        "status {status}: {}",
        String::from_utf8_lossy(response.body())
    );
    let id_prefix = |k: &String| k.contains(&built.id.hyphenated().to_string());
    let stored: Vec<String> = store
        .list("")
        .await
        .unwrap()
        .into_iter()
        .filter(id_prefix)
        .collect();
    match expected_clean {
        Some(clean) => {
            prop_assert_eq!(
                status,
                StatusCode::CREATED,
                "form-model accepts, the function said {}",
                String::from_utf8_lossy(response.body())
            );
            let entry = inbox
                .list(&Filter {
                    municipality: m.clone(),
                    form: Some(form.form.id.clone()),
                    ..Filter::default()
                })
                .await
                .unwrap()
                .into_iter()
                .find(|e| e.id == built.id);
            prop_assert!(
                entry.is_some(),
                "201 but no complete submission: {stored:?}"
            );
            let pulled = inbox.pull(&entry.unwrap()).await;
            prop_assert!(
                pulled.is_ok(),
                "201 but the import fails: {}",
                pulled.err().unwrap()
            );
            let pulled = pulled.unwrap();
            prop_assert_eq!(&pulled.record.data, &clean);
            let mut want: Vec<Vec<u8>> = built.files.iter().map(|f| f.bytes.clone()).collect();
            let mut got: Vec<Vec<u8>> = pulled.files.iter().map(|f| f.bytes.to_vec()).collect();
            want.sort();
            got.sort();
            prop_assert_eq!(got, want, "the stored files are exactly the sent ones");
        }
        None => {
            prop_assert_ne!(
                status,
                StatusCode::CREATED,
                "form-model refuses, the function stored it"
            );
            prop_assert!(stored.is_empty(), "{status} but stored {stored:?}");
        }
    }
    Ok(status)
}

/// How many cases: `base` times `FORMFABRIK_ACCEPTANCE_CASES / 100000` when that is set.
fn cases(base: u32) -> u32 {
    match std::env::var("FORMFABRIK_ACCEPTANCE_CASES")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        Some(total) => ((u64::from(base) * total) / 100_000).max(1) as u32,
        None => base,
    }
}

fn rng(salt: u8) -> TestRng {
    let seed: u64 = std::env::var("FORMFABRIK_ACCEPTANCE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8] = salt;
    TestRng::from_seed(RngAlgorithm::XorShift, &bytes[..16])
}

fn handler_on(store: Arc<dyn Store>) -> Handler {
    Handler::new(registry().clone(), store).with_clock(Arc::new(FixedClock(NOW)))
}

/// Runs `n` cases of `encodings` on a memory store (emptied after each case).
fn run_in_memory(name: &str, n: u32, encodings: Vec<Encoding>, salt: u8) {
    let n = cases(n);
    let store = Arc::new(MemoryStore::new());
    let handler = handler_on(store.clone());
    let inbox = Inbox::new(store.clone(), None, Schemas::from_registry(registry()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: n,
            failure_persistence: None,
            ..Config::default()
        },
        rng(salt),
    );
    let counter = std::cell::Cell::new(0u64);
    let counts = std::cell::RefCell::new([0u64; 3]);
    let started = std::time::Instant::now();
    let result = runner.run(&case_strategy(encodings), |(seed, encoding, mutations)| {
        let k = counter.get() + u64::from(salt) * 1_000_000_000_000;
        counter.set(counter.get() + 1);
        let seed = &seeds()[seed];
        let built = build(seed, encoding, &mutations, k);
        let status = rt.block_on(check(&handler, &inbox, store.as_ref(), seed, built))?;
        let slot = match status.as_u16() {
            201 => 0,
            422 => 1,
            _ => 2,
        };
        counts.borrow_mut()[slot] += 1;
        for key in store.keys() {
            rt.block_on(store.delete(&key)).unwrap();
        }
        Ok(())
    });
    let [created, invalid, refused] = *counts.borrow();
    eprintln!(
        "{name}: {} generated cases in {:.1} s (201: {created}, 422: {invalid}, 400: {refused}), every 201 imported",
        counter.get(),
        started.elapsed().as_secs_f64()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(
        created > u64::from(n) / 50,
        "too few valid cases: {created} of {n}"
    );
}

// Multipart cases cost the most; two tests of them keep both test threads busy.
#[test]
fn every_201_is_importable_over_20000_generated_multipart_posts() {
    run_in_memory("multipart", 20_000, vec![Encoding::Multipart], 1);
}

#[test]
fn every_201_is_importable_over_20000_more_generated_multipart_posts() {
    run_in_memory("multipart", 20_000, vec![Encoding::Multipart], 5);
}

#[test]
fn every_201_is_importable_over_30000_generated_urlencoded_posts() {
    run_in_memory("urlencoded", 30_000, vec![Encoding::UrlEncoded], 2);
}

#[test]
fn every_201_is_importable_over_30000_generated_json_posts() {
    run_in_memory("json", 30_000, vec![Encoding::Json], 3);
}

/// The same property against the S3 store on the real S3-protocol server (moto).
#[test]
fn every_201_is_importable_over_300_generated_posts_on_the_s3_protocol_server() {
    // Not scaled with the others: moto answers in milliseconds, not microseconds.
    let n = std::env::var("FORMFABRIK_ACCEPTANCE_S3_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (store, _client, _bucket): (Arc<S3Store>, _, _) = rt.block_on(s3_store());
    let store: Arc<dyn Store> = store;
    let handler = handler_on(store.clone());
    let inbox = Inbox::new(store.clone(), None, Schemas::from_registry(registry()));
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: n,
            failure_persistence: None,
            ..Config::default()
        },
        rng(4),
    );
    let counter = std::cell::Cell::new(0u64);
    let created = std::cell::Cell::new(0u64);
    let result = runner.run(
        &case_strategy(vec![
            Encoding::Json,
            Encoding::UrlEncoded,
            Encoding::Multipart,
        ]),
        |(seed, encoding, mutations)| {
            let k = 4_000_000_000_000 + counter.get();
            counter.set(counter.get() + 1);
            let seed = &seeds()[seed];
            let built = build(seed, encoding, &mutations, k);
            let status = rt.block_on(check(&handler, &inbox, store.as_ref(), seed, built))?;
            if status == StatusCode::CREATED {
                created.set(created.get() + 1);
            }
            Ok(())
        },
    );
    eprintln!(
        "s3 (moto): {} generated cases, {} stored and imported",
        counter.get(),
        created.get()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(created.get() > 0);
}
