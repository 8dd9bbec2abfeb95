//! The scheduled back-office report on AWS: an EventBridge schedule (the SAM template's
//! `ReportFunction`) invokes this Lambda, which makes `inbox report` for the configured
//! municipalities from the S3 store and sends it through SES's SMTP interface
//! (`email-smtp.<region>.amazonaws.com:587`, STARTTLS, the SMTP credentials from a Secrets
//! Manager secret). It reads only key names, claims, leases, acknowledgements and its own
//! earlier reports — no private key, no submission, no answer — and writes only
//! `_reports/<m>/report-<n>.json` once the mail was accepted.
//!
//! Its settings are environment variables (the template sets them): `FORMFABRIK_STORE`,
//! `FORMFABRIK_REPORT_MUNICIPALITIES` (comma-separated), `FORMFABRIK_REPORT_LANGUAGE` (`de`),
//! and the report's `FORMFABRIK_SMTP_*` (inbox::report::mail).

use inbox::report::{self, mail};
use inbox::{Inbox, InboxError, Schemas};
use serde_json::{Value, json};
use store::{S3Options, StoreUrl};
use thiserror::Error;
use time::OffsetDateTime;

pub const STORE: &str = "FORMFABRIK_STORE";
pub const MUNICIPALITIES: &str = "FORMFABRIK_REPORT_MUNICIPALITIES";
pub const LANGUAGE: &str = "FORMFABRIK_REPORT_LANGUAGE";

#[derive(Debug, Error)]
pub enum ReportFnError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{STORE}: {0}")]
    Store(String),
    #[error(transparent)]
    Inbox(#[from] InboxError),
    #[error(transparent)]
    Mail(#[from] mail::MailError),
}

/// One scheduled run: gather, render, send, remember. Returns the counts (for the log).
pub async fn run_once(
    var: impl Fn(&str) -> Option<String>,
    now: OffsetDateTime,
) -> Result<Value, ReportFnError> {
    let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    let settings = mail::Settings::from_env(var)?;
    let url: StoreUrl = var(STORE)
        .ok_or(ReportFnError::Missing(STORE))?
        .parse()
        .map_err(|e: store::BadStoreUrl| ReportFnError::Store(e.to_string()))?;
    let municipalities: Vec<String> = var(MUNICIPALITIES)
        .ok_or(ReportFnError::Missing(MUNICIPALITIES))?
        .split(',')
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect();
    let language = var(LANGUAGE).unwrap_or_else(|| "de".into());
    let store = url
        .open(&S3Options {
            endpoint: var("FORMFABRIK_S3_ENDPOINT"),
            path_style: var("FORMFABRIK_S3_PATH_STYLE").is_some_and(|v| v == "true"),
            region: var("FORMFABRIK_S3_REGION"),
        })
        .await;
    let inbox = Inbox::new(store, None, Schemas::from_dir("."));
    let gathered = report::gather(&inbox, &municipalities, now).await?;
    let rendered = report::render(&gathered, &language);
    mail::send(&settings, &rendered).await?;
    // Remembered only once the relay accepted the mail.
    let raced = gathered.remember(inbox.store()).await?;
    Ok(json!({
        "municipalities": municipalities,
        "new": gathered.new_count(),
        "failed": gathered.failed_count(),
        "stuck": gathered.leased_count(),
        "waiting": gathered.waiting_count(),
        "raced": raced,
    }))
}
