//! Validating a citizen's submission against a resolved form: the only implementation of the
//! rules the page announced. Conditions decide what is asked; a field that is not asked must be
//! empty, one that is asked and required must be answered, and every answer must fit its type
//! and constraints. Errors carry a stable code and a message in the submission's language.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use time::Date;

use crate::model::{Bound, Field, FieldType};
use crate::resolve::ResolvedForm;
use crate::rules::{self, DateExpr};
/// Also under its earlier path `validate::text_in`, used by submit-fn (remove once it imports
/// it from `texts`).
pub use crate::texts::text_in;

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

/// Stable error codes (part of the function's API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    Required,
    NotApplicable,
    UnknownField,
    UnknownLanguage,
    WrongType,
    TooShort,
    TooLong,
    Pattern,
    NotANumber,
    TooSmall,
    TooLarge,
    Step,
    InvalidDate,
    DateTooEarly,
    DateTooLate,
    InvalidOption,
    TooFewSelected,
    TooManySelected,
    InvalidEmail,
    InvalidTel,
    InvalidIban,
    InvalidPostcode,
    InvalidTaxId,
    FileType,
    FileTooLarge,
    InvalidFile,
    /// A file whose content is not of the media type it was sent as (found by the function,
    /// which sees the bytes).
    FileContent,
    TooFewItems,
    TooManyItems,
}

/// One part of an address field. The page renders these inputs; the function checks them.
#[derive(Debug, Clone, Copy)]
pub struct AddressPart {
    pub key: &'static str,
    /// de, en, ar
    pub label: [&'static str; 3],
    pub autocomplete: &'static str,
    pub max_length: u32,
    pub postcode: bool,
}

/// The parts of an address, in the order the page shows them.
pub const ADDRESS_PARTS: [AddressPart; 4] = [
    AddressPart {
        key: "street",
        label: ["Straße", "Street", "الشارع"],
        autocomplete: "address-line1",
        max_length: 120,
        postcode: false,
    },
    AddressPart {
        key: "house-number",
        label: ["Hausnummer", "House number", "رقم المنزل"],
        autocomplete: "address-line2",
        max_length: 20,
        postcode: false,
    },
    AddressPart {
        key: "postcode",
        label: ["Postleitzahl", "Postcode", "الرمز البريدي"],
        autocomplete: "postal-code",
        max_length: 5,
        postcode: true,
    },
    AddressPart {
        key: "city",
        label: ["Ort", "Town or city", "المدينة"],
        autocomplete: "address-level2",
        max_length: 120,
        postcode: false,
    },
];

impl AddressPart {
    pub fn label(&self, lang: &str) -> &'static str {
        match lang {
            "en" => self.label[1],
            "ar" => self.label[2],
            _ => self.label[0],
        }
    }
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
    for step in &form.form.steps {
        let step_shown = step.show_if.as_ref().is_none_or(|c| c.holds(&clean));
        for field in &step.fields {
            let shown = step_shown && field.show_if.as_ref().is_none_or(|c| c.holds(&clean));
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
                (true, None) => {}
                (true, Some(value)) => match check(field, value, today, lang, &label) {
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

/// A problem with an answer, before it is put into words.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem<'a> {
    Required,
    /// A required declaration (one box) not ticked; its code is `required`.
    NotConfirmed,
    NotApplicable,
    UnknownField,
    UnknownLanguage(&'a str),
    WrongType,
    TooShort(u32),
    TooLong(u32),
    Pattern(Option<String>),
    NotANumber,
    TooSmall(f64),
    TooLarge(f64),
    Step(f64),
    InvalidDate,
    DateTooEarly(Date),
    DateTooLate(Date),
    InvalidOption,
    TooFewSelected(u32),
    TooManySelected(u32),
    InvalidEmail,
    InvalidTel,
    InvalidIban,
    InvalidPostcode,
    InvalidTaxId,
    FileType(Vec<String>),
    FileTooLarge(f64),
    InvalidFile,
    /// The bytes are not of the declared media type (the declared type, e.g. application/pdf).
    FileContent(String),
    TooFewItems(u32),
    TooManyItems(u32),
}

impl Problem<'_> {
    pub fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Problem::Required | Problem::NotConfirmed => C::Required,
            Problem::NotApplicable => C::NotApplicable,
            Problem::UnknownField => C::UnknownField,
            Problem::UnknownLanguage(_) => C::UnknownLanguage,
            Problem::WrongType => C::WrongType,
            Problem::TooShort(_) => C::TooShort,
            Problem::TooLong(_) => C::TooLong,
            Problem::Pattern(_) => C::Pattern,
            Problem::NotANumber => C::NotANumber,
            Problem::TooSmall(_) => C::TooSmall,
            Problem::TooLarge(_) => C::TooLarge,
            Problem::Step(_) => C::Step,
            Problem::InvalidDate => C::InvalidDate,
            Problem::DateTooEarly(_) => C::DateTooEarly,
            Problem::DateTooLate(_) => C::DateTooLate,
            Problem::InvalidOption => C::InvalidOption,
            Problem::TooFewSelected(_) => C::TooFewSelected,
            Problem::TooManySelected(_) => C::TooManySelected,
            Problem::InvalidEmail => C::InvalidEmail,
            Problem::InvalidTel => C::InvalidTel,
            Problem::InvalidIban => C::InvalidIban,
            Problem::InvalidPostcode => C::InvalidPostcode,
            Problem::InvalidTaxId => C::InvalidTaxId,
            Problem::FileType(_) => C::FileType,
            Problem::FileTooLarge(_) => C::FileTooLarge,
            Problem::InvalidFile => C::InvalidFile,
            Problem::FileContent(_) => C::FileContent,
            Problem::TooFewItems(_) => C::TooFewItems,
            Problem::TooManyItems(_) => C::TooManyItems,
        }
    }
}

/// A problem inside a field's answer: `path` follows the field id (`.postcode`, `.1.name`);
/// `label` names the part in messages when it is not the field itself.
#[derive(Debug)]
struct Sub<'a> {
    path: String,
    label: Option<String>,
    problem: Problem<'a>,
}

fn whole(problem: Problem<'_>) -> Vec<Sub<'_>> {
    vec![Sub {
        path: String::new(),
        label: None,
        problem,
    }]
}

fn check<'a>(
    field: &'a Field,
    value: &Value,
    today: Date,
    lang: &str,
    label: &str,
) -> Result<Value, Vec<Sub<'a>>> {
    match field.kind {
        FieldType::Number => check_number(field, value).map_err(whole),
        FieldType::Checkboxes => check_checkboxes(field, value).map_err(whole),
        FieldType::File => check_file(field, value).map_err(whole),
        FieldType::Address => check_address(value, label, lang),
        FieldType::Group => check_group(field, value, today, lang, label),
        _ => {
            let Value::String(s) = value else {
                return Err(whole(Problem::WrongType));
            };
            check_text(field, s, today, lang).map_err(whole)
        }
    }
}

/// A group: one entry (an object), or with `repeat` a list of entries. Empty entries (the
/// unused slots of a page without JavaScript) are dropped before counting.
fn check_group<'a>(
    field: &'a Field,
    value: &Value,
    today: Date,
    lang: &str,
    label: &str,
) -> Result<Value, Vec<Sub<'a>>> {
    let Some(repeat) = field.repeat else {
        let Value::Object(o) = value else {
            return Err(whole(Problem::WrongType));
        };
        let entry = check_entry(field, o, today, lang, "", &group_prefix(label, None))?;
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
            today,
            lang,
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

/// One entry of a group: its answers checked like top-level answers.
fn check_entry<'a>(
    group: &'a Field,
    entry: &Map<String, Value>,
    today: Date,
    lang: &str,
    path: &str,
    label_prefix: &str,
) -> Result<Value, Vec<Sub<'a>>> {
    let mut subs = Vec::new();
    let mut clean = Map::new();
    for key in entry.keys() {
        if !group.fields.iter().any(|f| &f.id == key) {
            subs.push(Sub {
                path: format!("{path}.{key}"),
                label: Some(key.clone()),
                problem: Problem::UnknownField,
            });
        }
    }
    for child in &group.fields {
        let child_label = format!("{label_prefix}{}", text_in(&child.label, lang));
        let child_path = format!("{path}.{}", child.id);
        match entry.get(&child.id).filter(|v| is_answered(v)) {
            None if is_required(child) => subs.push(Sub {
                path: child_path,
                label: Some(child_label),
                problem: missing(child),
            }),
            None => {}
            Some(v) => match check(child, v, today, lang, &child_label) {
                Ok(v) => {
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
    if subs.is_empty() {
        Ok(Value::Object(clean))
    } else {
        Err(subs)
    }
}

fn check_text<'a>(
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
        | FieldType::Group => Err(Problem::WrongType),
    }
}

/// The date a `min`/`max` of a date field means on `today`.
pub fn date_bound(bound: &Option<Bound>, today: Date) -> Option<Date> {
    match bound {
        Some(Bound::Text(s)) => DateExpr::parse(s).map(|d| d.on(today)),
        _ => None,
    }
}

fn number_bound(bound: &Option<Bound>) -> Option<f64> {
    match bound {
        Some(Bound::Number(n)) => Some(*n),
        _ => None,
    }
}

fn check_number<'a>(field: &Field, value: &Value) -> Result<Value, Problem<'a>> {
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

fn check_checkboxes<'a>(field: &Field, value: &Value) -> Result<Value, Problem<'a>> {
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

/// Whether `media` is allowed by `accept` (entries may be `image/*`).
pub fn accepts(accept: &[String], media: &str) -> bool {
    accept.iter().any(|a| match a.strip_suffix("/*") {
        Some(prefix) => media
            .split_once('/')
            .is_some_and(|(major, _)| major == prefix),
        None => a == media,
    })
}

fn check_file<'a>(field: &Field, value: &Value) -> Result<Value, Problem<'a>> {
    let Value::Object(o) = value else {
        return Err(Problem::InvalidFile);
    };
    if o.keys()
        .any(|k| !matches!(k.as_str(), "name" | "type" | "size" | "sha256"))
    {
        return Err(Problem::InvalidFile);
    }
    let name = o.get("name").and_then(Value::as_str).unwrap_or("");
    let media = o.get("type").and_then(Value::as_str).unwrap_or("");
    let size = o.get("size").and_then(Value::as_u64);
    let (Some(size), false, false) = (size, name.trim().is_empty(), media.is_empty()) else {
        return Err(Problem::InvalidFile);
    };
    if name.chars().count() > 255 || size == 0 {
        return Err(Problem::InvalidFile);
    }
    if !accepts(&field.accept, media) {
        return Err(Problem::FileType(field.accept.clone()));
    }
    if let Some(mb) = field.max_size_mb
        && size as f64 > max_file_bytes(mb)
    {
        return Err(Problem::FileTooLarge(mb));
    }
    // The page describes a chosen file without its sha256; the function adds it from the
    // bytes, and stores only file answers that match an upload's sha256 (so the stored data,
    // and the importer contract, always have it).
    if let Some(sha) = o.get("sha256") {
        let ok = sha
            .as_str()
            .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()));
        if !ok {
            return Err(Problem::InvalidFile);
        }
    }
    Ok(Value::Object(o.clone()))
}

/// A file answer in validated data: where it is (`erlaubnis`, `zulassung.nachweis`,
/// `hunde.0.impfpass`: the path of the validated answer, entries counted after empty ones were
/// dropped) and its value (`{name, type, size, sha256}`).
#[derive(Debug, Clone, PartialEq)]
pub struct FileAnswer<'a> {
    pub path: String,
    pub value: &'a Map<String, Value>,
}

/// Every file answer in `clean` (what [`validate`] returned for `form`), in form order. Each
/// path occurs once: the stored attachments are keyed by it.
pub fn file_answers<'a>(form: &ResolvedForm, clean: &'a CleanData) -> Vec<FileAnswer<'a>> {
    fn walk<'a>(
        fields: &[Field],
        answers: &'a Map<String, Value>,
        prefix: &str,
        out: &mut Vec<FileAnswer<'a>>,
    ) {
        for field in fields {
            let Some(value) = answers.get(&field.id) else {
                continue;
            };
            let path = format!("{prefix}{}", field.id);
            match (field.kind, value) {
                (FieldType::File, Value::Object(o)) => out.push(FileAnswer { path, value: o }),
                (FieldType::Group, Value::Object(entry)) => {
                    walk(&field.fields, entry, &format!("{path}."), out);
                }
                (FieldType::Group, Value::Array(entries)) => {
                    for (i, entry) in entries.iter().enumerate() {
                        if let Value::Object(entry) = entry {
                            walk(&field.fields, entry, &format!("{path}.{i}."), out);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    let top: Vec<Field> = form.form.fields().cloned().collect();
    walk(&top, clean, "", &mut out);
    out
}

/// `max-size-mb` in bytes (MB = 1,000,000 bytes, as operating systems show file sizes).
pub fn max_file_bytes(mb: f64) -> f64 {
    mb * 1_000_000.0
}

fn check_address<'a>(value: &Value, label: &str, lang: &str) -> Result<Value, Vec<Sub<'a>>> {
    let Value::Object(o) = value else {
        return Err(whole(Problem::WrongType));
    };
    let mut problems = Vec::new();
    if o.keys().any(|k| !ADDRESS_PARTS.iter().any(|p| p.key == k)) {
        problems.push(Sub {
            path: String::new(),
            label: None,
            problem: Problem::WrongType,
        });
    }
    let mut clean = Map::new();
    for part in &ADDRESS_PARTS {
        let sub = |problem| Sub {
            path: format!(".{}", part.key),
            label: Some(format!("{label} – {}", part.label(lang))),
            problem,
        };
        let raw = match o.get(part.key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) if part.postcode => {
                rules::ascii_digits(&rules::normalize_text(s))
            }
            Some(Value::String(s)) => rules::normalize_text(s),
            Some(_) => {
                problems.push(sub(Problem::WrongType));
                continue;
            }
        };
        let raw = raw.as_str();
        if raw.is_empty() {
            problems.push(sub(Problem::Required));
        } else if raw.chars().count() as u32 > part.max_length {
            problems.push(sub(Problem::TooLong(part.max_length)));
        } else if part.postcode && !rules::is_valid_postcode(raw) {
            problems.push(sub(Problem::InvalidPostcode));
        } else {
            clean.insert(part.key.to_string(), Value::String(raw.to_string()));
        }
    }
    if problems.is_empty() {
        Ok(Value::Object(clean))
    } else {
        Err(problems)
    }
}

/// A number as messages and page attributes show it: whole numbers without a decimal point.
pub fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn fmt_date(d: Date, lang: &str) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match lang {
        "en" => format!("{} {} {}", d.day(), EN[d.month() as usize - 1], d.year()),
        "de" => format!("{:02}.{:02}.{}", d.day(), d.month() as u8, d.year()),
        _ => format!("{}-{:02}-{:02}", d.year(), d.month() as u8, d.day()),
    }
}

fn media_names(types: &[String], lang: &str) -> String {
    let names: Vec<String> = types
        .iter()
        .map(|t| match t.as_str() {
            "application/pdf" => "PDF".into(),
            "image/jpeg" => "JPG".into(),
            "image/png" => "PNG".into(),
            "image/*" => match lang {
                "de" => "Bild".into(),
                "ar" => "صورة".into(),
                _ => "image".into(),
            },
            other => other.to_string(),
        })
        .collect();
    let or = match lang {
        "de" => " oder ",
        "ar" => " أو ",
        _ => " or ",
    };
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}{or}{last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// The problem in words, in `lang` (German when the language has no messages).
pub fn message(problem: &Problem, lang: &str, label: &str) -> String {
    let n = fmt_number;
    match lang {
        "en" => {
            let l = format!("“{label}”");
            match problem {
                Problem::Required => format!("{l} is required. Please answer it."),
                Problem::NotConfirmed => format!("Confirm {l} by ticking the box."),
                Problem::NotApplicable => {
                    format!("{l} does not apply given your other answers. Please leave it empty.")
                }
                Problem::UnknownField => format!("The form has no field {l}."),
                Problem::UnknownLanguage(x) => format!("This form is not offered in “{x}”."),
                Problem::WrongType => format!("The answer to {l} has the wrong form."),
                Problem::TooShort(m) => format!("{l} must be at least {m} characters."),
                Problem::TooLong(m) => format!("{l} must be {m} characters or fewer."),
                Problem::Pattern(Some(custom)) => custom.clone(),
                Problem::Pattern(None) => format!("{l} is not in the expected format."),
                Problem::NotANumber => format!("{l} must be a number, like 3 or 2.5."),
                Problem::TooSmall(m) => format!("{l} must be {} or more.", n(*m)),
                Problem::TooLarge(m) => format!("{l} must be {} or less.", n(*m)),
                Problem::Step(s) if *s == 1.0 => format!("{l} must be a whole number."),
                Problem::Step(s) => format!("{l} must be a multiple of {}.", n(*s)),
                Problem::InvalidDate => format!("{l} must be a real date."),
                Problem::DateTooEarly(d) => {
                    format!("{l} must be on or after {}.", fmt_date(*d, lang))
                }
                Problem::DateTooLate(d) => {
                    format!("{l} must be on or before {}.", fmt_date(*d, lang))
                }
                Problem::InvalidOption => format!("Choose one of the options given for {l}."),
                Problem::TooFewSelected(m) => format!("Select at least {m} for {l}."),
                Problem::TooManySelected(m) => format!("Select no more than {m} for {l}."),
                Problem::InvalidEmail => format!(
                    "{l} must be an email address in the correct format, like name@example.com."
                ),
                Problem::InvalidTel => {
                    format!("{l} must be a phone number (digits, spaces and + ( ) / - only).")
                }
                Problem::InvalidIban => format!(
                    "{l} is not a valid IBAN. Check it against your bank card, e.g. DE89 3704 0044 0532 0130 00."
                ),
                Problem::InvalidPostcode => format!("{l} must be a postcode of 5 digits."),
                Problem::InvalidTaxId => format!(
                    "{l} is not a valid tax ID (11 digits, shown on your income tax assessment)."
                ),
                Problem::FileType(t) => {
                    format!("The file for {l} must be {}.", media_names(t, lang))
                }
                Problem::FileTooLarge(mb) => {
                    format!("The file for {l} must be {} MB or smaller.", n(*mb))
                }
                Problem::InvalidFile => {
                    format!("The file for {l} could not be read. Choose it again.")
                }
                Problem::FileContent(t) => format!(
                    "The file for {l} is not a real {} file: its content does not match the type it was sent as. Choose the right file.",
                    media_names(std::slice::from_ref(t), lang)
                ),
                Problem::TooFewItems(m) => format!("Add at least {m} entries for {l}."),
                Problem::TooManyItems(m) => format!("Add no more than {m} entries for {l}."),
            }
        }
        "ar" => {
            let l = format!("«{label}»");
            match problem {
                Problem::Required => format!("الحقل {l} إلزامي. يرجى تعبئته."),
                Problem::NotConfirmed => format!("أكّد {l} بوضع علامة في المربع."),
                Problem::NotApplicable => {
                    format!("الحقل {l} لا ينطبق بحسب إجاباتك الأخرى. يرجى تركه فارغًا.")
                }
                Problem::UnknownField => format!("لا يحتوي النموذج على حقل {l}."),
                Problem::UnknownLanguage(x) => format!("هذا النموذج غير متاح باللغة «{x}»."),
                Problem::WrongType => format!("الإجابة على {l} بصيغة غير صحيحة."),
                Problem::TooShort(m) => format!("يجب أن يتكون {l} من {m} أحرف على الأقل."),
                Problem::TooLong(m) => format!("يجب ألا يتجاوز {l} {m} حرفًا."),
                Problem::Pattern(Some(custom)) => custom.clone(),
                Problem::Pattern(None) => format!("الحقل {l} ليس بالصيغة المطلوبة."),
                Problem::NotANumber => format!("يجب أن يكون {l} رقمًا، مثل 3 أو 2.5."),
                Problem::TooSmall(m) => format!("يجب أن يكون {l} {} أو أكثر.", n(*m)),
                Problem::TooLarge(m) => format!("يجب أن يكون {l} {} أو أقل.", n(*m)),
                Problem::Step(s) if *s == 1.0 => format!("يجب أن يكون {l} عددًا صحيحًا."),
                Problem::Step(s) => format!("يجب أن يكون {l} من مضاعفات {}.", n(*s)),
                Problem::InvalidDate => format!("يجب أن يكون {l} تاريخًا صحيحًا."),
                Problem::DateTooEarly(d) => {
                    format!("يجب ألا يكون {l} قبل {}.", fmt_date(*d, lang))
                }
                Problem::DateTooLate(d) => {
                    format!("يجب ألا يكون {l} بعد {}.", fmt_date(*d, lang))
                }
                Problem::InvalidOption => format!("يرجى اختيار إحدى الإجابات المعروضة في {l}."),
                Problem::TooFewSelected(m) => format!("يرجى اختيار {m} على الأقل في {l}."),
                Problem::TooManySelected(m) => format!("يرجى اختيار {m} على الأكثر في {l}."),
                Problem::InvalidEmail => {
                    format!("يجب أن يكون {l} عنوان بريد إلكتروني صحيحًا، مثل name@example.de.")
                }
                Problem::InvalidTel => {
                    format!("يجب أن يكون {l} رقم هاتف (أرقام ومسافات و + ( ) / - فقط).")
                }
                Problem::InvalidIban => format!("الحقل {l} ليس رقم IBAN صحيحًا. يرجى التحقق منه."),
                Problem::InvalidPostcode => format!("يجب أن يكون {l} رمزًا بريديًا من 5 أرقام."),
                Problem::InvalidTaxId => {
                    format!("الحقل {l} ليس رقم تعريف ضريبي صحيحًا (11 رقمًا).")
                }
                Problem::FileType(t) => {
                    format!("يجب أن يكون ملف {l} من نوع {}.", media_names(t, lang))
                }
                Problem::FileTooLarge(mb) => {
                    format!("يجب ألا يتجاوز حجم ملف {l} {} ميغابايت.", n(*mb))
                }
                Problem::InvalidFile => format!("تعذرت قراءة ملف {l}. يرجى اختياره مرة أخرى."),
                Problem::FileContent(t) => format!(
                    "ملف {l} ليس ملف {} حقيقيًا: محتواه لا يطابق النوع الذي أُرسل به. يرجى اختيار الملف الصحيح.",
                    media_names(std::slice::from_ref(t), lang)
                ),
                Problem::TooFewItems(m) => format!("يرجى إضافة {m} إدخالات على الأقل في {l}."),
                Problem::TooManyItems(m) => format!("يرجى إضافة {m} إدخالات على الأكثر في {l}."),
            }
        }
        _ => {
            let l = format!("„{label}“");
            match problem {
                Problem::Required => format!("{l} ist ein Pflichtfeld. Bitte füllen Sie es aus."),
                Problem::NotConfirmed => {
                    format!("Bestätigen Sie {l}, indem Sie das Kästchen ankreuzen.")
                }
                Problem::NotApplicable => format!(
                    "{l} trifft nach Ihren anderen Antworten nicht zu. Bitte lassen Sie es leer."
                ),
                Problem::UnknownField => format!("Das Formular hat kein Feld {l}."),
                Problem::UnknownLanguage(x) => {
                    format!("Dieses Formular wird nicht in der Sprache „{x}“ angeboten.")
                }
                Problem::WrongType => format!("Die Antwort auf {l} hat die falsche Form."),
                Problem::TooShort(m) => format!("{l} muss mindestens {m} Zeichen lang sein."),
                Problem::TooLong(m) => format!("{l} darf höchstens {m} Zeichen lang sein."),
                Problem::Pattern(Some(custom)) => custom.clone(),
                Problem::Pattern(None) => format!("{l} hat nicht das erwartete Format."),
                Problem::NotANumber => format!("{l} muss eine Zahl sein, zum Beispiel 3 oder 2.5."),
                Problem::TooSmall(m) => format!("{l} muss mindestens {} sein.", n(*m)),
                Problem::TooLarge(m) => format!("{l} darf höchstens {} sein.", n(*m)),
                Problem::Step(s) if *s == 1.0 => format!("{l} muss eine ganze Zahl sein."),
                Problem::Step(s) => format!("{l} muss ein Vielfaches von {} sein.", n(*s)),
                Problem::InvalidDate => format!("{l} muss ein gültiges Datum sein."),
                Problem::DateTooEarly(d) => {
                    format!("{l} darf nicht vor dem {} liegen.", fmt_date(*d, "de"))
                }
                Problem::DateTooLate(d) => {
                    format!("{l} darf nicht nach dem {} liegen.", fmt_date(*d, "de"))
                }
                Problem::InvalidOption => {
                    format!("Bitte wählen Sie bei {l} eine der angebotenen Antworten.")
                }
                Problem::TooFewSelected(m) => {
                    format!("Bitte kreuzen Sie bei {l} mindestens {m} an.")
                }
                Problem::TooManySelected(m) => {
                    format!("Bitte kreuzen Sie bei {l} höchstens {m} an.")
                }
                Problem::InvalidEmail => format!(
                    "{l} muss eine E-Mail-Adresse im richtigen Format sein, zum Beispiel name@example.de."
                ),
                Problem::InvalidTel => format!(
                    "{l} muss eine Telefonnummer sein (nur Ziffern, Leerzeichen und + ( ) / -)."
                ),
                Problem::InvalidIban => format!(
                    "{l} ist keine gültige IBAN. Bitte prüfen Sie die Angabe, zum Beispiel DE89 3704 0044 0532 0130 00."
                ),
                Problem::InvalidPostcode => {
                    format!("{l} muss eine Postleitzahl aus 5 Ziffern sein.")
                }
                Problem::InvalidTaxId => format!(
                    "{l} ist keine gültige Steuer-Identifikationsnummer (11 Ziffern, steht auf Ihrem Einkommensteuerbescheid)."
                ),
                Problem::FileType(t) => {
                    format!(
                        "Die Datei für {l} muss eine {}-Datei sein.",
                        media_names(t, "de")
                    )
                }
                Problem::FileTooLarge(mb) => {
                    format!("Die Datei für {l} darf höchstens {} MB groß sein.", n(*mb))
                }
                Problem::InvalidFile => format!(
                    "Die Datei für {l} konnte nicht gelesen werden. Bitte wählen Sie sie erneut aus."
                ),
                Problem::FileContent(t) => format!(
                    "Die Datei für {l} ist keine echte {}-Datei: ihr Inhalt passt nicht zu dem Typ, mit dem sie gesendet wurde. Bitte wählen Sie die richtige Datei aus.",
                    media_names(std::slice::from_ref(t), "de")
                ),
                Problem::TooFewItems(m) => {
                    format!("Bitte geben Sie bei {l} mindestens {m} Einträge an.")
                }
                Problem::TooManyItems(m) => {
                    format!("Bitte geben Sie bei {l} höchstens {m} Einträge an.")
                }
            }
        }
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
