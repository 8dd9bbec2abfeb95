//! Running the import safely, night after night: a failed run gives its leases back and says
//! so; leases of a crashed run can be released; several keys (rotation) are picked by `kid`;
//! purge goes by each form version's retention; a killed pull leaves nothing behind for long;
//! export refuses a wrong folder. (Issue 20's defects, each tested here.)

use std::sync::Arc;

use crate::common::*;
use inbox::import::{self, Acquired, FolderSink, RunOptions};
use inbox::purge::{PurgeOptions, purge};
use inbox::{Filter, Inbox, Schemas};
use store::{FolderStore, Store};
use time::{Duration, OffsetDateTime};

fn filter(municipality: &str) -> Filter {
    Filter {
        municipality: municipality.into(),
        ..Filter::default()
    }
}

fn at(now: OffsetDateTime, owner: &str) -> (impl Fn() -> OffsetDateTime + Sync, String) {
    (move || now, owner.to_string())
}

async fn run(
    inbox: &Inbox,
    m: &str,
    now: OffsetDateTime,
    owner: &str,
    out: &std::path::Path,
) -> import::RunReport {
    let (clock, owner) = at(now, owner);
    let opts = RunOptions {
        owner,
        lease: Duration::minutes(15),
        now: &clock,
    };
    import::run(inbox, &filter(m), &opts, &mut FolderSink::new(out))
        .await
        .unwrap()
}

fn count(sent: &[Sent], m: &str) -> usize {
    sent.iter().filter(|s| s.municipality == m).count()
}

#[tokio::test]
async fn a_failed_run_releases_its_leases_so_the_corrected_run_right_after_imports_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let sent = store_all(store.as_ref(), true).await;
    let n = count(&sent, "musterstadt");
    let out = tempfile::tempdir().unwrap();

    // Without --key every submission fails …
    let keyless = Inbox::new(
        store.clone(),
        None,
        Schemas::from_registry(&registry(false)),
    );
    let failed = run(&keyless, "musterstadt", NOW, "run-without-key", out.path()).await;
    assert_eq!(failed.failed.len(), n);
    assert_eq!(failed.unimported(), n);
    let line = failed.summary("musterstadt");
    assert!(!line.contains('\n'));
    assert!(
        line.contains(&format!("{n} of {n} submissions NOT imported ({n} failed")),
        "{line}"
    );

    // … and the corrected run a minute later imports all of them, leased by nobody.
    let fixed = run(
        &inbox(store.clone()),
        "musterstadt",
        NOW + Duration::minutes(1),
        "run-with-key",
        out.path(),
    )
    .await;
    assert!(fixed.busy.is_empty(), "{:?}", fixed.busy);
    assert_eq!(fixed.imported.len(), n);
    assert_eq!(fixed.unimported(), 0);
    assert!(
        fixed
            .summary("musterstadt")
            .contains(&format!("{n} imported"))
    );
}

#[tokio::test]
async fn a_run_that_finds_submissions_leased_elsewhere_is_not_a_success() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let sent = store_all(store.as_ref(), true).await;
    let inbox = inbox(store.clone());
    let entry = inbox.list(&filter("musterstadt")).await.unwrap()[0].clone();
    import::acquire(&inbox, &entry, "crashed", NOW, Duration::minutes(15))
        .await
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = run(
        &inbox,
        "musterstadt",
        NOW + Duration::minutes(1),
        "next",
        out.path(),
    )
    .await;
    assert_eq!(report.busy, vec![entry.id]);
    assert_eq!(report.unimported(), 1);
    assert_eq!(report.imported.len(), count(&sent, "musterstadt") - 1);
    assert!(
        report
            .summary("musterstadt")
            .contains("1 leased by another run")
    );
}

#[tokio::test]
async fn inbox_release_frees_the_leases_of_a_crashed_run_and_only_those_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    store_all(store.as_ref(), true).await;
    let inbox = inbox(store.clone());
    let entries = inbox.list(&filter("musterstadt")).await.unwrap();
    for e in &entries[..2] {
        let got = import::acquire(&inbox, e, "host:4711", NOW, Duration::minutes(15))
            .await
            .unwrap();
        assert!(matches!(got, Acquired::Mine(_)));
    }
    let later = NOW + Duration::minutes(2);
    let none = import::release_leases(
        &inbox,
        &filter("musterstadt"),
        &[],
        Some("host:999"),
        "admin",
        later,
    )
    .await
    .unwrap();
    assert!(none.is_empty(), "another owner's leases stay");
    let one = import::release_leases(
        &inbox,
        &filter("musterstadt"),
        &[entries[1].id],
        None,
        "admin",
        later,
    )
    .await
    .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].entry.id, entries[1].id);
    assert_eq!(one[0].owner, "host:4711");
    let rest = import::release_leases(
        &inbox,
        &filter("musterstadt"),
        &[],
        Some("host:4711"),
        "admin",
        later,
    )
    .await
    .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].entry.id, entries[0].id);
    let out = tempfile::tempdir().unwrap();
    let report = run(&inbox, "musterstadt", later, "next", out.path()).await;
    assert!(report.busy.is_empty());
    assert_eq!(report.imported.len(), entries.len());
}

#[tokio::test]
async fn pull_with_a_folder_of_keys_picks_each_by_kid_and_names_the_kid_it_lacks() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let sent = store_all(store.as_ref(), true).await;
    let (new_public, new_private) =
        store::crypto::generate_key_pair(4096, "musterstadt-neu").unwrap();
    let newer = store_all_with_key(store.as_ref(), &new_public).await;
    let n = count(&sent, "musterstadt") + count(&newer, "musterstadt");
    let keys = tempfile::tempdir().unwrap();
    let write = |name: &str, v: &serde_json::Value| {
        std::fs::write(keys.path().join(name), v.to_string()).unwrap()
    };
    write("musterstadt-neu.private.jwk", &new_private);
    write("encryption-key.jwk.json", &new_public); // a public key lying next to them is skipped
    let out = tempfile::tempdir().unwrap();

    // Only the new key: the old submissions fail naming the old kid, and are not leased.
    let only_new = inbox::keys::read(&[keys.path().join("musterstadt-neu.private.jwk")]).unwrap();
    let inbox_new = Inbox::new(
        store.clone(),
        Some(only_new),
        Schemas::from_registry(&registry(false)),
    );
    let report = run(&inbox_new, "musterstadt", NOW, "rotated", out.path()).await;
    assert_eq!(report.imported.len(), count(&newer, "musterstadt"));
    assert_eq!(report.failed.len(), count(&sent, "musterstadt"));
    for (_, why) in &report.failed {
        assert!(
            why.contains("no private key for kid \"TEST-ONLY-not-a-real-key\""),
            "{why}"
        );
        assert!(why.contains("musterstadt-neu"), "{why}");
    }

    // The folder with both keys imports the rest right away.
    write(
        "musterstadt-alt.private.jwk",
        &test_support::keys::private(),
    );
    let both = inbox::keys::read(&[keys.path().to_path_buf()]).unwrap();
    assert_eq!(both.kids().len(), 2);
    let inbox_both = Inbox::new(
        store.clone(),
        Some(both),
        Schemas::from_registry(&registry(false)),
    );
    let report = run(
        &inbox_both,
        "musterstadt",
        NOW + Duration::minutes(1),
        "both",
        out.path(),
    )
    .await;
    assert!(
        report.failed.is_empty() && report.busy.is_empty(),
        "{report:?}"
    );
    assert_eq!(report.imported.len() + count(&newer, "musterstadt"), n);
}

#[tokio::test]
async fn purge_goes_by_each_form_versions_retention_and_never_removes_unimported_ones_unasked() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let sent = store_all(store.as_ref(), true).await;
    let inbox = inbox(store.clone());
    let out = tempfile::tempdir().unwrap();
    let rules = store::lifecycle::rules(&registry(false));
    let all = inbox.list(&filter("musterstadt")).await.unwrap();
    // Everything but one bulky-waste submission is imported.
    let unimported = all
        .iter()
        .find(|e| e.form == "sperrmuell-anmeldung")
        .unwrap()
        .clone();
    let (clock, owner) = at(NOW, "import");
    let opts = RunOptions {
        owner,
        lease: Duration::minutes(15),
        now: &clock,
    };
    let mut sink = FolderSink::new(out.path());
    for e in all.iter().filter(|e| e.id != unimported.id) {
        let Acquired::Mine(lease) = import::acquire(&inbox, e, &opts.owner, NOW, opts.lease)
            .await
            .unwrap()
        else {
            panic!()
        };
        use inbox::import::Sink;
        sink.deliver(&inbox.pull(e).await.unwrap()).unwrap();
        import::ack(&inbox, e, Some(&lease), "import", NOW)
            .await
            .unwrap();
    }

    // 200 days on: bulky waste (180 days) is due; the dog tax (1825 days) is not — whatever
    // `--older-than 180` once said.
    let today = NOW.date() + Duration::days(200);
    let options = |dry_run, include_unimported| PurgeOptions {
        today,
        include_unimported,
        dry_run,
        pulled: Some(out.path().to_path_buf()),
    };
    let dry = purge(&inbox, "musterstadt", &rules, &options(true, false))
        .await
        .unwrap();
    let bulky: Vec<_> = all
        .iter()
        // The forms kept 180 days: bulky waste and the registration certificate.
        .filter(|e| {
            (e.form == "sperrmuell-anmeldung" || e.form == "meldebescheinigung")
                && e.id != unimported.id
        })
        .collect();
    assert_eq!(dry.purged.len(), bulky.len());
    assert!(
        dry.purged
            .iter()
            .all(|p| p.retention_days == 180 && !p.unimported)
    );
    assert_eq!(dry.kept_unimported, vec![unimported.id]);
    assert_eq!(dry.objects_removed, 0);
    assert_eq!(
        inbox
            .list(&Filter {
                include_acked: true,
                ..filter("musterstadt")
            })
            .await
            .unwrap()
            .len(),
        all.len(),
        "a dry run removes nothing"
    );

    // Pulled folders are named by reference, which comes from the claim purge removes.
    let mut copies = std::collections::BTreeMap::new();
    for e in &all {
        let reference = inbox.reference(e).await.unwrap().unwrap();
        copies.insert(e.id, FolderSink::new(out.path()).folder(e, &reference));
    }
    let done = purge(&inbox, "musterstadt", &rules, &options(false, false))
        .await
        .unwrap();
    assert_eq!(done.purged, dry.purged);
    assert_eq!(done.copies_removed, bulky.len());
    for e in &bulky {
        assert!(store.list(&e.dir).await.unwrap().is_empty());
        assert!(!copies[&e.id].exists(), "the decrypted copy goes too");
    }
    let dog = all
        .iter()
        .find(|e| e.form == "hundesteuer-anmeldung")
        .unwrap();
    assert!(
        !store.list(&dog.dir).await.unwrap().is_empty(),
        "the dog tax record stays 1825 days"
    );
    assert!(copies[&dog.id].exists());

    // The unimported one goes only when asked, and is marked.
    let forced = purge(&inbox, "musterstadt", &rules, &options(false, true))
        .await
        .unwrap();
    assert_eq!(forced.purged.len(), 1);
    assert!(forced.purged[0].unimported);
    assert!(store.list(&unimported.dir).await.unwrap().is_empty());
    assert!(sent.iter().any(|s| s.municipality == "beispieldorf"));
    assert!(
        !store.list("beispieldorf/").await.unwrap().is_empty(),
        "other municipalities stay"
    );
}

#[tokio::test]
async fn a_killed_pulls_hidden_temporary_folder_is_removed_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    store_all(store.as_ref(), true).await;
    let inbox = inbox(store.clone());
    let entry = inbox.list(&filter("musterstadt")).await.unwrap()[0].clone();
    let out = tempfile::tempdir().unwrap();
    // What a pull killed while writing leaves: a hidden folder with an empty record.
    let reference = inbox.reference(&entry).await.unwrap().unwrap();
    let target = FolderSink::new(out.path()).folder(&entry, &reference);
    let left = target
        .parent()
        .unwrap()
        .join(format!(".{}.0f3a.tmp", entry.id));
    std::fs::create_dir_all(&left).unwrap();
    std::fs::write(left.join("submission.json"), "").unwrap();
    let report = run(&inbox, "musterstadt", NOW, "next", out.path()).await;
    assert!(report.imported.contains(&entry.id));
    assert!(!left.exists(), "the leftover is gone");
    assert!(target.join("submission.json").exists());
    let hidden: Vec<_> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn export_from_a_folder_that_is_no_pull_output_is_an_error_not_an_empty_csv() {
    let nowhere = tempfile::tempdir().unwrap();
    let err = inbox::export::read_pulled(
        &nowhere.path().join("imported"),
        "musterstadt",
        "sperrmuell-anmeldung",
        1,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("--pulled") && err.contains("inbox pull"),
        "{err}"
    );
    let err = inbox::export::read_pulled(nowhere.path(), "musterstadt", "sperrmuell-anmeldung", 1)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no submissions of musterstadt were pulled here"),
        "{err}"
    );
}
