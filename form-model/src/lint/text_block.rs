//! The lint of a text-block (a paragraph between questions): it needs its `text`, takes no
//! `label`, and nothing that only a question has (an answer to require, a hint, a token);
//! and every question needs its `label`, which the YAML may leave out for text-blocks only.

use crate::model::{Field, FieldType};
use crate::msg;
use crate::positions::child;

use super::linter::Linter;

/// Checks `label` and `text` of `field` (at `fp`), and the keys a text-block does not take.
pub(super) fn label_or_text(cx: &mut Linter, field: &Field, fp: &str) {
    if field.kind != FieldType::TextBlock {
        // Worded as the load words a missing key: only text-blocks may leave it out.
        if field.label.is_empty() {
            cx.error_help(
                fp,
                msg!("key-missing", key = "label"),
                msg!("key-missing-help", key = "label"),
            );
        }
        if field.text.is_some() {
            cx.error_help(
                &child(fp, "text"),
                msg!("key-not-for-type", key = "text", kind = field.kind.name()),
                msg!("text-only-for-text-blocks"),
            );
        }
        return;
    }
    if field.text.is_none() {
        cx.error_help(
            fp,
            msg!("key-missing", key = "text"),
            msg!("text-block-text-help"),
        );
    }
    let refuse = |cx: &mut Linter, present: bool, key: &str, help: crate::msg::Msg| {
        if present {
            cx.error_help(
                &child(fp, key),
                msg!("text-block-takes-no", key = key),
                help,
            );
        }
    };
    let question = || msg!("text-block-has-no-answer");
    refuse(
        cx,
        !field.label.is_empty(),
        "label",
        msg!("text-block-label-help"),
    );
    refuse(
        cx,
        field.hint.is_some(),
        "hint",
        msg!("text-block-hint-help"),
    );
    refuse(cx, field.required, "required", question());
    refuse(cx, field.required_if.is_some(), "required-if", question());
    refuse(cx, field.autocomplete.is_some(), "autocomplete", question());
}
