//! `purge --older-than <days>` for folder stores (S3 buckets expire objects by lifecycle
//! rule instead): removes every object of a municipality's submissions received more than
//! `days` days ago — attachments, metadata, record, claim, leases, and last the ack. Complete
//! submissions that were never acknowledged are kept (and reported) unless
//! `include_unimported` is set; incomplete attempts (no record) are removed.

use time::{Date, Duration};
use uuid::Uuid;

use store::layout::{RecordKey, ack_key, claim_key, lease_prefix};

use crate::{Filter, Inbox, InboxError};

#[derive(Debug, Default)]
pub struct PurgeReport {
    /// Submissions (or incomplete attempts) whose objects were removed.
    pub purged: Vec<Uuid>,
    /// Old enough, but never acknowledged: kept.
    pub kept_unimported: Vec<Uuid>,
    pub objects_removed: usize,
}

/// Purges `municipality`'s submissions received before `today - days`.
pub async fn purge(
    inbox: &Inbox,
    municipality: &str,
    days: u32,
    today: Date,
    include_unimported: bool,
) -> Result<PurgeReport, InboxError> {
    let store = inbox.store();
    let cutoff = today - Duration::days(i64::from(days));
    let mut report = PurgeReport::default();
    let complete = inbox
        .list(&Filter {
            municipality: municipality.into(),
            include_acked: true,
            ..Filter::default()
        })
        .await?;
    // Every submission folder, complete or not: `<m>/<f>/v<n>/<y>/<m>/<d>/<id>/...`.
    let mut folders: Vec<(String, Date, Uuid)> = Vec::new();
    for key in store.list(&format!("{municipality}/")).await? {
        let Some(folder) = RecordKey::of_folder_key(&key) else {
            continue;
        };
        if folders.iter().any(|(d, _, _)| *d == folder.dir) {
            continue;
        }
        folders.push((folder.dir, folder.date, folder.id));
    }
    for (dir, date, id) in folders {
        if date >= cutoff {
            continue;
        }
        let entry = complete.iter().find(|e| e.dir == dir);
        if let Some(e) = entry
            && !e.acked
            && !include_unimported
        {
            report.kept_unimported.push(id);
            continue;
        }
        let mut keys = store.list(&dir).await?;
        // The record first: a folder without it never looks complete, even if we stop midway.
        keys.sort_by_key(|k| !k.contains("/submission."));
        keys.push(claim_key(municipality, id));
        keys.extend(store.list(&lease_prefix(municipality, id)).await?);
        keys.push(ack_key(municipality, id));
        for key in keys {
            if store.delete(&key).await? {
                report.objects_removed += 1;
            }
        }
        report.purged.push(id);
    }
    Ok(report)
}
