//! Reconciliation (`formfabrik payments reconcile`): XBezahldienste v1 has no push, so a
//! citizen who paid and closed the tab never comes back to the return address. This pulls
//! every transaction of a submission that still awaits payment once it is older than a
//! minimum age (younger ones are probably still on the pay page), releases the paid ones, and
//! expires those still unpaid after the municipality's `expire-after-hours`. It decides as the
//! return route does ([`super::flow::settle`]); racing the return, exactly one releases.
//! Withdrawn submissions, and expired ones once [`ReconcileOptions::purge_after`] has passed,
//! are deleted from the store ([`super::purge`]) unless they were paid after all.

use std::collections::BTreeMap;

use form_model::registry::Registry;
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use store::Store;
use store::crypto::Encryptor;
use store::payment::{PaymentObject, expired_key, parse_payment_key, payments_prefix};

use super::attempt;
use super::flow::{self, Payments, Standing};
use super::purge::{EXPIRED_GRACE, Ended, Purge, purge};

/// How reconciliation treats what it finds.
#[derive(Debug, Clone, Copy)]
pub struct ReconcileOptions {
    /// Transactions younger than this are left alone.
    pub min_age: Duration,
    /// Instead of each municipality's `expire-after-hours`.
    pub expire_after: Option<Duration>,
    /// How long an expired submission is kept after its expiry before it is deleted.
    pub purge_after: Duration,
}

impl Default for ReconcileOptions {
    fn default() -> Self {
        ReconcileOptions {
            min_age: Duration::minutes(15),
            expire_after: None,
            purge_after: EXPIRED_GRACE,
        }
    }
}

/// What one run did, per municipality and in total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ReconcileReport {
    /// Submissions whose transaction was pulled.
    pub checked: usize,
    /// Paid, and handed on by this run.
    pub released: usize,
    /// Expired by this run.
    pub expired: usize,
    /// Withdrawn or expired, deleted from the store by this run.
    pub purged: usize,
    /// Still awaiting payment (open or ended, not yet expired).
    pub waiting: usize,
    /// Left alone: younger than the minimum age.
    pub young: usize,
    /// Could not be pulled or released (logged; the next run tries again).
    pub errors: Vec<String>,
}

/// One run over every municipality of `registry` that has a payment platform.
pub async fn reconcile(
    store: &dyn Store,
    registry: &Registry,
    payments: &Payments,
    now: OffsetDateTime,
    options: ReconcileOptions,
) -> ReconcileReport {
    let mut report = ReconcileReport::default();
    for m in &registry.municipalities {
        let Some(payment) = &m.payment else { continue };
        let encryptor = match m.encryption_key.as_ref().map(Encryptor::from_jwk) {
            None => None,
            Some(Ok(e)) => Some(e),
            Some(Err(e)) => {
                report.errors.push(format!("{}: encryption key: {e}", m.id));
                continue;
            }
        };
        let expire_after = options
            .expire_after
            .unwrap_or(Duration::hours(i64::from(payment.expire_after_hours)));
        let keys = match store.list(&payments_prefix(&m.id)).await {
            Ok(keys) => keys,
            Err(e) => {
                report.errors.push(format!("{}: {e}", m.id));
                continue;
            }
        };
        // Per submission: its latest attempt and its markers.
        let mut found: BTreeMap<Uuid, Found> = BTreeMap::new();
        for key in &keys {
            let Some((id, object)) = parse_payment_key(key) else {
                continue;
            };
            let entry = found.entry(id).or_default();
            match object {
                PaymentObject::Attempt(n) => entry.latest = entry.latest.max(n),
                PaymentObject::Released => entry.released = true,
                PaymentObject::Cancelled => entry.ended = Some(Ended::Withdrawn),
                PaymentObject::Expired => {
                    entry.ended = entry.ended.or(Some(Ended::Expired));
                }
            }
        }
        for (
            id,
            Found {
                latest: n,
                released,
                ended,
            },
        ) in found
        {
            if released {
                continue;
            }
            if let Some(ended) = ended {
                let e = encryptor.as_ref();
                match purge(
                    store,
                    payments,
                    &m.id,
                    id,
                    ended,
                    e,
                    now,
                    options.purge_after,
                )
                .await
                {
                    Ok(Purge::Deleted) => report.purged += 1,
                    Ok(Purge::Released { first }) => report.released += usize::from(first),
                    Ok(Purge::Kept) => {}
                    Err(e) => {
                        tracing::error!(municipality = %m.id, id = %id, error = %e, "deleting an unpaid submission failed");
                        report.errors.push(format!("{}/{id}: {e}", m.id));
                    }
                }
                continue;
            }
            if n == 0 {
                continue;
            }
            let latest = match attempt::get(store, &m.id, id, n).await {
                Ok(Some(a)) => a,
                Ok(None) => continue,
                Err(e) => {
                    report.errors.push(format!("{}/{id}: {e}", m.id));
                    continue;
                }
            };
            if now - latest.created_at < options.min_age {
                report.young += 1;
                continue;
            }
            report.checked += 1;
            match flow::settle(store, payments, &m.id, id, encryptor.as_ref()).await {
                Ok(Standing::Paid { first, .. }) => report.released += usize::from(first),
                Ok(Standing::Open { .. } | Standing::Ended { .. })
                    if now - latest.received_at >= expire_after =>
                {
                    match flow::mark(store, &expired_key(&m.id, id), now).await {
                        Ok(()) => {
                            tracing::info!(municipality = %m.id, id = %id, "unpaid submission expired");
                            report.expired += 1;
                        }
                        Err(e) => report.errors.push(format!("{}/{id}: {e}", m.id)),
                    }
                }
                Ok(_) => report.waiting += 1,
                Err(e) => {
                    tracing::error!(municipality = %m.id, id = %id, error = %e, "reconciliation failed");
                    report.errors.push(format!("{}/{id}: {e}", m.id));
                }
            }
        }
    }
    report
}

/// What the payment objects of one submission say.
#[derive(Default)]
struct Found {
    latest: u32,
    released: bool,
    ended: Option<Ended>,
}
