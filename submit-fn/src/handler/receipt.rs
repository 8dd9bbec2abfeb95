//! The citizen's receipt (Antragsbestätigung), made on request (`POST
//! …/v1/<municipality>/<form>/receipt`), not in the request that stores the submission: that
//! request answers with what the receipt is made of ([`ReceiptData`]: the record as stored and
//! the attachments' SHA-512), the browser keeps it and posts it back when the citizen asks for
//! the PDF. The function checks it against the submission's claim, which holds the hash of
//! exactly these inputs (`store::protocol::receipt_sha512`), so it needs no secret and no
//! access to the (possibly encrypted) record, and renders the receipt in the record's language.
//! Nothing more is stored, nothing is kept after the response (see `docs/receipt.md`). The back
//! office makes the same bytes from the same inputs when it imports (`inbox::receipts`).

use bytes::Bytes;
use form_model::messages::{SITE, fill};
use form_model::record::SubmissionRecord;
use form_model::registry::RegistryMunicipality;
use form_model::resolve::ResolvedForm;
use http::{HeaderValue, Response, StatusCode, header};
use serde::Deserialize;
use store::metadata::sha512_hex;
use store::protocol::{self, Stored};

use super::{Ctx, Handler};
use crate::decode::{BodyKind, DecodeError};
use crate::metrics::Outcome;
use crate::respond::{PDF, RETRY_AFTER_SECONDS, Refusal, response};

/// A rendered receipt and the file name it is offered under.
pub(crate) struct ReceiptFile {
    /// `Antragsbestaetigung-MUS-2026-7K3F9Q.pdf`
    pub file_name: String,
    pub pdf: Vec<u8>,
}

impl ReceiptFile {
    /// The PDF as base64 (for a `data:` URL).
    pub fn base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&self.pdf)
    }
}

/// What a browser keeps to ask for the receipt of a stored submission.
pub(crate) struct ReceiptData {
    /// `Antragsbestaetigung-MUS-2026-7K3F9Q.pdf`
    pub file_name: String,
    /// The record as stored, before encryption: its bytes are what the claim's hash covers.
    pub record: String,
    /// Lower-case hex SHA-512 of each attachment, in the record's order.
    pub attachments_sha512: Vec<String>,
}

/// The receipt data of `stored` (nothing is rendered).
pub(super) fn receipt_data(stored: &Stored) -> ReceiptData {
    ReceiptData {
        file_name: file_name(&stored.record),
        // serde_json writes UTF-8; the lossy path is never taken.
        record: String::from_utf8_lossy(&stored.record_bytes).into_owned(),
        attachments_sha512: stored.attachments_sha512.clone(),
    }
}

/// `receipt-file` of `site.yaml` in the record's language.
fn file_name(record: &SubmissionRecord) -> String {
    fill(
        SITE.text("receipt-file", &record.language),
        &[("reference", &record.reference)],
    )
}

/// The receipt of `stored`, a submission of `form` of municipality `m`, or `None` (logged)
/// when it cannot be made.
pub(super) fn receipt_for(
    m: &RegistryMunicipality,
    form: &ResolvedForm,
    stored: &Stored,
) -> Option<ReceiptFile> {
    let Some(contact) = &m.contact else {
        tracing::error!("the registry names no contact of the municipality; no receipt");
        return None;
    };
    let record = &stored.record;
    let described = receipt::from_record(
        record,
        form,
        receipt::authority(&m.name, &m.ags, contact),
        receipt::Checksums {
            data_sha512: &sha512_hex(&stored.record_bytes),
            attachments_sha512: &stored.attachments_sha512,
        },
        &record.language,
    );
    let pdf = described
        .map_err(|e| e.to_string())
        .and_then(|d| receipt::render(&d).map_err(|e| e.to_string()));
    match pdf {
        Ok(pdf) => Some(ReceiptFile {
            file_name: file_name(record),
            pdf,
        }),
        Err(e) => {
            tracing::error!(error = %e, "the receipt cannot be made");
            None
        }
    }
}

/// A receipt request as JSON: `{"record": "…", "attachments_sha512": ["…"]}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRequest {
    record: String,
    #[serde(default)]
    attachments_sha512: Vec<String>,
}

/// The record (as text) and the attachments' SHA-512 of a receipt request, as JSON or as a
/// form post (`record`, and `attachment_sha512` once per attachment, in order).
fn read_request(
    kind: &BodyKind,
    body: &[u8],
    max_pairs: usize,
) -> Result<(String, Vec<String>), Result<Refusal, DecodeError>> {
    let (record, attachments) = match kind {
        BodyKind::Json => {
            let r: JsonRequest = serde_json::from_slice(body).map_err(|e| {
                Ok(match e.classify() {
                    serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                        Refusal::MalformedJson {
                            line: e.line(),
                            column: e.column(),
                        }
                    }
                    _ => Refusal::InvalidReceiptRequest(e.to_string()),
                })
            })?;
            (r.record, r.attachments_sha512)
        }
        BodyKind::UrlEncoded => {
            let pairs = crate::decode::urlencoded_pairs_exact(body, max_pairs).map_err(Err)?;
            let mut record = None;
            let mut attachments = Vec::new();
            for (name, value) in pairs {
                match name.as_str() {
                    "record" if record.is_some() => {
                        return Err(Ok(Refusal::DuplicateKey {
                            name,
                            position: None,
                        }));
                    }
                    // A browser sends a form's line breaks as CR LF; a stored record has no CR
                    // (JSON escapes it in strings), so this gives back its bytes exactly.
                    "record" => record = Some(value.replace("\r\n", "\n")),
                    "attachment_sha512" => attachments.push(value),
                    _ => {}
                }
            }
            let record =
                record.ok_or_else(|| Ok(Refusal::InvalidReceiptRequest("no `record`".into())))?;
            (record, attachments)
        }
        BodyKind::Multipart(_) => return Err(Err(DecodeError::UnsupportedMediaType)),
    };
    if let Some(bad) = attachments
        .iter()
        .find(|a| a.len() != 128 || !a.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    {
        let shown: String = bad.chars().take(20).collect();
        return Err(Ok(Refusal::InvalidReceiptRequest(format!(
            "`{shown}` is not a SHA-512 in lower-case hex"
        ))));
    }
    Ok((record, attachments))
}

impl Handler {
    /// The receipt endpoint: the PDF of the submission whose record and attachment hashes the
    /// request holds, once the claim vouches for them.
    pub(super) async fn receipt(
        &self,
        body: Bytes,
        ctx: &mut Ctx<'_>,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        if body.len() > self.body_limit {
            let limit = self.body_limit;
            return self.refuse(Refusal::PayloadTooLarge { limit }, ctx, outcome);
        }
        let read = match &ctx.kind {
            Ok(kind) => read_request(kind, &body, crate::decode::Limits::for_form(ctx.form).names),
            Err(e) => Err(Err(e.clone())),
        };
        let (text, attachments_sha512) = match read {
            Ok(read) => read,
            Err(refusal) => {
                let refusal =
                    refusal.unwrap_or_else(|e| self.decode_refusal(e, ctx.form, &ctx.lang));
                return self.refuse(refusal, ctx, outcome);
            }
        };
        let record: SubmissionRecord = match serde_json::from_str(&text) {
            Ok(record) => record,
            Err(e) => {
                let refusal = Refusal::InvalidReceiptRequest(format!("`record`: {e}"));
                return self.refuse(refusal, ctx, outcome);
            }
        };
        if ctx.form.languages.contains(&record.language) {
            ctx.lang = record.language.clone();
        }
        let (m, form) = (ctx.municipality, ctx.form);
        if record.municipality.id != m.id || record.form.id != form.form.id {
            return self.refuse(Refusal::ReceiptOtherForm, ctx, outcome);
        }
        outcome.id = record.id.to_string();
        let key = store::layout::claim_key(&m.id, record.id);
        let claim = match protocol::read_claim(self.store.as_ref(), &key).await {
            Ok(Some(claim)) => claim,
            Ok(None) => return self.refuse(Refusal::ReceiptUnknown, ctx, outcome),
            Err(e) => {
                tracing::error!(error = %e, key, "the claim cannot be read; no receipt");
                let mut r = self.refuse(Refusal::StoreUnavailable, ctx, outcome);
                outcome.outcome = "store-failed";
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
                return r;
            }
        };
        if claim.form != form.form.id {
            return self.refuse(Refusal::ReceiptMismatch, ctx, outcome);
        }
        let Some(expected) = &claim.receipt_sha512 else {
            return self.refuse(Refusal::ReceiptUnverifiable, ctx, outcome);
        };
        if protocol::receipt_sha512(text.as_bytes(), &attachments_sha512) != *expected {
            return self.refuse(Refusal::ReceiptMismatch, ctx, outcome);
        }
        outcome.reference = record.reference.clone();
        // The receipt names the form the record was validated against: only that one makes the
        // citizen's copy the back office's.
        if record.form.version != form.form.version || record.form.sha256 != form.sha256.as_str() {
            return self.refuse(Refusal::ReceiptUnverifiable, ctx, outcome);
        }
        let stored = Stored::read_back(record, Bytes::from(text), attachments_sha512);
        let Some(file) = receipt_for(m, form, &stored) else {
            return self.refuse(Refusal::ReceiptFailed, ctx, outcome);
        };
        outcome.outcome = "receipt";
        let mut r = response(StatusCode::OK, Some(PDF), Bytes::from(file.pdf));
        // The file name is ASCII (`site.yaml`'s `receipt-file` and a reference).
        if let Ok(v) =
            HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.file_name))
        {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        r
    }
}
