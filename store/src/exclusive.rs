//! Stores that ignore create-only writes, and how the function and the importer stay
//! exactly-once on them.
//!
//! The claim protocol ([`crate::protocol`]) and the importer's leases rely on create-only writes:
//! of two writers of one key exactly one gets `Created`. Some S3-compatible stores (Garage)
//! ignore `If-None-Match` and let the last writer win. [`write_mode`] finds out once, at start:
//! it writes one scratch key twice, create-only; a store that reports the second write as
//! `Created` too overwrites ([`WriteMode::Overwrites`]).
//!
//! On such a store only one runner at a time may write claims (the function) or leases and
//! acknowledgements (an importer of one municipality): [`Exclusive`]. It needs nothing but
//! plain writes of keys nobody else writes, and reads and listings that see every write that
//! finished before them (read-after-write consistency, which AWS S3, Garage and moto give):
//!
//! 1. A runner writes its own marker `<prefix><nonce>.json` (owner, start, expiry).
//! 2. Then it lists `<prefix>` and reads the other markers. If any other is live (not released,
//!    not expired), it marks its own released and refuses to run, naming the other.
//!
//! Of two runners that overlap, at least one sees the other: if A's listing missed B's marker,
//! B wrote it after A listed, so after A wrote its own, and B's listing (later still) sees A's.
//! Both may refuse (then neither runs, and a later run goes ahead); both never run. A runner
//! renews its marker before it expires and stops writing once it cannot (a crashed runner's
//! marker expires, and the next runner takes over after that).

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::layout::{FUNCTION_PROBE_PREFIX, FUNCTION_RUNNERS_PREFIX};
use crate::{PutOutcome, Store, StoreError};

/// Whether a store keeps the first of two create-only writes of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// `put_new` never replaces an object (link(2), `If-None-Match: *` honoured).
    CreateOnly,
    /// `put_new` replaces an existing object (the store ignores `If-None-Match`).
    Overwrites,
}

/// The store's write mode: what the store says of itself when it knows (a folder, AWS S3),
/// else what [`probe`] finds with a scratch key below `scratch_prefix`.
pub async fn write_mode(store: &dyn Store, scratch_prefix: &str) -> Result<WriteMode, StoreError> {
    match store.honours_create_only() {
        Some(true) => Ok(WriteMode::CreateOnly),
        Some(false) => Ok(WriteMode::Overwrites),
        None => probe(store, scratch_prefix).await,
    }
}

/// Writes one new scratch key (`<scratch_prefix><uuid>.json`) twice, create-only. The second
/// write must find the first; a store that reports it `Created` ignores conditional writes.
/// The scratch object stays (the function never deletes): expire the prefix by lifecycle rule.
pub async fn probe(store: &dyn Store, scratch_prefix: &str) -> Result<WriteMode, StoreError> {
    let key = format!("{scratch_prefix}{}.json", Uuid::new_v4().hyphenated());
    let body = |n: u8| Bytes::from(format!("{{\"probe\": {n}}}\n"));
    if store.put_new(&key, body(1), "application/json").await? != PutOutcome::Created {
        return Err(StoreError::Unavailable(format!(
            "the new scratch key {key} exists already"
        )));
    }
    match store.put_new(&key, body(2), "application/json").await? {
        PutOutcome::Exists => Ok(WriteMode::CreateOnly),
        PutOutcome::Created => Ok(WriteMode::Overwrites),
    }
}

/// The format of runner markers.
pub const MARKER_FORMAT: &str = "formfabrik.runner/1";

/// A runner's marker: who runs, since when, until when at the latest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    pub format: String,
    pub owner: String,
    pub nonce: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Set when the runner ended (or refused to start).
    #[serde(default)]
    pub released: bool,
}

impl Marker {
    fn live_at(&self, now: OffsetDateTime) -> bool {
        !self.released && self.expires_at > now
    }
}

#[derive(Debug, Error)]
pub enum ExclusiveError {
    #[error(
        "another runner is active on this store: {owner}, since {since}, until {until} at the \
         latest. The store ignores create-only writes (If-None-Match), so only one runner at a \
         time can stay exactly-once; start again when it has finished"
    )]
    Busy {
        owner: String,
        since: String,
        until: String,
    },
    #[error("this runner's exclusive right ended: {0}; it stops before writing more")]
    Lost(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The right to be the only runner below a prefix of a store that overwrites (see the module
/// docs). Renew it before `expires_at`; check [`Exclusive::valid_at`] before each write that
/// needs it.
pub struct Exclusive {
    store: Arc<dyn Store>,
    prefix: String,
    key: String,
    ttl: Duration,
    marker: Mutex<Marker>,
}

impl std::fmt::Debug for Exclusive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exclusive")
            .field("store", &self.store.describe())
            .field("key", &self.key)
            .finish()
    }
}

impl Exclusive {
    /// Becomes the only runner below `prefix`, or says who is.
    pub async fn acquire(
        store: Arc<dyn Store>,
        prefix: &str,
        owner: &str,
        ttl: Duration,
        now: OffsetDateTime,
    ) -> Result<Exclusive, ExclusiveError> {
        let nonce = Uuid::new_v4();
        let marker = Marker {
            format: MARKER_FORMAT.into(),
            owner: owner.into(),
            nonce,
            started_at: now,
            expires_at: now + ttl,
            released: false,
        };
        let me = Exclusive {
            key: format!("{prefix}{}.json", nonce.hyphenated()),
            prefix: prefix.into(),
            store,
            ttl,
            marker: Mutex::new(marker),
        };
        me.write().await?;
        if let Some(other) = me.live_others(now).await?.into_iter().next() {
            me.release(now).await;
            let fmt = |t: OffsetDateTime| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            };
            return Err(ExclusiveError::Busy {
                owner: other.owner,
                since: fmt(other.started_at),
                until: fmt(other.expires_at),
            });
        }
        Ok(me)
    }

    /// Whether this runner may still write at `now`: its marker is live for a tenth of its
    /// lifetime more (a margin for the write that follows).
    pub fn valid_at(&self, now: OffsetDateTime) -> bool {
        let m = self.marker.lock().expect("lock");
        !m.released && m.expires_at - self.ttl / 10 > now
    }

    /// Extends the marker to `now + ttl` and checks that no other runner is live. After an
    /// error the runner must stop writing (it stays valid until its old expiry at most).
    pub async fn renew(&self, now: OffsetDateTime) -> Result<(), ExclusiveError> {
        if !self.valid_at(now) {
            return Err(ExclusiveError::Lost("its marker expired".into()));
        }
        self.marker.lock().expect("lock").expires_at = now + self.ttl;
        self.write().await?;
        if let Some(other) = self.live_others(now).await?.into_iter().next() {
            // Cannot happen while markers are renewed in time; stop rather than guess.
            self.marker.lock().expect("lock").released = true;
            return Err(ExclusiveError::Lost(format!(
                "another runner ({}) is active",
                other.owner
            )));
        }
        Ok(())
    }

    /// Renews when half the lifetime has passed; an error as for [`Exclusive::renew`].
    pub async fn renew_if_due(&self, now: OffsetDateTime) -> Result<(), ExclusiveError> {
        let due = {
            let m = self.marker.lock().expect("lock");
            m.expires_at - self.ttl / 2 <= now
        };
        if due {
            self.renew(now).await
        } else if self.valid_at(now) {
            Ok(())
        } else {
            Err(ExclusiveError::Lost("its marker expired".into()))
        }
    }

    /// Ends the right (best effort: an unreleased marker expires by itself).
    pub async fn release(&self, _now: OffsetDateTime) {
        self.marker.lock().expect("lock").released = true;
        if let Err(e) = self.write().await {
            tracing::warn!(error = %e, key = %self.key, "runner marker not released; it expires");
        }
    }

    /// The marker as it is now.
    pub fn marker(&self) -> Marker {
        self.marker.lock().expect("lock").clone()
    }

    async fn write(&self) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec_pretty(&self.marker()).expect("markers serialize");
        // Only this runner writes this key; the store replaces it (that is why we are here).
        self.store
            .put_new(&self.key, Bytes::from(bytes), "application/json")
            .await?;
        Ok(())
    }

    async fn live_others(&self, now: OffsetDateTime) -> Result<Vec<Marker>, StoreError> {
        let mut others = Vec::new();
        for key in self.store.list(&self.prefix).await? {
            if key == self.key || !key.ends_with(".json") {
                continue;
            }
            let Some(bytes) = self.store.get(&key).await? else {
                continue;
            };
            // A marker that cannot be read is someone else's business, but it is not a
            // runner that can be trusted to be gone: count it as live until it is fixed.
            match serde_json::from_slice::<Marker>(&bytes) {
                Ok(m) if m.live_at(now) => others.push(m),
                Ok(_) => {}
                Err(e) => {
                    return Err(StoreError::Damaged {
                        key,
                        reason: e.to_string(),
                    });
                }
            }
        }
        Ok(others)
    }
}

/// How long a function runner's marker lives without renewal.
pub const FUNCTION_RUNNER_TTL: Duration = Duration::minutes(2);

/// For the function at start: `None` on a store that keeps the first of two create-only
/// writes (the claim protocol is exactly-once there, with any number of instances); on a store
/// that overwrites, the exclusive right of this process to write claims, or why another
/// process has it.
pub async fn function_runner(
    store: Arc<dyn Store>,
    owner: &str,
    now: OffsetDateTime,
) -> Result<Option<Arc<Exclusive>>, ExclusiveError> {
    match write_mode(store.as_ref(), FUNCTION_PROBE_PREFIX).await? {
        WriteMode::CreateOnly => Ok(None),
        WriteMode::Overwrites => {
            let lock = Exclusive::acquire(
                store,
                FUNCTION_RUNNERS_PREFIX,
                owner,
                FUNCTION_RUNNER_TTL,
                now,
            )
            .await?;
            Ok(Some(Arc::new(lock)))
        }
    }
}

/// Renews `lock` every `every` (a third of its lifetime is right) until it cannot; then logs
/// why and stops, and the handler answers 503 once the marker has expired.
pub fn spawn_renewal(
    lock: Arc<Exclusive>,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if let Err(e) = lock.renew(OffsetDateTime::now_utc()).await {
                tracing::error!(error = %e, "single-runner mode: renewal failed; claims stop when the marker expires");
                if matches!(e, ExclusiveError::Lost(_)) {
                    return;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStore;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);

    #[tokio::test]
    async fn the_probe_tells_create_only_stores_from_stores_that_overwrite() {
        let honest = MemoryStore::new();
        assert_eq!(
            probe(&honest, "_probe/").await.unwrap(),
            WriteMode::CreateOnly
        );
        let garage_like = MemoryStore::ignoring_if_none_match();
        assert_eq!(
            probe(&garage_like, "_probe/").await.unwrap(),
            WriteMode::Overwrites
        );
    }

    #[tokio::test]
    async fn of_two_runners_only_one_runs_and_the_other_is_told_who() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::ignoring_if_none_match());
        let ttl = Duration::minutes(5);
        let a = Exclusive::acquire(store.clone(), "_runs/", "a:1", ttl, NOW)
            .await
            .unwrap();
        let err = Exclusive::acquire(store.clone(), "_runs/", "b:2", ttl, NOW)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("a:1"), "{err}");
        assert!(a.valid_at(NOW));
        a.renew(NOW + Duration::minutes(3)).await.unwrap();
        // Released: the next runner goes ahead.
        a.release(NOW).await;
        Exclusive::acquire(
            store.clone(),
            "_runs/",
            "c:3",
            ttl,
            NOW + Duration::minutes(4),
        )
        .await
        .unwrap();
        // An expired marker (a crashed runner) does not block; its owner may not write on.
        let d = Exclusive::acquire(
            Arc::new(MemoryStore::ignoring_if_none_match()),
            "_runs/",
            "d:4",
            ttl,
            NOW,
        )
        .await
        .unwrap();
        assert!(!d.valid_at(NOW + Duration::minutes(5)));
        assert!(d.renew(NOW + Duration::minutes(6)).await.is_err());
    }
}
