//! The scripted night (issue 20's "Show"): submissions stored, the nightly pull, the
//! morning's `export --since last`, the report by mail, `purge --dry-run`, the key rotated,
//! new submissions under the new key, and the next night's pull and report — each step
//! checked, as a municipality's IT runs them, through the library calls the commands make.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::common::*;
use crate::report::{keyless, pull, references, settings};
use inbox::purge::{PurgeOptions, purge};
use inbox::report::{self, mail};
use inbox::since::{ExportLog, Since, log_path, select};
use inbox::{Filter, Inbox, Schemas};
use store::{FolderStore, Store};
use test_support::smtp::Smtp;
use time::Duration;

const M: &str = "musterstadt";
const FORM: &str = "sperrmuell-anmeldung";

/// `inbox export --since last` of the bulky-waste form: the clerk's CSV and its row count.
fn export_since_last(out: &std::path::Path, now: time::OffsetDateTime) -> (String, usize) {
    let registry = registry(false);
    let form = registry.form(M, FORM).unwrap();
    let rows = inbox::export::read_pulled(out, M, FORM, form.form.version).unwrap();
    let log_file = log_path(out, M, FORM);
    let mut log = ExportLog::read(&log_file).unwrap();
    let rows = select(rows, Some(&Since::Last), &log);
    let csv = inbox::clerk::to_clerk_csv(form, &rows, false);
    log.record(&log_file, &rows, now).unwrap();
    (csv, rows.len())
}

/// Reports and mails, and remembers once sent (what `inbox report --mail` does).
async fn report_by_mail(
    store: Arc<dyn Store>,
    settings: &mail::Settings,
    now: time::OffsetDateTime,
) -> report::Report {
    let reporter = keyless(store);
    let gathered = report::gather(&reporter, &[M.to_string()], now)
        .await
        .unwrap();
    mail::send(settings, &report::render(&gathered, "de"))
        .await
        .unwrap();
    gathered.remember(reporter.store()).await.unwrap();
    gathered
}

#[tokio::test]
async fn a_night_of_the_back_office_stores_pulls_exports_reports_purges_rotates_and_pulls_again() {
    let smtp = Smtp::start();
    let tmp = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(FolderStore::new(tmp.path().join("store")));
    let out = tmp.path().join("import");
    let settings = settings(&smtp, tmp.path());

    // Day 1 and 2: citizens submit (encrypted for the municipality's key).
    let sent = store_all(store.as_ref(), true).await;
    let first: Vec<&Sent> = sent.iter().filter(|s| s.municipality == M).collect();
    let bulky = first.iter().filter(|s| s.form == FORM).count();
    assert!(bulky > 0);

    // 02:00: the nightly pull imports everything, nothing left.
    let night = NOW + Duration::days(2) - Duration::hours(8);
    let run = pull(&inbox(store.clone()), M, night, &out).await;
    assert_eq!(
        (run.imported.len(), run.unimported()),
        (first.len(), 0),
        "{:?}",
        run.failed
    );

    // 06:00: the clerk's export holds the bulky-waste applications, and the next holds none.
    let (csv, rows) = export_since_last(&out, night + Duration::hours(4));
    assert_eq!(rows, bulky);
    assert!(csv.starts_with('\u{feff}'), "German Excel's BOM");
    assert_eq!(export_since_last(&out, night + Duration::hours(5)).1, 0);

    // 06:30: the report by mail: everything new and imported, nothing failed or waiting.
    let morning = night + Duration::hours(4) + Duration::minutes(30);
    let reported = report_by_mail(store.clone(), &settings, morning).await;
    assert_eq!(reported.new_count(), first.len());
    assert_eq!((reported.failed_count(), reported.waiting_count()), (0, 0));
    let mails = smtp.wait_for(1);
    assert_eq!(mails.len(), 1);
    let text = mails[0]["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("Importiert seit dem letzten Bericht: {bulky}")),
        "{text}"
    );
    let refs = references(&keyless(store.clone()), M).await;
    for reference in refs.keys() {
        assert!(text.contains(reference), "{reference}");
    }
    for s in &first {
        for secret in s.secrets() {
            assert!(
                !mails[0]["raw"].as_str().unwrap().contains(&secret),
                "{secret}"
            );
        }
    }

    // purge --dry-run, 200 days on: bulky waste (180 days) would go, nothing goes.
    let rules = store::lifecycle::rules(&registry(false));
    let before = store.list(&format!("{M}/")).await.unwrap();
    let dry = purge(
        &keyless(store.clone()),
        M,
        &rules,
        &PurgeOptions {
            today: NOW.date() + Duration::days(200),
            include_unimported: false,
            dry_run: true,
            pulled: Some(out.clone()),
        },
    )
    .await
    .unwrap();
    // Bulky waste and the registration certificate keep 180 days; every other form longer.
    let short = first
        .iter()
        .filter(|s| s.form == FORM || s.form == "meldebescheinigung")
        .count();
    assert_eq!(dry.purged.len(), short);
    assert!(dry.purged.iter().all(|p| p.retention_days == 180));
    assert_eq!(
        store.list(&format!("{M}/")).await.unwrap(),
        before,
        "a dry run removes nothing"
    );
    assert_eq!(dry.copies_removed, 0);

    // The key is rotated: a new pair with a new kid; the function encrypts with the new one.
    let (new_public, new_private) =
        store::crypto::generate_key_pair(4096, "musterstadt-2026-11-30").unwrap();
    let keys = tmp.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    std::fs::write(
        keys.join("TEST-ONLY.private.jwk"),
        test_support::keys::private().to_string(),
    )
    .unwrap();
    std::fs::write(
        keys.join("musterstadt-2026-11-30.private.jwk"),
        new_private.to_string(),
    )
    .unwrap();
    let newer = store_all_with_key(store.as_ref(), &new_public).await;
    let second: BTreeSet<uuid::Uuid> = newer
        .iter()
        .filter(|s| s.municipality == M)
        .map(|s| s.id)
        .collect();

    // The next night: the pull with the key folder imports exactly the new ones.
    let both = Inbox::new(
        store.clone(),
        Some(inbox::keys::read(std::slice::from_ref(&keys)).unwrap()),
        Schemas::from_registry(&registry(false)),
    );
    let run = pull(&both, M, night + Duration::days(1), &out).await;
    assert_eq!(
        run.imported.iter().copied().collect::<BTreeSet<_>>(),
        second,
        "{:?}",
        run.failed
    );
    assert_eq!(run.unimported(), 0);
    let all = both
        .list(&Filter {
            municipality: M.into(),
            include_acked: true,
            ..Filter::default()
        })
        .await
        .unwrap();
    assert!(all.iter().all(|e| e.acked));

    // And the next report names only the new ones.
    let next = report_by_mail(store.clone(), &settings, morning + Duration::days(1)).await;
    assert_eq!(next.new_count(), second.len());
    assert_eq!(next.municipalities[0].since, Some(morning));
    let mails = smtp.wait_for(2);
    assert_eq!(mails.len(), 2);
    let text = mails[1]["text"].as_str().unwrap();
    for reference in refs.keys() {
        assert!(
            !text.contains(reference),
            "{reference} was reported the night before"
        );
    }
    assert_eq!(
        export_since_last(&out, night + Duration::days(1) + Duration::hours(4)).1,
        newer
            .iter()
            .filter(|s| s.municipality == M && s.form == FORM)
            .count()
    );
}
