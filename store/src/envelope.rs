//! The object that completes a submission (`submission.json`, `.jwe` when encrypted, or its
//! awaiting-payment name): since issue 17's S3 work one object that carries both the record
//! and its FIT-Connect-shaped metadata ([`crate::metadata`]), so a submission without files is
//! two writes (claim, envelope) instead of three (claim, metadata, record):
//!
//! ```text
//! {
//!   "format": "formfabrik.envelope/1",
//!   "record": <the record's bytes, byte for byte>,
//!   "metadata": <the metadata>
//! }
//! ```
//!
//! The record is embedded verbatim (pretty JSON, so its lines keep their own indentation):
//! the bytes between `"record": ` and the next member are exactly the record's bytes, whose
//! SHA-512 the metadata (`contentStructure.data.hash`) and the claim's receipt hash
//! (`protocol::receipt_sha512`) are over. Readers take that span back with serde_json's
//! `RawValue`, never by serializing the record again.
//!
//! Submissions written before (the old layout) have the record alone under the same name and
//! the metadata beside it (`metadata.json`/`.jwe`); [`open`] tells them apart by the top-level
//! `format` (a record's is `formfabrik.submission/1`), and every reader reads both.

use bytes::Bytes;
use serde::Deserialize;
use serde_json::value::RawValue;
use thiserror::Error;

/// The `format` of an envelope.
pub const ENVELOPE_FORMAT: &str = "formfabrik.envelope/1";

/// A record and its metadata read from the object that completes a submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// The record's bytes as the function made them (before encryption).
    pub record: Bytes,
    /// The metadata's bytes from the envelope; `None` for the old layout, whose metadata is the
    /// object `layout::metadata_name` beside the record.
    pub metadata: Option<Bytes>,
}

#[derive(Debug, Error)]
#[error("not a readable envelope: {0}")]
pub struct EnvelopeError(String);

/// The envelope's bytes: `record` (JSON) byte for byte, then `metadata` (JSON).
pub fn envelope(record: &[u8], metadata: &[u8]) -> Bytes {
    let head = format!("{{\n  \"format\": \"{ENVELOPE_FORMAT}\",\n  \"record\": ");
    let mut out = Vec::with_capacity(head.len() + record.len() + metadata.len() + 20);
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(record);
    out.extend_from_slice(b",\n  \"metadata\": ");
    out.extend_from_slice(metadata);
    out.extend_from_slice(b"\n}");
    Bytes::from(out)
}

#[derive(Deserialize)]
struct Format<'a> {
    #[serde(borrow, default)]
    format: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<'a> {
    #[allow(dead_code)] // checked by `Format` first; here only so that it is not unknown
    format: &'a str,
    #[serde(borrow)]
    record: &'a RawValue,
    #[serde(borrow)]
    metadata: &'a RawValue,
}

/// The record and metadata in `bytes` (the plaintext of the object that completes a
/// submission): an envelope's, or, for the old layout, `bytes` as the record and no metadata.
/// An object that is not JSON is handed back as the record: its reader reports it as it always
/// did.
pub fn open(bytes: &Bytes) -> Result<Opened, EnvelopeError> {
    let old = || Opened {
        record: bytes.clone(),
        metadata: None,
    };
    let Ok(Format { format }) = serde_json::from_slice::<Format<'_>>(bytes) else {
        return Ok(old());
    };
    if format.as_deref() != Some(ENVELOPE_FORMAT) {
        return Ok(old());
    }
    let envelope: Envelope<'_> =
        serde_json::from_slice(bytes).map_err(|e| EnvelopeError(e.to_string()))?;
    Ok(Opened {
        record: bytes.slice_ref(envelope.record.get().as_bytes()),
        metadata: Some(bytes.slice_ref(envelope.metadata.get().as_bytes())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &[u8] = b"{\n  \"format\": \"formfabrik.submission/1\",\n  \"data\": {\n    \"name\": \"\\u202eA\\\"b\",\n    \"n\": 1.10\n  }\n}";
    const METADATA: &[u8] = b"{\n  \"contentStructure\": {}\n}";

    #[test]
    fn an_envelope_gives_back_the_record_and_the_metadata_byte_for_byte() {
        let env = envelope(RECORD, METADATA);
        let value: serde_json::Value = serde_json::from_slice(&env).unwrap();
        assert_eq!(value["format"], ENVELOPE_FORMAT);
        assert_eq!(value["record"]["data"]["n"], serde_json::json!(1.10));
        let opened = open(&env).unwrap();
        assert_eq!(&opened.record[..], RECORD);
        assert_eq!(opened.metadata.as_deref(), Some(METADATA));
    }

    #[test]
    fn an_old_layout_record_is_the_record_without_metadata() {
        let old = Bytes::from_static(RECORD);
        assert_eq!(
            open(&old).unwrap(),
            Opened {
                record: old.clone(),
                metadata: None
            }
        );
        // Not JSON at all: handed back for its reader to report.
        let junk = Bytes::from_static(b"\x00not json");
        assert_eq!(open(&junk).unwrap().record, junk);
    }

    #[test]
    fn a_damaged_envelope_is_an_error_not_a_record() {
        let missing = Bytes::from(format!(
            r#"{{"format": "{ENVELOPE_FORMAT}", "record": {{}}}}"#
        ));
        assert!(open(&missing).is_err());
        let extra = Bytes::from(format!(
            r#"{{"format": "{ENVELOPE_FORMAT}", "record": {{}}, "metadata": {{}}, "x": 1}}"#
        ));
        assert!(open(&extra).is_err());
    }
}
