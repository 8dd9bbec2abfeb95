//! The hashes of the write protocol (see [`super`]): what makes two submissions the same, and
//! what a receipt is made of.

use form_model::resolve::ResolvedForm;
use form_model::validate::CleanData;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// sha256 over the canonical JSON of what makes two submissions "the same": form, version,
/// the resolved form's sha256 (a form changed under the same version is another form: the
/// record names the form it was validated against), language and the validated data (which
/// holds each file's sha256, so files count too).
pub fn content_hash(form: &ResolvedForm, language: &str, data: &CleanData) -> String {
    let canonical = serde_json::to_vec(&json!({
        "municipality": form.municipality.id,
        "form": form.form.id,
        "version": form.form.version,
        "form_sha256": form.sha256,
        "language": language,
        "data": Value::Object(data.clone()),
    }))
    .expect("JSON values serialize");
    hex::encode(Sha256::digest(canonical))
}

/// SHA-512 (lower-case hex) of what a receipt is made of: the ASCII text of the record bytes'
/// SHA-512 (before encryption; the receipt's and the FIT-Connect metadata's checksum) and then
/// each attachment's SHA-512 in the record's order, each written as 128 lower-case hex digits
/// and followed by one line feed (`0x0A`). Fixed-length lines, so no two inputs give the same
/// text. `attachments_sha512` must be lower-case hex (as [`crate::metadata::sha512_hex`]
/// writes it); anything else simply gives another hash.
pub fn receipt_sha512(record_bytes: &[u8], attachments_sha512: &[String]) -> String {
    let mut text = String::with_capacity(129 * (attachments_sha512.len() + 1));
    text.push_str(&crate::metadata::sha512_hex(record_bytes));
    text.push('\n');
    for a in attachments_sha512 {
        text.push_str(a);
        text.push('\n');
    }
    crate::metadata::sha512_hex(text.as_bytes())
}

/// Lower-case hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
