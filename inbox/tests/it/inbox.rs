//! The back office's inbox against a real S3-protocol server (moto) and a folder store:
//! encrypt → store → list → pull → decrypt → verify for every published catalog form, tamper
//! detection, exactly-once imports by concurrent and crashed runs.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use crate::common::*;
use bytes::Bytes;
use inbox::import::{self, Acquired, FolderSink, RunOptions, Sink};
use inbox::{Filter, Inbox, InboxError};
use store::crypto::Encryptor;
use store::{FolderStore, Store};
use time::{Duration, OffsetDateTime};

fn filter(municipality: &str) -> Filter {
    Filter {
        municipality: municipality.into(),
        ..Filter::default()
    }
}

fn municipalities(sent: &[Sent]) -> Vec<String> {
    let mut m: Vec<String> = sent.iter().map(|s| s.municipality.clone()).collect();
    m.sort();
    m.dedup();
    m
}

async fn pull_all_and_compare(inbox: &Inbox, sent: &[Sent]) {
    let mut pulled = 0;
    for m in municipalities(sent) {
        for entry in inbox.list(&filter(&m)).await.unwrap() {
            assert!(entry.encrypted);
            let p = inbox.pull(&entry).await.unwrap();
            let s = sent.iter().find(|s| s.id == entry.id).unwrap();
            assert_eq!(p.record.data, s.data, "{}/{}", s.municipality, s.form);
            assert_eq!(p.files.len(), s.files.len());
            for (f, (field, bytes)) in p.files.iter().zip(&s.files) {
                assert_eq!(&f.attachment.field, field);
                assert_eq!(f.bytes.as_ref(), bytes.as_slice());
                assert!(f.attachment.key.ends_with(".jwe"));
            }
            assert_eq!(
                p.metadata["$schema"],
                "https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json"
            );
            assert_eq!(
                p.metadata["additionalReferenceInfo"]["senderReference"],
                p.record.reference
            );
            let form = registry(false)
                .form(&s.municipality, &s.form)
                .unwrap()
                .clone();
            match &form.service {
                Some(urn) => assert_eq!(p.metadata["publicServiceType"]["identifier"], *urn),
                None => assert!(p.metadata.get("publicServiceType").is_none()),
            }
            assert_eq!(
                p.metadata.get("paymentInformation").is_some(),
                !form.form.fees.is_empty(),
                "{}",
                s.form
            );
            let hashes = p.metadata["contentStructure"]["attachments"]
                .as_array()
                .map_or(0, Vec::len);
            assert_eq!(hashes, s.files.len());
            pulled += 1;
        }
    }
    assert_eq!(pulled, sent.len());
}

#[tokio::test]
async fn every_catalog_form_round_trips_encrypted_with_attachments_through_s3() {
    let (store, client, bucket) = s3_store().await;
    let sent = store_all(store.as_ref(), true).await;
    assert!(sent.len() >= 10, "{} examples", sent.len());

    // The bucket holds ciphertext only: no submitted value in any object or key.
    let objects = all_objects(&client, &bucket).await;
    for (key, bytes) in &objects {
        let text = String::from_utf8_lossy(bytes);
        if !key.contains("/_claims/") {
            assert!(key.ends_with(".jwe"), "{key} is not encrypted");
            assert_eq!(text.split('.').count(), 5, "{key} is not JWE compact");
        }
        for s in &sent {
            for secret in s.secrets() {
                assert!(!text.contains(&secret), "{key} contains {secret:?}");
                assert!(!key.contains(&secret), "key {key} contains {secret:?}");
            }
        }
    }
    pull_all_and_compare(&inbox(store), &sent).await;
}

#[tokio::test]
async fn every_catalog_form_round_trips_encrypted_through_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let sent = store_all(store.as_ref(), true).await;
    pull_all_and_compare(&inbox(store), &sent).await;
}

#[tokio::test]
async fn the_function_stores_only_ciphertext_and_metadata_for_a_municipality_with_a_key() {
    use http::{Request, header};
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let handler = submit_fn::Handler::new(registry(true), store.clone())
        .with_clock(Arc::new(submit_fn::FixedClock(NOW)));
    let example: serde_json::Value =
        serde_json::from_str(
            &std::fs::read_to_string(repo().join(
                "tests/fixtures/submissions/sperrmuell-anmeldung@1/moebel-mit-abstellort.json",
            ))
            .unwrap(),
        )
        .unwrap();
    let request = Request::post("/v1/musterstadt/sperrmuell-anmeldung")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(example.to_string()))
        .unwrap();
    let response = handler.handle(request).await;
    assert_eq!(response.status(), 201, "{:?}", response.body());
    let keys = store.list("musterstadt/").await.unwrap();
    let names: Vec<&str> = keys.iter().map(|k| k.rsplit('/').next().unwrap()).collect();
    // Record and metadata in one envelope, one JWE.
    assert_eq!(names, vec!["submission.jwe"]);
    let entries = inbox(store.clone())
        .list(&filter("musterstadt"))
        .await
        .unwrap();
    let pulled = inbox(store).pull(&entries[0]).await.unwrap();
    assert_eq!(
        pulled.record.data["anschrift"],
        example["data"]["anschrift"]
    );
    let stored = std::fs::read_to_string(tmp.path().join(entries[0].record_key())).unwrap();
    assert!(!stored.contains("Lindenweg") && !stored.contains("Becker"));
    // A form with a LeiKa key names the service; fees come with payment information.
    let meta = &pulled.metadata;
    assert!(
        meta["contentStructure"]["data"]["hash"]["content"]
            .as_str()
            .unwrap()
            .len()
            == 128
    );
    assert_eq!(
        meta["contentStructure"]["data"]["submissionSchema"]["schemaUri"],
        "urn:formfabrik:schema:musterstadt:sperrmuell-anmeldung:v1"
    );
}

#[tokio::test]
async fn a_tampered_record_or_attachment_is_detected() {
    let (store, client, bucket) = s3_store().await;
    let sent = store_all(store.as_ref(), true).await;
    let inbox = inbox(store.clone());
    let with_files = sent.iter().find(|s| !s.files.is_empty()).unwrap();
    let entries = inbox.list(&filter(&with_files.municipality)).await.unwrap();
    let entry = entries.iter().find(|e| e.id == with_files.id).unwrap();
    let pulled = inbox.pull(entry).await.unwrap();
    let attachment_key = pulled.files[0].attachment.key.clone();
    let encryptor = Encryptor::from_jwk(&public_key()).unwrap();
    let overwrite = |key: String, bytes: Vec<u8>| {
        let client = client.clone();
        let bucket = bucket.clone();
        async move {
            client
                .put_object()
                .bucket(bucket)
                .key(key)
                .body(bytes.into())
                .send()
                .await
                .unwrap();
        }
    };
    let original = all_objects(&client, &bucket)
        .await
        .into_iter()
        .find(|(k, _)| *k == attachment_key)
        .unwrap()
        .1;

    // 1. A flipped byte in the ciphertext: the GCM tag does not match.
    let mut flipped = original.clone();
    let last = flipped.len() - 30;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    overwrite(attachment_key.clone(), flipped).await;
    let err = inbox.pull(entry).await.unwrap_err();
    assert!(matches!(err, InboxError::Decrypt { .. }), "{err}");

    // 2. A different file, validly encrypted with the public key: the hashes do not match.
    let forged = encryptor
        .encrypt(b"%PDF-1.4 forged", "application/pdf")
        .unwrap();
    overwrite(attachment_key.clone(), forged.into_bytes()).await;
    let err = inbox.pull(entry).await.unwrap_err();
    assert!(
        matches!(&err, InboxError::Mismatch { what, .. } if what == "sha256"),
        "{err}"
    );
    overwrite(attachment_key, original).await;
    inbox.pull(entry).await.unwrap();

    // 3. A changed record beside the metadata in its envelope, validly encrypted: the
    // metadata's sha512 does not match.
    let mut record = pulled.record.clone();
    record.reference = "MUS-2026-FORGED".into();
    let envelope = store::envelope::envelope(
        &serde_json::to_vec_pretty(&record).unwrap(),
        &serde_json::to_vec_pretty(&pulled.metadata).unwrap(),
    );
    let forged = encryptor.encrypt(&envelope, "application/json").unwrap();
    overwrite(
        format!("eingang/{}", entry.record_key()),
        forged.into_bytes(),
    )
    .await;
    let err = inbox.pull(entry).await.unwrap_err();
    assert!(
        matches!(&err, InboxError::Mismatch { what, .. } if what.starts_with("sha512")),
        "{err}"
    );

    // 4. A missing attachment.
    let other = entries
        .iter()
        .find(|e| e.id != entry.id && sent.iter().any(|s| s.id == e.id && !s.files.is_empty()));
    if let Some(other) = other {
        let p = inbox.pull(other).await.unwrap();
        client
            .delete_object()
            .bucket(&bucket)
            .key(&p.files[0].attachment.key)
            .send()
            .await
            .unwrap();
        let err = inbox.pull(other).await.unwrap_err();
        assert!(matches!(err, InboxError::Missing { .. }), "{err}");
    }
}

#[tokio::test]
async fn data_that_does_not_match_the_schema_fails_loudly() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let sent = store_all(store.as_ref(), false).await;
    let s = &sent[0];
    let inbox = Inbox::new(
        store.clone(),
        None,
        inbox::Schemas::from_registry(&registry(false)),
    );
    let entry = inbox
        .list(&filter(&s.municipality))
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.id == s.id)
        .unwrap();
    assert!(!entry.encrypted);
    // Rewrite record and metadata consistently, with data the schema refuses.
    let pulled = inbox.pull(&entry).await.unwrap();
    let mut record = pulled.record.clone();
    record
        .data
        .insert("unbekannt".into(), serde_json::json!("x"));
    record
        .data
        .remove(record.data.keys().next().unwrap().clone().as_str());
    let bytes = serde_json::to_vec_pretty(&record).unwrap();
    let mut meta = pulled.metadata.clone();
    meta["contentStructure"]["data"]["hash"]["content"] =
        store::metadata::sha512_hex(&bytes).into();
    let dir = tmp.path().join(&entry.dir);
    std::fs::write(dir.join("submission.json"), &bytes).unwrap();
    std::fs::write(
        dir.join("metadata.json"),
        serde_json::to_vec(&meta).unwrap(),
    )
    .unwrap();
    let err = inbox.pull(&entry).await.unwrap_err();
    assert!(matches!(err, InboxError::Invalid { .. }), "{err}");
}

#[tokio::test]
async fn list_filters_by_form_and_date_and_hides_acknowledged_submissions() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let sent = store_all(store.as_ref(), true).await;
    let inbox = inbox(store);
    let mine: Vec<&Sent> = sent
        .iter()
        .filter(|s| s.municipality == "musterstadt")
        .collect();
    let all = inbox.list(&filter("musterstadt")).await.unwrap();
    assert_eq!(all.len(), mine.len());
    let one_form = inbox
        .list(&Filter {
            form: Some("sperrmuell-anmeldung".into()),
            ..filter("musterstadt")
        })
        .await
        .unwrap();
    assert!(!one_form.is_empty());
    assert!(one_form.iter().all(|e| e.form == "sperrmuell-anmeldung"));
    let day = NOW.date();
    let first_day = inbox
        .list(&Filter {
            from: Some(day),
            to: Some(day),
            ..filter("musterstadt")
        })
        .await
        .unwrap();
    assert!(!first_day.is_empty() && first_day.len() < all.len());
    assert!(first_day.iter().all(|e| e.date == day));

    assert!(
        import::ack(&inbox, &all[0], None, "test", NOW)
            .await
            .unwrap()
    );
    assert!(
        !import::ack(&inbox, &all[0], None, "test", NOW)
            .await
            .unwrap(),
        "idempotent"
    );
    let new = inbox.list(&filter("musterstadt")).await.unwrap();
    assert_eq!(new.len(), all.len() - 1);
    let with_acked = inbox
        .list(&Filter {
            include_acked: true,
            ..filter("musterstadt")
        })
        .await
        .unwrap();
    assert_eq!(with_acked.iter().filter(|e| e.acked).count(), 1);
}

#[tokio::test]
async fn two_concurrent_import_runs_import_every_submission_exactly_once() {
    let (store, _client, _bucket) = s3_store().await;
    let sent = store_all(store.as_ref(), true).await;
    let delivered = Arc::new(Mutex::new(BTreeMap::new()));
    let mut imported = Vec::new();
    for m in municipalities(&sent) {
        let runs: Vec<_> = (1..=2)
            .map(|run| {
                let sink = Recorder {
                    run,
                    delivered: delivered.clone(),
                };
                spawn_import(store.clone(), m.clone(), format!("run-{run}"), sink)
            })
            .collect();
        for r in runs {
            let report = r.await.unwrap().unwrap();
            assert!(report.failed.is_empty(), "{:?}", report.failed);
            imported.extend(report.imported);
        }
    }
    let delivered = delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), sent.len(), "every submission imported");
    for (id, runs) in delivered.iter() {
        assert_eq!(runs.len(), 1, "{id} delivered by runs {runs:?}");
    }
    imported.sort();
    imported.dedup();
    assert_eq!(imported.len(), sent.len(), "each acknowledged once");
    // A later run finds nothing new.
    let inbox = inbox(store.clone());
    for m in municipalities(&sent) {
        assert!(inbox.list(&filter(&m)).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_crashed_run_is_taken_over_after_its_lease_expires_and_the_folder_sink_stays_single() {
    let (store, _client, _bucket) = s3_store().await;
    let sent = store_all(store.as_ref(), true).await;
    let inbox = inbox(store.clone());
    let entry = inbox.list(&filter("musterstadt")).await.unwrap()[0].clone();
    let out = tempfile::tempdir().unwrap();

    // Run A takes the lease, delivers, and crashes before it acknowledges.
    let Acquired::Mine(_) = import::acquire(&inbox, &entry, "run-a", NOW, Duration::minutes(15))
        .await
        .unwrap()
    else {
        panic!("lease expected");
    };
    let pulled = inbox.pull(&entry).await.unwrap();
    FolderSink::new(out.path()).deliver(&pulled).unwrap();

    // Run B during the lease: busy. After it: takes over, delivers again (idempotently), acks.
    let during = import::acquire(
        &inbox,
        &entry,
        "run-b",
        NOW + Duration::minutes(5),
        Duration::minutes(15),
    )
    .await
    .unwrap();
    assert_eq!(during, Acquired::Busy);
    let later: OffsetDateTime = NOW + Duration::minutes(20);
    let now = move || later;
    let opts = RunOptions {
        owner: "run-b".into(),
        lease: Duration::minutes(15),
        now: &now,
    };
    let mut sink = FolderSink::new(out.path());
    let report = import::run(&inbox, &filter("musterstadt"), &opts, &mut sink)
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(report.imported.contains(&entry.id));
    let n = sent
        .iter()
        .filter(|s| s.municipality == "musterstadt")
        .count();
    assert_eq!(report.imported.len(), n);
    let folder = sink.folder(&entry, &pulled.record.reference);
    assert!(folder.join("submission.json").exists());
    let delivered =
        inbox::export::read_delivered(out.path(), "musterstadt", &entry.form, entry.version)
            .unwrap();
    assert_eq!(
        delivered.iter().filter(|r| r.id == entry.id).count(),
        1,
        "one copy in the sink"
    );
    assert_eq!(
        import::acquire(&inbox, &entry, "run-c", later, Duration::minutes(15))
            .await
            .unwrap(),
        Acquired::Imported
    );
}

#[tokio::test]
async fn exports_pulled_submissions_as_csv_safe_against_formula_injection_and_as_json_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let sent = store_all(store.as_ref(), true).await;
    let inbox = inbox(store);
    let out = tempfile::tempdir().unwrap();
    let now = || NOW;
    let opts = RunOptions {
        owner: "export".into(),
        lease: Duration::minutes(15),
        now: &now,
    };
    let mut sink = FolderSink::new(out.path());
    let report = import::run(&inbox, &filter("musterstadt"), &opts, &mut sink)
        .await
        .unwrap();
    assert!(report.failed.is_empty());
    let form = registry(false)
        .form("musterstadt", "sperrmuell-anmeldung")
        .unwrap()
        .clone();
    let mut records =
        inbox::export::read_delivered(out.path(), "musterstadt", "sperrmuell-anmeldung", 1)
            .unwrap();
    let n = sent
        .iter()
        .filter(|s| s.municipality == "musterstadt" && s.form == "sperrmuell-anmeldung")
        .count();
    assert_eq!(records.len(), n);
    // What a citizen could type into a text field.
    records[0]
        .data
        .insert("vorname".into(), "=HYPERLINK(\"http://evil\",\"x\")".into());
    records[0]
        .data
        .insert("nachname".into(), "@SUM(1+1)".into());
    let schema = form_model::schema::json_schema(&form);
    let csv = inbox::export::to_csv(&schema, &records);
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""),
        "{csv}"
    );
    assert!(csv.contains(",'@SUM(1+1),"), "{csv}");
    assert!(!csv.contains(",=") && !csv.contains(",@") && !csv.contains(",+"));
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), n + 1);
    let spec = inbox::contract::column_spec(&schema);
    let names: Vec<&str> = spec["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert_eq!(lines[0], names.join(","));
    assert!(names.contains(&"anschrift.street"));
    let jsonl = inbox::export::to_jsonl(&records);
    assert_eq!(jsonl.lines().count(), n);
    let first: form_model::record::SubmissionRecord =
        serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first, records[0], "JSON Lines keep values unaltered");
}

#[tokio::test]
async fn the_s3_store_lists_by_prefix_below_its_own_prefix_and_deletes() {
    let (store, client, bucket) = s3_store().await;
    for key in ["a/b/1.json", "a/b/2.json", "a/c/3.json", "ab/4.json"] {
        store
            .put_new(key, Bytes::from_static(b"x"), "text/plain")
            .await
            .unwrap();
    }
    assert_eq!(
        store.list("a/").await.unwrap(),
        vec!["a/b/1.json", "a/b/2.json", "a/c/3.json"]
    );
    assert_eq!(store.list("").await.unwrap().len(), 4);
    assert!(store.delete("a/c/3.json").await.unwrap());
    assert!(!store.delete("a/c/3.json").await.unwrap());
    let keys: Vec<String> = all_objects(&client, &bucket)
        .await
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        keys,
        vec![
            "eingang/a/b/1.json",
            "eingang/a/b/2.json",
            "eingang/ab/4.json"
        ]
    );
    assert!(store.list("../").await.is_err());
}

#[tokio::test]
async fn a_municipality_whose_key_is_unusable_gets_503_and_nothing_is_stored_in_plaintext() {
    use http::{Request, header};
    let mut registry = registry(true);
    let short = {
        let mut k = public_key();
        k["n"] = serde_json::Value::String(k["n"].as_str().unwrap()[..342].to_string());
        k
    };
    for m in &mut registry.municipalities {
        m.encryption_key = Some(short.clone());
    }
    // The function's start-up check refuses such a registry ...
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("registry.json");
    std::fs::write(&path, registry.to_json()).unwrap();
    let err = submit_fn::config::load_registry(&path)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unusable encryption key"), "{err}");
    // ... and a handler given one anyway stores nothing.
    let store = Arc::new(store::MemoryStore::new());
    let handler = submit_fn::Handler::new(registry, store.clone())
        .with_clock(Arc::new(submit_fn::FixedClock(NOW)));
    let example = std::fs::read_to_string(
        repo().join("tests/fixtures/submissions/sperrmuell-anmeldung@1/moebel-mit-abstellort.json"),
    )
    .unwrap();
    let request = Request::post("/v1/musterstadt/sperrmuell-anmeldung")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(example))
        .unwrap();
    let response = handler.handle(request).await;
    assert_eq!(response.status(), 503);
    assert!(store.keys().is_empty(), "{:?}", store.keys());
}
