//! Submissions that await payment, and their release exactly once.
//!
//! A submission of a form that requires payment is stored by the write protocol as every other
//! (claim, attachments, metadata, encrypted where the municipality has a key), except that its
//! record is written as `submission.awaiting.json` (`.jwe`): the back office lists a submission
//! only by its `submission.json`/`.jwe`, so it does not see one that awaits payment.
//!
//! Once the payment platform says PAYED, [`release`] hands it on: the payment information as
//! `payment.json` (`.jwe`, sealed for the back office like the rest), a create-only release
//! marker `_payments/<municipality>/<id>/released.json` (of two racing releases — the citizen's
//! return and the reconciliation — exactly one creates it), and the record under its own name,
//! copied byte for byte from the awaiting one (the function cannot read an encrypted record,
//! and need not). Every step is create-only and safe to repeat, so a release cut short is
//! finished by the next.

use bytes::Bytes;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::crypto::Encryptor;
pub use crate::layout::awaiting_record_name;
use crate::layout::record_name;
use crate::protocol::sealed;
use crate::{PutOutcome, Store, StoreError};

/// The folder of the protocol's payment markers, per municipality.
pub const PAYMENTS: &str = "_payments";

/// `payment.json` (`.jwe`): the payment information of a released submission.
pub fn payment_name(encrypted: bool) -> &'static str {
    if encrypted {
        "payment.jwe"
    } else {
        "payment.json"
    }
}

/// `_payments/<municipality>/<id>/released.json`: created once, by the release that hands the
/// submission on.
pub fn release_key(municipality: &str, id: Uuid) -> String {
    format!(
        "{PAYMENTS}/{municipality}/{}/released.json",
        id.hyphenated()
    )
}

/// `_payments/<municipality>/<id>/attempt-<n>.json`: the function's record of the `n`th
/// payment transaction (from 1) for a submission; created once, never changed.
pub fn attempt_key(municipality: &str, id: Uuid, n: u32) -> String {
    format!(
        "{PAYMENTS}/{municipality}/{}/attempt-{n}.json",
        id.hyphenated()
    )
}

/// `_payments/<municipality>/<id>/cancelled.json`: the citizen withdrew the submission after a
/// payment that did not go through; no further transaction is offered.
pub fn cancelled_key(municipality: &str, id: Uuid) -> String {
    format!(
        "{PAYMENTS}/{municipality}/{}/cancelled.json",
        id.hyphenated()
    )
}

/// `_payments/<municipality>/<id>/expired.json`: reconciliation gave up on the submission after
/// the municipality's `expire-after-hours`; no further transaction is offered.
pub fn expired_key(municipality: &str, id: Uuid) -> String {
    format!("{PAYMENTS}/{municipality}/{}/expired.json", id.hyphenated())
}

/// `_payments/<municipality>/`: where reconciliation lists the payment objects.
pub fn payments_prefix(municipality: &str) -> String {
    format!("{PAYMENTS}/{municipality}/")
}

/// What a key below [`payments_prefix`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentObject {
    Attempt(u32),
    Released,
    Cancelled,
    Expired,
}

/// The submission id and the kind of a payment object's key; `None` for any other key.
pub fn parse_payment_key(key: &str) -> Option<(Uuid, PaymentObject)> {
    let rest = key.strip_prefix(PAYMENTS)?.strip_prefix('/')?;
    let mut parts = rest.split('/');
    let (_municipality, id, name) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let id = Uuid::try_parse(id).ok()?;
    let object = match name {
        "released.json" => PaymentObject::Released,
        "cancelled.json" => PaymentObject::Cancelled,
        "expired.json" => PaymentObject::Expired,
        other => PaymentObject::Attempt(
            other
                .strip_prefix("attempt-")?
                .strip_suffix(".json")?
                .parse()
                .ok()?,
        ),
    };
    Some((id, object))
}

/// A submission awaiting payment, by where it is stored.
#[derive(Debug, Clone, Copy)]
pub struct Awaiting<'a> {
    pub municipality: &'a str,
    pub id: Uuid,
    /// The submission's folder (`<municipality>/<form>/v<n>/<yyyy>/<mm>/<dd>/<id>/`).
    pub dir: &'a str,
    /// The back office's key, when the municipality has one.
    pub encryption: Option<&'a Encryptor>,
}

/// Hands a paid submission on to the back office: its payment information (the platform's
/// `paymentInformation` as it was pulled), the release marker, the record. Returns whether this
/// call released it (`false`: another did, or an earlier attempt of this one).
pub async fn release(
    store: &dyn Store,
    awaiting: Awaiting<'_>,
    payment: &Value,
) -> Result<bool, StoreError> {
    let encrypted = awaiting.encryption.is_some();
    let dir = awaiting.dir;
    let pending = format!("{dir}{}", awaiting_record_name(encrypted));
    let Some(record) = store.get(&pending).await? else {
        return Err(StoreError::Damaged {
            key: pending,
            reason: "no submission awaits payment here".into(),
        });
    };
    let info = Bytes::from(serde_json::to_vec_pretty(payment).expect("JSON serializes"));
    let (info, info_type) = sealed(awaiting.encryption, &info, "application/json")?;
    store
        .put_new(
            &format!("{dir}{}", payment_name(encrypted)),
            info,
            &info_type,
        )
        .await?;
    let marker = json!({ "id": awaiting.id, "dir": dir });
    let first = store
        .put_new(
            &release_key(awaiting.municipality, awaiting.id),
            Bytes::from(marker.to_string()),
            "application/json",
        )
        .await?
        == PutOutcome::Created;
    let media_type = if encrypted {
        "application/jose"
    } else {
        "application/json"
    };
    store
        .put_new(
            &format!("{dir}{}", record_name(encrypted)),
            record,
            media_type,
        )
        .await?;
    Ok(first)
}

/// Whether the submission was released (its marker exists).
pub async fn is_released(
    store: &dyn Store,
    municipality: &str,
    id: Uuid,
) -> Result<bool, StoreError> {
    Ok(store.get(&release_key(municipality, id)).await?.is_some())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::folder::FolderStore;
    use crate::memory::MemoryStore;

    const DIR: &str =
        "musterstadt/waffenbesitzkarte/v1/2026/12/01/6f1c5e1e-6b43-4c1b-9d0e-1d2f3a4b5c6d/";

    fn id() -> Uuid {
        Uuid::parse_str("6f1c5e1e-6b43-4c1b-9d0e-1d2f3a4b5c6d").unwrap()
    }

    fn awaiting() -> Awaiting<'static> {
        Awaiting {
            municipality: "musterstadt",
            id: id(),
            dir: DIR,
            encryption: None,
        }
    }

    async fn stored_awaiting(store: &dyn Store) {
        let record = Bytes::from_static(br#"{"format":"formfabrik.submission/1"}"#);
        let key = format!("{DIR}{}", awaiting_record_name(false));
        store
            .put_new(&key, record, "application/json")
            .await
            .unwrap();
    }

    #[test]
    fn payment_object_keys_read_back_as_what_they_are() {
        let keys = [
            (
                attempt_key("musterstadt", id(), 2),
                PaymentObject::Attempt(2),
            ),
            (release_key("musterstadt", id()), PaymentObject::Released),
            (cancelled_key("musterstadt", id()), PaymentObject::Cancelled),
            (expired_key("musterstadt", id()), PaymentObject::Expired),
        ];
        for (key, object) in keys {
            assert!(key.starts_with(&payments_prefix("musterstadt")), "{key}");
            crate::check_key(&key).unwrap();
            assert_eq!(parse_payment_key(&key), Some((id(), object)), "{key}");
        }
        for other in [
            "_payments/m/not-a-uuid/released.json",
            "_payments/m/6f1c5e1e-6b43-4c1b-9d0e-1d2f3a4b5c6d/attempt-x.json",
            "_payments/m/6f1c5e1e-6b43-4c1b-9d0e-1d2f3a4b5c6d/other.json",
            "_claims/m/6f1c5e1e-6b43-4c1b-9d0e-1d2f3a4b5c6d.json",
        ] {
            assert_eq!(parse_payment_key(other), None, "{other}");
        }
    }

    #[test]
    fn the_awaiting_record_has_a_name_the_back_office_does_not_list() {
        assert_eq!(awaiting_record_name(false), "submission.awaiting.json");
        assert_eq!(awaiting_record_name(true), "submission.awaiting.jwe");
        assert_ne!(awaiting_record_name(false), record_name(false));
    }

    #[tokio::test]
    async fn a_release_writes_the_payment_the_marker_and_the_record_and_a_second_changes_nothing() {
        let store = MemoryStore::new();
        stored_awaiting(&store).await;
        let record_key = format!("{DIR}{}", record_name(false));
        assert!(store.get(&record_key).await.unwrap().is_none());
        let info = json!({ "transactionId": "t-1", "status": "PAYED" });
        assert!(release(&store, awaiting(), &info).await.unwrap());
        let record = store.get(&record_key).await.unwrap().unwrap();
        assert_eq!(&record[..], br#"{"format":"formfabrik.submission/1"}"#);
        let paid = store
            .get(&format!("{DIR}payment.json"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&paid).unwrap(), info);
        assert!(is_released(&store, "musterstadt", id()).await.unwrap());
        assert!(!release(&store, awaiting(), &info).await.unwrap());
    }

    #[tokio::test]
    async fn nothing_is_released_where_nothing_awaits_payment() {
        let store = MemoryStore::new();
        let e = release(&store, awaiting(), &json!({})).await.unwrap_err();
        assert!(matches!(e, StoreError::Damaged { .. }), "{e}");
        assert!(!is_released(&store, "musterstadt", id()).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn of_releases_racing_on_a_folder_store_exactly_one_releases_the_submission() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(FolderStore::new(dir.path()));
        stored_awaiting(store.as_ref()).await;
        let info = json!({ "transactionId": "t-1", "status": "PAYED" });
        let racers: Vec<_> = (0..8)
            .map(|_| {
                let (store, info) = (Arc::clone(&store), info.clone());
                tokio::spawn(async move { release(store.as_ref(), awaiting(), &info).await })
            })
            .collect();
        let mut first = 0;
        for r in racers {
            first += usize::from(r.await.unwrap().unwrap());
        }
        assert_eq!(first, 1);
        let records: Vec<String> = store
            .list("musterstadt/")
            .await
            .unwrap()
            .into_iter()
            .filter(|k| k.ends_with(record_name(false)))
            .collect();
        assert_eq!(records.len(), 1, "{records:?}");
    }
}
