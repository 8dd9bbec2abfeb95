//! The lint of one question: its id, lengths, pattern and condition, with what its type
//! requires (`field_type`), the keys its type does not take (`field_keys`) and, for a group,
//! the questions inside it.

use crate::diagnostics::{Diagnostics, FileId, Sources};
use crate::model::{Field, FieldType};
use crate::msg;
use crate::positions::{child, item};

use super::condition::{Ids, lint_condition};
use super::linter::{Linter, slug};
use super::{accessibility, field_keys, field_type, parameters, pattern, text_block};

/// Lints one field. `earlier` are the fields before it (a `show-if` may only refer to those),
/// `all` every top-level field (a `required-if` may name any); `all_ids` every field id of the
/// form (for suggestions).
#[allow(clippy::too_many_arguments)]
pub(crate) fn lint_field_in(
    sources: &Sources,
    file: FileId,
    diags: &mut Diagnostics,
    field: &Field,
    path: &str,
    earlier: &[&Field],
    all: &[&Field],
    all_ids: &Ids,
) {
    let mut cx = Linter {
        sources,
        file,
        diags,
    };
    lint_field(&mut cx, field, path, earlier, all, all_ids);
}

/// Lints `field`, written at `fp` in the file `cx` looks at.
pub(super) fn lint_field(
    cx: &mut Linter,
    field: &Field,
    fp: &str,
    earlier: &[&Field],
    all: &[&Field],
    all_ids: &Ids,
) {
    let kind = field.kind;
    slug(cx, &child(fp, "id"), &field.id, msg!("id-field"));
    field_keys::keys_of_other_types(cx, field, fp);
    parameters::parameter_keys(cx, field, fp);
    text_block::label_or_text(cx, field, fp);
    if kind == FieldType::Group {
        lint_group(cx, field, fp, earlier, all_ids);
    }
    if let (Some(min), Some(max)) = (field.min_length, field.max_length)
        && min > max
    {
        cx.error(
            &child(fp, "min-length"),
            msg!("min-length-above-max", min = min, max = max),
        );
    }
    if field.max_length == Some(0) {
        cx.error(&child(fp, "max-length"), msg!("max-length-zero"));
    }
    pattern::lint_pattern(cx, field, fp);
    accessibility::autocomplete(cx, field, fp);
    field_type::type_specific(cx, field, fp);
    if let Some(cond) = &field.show_if {
        lint_condition(cx, cond, &child(fp, "show-if"), earlier, all_ids);
    }
    if let Some(cond) = &field.required_if {
        lint_condition(cx, cond, &child(fp, "required-if"), all, all_ids);
        if field.required {
            cx.error_help(
                &child(fp, "required-if"),
                msg!("required-anyway", id = &field.id),
                msg!("required-anyway-help"),
            );
        }
    }
}

/// A group holds questions, one level deep. Their conditions may name the questions before the
/// group and (in the same entry) the group's own: a `show-if` those asked before it, a
/// `required-if` any of the entry's. An entry is checked when the group is reached, so the
/// questions after the group are not known to it yet.
fn lint_group(cx: &mut Linter, group: &Field, fp: &str, earlier: &[&Field], all_ids: &Ids) {
    if group.questions().next().is_none() {
        cx.error_help(
            fp,
            msg!("group-without-fields", id = &group.id),
            msg!("group-without-fields-help"),
        );
    }
    if let Some(repeat) = group.repeat {
        if repeat.max == Some(0) {
            cx.error(&child(&child(fp, "repeat"), "max"), msg!("repeat-max-zero"));
        }
        if repeat.max.is_some_and(|max| repeat.min > max) {
            cx.error(
                &child(&child(fp, "repeat"), "min"),
                msg!(
                    "repeat-min-above-max",
                    min = repeat.min,
                    max = repeat.max.unwrap_or_default()
                ),
            );
        }
    }
    if let Some(parts) = &group.date_parts {
        let mut seen: Vec<&str> = Vec::new();
        for (key, id) in parts.named() {
            let path = child(&child(fp, "date-parts"), key);
            match group.fields.iter().find(|c| c.id == id) {
                None => cx.error_help(
                    &path,
                    msg!("group-has-no-question", group = &group.id, id = id),
                    msg!("group-has-no-question-help"),
                ),
                Some(c) if c.kind != FieldType::Number => cx.error_help(
                    &path,
                    msg!("date-part-not-a-number", id = id, kind = c.kind.name()),
                    msg!("date-part-not-a-number-help"),
                ),
                Some(_) if seen.contains(&id) => cx.error(&path, msg!("date-part-twice", id = id)),
                Some(_) => seen.push(id),
            }
        }
        if parts.day.is_some() && parts.month.is_none() {
            cx.error_help(
                &child(fp, "date-parts"),
                msg!("date-parts-day-without-month"),
                msg!("date-parts-day-without-month-help"),
            );
        }
    }
    for (ci, c) in group.fields.iter().enumerate() {
        let cp = item(&child(fp, "fields"), ci);
        if c.kind == FieldType::Group {
            cx.error_help(
                &child(&cp, "type"),
                msg!("group-in-group"),
                msg!("group-in-group-help"),
            );
            continue;
        }
        // Conditions name questions; a text-block is none.
        let before: Vec<&Field> = earlier
            .iter()
            .copied()
            .chain(group.fields[..ci].iter().filter(|f| f.is_question()))
            .collect();
        let any: Vec<&Field> = earlier.iter().copied().chain(group.questions()).collect();
        lint_field(cx, c, &cp, &before, &any, all_ids);
    }
}
