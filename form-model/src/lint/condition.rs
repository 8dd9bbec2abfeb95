//! The lint of a `show-if` or `required-if` condition: its shape, and that every question it
//! names may be named there (a `show-if` only questions asked before it), with tests that fit
//! the question: values a radios, checkboxes or select question offers, dates for date tests.

use crate::conditions::Shape;
use crate::diagnostics::suggestion;
use crate::model::{Condition, Field, FieldType, Form};
use crate::msg;
use crate::positions::{child, item};
use crate::rules::DateExpr;

use super::linter::Linter;

/// The ids of a form's elements, for advice on a condition's names: its questions, and its
/// text-blocks (which have no answer to test).
pub(crate) struct Ids<'a> {
    pub(crate) questions: Vec<&'a str>,
    pub(crate) text_blocks: Vec<&'a str>,
}

impl<'a> Ids<'a> {
    pub(crate) fn of(form: &'a Form) -> Self {
        Ids {
            questions: form.all_fields().map(|f| f.id.as_str()).collect(),
            text_blocks: form
                .all_elements()
                .filter(|f| !f.is_question())
                .map(|f| f.id.as_str())
                .collect(),
        }
    }
}

/// Lints `cond` at `path`. `allowed` are the questions it may name (for `show-if` those asked
/// before it, for `required-if` any of the form, plus the questions of its own group entry);
/// `all_ids` every id of the form, for suggestions.
pub(super) fn lint_condition(
    cx: &mut Linter,
    cond: &Condition,
    path: &str,
    allowed: &[&Field],
    all_ids: &Ids,
) {
    let target = |cx: &mut Linter, id: &str, at: &str| -> Option<&Field> {
        let found = allowed.iter().find(|f| f.id == id).copied();
        if found.is_none() {
            if all_ids.text_blocks.contains(&id) {
                cx.error_help(
                    at,
                    msg!("condition-on-text-block", id = id),
                    msg!("condition-on-text-block-help"),
                );
            } else if all_ids.questions.contains(&id) {
                cx.error_help(
                    at,
                    msg!("condition-on-later-field", id = id),
                    msg!("condition-on-later-field-help"),
                );
            } else {
                let hint = suggestion(id, all_ids.questions.iter().copied());
                cx.error(
                    at,
                    msg!(
                        "unknown-field-in",
                        id = id,
                        key = msg!("in-condition"),
                        hint = hint
                    ),
                );
            }
        }
        found
    };
    match cond.shape() {
        Err(message) => cx.error(path, message),
        Ok(Shape::All(cs)) | Ok(Shape::Any(cs)) => {
            let key = if cond.all.is_some() { "all" } else { "any" };
            if cs.is_empty() {
                cx.error(&child(path, key), msg!("combinator-empty", key = key));
            }
            for (i, c) in cs.iter().enumerate() {
                lint_condition(cx, c, &item(&child(path, key), i), allowed, all_ids);
            }
        }
        Ok(Shape::Not(c)) => lint_condition(cx, c, &child(path, "not"), allowed, all_ids),
        Ok(Shape::Answered(ids)) | Ok(Shape::ExactlyOne(ids)) => {
            let (key, least) = if cond.answered.is_some() {
                ("answered", 1usize)
            } else {
                ("exactly-one", 2)
            };
            let kp = child(path, key);
            if ids.len() < least {
                cx.error(&kp, msg!("names-too-few", key = key, n = least));
            }
            for (i, id) in ids.iter().enumerate() {
                let at = if matches!(cond.answered, Some(crate::model::Names::One(_))) {
                    kp.clone()
                } else {
                    item(&kp, i)
                };
                target(cx, id, &at);
            }
        }
        Ok(Shape::Date(field, test, bound)) => {
            let Some(t) = target(cx, field, &child(path, "field")) else {
                return;
            };
            if t.kind != FieldType::Date {
                cx.error_help(
                    &child(path, "field"),
                    msg!(
                        "date-test-on-other-type",
                        key = test.key(),
                        id = field,
                        kind = t.kind.name()
                    ),
                    msg!("date-test-on-other-type-help"),
                );
            }
            if DateExpr::parse(bound).is_none() {
                cx.error_help(
                    &child(path, test.key()),
                    msg!("not-a-date", value = bound),
                    msg!("condition-date-help"),
                );
            }
        }
        Ok(Shape::Equals(field, _)) | Ok(Shape::In(field, _)) => {
            let Some(target) = target(cx, field, &child(path, "field")) else {
                return;
            };
            if !target.kind.has_options() {
                cx.error_help(
                    &child(path, "field"),
                    msg!(
                        "equals-on-other-type",
                        id = field,
                        kind = target.kind.name()
                    ),
                    msg!("equals-on-other-type-help"),
                );
                return;
            }
            let values: Vec<(String, &str)> = match (&cond.equals, &cond.one_of) {
                (Some(v), _) => vec![(child(path, "equals"), v.as_str())],
                (_, Some(vs)) => vs
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (item(&child(path, "in"), i), v.as_str()))
                    .collect(),
                _ => vec![],
            };
            for (vpath, value) in values {
                if !target.options.iter().any(|o| o.value == value) {
                    let hint = suggestion(value, target.options.iter().map(|o| o.value.as_str()));
                    cx.error(
                        &vpath,
                        msg!("no-such-option", id = field, value = value, hint = hint),
                    );
                }
            }
        }
    }
}
