//! One answer checked by its question's type. A group's entries are answers to the questions
//! inside it, checked the same way, so the dispatch and the groups live together.

use serde_json::{Map, Value};
use time::Date;

use crate::model::{Field, FieldType};
use crate::texts::text_in;

use super::address::check_address;
use super::area::within_area;
use super::checkboxes::check_checkboxes;
use super::file::check_file;
use super::number::check_number;
use super::problem::{Problem, Sub, whole};
use super::text::{check_text, date_bound};
use super::{is_answered, is_required, missing};

/// What an answer is checked in: the day, the language of messages, and the answers of the
/// questions before it (conditions inside a group see them, and the entry's own answers).
#[derive(Clone, Copy)]
pub(super) struct Scope<'s> {
    pub today: Date,
    pub lang: &'s str,
    pub outer: &'s Map<String, Value>,
}

/// `value` checked as the answer to `field` (labelled `label` in messages), normalised; or what
/// is wrong with it, each problem at its place inside the answer.
pub(super) fn check<'a>(
    field: &'a Field,
    value: &Value,
    scope: Scope,
    label: &str,
) -> Result<Value, Vec<Sub<'a>>> {
    let (today, lang) = (scope.today, scope.lang);
    let clean = match field.kind {
        FieldType::Number => check_number(field, value).map_err(whole),
        FieldType::Checkboxes => check_checkboxes(field, value).map_err(whole),
        FieldType::File => check_file(field, value).map_err(whole),
        FieldType::Address => check_address(value, label, lang),
        FieldType::Group => check_group(field, value, scope, label),
        _ => {
            let Value::String(s) = value else {
                return Err(whole(Problem::WrongType));
            };
            check_text(field, s, today, lang).map_err(whole)
        }
    }?;
    within_area(field, clean, label, lang)
}

/// A group: one entry (an object), or with `repeat` a list of entries. Empty entries (the
/// unused slots of a page without JavaScript) are dropped before counting.
fn check_group<'a>(
    field: &'a Field,
    value: &Value,
    scope: Scope,
    label: &str,
) -> Result<Value, Vec<Sub<'a>>> {
    let today = scope.today;
    let Some(repeat) = field.repeat else {
        let Value::Object(o) = value else {
            return Err(whole(Problem::WrongType));
        };
        let entry = check_entry(field, o, scope, "", &group_prefix(label, None))?;
        return match date_parts_problem(field, &entry, today) {
            Some(problem) => Err(whole(problem)),
            None => Ok(entry),
        };
    };
    let Value::Array(items) = value else {
        return Err(whole(Problem::WrongType));
    };
    let mut subs = Vec::new();
    let mut entries = Vec::new();
    let mut count = 0u32;
    for (i, item) in items.iter().enumerate() {
        if !is_answered(item) {
            continue;
        }
        count += 1;
        let Value::Object(o) = item else {
            subs.push(Sub {
                path: format!(".{i}"),
                label: Some(format!("{label} {}", i + 1)),
                problem: Problem::WrongType,
            });
            continue;
        };
        match check_entry(
            field,
            o,
            scope,
            &format!(".{i}"),
            &group_prefix(label, Some(&(i + 1).to_string())),
        ) {
            Ok(v) => match date_parts_problem(field, &v, today) {
                Some(problem) => subs.push(Sub {
                    path: format!(".{i}"),
                    label: Some(format!("{label} {}", i + 1)),
                    problem,
                }),
                None => entries.push(v),
            },
            Err(e) => subs.extend(e),
        }
    }
    if count < repeat.min {
        subs.push(Sub {
            path: String::new(),
            label: None,
            problem: Problem::TooFewItems(repeat.min),
        });
    }
    if let Some(max) = repeat.max.filter(|m| count > *m) {
        subs.push(Sub {
            path: String::new(),
            label: None,
            problem: Problem::TooManyItems(max),
        });
    }
    if subs.is_empty() {
        Ok(Value::Array(entries))
    } else {
        Err(subs)
    }
}

/// How a question inside a group is named in messages and on the check-your-answers page: the
/// group's label (with the entry's number in a list) in front, so "Familienname" of the
/// applicant and of the representative can be told apart ("Gesetzliche Vertretung:
/// Familienname", "Hund 2: Name").
pub fn group_prefix(group_label: &str, entry: Option<&str>) -> String {
    match entry {
        Some(n) => format!("{group_label} {n}: "),
        None => format!("{group_label}: "),
    }
}

/// What is wrong with the date a group's `date-parts` give (its answers already checked one
/// by one): a day without a month, a day the month does not have (31.02.), or a date outside
/// the group's `min`/`max`. A part not given is unknown; then the date is checked as far as it
/// is known (a birth year after this one is too late, a birth month of this year is not). A
/// year must have four digits.
pub fn date_parts_problem(group: &Field, entry: &Value, today: Date) -> Option<Problem<'static>> {
    let parts = group.date_parts.as_ref()?;
    let part = |id: Option<&String>| id.and_then(|i| entry.get(i)).and_then(Value::as_i64);
    let year = part(Some(&parts.year))?;
    let (month, day) = (part(parts.month.as_ref()), part(parts.day.as_ref()));
    let date = |m: i64, d: i64| {
        let m = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
        Date::from_calendar_date(i32::try_from(year).ok()?, m, u8::try_from(d).ok()?).ok()
    };
    // The first and the last day the known parts allow; none when they are no date.
    let span = match (month, day) {
        _ if !(1000..=9999).contains(&year) => None,
        (Some(m), Some(d)) => date(m, d).map(|x| (x, x)),
        (Some(m), None) => {
            date(m, 1).map(|x| (x, x.replace_day(x.month().length(x.year())).unwrap_or(x)))
        }
        (None, Some(_)) => None,
        (None, None) => date(1, 1).zip(date(12, 31)),
    };
    let Some((first, last)) = span else {
        return Some(Problem::InvalidDate);
    };
    if let Some(max) = date_bound(&group.max, today).filter(|max| first > *max) {
        return Some(Problem::DateTooLate(max));
    }
    if let Some(min) = date_bound(&group.min, today).filter(|min| last < *min) {
        return Some(Problem::DateTooEarly(min));
    }
    None
}

/// One entry of a group: its answers checked like top-level answers. Conditions of its
/// questions see the answers before the group and the entry's own (a `required-if` all of
/// them); a question hidden by its condition must be empty.
fn check_entry<'a>(
    group: &'a Field,
    entry: &Map<String, Value>,
    scope: Scope,
    path: &str,
    label_prefix: &str,
) -> Result<Value, Vec<Sub<'a>>> {
    let mut subs = Vec::new();
    let mut clean = Map::new();
    let mut seen = scope.outer.clone();
    let mut pending = Vec::new();
    for key in entry.keys() {
        if !group.questions().any(|f| &f.id == key) {
            subs.push(Sub {
                path: format!("{path}.{key}"),
                label: Some(key.clone()),
                problem: Problem::UnknownField,
            });
        }
    }
    for child in group.questions() {
        let child_label = format!("{label_prefix}{}", text_in(&child.label, scope.lang));
        let child_path = format!("{path}.{}", child.id);
        let shown = child
            .show_if
            .as_ref()
            .is_none_or(|c| c.holds(&seen, scope.today));
        let mut fail = |problem| {
            subs.push(Sub {
                path: child_path.clone(),
                label: Some(child_label.clone()),
                problem,
            })
        };
        match (shown, entry.get(&child.id).filter(|v| is_answered(v))) {
            (false, None) => {}
            (false, Some(_)) => fail(Problem::NotApplicable),
            (true, None) if is_required(child) => fail(missing(child)),
            (true, None) => pending.push((child, child_path, child_label)),
            (true, Some(v)) => match check(child, v, scope, &child_label) {
                Ok(v) => {
                    seen.insert(child.id.clone(), v.clone());
                    clean.insert(child.id.clone(), v);
                }
                Err(inner) => subs.extend(inner.into_iter().map(|s| Sub {
                    path: format!("{child_path}{}", s.path),
                    label: Some(s.label.unwrap_or_else(|| child_label.clone())),
                    problem: s.problem,
                })),
            },
        }
    }
    for (child, path, label) in pending {
        if child
            .required_if
            .as_ref()
            .is_some_and(|c| c.holds(&seen, scope.today))
        {
            subs.push(Sub {
                path,
                label: Some(label),
                problem: missing(child),
            });
        }
    }
    if subs.is_empty() {
        Ok(Value::Object(clean))
    } else {
        Err(subs)
    }
}
