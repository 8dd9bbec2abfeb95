//! What each field type requires of its own keys: the bounds of number and date fields (and of
//! groups with date parts), the media types and size of file fields, and answer options.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::ids;
use crate::model::{Bound, Field, FieldType};
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
                        format!("{key} of a number field must be a number, not \"{s}\""),
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
                    format!("min {min} is greater than max {max}"),
                );
            }
            if let Some(step) = field.step
                && !(step > 0.0 && step.is_finite())
            {
                cx.error(&child(fp, "step"), "step must be greater than 0".into());
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
                            format!("\"{s}\" is not a date"),
                            "write a date as 2026-01-31, or relative to the day of submission as today, today-18y, today+14d or today-6m",
                        );
                        None
                    }
                },
                Some(Bound::Number(n)) => {
                    cx.error_help(
                        &child(fp, key),
                        format!("\"{n}\" is not a date"),
                        "write a date as 2026-01-31, or relative to the day of submission as today, today-18y, today+14d or today-6m",
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
                    cx.error(
                        &child(fp, "min"),
                        "the earliest date (min) is after the latest date (max)".into(),
                    );
                }
            }
        }
        FieldType::File => {
            if field.accept.is_empty() {
                cx.error_help(
                    fp,
                    format!("file field \"{}\" needs \"accept\"", field.id),
                    "list the media types citizens may upload, e.g. accept: [application/pdf, image/jpeg]",
                );
            }
            for (i, media) in field.accept.iter().enumerate() {
                if !MEDIA_TYPE.is_match(media) {
                    cx.error(
                        &item(&child(fp, "accept"), i),
                        format!("\"{media}\" is not a media type like application/pdf or image/*"),
                    );
                }
            }
            match field.max_size_mb {
                None => cx.error_help(
                    fp,
                    format!("file field \"{}\" needs \"max-size-mb\"", field.id),
                    "add max-size-mb: 5 (the function accepts at most 6 MB per submission)",
                ),
                Some(mb) if !(mb > 0.0 && mb.is_finite()) => cx.error(
                    &child(fp, "max-size-mb"),
                    "max-size-mb must be greater than 0".into(),
                ),
                _ => {}
            }
        }
        _ => {}
    }
    if kind.has_options() {
        if field.options.is_empty() {
            cx.error_help(
                fp,
                format!("{t} field \"{}\" needs options", field.id),
                "add options: [ { value: ja, label: { de: Ja, en: Yes } }, ... ]",
            );
        }
        if kind == FieldType::Radios && field.options.len() == 1 {
            cx.error_help(
                &child(fp, "options"),
                "radios need at least two options".into(),
                "for a single box to tick (a declaration) use type: checkboxes",
            );
        }
        let mut values: HashMap<&str, usize> = HashMap::new();
        for (i, option) in field.options.iter().enumerate() {
            let vp = child(&item(&child(fp, "options"), i), "value");
            if !ids::is_option_value(&option.value) {
                cx.error(
                    &vp,
                    format!(
                        "option value \"{}\" may only contain letters a-z, A-Z, digits, \"-\" and \"_\"",
                        option.value
                    ),
                );
            }
            if let Some(first) = values.insert(&option.value, i) {
                cx.error(
                    &vp,
                    format!(
                        "option \"{}\" is listed twice (also option {} of this field)",
                        option.value,
                        first + 1
                    ),
                );
            }
        }
        let n = field.options.len() as u32;
        if let Some(min) = field.min_selected
            && min > n
        {
            cx.error(
                &child(fp, "min-selected"),
                format!("min-selected is {min}, but there are only {n} options"),
            );
        }
        if let (Some(min), Some(max)) = (field.min_selected, field.max_selected)
            && min > max
        {
            cx.error(
                &child(fp, "min-selected"),
                format!("min-selected {min} is greater than max-selected {max}"),
            );
        }
    }
}
