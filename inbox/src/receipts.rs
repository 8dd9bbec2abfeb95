//! The receipt (Antragsbestätigung) the back office makes when it imports a submission: the
//! `receipt` crate's PDF, from the pulled and verified record and the form it was validated
//! against (from the registry `formfabrik build` writes), in German for the e-file and, when
//! the citizen wrote in another language, in theirs too. The inputs are the ones the function
//! had when it answered the citizen, so the citizen's copy and the authority's are the same
//! bytes (same registry, same renderer version).

use std::path::Path;

use form_model::record::SubmissionRecord;
use form_model::registry::{Registry, RegistryMunicipality};
use form_model::resolve::ResolvedForm;
use store::metadata::sha512_hex;

use crate::InboxError;

/// The language of the e-file's receipt (the case's main document).
pub const AUTHORITY_LANGUAGE: &str = "de";

/// The file a receipt is delivered as, beside `submission.json`: `receipt.pdf` in German,
/// `receipt-<lang>.pdf` in another language.
pub fn receipt_file(language: &str) -> String {
    if language == AUTHORITY_LANGUAGE {
        "receipt.pdf".into()
    } else {
        format!("receipt-{language}.pdf")
    }
}

/// The languages a submission's receipts are made in: German first, then the citizen's.
pub fn languages(record: &SubmissionRecord) -> Vec<String> {
    let mut out = vec![AUTHORITY_LANGUAGE.to_string()];
    if record.language != AUTHORITY_LANGUAGE {
        out.push(record.language.clone());
    }
    out
}

/// One rendered receipt.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub language: String,
    /// `receipt.pdf`, `receipt-ar.pdf`
    pub file_name: String,
    pub pdf: Vec<u8>,
}

/// Makes receipts with the forms and municipalities of a registry.
#[derive(Debug, Clone)]
pub struct ReceiptMaker {
    registry: Registry,
}

impl ReceiptMaker {
    pub fn new(registry: Registry) -> ReceiptMaker {
        ReceiptMaker { registry }
    }

    /// Reads `dist/function/registry.json` (or wherever `formfabrik build` wrote it).
    pub fn from_file(path: &Path) -> Result<ReceiptMaker, InboxError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            InboxError::Io(format!(
                "{}: {e} — receipts need the registry `formfabrik build` writes (dist/function/registry.json); pass --registry",
                path.display()
            ))
        })?;
        let registry = Registry::from_json(&text).map_err(|e| InboxError::Damaged {
            key: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(ReceiptMaker::new(registry))
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn municipality(&self, id: &str) -> Option<&RegistryMunicipality> {
        self.registry.municipalities.iter().find(|m| m.id == id)
    }

    /// The form `record` was validated against: the registry's form of its municipality, with
    /// the same id, version and content hash. `Err` says why there is none.
    pub fn form_of(&self, record: &SubmissionRecord) -> Result<&ResolvedForm, String> {
        let form = self
            .registry
            .form(&record.municipality.id, &record.form.id)
            .ok_or_else(|| {
                format!(
                    "the registry has no form {} of {}",
                    record.form.id, record.municipality.id
                )
            })?;
        if form.form.version != record.form.version || form.sha256 != record.form.sha256 {
            return Err(format!(
                "submitted with {}@{} (sha256 {}), the registry publishes {}@{} (sha256 {}): the receipt needs the form it was validated against",
                record.form.id,
                record.form.version,
                record.form.sha256,
                form.form.id,
                form.form.version,
                form.sha256
            ));
        }
        Ok(form)
    }

    /// The receipts of a verified submission: `record_bytes` as stored, `files` each
    /// attachment's bytes in the record's order. `Err` says why none can be made.
    pub fn render(
        &self,
        record: &SubmissionRecord,
        record_bytes: &[u8],
        files: &[&[u8]],
    ) -> Result<Vec<Rendered>, String> {
        let form = self.form_of(record)?;
        let m = self.municipality(&record.municipality.id).ok_or_else(|| {
            format!(
                "the registry has no municipality {}",
                record.municipality.id
            )
        })?;
        let contact = m.contact.as_ref().ok_or_else(|| {
            format!(
                "the registry names no contact of {} (rebuild it with `formfabrik build`)",
                m.id
            )
        })?;
        let data = sha512_hex(record_bytes);
        let attachments: Vec<String> = files.iter().map(|b| sha512_hex(b)).collect();
        languages(record)
            .into_iter()
            .map(|language| {
                let description = receipt::from_record(
                    record,
                    form,
                    receipt::authority(&m.name, &m.ags, contact),
                    receipt::Checksums {
                        data_sha512: &data,
                        attachments_sha512: &attachments,
                    },
                    &language,
                )
                .map_err(|e| e.to_string())?;
                let pdf = receipt::render(&description).map_err(|e| e.to_string())?;
                Ok(Rendered {
                    file_name: receipt_file(&language),
                    language,
                    pdf,
                })
            })
            .collect()
    }
}
