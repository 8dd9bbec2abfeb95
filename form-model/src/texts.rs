//! The texts of a form: visiting every one of them (with a key that names it by ids, and its
//! YAML path), and picking the one a reader sees in a language.

use crate::model::{Field, Form, Text};
use crate::positions::{child, item};

/// The text in `lang`, else in German.
pub fn text_in(text: &Text, lang: &str) -> String {
    text.get(lang)
        .or_else(|| text.get("de"))
        .or_else(|| text.values().next())
        .cloned()
        .unwrap_or_default()
}

/// Calls `f(key, yaml_path, text)` for every text of a form. Keys name the text by ids
/// (`field:vorname:label`), so they survive overlays that move fields around.
pub fn visit_texts<'a>(form: &'a Form, f: &mut dyn FnMut(String, String, &'a Text)) {
    f("title".into(), "title".into(), &form.title);
    if let Some(t) = &form.intro {
        f("intro".into(), "intro".into(), t);
    }
    f("purpose".into(), "purpose".into(), &form.purpose);
    f(
        "legal-basis".into(),
        "legal-basis".into(),
        &form.legal_basis,
    );
    if let Some(t) = &form.recipients {
        f("recipients".into(), "recipients".into(), t);
    }
    for (si, step) in form.steps.iter().enumerate() {
        let sp = item("steps", si);
        f(
            format!("step:{}:title", step.id),
            child(&sp, "title"),
            &step.title,
        );
        if let Some(t) = &step.intro {
            f(format!("step:{}:intro", step.id), child(&sp, "intro"), t);
        }
        for (fi, field) in step.fields.iter().enumerate() {
            visit_field_texts(field, &item(&child(&sp, "fields"), fi), f);
        }
    }
    for (i, fee) in form.fees.iter().enumerate() {
        let p = item("fees", i);
        f(
            format!("fee:{}:label", fee.id),
            child(&p, "label"),
            &fee.label,
        );
        if let Some(t) = &fee.hint {
            f(format!("fee:{}:hint", fee.id), child(&p, "hint"), t);
        }
    }
}

/// The texts of one field (label, hint, pattern message, option labels and hints; a
/// text-block's text).
pub fn visit_field_texts<'a>(
    field: &'a Field,
    path: &str,
    f: &mut dyn FnMut(String, String, &'a Text),
) {
    let id = &field.id;
    // A text-block has no label (the lint says so when one is written anyway).
    if !field.label.is_empty() {
        f(
            format!("field:{id}:label"),
            child(path, "label"),
            &field.label,
        );
    }
    if let Some(t) = &field.text {
        f(format!("field:{id}:text"), child(path, "text"), t);
    }
    if let Some(t) = &field.hint {
        f(format!("field:{id}:hint"), child(path, "hint"), t);
    }
    if let Some(t) = &field.pattern_message {
        f(
            format!("field:{id}:pattern-message"),
            child(path, "pattern-message"),
            t,
        );
    }
    for (ci, c) in field.fields.iter().enumerate() {
        visit_field_texts(c, &item(&child(path, "fields"), ci), f);
    }
    for (oi, option) in field.options.iter().enumerate() {
        let op = item(&child(path, "options"), oi);
        f(
            format!("field:{id}:option:{}:label", option.value),
            child(&op, "label"),
            &option.label,
        );
        if let Some(t) = &option.hint {
            f(
                format!("field:{id}:option:{}:hint", option.value),
                child(&op, "hint"),
                t,
            );
        }
    }
}
