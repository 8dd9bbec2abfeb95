//! FIM tree → catalog form. The rules are written down for designers in `docs/fim.md`; in
//! short:
//!
//! - Top-level groups become steps; runs of top-level fields become steps of their own
//!   (`steps`).
//! - Inside a step, a group of fields only, or a repeatable group, becomes a `group` field
//!   (`repeat` for `0:*`, `1:*`, `n:m`); a group that holds groups is dissolved into its parent
//!   (the form language nests one level), and so is every group inside a `group` field
//!   (`structure`).
//! - Each field becomes a question by its `datentyp` (`fields`, `datentyp`), a select field one
//!   with the values of its code list (`options`).
//! - `required` is FIM's `min >= 1`, as far as the form language can say it: a required field
//!   in an optional group outside a `group` field becomes optional, and the report says so.
//! - Rules read become `show-if` / `required-if` where the form language can say it
//!   (`convert`, with `logic` for negation and `apply` for the edits); every rule is also a
//!   comment at the element it is about and an entry in the report (`rules`, `comments`).
//! - Where FIM says nothing the importer fills in a default and lists it (`defaults`);
//!   questions FIM probably marks optional by mistake are listed for review (`review`).
//!
//! The parts share the mapper's state (`mapper`) and call each other in one direction:
//! `steps` → `structure` → `fields` → `options`, `datentyp`.

mod apply;
mod comments;
mod convert;
mod datentyp;
mod defaults;
mod fields;
mod ids;
mod logic;
mod mapper;
mod options;
mod patterns;
mod review;
mod rules;
mod steps;
mod structure;

use std::collections::HashMap;
use std::path::Path;

use form_model::model::{FieldType, Form};

pub use comments::Anchor;

use crate::error::ImportError;
use crate::report::Report;
use crate::xdf::{CodeLists, Schema};
use mapper::text_de;

/// A mapped form with the comments to write next to it.
#[derive(Debug, Clone)]
pub struct Mapped {
    pub form: Form,
    /// Lines (without `# `) above the form's first key.
    pub header: Vec<String>,
    pub comments: HashMap<Anchor, Vec<String>>,
    pub report: Report,
}

/// What the importer is asked for besides the schema.
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    /// The form id; default: a slug of the schema's name.
    pub form_id: Option<String>,
}

/// Maps a parsed schema. Errors are references the importer cannot resolve (code lists).
pub fn map(
    schema: &Schema,
    file: &Path,
    codelists: &CodeLists,
    opts: &MapOptions,
) -> Result<Mapped, Vec<ImportError>> {
    let mut m = mapper::Mapper::new(file, codelists);
    let mut form = m.form(schema, opts.form_id.as_deref());
    m.place_rules(schema, &mut form);
    // A converted rule that made a group's questions required (show-if plus required) leaves
    // them optional no more.
    let required: Vec<&str> = form
        .steps
        .iter()
        .flat_map(|s| s.fields.iter())
        .flat_map(|f| std::iter::once(f).chain(f.fields.iter()))
        .filter(|f| f.required)
        .map(|f| f.id.as_str())
        .collect();
    for ids in m.report.made_optional.values_mut() {
        ids.retain(|id| !required.contains(&id.as_str()));
    }
    m.report.made_optional.retain(|_, ids| !ids.is_empty());
    let review = review::optional_applicant_details(schema, &m.yaml_of);
    m.report.findings.extend(review);
    m.settle_defaults();
    if !m.errors.is_empty() {
        return Err(m.errors);
    }
    m.report.form_id = form.id.clone();
    m.report.steps = form.steps.len();
    for step in &form.steps {
        for f in step.questions() {
            if f.kind == FieldType::Group {
                m.report.groups += 1;
                m.report.questions += f.questions().count();
                m.report.in_groups += f.questions().count();
            } else {
                m.report.questions += 1;
            }
        }
    }
    Ok(Mapped {
        header: header(&form, schema),
        form,
        comments: m.comments.into_lines(),
        report: m.report,
    })
}

/// The lines above the form's first key: what it is, where it comes from, what to do before it
/// is published.
fn header(form: &Form, schema: &Schema) -> Vec<String> {
    vec![
        format!("{} – importiert aus FIM", text_de(&form.title)),
        format!(
            "Quelle: FIM-Stammdatenschema {} Version {} ({}), mit `formfabrik import-fim`.",
            schema.id,
            schema.version,
            schema.xdf.name()
        ),
        "Vor der Veröffentlichung: Import-Bericht lesen, die nicht umgesetzten FIM-Regeln (Kommentare „FIM-Regel … Nicht umgesetzt“) von Hand umsetzen, purpose, legal-basis und retention-days prüfen. FIM liefert nur deutsche Texte; weitere Sprachen gehören in die Texte oder in ein Overlay.".into(),
    ]
}
