//! `inbox export --since <time|last>`: only what is new. `--since last` exports the pulled
//! submissions of a municipality's form that no earlier `--since last` export wrote, and
//! remembers them in `<pulled>/<municipality>/<form>/.exported.json` (a dot-file: watchers of
//! the pulled folder skip it, and purge leaves it). Going by what was exported rather than by
//! the time received, a submission received just before an export but pulled after it is in
//! the next export, not lost between two. `--since <time>` takes what was received at or after
//! a time (`2026-11-28T06:00:00Z`, or a day `2026-11-28`, midnight in Germany) and remembers
//! nothing.
//!
//! The booking export (`inbox export --bookings --since last`) keeps its log per municipality
//! and profile, in `<pulled>/<municipality>/.bookings-<profile>.json` ([`bookings_log_path`]; the
//! mandate export's in `.mandates-<profile>.json`, [`mandates_log_path`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::InboxError;
use crate::export::Delivered;

pub const EXPORT_LOG_FORMAT: &str = "formfabrik.export-log/1";

/// What `--since` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// What no earlier `--since last` export wrote.
    Last,
    /// Received at or after this time.
    Time(OffsetDateTime),
}

impl std::str::FromStr for Since {
    type Err = String;

    fn from_str(s: &str) -> Result<Since, String> {
        if s == "last" {
            return Ok(Since::Last);
        }
        let rfc3339 = &time::format_description::well_known::Rfc3339;
        if let Ok(t) = OffsetDateTime::parse(s, rfc3339) {
            return Ok(Since::Time(t));
        }
        let day: jiff::civil::Date = s.parse().map_err(|_| {
            format!("{s:?} is neither `last`, a time (2026-11-28T06:00:00Z) nor a day (2026-11-28)")
        })?;
        let zone = jiff::tz::TimeZoneDatabase::bundled()
            .get(crate::clerk::TIME_ZONE)
            .map_err(|e| e.to_string())?;
        let start = day
            .to_zoned_datetime(zone)
            .and_then(|z| z.start_of_day())
            .map_err(|e| e.to_string())?;
        OffsetDateTime::from_unix_timestamp(start.timestamp().as_second())
            .map(Since::Time)
            .map_err(|e| e.to_string())
    }
}

/// The export log of one municipality's form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExportLog {
    pub format: String,
    /// When the last `--since last` export ran.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub last_export: Option<OffsetDateTime>,
    /// Every submission such an export wrote.
    pub exported: BTreeSet<Uuid>,
}

/// Where the log of `form` of `municipality` lives below the pulled folder.
pub fn log_path(pulled: &Path, municipality: &str, form: &str) -> PathBuf {
    pulled.join(municipality).join(form).join(".exported.json")
}

/// Where the log of the booking export of `municipality` with `profile` (a built-in profile's
/// name or a profile file) lives below the pulled folder: one per municipality and profile, since
/// each finance system imports its own file. A profile file is known by its file name's stem.
pub fn bookings_log_path(pulled: &Path, municipality: &str, profile: &str) -> PathBuf {
    profile_log_path(pulled, municipality, "bookings", profile)
}

/// Where the log of the mandate export (`--bookings --mandates`) of `municipality` with
/// `profile` lives: apart from the fees' log, since a submission's fees and its mandate are
/// exported by separate runs.
pub fn mandates_log_path(pulled: &Path, municipality: &str, profile: &str) -> PathBuf {
    profile_log_path(pulled, municipality, "mandates", profile)
}

fn profile_log_path(pulled: &Path, municipality: &str, what: &str, profile: &str) -> PathBuf {
    let stem = Path::new(profile)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    pulled
        .join(municipality)
        .join(format!(".{what}-{name}.json"))
}

impl ExportLog {
    /// Reads the log (empty when there is none yet).
    pub fn read(path: &Path) -> Result<ExportLog, InboxError> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| InboxError::Damaged {
                key: path.display().to_string(),
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ExportLog {
                format: EXPORT_LOG_FORMAT.into(),
                ..ExportLog::default()
            }),
            Err(e) => Err(InboxError::Io(format!("{}: {e}", path.display()))),
        }
    }

    /// Adds `rows` as exported at `now` and writes the log (to a temporary file renamed into
    /// place, so a crash leaves the old log or the new one).
    pub fn record(
        &mut self,
        path: &Path,
        rows: &[Delivered],
        now: OffsetDateTime,
    ) -> Result<(), InboxError> {
        self.exported.extend(rows.iter().map(|r| r.record.id));
        self.last_export = Some(now);
        let io = |e: std::io::Error| InboxError::Io(format!("{}: {e}", path.display()));
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(self).expect("the log serializes");
        std::fs::write(&tmp, bytes).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}

/// The rows `since` selects (all when `None`).
pub fn select(rows: Vec<Delivered>, since: Option<&Since>, log: &ExportLog) -> Vec<Delivered> {
    match since {
        None => rows,
        Some(Since::Last) => rows
            .into_iter()
            .filter(|r| !log.exported.contains(&r.record.id))
            .collect(),
        Some(Since::Time(t)) => rows
            .into_iter()
            .filter(|r| r.record.received_at >= *t)
            .collect(),
    }
}
