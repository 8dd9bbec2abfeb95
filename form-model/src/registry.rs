//! `dist/function/registry.json`: the resolved forms the function loads at start, with what it
//! needs to know about each municipality (CORS origin, where its pages live, whom citizens
//! contact). Written by the generator, read and checked by the function; both go through this
//! type.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::check::CheckReport;
use crate::jwk::read_public_rsa_jwk;
use crate::load::{CatalogForm, LoadedMunicipality};
use crate::model::{Contact, DmsIdentifiers, Municipality, Payment};
use crate::resolve::ResolvedForm;

mod served;
mod written;
pub use served::ServedRegistry;
pub use written::write_json_from;

/// The `format` of registries written by this version.
pub const REGISTRY_FORMAT: &str = "formfabrik.registry/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Registry {
    pub format: String,
    pub municipalities: Vec<RegistryMunicipality>,
    pub forms: Vec<ResolvedForm>,
    /// The earlier versions of each published form (1 up to the published one): records
    /// submitted under them stay in the store until their own retention ends, so the lifecycle
    /// rules and `inbox purge` need it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_versions: Vec<EarlierVersion>,
}

/// A form version a municipality may have published before its current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EarlierVersion {
    pub municipality: String,
    pub form: String,
    pub version: u32,
    /// The longer of the archived catalog version's `retention-days` and the published
    /// version's: a record is never deleted before either says.
    pub retention_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RegistryMunicipality {
    pub id: String,
    pub name: String,
    pub ags: String,
    /// Languages offered; the first is the default and lives at the site's root.
    pub languages: Vec<String>,
    /// Origin browsers send in `Origin` (CORS allowlist).
    pub site_origin: String,
    /// Base URL of the municipality's pages, without trailing slash
    /// (`https://formulare.musterstadt.de`, or `http://127.0.0.1:8080/musterstadt` locally).
    pub site_url: String,
    /// The back office's public key (JWK) when submissions are to be encrypted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key: Option<serde_json::Value>,
    /// Whom citizens contact (`contact` of municipality.yaml): the function's confirmation page
    /// shows it. Optional so that registries written before it was added still load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// The DMS identifiers of sender and recipient (`xdomea` of municipality.yaml).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xdomea: Option<DmsIdentifiers>,
    /// The payment platform (`payment` of municipality.yaml): secrets named, never held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
}

impl EarlierVersion {
    /// The earlier versions of `f` (1 up to the published one), each kept as long as the
    /// longer of its archived catalog version's retention (in `catalog`) and the published
    /// one's.
    pub fn of<'a>(
        catalog: &'a [CatalogForm],
        f: &'a ResolvedForm,
    ) -> impl Iterator<Item = EarlierVersion> + 'a {
        (1..f.form.version).map(move |version| {
            let archived = catalog
                .iter()
                .filter(|c| c.form.id == f.form.id && c.form.version == version)
                .map(|c| c.form.retention_days)
                .max()
                .unwrap_or(0);
            EarlierVersion {
                municipality: f.municipality.id.clone(),
                form: f.form.id.clone(),
                version,
                retention_days: archived.max(f.form.retention_days),
            }
        })
    }
}

/// Why a registry cannot be used.
#[derive(Debug, Error, PartialEq)]
pub enum RegistryError {
    #[error("registry is not valid JSON of the expected shape: {0}")]
    Shape(String),
    #[error("registry format is \"{found}\", this version reads \"{REGISTRY_FORMAT}\"")]
    Format { found: String },
    #[error("form {municipality}/{form}: content hash does not match (registry edited by hand?)")]
    Hash { municipality: String, form: String },
    #[error(
        "form {municipality}/{form} is not a form this version reads (registry edited by hand?): {message}"
    )]
    FormShape {
        municipality: String,
        form: String,
        message: String,
    },
    #[error("form {municipality}/{form}: municipality \"{municipality}\" is not in the registry")]
    UnknownMunicipality { municipality: String, form: String },
    #[error("form {municipality}/{form} is listed twice")]
    Duplicate { municipality: String, form: String },
    #[error("municipality \"{0}\" is listed twice")]
    DuplicateMunicipality(String),
}

impl RegistryMunicipality {
    /// What the registry says about municipality `m`, whose pages live at `site_url`.
    pub fn of(m: &LoadedMunicipality, site_url: &str) -> RegistryMunicipality {
        RegistryMunicipality {
            id: m.config.id.clone(),
            name: m.config.name.clone(),
            ags: m.config.ags.clone(),
            languages: m.config.languages.clone(),
            site_origin: m.config.site_origin.clone(),
            site_url: site_url.trim_end_matches('/').to_string(),
            // `check` has made sure the file is a public RSA JWK (see `jwk::public_rsa_jwk`).
            encryption_key: m
                .config
                .encryption_key
                .as_ref()
                .and_then(|rel| read_public_rsa_jwk(&m.dir.join(rel)).ok()),
            contact: Some(m.config.contact.clone()),
            xdomea: m.config.xdomea.clone(),
            payment: m.config.payment.clone(),
        }
    }
}

impl Registry {
    /// The registry for everything `check` resolved. `site_url` gives each municipality's page
    /// base URL (its `site-origin` when published, a local address for `formfabrik serve`).
    pub fn build(report: &CheckReport, site_url: impl Fn(&Municipality) -> String) -> Registry {
        let municipalities = report
            .project
            .municipalities
            .iter()
            .map(|m| RegistryMunicipality::of(m, &site_url(&m.config)))
            .collect();
        Registry::of(
            &report.project.catalog,
            municipalities,
            report.resolved.clone(),
        )
    }

    /// The registry of `municipalities` (each made by [`RegistryMunicipality::of`]) and the
    /// `forms` they publish, with the earlier versions of each form found in `catalog`: what
    /// [`Registry::build`] makes, for a caller that let go of the municipalities' configs
    /// (the generator, a country at a time).
    pub fn of(
        catalog: &[CatalogForm],
        municipalities: Vec<RegistryMunicipality>,
        forms: Vec<ResolvedForm>,
    ) -> Registry {
        let earlier_versions = forms
            .iter()
            .flat_map(|f| EarlierVersion::of(catalog, f))
            .collect();
        Registry {
            format: REGISTRY_FORMAT.to_string(),
            municipalities,
            forms,
            earlier_versions,
        }
    }

    /// Parses and checks a registry: format, hashes, references, duplicates.
    pub fn from_json(text: &str) -> Result<Registry, RegistryError> {
        let registry = Registry::from_json_hashing_on_use(text)?;
        if let Some(f) = registry.forms.iter().find(|f| !f.hash_matches()) {
            return Err(RegistryError::Hash {
                municipality: f.municipality.id.clone(),
                form: f.form.id.clone(),
            });
        }
        Ok(registry)
    }

    /// [`Registry::from_json`] without hashing the forms now: each form's hash is checked when
    /// it is first looked up ([`Registry::lookup`]), and a form whose hash does not match is
    /// never handed out. Hashing every form is a good part of reading a registry. (The function
    /// serves a [`ServedRegistry`], which does not even parse a form before its first lookup.)
    pub fn from_json_hashing_on_use(text: &str) -> Result<Registry, RegistryError> {
        let registry: Registry =
            serde_json::from_str(text).map_err(|e| RegistryError::Shape(e.to_string()))?;
        check_index(
            &registry.format,
            &registry.municipalities,
            registry
                .forms
                .iter()
                .map(|f| (f.municipality.id.as_str(), f.form.id.as_str())),
        )?;
        Ok(registry)
    }

    /// The registry as pretty JSON: exactly `serde_json::to_string_pretty(self)`; see
    /// [`Registry::write_json`].
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        self.write_json(&mut out).expect("writing to memory");
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    /// Writes the registry as pretty JSON into `w`, exactly as
    /// `serde_json::to_writer_pretty(w, self)` would, with each shared form (one `Arc<Form>`,
    /// published by many municipalities) serialized once and its text put into every entry
    /// that publishes it. A country's registry holds tens of thousands of entries of a few
    /// dozen forms, hundreds of megabytes: it is streamed, not made in memory first.
    pub fn write_json(&self, w: impl std::io::Write) -> std::io::Result<()> {
        written::write_json_as(
            &self.format,
            w,
            self.municipalities.iter().map(Ok),
            self.forms.iter().map(Ok),
            self.earlier_versions.iter().map(Ok),
        )
    }

    pub fn municipality(&self, id: &str) -> Option<&RegistryMunicipality> {
        self.municipalities.iter().find(|m| m.id == id)
    }

    /// The form `form` as `municipality` publishes it; `None` also when its hash does not match
    /// its content (see [`Registry::lookup`], which says so).
    pub fn form(&self, municipality: &str, form: &str) -> Option<&ResolvedForm> {
        self.lookup(municipality, form)?.ok()
    }

    /// The form `form` as `municipality` publishes it, or why it cannot be used: its hash does
    /// not match its content (checked on the first lookup, [`ResolvedForm::hash_matches`]).
    pub fn lookup(
        &self,
        municipality: &str,
        form: &str,
    ) -> Option<Result<&ResolvedForm, RegistryError>> {
        let found = self
            .forms
            .iter()
            .find(|f| f.municipality.id == municipality && f.form.id == form)?;
        Some(hash_checked(found))
    }
}

/// `form` if its hash matches its content ([`ResolvedForm::hash_matches`]), else why not: the
/// one rule both views of a registry hand out forms by.
fn hash_checked(form: &ResolvedForm) -> Result<&ResolvedForm, RegistryError> {
    if form.hash_matches() {
        Ok(form)
    } else {
        Err(RegistryError::Hash {
            municipality: form.municipality.id.clone(),
            form: form.form.id.clone(),
        })
    }
}

/// What a registry says without any of its forms parsed: its municipalities and which form
/// each publishes. Both views of a registry answer it: [`Registry`] (every form parsed) and
/// [`ServedRegistry`] (the function's, each form parsed on its first request), so what needs
/// no more (the function's start-up checks, the payment platforms, sign-in) takes either.
pub trait RegistryIndex {
    fn municipalities(&self) -> &[RegistryMunicipality];

    /// `(municipality, form)` of every entry, in the registry's order.
    fn published_forms(&self) -> impl Iterator<Item = (&str, &str)>;

    fn municipality(&self, id: &str) -> Option<&RegistryMunicipality> {
        self.municipalities().iter().find(|m| m.id == id)
    }
}

impl RegistryIndex for Registry {
    fn municipalities(&self) -> &[RegistryMunicipality] {
        &self.municipalities
    }

    fn published_forms(&self) -> impl Iterator<Item = (&str, &str)> {
        self.forms
            .iter()
            .map(|f| (f.municipality.id.as_str(), f.form.id.as_str()))
    }
}

/// The checks of a registry that need no form parsed: its format, no municipality listed
/// twice, and every form entry (`(municipality, form)`) of a listed municipality and listed
/// once.
fn check_index<'a>(
    format: &str,
    municipalities: &[RegistryMunicipality],
    forms: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<(), RegistryError> {
    if format != REGISTRY_FORMAT {
        return Err(RegistryError::Format {
            found: format.to_string(),
        });
    }
    let mut ids = HashSet::new();
    for m in municipalities {
        if !ids.insert(m.id.as_str()) {
            return Err(RegistryError::DuplicateMunicipality(m.id.clone()));
        }
    }
    let mut seen = HashSet::new();
    for (municipality, form) in forms {
        if !ids.contains(municipality) {
            return Err(RegistryError::UnknownMunicipality {
                municipality: municipality.to_string(),
                form: form.to_string(),
            });
        }
        if !seen.insert((municipality, form)) {
            return Err(RegistryError::Duplicate {
                municipality: municipality.to_string(),
                form: form.to_string(),
            });
        }
    }
    Ok(())
}

impl RegistryMunicipality {
    /// Path prefix of a language's pages below the site: "" for the default language,
    /// "/en" for the others.
    pub fn lang_prefix(&self, lang: &str) -> String {
        if self.languages.first().map(String::as_str) == Some(lang) {
            String::new()
        } else {
            format!("/{lang}")
        }
    }

    /// The services index, the site's start page in `lang`: `<site>/[<lang>/]`.
    pub fn services_url(&self, lang: &str) -> String {
        format!("{}{}/", self.site_url, self.lang_prefix(lang))
    }

    /// The form page: `<site>/[<lang>/]<form>/`.
    pub fn form_url(&self, form: &str, lang: &str) -> String {
        format!("{}{form}/", self.services_url(lang))
    }
}
