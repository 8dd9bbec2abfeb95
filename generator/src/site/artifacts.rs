//! What a build writes besides the sites: per published form the importer contract (its JSON
//! Schema, the CSV columns of `formfabrik inbox export` and the form as published, for
//! receipts), and for the function its registry, the bucket's lifecycle rules and the theme
//! it renders form pages with.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use form_model::bounded::{Bounded, bounded};
use form_model::model::{Contact, Form};
use form_model::resolve::ResolvedForm;

use inbox::contract::SharedContracts;
use view::Theme;
use view::bundle::Bundle;

use super::checked::Forms;
use super::registered::Registered;
use super::{BuildError, BuildOptions, Put, PutStream};
use crate::spill::{Spill, SpilledMap};

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
/// once: by the form's address (the entry keeps the `Arc`, so the address stays its own); at
/// most [`KEPT_JSONS`], the ones used least recently let go of first (made again if asked for),
/// so a country's build does not keep one per distinct form.
#[derive(Debug)]
pub struct FormJsons(Mutex<Bounded<usize, Kept>>);

/// How many forms' JSON is kept: the forms a chunk of municipalities publishes, with room to
/// spare.
const KEPT_JSONS: usize = 256;

impl Default for FormJsons {
    fn default() -> FormJsons {
        FormJsons(Mutex::new(bounded(KEPT_JSONS)))
    }
}

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
                .get_or_insert(key, || (Arc::clone(form), json))
                .1,
        )
    }
}

/// What the function's files are made of: the registry's entries and the forms they name,
/// and the theme with the sites' parts.
pub struct Function<'a> {
    pub registered: &'a Registered,
    pub forms: &'a Forms,
    pub theme: &'a Theme,
    pub sites: &'a Spill,
}

/// Writes `function/registry.json`, `function/lifecycle.json` and the theme the function
/// renders form pages with, `function/theme.json` (the templates of `theme` and the sites'
/// parts in `sites`, by municipality id), with `put`: each streamed into its file, not made
/// in memory first (a country's registry is hundreds of megabytes), its entries read back
/// one at a time. The registry is written on one thread while the other two are written on
/// another: it is the largest by far, and at the end of a build nothing else is left to do.
pub fn write_function(
    opts: &BuildOptions,
    Function {
        registered,
        forms,
        theme,
        sites,
    }: Function<'_>,
    put: &PutStream<'_>,
) -> Result<(), BuildError> {
    let registry = || {
        put(opts.out_dir.join("function/registry.json"), &mut |w| {
            registered.write_json(forms, w)
        })
    };
    let others = || {
        // Retention as code: the bucket's lifecycle rules, the same the SAM template has.
        put(opts.out_dir.join("function/lifecycle.json"), &mut |w| {
            registered.write_lifecycle(forms, w)
        })?;
        // The same bytes as `Bundle::to_json` of a bundle holding the sites.
        let bundle = Bundle::new(theme, BTreeMap::new());
        /// [`Bundle`]'s members, in its order.
        #[derive(Serialize)]
        struct ThemeFile<'a, S: Serialize> {
            format: &'a str,
            templates: &'a BTreeMap<String, String>,
            strings: &'a S,
            sites: SpilledMap<'a>,
        }
        put(opts.out_dir.join("function").join(THEME_FILE), &mut |w| {
            let file = ThemeFile {
                format: &bundle.format,
                templates: &bundle.templates,
                strings: &bundle.strings,
                sites: sites.map()?,
            };
            serde_json::to_writer(w, &file).map_err(std::io::Error::from)
        })
    };
    let (registry, others) = rayon::join(registry, others);
    registry.and(others)
}

/// The theme's file in `function/`, beside the registry.
pub const THEME_FILE: &str = "theme.json";
