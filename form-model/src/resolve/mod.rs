//! Catalog form + municipality adaptations = one resolved form per municipality and form.
//! Overlay operations are applied in order; each names its target, and a target that does not
//! exist (for instance after a catalog upgrade) is an error at the operation's position. The
//! same application, run against the newest catalog version, gives the drift report.
//!
//! `overlay` applies a municipality's operations to a catalog form; `drift` runs them against
//! the newest catalog version.

mod drift;
mod overlay;

pub use drift::{Drift, FormDrift, drift};
pub use overlay::apply_overlay;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostics::{Diagnostics, FileId, Sources};
use crate::languages;
use crate::load::{LoadedMunicipality, Project};
use crate::model::{Field, Form, Text};
use crate::texts::visit_texts;

/// Where a text came from, so a missing translation is reported where it can be added.
#[derive(Debug, Clone)]
pub struct TextOrigin {
    pub file: FileId,
    pub path: String,
}

/// A form as one municipality publishes it: what the page shows, what the function validates
/// and what the JSON Schema describes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ResolvedForm {
    pub municipality: MunicipalityRef,
    /// Languages the form is offered in; the first is the default.
    pub languages: Vec<String>,
    pub form: Form,
    /// `urn:de:fim:leika:leistung:<key>` when the form has a LeiKa key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// sha256 over the canonical JSON of everything above: changes whenever anything a citizen
    /// sees or the function checks changes.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MunicipalityRef {
    pub id: String,
    pub name: String,
    pub ags: String,
}

impl ResolvedForm {
    pub fn new(municipality: MunicipalityRef, languages: Vec<String>, form: Form) -> ResolvedForm {
        let service = form
            .leika
            .as_ref()
            .map(|k| format!("urn:de:fim:leika:leistung:{k}"));
        let mut resolved = ResolvedForm {
            municipality,
            languages,
            form,
            service,
            sha256: String::new(),
        };
        resolved.sha256 = resolved.content_hash();
        resolved
    }

    /// The hash of the resolved content (everything but the hash itself).
    pub fn content_hash(&self) -> String {
        let canonical = serde_json::to_vec(&(
            &self.municipality,
            &self.languages,
            &self.form,
            &self.service,
        ))
        .expect("forms serialize");
        hex::encode(Sha256::digest(canonical))
    }

    /// Whether the form's texts are written right to left in `lang`.
    pub fn is_rtl(lang: &str) -> bool {
        languages::is_rtl(lang)
    }

    /// The question with `id` among the steps' own questions (see [`Form::top_level_field`]).
    pub fn top_level_field(&self, id: &str) -> Option<&Field> {
        self.form.top_level_field(id)
    }
}

/// Resolves form entry `index` of municipality `m`.
pub fn resolve_one(
    project: &Project,
    m: &LoadedMunicipality,
    index: usize,
    diags: &mut Diagnostics,
) -> Option<ResolvedForm> {
    let form_use = &m.config.forms[index];
    let (id, version) = form_use.form_and_version()?;
    let catalog = project.form(id, version)?;
    if form_use.overlay.is_some() && !m.overlays.contains_key(&index) {
        // The overlay could not be read; its problem is already reported.
        return None;
    }
    let before = diags.errors();
    let mut origins = text_origins(&catalog.form, catalog.file);
    let mut form = catalog.form.clone();
    if let Some(overlay) = m.overlays.get(&index) {
        for problem in apply_overlay(&project.sources, &mut form, overlay, &mut origins) {
            diags.items.push(problem);
        }
    }
    for (fee_id, fee) in &form_use.fees {
        if let Some(target) = form.fees.iter_mut().find(|f| &f.id == fee_id) {
            target.amount_eur = fee.amount_eur;
        }
    }
    if let Some(own) = &form_use.records {
        form.records = Some(form.records.unwrap_or_default().overridden_by(own));
    }
    check_languages(
        &project.sources,
        catalog.file,
        &form,
        &m.config.languages,
        &m.config.id,
        &origins,
        diags,
    );
    if diags.errors() > before {
        return None;
    }
    Some(ResolvedForm::new(
        MunicipalityRef {
            id: m.config.id.clone(),
            name: m.config.name.clone(),
            ags: m.config.ags.clone(),
        },
        m.config.languages.clone(),
        form,
    ))
}

fn text_origins(form: &Form, file: FileId) -> HashMap<String, TextOrigin> {
    let mut origins = HashMap::new();
    visit_texts(form, &mut |key, path, _| {
        origins.insert(key, TextOrigin { file, path });
    });
    origins
}

/// Every text must exist in every language the municipality offers.
fn check_languages(
    sources: &Sources,
    catalog_file: FileId,
    form: &Form,
    languages: &[String],
    municipality: &str,
    origins: &HashMap<String, TextOrigin>,
    diags: &mut Diagnostics,
) {
    visit_texts(form, &mut |key, _, text: &Text| {
        // A text the overlay wrote is checked for stray keys here, where it is reported in the
        // overlay; the catalog's own texts are checked once by lint_form, not again for every
        // municipality that publishes the form.
        if let Some(origin) = origins.get(&key)
            && origin.file != catalog_file
        {
            crate::lint::lint_text_keys(sources, origin.file, diags, &origin.path, text);
        }
        let missing: Vec<&str> = languages
            .iter()
            .filter(|l| !text.contains_key(*l))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            return;
        }
        let Some(origin) = origins.get(&key) else {
            return;
        };
        let list = missing.join(", ");
        diags.error_help(
            sources,
            origin.file,
            &origin.path,
            format!("this text has no {list} translation, but {municipality} offers {list}"),
            // Advice for the file the designer is in: a text written in the overlay can only
            // be completed there.
            if origin.file == catalog_file {
                format!(
                    "add {}: ... to this text, or set it in {municipality}'s overlay",
                    missing[0]
                )
            } else {
                format!("add {}: ... to this text", missing[0])
            },
        );
    });
}
