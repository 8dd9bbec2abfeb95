//! The lint of one question: its id, lengths, pattern and condition, with what its type
//! requires (`field_type`), the keys its type does not take (`field_keys`) and, for a group,
//! the questions inside it.

use crate::diagnostics::{Diagnostics, FileId, Sources};
use crate::model::{Field, FieldType};
use crate::positions::{child, item};

use super::condition::{Ids, lint_condition};
use super::linter::{Linter, slug};
use super::{accessibility, field_keys, field_type, pattern, text_block};

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
    slug(cx, &child(fp, "id"), &field.id, "field id");
    field_keys::keys_of_other_types(cx, field, fp);
    text_block::label_or_text(cx, field, fp);
    if kind == FieldType::Group {
        lint_group(cx, field, fp, earlier, all_ids);
    }
    if let (Some(min), Some(max)) = (field.min_length, field.max_length)
        && min > max
    {
        cx.error(
            &child(fp, "min-length"),
            format!("min-length {min} is greater than max-length {max}"),
        );
    }
    if field.max_length == Some(0) {
        cx.error(
            &child(fp, "max-length"),
            "max-length must be at least 1".into(),
        );
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
                format!("\"{}\" is required anyway (required: true)", field.id),
                "remove required: true, or the required-if",
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
            format!("group \"{}\" needs fields", group.id),
            "list the group's questions under fields: [ ... ]",
        );
    }
    if let Some(repeat) = group.repeat {
        if repeat.max == Some(0) {
            cx.error(
                &child(&child(fp, "repeat"), "max"),
                "repeat max must be at least 1".into(),
            );
        }
        if repeat.max.is_some_and(|max| repeat.min > max) {
            cx.error(
                &child(&child(fp, "repeat"), "min"),
                format!(
                    "repeat min {} is greater than max {}",
                    repeat.min,
                    repeat.max.unwrap_or_default()
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
                    format!("group \"{}\" has no question \"{id}\"", group.id),
                    "name the id of one of the group's number questions",
                ),
                Some(c) if c.kind != FieldType::Number => cx.error_help(
                    &path,
                    format!("\"{id}\" is a {} question, not a number", c.kind.name()),
                    "day, month and year are number questions (step: 1)",
                ),
                Some(_) if seen.contains(&id) => {
                    cx.error(&path, format!("\"{id}\" is named twice in date-parts"))
                }
                Some(_) => seen.push(id),
            }
        }
        if parts.day.is_some() && parts.month.is_none() {
            cx.error_help(
                &child(fp, "date-parts"),
                "date-parts has a day but no month".into(),
                "name the month question too (month: <id>)",
            );
        }
    }
    for (ci, c) in group.fields.iter().enumerate() {
        let cp = item(&child(fp, "fields"), ci);
        if c.kind == FieldType::Group {
            cx.error_help(
                &child(&cp, "type"),
                "a group cannot contain another group".into(),
                "put the inner questions directly into the outer group",
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
