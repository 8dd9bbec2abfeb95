//! The keys by which a catalog question leaves something to the municipality: `options-from`
//! (radios, select, checkboxes: instead of `options`), `within` (an address or postcode: the
//! area; a date: the window, instead of `min` and `max`), and `area`, which only resolve
//! writes. Each parameter name is used one way in a form, because a municipality gives one
//! value per name.

use std::collections::HashMap;

use crate::model::{FieldType, Form, ParameterUse};
use crate::msg;
use crate::positions::{child, item};

use super::linter::{Linter, slug};

/// Reports the parameter keys of `field` (at `fp`) that do not fit it.
pub(super) fn parameter_keys(cx: &mut Linter, field: &crate::model::Field, fp: &str) {
    let kind = field.kind;
    if field.options_from.is_some() && !kind.has_options() {
        cx.error_help(
            &child(fp, "options-from"),
            msg!("key-not-for-type", key = "options-from", kind = kind.name()),
            msg!(
                "key-not-for-type-help",
                key = "options-from",
                allowed = msg!("for-options")
            ),
        );
    }
    let within_ok = matches!(
        kind,
        FieldType::Address | FieldType::Postcode | FieldType::Date
    );
    if field.within.is_some() && !within_ok {
        cx.error_help(
            &child(fp, "within"),
            msg!("key-not-for-type", key = "within", kind = kind.name()),
            msg!(
                "key-not-for-type-help",
                key = "within",
                allowed = msg!("for-within")
            ),
        );
    }
    for (key, name) in [
        ("options-from", &field.options_from),
        ("within", &field.within),
    ] {
        if let Some(name) = name {
            slug(cx, &child(fp, key), name, msg!("id-parameter"));
        }
    }
    if field.options_from.is_some() && !field.options.is_empty() {
        cx.error_help(
            &child(fp, "options"),
            msg!("options-from-with-options", id = &field.id),
            msg!("options-from-with-options-help"),
        );
    }
    if kind == FieldType::Date && field.within.is_some() {
        for (key, bound) in [("min", &field.min), ("max", &field.max)] {
            if bound.is_some() {
                cx.error_help(
                    &child(fp, key),
                    msg!("within-with-bounds", id = &field.id, key = key),
                    msg!("within-with-bounds-help"),
                );
            }
        }
    }
    if field.area.is_some() {
        cx.error_help(
            &child(fp, "area"),
            msg!("area-written"),
            msg!("area-written-help"),
        );
    }
}

/// Each parameter name is used for one thing in the form (options, an area or a window).
pub(super) fn used_one_way(cx: &mut Linter, form: &Form) {
    let mut first: HashMap<String, (String, ParameterUse)> = HashMap::new();
    for (si, step) in form.steps.iter().enumerate() {
        for (fi, field) in step.fields.iter().enumerate() {
            let fp = item(&child(&item("steps", si), "fields"), fi);
            let inner = field
                .fields
                .iter()
                .enumerate()
                .map(|(ci, c)| (c, item(&child(&fp, "fields"), ci)));
            for (f, path) in std::iter::once((field, fp.clone())).chain(inner) {
                let Some((name, use_)) = ParameterUse::of(f) else {
                    continue;
                };
                let key = match use_ {
                    ParameterUse::Options => "options-from",
                    _ => "within",
                };
                match first.get(name) {
                    Some((id, earlier)) if *earlier != use_ => cx.error(
                        &child(&path, key),
                        msg!(
                            "parameter-used-two-ways",
                            name = name,
                            first = id,
                            other = earlier.words()
                        ),
                    ),
                    Some(_) => {}
                    None => {
                        first.insert(name.to_string(), (f.id.clone(), use_));
                    }
                }
            }
        }
    }
}
