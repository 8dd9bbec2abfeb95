//! What a build writes besides the sites: per published form the importer contract (its JSON
//! Schema, the CSV columns of `formfabrik inbox export` and the form as published, for
//! receipts), and for the function its registry, the bucket's lifecycle rules and the theme
//! it renders form pages with.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use form_model::CheckReport;
use form_model::model::{Contact, Form};
use form_model::registry::Registry;
use form_model::resolve::ResolvedForm;

use inbox::contract::SharedContracts;
use view::bundle::Bundle;

use super::{BuildError, BuildOptions, Put, PutStream, site_url};

/// Writes the JSON Schema, the CSV column spec and the form as published (for the receipts
/// of its submissions once the form has moved on) of `form` of a municipality with `contact`
/// below `out_dir` with `put`. Nothing removes them when the form moves on: `dist/schemas`
/// keeps every version a municipality published.
pub fn write_contract(
    out_dir: &Path,
    form: &ResolvedForm,
    contact: &Contact,
    jsons: &FormJsons,
    contracts: &SharedContracts,
    put: &mut Put<'_>,
) -> Result<(), BuildError> {
    // The importer contract (docs/backoffice.md): what it is, is the back office's business.
    let form_json = jsons.get(&form.form);
    for (file, bytes) in contracts.published(form, contact, &form_json) {
        put(out_dir.join("schemas").join(file), &bytes)?;
    }
    Ok(())
}

/// The JSON of each shared form (`form.json` of every municipality that publishes it), made
/// once: by the form's address (the entry keeps the `Arc`, so the address stays its own).
#[derive(Debug, Default)]
pub struct FormJsons(Mutex<HashMap<usize, Kept>>);

/// A shared form (kept alive, so its address stays its own) and its JSON.
type Kept = (Arc<Form>, Arc<String>);

impl FormJsons {
    /// `serde_json::to_string(form)`, made the first time it is asked for.
    pub fn get(&self, form: &Arc<Form>) -> Arc<String> {
        let key = Arc::as_ptr(form) as usize;
        if let Some((_, json)) = self.0.lock().expect("jsons lock").get(&key) {
            return Arc::clone(json);
        }
        let json = Arc::new(serde_json::to_string(&**form).expect("forms serialize"));
        Arc::clone(
            &self
                .0
                .lock()
                .expect("jsons lock")
                .entry(key)
                .or_insert_with(|| (Arc::clone(form), json))
                .1,
        )
    }
}

/// Writes `function/registry.json`, `function/lifecycle.json` and the theme the function
/// renders form pages with, `function/theme.json`, with `put`: each streamed into its file,
/// not made in memory first (a country's registry is hundreds of megabytes).
pub fn write_function(
    opts: &BuildOptions,
    report: &CheckReport,
    theme: &Bundle,
    put: &mut PutStream<'_>,
) -> Result<(), BuildError> {
    let registry = Registry::build(report, |m| site_url(opts, m));
    put(opts.out_dir.join("function/registry.json"), &mut |w| {
        registry.write_json(w)
    })?;
    // Retention as code: the bucket's lifecycle rules, the same the SAM template has.
    let lifecycle =
        store::lifecycle::configuration(&registry, store::lifecycle::DEFAULT_STORAGE_PREFIX);
    put(opts.out_dir.join("function/lifecycle.json"), &mut |w| {
        w.write_all(
            (serde_json::to_string_pretty(&lifecycle).expect("JSON serializes") + "\n").as_bytes(),
        )
    })?;
    // The same bytes as `theme.to_json()`.
    put(opts.out_dir.join("function").join(THEME_FILE), &mut |w| {
        serde_json::to_writer(w, theme).map_err(std::io::Error::from)
    })
}

/// The theme's file in `function/`, beside the registry.
pub const THEME_FILE: &str = "theme.json";
