//! The lint of one catalog form: its id, version, LeiKa key and retention, its texts, the
//! uniqueness of step and field ids, and what the account prefills (`identity`); its fees are
//! linted by `fee`.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostics::{Diagnostics, FileId, Sources};
use crate::model::{Field, Form, Text};
use crate::msg;
use crate::positions::{child, item};
use crate::texts::visit_texts;

use super::condition::{Ids, lint_condition};
use super::field::lint_field;
use super::linter::{Linter, slug};
use super::text_keys::lint_text_keys;

static LEIKA: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[0-9]{14}$").unwrap());

/// Lints one catalog form.
pub fn lint_form(sources: &Sources, file: FileId, form: &Form, diags: &mut Diagnostics) {
    let mut cx = Linter {
        sources,
        file,
        diags,
    };
    slug(&mut cx, "id", &form.id, msg!("id-form"));
    if form.version == 0 {
        cx.error("version", msg!("version-zero"));
    }
    if let Some(leika) = &form.leika
        && !LEIKA.is_match(leika)
    {
        cx.error("leika", msg!("leika-not-14-digits", leika = leika));
    }
    if form.retention_days == 0 || form.retention_days > 36_500 {
        cx.error(
            "retention-days",
            msg!(
                "retention-days-out-of-range",
                days = form.retention_days.to_string()
            ),
        );
    }
    if let Some(records) = &form.records {
        super::efile::lint_records(&mut cx, "records", records);
    }
    let all_ids = Ids::of(form);
    visit_texts(form, &mut |_, path, text| {
        catalog_text(&mut cx, &path, text)
    });
    if form.steps.is_empty() {
        cx.error("steps", msg!("no-steps"));
    }
    let mut step_ids: HashMap<&str, usize> = HashMap::new();
    let mut earlier: Vec<&Field> = Vec::new();
    let tops: Vec<&Field> = form.fields().collect();
    let mut field_ids: HashMap<&str, String> = HashMap::new();
    for (si, step) in form.steps.iter().enumerate() {
        let sp = item("steps", si);
        slug(&mut cx, &child(&sp, "id"), &step.id, msg!("id-step"));
        if let Some(first) = step_ids.insert(&step.id, si) {
            let line = sources.pos(file, &child(&item("steps", first), "id")).line;
            cx.error(
                &child(&sp, "id"),
                msg!("step-id-twice", id = &step.id, line = line),
            );
        }
        if let Some(cond) = &step.show_if {
            lint_condition(&mut cx, cond, &child(&sp, "show-if"), &earlier, &all_ids);
        }
        if step.fields.is_empty() {
            cx.error(&child(&sp, "fields"), msg!("step-without-fields"));
        }
        for (fi, field) in step.fields.iter().enumerate() {
            let fp = item(&child(&sp, "fields"), fi);
            lint_field(&mut cx, field, &fp, &earlier, &tops, &all_ids);
            let children = field
                .fields
                .iter()
                .enumerate()
                .map(|(ci, c)| (c, item(&child(&fp, "fields"), ci)));
            for (f, path) in std::iter::once((field, fp.clone())).chain(children) {
                if let Some(first) = field_ids.insert(&f.id, path.clone()) {
                    let line = sources.pos(file, &child(&first, "id")).line;
                    cx.error(
                        &child(&path, "id"),
                        msg!("field-id-twice", id = &f.id, line = line),
                    );
                }
            }
            // Conditions name questions; a text-block is none.
            if field.is_question() {
                earlier.push(field);
            }
        }
    }
    super::parameters::used_one_way(&mut cx, form);
    super::identity::lint_prefill(&mut cx, form);
    super::fee::lint_fees(&mut cx, form, &tops, &all_ids);
    super::payment::lint_catalog_payment(&mut cx, form);
    super::sepa::lint_catalog_mandate(&mut cx, form);
}

/// Catalog texts need German (the official language) and no empty translations.
fn catalog_text(cx: &mut Linter, path: &str, text: &Text) {
    lint_text_keys(cx.sources, cx.file, cx.diags, path, text);
    if !text.contains_key("de") {
        cx.error(path, msg!("text-without-german"));
    }
    for (lang, value) in text {
        if value.trim().is_empty() {
            cx.error(&child(path, lang), msg!("text-empty", lang = lang));
        }
    }
}
