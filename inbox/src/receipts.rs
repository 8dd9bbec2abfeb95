//! The receipt (Antragsbestätigung) the back office makes when it imports a submission: the
//! `receipt` crate's PDF, from the pulled and verified record and the form it was validated
//! against, in German for the e-file and, when the citizen wrote in another language, in
//! theirs too. The form comes from the registry `formfabrik build` writes while the
//! municipality still publishes that version, else from the version as it was published,
//! kept in `dist/schemas` (`contract::PublishedForm`). The inputs are the ones the function
//! had when it answered the citizen, so the citizen's copy and the authority's are the same
//! bytes (same form, same renderer version).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use form_model::record::SubmissionRecord;
use form_model::registry::{Registry, RegistryMunicipality};
use form_model::resolve::ResolvedForm;
use store::metadata::sha512_hex;

use crate::InboxError;
use crate::contract::{self, PublishedForm};

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

/// Makes receipts with the forms and municipalities of a registry, and the earlier form
/// versions kept beside the JSON Schemas.
#[derive(Debug, Clone)]
pub struct ReceiptMaker {
    registry: Registry,
    /// `dist/schemas`, where each form version's `<m>/<form>/v<n>.form.json` is kept.
    kept: Option<PathBuf>,
}

/// Where the form a record was validated against was found.
enum Found<'a> {
    /// The registry publishes it: the authority is the registry's municipality.
    Published(&'a ResolvedForm),
    /// An earlier version, kept with the authority's contact as it was published.
    Kept(Box<PublishedForm>),
}

impl ReceiptMaker {
    pub fn new(registry: Registry) -> ReceiptMaker {
        ReceiptMaker {
            registry,
            kept: None,
        }
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

    /// Also makes receipts of form versions the registry no longer publishes, from the forms
    /// as published kept in `schemas` (`dist/schemas`, as `formfabrik build` writes it).
    pub fn with_earlier_versions(mut self, schemas: impl Into<PathBuf>) -> ReceiptMaker {
        self.kept = Some(schemas.into());
        self
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn municipality(&self, id: &str) -> Option<&RegistryMunicipality> {
        self.registry.municipalities.iter().find(|m| m.id == id)
    }

    /// The form `record` was validated against: the registry's form of its municipality with
    /// the same id, version and content hash, else the one kept for its version in
    /// `dist/schemas` with that content hash. `Err` says why there is none.
    pub fn form_of(&self, record: &SubmissionRecord) -> Result<Cow<'_, ResolvedForm>, String> {
        Ok(match self.find(record)? {
            Found::Published(form) => Cow::Borrowed(form),
            Found::Kept(kept) => Cow::Owned(kept.form),
        })
    }

    fn find(&self, record: &SubmissionRecord) -> Result<Found<'_>, String> {
        let (m, f) = (&record.municipality.id, &record.form);
        let published = self.registry.form(m, &f.id);
        if let Some(form) =
            published.filter(|p| p.form.version == f.version && p.sha256 == f.sha256)
        {
            return Ok(Found::Published(form));
        }
        let submitted = format!(
            "submitted with {}@{} (sha256 {})",
            f.id, f.version, f.sha256
        );
        let now = match published {
            Some(p) => format!(
                "the registry publishes {}@{} (sha256 {})",
                p.form.id, p.form.version, p.sha256
            ),
            None => format!("the registry has no form {} of {m}", f.id),
        };
        let Some(dir) = &self.kept else {
            return Err(format!(
                "{submitted}, {now}: the receipt needs the form it was validated against"
            ));
        };
        let name = contract::name(m, &f.id, f.version);
        let kept = PublishedForm::read(dir, &name).map_err(|e| {
            format!("{submitted}, {now}, and that version is not kept as published: {e}")
        })?;
        if kept.form.sha256 != f.sha256 {
            return Err(format!(
                "{submitted}, {now}, and {} holds that version's later content (sha256 {}): the receipt needs the form it was validated against",
                contract::form_file(&name),
                kept.form.sha256
            ));
        }
        Ok(Found::Kept(Box::new(kept)))
    }

    /// The receipts of a verified submission: `record_bytes` as stored, `files` each
    /// attachment's bytes in the record's order. `Err` says why none can be made.
    pub fn render(
        &self,
        record: &SubmissionRecord,
        record_bytes: &[u8],
        files: &[&[u8]],
    ) -> Result<Vec<Rendered>, String> {
        let found = self.find(record)?;
        let (form, authority) = match &found {
            Found::Published(form) => {
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
                (*form, receipt::authority(&m.name, &m.ags, contact))
            }
            // Name and AGS as the form names them (the build takes both from
            // municipality.yaml, as the registry's), the contact as it was published.
            Found::Kept(kept) => {
                let m = &kept.form.municipality;
                (
                    &kept.form,
                    receipt::authority(&m.name, &m.ags, &kept.contact),
                )
            }
        };
        let data = sha512_hex(record_bytes);
        let attachments: Vec<String> = files.iter().map(|b| sha512_hex(b)).collect();
        languages(record)
            .into_iter()
            .map(|language| {
                let description = receipt::from_record(
                    record,
                    form,
                    authority.clone(),
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
