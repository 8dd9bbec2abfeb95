//! How an import run takes a submission and marks it imported, each exactly once: "lease before
//! import, ack after" (the run itself is the back office's, `inbox::import`).
//!
//! 1. For a submission without an ack, read its leases (`_leases/<municipality>/<id>/lease-<n>.json`).
//!    If the newest has not expired, another run is importing it. Otherwise create
//!    `lease-<n+1>` create-only: of two runs racing for one lease number exactly one creates it.
//! 2. After delivering, create `_acks/<municipality>/<id>.json` create-only: the run whose ack is
//!    created owns the import; one that finds an ack there treats the submission as done.
//!
//! A crashed run leaves a lease that expires; the next run takes the next number. A lease need
//! not be released: the ack ends it. On stores that ignore create-only writes, only one run at a
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
    let prefix = lease_prefix(m, id);
    let newest = store
        .list(&prefix)
        .await?
        .iter()
        .filter_map(|k| lease_number(&prefix, k))
        .max();
    if let Some(n) = newest {
        let key = lease_key(m, id, n);
        let bytes = store
            .get(&key)
            .await?
            .ok_or_else(|| LeaseError::Missing { key: key.clone() })?;
        let lease: Lease = serde_json::from_slice(&bytes).map_err(|e| LeaseError::Damaged {
            key: key.clone(),
            reason: e.to_string(),
        })?;
        if lease.expires_at > now {
            return Ok(Acquired::Busy);
        }
    }
    let lease = Lease {
        format: LEASE_FORMAT.into(),
        id,
        municipality: m.to_string(),
        n: newest.map_or(1, |n| n + 1),
        owner: owner.into(),
        taken_at: now,
        expires_at: now + duration,
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
