//! `formfabrik inbox report`: what the back office needs to hear, per municipality and form —
//! new since the last report, imported since the last report, failed (a run gave the import
//! up), stuck in a lease (taken by a run that has not finished), waiting to be imported, and
//! the one waiting longest. Made only from what the store keeps in plaintext (the record keys,
//! the claims with reference and time received, leases, acknowledgements): it needs no private
//! key and never reads an answer, so nothing a citizen wrote can end up in a mail.
//!
//! "Since the last report": each report that was delivered is remembered in the store,
//! `_reports/<m>/report-<n>.json` (create-only, numbered like leases), with the submissions it
//! saw and which of them were imported; the next report counts from the newest. A report that
//! failed to go out is not remembered, so the next one still says what it would have said.

pub mod mail;
mod render;

pub use render::{LISTED, Rendered, render};

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use store::Store;
use store::layout::{report_key, report_number, reports_prefix};
use store::lease::newest;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Entry, Filter, Inbox, InboxError};

pub const REPORT_FORMAT: &str = "formfabrik.report/1";

/// What a delivered report remembers, for the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct State {
    pub format: String,
    pub municipality: String,
    pub n: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub reported_at: OffsetDateTime,
    /// The complete submissions the report saw.
    pub complete: BTreeSet<Uuid>,
    /// Those of them that were imported (acknowledged).
    pub imported: BTreeSet<Uuid>,
}

/// One submission as the report names it: reference, form version, time received.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The reference the citizen was given; the id when the claim is gone.
    pub reference: String,
    pub id: Uuid,
    pub version: u32,
    /// From the claim; the UTC day of the folder when the claim is gone.
    pub received_at: OffsetDateTime,
}

/// The counts of one form (all its versions).
#[derive(Debug, Clone, PartialEq)]
pub struct FormSummary {
    pub form: String,
    /// Complete submissions the last report had not seen, oldest first.
    pub new: Vec<Item>,
    /// Submissions imported since the last report.
    pub imported: usize,
    /// Not imported, and the newest lease was given up: the import failed (or `inbox release`).
    pub failed: Vec<Item>,
    /// Not imported, and a run holds (or held, if it crashed) the newest lease.
    pub leased: Vec<Item>,
    /// Not imported yet, whatever the reason.
    pub waiting: usize,
    /// The one waiting longest.
    pub oldest_waiting: Option<Item>,
}

/// The report of one municipality.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalityReport {
    pub municipality: String,
    /// When the last report was made; `None` before the first.
    pub since: Option<OffsetDateTime>,
    /// Every form with submissions in the store, by id.
    pub forms: Vec<FormSummary>,
    /// What this report remembers once delivered.
    pub state: State,
}

/// A report over one or more municipalities.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub made_at: OffsetDateTime,
    pub municipalities: Vec<MunicipalityReport>,
}

impl Report {
    /// Submissions new since the last report, over all municipalities.
    pub fn new_count(&self) -> usize {
        self.sum(|f| f.new.len())
    }

    pub fn failed_count(&self) -> usize {
        self.sum(|f| f.failed.len())
    }

    pub fn leased_count(&self) -> usize {
        self.sum(|f| f.leased.len())
    }

    pub fn waiting_count(&self) -> usize {
        self.sum(|f| f.waiting)
    }

    fn sum(&self, count: impl Fn(&FormSummary) -> usize) -> usize {
        self.municipalities
            .iter()
            .flat_map(|m| &m.forms)
            .map(count)
            .sum()
    }

    /// Remembers the report in the store, so the next one counts from it: call it once the
    /// report was delivered. A municipality whose next number another report run wrote
    /// meanwhile is left as that run wrote it (its report counts from there); it is named in
    /// the answer.
    pub async fn remember(&self, store: &dyn Store) -> Result<Vec<String>, InboxError> {
        let mut raced = Vec::new();
        for m in &self.municipalities {
            let key = report_key(&m.municipality, m.state.n);
            let bytes = serde_json::to_vec_pretty(&m.state).expect("a report state serializes");
            let outcome = store
                .put_new(&key, bytes.into(), "application/json")
                .await?;
            if outcome != store::PutOutcome::Created {
                raced.push(m.municipality.clone());
            }
        }
        Ok(raced)
    }
}

/// The newest remembered report of `municipality`, if any.
pub async fn last_state(
    store: &dyn Store,
    municipality: &str,
) -> Result<Option<State>, InboxError> {
    let prefix = reports_prefix(municipality);
    let Some(n) = store
        .list(&prefix)
        .await?
        .iter()
        .filter_map(|k| report_number(&prefix, k))
        .max()
    else {
        return Ok(None);
    };
    let key = report_key(municipality, n);
    let bytes = store
        .get(&key)
        .await?
        .ok_or_else(|| InboxError::Missing { key: key.clone() })?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| InboxError::Damaged {
            key,
            reason: e.to_string(),
        })
}

/// Gathers the report of `municipalities` at `now` from the store.
pub async fn gather(
    inbox: &Inbox,
    municipalities: &[String],
    now: OffsetDateTime,
) -> Result<Report, InboxError> {
    let mut reports = Vec::new();
    for m in municipalities {
        reports.push(gather_one(inbox, m, now).await?);
    }
    Ok(Report {
        made_at: now,
        municipalities: reports,
    })
}

async fn gather_one(
    inbox: &Inbox,
    municipality: &str,
    now: OffsetDateTime,
) -> Result<MunicipalityReport, InboxError> {
    let last = last_state(inbox.store(), municipality).await?;
    let entries = inbox
        .list(&Filter {
            municipality: municipality.to_string(),
            include_acked: true,
            ..Filter::default()
        })
        .await?;
    let mut by_form: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in &entries {
        by_form.entry(e.form.as_str()).or_default().push(e);
    }
    let seen = |id: &Uuid| last.as_ref().is_some_and(|s| s.complete.contains(id));
    let was_imported = |id: &Uuid| last.as_ref().is_some_and(|s| s.imported.contains(id));
    let mut forms = Vec::new();
    for (form, entries) in by_form {
        let mut summary = FormSummary {
            form: form.to_string(),
            new: Vec::new(),
            imported: entries
                .iter()
                .filter(|e| e.acked && !was_imported(&e.id))
                .count(),
            failed: Vec::new(),
            leased: Vec::new(),
            waiting: entries.iter().filter(|e| !e.acked).count(),
            oldest_waiting: None,
        };
        for e in &entries {
            if !seen(&e.id) {
                summary.new.push(item(inbox, e).await?);
            }
            if e.acked {
                continue;
            }
            match newest(inbox.store(), municipality, e.id).await? {
                Some(lease) if lease.released => summary.failed.push(item(inbox, e).await?),
                Some(_) => summary.leased.push(item(inbox, e).await?),
                None => {}
            }
        }
        // The list is by day received; within the first day, the claim's time decides.
        if let Some(first_day) = entries.iter().filter(|e| !e.acked).map(|e| e.date).min() {
            for e in entries.iter().filter(|e| !e.acked && e.date == first_day) {
                let candidate = item(inbox, e).await?;
                if summary
                    .oldest_waiting
                    .as_ref()
                    .is_none_or(|o| candidate.received_at < o.received_at)
                {
                    summary.oldest_waiting = Some(candidate);
                }
            }
        }
        for list in [&mut summary.new, &mut summary.failed, &mut summary.leased] {
            list.sort_by_key(|i| (i.received_at, i.id));
        }
        forms.push(summary);
    }
    let state = State {
        format: REPORT_FORMAT.into(),
        municipality: municipality.to_string(),
        n: last.as_ref().map_or(1, |s| s.n + 1),
        reported_at: now,
        complete: entries.iter().map(|e| e.id).collect(),
        imported: entries.iter().filter(|e| e.acked).map(|e| e.id).collect(),
    };
    Ok(MunicipalityReport {
        municipality: municipality.to_string(),
        since: last.map(|s| s.reported_at),
        forms,
        state,
    })
}

async fn item(inbox: &Inbox, e: &Entry) -> Result<Item, InboxError> {
    let claim = inbox.claim(e).await?;
    Ok(Item {
        reference: claim
            .as_ref()
            .map_or_else(|| e.id.to_string(), |c| c.reference.clone()),
        id: e.id,
        version: e.version,
        received_at: claim.map_or_else(|| e.date.midnight().assume_utc(), |c| c.received_at),
    })
}
