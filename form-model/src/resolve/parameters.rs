//! A municipality's values of what a catalog form leaves to it (`options-from`, `within`):
//! looked up in the overlay, then in `municipality.yaml`, checked against how the form uses
//! them, and written into the form being resolved — the options into the question, the area
//! into `area`, the date window into `min` and `max` — so the page, the JSON Schema and the
//! function's validation see one resolved form and nothing else. A parameter no one supplied
//! is an error at the municipality's `use:` line that names it.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Diagnostics, FileId, Sources, suggestion};
use crate::ids;
use crate::load::{LoadedMunicipality, LoadedOverlay, Project};
use crate::model::{Area, Bound, Field, FieldType, Form, ParameterUse, ParameterValue};
use crate::msg;
use crate::positions::{child, item};
use crate::rules::{DateExpr, is_valid_postcode};
use crate::texts::visit_field_texts;

use super::TextOrigin;

/// Whether `form` names any parameter (then its texts differ per municipality).
pub(super) fn uses_parameters(form: &Form) -> bool {
    form.all_fields().any(|f| ParameterUse::of(f).is_some())
}

/// One value as found: in which file, at which path.
struct Found<'a> {
    value: &'a ParameterValue,
    file: FileId,
    path: String,
    /// Whether its own shape (postcodes, options, dates) is checked here: an overlay's always,
    /// `municipality.yaml`'s only for the first form entry that uses it (once per file).
    lint_shape: bool,
}

/// Writes the values of every parameter `form` uses into it; reports what is missing or does
/// not fit. `index` is the form entry of `m` being resolved.
pub(super) fn apply_parameters(
    project: &Project,
    m: &LoadedMunicipality,
    index: usize,
    overlay: Option<&LoadedOverlay>,
    form: &mut Form,
    origins: &mut HashMap<String, TextOrigin>,
    diags: &mut Diagnostics,
) {
    let mut reported: HashSet<String> = HashSet::new();
    for step in &mut form.steps {
        for field in &mut step.fields {
            // A group's questions may name parameters; a group itself names none.
            if field.kind == FieldType::Group {
                for c in &mut field.fields {
                    apply_one(project, m, index, overlay, c, origins, &mut reported, diags);
                }
            } else {
                apply_one(
                    project,
                    m,
                    index,
                    overlay,
                    field,
                    origins,
                    &mut reported,
                    diags,
                );
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn apply_one(
    project: &Project,
    m: &LoadedMunicipality,
    index: usize,
    overlay: Option<&LoadedOverlay>,
    field: &mut Field,
    origins: &mut HashMap<String, TextOrigin>,
    reported: &mut HashSet<String>,
    diags: &mut Diagnostics,
) {
    let Some((name, use_)) = ParameterUse::of(field) else {
        return;
    };
    let name = name.to_string();
    let sources = &project.sources;
    let found = overlay
        .and_then(|o| {
            o.overlay.parameters.get(&name).map(|value| Found {
                value,
                file: o.file,
                path: child("parameters", &name),
                lint_shape: true,
            })
        })
        .or_else(|| {
            m.config.parameters.get(&name).map(|value| Found {
                value,
                file: m.file,
                path: child("parameters", &name),
                lint_shape: first_user(project, m, &name) == Some(index),
            })
        });
    let Some(found) = found else {
        if reported.insert(name.clone()) {
            let supplied = m
                .config
                .parameters
                .keys()
                .chain(
                    overlay
                        .into_iter()
                        .flat_map(|o| o.overlay.parameters.keys()),
                )
                .map(String::as_str);
            let hint = suggestion(&name, supplied);
            diags.error_help(
                sources,
                m.file,
                &child(&item("forms", index), "use"),
                msg!(
                    "parameter-missing",
                    municipality = &m.config.id,
                    name = &name,
                    id = &field.id,
                    uses = use_.words(),
                    hint = hint
                ),
                msg!(
                    "parameter-missing-help",
                    name = &name,
                    keys = use_.keys().join(", ")
                ),
            );
        }
        return;
    };
    let first_time = reported.insert(name.clone());
    let value = found.value;
    let fits = use_.keys();
    if first_time {
        for key in value.keys().into_iter().filter(|k| !fits.contains(k)) {
            diags.error_help(
                sources,
                found.file,
                &child(&found.path, key),
                msg!(
                    "parameter-key-not-for-use",
                    name = &name,
                    key = key,
                    id = &field.id,
                    uses = use_.words()
                ),
                msg!("parameter-keys-for-use", keys = fits.join(", ")),
            );
        }
    }
    let needs_postcodes = field.kind == FieldType::Postcode;
    let empty = match use_ {
        ParameterUse::Options => value.options.is_empty(),
        ParameterUse::Area if needs_postcodes => value.postcodes.is_empty(),
        ParameterUse::Area => value.postcodes.is_empty() && value.streets.is_empty(),
        ParameterUse::DateWindow => value.from.is_none() && value.to.is_none(),
    };
    if empty {
        let keys = if needs_postcodes {
            "postcodes".to_string()
        } else {
            fits.join(", ")
        };
        diags.error_help(
            sources,
            found.file,
            &found.path,
            msg!(
                "parameter-empty-for-use",
                name = &name,
                id = &field.id,
                uses = use_.words()
            ),
            msg!("parameter-keys-for-use", keys = keys),
        );
        return;
    }
    let before = diags.errors();
    if found.lint_shape && first_time {
        lint_shape(sources, &found, field.kind, diags);
    }
    if diags.errors() > before {
        return;
    }
    match use_ {
        ParameterUse::Options => {
            field.options = value.options.clone();
            // The labels are the municipality's: a missing translation is reported there.
            let id = field.id.clone();
            let mut texts = Vec::new();
            visit_field_texts(field, "", &mut |key, _, _| texts.push(key));
            for (oi, option) in value.options.iter().enumerate() {
                let op = item(&child(&found.path, "options"), oi);
                for (part, present) in [("label", true), ("hint", option.hint.is_some())] {
                    let key = format!("field:{id}:option:{}:{part}", option.value);
                    if present && texts.contains(&key) {
                        origins.insert(
                            key,
                            TextOrigin {
                                file: found.file,
                                path: child(&op, part),
                            },
                        );
                    }
                }
            }
        }
        ParameterUse::Area => {
            field.area = Some(Area {
                postcodes: value.postcodes.clone(),
                streets: if field.kind == FieldType::Address {
                    value.streets.clone()
                } else {
                    Vec::new()
                },
            });
        }
        ParameterUse::DateWindow => {
            field.min = value.from.clone().map(Bound::Text);
            field.max = value.to.clone().map(Bound::Text);
        }
    }
}

/// The first form entry of `m` whose catalog form uses parameter `name`.
fn first_user(project: &Project, m: &LoadedMunicipality, name: &str) -> Option<usize> {
    m.config.forms.iter().position(|use_| {
        use_.form_and_version()
            .and_then(|(id, version)| project.form(id, version))
            .is_some_and(|c| {
                c.form
                    .all_fields()
                    .any(|f| ParameterUse::of(f).is_some_and(|(n, _)| n == name))
            })
    })
}

/// The value's own shape: options with good, distinct values (at least two for radios),
/// postcodes of five digits, dates written as date bounds and in order.
fn lint_shape(sources: &Sources, found: &Found, kind: FieldType, diags: &mut Diagnostics) {
    let (value, file, path) = (found.value, found.file, &found.path);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, option) in value.options.iter().enumerate() {
        let vp = child(&item(&child(path, "options"), i), "value");
        if !ids::is_option_value(&option.value) {
            diags.error(
                sources,
                file,
                &vp,
                msg!("option-value-not-allowed", value = &option.value),
            );
        }
        if let Some(first) = seen.insert(&option.value, i) {
            diags.error(
                sources,
                file,
                &vp,
                msg!("option-twice", value = &option.value, first = first + 1),
            );
        }
    }
    if kind == FieldType::Radios && value.options.len() == 1 {
        diags.error_help(
            sources,
            file,
            &child(path, "options"),
            msg!("radios-one-option"),
            msg!("radios-one-option-help"),
        );
    }
    for (i, postcode) in value.postcodes.iter().enumerate() {
        if !is_valid_postcode(postcode) {
            diags.error(
                sources,
                file,
                &item(&child(path, "postcodes"), i),
                msg!("parameter-postcode-not-5-digits", value = postcode),
            );
        }
    }
    let mut bounds = Vec::new();
    for (key, written) in [("from", &value.from), ("to", &value.to)] {
        let Some(written) = written else { continue };
        match DateExpr::parse(written) {
            Some(expr) => bounds.push(expr),
            None => diags.error_help(
                sources,
                file,
                &child(path, key),
                msg!("not-a-date", value = written),
                msg!("date-bound-help"),
            ),
        }
    }
    if let [DateExpr::Fixed(from), DateExpr::Fixed(to)] = bounds[..]
        && from > to
    {
        diags.error(
            sources,
            file,
            &child(path, "to"),
            msg!("parameter-window-reversed"),
        );
    }
}
