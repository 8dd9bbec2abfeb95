//! Applying an overlay: a municipality's operations (set, hide, add, set-step, set-form) on a
//! catalog form, in order, each reported at its own position when its target is not there.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Diagnostics, Sources, suggestion};
use crate::load::LoadedOverlay;
use crate::model::{AddField, Field, Form, Operation, Placement};
use crate::msg;
use crate::msg::Msg;
use crate::positions::{child, item};
use crate::texts::visit_field_texts;

use super::TextOrigin;

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
                msg!("operation-shape"),
                msg!("operation-shape-help"),
            );
            continue;
        };
        let field_ids: Vec<String> = form.all_elements().map(|f| f.id.clone()).collect();
        let unknown_field = |diags: &mut Diagnostics, path: &str, id: &str, verb: &str| {
            let hint = suggestion(id, field_ids.iter().map(String::as_str));
            diags.error(
                sources,
                file,
                path,
                msg!("unknown-field-in", id = id, key = verb, hint = hint),
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
                            msg!("locked-optional", id = &field.id),
                            msg!("locked-optional-help"),
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
                                msg!("no-such-option", id = &field.id, value = value, hint = hint),
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
                        msg!("locked-hidden", id = &hide.field),
                        msg!("locked-hidden-help"),
                    );
                    continue;
                }
                if field.required {
                    diags.error_help(
                        sources,
                        file,
                        &path,
                        msg!("required-hidden", id = &hide.field),
                        msg!("required-hidden-help", id = &hide.field),
                    );
                    continue;
                }
                if let Some(user) = users_of(form, &hide.field) {
                    diags.error(
                        sources,
                        file,
                        &path,
                        msg!("used-hidden", id = &hide.field, user = user),
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
                        msg!("added-id-taken", id = &add.field.id),
                    );
                    continue;
                }
                let Some(slot) = slot_for(form, add) else {
                    match add.placement() {
                        None => diags.error_help(
                            sources,
                            file,
                            &ap,
                            msg!("add-placement"),
                            msg!("add-placement-help"),
                        ),
                        Some(Placement::After(id)) => {
                            unknown_field(&mut diags, &child(&ap, "after"), id, "add after")
                        }
                        Some(Placement::Before(id)) => {
                            unknown_field(&mut diags, &child(&ap, "before"), id, "add before")
                        }
                        Some(Placement::FirstIn(id)) => {
                            let steps = form.steps.iter().map(|s| s.id.as_str());
                            let hint = suggestion(id, steps);
                            diags.error(
                                sources,
                                file,
                                &child(&ap, "first-in"),
                                msg!(
                                    "unknown-step-in",
                                    id = id,
                                    key = "add first-in",
                                    hint = hint
                                ),
                            );
                        }
                    }
                    continue;
                };
                let (si, at, inside) = (slot.step, slot.at, slot.in_group);
                let field_path = child(&ap, "field");
                if inside.is_some()
                    && (add.field.kind == crate::model::FieldType::Group
                        || add.field.show_if.is_some())
                {
                    diags.error_help(
                        sources,
                        file,
                        &field_path,
                        msg!("added-in-group", id = slot.target),
                        msg!("added-in-group-help"),
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
                            .filter(move |(f, _)| s < si || (s == si && *f < at))
                            .map(|(_, field)| field)
                    })
                    .collect();
                let all_ids = crate::lint::Ids::of(form);
                let tops: Vec<&Field> = form.fields().collect();
                let before = diags.errors();
                crate::lint::lint_field_in(
                    sources,
                    file,
                    &mut diags,
                    &add.field,
                    &field_path,
                    &earlier,
                    &tops,
                    &all_ids,
                );
                if diags.errors() > before {
                    continue;
                }
                visit_field_texts(&add.field, &field_path, &mut |key, path, _| {
                    origins.insert(key, TextOrigin { file, path });
                });
                match inside {
                    // Next to a question inside a group: the new question joins the group.
                    Some((gi, ci)) => form.steps[si].fields[gi]
                        .fields
                        .insert(ci, add.field.clone()),
                    None => form.steps[si].fields.insert(at, add.field.clone()),
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
                        msg!("unknown-step", id = &set.step, hint = hint),
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
                if let Some(mandate) = &set.sepa_mandate {
                    let mp = child(&sp, "sepa-mandate");
                    for (key, message) in crate::lint::mandate_problems(form, mandate) {
                        diags.error(sources, file, &child(&mp, key), message);
                    }
                    form.sepa_mandate = Some(mandate.clone());
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

/// Where an `add` inserts its question: the step, the index among the step's fields (for a
/// question joining a group: just after the group, for the conditions it may name), and for a
/// question joining a group the group's index and the index among its fields.
struct Slot<'a> {
    /// The question or step named.
    target: &'a str,
    step: usize,
    at: usize,
    in_group: Option<(usize, usize)>,
}

/// The slot `add` names, or `None` when it names no place, or one that is not there.
fn slot_for<'a>(form: &Form, add: &'a AddField) -> Option<Slot<'a>> {
    let (id, offset) = match add.placement()? {
        Placement::FirstIn(step_id) => {
            let step = form.steps.iter().position(|s| s.id == step_id)?;
            return Some(Slot {
                target: step_id,
                step,
                at: 0,
                in_group: None,
            });
        }
        Placement::After(id) => (id, 1),
        Placement::Before(id) => (id, 0),
    };
    let (si, fi, inside) = position_of(form, id)?;
    Some(match inside {
        None => Slot {
            target: id,
            step: si,
            at: fi + offset,
            in_group: None,
        },
        Some(ci) => Slot {
            target: id,
            step: si,
            at: fi + 1,
            in_group: Some((fi, ci + offset)),
        },
    })
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
fn users_of(form: &Form, id: &str) -> Option<Msg> {
    let mut refs = Vec::new();
    for step in &form.steps {
        if let Some(c) = &step.show_if {
            refs.clear();
            c.references("", &mut refs);
            if refs.iter().any(|(f, _)| f == id) {
                return Some(msg!("user-step-condition", id = &step.id));
            }
        }
        for field in &step.fields {
            if let Some(c) = &field.show_if {
                refs.clear();
                c.references("", &mut refs);
                if refs.iter().any(|(f, _)| f == id) {
                    return Some(msg!("user-field-condition", id = &field.id));
                }
            }
        }
    }
    form.fees
        .iter()
        .find(|f| f.per.as_deref() == Some(id))
        .map(|f| msg!("user-fee", id = &f.id))
}
