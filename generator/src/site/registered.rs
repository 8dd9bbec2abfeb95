//! The function's registry put aside as the sites are built: each municipality's entry, the
//! entries of the forms it publishes (which of the shared forms, [`super::checked::Forms`],
//! and its hash) and their earlier versions wait in temporary files until
//! `function/registry.json` and `function/lifecycle.json` are written from them, one entry
//! at a time, so that the build does not hold a country's registry.

use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use form_model::load::CatalogForm;
use form_model::registry::{EarlierVersion, RegistryMunicipality};
use form_model::resolve::{MunicipalityRef, ResolvedForm};
use store::lifecycle::Published;

use super::checked::Forms;
use crate::spill::Sequence;

/// A form entry as put aside.
#[derive(Serialize, Deserialize)]
struct Entry {
    municipality: MunicipalityRef,
    languages: Vec<String>,
    /// Its number among the shared forms.
    form: usize,
    sha256: String,
}

/// The registry's entries, in the order they were registered.
pub struct Registered {
    municipalities: Sequence,
    forms: Sequence,
    earlier_versions: Sequence,
}

impl Registered {
    /// Nothing registered yet; the files are made in `dir`, which must exist.
    pub fn new(dir: &Path) -> io::Result<Registered> {
        Ok(Registered {
            municipalities: Sequence::new(dir)?,
            forms: Sequence::new(dir)?,
            earlier_versions: Sequence::new(dir)?,
        })
    }

    /// Registers municipality `m` and the forms it publishes, `forms` (numbered in
    /// `numbers`), with their earlier versions as `catalog` has them.
    pub fn put(
        &mut self,
        m: &RegistryMunicipality,
        forms: &[ResolvedForm],
        numbers: &Forms,
        catalog: &[CatalogForm],
    ) -> io::Result<()> {
        self.municipalities.push(m)?;
        for f in forms {
            self.forms.push(&Entry {
                municipality: f.municipality.clone(),
                languages: f.languages.clone(),
                form: numbers.number_of(&f.form)?,
                sha256: f.sha256.to_string(),
            })?;
            for earlier in EarlierVersion::of(catalog, f) {
                self.earlier_versions.push(&earlier)?;
            }
        }
        Ok(())
    }

    /// Writes out what is still buffered: from now on the registry can be written
    /// ([`Registered::write_json`], [`Registered::write_lifecycle`], side by side).
    pub fn flush(&mut self) -> io::Result<()> {
        self.municipalities.flush()?;
        self.forms.flush()?;
        self.earlier_versions.flush()
    }

    /// Writes `function/registry.json` into `w`: the same bytes as `Registry::write_json` of
    /// the registry of these entries.
    pub fn write_json(&self, forms: &Forms, w: impl io::Write) -> io::Result<()> {
        let municipalities = self.municipalities.values::<RegistryMunicipality>()?;
        let earlier_versions = self.earlier_versions.values::<EarlierVersion>()?;
        let entries = self.forms.values::<Entry>()?.map(|entry| {
            let e = entry?;
            Ok(ResolvedForm::from_parts(
                e.municipality,
                e.languages,
                forms.get(e.form)?,
                e.sha256,
            ))
        });
        form_model::registry::write_json_from(w, municipalities, entries, earlier_versions)
    }

    /// Writes `function/lifecycle.json` into `w`: the same bytes as
    /// `store::lifecycle::write_configuration` of the registry of these entries.
    pub fn write_lifecycle(&self, forms: &Forms, w: impl io::Write) -> io::Result<()> {
        let mut published = Vec::with_capacity(self.forms.len());
        for entry in self.forms.values::<Entry>()? {
            let e = entry?;
            let form = forms.get(e.form)?;
            published.push(Published {
                municipality: e.municipality.id,
                form: form.id.clone(),
                version: form.version,
                retention_days: form.retention_days,
            });
        }
        let earlier_versions = self
            .earlier_versions
            .values::<EarlierVersion>()?
            .collect::<io::Result<Vec<_>>>()?;
        let rules = store::lifecycle::rules_of(published, earlier_versions);
        store::lifecycle::write_configuration_of(rules, store::lifecycle::DEFAULT_STORAGE_PREFIX, w)
    }
}
