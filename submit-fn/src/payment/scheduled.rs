//! Reconciliation on AWS: an EventBridge schedule (the SAM template's `ReconcileFunction`)
//! invokes the function's bootstrap in its reconcile mode (`FORMFABRIK_LAMBDA=reconcile`), and
//! every scheduled event runs [`super::reconcile::reconcile`] once — the same run as
//! `formfabrik payments reconcile`. The binary only builds a [`Scheduled`] and hands it the
//! events; an event that is not a schedule's is refused, so a wrongly wired trigger shows as an
//! error instead of running payments on it.

use std::sync::Arc;

use form_model::registry::Registry;
use serde::Deserialize;
use serde_json::Value;
use store::Store;
use time::OffsetDateTime;

use super::flow::Payments;
use super::reconcile::{ReconcileOptions, ReconcileReport, reconcile};

/// The part of an EventBridge scheduled event this reads.
#[derive(Debug, Deserialize)]
struct ScheduledEvent {
    source: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    time: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ScheduledError {
    #[error(
        "not an EventBridge scheduled event (source aws.events, detail-type \"Scheduled Event\"): {0}"
    )]
    NotScheduled(String),
    #[error(
        "{store} may replace objects: a release must be created once; reconcile where the function runs in single-runner mode"
    )]
    NotCreateOnly { store: String },
    #[error("reconciliation left {} submission(s) for the next run: {}", .0.len(), .0.join("; "))]
    Incomplete(Vec<String>),
}

/// What a scheduled run needs: the store, the registry with the payment platforms, their
/// clients (secrets from SSM or Secrets Manager on Lambda), and the options.
pub struct Scheduled {
    pub store: Arc<dyn Store>,
    pub registry: Registry,
    pub payments: Arc<Payments>,
    pub options: ReconcileOptions,
}

impl Scheduled {
    /// Runs reconciliation for one scheduled `event` at `now`. The report on success; an
    /// error (the invocation fails, and shows in the function's error metric) when the event
    /// is not a schedule's or some submission could not be reconciled (the next run tries it
    /// again: every step is safe to repeat).
    pub async fn handle(
        &self,
        event: Value,
        now: OffsetDateTime,
    ) -> Result<ReconcileReport, ScheduledError> {
        let event: ScheduledEvent = serde_json::from_value(event)
            .map_err(|e| ScheduledError::NotScheduled(e.to_string()))?;
        if event.source != "aws.events" || event.detail_type != "Scheduled Event" {
            return Err(ScheduledError::NotScheduled(format!(
                "source {}, detail-type {}",
                event.source, event.detail_type
            )));
        }
        if self.store.honours_create_only() == Some(false) {
            return Err(ScheduledError::NotCreateOnly {
                store: self.store.describe(),
            });
        }
        let report = reconcile(
            self.store.as_ref(),
            &self.registry,
            &self.payments,
            now,
            self.options,
        )
        .await;
        tracing::info!(
            event = %event.id,
            scheduled = %event.time,
            checked = report.checked,
            released = report.released,
            expired = report.expired,
            purged = report.purged,
            waiting = report.waiting,
            young = report.young,
            errors = report.errors.len(),
            "payments reconciled"
        );
        if report.errors.is_empty() {
            Ok(report)
        } else {
            Err(ScheduledError::Incomplete(report.errors))
        }
    }
}
