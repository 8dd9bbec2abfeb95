//! The back office's inbox for Formfabrik submissions, on any [`Store`] (S3, S3-compatible,
//! folder):
//!
//! - [`Inbox::list`]: complete submissions (those whose `submission.json`/`.jwe` exists) of a
//!   municipality, optionally of one form and a date range; new ones only unless asked;
//! - [`Inbox::pull`]: download, decrypt with the back office's private key, verify every
//!   sha256/sha512 against the record and the metadata, validate `data` against the form's
//!   JSON Schema — any mismatch is an error, never a warning;
//! - [`import`]: "lease before import, ack after" so that concurrent or crashed runs still
//!   import each submission exactly once (see `docs/backoffice.md`);
//! - [`receipts`]: the PDF receipt beside each imported submission; [`xdomea_export`]: the
//!   e-file hand-off, one xdomea 3.1 package per submission, exactly once;
//! - [`export`]: CSV (safe against formula injection) and JSON Lines; [`clerk`]: the CSV a
//!   clerk opens in German Excel; [`since`]: only what is new;
//! - [`report`]: the summary for the back office (text, HTML, mail), without the key.
//!
//! The back office's own objects (leases and acknowledgements) live next to the function's in
//! the store; their keys are in `store::layout`, their protocol in `store::lease`.

pub mod bookings;
pub mod clerk;
mod complete;
pub mod contract;
pub mod export;
pub mod identity;
pub mod import;
pub mod keys;
mod lookup;
pub mod purge;
pub mod receipts;
pub mod report;
mod schemas;
pub mod since;
pub mod words;
pub mod xdomea_export;

pub use schemas::Schemas;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use form_model::record::{Attachment, SubmissionRecord};
use serde_json::Value;
use sha2::{Digest, Sha256};
use store::crypto::{CryptoError, Decryptor};
use store::layout::{
    RecordKey, acked_id, acks_prefix, encrypted_suffix, metadata_name, record_name,
};
use store::lease::LeaseError;
use store::metadata::sha512_hex;
use store::{Store, StoreError};
use thiserror::Error;
use time::Date;
use uuid::Uuid;

#[derive(Debug, Error)]
pub enum InboxError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{key}: encrypted, but no private key was given (--key)")]
    NoKey { key: String },
    #[error("{key}: {source}")]
    Decrypt { key: String, source: CryptoError },
    #[error("{key}: missing")]
    Missing { key: String },
    #[error("{key}: {what} does not match: expected {expected}, found {found}")]
    Mismatch {
        key: String,
        what: String,
        expected: String,
        found: String,
    },
    #[error("{key}: not readable: {reason}")]
    Damaged { key: String, reason: String },
    #[error("{key}: no JSON Schema for {schema} (build dist/schemas with `formfabrik build`)")]
    NoSchema { key: String, schema: String },
    #[error("{key}: data does not match the form's JSON Schema: {}", errors.join("; "))]
    Invalid { key: String, errors: Vec<String> },
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Exclusive(#[from] store::exclusive::ExclusiveError),
}

impl From<LeaseError> for InboxError {
    fn from(e: LeaseError) -> InboxError {
        match e {
            LeaseError::Store(e) => InboxError::Store(e),
            LeaseError::Missing { key } => InboxError::Missing { key },
            LeaseError::Damaged { key, reason } => InboxError::Damaged { key, reason },
        }
    }
}

/// A complete submission in the store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub municipality: String,
    pub form: String,
    pub version: u32,
    /// UTC date received.
    pub date: Date,
    pub id: Uuid,
    /// `<municipality>/<form>/v<version>/<yyyy>/<mm>/<dd>/<id>/`
    pub dir: String,
    pub encrypted: bool,
    /// An `_acks` marker exists: it was imported.
    pub acked: bool,
}

impl Entry {
    /// The key of the object that completes the submission: the envelope (record and
    /// metadata) or, in the old layout, the bare record.
    pub fn record_key(&self) -> String {
        format!("{}{}", self.dir, record_name(self.encrypted))
    }

    /// The old layout's metadata key (since the envelope, the metadata is in the record's).
    pub fn metadata_key(&self) -> String {
        format!("{}{}", self.dir, metadata_name(self.encrypted))
    }

    /// Parses `<m>/<f>/v<n>/<yyyy>/<mm>/<dd>/<id>/submission.(json|jwe)`.
    pub fn from_record_key(key: &str) -> Option<Entry> {
        RecordKey::parse(key).map(Entry::from)
    }

    /// The submission as the lease protocol names it.
    pub fn imported(&self) -> store::lease::Imported<'_> {
        store::lease::Imported {
            municipality: &self.municipality,
            form: &self.form,
            version: self.version,
            id: self.id,
        }
    }
}

impl From<RecordKey> for Entry {
    fn from(k: RecordKey) -> Entry {
        Entry {
            municipality: k.municipality,
            form: k.form,
            version: k.version,
            date: k.date,
            id: k.id,
            dir: k.dir,
            encrypted: k.encrypted,
            acked: false,
        }
    }
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub municipality: String,
    pub form: Option<String>,
    /// First UTC date received, inclusive.
    pub from: Option<Date>,
    /// Last UTC date received, inclusive.
    pub to: Option<Date>,
    /// Also submissions already acknowledged.
    pub include_acked: bool,
    /// Only these submissions (`pull --only`; see [`Inbox::resolve`]).
    pub only: Option<BTreeSet<Uuid>>,
}

/// A verified submission.
#[derive(Debug, Clone)]
pub struct Pulled {
    pub entry: Entry,
    pub record: SubmissionRecord,
    /// The record's bytes as the function wrote them (before encryption).
    pub record_bytes: Bytes,
    /// The FIT-Connect-shaped metadata.
    pub metadata: Value,
    /// The payment object of a submission handed on once paid (`formfabrik.payment/1`: the
    /// platform's `paymentInformation` and the items paid with their `bookingData`).
    pub payment: Option<Value>,
    pub files: Vec<PulledFile>,
}

#[derive(Debug, Clone)]
pub struct PulledFile {
    pub attachment: Attachment,
    /// `<field>-<n>.<ext>` (without `.jwe`).
    pub name: String,
    pub bytes: Bytes,
}

/// The back office's view of a store.
pub struct Inbox {
    store: Arc<dyn Store>,
    decryptor: Option<Decryptor>,
    schemas: Schemas,
}

impl Inbox {
    pub fn new(store: Arc<dyn Store>, decryptor: Option<Decryptor>, schemas: Schemas) -> Inbox {
        Inbox {
            store,
            decryptor,
            schemas,
        }
    }

    /// Reads the private key (a JWK file, as `formfabrik keygen` writes it).
    pub fn read_private_key(path: &Path) -> Result<Decryptor, InboxError> {
        keys::read(&[path.to_path_buf()])
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The store, to share with what outlives a borrow (a runner marker).
    pub fn shared_store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// Complete submissions matching `filter`, oldest first.
    pub async fn list(&self, filter: &Filter) -> Result<Vec<Entry>, InboxError> {
        let prefix = match &filter.form {
            Some(form) => format!("{}/{form}/", filter.municipality),
            None => format!("{}/", filter.municipality),
        };
        let acked: BTreeSet<Uuid> = self
            .store
            .list(&acks_prefix(&filter.municipality))
            .await?
            .iter()
            .filter_map(|k| acked_id(k))
            .collect();
        let mut entries: Vec<Entry> = self
            .store
            .list(&prefix)
            .await?
            .iter()
            .filter_map(|k| Entry::from_record_key(k))
            .filter(|e| filter.from.is_none_or(|from| e.date >= from))
            .filter(|e| filter.to.is_none_or(|to| e.date <= to))
            .filter(|e| filter.only.as_ref().is_none_or(|only| only.contains(&e.id)))
            .map(|mut e| {
                e.acked = acked.contains(&e.id);
                e
            })
            .filter(|e| filter.include_acked || !e.acked)
            .collect();
        entries.sort_by(|a, b| (a.date, &a.form, a.id).cmp(&(b.date, &b.form, b.id)));
        Ok(entries)
    }

    /// Downloads, decrypts and checks one submission (either layout, `store::envelope`): the
    /// record names this entry; the metadata's sha512 of the record matches; every attachment
    /// is there and matches its sha256 and size (record) and sha512 (metadata); `data` is
    /// valid against the schema.
    pub async fn pull(&self, entry: &Entry) -> Result<Pulled, InboxError> {
        let record_key = entry.record_key();
        let complete::Complete {
            record: record_bytes,
            metadata_key,
            metadata: metadata_bytes,
        } = self.complete(entry).await?;
        let record: SubmissionRecord =
            serde_json::from_slice(&record_bytes).map_err(|e| InboxError::Damaged {
                key: record_key.clone(),
                reason: e.to_string(),
            })?;
        let expect = |what: &str, expected: String, found: String| {
            if expected == found {
                Ok(())
            } else {
                Err(InboxError::Mismatch {
                    key: record_key.clone(),
                    what: what.into(),
                    expected,
                    found,
                })
            }
        };
        expect("id", entry.id.to_string(), record.id.to_string())?;
        expect(
            "municipality",
            entry.municipality.clone(),
            record.municipality.id.clone(),
        )?;
        expect("form", entry.form.clone(), record.form.id.clone())?;
        expect(
            "form version",
            entry.version.to_string(),
            record.form.version.to_string(),
        )?;

        let mut metadata: Value =
            serde_json::from_slice(&metadata_bytes).map_err(|e| InboxError::Damaged {
                key: metadata_key.clone(),
                reason: e.to_string(),
            })?;
        // A submission handed on once paid: its payment (`store::payment`) goes into the
        // metadata as FIT-Connect's `paymentInformation` (the function wrote the metadata
        // before the payment, and cannot read it when it is sealed).
        let payment_key = format!(
            "{}{}",
            entry.dir,
            store::payment::payment_name(entry.encrypted)
        );
        let mut paid = None;
        if self.store.get(&payment_key).await?.is_some() {
            let payment_bytes = self.open(&payment_key).await?;
            let payment: Value =
                serde_json::from_slice(&payment_bytes).map_err(|e| InboxError::Damaged {
                    key: payment_key.clone(),
                    reason: e.to_string(),
                })?;
            // Handed on without payment (a form whose payment is optional): the metadata's
            // payment by invoice says the citizen declined the online payment.
            if payment.get("status").and_then(Value::as_str) == Some("DECLINED") {
                if let Some(info) = metadata
                    .get_mut("paymentInformation")
                    .and_then(Value::as_object_mut)
                {
                    info.insert(
                        "paymentMethodDetail".into(),
                        Value::from(store::metadata::PAYMENT_DECLINED),
                    );
                }
            } else {
                let Some(information) = payment.get("paymentInformation").cloned() else {
                    return Err(InboxError::Damaged {
                        key: payment_key,
                        reason: "no paymentInformation".into(),
                    });
                };
                if let Some(m) = metadata.as_object_mut() {
                    m.insert("paymentInformation".into(), information);
                }
            }
            paid = Some(payment);
        }
        let hash_at = |v: &Value| {
            v.pointer("/hash/content")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let mismatch =
            |key: &str, what: &str, expected: String, found: String| InboxError::Mismatch {
                key: key.to_string(),
                what: what.into(),
                expected,
                found,
            };
        let data_meta = metadata
            .pointer("/contentStructure/data")
            .cloned()
            .unwrap_or(Value::Null);
        let found = sha512_hex(&record_bytes);
        if hash_at(&data_meta) != found {
            return Err(mismatch(
                &record_key,
                "sha512 (metadata contentStructure.data.hash)",
                hash_at(&data_meta),
                found,
            ));
        }
        let meta_files = metadata
            .pointer("/contentStructure/attachments")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if meta_files.len() != record.attachments.len() {
            return Err(mismatch(
                &metadata_key,
                "number of attachments",
                record.attachments.len().to_string(),
                meta_files.len().to_string(),
            ));
        }

        let suffix = encrypted_suffix(entry.encrypted);
        // One object per attachment: a record listing a key twice cannot be imported as it
        // says (the function derives keys from distinct answer paths).
        let mut seen = BTreeSet::new();
        for attachment in &record.attachments {
            if !seen.insert(attachment.key.as_str()) {
                return Err(mismatch(
                    &record_key,
                    "attachment keys (each listed once)",
                    "distinct keys".into(),
                    format!("{} listed twice", attachment.key),
                ));
            }
        }
        let mut files = Vec::new();
        for (attachment, meta) in record.attachments.iter().zip(&meta_files) {
            let stored_name = attachment.key.rsplit('/').next().unwrap_or("");
            let Some(name) = stored_name.strip_suffix(suffix) else {
                return Err(mismatch(
                    &record_key,
                    "attachment key",
                    format!("…{suffix}"),
                    attachment.key.clone(),
                ));
            };
            let key = format!("{}{stored_name}", entry.dir);
            if self.store.locate(&key) != attachment.key {
                return Err(mismatch(
                    &record_key,
                    "attachment key",
                    self.store.locate(&key),
                    attachment.key.clone(),
                ));
            }
            let bytes = self.open(&key).await?;
            let sha256 = hex::encode(Sha256::digest(&bytes));
            if sha256 != attachment.sha256 {
                return Err(mismatch(&key, "sha256", attachment.sha256.clone(), sha256));
            }
            if bytes.len() as u64 != attachment.size {
                return Err(mismatch(
                    &key,
                    "size",
                    attachment.size.to_string(),
                    bytes.len().to_string(),
                ));
            }
            let sha512 = sha512_hex(&bytes);
            if hash_at(meta) != sha512 {
                return Err(mismatch(&key, "sha512 (metadata)", hash_at(meta), sha512));
            }
            let meta_name = meta.get("filename").and_then(Value::as_str).unwrap_or("");
            if meta_name != name {
                return Err(mismatch(
                    &metadata_key,
                    "attachment filename",
                    name.to_string(),
                    meta_name.to_string(),
                ));
            }
            files.push(PulledFile {
                attachment: attachment.clone(),
                name: name.to_string(),
                bytes,
            });
        }

        let validator = self.schemas.validator(entry)?;
        let data = Value::Object(record.data.clone());
        let errors: Vec<String> = validator
            .iter_errors(&data)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if !errors.is_empty() {
            return Err(InboxError::Invalid {
                key: record_key,
                errors,
            });
        }
        Ok(Pulled {
            entry: entry.clone(),
            record,
            record_bytes,
            metadata,
            payment: paid,
            files,
        })
    }

    /// An object's plaintext: decrypted when its name ends in `.jwe`.
    async fn open(&self, key: &str) -> Result<Bytes, InboxError> {
        let bytes = self
            .store
            .get(key)
            .await?
            .ok_or_else(|| InboxError::Missing { key: key.into() })?;
        if !key.ends_with(".jwe") {
            return Ok(bytes);
        }
        let decryptor = self
            .decryptor
            .as_ref()
            .ok_or_else(|| InboxError::NoKey { key: key.into() })?;
        let opened = decryptor
            .decrypt(&bytes)
            .map_err(|source| InboxError::Decrypt {
                key: key.into(),
                source,
            })?;
        Ok(Bytes::from(opened.payload))
    }
}
