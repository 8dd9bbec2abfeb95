//! FIM import: turns an XDatenfelder Stammdatenschema (FIM, Föderales Informationsmanagement)
//! into a Formfabrik catalog form.
//!
//! Reads XDatenfelder 2.0 (`urn:xoev-de:fim:standard:xdatenfelder_2`) and, as far as its
//! structure is the same, 3.0 (`urn:xoev-de:fim:standard:xdatenfelder_3.0.0`): the messages
//! `xdatenfelder.stammdatenschema.0102`, `xdatenfelder.datenfeldgruppe.0103` and
//! `xdatenfelder.datenfeld.0104`, with their genericode code lists.
//!
//! The result is the YAML of a catalog form, with the FIM rules it could read converted into
//! `show-if` / `required-if`, written with comments where a person has to act (every FIM rule
//! sits as a `# FIM-Regel` comment above the element it is about, saying whether it was
//! converted), and a
//! [`Report`] that lists every rule, every element not mapped fully and every default applied.
//! Every field and group keeps its FIM id and version (`fim: { id, version }`), which the JSON
//! Schema carries as `x-fim-id` / `x-fim-version`.
//!
//! Problems in the input (another namespace, an unknown `feldart`, `datentyp` or `anzahl`, a
//! missing code list) are errors that name the file, line and column and the element's FIM id;
//! nothing is silently guessed. The mapping itself is described for process designers in
//! `docs/fim.md`.
//!
//! The data flows one way: [`xdf`] reads the XML and the code lists into a tree; [`map`] turns
//! the tree into a [`Form`], with the comments to write and the [`Report`]; [`rules`] reads
//! the FIM rules' prose, which `map` converts into conditions; [`yaml`] writes the form with its comments. [`error`]
//! and [`text`] serve them all.

// Errors carry file, position and the element's words; they are few and end the import, so
// their size does not matter.
#![allow(clippy::result_large_err)]

pub mod error;
pub mod map;
pub mod report;
pub mod rules;
pub mod text;
pub mod xdf;
pub mod yaml;

use std::fs;
use std::path::{Path, PathBuf};

use form_model::diagnostics::{Diagnostic, Diagnostics, Sources};
use form_model::model::Form;

pub use error::{ImportError, ImportErrors};
pub use report::Report;
pub use xdf::{CodeLists, Pos};

/// What to import besides the schema file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Folder with the genericode code lists; default: the schema's folder.
    pub codelists: Option<PathBuf>,
    /// The form id; default: a slug of the schema's name.
    pub form_id: Option<String>,
}

/// An imported form.
#[derive(Debug, Clone)]
pub struct Imported {
    pub form: Form,
    /// The catalog form as written to `forms/catalog/<id>.yaml`, comments included.
    pub yaml: String,
    pub report: Report,
    /// What `formfabrik check` says about the written YAML on its own (empty when it is
    /// accepted). The importer aims for none; an entry means the form language changed or the
    /// input hits a case the importer does not handle yet.
    pub check: Vec<Diagnostic>,
}

/// Imports the schema in `path`.
pub fn import_file(path: &Path, opts: &Options) -> Result<Imported, ImportErrors> {
    let text = fs::read_to_string(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let dir = match &opts.codelists {
        Some(d) => d.clone(),
        None => match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    let schema = xdf::parse(path, &text).map_err(ImportErrors)?;
    let codelists = CodeLists::load_dir(&dir)?;
    import_schema(&schema, path, &codelists, opts)
}

/// Imports an XDatenfelder document given as text; `file` is the name used in messages.
pub fn import_str(
    xml: &str,
    file: &Path,
    codelists: &CodeLists,
    opts: &Options,
) -> Result<Imported, ImportErrors> {
    let schema = xdf::parse(file, xml).map_err(ImportErrors)?;
    import_schema(&schema, file, codelists, opts)
}

fn import_schema(
    schema: &xdf::Schema,
    file: &Path,
    codelists: &CodeLists,
    opts: &Options,
) -> Result<Imported, ImportErrors> {
    let mapped = map::map(
        schema,
        file,
        codelists,
        &map::MapOptions {
            form_id: opts.form_id.clone(),
        },
    )
    .map_err(ImportErrors)?;
    let yaml = yaml::write_form(&mapped.form, &mapped.header, &mapped.comments);
    let check = check_yaml(&yaml, &mapped.form.id);
    Ok(Imported {
        form: mapped.form,
        yaml,
        report: mapped.report,
        check,
    })
}

/// Parses `yaml` as a catalog form and lints it as `formfabrik check` does for one form.
pub fn check_yaml(yaml: &str, id: &str) -> Vec<Diagnostic> {
    let mut sources = Sources::default();
    let file = sources.add(
        PathBuf::from(format!("forms/catalog/{id}.yaml")),
        yaml.to_string(),
    );
    let mut diags = Diagnostics::default();
    if let Some(form) = form_model::load::parse_source::<Form>(&sources, file, &mut diags) {
        form_model::lint::lint_form(&sources, file, &form, &mut diags);
    }
    diags.items
}
