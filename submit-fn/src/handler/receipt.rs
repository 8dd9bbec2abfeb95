//! The citizen's receipt (Antragsbestätigung), made in the request that stored the submission
//! from what the request holds in memory — the stored record, its bytes and the attachments'
//! SHA-512 — in the record's language, and sent with the answer only: nothing more is stored,
//! nothing is kept after the response (see `docs/receipt.md`). The back office makes the same
//! bytes from the same inputs when it imports (`inbox::receipts`).

use base64::Engine;
use form_model::messages::{SITE, fill};
use form_model::registry::RegistryMunicipality;
use form_model::resolve::ResolvedForm;
use store::metadata::sha512_hex;
use store::protocol::Stored;

use super::Ctx;

/// A rendered receipt and the file name it is offered under.
pub(crate) struct ReceiptFile {
    /// `Antragsbestaetigung-MUS-2026-7K3F9Q.pdf`
    pub file_name: String,
    pub pdf: Vec<u8>,
}

impl ReceiptFile {
    /// The PDF as base64 (for a JSON answer or a `data:` URL).
    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.pdf)
    }
}

/// The receipt of `stored`, or `None` (logged) when it cannot be made: the submission is
/// stored all the same, and the citizen still gets the reference.
pub(super) fn receipt_of(ctx: &Ctx<'_>, stored: &Stored) -> Option<ReceiptFile> {
    receipt_for(ctx.municipality, ctx.form, stored)
}

/// The receipt of `stored`, a submission of `form` of municipality `m` (see [`receipt_of`]).
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
            file_name: fill(
                SITE.text("receipt-file", &record.language),
                &[("reference", &record.reference)],
            ),
            pdf,
        }),
        Err(e) => {
            tracing::error!(error = %e, "the receipt cannot be made");
            None
        }
    }
}
