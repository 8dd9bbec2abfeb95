//! Submissions stored before the envelope (issue 17: two objects per submission, claim and
//! `submission.json` with record and metadata): the bare record as `submission.json`/`.jwe`
//! with `metadata.json`/`.jwe` beside it. Nothing already accepted is lost: they are listed,
//! pulled, imported (the same files for the clerk, which the exports and the e-file hand-off
//! read), reported and purged exactly as submissions in the envelope.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::common::*;
use bytes::Bytes;
use inbox::import::{self, FolderSink, RunOptions};
use inbox::purge::{PurgeOptions, purge};
use inbox::{Filter, Inbox};
use store::crypto::Encryptor;
use store::layout::{RecordKey, metadata_name};
use store::{FolderStore, Store};
use time::Duration;

fn filter(municipality: &str) -> Filter {
    Filter {
        municipality: municipality.into(),
        include_acked: true,
        ..Filter::default()
    }
}

/// A copy of every object of `from` in a new folder store.
async fn copy(from: &dyn Store, to: &Path) -> Arc<FolderStore> {
    let store = Arc::new(FolderStore::new(to));
    for key in from.list("").await.unwrap() {
        let bytes = from.get(&key).await.unwrap().unwrap();
        store
            .put_new(&key, bytes, "application/octet-stream")
            .await
            .unwrap();
    }
    store
}

/// Rewrites every submission in `store` as the function wrote it before the envelope: the
/// record's bytes as `submission.json` (`.jwe`), the metadata's as `metadata.json` (`.jwe`),
/// each sealed on its own when encrypted. How many it rewrote.
async fn to_old_layout(store: &dyn Store) -> usize {
    let encryptor = Encryptor::from_jwk(&public_key()).unwrap();
    let decryptor = decryptor();
    let mut rewritten = 0;
    for key in store.list("").await.unwrap() {
        let Some(k) = RecordKey::parse(&key) else {
            continue;
        };
        let stored = store.get(&key).await.unwrap().unwrap();
        let plain = match k.encrypted {
            true => Bytes::from(decryptor.decrypt(&stored).unwrap().payload),
            false => stored,
        };
        let opened = store::envelope::open(&plain).unwrap();
        let metadata = opened.metadata.expect("stored as an envelope");
        let seal = |b: &Bytes| match k.encrypted {
            true => Bytes::from(encryptor.encrypt(b, "application/json").unwrap()),
            false => b.clone(),
        };
        store.delete(&key).await.unwrap();
        let meta_key = format!("{}{}", k.dir, metadata_name(k.encrypted));
        store
            .put_new(&meta_key, seal(&metadata), "application/json")
            .await
            .unwrap();
        store
            .put_new(&key, seal(&opened.record), "application/json")
            .await
            .unwrap();
        rewritten += 1;
    }
    rewritten
}

/// Every file below `dir`, by path relative to `dir`.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

async fn import_all(inbox: &Inbox, m: &str, out: &Path) -> import::RunReport {
    let clock = || NOW;
    let opts = RunOptions {
        owner: "import".into(),
        lease: Duration::minutes(15),
        now: &clock,
    };
    let only_new = Filter {
        include_acked: false,
        ..filter(m)
    };
    import::run(inbox, &only_new, &opts, &mut FolderSink::new(out))
        .await
        .unwrap()
}

/// Old and new layout of the same submissions: listed, pulled, imported and reported alike.
async fn old_layout_reads_as_the_envelope(encrypted: bool) {
    let new_dir = tempfile::tempdir().unwrap();
    let new = Arc::new(FolderStore::new(new_dir.path()));
    let sent = store_all(new.as_ref(), encrypted).await;
    let old_dir = tempfile::tempdir().unwrap();
    let old = copy(new.as_ref(), old_dir.path()).await;
    assert_eq!(to_old_layout(old.as_ref()).await, sent.len());
    let meta = metadata_name(encrypted);
    for (store, expected) in [(&new, 0), (&old, sent.len())] {
        let keys = store.list("").await.unwrap();
        assert_eq!(keys.iter().filter(|k| k.ends_with(meta)).count(), expected);
    }

    let (inbox_new, inbox_old) = (inbox(new.clone()), inbox(old.clone()));
    let mut municipalities: Vec<&str> = sent.iter().map(|s| s.municipality.as_str()).collect();
    municipalities.sort();
    municipalities.dedup();
    for m in &municipalities {
        let listed = inbox_new.list(&filter(m)).await.unwrap();
        assert_eq!(inbox_old.list(&filter(m)).await.unwrap(), listed);
        for entry in &listed {
            let (a, b) = (
                inbox_new.pull(entry).await.unwrap(),
                inbox_old.pull(entry).await.unwrap(),
            );
            assert_eq!(a.record_bytes, b.record_bytes);
            assert_eq!(a.record, b.record);
            assert_eq!(a.metadata, b.metadata);
            let files = |p: &inbox::Pulled| {
                p.files
                    .iter()
                    .map(|f| (f.name.clone(), f.bytes.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(files(&a), files(&b));
        }
        // The clerk's side: the same folders, byte for byte (submission.json, metadata.json,
        // the attachments, the receipt), which export and the e-file hand-off read.
        let (out_new, out_old) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let ran = import_all(&inbox_new, m, out_new.path()).await;
        let ran_old = import_all(&inbox_old, m, out_old.path()).await;
        assert_eq!(ran.imported.len(), listed.len());
        assert_eq!(ran_old.imported, ran.imported);
        let (t_new, t_old) = (tree(out_new.path()), tree(out_old.path()));
        assert!(t_new.keys().any(|k| k.ends_with("metadata.json")));
        assert_eq!(
            t_new.keys().collect::<Vec<_>>(),
            t_old.keys().collect::<Vec<_>>()
        );
        assert!(t_new == t_old, "{m}: the imported folders differ");
        // Reported alike (the report reads no submission, only what is listed).
        let now = NOW + Duration::hours(1);
        let ms = vec![m.to_string()];
        let report_new = inbox::report::gather(&inbox_new, &ms, now).await.unwrap();
        let report_old = inbox::report::gather(&inbox_old, &ms, now).await.unwrap();
        assert_eq!(
            inbox::report::render(&report_new, "de"),
            inbox::report::render(&report_old, "de")
        );
    }

    // Retention: purge removes an old-layout folder whole, metadata included.
    let rules = store::lifecycle::rules(&registry(false));
    for m in &municipalities {
        let options = PurgeOptions {
            today: NOW.date() + Duration::days(20 * 365),
            include_unimported: true,
            dry_run: false,
            pulled: None,
        };
        purge(&inbox_old, m, &rules, &options).await.unwrap();
        assert!(
            old.list(&format!("{m}/")).await.unwrap().is_empty(),
            "{m}: {:?}",
            old.list(&format!("{m}/")).await.unwrap()
        );
    }
}

#[tokio::test]
async fn encrypted_submissions_in_the_old_layout_are_pulled_imported_reported_and_purged_as_before()
{
    old_layout_reads_as_the_envelope(true).await;
}

#[tokio::test]
async fn plain_submissions_in_the_old_layout_are_pulled_imported_reported_and_purged_as_before() {
    old_layout_reads_as_the_envelope(false).await;
}

#[tokio::test]
async fn an_old_layout_record_whose_metadata_is_missing_is_an_error_not_a_submission_without() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(dir.path()));
    let sent = store_all(store.as_ref(), false).await;
    to_old_layout(store.as_ref()).await;
    let inbox = inbox(store.clone());
    let entry = inbox.list(&filter(&sent[0].municipality)).await.unwrap()[0].clone();
    store.delete(&entry.metadata_key()).await.unwrap();
    let err = inbox.pull(&entry).await.unwrap_err();
    assert!(
        matches!(&err, inbox::InboxError::Missing { key } if key.ends_with("metadata.json")),
        "{err}"
    );
}
