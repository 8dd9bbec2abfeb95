//! The function's write protocol: where a validated submission goes in the store (see
//! [`crate::layout`]), and how a retry with the same submission id finds the first attempt —
//! also after midnight, although the storage path contains the date — without ever creating a
//! second submission or replacing another request's data.
//!
//! Order of writes: the claim, the attachments, then last the object that marks the
//! submission complete, `submission.json`: the record and its metadata in one envelope
//! ([`crate::envelope`]; submissions stored before it have `metadata.json` beside a bare
//! record, and readers read both). A first attempt prepares all of them at once
//! ([`Store::prepare_all`]: a folder store writes their files and flushes them together, nothing
//! visible yet), then publishes ([`Store::publish`]) the claim; then the attachments, durable
//! together; then, once they are durable, the envelope. What a refused or failed attempt
//! prepared is dropped (a folder store removes the files). When the municipality has an
//! encryption key, the attachments and the envelope are stored as JWE compact (RSA-OAEP-256 +
//! A256GCM, [`crate::crypto`]) with `.jwe` appended to their names; no plaintext reaches the
//! store. The claim holds no citizen data and stays plaintext.
//! The claim is a small create-only object keyed by municipality and id. It records where the
//! submission goes, when it was received, its reference, a hash of the validated content and
//! a hash of what the citizen's receipt is made of ([`receipt_sha512`]: the record as stored
//! and the attachments' SHA-512), so that the receipt can be made later, on request, from data
//! the citizen's browser keeps and checked against the store without a secret. A retry reads
//! the claim: same content → the same answer (its record made again with the claim's time and
//! path, which must give the same receipt hash), and any object the first attempt did not
//! manage to write is written now; different content → conflict (409). The claim holds no
//! answers, only their hashes.
//!
//! Every write is create-only. On a store known to refuse overwrites (a folder, AWS S3, an
//! S3-compatible server whose start-up probe showed it honours `If-None-Match`:
//! [`Submission::store_refuses_overwrite`]) the claim's create-only write decides alone: three
//! writes per submission without files (claim, envelope) and one read only when the id
//! was claimed before. On any other store the claim is read before it is written and read back
//! afterwards (and once more before the envelope), so that of two requests racing for one id
//! only the one whose claim is in the store goes on.

use bytes::Bytes;
use form_model::record::{Attachment, SubmissionRecord};
use form_model::resolve::ResolvedForm;
use form_model::validate::CleanData;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::crypto::Encryptor;
use crate::layout::{attachment_name, claim_key, encrypted_suffix, record_name, submission_path};
use crate::metadata::{AttachmentFacts, metadata};
use crate::{Object, Prepared, PutOutcome, Store, StoreError};

mod hashes;
pub use hashes::{content_hash, receipt_sha512, sha256_hex};

/// The `format` of claims written by this version.
pub const CLAIM_FORMAT: &str = "formfabrik.claim/1";

/// A file as it was uploaded, with what the record says about it.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Where the file answers: as decoded, the part's name as sent; once the function matched
    /// it to a validated answer, that answer's path (`erlaubnis`, `hunde.0.impfpass`).
    pub field: String,
    pub bytes: Bytes,
    /// The media type the browser declared (lower case, without parameters); validation checked
    /// it against the field's `accept`.
    pub media_type: String,
    /// Lower-case hex.
    pub sha256: String,
}

/// Where a submission id is claimed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub format: String,
    pub id: Uuid,
    pub municipality: String,
    pub form: String,
    pub version: u32,
    /// The submission's folder, relative to the store's prefix, with a trailing slash.
    pub path: String,
    /// sha256 of the validated content (see [`content_hash`]).
    pub content_sha256: String,
    pub reference: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// [`receipt_sha512`] of the record as stored (before encryption) and the attachments'
    /// SHA-512: what the receipt endpoint checks a receipt request against. Absent in claims
    /// written before receipts were made on request (they are read all the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_sha512: Option<String>,
}

/// What was stored (or found stored) for a submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub id: Uuid,
    pub reference: String,
    pub received_at: OffsetDateTime,
    /// False when an earlier request with the same id and content had claimed it.
    pub first: bool,
    /// The record as stored, and its bytes before encryption: what the receipt is made of
    /// (kept in memory for the answer, never stored again).
    pub record: SubmissionRecord,
    pub record_bytes: Bytes,
    /// Lower-case hex SHA-512 of each attachment, in the record's order (as the metadata has).
    pub attachments_sha512: Vec<String>,
}

impl Stored {
    /// A submission stored by an earlier request, read back (its record and the record's bytes
    /// as stored, its attachments' SHA-512): what a receipt asked for later is made from.
    pub fn read_back(
        record: SubmissionRecord,
        record_bytes: Bytes,
        attachments_sha512: Vec<String>,
    ) -> Stored {
        Stored {
            id: record.id,
            reference: record.reference.clone(),
            received_at: record.received_at,
            first: false,
            record,
            record_bytes,
            attachments_sha512,
        }
    }
}

#[derive(Debug, Error)]
pub enum WriteError {
    /// The id is taken by a submission with different content.
    #[error("submission id {0} is already used for a different submission")]
    Conflict(Uuid),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What to store.
pub struct Submission<'a> {
    pub form: &'a ResolvedForm,
    pub id: Uuid,
    pub language: &'a str,
    /// Validated by form-model; file values carry their sha256.
    pub data: CleanData,
    /// The files of the file fields in `data`, in form order.
    pub uploads: Vec<Upload>,
    /// The municipality's back-office key: when set, every object but the claim is encrypted.
    pub encryption: Option<&'a Encryptor>,
    /// What the answers cost (form-model's `fees::amount_due`, computed by the function), put
    /// into the record; `None` for a form without fees.
    pub amount_due: Option<form_model::fees::AmountDue>,
    /// The form requires payment first: the record is written as awaiting payment, which the
    /// back office does not list, until [`crate::payment::release`] hands it on.
    pub awaiting_payment: bool,
    /// Online payment was offered (payment `optional`) and the citizen chose the fee notice:
    /// the metadata says so (`store::metadata::PAYMENT_DECLINED`).
    pub payment_declined: bool,
    /// The verified identity of a signed-in citizen (see `SubmissionRecord::identity`): written
    /// into the record and, as authentication information, into the metadata.
    pub identity: Option<serde_json::Value>,
    /// The store is known to never replace an object (`Store::honours_create_only` says so, or
    /// the start-up probe found it): the claim's create-only write needs no read before or after
    /// it. `false` keeps the reads that guard stores ignoring `If-None-Match`.
    pub store_refuses_overwrite: bool,
}

/// The record's name: `submission.json` (`.jwe`), or its awaiting-payment name.
fn record_name_of(awaiting_payment: &bool, encrypted: bool) -> String {
    match awaiting_payment {
        true => crate::layout::awaiting_record_name(encrypted),
        false => record_name(encrypted).to_string(),
    }
}

/// The bytes to store and their content type: `plain` as is, or as JWE compact.
pub(crate) fn sealed(
    encryption: Option<&Encryptor>,
    plain: &Bytes,
    media_type: &str,
) -> Result<(Bytes, String), StoreError> {
    match encryption {
        None => Ok((plain.clone(), media_type.to_string())),
        Some(e) => {
            let jwe = e
                .encrypt(plain, media_type)
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            Ok((Bytes::from(jwe), "application/jose".to_string()))
        }
    }
}

/// Stores `submission` received `now`, or finds it stored by an earlier attempt with the same
/// id. Returns only after `submission.json` is durable.
pub async fn write(
    store: &dyn Store,
    submission: Submission<'_>,
    now: OffsetDateTime,
) -> Result<Stored, WriteError> {
    let form = submission.form;
    let id = submission.id;
    let hash = content_hash(form, submission.language, &submission.data);
    let key = claim_key(&form.municipality.id, id);
    let encryption = submission.encryption;
    let suffix = encrypted_suffix(encryption.is_some());
    let mut names: Vec<String> = Vec::new();
    for upload in &submission.uploads {
        let name = attachment_name(&upload.field, &upload.media_type);
        if names.contains(&name) {
            // Cannot happen for validated answers (see `attachment_name`); never store two
            // files under one key.
            return Err(WriteError::Store(StoreError::Unavailable(format!(
                "two attachments of submission {id} would be stored as {name}"
            ))));
        }
        names.push(name);
    }
    let attachments_sha512: Vec<String> = submission
        .uploads
        .iter()
        .map(|u| crate::metadata::sha512_hex(&u.bytes))
        .collect();
    // The record is made before the claim: the claim holds the hash of what its receipt is
    // made of. Time received, reference and folder are this request's unless the id was
    // claimed before.
    let path = submission_path(form, now, id);
    let inputs = RecordInputs {
        store,
        form,
        id,
        language: submission.language,
        uploads: &submission.uploads,
        names: &names,
        suffix,
        amount_due: submission.amount_due,
        identity: submission.identity,
        encryption,
        payment_declined: submission.payment_declined,
        awaiting_payment: submission.awaiting_payment,
    };
    let (mut record, mut bytes) = inputs.record(&path, now, submission.data);
    let mine = Claim {
        format: CLAIM_FORMAT.into(),
        id,
        municipality: form.municipality.id.clone(),
        form: form.form.id.clone(),
        version: form.form.version,
        path,
        content_sha256: hash.clone(),
        reference: form_model::record::reference(&form.municipality.id, now.year(), id),
        received_at: now,
        receipt_sha512: Some(receipt_sha512(&bytes, &attachments_sha512)),
    };
    // Every object of a first attempt is prepared at once (a folder store writes their files
    // and flushes them together), the claim first; then they are published in order.
    let claim_bytes = Bytes::from(serde_json::to_vec_pretty(&mine).expect("claims serialize"));
    let mut objects = vec![(key.clone(), claim_bytes, "application/json".to_string())];
    objects.extend(inputs.objects(&mine.path, &record, &bytes)?);
    let mut prepared = store.prepare_all(objects).await?;
    let mine_prepared = prepared.remove(0);
    let guarded = !submission.store_refuses_overwrite;
    let (claim, first) = match guarded {
        true => claim(store, &key, &mine, mine_prepared).await?,
        false => claim_create_only(store, &key, &mine, mine_prepared).await?,
    };
    if !same_submission(&claim, &mine) {
        return Err(WriteError::Conflict(id));
    }
    let retry = claim.path != mine.path || claim.received_at != mine.received_at;
    if retry {
        // A retry: the record as the first attempt made it, with the claim's time and folder.
        (record, bytes) = inputs.record(&claim.path, claim.received_at, record.data);
    }
    // A retry must make the record the first attempt stored, byte for byte, or the receipt the
    // citizen gets would not be the one the claim vouches for. (A claim written before the
    // hash was kept has none to compare.)
    if let Some(expected) = &claim.receipt_sha512
        && *expected != receipt_sha512(&bytes, &attachments_sha512)
    {
        return Err(WriteError::Conflict(id));
    }
    if retry {
        // What was prepared for this request's folder is dropped (and its files removed).
        prepared = store
            .prepare_all(inputs.objects(&claim.path, &record, &bytes)?)
            .await?;
    }

    // Every attachment at once (none without files): linked in order, durable together. `Exists` is
    // fine: only a request with the same content (same sha256) gets here for this id, so an
    // existing object is this one from an attempt that failed later.
    let last = prepared
        .pop()
        .expect("the envelope is always among the objects");
    if !prepared.is_empty() {
        store.publish(prepared).await?;
    }
    // Last look at the claim before the object that marks the submission complete: on a store
    // that ignores If-None-Match another request may have replaced it meanwhile. (A store that
    // refuses overwrites cannot have replaced it.)
    if guarded {
        let now_claimed = read_claim(store, &key).await?;
        if now_claimed.as_ref() != Some(&claim) {
            return Err(match now_claimed {
                Some(other) if !same_submission(&other, &mine) => WriteError::Conflict(id),
                _ => WriteError::Store(StoreError::Unavailable(format!(
                    "claim {key} changed while writing; retry"
                ))),
            });
        }
    }
    // The envelope last, only once everything before it is durable.
    store.publish(vec![last]).await?;
    let plain = bytes;
    Ok(Stored {
        id,
        reference: claim.reference,
        received_at: claim.received_at,
        first,
        record,
        record_bytes: plain,
        attachments_sha512,
    })
}

/// What a submission's record is made of besides its time received and folder (which a retry
/// takes from the claim).
struct RecordInputs<'a> {
    store: &'a dyn Store,
    form: &'a ResolvedForm,
    id: Uuid,
    language: &'a str,
    uploads: &'a [Upload],
    /// The attachments' object names (without the encryption suffix), in `uploads`' order.
    names: &'a [String],
    suffix: &'static str,
    amount_due: Option<form_model::fees::AmountDue>,
    identity: Option<Value>,
    encryption: Option<&'a Encryptor>,
    payment_declined: bool,
    awaiting_payment: bool,
}

impl RecordInputs<'_> {
    /// The submission's objects in folder `dir`, in the order they are published: the
    /// attachments, and last the envelope of the record and its metadata (it marks the
    /// submission complete), each sealed when the municipality has a key.
    fn objects(
        &self,
        dir: &str,
        record: &SubmissionRecord,
        bytes: &Bytes,
    ) -> Result<Vec<Object>, StoreError> {
        let encrypted = self.encryption.is_some();
        let mut objects = Vec::with_capacity(self.uploads.len() + 1);
        for (upload, name) in self.uploads.iter().zip(self.names) {
            let (bytes, media_type) = sealed(self.encryption, &upload.bytes, &upload.media_type)?;
            objects.push((format!("{dir}{name}{}", self.suffix), bytes, media_type));
        }
        let facts: Vec<AttachmentFacts<'_>> = self
            .uploads
            .iter()
            .zip(self.names)
            .map(|(u, name)| AttachmentFacts {
                name,
                media_type: &u.media_type,
                bytes: &u.bytes,
            })
            .collect();
        let meta = metadata(self.form, record, bytes, &facts, self.payment_declined);
        let meta = serde_json::to_vec_pretty(&meta).expect("metadata serializes");
        let envelope = crate::envelope::envelope(bytes, &meta);
        let (envelope, media_type) = sealed(self.encryption, &envelope, "application/json")?;
        let name = record_name_of(&self.awaiting_payment, encrypted);
        objects.push((format!("{dir}{name}"), envelope, media_type));
        Ok(objects)
    }

    /// The record received at `received_at` in folder `dir`, and its bytes as stored (before
    /// encryption).
    fn record(
        &self,
        dir: &str,
        received_at: OffsetDateTime,
        data: CleanData,
    ) -> (SubmissionRecord, Bytes) {
        let attachments = self
            .uploads
            .iter()
            .zip(self.names)
            .map(|(upload, name)| Attachment {
                field: upload.field.clone(),
                key: self.store.locate(&format!("{dir}{name}{}", self.suffix)),
                sha256: upload.sha256.clone(),
                size: upload.bytes.len() as u64,
                media_type: upload.media_type.clone(),
            })
            .collect();
        let mut record = SubmissionRecord::new(
            self.form,
            self.id,
            received_at,
            self.language,
            data,
            attachments,
        );
        record.amount_due = self.amount_due.clone();
        record.identity = self.identity.clone();
        // Format characters in answers (a file name with U+202E) are written as \u escapes:
        // the same data, but no text running backwards in an editor or a terminal.
        let bytes = Bytes::from(form_model::record::to_json_escaped(&record, true));
        (record, bytes)
    }
}

/// The claim for the id: the one already in the store, else `mine` (prepared) once it is in
/// the store; and whether this request made it.
async fn claim(
    store: &dyn Store,
    key: &str,
    mine: &Claim,
    prepared: Prepared,
) -> Result<(Claim, bool), WriteError> {
    // Check before writing: on stores that ignore If-None-Match the write would replace it.
    if let Some(existing) = read_claim(store, key).await? {
        return Ok((existing, false));
    }
    let outcome = store.publish(vec![prepared]).await?[0];
    // Read back, whether created or not: the claim in the store is the one that counts.
    let stored = read_claim(store, key).await?.ok_or_else(|| {
        WriteError::Store(StoreError::Unavailable(format!(
            "claim {key} was written but cannot be read back"
        )))
    })?;
    let made_here = outcome == PutOutcome::Created && stored == *mine;
    Ok((stored, made_here))
}

/// The claim for the id on a store that never replaces an object: `mine` (prepared) when its
/// create-only write created it, else the one an earlier request wrote (read once).
async fn claim_create_only(
    store: &dyn Store,
    key: &str,
    mine: &Claim,
    prepared: Prepared,
) -> Result<(Claim, bool), WriteError> {
    if store.publish(vec![prepared]).await?[0] == PutOutcome::Created {
        return Ok((mine.clone(), true));
    }
    let existing = read_claim(store, key).await?.ok_or_else(|| {
        WriteError::Store(StoreError::Unavailable(format!(
            "claim {key} exists but cannot be read"
        )))
    })?;
    Ok((existing, false))
}

/// The claim at `key` (`layout::claim_key`), if there is one.
pub async fn read_claim(store: &dyn Store, key: &str) -> Result<Option<Claim>, StoreError> {
    let Some(bytes) = store.get(key).await? else {
        return Ok(None);
    };
    let claim: Claim = serde_json::from_slice(&bytes).map_err(|e| StoreError::Damaged {
        key: key.to_string(),
        reason: e.to_string(),
    })?;
    Ok(Some(claim))
}

/// Whether two claims are for the same submission (id, form and content).
fn same_submission(a: &Claim, b: &Claim) -> bool {
    a.id == b.id
        && a.municipality == b.municipality
        && a.form == b.form
        && a.version == b.version
        && a.content_sha256 == b.content_sha256
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_written_before_the_receipt_hash_is_read_and_written_back_the_same() {
        let old = r#"{ "format": "formfabrik.claim/1", "id": "7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c",
  "municipality": "musterstadt", "form": "sperrmuell-anmeldung", "version": 1,
  "path": "musterstadt/sperrmuell-anmeldung/v1/2026/11/28/7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c/",
  "content_sha256": "ab", "reference": "MUS-2026-7K3F9Q", "received_at": "2026-11-28T23:59:58Z" }"#;
        let claim: Claim = serde_json::from_str(old).unwrap();
        assert_eq!(claim.receipt_sha512, None);
        let again = serde_json::to_value(&claim).unwrap();
        assert!(again.get("receipt_sha512").is_none(), "{again}");
        let mut new = claim.clone();
        new.receipt_sha512 = Some("cd".into());
        let text = serde_json::to_string(&new).unwrap();
        assert!(text.ends_with(r#""receipt_sha512":"cd"}"#), "{text}");
        assert_eq!(serde_json::from_str::<Claim>(&text).unwrap(), new);
    }

    #[test]
    fn the_receipt_hash_is_the_sha512_of_the_hex_lines_of_record_and_attachments() {
        let record = b"{\n  \"id\": 1\n}";
        let a = crate::metadata::sha512_hex(b"erste Datei");
        let b = crate::metadata::sha512_hex(b"zweite Datei");
        let text = format!("{}\n{a}\n{b}\n", crate::metadata::sha512_hex(record));
        assert_eq!(
            receipt_sha512(record, &[a.clone(), b.clone()]),
            crate::metadata::sha512_hex(text.as_bytes())
        );
        // Order and count count.
        assert_ne!(
            receipt_sha512(record, &[a.clone(), b.clone()]),
            receipt_sha512(record, &[b, a.clone()])
        );
        assert_ne!(receipt_sha512(record, &[a]), receipt_sha512(record, &[]));
        assert_eq!(receipt_sha512(record, &[]).len(), 128);
    }
}
