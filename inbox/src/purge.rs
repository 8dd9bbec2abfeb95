//! `inbox purge` for folder stores (S3 buckets expire objects by lifecycle rule instead): removes
//! a municipality's submissions whose form version's retention has run out — by the very rules
//! of the S3 lifecycle configuration (`store::lifecycle::rules`), so a folder store keeps a
//! record exactly as long as a bucket would. Of each submission it removes the attachments, the
//! metadata, the record (first, so that a half-purged folder never looks complete), the claim,
//! the leases and last the ack; with `pulled`, also the decrypted copy `inbox pull` delivered
//! there. Complete submissions that were never acknowledged are kept (and reported) unless
//! `include_unimported` is set; incomplete attempts (no record) are removed when they are as old.
//! The remembered reports of `inbox report` (`_reports/<m>/`) go by their own rule too, by the
//! time each was made; the newest is always kept, because the next report counts from it.
//! A dry run reports the same and removes nothing.

use std::path::PathBuf;

use time::{Date, Duration};
use uuid::Uuid;

use store::layout::{RecordKey, ack_key, claim_key, lease_prefix, report_number, reports_prefix};
use store::lifecycle::{Rule, rule_for};

use crate::{Entry, Filter, Inbox, InboxError};

/// How to purge.
#[derive(Debug, Clone)]
pub struct PurgeOptions {
    /// The day it runs (UTC): a submission goes once `received + retention-days` is before it.
    pub today: Date,
    /// Also remove complete submissions that were never acknowledged (they are lost to the
    /// back office then).
    pub include_unimported: bool,
    /// Report only; remove nothing.
    pub dry_run: bool,
    /// The `--out` folder of `inbox pull`: the decrypted copies there go too.
    pub pulled: Option<PathBuf>,
}

/// A submission (or an incomplete attempt) that was, or in a dry run would be, removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Purged {
    pub id: Uuid,
    /// `<municipality>/<form>/v<version>/<yyyy>/<mm>/<dd>/<id>/`
    pub dir: String,
    pub received: Date,
    pub retention_days: u32,
    /// Complete but never acknowledged (only with `include_unimported`).
    pub unimported: bool,
}

#[derive(Debug, Default)]
pub struct PurgeReport {
    pub purged: Vec<Purged>,
    /// Past retention, but never acknowledged: kept.
    pub kept_unimported: Vec<Uuid>,
    /// Form versions no rule covers (not in the registry): kept, with their folder.
    pub no_rule: Vec<String>,
    pub objects_removed: usize,
    /// Decrypted copies removed from `pulled`.
    pub copies_removed: usize,
    /// Remembered reports (`_reports/<m>/report-<n>.json`) past their rule, removed.
    pub reports_removed: usize,
}

/// Purges `municipality`'s submissions whose retention (`rules`) has run out by `opts.today`.
pub async fn purge(
    inbox: &Inbox,
    municipality: &str,
    rules: &[Rule],
    opts: &PurgeOptions,
) -> Result<PurgeReport, InboxError> {
    let store = inbox.store();
    let mut report = PurgeReport::default();
    let complete = inbox
        .list(&Filter {
            municipality: municipality.into(),
            include_acked: true,
            ..Filter::default()
        })
        .await?;
    // Every submission folder, complete or not: `<m>/<f>/v<n>/<y>/<m>/<d>/<id>/...`.
    let mut folders: Vec<RecordKey> = Vec::new();
    for key in store.list(&format!("{municipality}/")).await? {
        let Some(folder) = RecordKey::of_folder_key(&key) else {
            continue;
        };
        if !folders.iter().any(|f| f.dir == folder.dir) {
            folders.push(folder);
        }
    }
    for folder in folders {
        let Some(rule) = rule_for(rules, &folder.dir) else {
            if !report.no_rule.contains(&folder.dir) {
                report.no_rule.push(folder.dir.clone());
            }
            continue;
        };
        if folder.date + Duration::days(i64::from(rule.days)) >= opts.today {
            continue;
        }
        let entry = complete.iter().find(|e| e.dir == folder.dir);
        let unimported = entry.is_some_and(|e| !e.acked);
        if unimported && !opts.include_unimported {
            report.kept_unimported.push(folder.id);
            continue;
        }
        report.purged.push(Purged {
            id: folder.id,
            dir: folder.dir.clone(),
            received: folder.date,
            retention_days: rule.days,
            unimported,
        });
        if opts.dry_run {
            continue;
        }
        // The decrypted copy is found by the reference, from the claim: read it before the
        // claim goes.
        let copy = match &opts.pulled {
            Some(out) => {
                let as_entry = Entry::from(folder.clone());
                let reference = inbox.reference(&as_entry).await?;
                crate::import::FolderSink::new(out).delivered(&as_entry, reference.as_deref())
            }
            None => None,
        };
        let mut keys = store.list(&folder.dir).await?;
        // The record first: a folder without it never looks complete, even if we stop midway.
        keys.sort_by_key(|k| !k.contains("/submission."));
        keys.push(claim_key(municipality, folder.id));
        keys.extend(store.list(&lease_prefix(municipality, folder.id)).await?);
        keys.push(ack_key(municipality, folder.id));
        for key in keys {
            if store.delete(&key).await? {
                report.objects_removed += 1;
            }
        }
        if let Some(copy) = copy {
            std::fs::remove_dir_all(&copy)
                .map_err(|e| InboxError::Io(format!("{}: {e}", copy.display())))?;
            report.copies_removed += 1;
        }
    }
    report.reports_removed = purge_reports(inbox, municipality, rules, opts).await?;
    Ok(report)
}

/// Removes `municipality`'s remembered reports made longer ago than the `_reports/<m>/` rule,
/// all but the newest; returns how many (in a dry run: would be).
async fn purge_reports(
    inbox: &Inbox,
    municipality: &str,
    rules: &[Rule],
    opts: &PurgeOptions,
) -> Result<usize, InboxError> {
    let store = inbox.store();
    let prefix = reports_prefix(municipality);
    let Some(rule) = rule_for(rules, &prefix) else {
        return Ok(0);
    };
    let mut numbered: Vec<(u32, String)> = store
        .list(&prefix)
        .await?
        .into_iter()
        .filter_map(|k| report_number(&prefix, &k).map(|n| (n, k)))
        .collect();
    numbered.sort();
    numbered.pop(); // the newest stays
    let mut removed = 0;
    for (_, key) in numbered {
        let Some(bytes) = store.get(&key).await? else {
            continue;
        };
        let state: crate::report::State =
            serde_json::from_slice(&bytes).map_err(|e| InboxError::Damaged {
                key: key.clone(),
                reason: e.to_string(),
            })?;
        if state.reported_at.date() + Duration::days(i64::from(rule.days)) >= opts.today {
            continue;
        }
        if opts.dry_run || store.delete(&key).await? {
            removed += 1;
        }
    }
    Ok(removed)
}
