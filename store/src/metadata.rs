//! The metadata object stored with each submission, shaped like FIT-Connect metadata 1.0.0
//! (`https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json`):
//!
//! - `contentStructure.data`: sha512 (hex) of the record as stored before encryption (the
//!   record's bytes in the envelope, [`crate::envelope`]; in the old layout `submission.json`'s
//!   bytes), and the form's JSON Schema URI;
//! - `contentStructure.attachments[]`: per attachment, in the record's order, the sha512 of
//!   its bytes before encryption, its media type, a stable `attachmentId` (UUID derived from
//!   the submission id and the object name) and `filename` — the object name, never the
//!   citizen's file name;
//! - `publicServiceType`: the LeiKa URN and the form's title (when the form has a LeiKa key);
//! - `additionalReferenceInfo`: the reference and the application date (UTC date received);
//! - `authenticationInformation` when the citizen signed in: one `identificationReport`
//!   (version 1.0.0) whose `content` is the verified identity of the record, as base64url JSON;
//! - `paymentInformation` when the form has fees: the amount the form computes, to be paid by
//!   invoice (`INVOICE`, status `INITIAL` — the portal takes no payment); when the citizen was
//!   offered online payment and declined it (a form whose payment is optional),
//!   `paymentMethodDetail` says so ([`PAYMENT_DECLINED`]): the clerk sends a fee notice.
//!
//! It is stored with the record in one envelope (`submission.json`, encrypted as one JWE when
//! the municipality has a key), written after the attachments; submissions stored before the
//! envelope have it as its own object (`metadata.json`/`.jwe`) beside the record.

use form_model::record::SubmissionRecord;
use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256, Sha512};
use uuid::Uuid;

/// `$schema` of the metadata.
pub const METADATA_SCHEMA: &str =
    "https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json";

/// `paymentInformation.paymentMethodDetail` of a submission whose fees the citizen chose not to
/// pay online though it was offered (payment `optional`): sending it, or after a cancelled or
/// failed payment (then `inbox pull` sets it from the payment object, status `DECLINED`).
pub const PAYMENT_DECLINED: &str = "online-payment-declined";

/// An attachment as the metadata describes it.
pub struct AttachmentFacts<'a> {
    /// `<field>-<n>.<ext>` (without `.jwe`).
    pub name: &'a str,
    pub media_type: &'a str,
    pub bytes: &'a [u8],
}

/// Lower-case hex sha512.
pub fn sha512_hex(bytes: &[u8]) -> String {
    hex::encode(Sha512::digest(bytes))
}

/// A UUID that depends only on the submission id and the object name, so a retry writes the
/// same metadata.
pub fn attachment_id(submission: Uuid, name: &str) -> Uuid {
    let digest = Sha256::digest(format!("{}/{name}", submission.hyphenated()));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// The metadata for `record` (whose stored plaintext bytes are `record_bytes`); `declined`: the
/// citizen declined the online payment offered.
pub fn metadata(
    form: &ResolvedForm,
    record: &SubmissionRecord,
    record_bytes: &[u8],
    attachments: &[AttachmentFacts<'_>],
    declined: bool,
) -> Value {
    let lang = form.languages.first().map_or("de", String::as_str);
    let hash = |bytes: &[u8]| json!({ "type": "sha512", "content": sha512_hex(bytes) });
    let files: Vec<Value> = attachments
        .iter()
        .map(|a| {
            json!({
                "hash": hash(a.bytes),
                "purpose": "attachment",
                "mimeType": a.media_type,
                "filename": a.name,
                "attachmentId": attachment_id(record.id, a.name),
            })
        })
        .collect();
    let mut content = Map::new();
    content.insert(
        "data".into(),
        json!({
            "hash": hash(record_bytes),
            "submissionSchema": {
                "schemaUri": form_model::schema::schema_id(form),
                "mimeType": "application/json",
            },
        }),
    );
    if !files.is_empty() {
        content.insert("attachments".into(), Value::Array(files));
    }
    let date = record.received_at.to_offset(time::UtcOffset::UTC).date();
    let mut meta = Map::new();
    meta.insert("$schema".into(), json!(METADATA_SCHEMA));
    meta.insert("contentStructure".into(), Value::Object(content));
    if let Some(service) = &form.service {
        meta.insert(
            "publicServiceType".into(),
            json!({ "identifier": service, "name": text_in(&form.form.title, lang) }),
        );
    }
    meta.insert(
        "additionalReferenceInfo".into(),
        json!({
            "senderReference": record.reference,
            "applicationDate": format!("{:04}-{:02}-{:02}", date.year(), date.month() as u8, date.day()),
        }),
    );
    if let Some(identity) = &record.identity {
        use base64::Engine;
        let json = serde_json::to_vec(identity).expect("JSON values serialize");
        meta.insert(
            "authenticationInformation".into(),
            json!([{
                "type": "identificationReport",
                "version": "1.0.0",
                "content": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json),
            }]),
        );
    }
    if !form.form.fees.is_empty() {
        // The amount the function computed and put in the record; computed by the same rule
        // for a record that lacks it.
        let cents = record.amount_due.as_ref().map_or_else(
            || form_model::fees::amount_due(&form.form, &record.data, date).total_cents,
            |due| due.total_cents,
        );
        let mut information = json!({
            "transactionReference": record.reference,
            "paymentMethod": "INVOICE",
            "status": "INITIAL",
            "grossAmount": cents as f64 / 100.0,
        });
        if declined {
            information["paymentMethodDetail"] = json!(PAYMENT_DECLINED);
        }
        meta.insert("paymentInformation".into(), information);
    }
    Value::Object(meta)
}
