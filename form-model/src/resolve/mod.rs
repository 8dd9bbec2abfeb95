//! Catalog form + municipality adaptations = one resolved form per municipality and form.
//! Overlay operations are applied in order; each names its target, and a target that does not
//! exist (for instance after a catalog upgrade) is an error at the operation's position. The
//! same application, run against the newest catalog version, gives the drift report.
//!
//! `overlay` applies a municipality's operations to a catalog form; `parameters` writes in the
//! municipality's values of what the form leaves to it (option lists, areas, date windows);
//! `drift` runs the operations against the newest catalog version.

mod drift;
mod hash;
mod overlay;
mod parameters;

pub use drift::{Drift, FormDrift, drift, drift_of};
pub use hash::ContentHash;
pub use overlay::apply_overlay;

use crate::msg;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostics::{Diagnostics, FileId, Sources};
use crate::languages;
use crate::load::{LoadedMunicipality, Project};
use crate::model::PaymentMode;
use crate::model::{Field, Form, Municipality, Text};
use crate::positions::{child, item};
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
    /// Shared: municipalities that publish a catalog form as it is share one copy of it, and
    /// so do municipalities whose changes make the same form (a country's build holds a few
    /// dozen forms, not one per municipality).
    pub form: Arc<Form>,
    /// `urn:de:fim:leika:leistung:<key>` when the form has a LeiKa key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// sha256 over the canonical JSON of everything above: changes whenever anything a citizen
    /// sees or the function checks changes. Computed when first asked for.
    pub sha256: ContentHash,
    /// Whether `sha256` is the hash of the content ([`ResolvedForm::hash_matches`]).
    #[serde(skip)]
    checked: HashCheck,
}

/// The canonical JSON of `[municipality,languages,form,service]` around the form's: what comes
/// before it and after it (hashed piece by piece, so a shared form is serialized once).
fn hash_frame(
    municipality: &MunicipalityRef,
    languages: &[String],
    service: &Option<String>,
) -> (Vec<u8>, Vec<u8>) {
    let mut head = b"[".to_vec();
    serde_json::to_writer(&mut head, municipality).expect("forms serialize");
    head.push(b',');
    serde_json::to_writer(&mut head, languages).expect("forms serialize");
    head.push(b',');
    let mut tail = b",".to_vec();
    serde_json::to_writer(&mut tail, service).expect("forms serialize");
    tail.push(b']');
    (head, tail)
}

/// Whether a form's `sha256` was found to match its content: found out once, on first use (a
/// form read from a registry file is hashed when it is first looked up, not at start), and
/// known for a form made here. A cache, not part of the value: it compares equal always.
#[derive(Debug, Clone, Default)]
struct HashCheck(OnceLock<bool>);

impl PartialEq for HashCheck {
    fn eq(&self, _: &HashCheck) -> bool {
        true
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MunicipalityRef {
    pub id: String,
    pub name: String,
    pub ags: String,
}

impl ResolvedForm {
    pub fn new(
        municipality: MunicipalityRef,
        languages: Vec<String>,
        form: impl Into<Arc<Form>>,
    ) -> ResolvedForm {
        let form: Arc<Form> = form.into();
        let json = serde_json::to_vec(&*form).expect("forms serialize");
        ResolvedForm::with_form_json(municipality, languages, form, Arc::new(json))
    }

    /// `form` as municipality `m` publishes it (its id, name, AGS and languages), `form_json`
    /// being the form's canonical JSON (`serde_json::to_vec`): what resolving gives for a form
    /// that came out as `form`, for a caller that kept only which form it was (the build,
    /// which puts a checked municipality aside until its sites are made).
    pub fn published_by(
        m: &Municipality,
        form: Arc<Form>,
        form_json: Arc<Vec<u8>>,
    ) -> ResolvedForm {
        let municipality = MunicipalityRef {
            id: m.id.clone(),
            name: m.name.clone(),
            ags: m.ags.clone(),
        };
        ResolvedForm::with_form_json(municipality, m.languages.clone(), form, form_json)
    }

    /// A resolved form from its parts as written down before, its hash among them (as a
    /// registry file has them; the build puts its entries aside until it writes the
    /// registry): whether the hash matches is found out when first asked
    /// ([`ResolvedForm::hash_matches`]), as for a form read from a file.
    pub fn from_parts(
        municipality: MunicipalityRef,
        languages: Vec<String>,
        form: Arc<Form>,
        sha256: String,
    ) -> ResolvedForm {
        let service = form
            .leika
            .as_ref()
            .map(|k| format!("urn:de:fim:leika:leistung:{k}"));
        ResolvedForm {
            municipality,
            languages,
            form,
            service,
            sha256: ContentHash::from(sha256),
            checked: HashCheck::default(),
        }
    }

    /// [`ResolvedForm::new`] for a form whose canonical JSON (`serde_json::to_vec`) is known.
    fn with_form_json(
        municipality: MunicipalityRef,
        languages: Vec<String>,
        form: Arc<Form>,
        form_json: Arc<Vec<u8>>,
    ) -> ResolvedForm {
        let service = form
            .leika
            .as_ref()
            .map(|k| format!("urn:de:fim:leika:leistung:{k}"));
        let (head, tail) = hash_frame(&municipality, &languages, &service);
        // Made from its content just now, hashed when first asked for. (A form changed afterwards
        // keeps this: the function never changes one, and a registry is written again with `new`
        // or `content_hash`.)
        let checked = HashCheck(OnceLock::from(true));
        ResolvedForm {
            sha256: ContentHash::of(head, form_json, tail),
            municipality,
            languages,
            form,
            service,
            checked,
        }
    }

    /// The hash of the resolved content (everything but the hash itself): the sha256 of the
    /// canonical JSON of `(municipality, languages, form, service)`.
    pub fn content_hash(&self) -> String {
        let json = serde_json::to_vec(&*self.form).expect("forms serialize");
        let (head, tail) = hash_frame(&self.municipality, &self.languages, &self.service);
        let mut h = Sha256::new();
        h.update(head);
        h.update(json);
        h.update(tail);
        hex::encode(h.finalize())
    }

    /// Whether `sha256` is the hash of the content: hashed on the first call (a form read from
    /// a registry file), then remembered; true without hashing for a form made by
    /// [`ResolvedForm::new`].
    pub fn hash_matches(&self) -> bool {
        *self
            .checked
            .0
            .get_or_init(|| self.content_hash() == self.sha256)
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

/// What the resolution of one project's forms shares between municipalities: the catalog
/// forms (by file) whose texts were found complete in a set of languages, and the canonical
/// JSON of each catalog form, so a form published as it is by thousands of municipalities is
/// checked and serialized once (its content hash still covers each municipality).
/// A form a municipality changed (overlay, parameters, fees, payment, records, sign-in) is kept
/// once per content: municipalities whose changed form comes out the same share one copy, so
/// its page body is rendered once (`view`'s form bodies are kept per shared form) — for as
/// long as a municipality resolved before still holds it: the map does not keep the forms
/// alive (a build puts each checked chunk aside and lets go of its forms, and a country has
/// hundreds of changed forms; one made again is the same form).
/// Municipalities are resolved in parallel; each part is behind its own lock.
#[derive(Debug, Default)]
pub struct Shared {
    complete: Mutex<HashSet<(FileId, Vec<String>)>>,
    json: Mutex<HashMap<FileId, Arc<Vec<u8>>>>,
    /// Changed forms and their canonical JSON, by the sha256 of that JSON.
    forms: Mutex<HashMap<[u8; 32], HeldForm>>,
}

/// A shared form and its canonical JSON (the input of the content hashes of all that publish
/// it), as long as someone holds them.
type HeldForm = (Weak<Form>, Weak<Vec<u8>>);

impl Shared {
    /// The changed form whose canonical JSON has the sha256 `digest`: the one held already,
    /// or else `form` with its `json`, shared from now on.
    fn form(&self, digest: [u8; 32], form: Arc<Form>, json: Vec<u8>) -> (Arc<Form>, Arc<Vec<u8>>) {
        let mut forms = self.forms.lock().expect("shared lock");
        if let Some((held, held_json)) = forms.get(&digest)
            && let (Some(form), Some(json)) = (held.upgrade(), held_json.upgrade())
        {
            return (form, json);
        }
        // Forms let go of leave entries behind: cleared out whenever the map doubles.
        if forms.len() >= 64 && forms.len().is_power_of_two() {
            forms.retain(|_, (form, _)| form.strong_count() > 0);
        }
        let json = Arc::new(json);
        forms.insert(digest, (Arc::downgrade(&form), Arc::downgrade(&json)));
        (form, json)
    }
}

/// Resolves form entry `index` of municipality `m`.
pub fn resolve_one(
    project: &Project,
    m: &LoadedMunicipality,
    index: usize,
    diags: &mut Diagnostics,
) -> Option<ResolvedForm> {
    resolve_shared(project, m, index, &Shared::default(), diags)
}

/// Resolves form entry `index` of municipality `m`, reusing what `shared` knows from the
/// municipalities resolved before.
pub fn resolve_shared(
    project: &Project,
    m: &LoadedMunicipality,
    index: usize,
    shared: &Shared,
    diags: &mut Diagnostics,
) -> Option<ResolvedForm> {
    let form_use = &m.config.forms[index];
    let (id, version) = form_use.form_and_version()?;
    let catalog = project.form(id, version)?;
    if form_use.overlay.is_some() && !m.overlays.contains_key(&index) {
        // The overlay could not be read; its problem is already reported.
        return None;
    }
    let overlay = m.overlays.get(&index);
    let mut form = Arc::clone(&catalog.form);
    // Without an overlay the texts are the catalog's: complete in these languages for one
    // municipality means complete for all.
    let languages_key = (catalog.file, m.config.languages.clone());
    // A form with parameters takes texts (option labels) from each municipality.
    let own_values = parameters::uses_parameters(&catalog.form);
    let known_complete = overlay.is_none()
        && !own_values
        && shared
            .complete
            .lock()
            .expect("shared lock")
            .contains(&languages_key);
    let before = diags.errors();
    let mut origins = match known_complete {
        true => HashMap::new(),
        false => text_origins(&catalog.form, catalog.file),
    };
    if let Some(overlay) = overlay {
        for problem in apply_overlay(
            &project.sources,
            Arc::make_mut(&mut form),
            overlay,
            &mut origins,
        ) {
            diags.items.push(problem);
        }
    }
    // After the overlay: a question it adds may name a parameter too.
    if parameters::uses_parameters(&form) {
        parameters::apply_parameters(
            project,
            m,
            index,
            overlay,
            Arc::make_mut(&mut form),
            &mut origins,
            diags,
        );
    }
    for (fee_id, fee) in &form_use.fees {
        if let Some(target) = Arc::make_mut(&mut form)
            .fees
            .iter_mut()
            .find(|f| &f.id == fee_id)
        {
            if fee.amount_eur.is_some() {
                target.amount_eur = fee.amount_eur;
            }
            if let Some(choice) = &mut target.by_choice {
                choice.amounts_eur.extend(fee.amounts_eur.clone());
            }
        }
    }
    // Payment online: the municipality's word for its form wins over the catalog's; without a
    // payment platform the fees are charged by notice (lint warns).
    let payment = match &m.config.payment {
        None => PaymentMode::None,
        Some(_) => form_use.payment.unwrap_or(form.payment),
    };
    if payment != form.payment {
        Arc::make_mut(&mut form).payment = payment;
    }
    // A form that takes a SEPA mandate names the municipality as creditor.
    if form.sepa_mandate.is_some() {
        match &m.config.sepa_creditor {
            Some(creditor) => {
                if let Some(mandate) = &mut Arc::make_mut(&mut form).sepa_mandate {
                    mandate.creditor = Some(creditor.clone());
                }
            }
            None => diags.error_help(
                &project.sources,
                m.file,
                &child(&item("forms", index), "use"),
                msg!("sepa-mandate-without-creditor", form = &form_use.form),
                msg!("sepa-mandate-without-creditor-help"),
            ),
        }
    }
    if let Some(own) = &form_use.records {
        let form = Arc::make_mut(&mut form);
        form.records = Some(form.records.take().unwrap_or_default().overridden_by(own));
    }
    // A municipality may offer sign-in where the catalog does not, never ask for less.
    if let Some(own) = form_use.identity
        && own > form.identity
    {
        Arc::make_mut(&mut form).identity = own;
    }
    if !known_complete {
        check_languages(
            &project.sources,
            catalog.file,
            &form,
            &m.config.languages,
            &m.config.id,
            &origins,
            diags,
        );
    }
    if diags.errors() > before {
        return None;
    }
    if overlay.is_none() && !own_values {
        shared
            .complete
            .lock()
            .expect("shared lock")
            .insert(languages_key);
    }
    if !Arc::ptr_eq(&form, &catalog.form) {
        let json = serde_json::to_vec(&*form).expect("forms serialize");
        let (form, json) = shared.form(Sha256::digest(&json).into(), form, json);
        return Some(ResolvedForm::published_by(&m.config, form, json));
    }
    let json = Arc::clone(
        shared
            .json
            .lock()
            .expect("shared lock")
            .entry(catalog.file)
            .or_insert_with(|| Arc::new(serde_json::to_vec(&*form).expect("forms serialize"))),
    );
    Some(ResolvedForm::published_by(&m.config, form, json))
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
            msg!(
                "text-missing-language-municipality",
                list = &list,
                municipality = municipality
            ),
            // Advice for the file the designer is in: a text written in the overlay can only
            // be completed there.
            if origin.file == catalog_file {
                msg!(
                    "text-missing-language-catalog-help",
                    lang = missing[0],
                    municipality = municipality
                )
            } else {
                msg!("text-missing-language-help", lang = missing[0])
            },
        );
    });
}
