//! Keys a question has that its type does not take (`rows` on a text field, `options` on a
//! date): each is reported with the types it is for.

use crate::diagnostics::Msg;
use crate::model::{Field, FieldType};
use crate::msg;
use crate::positions::child;

use super::linter::Linter;

/// Reports every key of `field` (at `fp`) that does not apply to its type.
pub(super) fn keys_of_other_types(cx: &mut Linter, field: &Field, fp: &str) {
    let kind = field.kind;
    let t = kind.name();
    let not_for = |cx: &mut Linter, present: bool, key: &str, allowed: Msg| {
        if present {
            cx.error_help(
                &child(fp, key),
                msg!("key-not-for-type", key = key, kind = t),
                msg!("key-not-for-type-help", key = key, allowed = allowed),
            );
        }
    };
    let text_like = matches!(kind, FieldType::Text | FieldType::Textarea | FieldType::Tel);
    let length_ok = text_like || kind == FieldType::Email;
    not_for(
        cx,
        field.min_length.is_some() && !length_ok,
        "min-length",
        msg!("for-text-and-email"),
    );
    not_for(
        cx,
        field.max_length.is_some() && !length_ok,
        "max-length",
        msg!("for-text-and-email"),
    );
    not_for(
        cx,
        field.pattern.is_some() && !text_like,
        "pattern",
        msg!("for-text"),
    );
    not_for(
        cx,
        field.pattern_message.is_some() && !text_like,
        "pattern-message",
        msg!("for-text"),
    );
    let bounded = matches!(kind, FieldType::Number | FieldType::Date) || field.date_parts.is_some();
    not_for(
        cx,
        field.min.is_some() && !bounded,
        "min",
        msg!("for-bounded"),
    );
    not_for(
        cx,
        field.max.is_some() && !bounded,
        "max",
        msg!("for-bounded"),
    );
    not_for(
        cx,
        field.date_parts.is_some() && kind != FieldType::Group,
        "date-parts",
        msg!("for-group"),
    );
    not_for(
        cx,
        field.step.is_some() && kind != FieldType::Number,
        "step",
        msg!("for-number"),
    );
    not_for(
        cx,
        !field.options.is_empty() && !kind.has_options(),
        "options",
        msg!("for-options"),
    );
    not_for(
        cx,
        field.option_order.is_some() && !kind.has_options(),
        "option-order",
        msg!("for-options"),
    );
    not_for(
        cx,
        field.min_selected.is_some() && kind != FieldType::Checkboxes,
        "min-selected",
        msg!("for-checkboxes"),
    );
    not_for(
        cx,
        field.max_selected.is_some() && kind != FieldType::Checkboxes,
        "max-selected",
        msg!("for-checkboxes"),
    );
    not_for(
        cx,
        !field.accept.is_empty() && kind != FieldType::File,
        "accept",
        msg!("for-file"),
    );
    not_for(
        cx,
        field.max_size_mb.is_some() && kind != FieldType::File,
        "max-size-mb",
        msg!("for-file"),
    );
    not_for(
        cx,
        field.rows.is_some() && kind != FieldType::Textarea,
        "rows",
        msg!("for-textarea"),
    );
    not_for(
        cx,
        field.autocomplete.is_some() && kind == FieldType::Address,
        "autocomplete",
        msg!("for-single-inputs"),
    );

    not_for(
        cx,
        !field.fields.is_empty() && kind != FieldType::Group,
        "fields",
        msg!("for-group"),
    );
    not_for(
        cx,
        field.repeat.is_some() && kind != FieldType::Group,
        "repeat",
        msg!("for-group"),
    );
}
