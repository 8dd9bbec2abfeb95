//! The lint of a `show-if` condition: its shape, and that it tests a radios, checkboxes or
//! select question asked before it, with values that question offers.

use crate::conditions::Shape;
use crate::diagnostics::suggestion;
use crate::model::{Condition, Field};
use crate::positions::{child, item};

use super::linter::Linter;

pub(super) fn lint_condition(
    cx: &mut Linter,
    cond: &Condition,
    path: &str,
    earlier: &[&Field],
    all_ids: &[&str],
) {
    match cond.shape() {
        Err(message) => cx.error(path, message),
        Ok(Shape::All(cs)) | Ok(Shape::Any(cs)) => {
            let key = if cond.all.is_some() { "all" } else { "any" };
            if cs.is_empty() {
                cx.error(
                    &child(path, key),
                    format!("\"{key}\" needs at least one condition"),
                );
            }
            for (i, c) in cs.iter().enumerate() {
                lint_condition(cx, c, &item(&child(path, key), i), earlier, all_ids);
            }
        }
        Ok(Shape::Not(c)) => lint_condition(cx, c, &child(path, "not"), earlier, all_ids),
        Ok(Shape::Equals(field, _)) | Ok(Shape::In(field, _)) => {
            let fpath = child(path, "field");
            let Some(target) = earlier.iter().find(|f| f.id == field) else {
                if all_ids.contains(&field) {
                    cx.error_help(
                        &fpath,
                        format!("condition refers to \"{field}\", which comes later in the form"),
                        "a condition can only depend on questions asked before it; move the question up",
                    );
                } else {
                    let hint = suggestion(field, all_ids.iter().copied());
                    cx.error(
                        &fpath,
                        format!("unknown field \"{field}\" in condition{hint}"),
                    );
                }
                return;
            };
            if !target.kind.has_options() {
                cx.error_help(
                    &fpath,
                    format!(
                        "conditions can only test radios, checkboxes or select fields; \"{field}\" is {}",
                        target.kind.name()
                    ),
                    "ask a yes/no question with radios and test that",
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
                        format!("\"{field}\" has no option \"{value}\"{hint}"),
                    );
                }
            }
        }
    }
}
