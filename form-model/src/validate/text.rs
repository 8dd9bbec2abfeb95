//! Answers written as text: free text with its lengths and pattern, phone numbers, e-mail
//! addresses, IBANs, postcodes, tax ids, dates (with their bounds) and single choices.

use serde_json::Value;
use time::Date;

use crate::model::{Bound, Field, FieldType};
use crate::rules::{self, DateExpr};
use crate::texts::text_in;

use super::problem::Problem;

pub(super) fn check_text<'a>(
    field: &'a Field,
    raw: &str,
    today: Date,
    lang: &str,
) -> Result<Value, Problem<'a>> {
    let s = rules::normalize_text(raw);
    let string = |s: String| Ok(Value::String(s));
    let length = |s: &str| -> Result<(), Problem<'a>> {
        let n = s.chars().count() as u32;
        if let Some(min) = field.min_length.filter(|m| n < *m) {
            return Err(Problem::TooShort(min));
        }
        if let Some(max) = field.max_length.filter(|m| n > *m) {
            return Err(Problem::TooLong(max));
        }
        Ok(())
    };
    let pattern = |s: &str| -> Result<(), Problem<'a>> {
        if let Some(p) = &field.pattern {
            let re = pattern_regex(p).ok_or(Problem::Pattern(None))?;
            if !re.is_match(s) {
                return Err(Problem::Pattern(
                    field.pattern_message.as_ref().map(|m| text_in(m, lang)),
                ));
            }
        }
        Ok(())
    };
    match field.kind {
        FieldType::Text | FieldType::Textarea => {
            length(&s)?;
            pattern(&s)?;
            string(s)
        }
        FieldType::Tel => {
            let s = rules::ascii_digits(&s);
            length(&s)?;
            if !rules::is_valid_tel(&s) {
                return Err(Problem::InvalidTel);
            }
            pattern(&s)?;
            string(s)
        }
        FieldType::Email => {
            length(&s)?;
            if !rules::is_valid_email(&s) {
                return Err(Problem::InvalidEmail);
            }
            string(s)
        }
        FieldType::Iban => rules::normalize_iban(&rules::ascii_digits(&s))
            .map(Value::String)
            .ok_or(Problem::InvalidIban),
        FieldType::Postcode => {
            let s = rules::ascii_digits(&s);
            if rules::is_valid_postcode(&s) {
                string(s)
            } else {
                Err(Problem::InvalidPostcode)
            }
        }
        FieldType::TaxId => {
            let compact: String = rules::ascii_digits(&s)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if rules::is_valid_tax_id(&compact) {
                string(compact)
            } else {
                Err(Problem::InvalidTaxId)
            }
        }
        FieldType::Date => {
            let date = rules::parse_date(&s).ok_or(Problem::InvalidDate)?;
            if let Some(min) = date_bound(&field.min, today).filter(|m| date < *m) {
                return Err(Problem::DateTooEarly(min));
            }
            if let Some(max) = date_bound(&field.max, today).filter(|m| date > *m) {
                return Err(Problem::DateTooLate(max));
            }
            string(s)
        }
        FieldType::Radios | FieldType::Select => {
            if field.options.iter().any(|o| o.value == s) {
                string(s)
            } else {
                Err(Problem::InvalidOption)
            }
        }
        FieldType::Number
        | FieldType::Checkboxes
        | FieldType::File
        | FieldType::Address
        | FieldType::Group
        | FieldType::TextBlock => Err(Problem::WrongType),
    }
}

/// The date a `min`/`max` of a date field means on `today`.
pub fn date_bound(bound: &Option<Bound>, today: Date) -> Option<Date> {
    match bound {
        Some(Bound::Text(s)) => DateExpr::parse(s).map(|d| d.on(today)),
        _ => None,
    }
}

/// The anchored regex of a field's `pattern`, compiled once per pattern and process (a form
/// has few patterns; compiling one per answer cost more than validating the whole form).
fn pattern_regex(pattern: &str) -> Option<regex::Regex> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(found) = cache.lock().expect("lock").get(pattern) {
        return found.clone();
    }
    let compiled = regex::Regex::new(&format!("^(?:{pattern})$")).ok();
    cache
        .lock()
        .expect("lock")
        .insert(pattern.to_string(), compiled.clone());
    compiled
}
