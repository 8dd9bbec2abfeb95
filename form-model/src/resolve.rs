//! Catalog form + municipality adaptations = one resolved form per municipality and form.
//! Overlay operations are applied in order; each names its target, and a target that does not
//! exist (for instance after a catalog upgrade) is an error at the operation's position. The
//! same application, run against the newest catalog version, gives the drift report.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostics::{Diagnostic, Diagnostics, FileId, Severity, Sources, suggestion};
use crate::languages;
use crate::load::{LoadedMunicipality, LoadedOverlay, Project};
use crate::model::{Field, Form, Operation, Text};
use crate::positions::{child, item};
use crate::texts::{visit_field_texts, visit_texts};

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

    /// Same as [`ResolvedForm::top_level_field`], under the name submit-fn and inbox still call;
    /// it goes once they call `top_level_field`.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.top_level_field(id)
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
    check_languages(
        &project.sources,
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
    form: &Form,
    languages: &[String],
    municipality: &str,
    origins: &HashMap<String, TextOrigin>,
    diags: &mut Diagnostics,
) {
    visit_texts(form, &mut |key, _, text: &Text| {
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
            format!(
                "add {}: ... to this text, or set it in {municipality}'s overlay",
                missing[0]
            ),
        );
    });
}

/// Applies an overlay's operations in order; returns one diagnostic per operation that cannot
/// be applied (the rest still are).
pub fn apply_overlay(
    sources: &Sources,
    form: &mut Form,
    overlay: &LoadedOverlay,
    origins: &mut HashMap<String, TextOrigin>,
) -> Vec<Diagnostic> {
    let mut diags = Diagnostics::default();
    let file = overlay.file;
    for (i, entry) in overlay.overlay.operations.iter().enumerate() {
        let op_path = item("operations", i);
        let Some(op) = entry.operation() else {
            diags.error_help(
                sources,
                file,
                &op_path,
                "each operation needs exactly one of set, hide, add, set-step, set-form".into(),
                "write one operation per list entry, e.g. - hide: { field: telefon }".into(),
            );
            continue;
        };
        let field_ids: Vec<String> = form.all_fields().map(|f| f.id.clone()).collect();
        let unknown_field = |diags: &mut Diagnostics, path: &str, id: &str, verb: &str| {
            let hint = suggestion(id, field_ids.iter().map(String::as_str));
            diags.error(
                sources,
                file,
                path,
                format!("unknown field \"{id}\" in {verb}{hint}"),
            );
        };
        match op {
            Operation::Set(set) => {
                let path = child(&child(&op_path, "set"), "field");
                let Some(field) = field_mut(form, &set.field) else {
                    unknown_field(&mut diags, &path, &set.field, "set");
                    continue;
                };
                let sp = child(&op_path, "set");
                if let Some(label) = &set.label {
                    field.label = label.clone();
                    origins.insert(
                        format!("field:{}:label", field.id),
                        TextOrigin {
                            file,
                            path: child(&sp, "label"),
                        },
                    );
                }
                if let Some(hint) = &set.hint {
                    field.hint = Some(hint.clone());
                    origins.insert(
                        format!("field:{}:hint", field.id),
                        TextOrigin {
                            file,
                            path: child(&sp, "hint"),
                        },
                    );
                }
                if let Some(required) = set.required {
                    if field.locked && !required {
                        diags.error_help(
                            sources,
                            file,
                            &child(&sp, "required"),
                            format!(
                                "field \"{}\" is locked (legally required) and cannot be made optional",
                                field.id
                            ),
                            "remove \"required: false\"".into(),
                        );
                    } else {
                        field.required = required;
                    }
                }
                for (value, label) in &set.option_labels {
                    let lp = child(&child(&sp, "option-labels"), value);
                    match field.options.iter_mut().find(|o| &o.value == value) {
                        Some(option) => {
                            option.label = label.clone();
                            origins.insert(
                                format!("field:{}:option:{value}:label", field.id),
                                TextOrigin { file, path: lp },
                            );
                        }
                        None => {
                            let hint =
                                suggestion(value, field.options.iter().map(|o| o.value.as_str()));
                            diags.error_at_key(
                                sources,
                                file,
                                &lp,
                                format!("field \"{}\" has no option \"{value}\"{hint}", field.id),
                            );
                        }
                    }
                }
            }
            Operation::Hide(hide) => {
                let path = child(&child(&op_path, "hide"), "field");
                let Some(field) = form.find(&hide.field) else {
                    unknown_field(&mut diags, &path, &hide.field, "hide");
                    continue;
                };
                if field.locked {
                    diags.error_help(
                        sources,
                        file,
                        &path,
                        format!("field \"{}\" is locked (legally required) and cannot be hidden", hide.field),
                        "remove this operation; a locked field's texts can still be changed with set".into(),
                    );
                    continue;
                }
                if field.required {
                    diags.error_help(
                        sources,
                        file,
                        &path,
                        format!("field \"{}\" is required and cannot be hidden", hide.field),
                        format!(
                            "first make it optional with set: {{ field: {}, required: false }}",
                            hide.field
                        ),
                    );
                    continue;
                }
                if let Some(user) = users_of(form, &hide.field) {
                    diags.error(
                        sources,
                        file,
                        &path,
                        format!(
                            "field \"{}\" cannot be hidden: {user} depends on it",
                            hide.field
                        ),
                    );
                    continue;
                }
                for step in &mut form.steps {
                    step.fields.retain(|f| f.id != hide.field);
                    for group in &mut step.fields {
                        group.fields.retain(|f| f.id != hide.field);
                    }
                }
            }
            Operation::Add(add) => {
                let ap = child(&op_path, "add");
                if form.find(&add.field.id).is_some() {
                    diags.error(
                        sources,
                        file,
                        &child(&child(&ap, "field"), "id"),
                        format!(
                            "the form already has a field \"{}\"; choose another id",
                            add.field.id
                        ),
                    );
                    continue;
                }
                let Some((si, fi, inside)) = position_of(form, &add.after) else {
                    unknown_field(&mut diags, &child(&ap, "after"), &add.after, "add after");
                    continue;
                };
                let field_path = child(&ap, "field");
                if inside.is_some()
                    && (add.field.kind == crate::model::FieldType::Group
                        || add.field.show_if.is_some())
                {
                    diags.error_help(
                        sources,
                        file,
                        &field_path,
                        format!(
                            "\"{}\" is inside a group; a question added there cannot be a group or have a condition",
                            add.after
                        ),
                        "add it after a question outside the group instead".into(),
                    );
                    continue;
                }
                let earlier: Vec<&Field> = form
                    .steps
                    .iter()
                    .enumerate()
                    .flat_map(|(s, step)| {
                        step.fields
                            .iter()
                            .enumerate()
                            .filter(move |(f, _)| s < si || (s == si && *f <= fi))
                            .map(|(_, field)| field)
                    })
                    .collect();
                let all_ids: Vec<&str> = field_ids.iter().map(String::as_str).collect();
                let before = diags.errors();
                crate::lint::lint_field_in(
                    sources,
                    file,
                    &mut diags,
                    &add.field,
                    &field_path,
                    &earlier,
                    &all_ids,
                );
                if diags.errors() > before {
                    continue;
                }
                visit_field_texts(&add.field, &field_path, &mut |key, path, _| {
                    origins.insert(key, TextOrigin { file, path });
                });
                match inside {
                    // After a question inside a group: the new question joins the group.
                    Some(ci) => form.steps[si].fields[fi]
                        .fields
                        .insert(ci + 1, add.field.clone()),
                    None => form.steps[si].fields.insert(fi + 1, add.field.clone()),
                }
            }
            Operation::SetStep(set) => {
                let sp = child(&op_path, "set-step");
                let step_ids: Vec<String> = form.steps.iter().map(|s| s.id.clone()).collect();
                let Some(step) = form.steps.iter_mut().find(|s| s.id == set.step) else {
                    let hint = suggestion(&set.step, step_ids.iter().map(String::as_str));
                    diags.error(
                        sources,
                        file,
                        &child(&sp, "step"),
                        format!("unknown step \"{}\" in set-step{hint}", set.step),
                    );
                    continue;
                };
                if let Some(title) = &set.title {
                    step.title = title.clone();
                    origins.insert(
                        format!("step:{}:title", step.id),
                        TextOrigin {
                            file,
                            path: child(&sp, "title"),
                        },
                    );
                }
                if let Some(intro) = &set.intro {
                    step.intro = Some(intro.clone());
                    origins.insert(
                        format!("step:{}:intro", step.id),
                        TextOrigin {
                            file,
                            path: child(&sp, "intro"),
                        },
                    );
                }
            }
            Operation::SetForm(set) => {
                let sp = child(&op_path, "set-form");
                if let Some(title) = &set.title {
                    form.title = title.clone();
                    origins.insert(
                        "title".into(),
                        TextOrigin {
                            file,
                            path: child(&sp, "title"),
                        },
                    );
                }
                if let Some(intro) = &set.intro {
                    form.intro = Some(intro.clone());
                    origins.insert(
                        "intro".into(),
                        TextOrigin {
                            file,
                            path: child(&sp, "intro"),
                        },
                    );
                }
                if let Some(recipients) = &set.recipients {
                    form.recipients = Some(recipients.clone());
                    origins.insert(
                        "recipients".into(),
                        TextOrigin {
                            file,
                            path: child(&sp, "recipients"),
                        },
                    );
                }
            }
        }
    }
    diags.items
}

/// A field anywhere in the form, inside groups too.
fn field_mut<'a>(form: &'a mut Form, id: &str) -> Option<&'a mut Field> {
    form.steps
        .iter_mut()
        .flat_map(|s| s.fields.iter_mut())
        .flat_map(|f| {
            if f.id == id {
                vec![f]
            } else {
                f.fields.iter_mut().filter(|c| c.id == id).collect()
            }
        })
        .next()
}

/// Step and field index of `id`; for a question inside a group also its index in the group.
fn position_of(form: &Form, id: &str) -> Option<(usize, usize, Option<usize>)> {
    form.steps.iter().enumerate().find_map(|(si, s)| {
        s.fields.iter().enumerate().find_map(|(fi, f)| {
            if f.id == id {
                Some((si, fi, None))
            } else {
                f.fields
                    .iter()
                    .position(|c| c.id == id)
                    .map(|ci| (si, fi, Some(ci)))
            }
        })
    })
}

/// Names what would break if field `id` disappeared (a condition or a fee using it).
fn users_of(form: &Form, id: &str) -> Option<String> {
    let mut refs = Vec::new();
    for step in &form.steps {
        if let Some(c) = &step.show_if {
            refs.clear();
            c.references("", &mut refs);
            if refs.iter().any(|(f, _)| f == id) {
                return Some(format!("the condition of step \"{}\"", step.id));
            }
        }
        for field in &step.fields {
            if let Some(c) = &field.show_if {
                refs.clear();
                c.references("", &mut refs);
                if refs.iter().any(|(f, _)| f == id) {
                    return Some(format!("the condition of field \"{}\"", field.id));
                }
            }
        }
    }
    form.fees
        .iter()
        .find(|f| f.per.as_deref() == Some(id))
        .map(|f| format!("fee \"{}\"", f.id))
}

/// How one municipality's adaptations stand against the newest catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub municipality: String,
    pub forms: Vec<FormDrift>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormDrift {
    pub form: String,
    pub pinned: u32,
    pub latest: u32,
    /// Where the `use:` line is.
    pub at: Diagnostic,
    /// Number of overlay operations and fee overrides (how far it diverges from the catalog).
    pub adaptations: usize,
    /// Overlay operations that would fail on the newest version.
    pub breaks: Vec<Diagnostic>,
}

impl FormDrift {
    pub fn is_outdated(&self) -> bool {
        self.pinned < self.latest
    }
}

/// The drift report: per municipality, which forms it pins below the newest catalog version and
/// which of its overlay operations would break on that version.
pub fn drift(project: &Project) -> Vec<Drift> {
    project
        .municipalities
        .iter()
        .map(|m| Drift {
            municipality: m.config.id.clone(),
            forms: m
                .config
                .forms
                .iter()
                .enumerate()
                .filter_map(|(i, form_use)| {
                    let (id, version) = form_use.form_and_version()?;
                    let latest = project.latest(id)?;
                    let overlay = m.overlays.get(&i);
                    let breaks = match overlay {
                        Some(o) if latest.form.version != version => {
                            let mut form = latest.form.clone();
                            let mut origins = HashMap::new();
                            apply_overlay(&project.sources, &mut form, o, &mut origins)
                        }
                        _ => Vec::new(),
                    };
                    let mut at = Diagnostics::default();
                    at.push_at(
                        &project.sources,
                        m.file,
                        project
                            .sources
                            .pos(m.file, &child(&item("forms", i), "use")),
                        Severity::Warning,
                        format!(
                            "{} pins {id}@{version}; the catalog's newest is {id}@{}",
                            m.config.id, latest.form.version
                        ),
                        None,
                    );
                    Some(FormDrift {
                        form: id.to_string(),
                        pinned: version,
                        latest: latest.form.version,
                        at: at.items.remove(0),
                        adaptations: overlay.map_or(0, |o| o.overlay.operations.len())
                            + form_use.fees.len(),
                        breaks,
                    })
                })
                .collect(),
        })
        .collect()
}
