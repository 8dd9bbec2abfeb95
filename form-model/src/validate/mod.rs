//! Validating a citizen's submission against a resolved form: the only implementation of the
//! rules the page announced. Conditions decide what is asked; a field that is not asked must be
//! empty, one that is asked and required must be answered, and every answer must fit its type
//! and constraints. Errors carry a stable code and a message in the submission's language.
//!
//! One file per concern: what can be wrong (`problem`), an answer by its question's type and a
//! group's entries (`answer`), text-like answers (`text`), numbers (`number`), checkboxes
//! (`checkboxes`), files (`file`), addresses (`address`), the municipality's area (`area`), and
//! the problems in words (`message`).

mod address;
mod answer;
mod area;
mod checkboxes;
mod file;
mod message;
pub(crate) mod number;
mod problem;
mod text;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::Date;

use crate::model::{Field, FieldType};
use crate::resolve::ResolvedForm;
use crate::texts::text_in;

pub use address::{ADDRESS_PARTS, AddressPart};
pub use answer::{date_parts_problem, group_prefix};
pub use area::{listed_street, street_key};
pub use file::{FileAnswer, accepts, file_answers, max_file_bytes};
pub use message::{fmt_date, fmt_number, message};
pub use problem::{ErrorCode, Problem};
pub use text::date_bound;

use answer::{Scope, check};

/// What a citizen sent: the language the page was in and the answers by field id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub language: String,
    pub data: Map<String, Value>,
}

/// Validated answers by field id, in form order, normalised (trimmed texts, IBAN in
/// electronic format, numbers as numbers, checkboxes as lists).
pub type CleanData = Map<String, Value>;

/// One problem with one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Field id; `anschrift.postcode` for a part of an address.
    pub field: String,
    pub code: ErrorCode,
    /// In the submission's language.
    pub message: String,
}

/// Validates `submission` against `form` on the day `today` (for relative date bounds).
pub fn validate(
    form: &ResolvedForm,
    submission: &Submission,
    today: Date,
) -> Result<CleanData, Vec<FieldError>> {
    let mut errors = Vec::new();
    let lang = if form.languages.contains(&submission.language) {
        submission.language.as_str()
    } else {
        let lang = form.languages.first().map_or("de", String::as_str);
        errors.push(FieldError {
            field: "language".into(),
            code: ErrorCode::UnknownLanguage,
            message: message(&Problem::UnknownLanguage(&submission.language), lang, ""),
        });
        lang
    };
    for key in submission.data.keys() {
        if form.top_level_field(key).is_none() {
            errors.push(FieldError {
                field: key.clone(),
                code: ErrorCode::UnknownField,
                message: message(&Problem::UnknownField, lang, key),
            });
        }
    }
    let mut clean = Map::new();
    // Shown, unanswered questions with a `required-if`: judged once every answer is known.
    let mut pending = Vec::new();
    for step in &form.form.steps {
        let step_shown = step.show_if.as_ref().is_none_or(|c| c.holds(&clean, today));
        for field in step.questions() {
            let shown = step_shown
                && field
                    .show_if
                    .as_ref()
                    .is_none_or(|c| c.holds(&clean, today));
            let raw = submission.data.get(&field.id).filter(|v| is_answered(v));
            let label = text_in(&field.label, lang);
            let mut fail = |field_id: String, problem: Problem, label: &str| {
                errors.push(FieldError {
                    field: field_id,
                    code: problem.code(),
                    message: message(&problem, lang, label),
                });
            };
            match (shown, raw) {
                (false, None) => {}
                (false, Some(_)) => fail(field.id.clone(), Problem::NotApplicable, &label),
                (true, None) if is_required(field) => {
                    fail(field.id.clone(), missing(field), &label)
                }
                (true, None) => pending.push(field),
                (true, Some(value)) => match check(
                    field,
                    value,
                    Scope {
                        today,
                        lang,
                        outer: &clean,
                    },
                    &label,
                ) {
                    Ok(v) => {
                        clean.insert(field.id.clone(), v);
                    }
                    Err(subs) => {
                        for sub in subs {
                            let label = sub.label.unwrap_or_else(|| label.clone());
                            fail(format!("{}{}", field.id, sub.path), sub.problem, &label);
                        }
                    }
                },
            }
        }
    }
    for field in pending {
        if field
            .required_if
            .as_ref()
            .is_some_and(|c| c.holds(&clean, today))
        {
            let problem = missing(field);
            errors.push(FieldError {
                field: field.id.clone(),
                code: problem.code(),
                message: message(&problem, lang, &text_in(&field.label, lang)),
            });
        }
    }
    if errors.is_empty() {
        Ok(clean)
    } else {
        Err(errors)
    }
}

/// A required field, or a list that needs at least one entry.
pub fn is_required(field: &Field) -> bool {
    field.required || field.repeat.is_some_and(|r| r.min > 0)
}

/// A declaration: one box to tick ("Hiermit bestätige ich …"), not a question to answer.
pub fn is_declaration(field: &Field) -> bool {
    field.kind == FieldType::Checkboxes && field.options.len() == 1
}

/// The problem of a required question left unanswered: a declaration asks to be confirmed.
pub fn missing(field: &Field) -> Problem<'static> {
    if is_declaration(field) {
        Problem::NotConfirmed
    } else {
        Problem::Required
    }
}

/// Whether a value counts as an answer (browsers send empty inputs as "", and a page without
/// JavaScript sends the empty slots of a list).
pub fn is_answered(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => a.iter().any(is_answered),
        Value::Object(o) => o.values().any(is_answered),
        _ => true,
    }
}
