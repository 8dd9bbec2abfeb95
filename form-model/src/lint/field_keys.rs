//! Keys a question has that its type does not take (`rows` on a text field, `options` on a
//! date): each is reported with the types it is for.

use crate::model::{Field, FieldType};
use crate::positions::child;

use super::linter::Linter;

/// Reports every key of `field` (at `fp`) that does not apply to its type.
pub(super) fn keys_of_other_types(cx: &mut Linter, field: &Field, fp: &str) {
    let kind = field.kind;
    let t = kind.name();
    let not_for = |cx: &mut Linter, present: bool, key: &str, allowed: &str| {
        if present {
            cx.error_help(
                &child(fp, key),
                format!("\"{key}\" does not apply to a {t} field"),
                &format!("\"{key}\" is for {allowed}; remove it here"),
            );
        }
    };
    let text_like = matches!(kind, FieldType::Text | FieldType::Textarea | FieldType::Tel);
    let length_ok = text_like || kind == FieldType::Email;
    not_for(
        cx,
        field.min_length.is_some() && !length_ok,
        "min-length",
        "text, textarea, tel and email fields",
    );
    not_for(
        cx,
        field.max_length.is_some() && !length_ok,
        "max-length",
        "text, textarea, tel and email fields",
    );
    not_for(
        cx,
        field.pattern.is_some() && !text_like,
        "pattern",
        "text, textarea and tel fields",
    );
    not_for(
        cx,
        field.pattern_message.is_some() && !text_like,
        "pattern-message",
        "text, textarea and tel fields",
    );
    let bounded = matches!(kind, FieldType::Number | FieldType::Date) || field.date_parts.is_some();
    not_for(
        cx,
        field.min.is_some() && !bounded,
        "min",
        "number and date fields, and groups with date-parts",
    );
    not_for(
        cx,
        field.max.is_some() && !bounded,
        "max",
        "number and date fields, and groups with date-parts",
    );
    not_for(
        cx,
        field.date_parts.is_some() && kind != FieldType::Group,
        "date-parts",
        "group fields",
    );
    not_for(
        cx,
        field.step.is_some() && kind != FieldType::Number,
        "step",
        "number fields",
    );
    not_for(
        cx,
        !field.options.is_empty() && !kind.has_options(),
        "options",
        "radios, checkboxes and select fields",
    );
    not_for(
        cx,
        field.option_order.is_some() && !kind.has_options(),
        "option-order",
        "radios, checkboxes and select fields",
    );
    not_for(
        cx,
        field.min_selected.is_some() && kind != FieldType::Checkboxes,
        "min-selected",
        "checkboxes fields",
    );
    not_for(
        cx,
        field.max_selected.is_some() && kind != FieldType::Checkboxes,
        "max-selected",
        "checkboxes fields",
    );
    not_for(
        cx,
        !field.accept.is_empty() && kind != FieldType::File,
        "accept",
        "file fields",
    );
    not_for(
        cx,
        field.max_size_mb.is_some() && kind != FieldType::File,
        "max-size-mb",
        "file fields",
    );
    not_for(
        cx,
        field.rows.is_some() && kind != FieldType::Textarea,
        "rows",
        "textarea fields",
    );
    not_for(
        cx,
        field.autocomplete.is_some() && kind == FieldType::Address,
        "autocomplete",
        "single inputs; address fields set their own tokens",
    );

    not_for(
        cx,
        !field.fields.is_empty() && kind != FieldType::Group,
        "fields",
        "group fields",
    );
    not_for(
        cx,
        field.repeat.is_some() && kind != FieldType::Group,
        "repeat",
        "group fields",
    );
}
