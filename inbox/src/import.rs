//! Importing each submission exactly once: "lease before import, ack after".
//!
//! 1. For each new submission (no `_acks/<municipality>/<id>.json`), read its leases
//!    `_leases/<municipality>/<id>/lease-<n>.json`. If the newest has not expired, another run
//!    is importing it: skip. Otherwise create `lease-<n+1>` create-only (`If-None-Match: *`,
//!    `link(2)` in a folder). Of two runs racing for the same lease number exactly one creates
//!    it; the other skips.
//! 2. The lease holder pulls (decrypt, verify, validate) and delivers the submission to a
//!    [`Sink`]. A sink must be idempotent by submission id (the folder sink renames a finished
//!    folder into place and treats "already there" as done), because a run may crash after
//!    delivering and before acknowledging.
//! 3. Create `_acks/<municipality>/<id>.json` create-only. The run whose ack is created owns
//!    the import; a run that finds an ack there already treats the submission as done.
//!
//! A run that crashes leaves a lease that expires (default 15 minutes); the next run takes the
//! next lease number and imports the submission again into the idempotent sink. A lease does
//! not need to be released: the ack ends it.
//!
//! Steps 1 and 3 need create-only writes. A run first finds out whether the store has them
//! (`submit_fn::store::exclusive::write_mode`: a folder and AWS S3 do; an S3-compatible store
//! is probed once with a scratch key below `_leases/<municipality>/_probe/`). On a store that
//! overwrites (Garage), the run becomes the only runner for its municipality
//! (`_leases/<municipality>/_runs/`, see `Exclusive`) or refuses to start, naming the run that
//! is active; it checks its right before each lease and each ack, so the import stays
//! exactly-once with one run at a time.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use submit_fn::store::exclusive::{Exclusive, WriteMode, write_mode};

use crate::{Entry, Filter, Inbox, InboxError, Pulled, ack_key};

pub const LEASE_FORMAT: &str = "formfabrik.lease/1";
pub const ACK_FORMAT: &str = "formfabrik.ack/1";
/// How long a run may take to import one submission before another run may take it over.
pub const DEFAULT_LEASE: Duration = Duration::minutes(15);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    pub format: String,
    pub id: Uuid,
    pub municipality: String,
    pub n: u32,
    /// Who holds it (host and process, for people reading the store).
    pub owner: String,
    #[serde(with = "time::serde::rfc3339")]
    pub taken_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub format: String,
    pub id: Uuid,
    pub municipality: String,
    pub form: String,
    pub version: u32,
    /// The lease under which it was imported; `None` for a manual `inbox ack`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<u32>,
    pub owner: String,
    #[serde(with = "time::serde::rfc3339")]
    pub imported_at: OffsetDateTime,
}

/// What [`acquire`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Acquired {
    /// This run holds the lease and may import.
    Mine(Lease),
    /// Another run holds an unexpired lease.
    Busy,
    /// Acknowledged already.
    Imported,
}

fn lease_prefix(entry: &Entry) -> String {
    format!("_leases/{}/{}/", entry.municipality, entry.id.hyphenated())
}

/// Takes the next lease on `entry`, unless it is imported or leased by someone else.
pub async fn acquire(
    inbox: &Inbox,
    entry: &Entry,
    owner: &str,
    now: OffsetDateTime,
    duration: Duration,
) -> Result<Acquired, InboxError> {
    let store = inbox.store();
    if store
        .get(&ack_key(&entry.municipality, entry.id))
        .await?
        .is_some()
    {
        return Ok(Acquired::Imported);
    }
    let prefix = lease_prefix(entry);
    let newest = store
        .list(&prefix)
        .await?
        .iter()
        .filter_map(|k| {
            k.strip_prefix(&prefix)?
                .strip_prefix("lease-")?
                .strip_suffix(".json")?
                .parse::<u32>()
                .ok()
        })
        .max();
    if let Some(n) = newest {
        let key = format!("{prefix}lease-{n}.json");
        let bytes = store
            .get(&key)
            .await?
            .ok_or_else(|| InboxError::Missing { key: key.clone() })?;
        let lease: Lease = serde_json::from_slice(&bytes).map_err(|e| InboxError::Damaged {
            key: key.clone(),
            reason: e.to_string(),
        })?;
        if lease.expires_at > now {
            return Ok(Acquired::Busy);
        }
    }
    let lease = Lease {
        format: LEASE_FORMAT.into(),
        id: entry.id,
        municipality: entry.municipality.clone(),
        n: newest.map_or(1, |n| n + 1),
        owner: owner.into(),
        taken_at: now,
        expires_at: now + duration,
    };
    let key = format!("{prefix}lease-{}.json", lease.n);
    let bytes = serde_json::to_vec_pretty(&lease).expect("leases serialize");
    match store
        .put_new(&key, bytes.into(), "application/json")
        .await?
    {
        submit_fn::store::PutOutcome::Created => {
            // Stores that ignore If-None-Match report Created to both: the lease that is
            // there is the one that counts.
            let stored = store.get(&key).await?;
            let stored: Option<Lease> = stored.and_then(|b| serde_json::from_slice(&b).ok());
            if stored.as_ref() == Some(&lease) {
                Ok(Acquired::Mine(lease))
            } else {
                Ok(Acquired::Busy)
            }
        }
        submit_fn::store::PutOutcome::Exists => Ok(Acquired::Busy),
    }
}

/// Marks `entry` imported. `true` when this call created the ack, `false` when it existed.
pub async fn ack(
    inbox: &Inbox,
    entry: &Entry,
    lease: Option<&Lease>,
    owner: &str,
    now: OffsetDateTime,
) -> Result<bool, InboxError> {
    let ack = Ack {
        format: ACK_FORMAT.into(),
        id: entry.id,
        municipality: entry.municipality.clone(),
        form: entry.form.clone(),
        version: entry.version,
        lease: lease.map(|l| l.n),
        owner: owner.into(),
        imported_at: now,
    };
    let bytes = serde_json::to_vec_pretty(&ack).expect("acks serialize");
    let outcome = inbox
        .store()
        .put_new(
            &ack_key(&entry.municipality, entry.id),
            bytes.into(),
            "application/json",
        )
        .await?;
    Ok(outcome == submit_fn::store::PutOutcome::Created)
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
    /// Could not be pulled or delivered: not acknowledged, retried after the lease expires.
    pub failed: Vec<(Uuid, String)>,
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
    let exclusive = match write_mode(inbox.store(), &format!("_leases/{m}/_probe/")).await? {
        WriteMode::CreateOnly => None,
        WriteMode::Overwrites => Some(
            Exclusive::acquire(
                inbox.shared_store(),
                &format!("_leases/{m}/_runs/"),
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
        let pulled = match inbox.pull(&entry).await {
            Ok(p) => p,
            Err(e) => {
                report.failed.push((entry.id, e.to_string()));
                continue;
            }
        };
        if let Err(e) = sink.deliver(&pulled) {
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

/// Delivers into a folder: `<out>/<municipality>/<form>/v<version>/<id>/` with
/// `submission.json`, `metadata.json` and the attachments (decrypted, under their object
/// names). A submission's folder is written under a temporary name and renamed into place;
/// if it is there already, the delivery is done (idempotent).
pub struct FolderSink {
    pub out: PathBuf,
}

impl FolderSink {
    pub fn new(out: impl Into<PathBuf>) -> FolderSink {
        FolderSink { out: out.into() }
    }

    /// The folder a submission is delivered to.
    pub fn folder(&self, entry: &Entry) -> PathBuf {
        self.out.join(format!(
            "{}/{}/v{}/{}",
            entry.municipality, entry.form, entry.version, entry.id
        ))
    }
}

impl Sink for FolderSink {
    fn deliver(&mut self, pulled: &Pulled) -> Result<(), String> {
        let target = self.folder(&pulled.entry);
        if target.exists() {
            return Ok(());
        }
        let parent = target.parent().expect("has a parent");
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
            for f in &pulled.files {
                write_private(&tmp.join(&f.name), &f.bytes)?;
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
