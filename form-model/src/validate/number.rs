//! Number answers: plain decimal notation, within the field's bounds, on its step.

use serde_json::{Number, Value};

use crate::model::{Bound, Field};

use super::problem::Problem;

fn number_bound(bound: &Option<Bound>) -> Option<f64> {
    match bound {
        Some(Bound::Number(n)) => Some(*n),
        _ => None,
    }
}

/// The number an answer spells: a JSON number, or a string in plain decimal notation, as
/// `<input type=number>` sends it. Infinite and unreadable values are none.
pub(crate) fn read_number<'a>(value: &Value) -> Result<f64, Problem<'a>> {
    let n = match value {
        Value::Number(n) => n.as_f64().ok_or(Problem::NotANumber)?,
        Value::String(s) => {
            let t = s.trim();
            // Only plain decimal notation, as <input type=number> sends it.
            let plain = !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.'))
                && t.bytes().any(|b| b.is_ascii_digit());
            if !plain {
                return Err(Problem::NotANumber);
            }
            t.parse::<f64>().map_err(|_| Problem::NotANumber)?
        }
        _ => return Err(Problem::NotANumber),
    };
    if !n.is_finite() {
        return Err(Problem::NotANumber);
    }
    Ok(n)
}

pub(super) fn check_number<'a>(field: &Field, value: &Value) -> Result<Value, Problem<'a>> {
    let n = read_number(value)?;
    let min = number_bound(&field.min);
    if let Some(min) = min.filter(|m| n < *m) {
        return Err(Problem::TooSmall(min));
    }
    if let Some(max) = number_bound(&field.max).filter(|m| n > *m) {
        return Err(Problem::TooLarge(max));
    }
    if let Some(step) = field.step {
        let steps = (n - min.unwrap_or(0.0)) / step;
        if (steps - steps.round()).abs() > 1e-9 {
            return Err(Problem::Step(step));
        }
    }
    let number = if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Number::from(n as i64)
    } else {
        Number::from_f64(n).ok_or(Problem::NotANumber)?
    };
    Ok(Value::Number(number))
}
