//! Deleting what will never be paid: a submission the citizen withdrew (its transactions all
//! ended CANCELED or FAILED, final at the platform) or one reconciliation expired is removed
//! from the store — the awaiting record (encrypted answers), attachments, metadata, its claim
//! and its payment objects — so the back office never sees it and nothing is kept that the
//! municipality may not keep.
//!
//! Never at the cost of a paid one: the transaction is pulled once more first (PAYED is
//! released, not deleted, as everywhere), an expired one is kept for a grace period after its
//! expiry (its last transaction may have been still open), and the awaiting record goes first,
//! so that no release can start after the purge did; a record or payment object found in the
//! folder (a release that raced) stops the purge. Every step is a delete that is safe to
//! repeat, in an order that keeps the expiry or withdrawal marker to the end: a purge cut
//! short is finished by the next run.

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use store::Store;
use store::crypto::Encryptor;
use store::layout::{awaiting_record_name, claim_key, record_name};
use store::payment::{
    attempt_key, cancelled_key, expired_key, is_released, payment_name, payments_prefix,
};

use super::attempt;
use super::flow::{FlowError, Payments, Standing, settle};

/// How long an expired submission is kept after its expiry before it is deleted.
pub const EXPIRED_GRACE: Duration = Duration::days(7);

/// Why a submission is to be removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Withdrawn,
    Expired,
}

/// What [`purge`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purge {
    /// Deleted (or found deleted).
    Deleted,
    /// Paid after all: released instead (`first`: by this call), or already released;
    /// nothing deleted.
    Released { first: bool },
    /// Expired less than the grace period ago: kept for now.
    Kept,
}

/// Removes submission `id` of `municipality`, withdrawn or expired as `ended` says (its
/// marker exists), unless it was paid after all.
#[allow(clippy::too_many_arguments)]
pub async fn purge(
    store: &dyn Store,
    payments: &Payments,
    municipality: &str,
    id: Uuid,
    ended: Ended,
    encryption: Option<&Encryptor>,
    now: OffsetDateTime,
    grace: Duration,
) -> Result<Purge, FlowError> {
    if is_released(store, municipality, id).await? {
        return Ok(Purge::Released { first: false });
    }
    let Some(latest) = attempt::latest(store, municipality, id).await? else {
        // A purge cut short after its attempts: only markers are left.
        remove_payment_objects(store, municipality, id).await?;
        return Ok(Purge::Deleted);
    };
    if ended == Ended::Expired {
        let since = marked_at(store, &expired_key(municipality, id))
            .await?
            .unwrap_or(latest.received_at);
        if now - since < grace {
            return Ok(Purge::Kept);
        }
    }
    match settle(store, payments, municipality, id, encryption).await? {
        Standing::Paid { first, .. } => return Ok(Purge::Released { first }),
        Standing::Withdrawn { .. } | Standing::Expired { .. } => {}
        other => {
            return Err(FlowError::Unusable(format!(
                "{municipality}/{id}: not withdrawn or expired ({other:?})"
            )));
        }
    }
    let dir = &latest.dir;
    // First the record a release copies: after this, no release can begin.
    store
        .delete(&format!("{dir}{}", awaiting_record_name(latest.encrypted)))
        .await?;
    let keys = store.list(dir).await?;
    let handed_on = [
        record_name(latest.encrypted),
        payment_name(latest.encrypted),
    ];
    if is_released(store, municipality, id).await?
        || keys
            .iter()
            .any(|k| handed_on.iter().any(|name| k.ends_with(name)))
    {
        tracing::error!(municipality, id = %id, "paid while being deleted: released, kept");
        return Ok(Purge::Released { first: false });
    }
    for key in &keys {
        store.delete(key).await?;
    }
    store.delete(&claim_key(municipality, id)).await?;
    remove_payment_objects(store, municipality, id).await?;
    tracing::info!(municipality, id = %id, reason = ?ended, "unpaid submission deleted");
    Ok(Purge::Deleted)
}

/// The attempts, newest first (so that `attempt::latest` finds the rest), then the marker.
async fn remove_payment_objects(
    store: &dyn Store,
    municipality: &str,
    id: Uuid,
) -> Result<(), FlowError> {
    let own = format!("{}{}/", payments_prefix(municipality), id.hyphenated());
    let attempts = store
        .list(&own)
        .await?
        .iter()
        .filter_map(|k| store::payment::parse_payment_key(k))
        .filter_map(|(_, o)| match o {
            store::payment::PaymentObject::Attempt(n) => Some(n),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    for n in (1..=attempts).rev() {
        store.delete(&attempt_key(municipality, id, n)).await?;
    }
    // Both markers, should the citizen have withdrawn before it expired.
    store.delete(&cancelled_key(municipality, id)).await?;
    store.delete(&expired_key(municipality, id)).await?;
    Ok(())
}

/// When a marker was set (`{"at": …}`).
async fn marked_at(store: &dyn Store, key: &str) -> Result<Option<OffsetDateTime>, FlowError> {
    let Some(bytes) = store.get(key).await? else {
        return Ok(None);
    };
    let at = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("at").and_then(|a| a.as_str()).map(str::to_string))
        .and_then(|a| {
            OffsetDateTime::parse(&a, &time::format_description::well_known::Rfc3339).ok()
        });
    Ok(at)
}
