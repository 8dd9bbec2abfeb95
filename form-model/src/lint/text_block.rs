//! The lint of a text-block (a paragraph between questions): it needs its `text`, takes no
//! `label`, and nothing that only a question has (an answer to require, a hint, a token);
//! and every question needs its `label`, which the YAML may leave out for text-blocks only.

use crate::model::{Field, FieldType};
use crate::positions::child;

use super::linter::Linter;

/// Checks `label` and `text` of `field` (at `fp`), and the keys a text-block does not take.
pub(super) fn label_or_text(cx: &mut Linter, field: &Field, fp: &str) {
    if field.kind != FieldType::TextBlock {
        // Worded as the load words a missing key: only text-blocks may leave it out.
        if field.label.is_empty() {
            cx.error_help(
                fp,
                "\"label\" is missing here".into(),
                "add \"label: ...\" to this entry",
            );
        }
        if field.text.is_some() {
            cx.error_help(
                &child(fp, "text"),
                format!("\"text\" does not apply to a {} field", field.kind.name()),
                "\"text\" is for text-blocks; a question's words go under label and hint",
            );
        }
        return;
    }
    if field.text.is_none() {
        cx.error_help(
            fp,
            "\"text\" is missing here".into(),
            "write the text-block's Markdown as text: { de: ..., en: ... }",
        );
    }
    let refuse = |cx: &mut Linter, present: bool, key: &str, help: &str| {
        if present {
            cx.error_help(
                &child(fp, key),
                format!("a text-block asks nothing, so it takes no \"{key}\""),
                help,
            );
        }
    };
    let question = "a text-block has no answer; remove it, or make this a question";
    refuse(
        cx,
        !field.label.is_empty(),
        "label",
        "write its words under text: { de: ..., en: ... }",
    );
    refuse(
        cx,
        field.hint.is_some(),
        "hint",
        "put the words into its text",
    );
    refuse(cx, field.required, "required", question);
    refuse(cx, field.required_if.is_some(), "required-if", question);
    refuse(cx, field.autocomplete.is_some(), "autocomplete", question);
}
