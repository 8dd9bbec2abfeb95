//! Checkbox answers: the set of options chosen, within the field's bounds, in the form's order.

use serde_json::Value;

use crate::model::Field;

use super::problem::Problem;

pub(super) fn check_checkboxes<'a>(field: &Field, value: &Value) -> Result<Value, Problem<'a>> {
    let items: Vec<&str> = match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().ok_or(Problem::WrongType))
            .collect::<Result<_, _>>()?,
        _ => return Err(Problem::WrongType),
    };
    let mut chosen: Vec<&str> = Vec::new();
    // The selects of a long list ("choose one, add another") send "" when unused, and may
    // name the same answer twice; either way the answer is the set of options chosen.
    for item in items.into_iter().map(str::trim).filter(|s| !s.is_empty()) {
        if !field.options.iter().any(|o| o.value == item) {
            return Err(Problem::InvalidOption);
        }
        if !chosen.contains(&item) {
            chosen.push(item);
        }
    }
    let n = chosen.len() as u32;
    if let Some(min) = field.min_selected.filter(|m| n < *m) {
        return Err(Problem::TooFewSelected(min));
    }
    if let Some(max) = field.max_selected.filter(|m| n > *m) {
        return Err(Problem::TooManySelected(max));
    }
    // Keep the form's order, whatever order the browser sent.
    let ordered: Vec<Value> = field
        .options
        .iter()
        .filter(|o| chosen.contains(&o.value.as_str()))
        .map(|o| Value::String(o.value.clone()))
        .collect();
    Ok(Value::Array(ordered))
}
