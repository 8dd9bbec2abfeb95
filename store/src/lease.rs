//! How an import run takes a submission and marks it imported, each exactly once: "lease before
//! import, ack after" (the run itself is the back office's, `inbox::import`).
//!
//! 1. For a submission without an ack, read its leases (`_leases/<municipality>/<id>/lease-<n>.json`).
//!    If the newest has not expired, another run is importing it. Otherwise create
//!    `lease-<n+1>` create-only: of two runs racing for one lease number exactly one creates it.
//! 2. After delivering, create `_acks/<municipality>/<id>.json` create-only: the run whose ack is
//!    created owns the import; one that finds an ack there treats the submission as done.
//!
//! A crashed run leaves a lease that expires; the next run takes the next number. A run that
//! fails to import a submission releases its lease at once ([`release`]: the next number,
//! create-only, marked released and already expired), so the next run can retry right away;
//! `formfabrik inbox release` does the same for the leases of a run known to have crashed.
//! The ack ends a lease that was not released. On stores that ignore create-only writes, only one run at a
//! time may do this ([`crate::exclusive`]).

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::layout::{ack_key, lease_key, lease_number, lease_prefix};
use crate::{PutOutcome, Store, StoreError};

pub const LEASE_FORMAT: &str = "formfabrik.lease/1";
pub const ACK_FORMAT: &str = "formfabrik.ack/1";

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
    /// Written by [`release`]: the lease before it is given up.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub released: bool,
}

impl Lease {
    /// Whether it keeps other runs away at `now`.
    pub fn holds(&self, now: OffsetDateTime) -> bool {
        !self.released && self.expires_at > now
    }
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

/// Why a lease could not be taken.
#[derive(Debug, Error)]
pub enum LeaseError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A lease that was listed is gone.
    #[error("{key}: missing")]
    Missing { key: String },
    /// A lease that cannot be read.
    #[error("{key}: not readable: {reason}")]
    Damaged { key: String, reason: String },
}

/// The submission an import run leases and acknowledges.
#[derive(Debug, Clone, Copy)]
pub struct Imported<'a> {
    pub municipality: &'a str,
    pub form: &'a str,
    pub version: u32,
    pub id: Uuid,
}

/// Takes the next lease on `submission` for `owner` until `now + duration`, unless it is
/// acknowledged or leased by someone else.
pub async fn acquire(
    store: &dyn Store,
    submission: Imported<'_>,
    owner: &str,
    now: OffsetDateTime,
    duration: Duration,
) -> Result<Acquired, LeaseError> {
    let (m, id) = (submission.municipality, submission.id);
    if store.get(&ack_key(m, id)).await?.is_some() {
        return Ok(Acquired::Imported);
    }
    let newest = newest(store, m, id).await?;
    if newest.as_ref().is_some_and(|l| l.holds(now)) {
        return Ok(Acquired::Busy);
    }
    let lease = Lease {
        format: LEASE_FORMAT.into(),
        id,
        municipality: m.to_string(),
        n: newest.map_or(1, |l| l.n + 1),
        owner: owner.into(),
        taken_at: now,
        expires_at: now + duration,
        released: false,
    };
    let key = lease_key(m, id, lease.n);
    let bytes = serde_json::to_vec_pretty(&lease).expect("leases serialize");
    match store
        .put_new(&key, bytes.into(), "application/json")
        .await?
    {
        PutOutcome::Created => {
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
        PutOutcome::Exists => Ok(Acquired::Busy),
    }
}

/// The newest lease on submission `id` of `municipality`, if any.
pub async fn newest(
    store: &dyn Store,
    municipality: &str,
    id: Uuid,
) -> Result<Option<Lease>, LeaseError> {
    let prefix = lease_prefix(municipality, id);
    let Some(n) = store
        .list(&prefix)
        .await?
        .iter()
        .filter_map(|k| lease_number(&prefix, k))
        .max()
    else {
        return Ok(None);
    };
    let key = lease_key(municipality, id, n);
    let bytes = store
        .get(&key)
        .await?
        .ok_or_else(|| LeaseError::Missing { key: key.clone() })?;
    let lease = serde_json::from_slice(&bytes).map_err(|e| LeaseError::Damaged {
        key: key.clone(),
        reason: e.to_string(),
    })?;
    Ok(Some(lease))
}

/// Gives `lease` up: writes the next lease number create-only, marked released and expired at
/// `now`, by `owner`. Needs no delete permission. `false` when another run has taken the next
/// lease meanwhile (then that run holds the submission, and nothing is changed).
pub async fn release(
    store: &dyn Store,
    lease: &Lease,
    owner: &str,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let released = Lease {
        format: LEASE_FORMAT.into(),
        id: lease.id,
        municipality: lease.municipality.clone(),
        n: lease.n + 1,
        owner: owner.into(),
        taken_at: now,
        expires_at: now,
        released: true,
    };
    let bytes = serde_json::to_vec_pretty(&released).expect("leases serialize");
    let key = lease_key(&lease.municipality, lease.id, released.n);
    let outcome = store
        .put_new(&key, bytes.into(), "application/json")
        .await?;
    Ok(outcome == PutOutcome::Created)
}

/// Marks `submission` imported (under `lease`, if a run holds one). `true` when this call
/// created the ack, `false` when it existed.
pub async fn ack(
    store: &dyn Store,
    submission: Imported<'_>,
    lease: Option<&Lease>,
    owner: &str,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let ack = Ack {
        format: ACK_FORMAT.into(),
        id: submission.id,
        municipality: submission.municipality.to_string(),
        form: submission.form.to_string(),
        version: submission.version,
        lease: lease.map(|l| l.n),
        owner: owner.into(),
        imported_at: now,
    };
    let bytes = serde_json::to_vec_pretty(&ack).expect("acks serialize");
    let outcome = store
        .put_new(
            &ack_key(submission.municipality, submission.id),
            bytes.into(),
            "application/json",
        )
        .await?;
    Ok(outcome == PutOutcome::Created)
}
