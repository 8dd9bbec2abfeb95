//! Clerks name submissions by reference: `pull --only REF|ID` imports just those, and pulled
//! folders are named by the reference (`<out>/<m>/<form>/v<n>/MUS-2026-7K3F9Q/`); a folder a
//! pull before that change named by id still counts as delivered and is still exported.

use std::sync::Arc;

use crate::common::*;
use crate::report::pull;
use inbox::import::{FolderSink, Sink};
use inbox::{Filter, Inbox};
use store::{FolderStore, Store};

fn all(m: &str) -> Filter {
    Filter {
        municipality: m.into(),
        include_acked: true,
        ..Filter::default()
    }
}

#[tokio::test]
async fn pull_only_a_reference_imports_that_submission_alone_into_a_folder_named_by_it() {
    let tmp = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(FolderStore::new(tmp.path()));
    store_all(store.as_ref(), true).await;
    let inbox = inbox(store.clone());
    let out = tempfile::tempdir().unwrap();
    let entries = inbox.list(&all("musterstadt")).await.unwrap();
    let (wanted, other) = (&entries[1], &entries[0]);
    let reference = inbox.reference(wanted).await.unwrap().unwrap();

    // As a clerk types it (lower case), and an id; and what matches nothing.
    let asked = [
        reference.to_lowercase(),
        other.id.to_string(),
        "MUS-2026-NOSUCH".to_string(),
    ];
    let (ids, unknown) = inbox.resolve("musterstadt", &asked).await.unwrap();
    assert_eq!(ids, [wanted.id, other.id].into_iter().collect());
    assert_eq!(unknown, vec!["MUS-2026-NOSUCH".to_string()]);

    let (ids, _) = inbox
        .resolve("musterstadt", std::slice::from_ref(&reference))
        .await
        .unwrap();
    let filter = Filter {
        only: Some(ids),
        ..Filter {
            include_acked: false,
            ..all("musterstadt")
        }
    };
    let clock = || NOW;
    let opts = inbox::import::RunOptions {
        owner: "clerk".into(),
        lease: time::Duration::minutes(15),
        now: &clock,
    };
    let run = inbox::import::run(&inbox, &filter, &opts, &mut FolderSink::new(out.path()))
        .await
        .unwrap();
    assert_eq!(run.imported, vec![wanted.id]);
    let folder = out.path().join(format!(
        "musterstadt/{}/v{}/{reference}",
        wanted.form, wanted.version
    ));
    assert!(
        folder.join("submission.json").exists(),
        "{}",
        folder.display()
    );
    assert!(
        !out.path()
            .join(format!(
                "musterstadt/{}/v{}/{}",
                wanted.form, wanted.version, wanted.id
            ))
            .exists()
    );
    let still_new = inbox
        .list(&Filter {
            include_acked: false,
            ..all("musterstadt")
        })
        .await
        .unwrap();
    assert_eq!(
        still_new.len(),
        entries.len() - 1,
        "the others wait for the nightly pull"
    );
    assert!(still_new.iter().all(|e| e.id != wanted.id));
}

#[tokio::test]
async fn a_folder_pulled_by_id_before_the_change_still_counts_as_delivered_and_is_exported() {
    let tmp = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(FolderStore::new(tmp.path()));
    store_all(store.as_ref(), true).await;
    let inbox: Inbox = inbox(store.clone());
    let out = tempfile::tempdir().unwrap();
    let entry = inbox.list(&all("musterstadt")).await.unwrap()[0].clone();
    let pulled = inbox.pull(&entry).await.unwrap();
    let mut sink = FolderSink::new(out.path());
    sink.deliver(&pulled).unwrap();
    // The layout of earlier pulls: the same folder under the id.
    let by_reference = sink.folder(&entry, &pulled.record.reference);
    let by_id = sink.id_folder(&entry);
    std::fs::rename(&by_reference, &by_id).unwrap();

    // Delivered again (a run taking over after a crash): nothing new is written.
    sink.deliver(&pulled).unwrap();
    assert!(!by_reference.exists());
    assert_eq!(
        sink.delivered(&entry, Some(&pulled.record.reference)),
        Some(by_id.clone())
    );

    // The export reads both layouts, with the metadata of each.
    pull(&inbox, "musterstadt", NOW, out.path()).await;
    let rows =
        inbox::export::read_pulled(out.path(), "musterstadt", &entry.form, entry.version).unwrap();
    let row = rows.iter().find(|r| r.record.id == entry.id).unwrap();
    assert!(row.metadata.is_some());
    assert_eq!(rows.iter().filter(|r| r.record.id == entry.id).count(), 1);
    assert!(rows.len() > 1, "the others, by reference");

    // A folder of that name holding another submission is an error, not a silent skip.
    let other = inbox
        .list(&all("musterstadt"))
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.form == entry.form && e.version == entry.version && e.id != entry.id)
        .unwrap();
    let other_pulled = inbox.pull(&other).await.unwrap();
    let mut clash = other_pulled.clone();
    clash.record.reference = pulled.record.reference.clone();
    std::fs::rename(&by_id, &by_reference).unwrap();
    let err = sink.deliver(&clash).unwrap_err();
    assert!(
        err.contains(&format!(
            "holds submission {} instead of {}",
            entry.id, other.id
        )),
        "{err}"
    );
}
