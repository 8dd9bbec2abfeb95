//! What each field type requires of its own keys: the bounds of number and date fields (and of
//! groups with date parts), the media types and size of file fields, and answer options.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::ids;
use crate::model::{Bound, Field, FieldType};
use crate::msg;
use crate::positions::{child, item};
use crate::rules::DateExpr;

use super::linter::Linter;

static MEDIA_TYPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z]+/([a-z0-9][a-z0-9.+\-]*|\*)$").unwrap());

/// Checks the keys that belong to the type of `field` (at `fp`).
pub(super) fn type_specific(cx: &mut Linter, field: &Field, fp: &str) {
    let kind = field.kind;
    let t = kind.name();
    match kind {
        FieldType::Number => {
            let number = |cx: &mut Linter, key: &str, b: &Option<Bound>| match b {
                Some(Bound::Number(n)) => Some(*n),
                Some(Bound::Text(s)) => {
                    cx.error(
                        &child(fp, key),
                        msg!("number-bound-not-a-number", key = key, value = s),
                    );
                    None
                }
                None => None,
            };
            let min = number(cx, "min", &field.min);
            let max = number(cx, "max", &field.max);
            if let (Some(min), Some(max)) = (min, max)
                && min > max
            {
                cx.error(
                    &child(fp, "min"),
                    msg!(
                        "min-above-max",
                        min = min.to_string(),
                        max = max.to_string()
                    ),
                );
            }
            if let Some(step) = field.step
                && !(step > 0.0 && step.is_finite())
            {
                cx.error(&child(fp, "step"), msg!("step-not-positive"));
            }
        }
        FieldType::Date | FieldType::Group
            if kind == FieldType::Date || field.date_parts.is_some() =>
        {
            let date = |cx: &mut Linter, key: &str, b: &Option<Bound>| match b {
                Some(Bound::Text(s)) => match DateExpr::parse(s) {
                    Some(d) => Some(d),
                    None => {
                        cx.error_help(
                            &child(fp, key),
                            msg!("not-a-date", value = s),
                            msg!("date-bound-help"),
                        );
                        None
                    }
                },
                Some(Bound::Number(n)) => {
                    cx.error_help(
                        &child(fp, key),
                        msg!("not-a-date", value = n.to_string()),
                        msg!("date-bound-help"),
                    );
                    None
                }
                None => None,
            };
            let min = date(cx, "min", &field.min);
            let max = date(cx, "max", &field.max);
            if let (Some(min), Some(max)) = (min, max) {
                let reference = time::macros::date!(2000 - 01 - 01);
                if min.on(reference) > max.on(reference) {
                    cx.error(&child(fp, "min"), msg!("date-min-after-max"));
                }
            }
        }
        FieldType::File => {
            if field.accept.is_empty() {
                cx.error_help(
                    fp,
                    msg!("file-needs-key", id = &field.id, key = "accept"),
                    msg!("file-needs-accept-help"),
                );
            }
            for (i, media) in field.accept.iter().enumerate() {
                if !MEDIA_TYPE.is_match(media) {
                    cx.error(
                        &item(&child(fp, "accept"), i),
                        msg!("not-a-media-type", value = media),
                    );
                }
            }
            match field.max_size_mb {
                None => cx.error_help(
                    fp,
                    msg!("file-needs-key", id = &field.id, key = "max-size-mb"),
                    msg!("file-needs-max-size-help"),
                ),
                Some(mb) if !(mb > 0.0 && mb.is_finite()) => {
                    cx.error(&child(fp, "max-size-mb"), msg!("max-size-not-positive"))
                }
                _ => {}
            }
        }
        _ => {}
    }
    if kind.has_options() {
        // With `options-from` the municipality gives them (checked at resolve).
        if field.options.is_empty() && field.options_from.is_none() {
            cx.error_help(
                fp,
                msg!("options-missing", id = &field.id, kind = t),
                msg!("options-missing-help"),
            );
        }
        if kind == FieldType::Radios && field.options.len() == 1 {
            cx.error_help(
                &child(fp, "options"),
                msg!("radios-one-option"),
                msg!("radios-one-option-help"),
            );
        }
        let mut values: HashMap<&str, usize> = HashMap::new();
        for (i, option) in field.options.iter().enumerate() {
            let vp = child(&item(&child(fp, "options"), i), "value");
            if !ids::is_option_value(&option.value) {
                cx.error(&vp, msg!("option-value-not-allowed", value = &option.value));
            }
            if let Some(first) = values.insert(&option.value, i) {
                cx.error(
                    &vp,
                    msg!("option-twice", value = &option.value, first = first + 1),
                );
            }
        }
        let n = field.options.len() as u32;
        if let Some(min) = field.min_selected
            && min > n
        {
            cx.error(
                &child(fp, "min-selected"),
                msg!("min-selected-above-options", min = min, n = n),
            );
        }
        if let (Some(min), Some(max)) = (field.min_selected, field.max_selected)
            && min > max
        {
            cx.error(
                &child(fp, "min-selected"),
                msg!("min-selected-above-max", min = min, max = max),
            );
        }
    }
}
