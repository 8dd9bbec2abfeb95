//! Importing each submission exactly once: "lease before import, ack after"
//! (`store::lease`). A run lists the new submissions (no ack), takes a lease on each, pulls it
//! (decrypt, verify, validate), delivers it to a [`Sink`] and acknowledges it. A sink must be
//! idempotent by submission id (the folder sink renames a finished folder into place and treats
//! "already there" as done), because a run may crash after delivering and before acknowledging;
//! the next run takes over once the lease expires (default 15 minutes) and delivers again.
//!
//! Leases and acks need create-only writes. A run first finds out whether the store has them
//! (`store::exclusive::write_mode`: a folder and AWS S3 do; an S3-compatible store is probed
//! once with a scratch key below `_leases/<municipality>/_probe/`). On a store that overwrites
//! (Garage), the run becomes the only runner for its municipality
//! (`_leases/<municipality>/_runs/`, see `store::exclusive::Exclusive`) or refuses to start,
//! naming the run that is active; it checks its right before each lease and each ack, so the
//! import stays exactly-once with one run at a time.

use std::path::{Path, PathBuf};

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use store::exclusive::{Exclusive, WriteMode, write_mode};
use store::layout::{import_probe_prefix, import_runners_prefix};
use store::lease;

pub use store::lease::{Ack, Acquired, Lease};

use crate::{Entry, Filter, Inbox, InboxError, Pulled};

/// How long a run may take to import one submission before another run may take it over.
pub const DEFAULT_LEASE: Duration = Duration::minutes(15);

/// Takes the next lease on `entry` (see `store::lease::acquire`).
pub async fn acquire(
    inbox: &Inbox,
    entry: &Entry,
    owner: &str,
    now: OffsetDateTime,
    duration: Duration,
) -> Result<Acquired, InboxError> {
    Ok(lease::acquire(inbox.store(), entry.imported(), owner, now, duration).await?)
}

/// Marks `entry` imported. `true` when this call created the ack, `false` when it existed.
pub async fn ack(
    inbox: &Inbox,
    entry: &Entry,
    lease: Option<&Lease>,
    owner: &str,
    now: OffsetDateTime,
) -> Result<bool, InboxError> {
    Ok(lease::ack(inbox.store(), entry.imported(), lease, owner, now).await?)
}

/// Where imported submissions go. Must be idempotent by submission id.
pub trait Sink: Send {
    fn deliver(&mut self, pulled: &Pulled) -> Result<(), String>;
}

/// How a run identifies itself and how long its leases last.
pub struct RunOptions<'a> {
    pub owner: String,
    pub lease: Duration,
    /// The current time (tests move it forward).
    pub now: &'a (dyn Fn() -> OffsetDateTime + Sync),
}

/// What a run did.
#[derive(Debug, Default)]
pub struct RunReport {
    /// The store ignores create-only writes: this run was the only runner of its
    /// municipality (single-runner mode).
    pub single_runner: bool,
    /// Imported and acknowledged by this run.
    pub imported: Vec<Uuid>,
    /// Leased by another run.
    pub busy: Vec<Uuid>,
    /// Acknowledged meanwhile by another run.
    pub already: Vec<Uuid>,
    /// Could not be pulled or delivered: not acknowledged, its lease released so that the
    /// next run retries at once.
    pub failed: Vec<(Uuid, String)>,
}

impl RunReport {
    /// Submissions this run left unimported (failed, or leased by another run): a run with
    /// any is not a success, whatever the reason.
    pub fn unimported(&self) -> usize {
        self.failed.len() + self.busy.len()
    }

    /// One line for a scheduler's mail: `musterstadt: 5 of 5 submissions NOT imported (5
    /// failed, 0 leased by another run)`, or how many were imported.
    pub fn summary(&self, municipality: &str) -> String {
        let total = self.imported.len() + self.already.len() + self.unimported();
        if self.unimported() == 0 {
            format!(
                "{municipality}: {} imported, {} imported by another run, nothing left",
                self.imported.len(),
                self.already.len()
            )
        } else {
            format!(
                "{municipality}: {} of {total} submissions NOT imported ({} failed, {} leased by another run; `formfabrik inbox release` frees the leases of a crashed run), {} imported",
                self.unimported(),
                self.failed.len(),
                self.busy.len(),
                self.imported.len()
            )
        }
    }
}

/// Imports every new submission matching `filter` into `sink`. On a store that ignores
/// create-only writes, fails with [`InboxError::Exclusive`] when another run of the same
/// municipality is active.
pub async fn run(
    inbox: &Inbox,
    filter: &Filter,
    opts: &RunOptions<'_>,
    sink: &mut dyn Sink,
) -> Result<RunReport, InboxError> {
    let m = &filter.municipality;
    let exclusive = match write_mode(inbox.store(), &import_probe_prefix(m)).await? {
        WriteMode::CreateOnly => None,
        WriteMode::Overwrites => Some(
            Exclusive::acquire(
                inbox.shared_store(),
                &import_runners_prefix(m),
                &opts.owner,
                opts.lease,
                (opts.now)(),
            )
            .await?,
        ),
    };
    let result = run_leased(inbox, filter, opts, sink, exclusive.as_ref()).await;
    if let Some(x) = &exclusive {
        x.release((opts.now)()).await;
    }
    result
}

async fn run_leased(
    inbox: &Inbox,
    filter: &Filter,
    opts: &RunOptions<'_>,
    sink: &mut dyn Sink,
    exclusive: Option<&Exclusive>,
) -> Result<RunReport, InboxError> {
    let mut report = RunReport {
        single_runner: exclusive.is_some(),
        ..RunReport::default()
    };
    let filter = Filter {
        include_acked: false,
        ..filter.clone()
    };
    // In single-runner mode, every write of a lease or an ack happens only while this run's
    // right is valid (renewed when half of it has passed).
    let still_mine = async |now: OffsetDateTime| -> Result<(), InboxError> {
        if let Some(x) = exclusive {
            x.renew_if_due(now).await?;
        }
        Ok(())
    };
    for entry in inbox.list(&filter).await? {
        still_mine((opts.now)()).await?;
        let lease = match acquire(inbox, &entry, &opts.owner, (opts.now)(), opts.lease).await? {
            Acquired::Mine(lease) => lease,
            Acquired::Busy => {
                report.busy.push(entry.id);
                continue;
            }
            Acquired::Imported => {
                report.already.push(entry.id);
                continue;
            }
        };
        let delivered = match inbox.pull(&entry).await {
            Ok(pulled) => sink.deliver(&pulled),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = delivered {
            // Give the lease up, so that the corrected run right after retries it.
            still_mine((opts.now)()).await?;
            lease::release(inbox.store(), &lease, &opts.owner, (opts.now)()).await?;
            report.failed.push((entry.id, e));
            continue;
        }
        still_mine((opts.now)()).await?;
        if ack(inbox, &entry, Some(&lease), &opts.owner, (opts.now)()).await? {
            report.imported.push(entry.id);
        } else {
            report.already.push(entry.id);
        }
    }
    Ok(report)
}

/// A lease [`release_leases`] gave up.
#[derive(Debug, Clone, PartialEq)]
pub struct Released {
    pub entry: Entry,
    /// Who held it, until when.
    pub owner: String,
    pub expires_at: OffsetDateTime,
}

/// `formfabrik inbox release`: gives up the live leases on the new submissions matching
/// `filter` (only those of `held_by`, when given; only the submissions `only`, when not empty),
/// so that the next run imports them at once instead of waiting for the leases to expire. For
/// the leases of a run that is known to have crashed: a run still working would then import
/// alongside the next one (the ack keeps the import single; the delivery must be idempotent).
pub async fn release_leases(
    inbox: &Inbox,
    filter: &Filter,
    only: &[Uuid],
    held_by: Option<&str>,
    owner: &str,
    now: OffsetDateTime,
) -> Result<Vec<Released>, InboxError> {
    let filter = Filter {
        include_acked: false,
        ..filter.clone()
    };
    let mut out = Vec::new();
    for entry in inbox.list(&filter).await? {
        if !only.is_empty() && !only.contains(&entry.id) {
            continue;
        }
        let Some(lease) = lease::newest(inbox.store(), &entry.municipality, entry.id).await? else {
            continue;
        };
        if !lease.holds(now) || held_by.is_some_and(|h| h != lease.owner) {
            continue;
        }
        if lease::release(inbox.store(), &lease, owner, now).await? {
            out.push(Released {
                entry,
                owner: lease.owner,
                expires_at: lease.expires_at,
            });
        }
    }
    Ok(out)
}

/// Delivers into a folder: `<out>/<municipality>/<form>/v<version>/<id>/` with
/// `submission.json`, `metadata.json`, `payment.json` when it was paid online, and the attachments (decrypted, under their object
/// names). A submission's folder is written under a temporary name (a hidden folder
/// `.<id>.<nonce>.tmp` next to it: watchers must skip dot-folders) and renamed into place; if
/// it is there already, the delivery is done (idempotent). What a killed run left hidden is
/// removed by the next delivery of that submission.
///
/// With [`FolderSink::with_receipts`], the folder also holds the receipts
/// (`crate::receipts`: `receipt.pdf`, and `receipt-<lang>.pdf` in the citizen's language) —
/// for a submission whose form the maker finds (the registry's, or the earlier version kept
/// in `dist/schemas`); others are delivered without.
pub struct FolderSink {
    pub out: PathBuf,
    receipts: Option<crate::receipts::ReceiptMaker>,
}

impl FolderSink {
    pub fn new(out: impl Into<PathBuf>) -> FolderSink {
        FolderSink {
            out: out.into(),
            receipts: None,
        }
    }

    /// Also writes each submission's receipts.
    pub fn with_receipts(mut self, maker: crate::receipts::ReceiptMaker) -> FolderSink {
        self.receipts = Some(maker);
        self
    }

    /// The folder a submission is delivered to: `<out>/<m>/<form>/v<version>/<reference>/`,
    /// named by the reference the citizen was given (what a clerk looks for). A reference that
    /// is not a plain folder name (only letters, digits and `-`) gives the id's folder.
    pub fn folder(&self, entry: &Entry, reference: &str) -> PathBuf {
        let plain = !reference.is_empty()
            && reference
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let name = if plain {
            reference.to_string()
        } else {
            entry.id.to_string()
        };
        self.version_folder(entry).join(name)
    }

    /// Where pulls before folders were named by reference put a submission:
    /// `<out>/<m>/<form>/v<version>/<id>/`. Such a folder still counts as delivered.
    pub fn id_folder(&self, entry: &Entry) -> PathBuf {
        self.version_folder(entry).join(entry.id.to_string())
    }

    /// The folder `entry` was delivered to, if it was: by its reference, or by its id.
    pub fn delivered(&self, entry: &Entry, reference: Option<&str>) -> Option<PathBuf> {
        reference
            .map(|r| self.folder(entry, r))
            .into_iter()
            .chain([self.id_folder(entry)])
            .find(|f| f.join("submission.json").exists())
    }

    fn version_folder(&self, entry: &Entry) -> PathBuf {
        self.out.join(format!(
            "{}/{}/v{}",
            entry.municipality, entry.form, entry.version
        ))
    }
}

impl FolderSink {
    /// Removes what a killed run left while writing `id`: hidden `.<id>.<nonce>.tmp` folders
    /// next to its target. Called by the holder of the submission's lease, so no live run is
    /// writing them.
    fn clean_leftovers(parent: &Path, id: Uuid) {
        let start = format!(".{id}.");
        let Ok(entries) = std::fs::read_dir(parent) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(&start) && name.ends_with(".tmp") {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

impl Sink for FolderSink {
    fn deliver(&mut self, pulled: &Pulled) -> Result<(), String> {
        let target = self.folder(&pulled.entry, &pulled.record.reference);
        let parent = target.parent().expect("has a parent");
        Self::clean_leftovers(parent, pulled.entry.id);
        if self.id_folder(&pulled.entry).exists() {
            return Ok(());
        }
        if target.exists() {
            return same_submission(&target, pulled.entry.id);
        }
        let receipts = match &self.receipts {
            Some(maker) if maker.form_of(&pulled.record).is_ok() => {
                let files: Vec<&[u8]> = pulled.files.iter().map(|f| f.bytes.as_ref()).collect();
                maker.render(&pulled.record, &pulled.record_bytes, &files)?
            }
            _ => Vec::new(),
        };
        let tmp = parent.join(format!(
            ".{}.{}.tmp",
            pulled.entry.id,
            Uuid::new_v4().simple()
        ));
        let write = || -> std::io::Result<()> {
            // Citizens' data: readable by the importer's user only.
            let mut dirs = std::fs::DirBuilder::new();
            dirs.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                dirs.mode(0o700);
            }
            dirs.create(&tmp)?;
            write_private(&tmp.join("submission.json"), &pulled.record_bytes)?;
            let meta = serde_json::to_vec_pretty(&pulled.metadata).expect("JSON serializes");
            write_private(&tmp.join("metadata.json"), &meta)?;
            if let Some(payment) = &pulled.payment {
                let payment = serde_json::to_vec_pretty(payment).expect("JSON serializes");
                write_private(&tmp.join(crate::export::PAYMENT_FILE), &payment)?;
            }
            for f in &pulled.files {
                write_private(&tmp.join(&f.name), &f.bytes)?;
            }
            for r in &receipts {
                write_private(&tmp.join(&r.file_name), &r.pdf)?;
            }
            Ok(())
        };
        let result = write().and_then(|()| std::fs::rename(&tmp, &target));
        match result {
            Ok(()) => Ok(()),
            // Another run delivered it meanwhile (rename onto a non-empty folder fails).
            Err(_) if target.join("submission.json").exists() => {
                let _ = std::fs::remove_dir_all(&tmp);
                Ok(())
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                Err(format!("{}: {e}", target.display()))
            }
        }
    }
}

/// A folder that is there already holds this submission (a delivery repeated after a crash)
/// and not another one with the same name.
fn same_submission(folder: &Path, id: Uuid) -> Result<(), String> {
    let path = folder.join("submission.json");
    let found = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string));
    match found {
        Some(found) if found == id.to_string() => Ok(()),
        found => Err(format!(
            "{}: holds submission {} instead of {id}",
            folder.display(),
            found.unwrap_or_else(|| "(unreadable)".into())
        )),
    }
}

/// Writes a new file (never over an existing one) readable only by its owner, and syncs it:
/// citizens' data and private keys are written this way.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
