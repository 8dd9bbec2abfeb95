//! Checks of what serde cannot see: ids, references between fields, keys that do not fit a
//! field's type, patterns, date bounds, colours, languages. Every finding points at the value
//! it is about.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostics::{Diagnostics, FileId, Sources, suggestion};
use crate::load::{LoadedMunicipality, Project};
use crate::model::{Bound, Condition, Field, FieldType, Form, Text};
use crate::positions::{child, item};
use crate::rules::{self, DateExpr};
use crate::texts::visit_texts;
use crate::{ids, jwk, languages};

static MEDIA_TYPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z]+/([a-z0-9][a-z0-9.+\-]*|\*)$").unwrap());
static LEIKA: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[0-9]{14}$").unwrap());
static AGS: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[0-9]{8}$").unwrap());
static ORIGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(https://[a-z0-9.\-]+(:[0-9]+)?|http://(localhost|127\.0\.0\.1)(:[0-9]+)?)$")
        .unwrap()
});
static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(https://[a-z0-9.\-]+(:[0-9]+)?|http://(localhost|127\.0\.0\.1)(:[0-9]+)?)(/[A-Za-z0-9._~\-/]*)?$")
        .unwrap()
});

/// HTML autocomplete tokens for personal data (WCAG 1.3.5).
pub const AUTOCOMPLETE_TOKENS: &[&str] = &[
    "name",
    "honorific-prefix",
    "given-name",
    "additional-name",
    "family-name",
    "honorific-suffix",
    "nickname",
    "organization-title",
    "organization",
    "street-address",
    "address-line1",
    "address-line2",
    "address-line3",
    "address-level1",
    "address-level2",
    "country",
    "country-name",
    "postal-code",
    "cc-name",
    "sex",
    "bday",
    "bday-day",
    "bday-month",
    "bday-year",
    "language",
    "email",
    "tel",
    "tel-national",
    "url",
    "off",
];

/// Lints every catalog form and every municipality config.
pub fn lint_project(project: &Project, diags: &mut Diagnostics) {
    let mut seen: HashMap<(&str, u32), FileId> = HashMap::new();
    for entry in &project.catalog {
        lint_form(&project.sources, entry.file, &entry.form, diags);
        let key = (entry.form.id.as_str(), entry.form.version);
        if let Some(first) = seen.insert(key, entry.file) {
            let first_path = project.sources.get(first).path.display().to_string();
            diags.error(
                &project.sources,
                entry.file,
                "version",
                format!(
                    "{}@{} is defined twice (also in {first_path}); bump the version of the newer one",
                    key.0, key.1
                ),
            );
        }
    }
    for id in project.form_ids() {
        let latest = project.latest(id).expect("id comes from the catalog");
        if latest.archived {
            diags.error_help(
                &project.sources,
                latest.file,
                "version",
                format!(
                    "the newest version of \"{id}\" is in the archive; the current version belongs in catalog/{id}.yaml"
                ),
                "move the file out of archive/ or raise the version of the current form".into(),
            );
        }
    }
    for m in &project.municipalities {
        lint_municipality(project, m, diags);
    }
}

struct Ctx<'a> {
    sources: &'a Sources,
    file: FileId,
    diags: &'a mut Diagnostics,
}

impl Ctx<'_> {
    fn error(&mut self, path: &str, message: String) {
        self.diags.error(self.sources, self.file, path, message);
    }
    fn error_help(&mut self, path: &str, message: String, help: &str) {
        self.diags
            .error_help(self.sources, self.file, path, message, help.to_string());
    }
}

/// Lints one catalog form.
pub fn lint_form(sources: &Sources, file: FileId, form: &Form, diags: &mut Diagnostics) {
    let mut cx = Ctx {
        sources,
        file,
        diags,
    };
    slug(&mut cx, "id", &form.id, "form id");
    if form.version == 0 {
        cx.error("version", "versions start at 1".into());
    }
    if let Some(leika) = &form.leika
        && !LEIKA.is_match(leika)
    {
        cx.error(
            "leika",
            format!("LeiKa key \"{leika}\" must be 14 digits, written in quotes"),
        );
    }
    if form.retention_days == 0 || form.retention_days > 36_500 {
        cx.error(
            "retention-days",
            format!(
                "retention-days must be between 1 and 36500, not {}",
                form.retention_days
            ),
        );
    }
    visit_texts(form, &mut |_, path, text| {
        catalog_text(&mut cx, &path, text)
    });
    if form.steps.is_empty() {
        cx.error("steps", "a form needs at least one step".into());
    }
    let mut step_ids: HashMap<&str, usize> = HashMap::new();
    let mut earlier: Vec<&Field> = Vec::new();
    let mut field_ids: HashMap<&str, String> = HashMap::new();
    for (si, step) in form.steps.iter().enumerate() {
        let sp = item("steps", si);
        slug(&mut cx, &child(&sp, "id"), &step.id, "step id");
        if let Some(first) = step_ids.insert(&step.id, si) {
            let line = sources.pos(file, &child(&item("steps", first), "id")).line;
            cx.error(
                &child(&sp, "id"),
                format!(
                    "step id \"{}\" is used twice (first on line {line}); step ids must be unique",
                    step.id
                ),
            );
        }
        if let Some(cond) = &step.show_if {
            lint_condition(
                &mut cx,
                cond,
                &child(&sp, "show-if"),
                &earlier,
                &all_field_ids(form),
            );
        }
        if step.fields.is_empty() {
            cx.error(
                &child(&sp, "fields"),
                "a step needs at least one field".into(),
            );
        }
        for (fi, field) in step.fields.iter().enumerate() {
            let fp = item(&child(&sp, "fields"), fi);
            lint_field(&mut cx, field, &fp, &earlier, &all_field_ids(form));
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
                        format!(
                            "field id \"{}\" is used twice (first on line {line}); field ids must be unique in the whole form",
                            f.id
                        ),
                    );
                }
            }
            earlier.push(field);
        }
    }
    let mut fee_ids = BTreeSet::new();
    for (i, fee) in form.fees.iter().enumerate() {
        let p = item("fees", i);
        slug(&mut cx, &child(&p, "id"), &fee.id, "fee id");
        if !fee_ids.insert(&fee.id) {
            cx.error(
                &child(&p, "id"),
                format!("fee id \"{}\" is used twice", fee.id),
            );
        }
        if !(fee.amount_eur >= 0.0 && fee.amount_eur.is_finite()) {
            cx.error(&child(&p, "amount-eur"), "a fee cannot be negative".into());
        }
        if let Some(per) = &fee.per {
            match earlier.iter().find(|f| &f.id == per) {
                None => {
                    let hint = suggestion(per, earlier.iter().map(|f| f.id.as_str()));
                    cx.error(
                        &child(&p, "per"),
                        format!("unknown field \"{per}\" in per{hint}"),
                    );
                }
                Some(f)
                    if f.kind != FieldType::Number
                        && !(f.kind == FieldType::Group && f.repeat.is_some()) =>
                {
                    cx.error(
                        &child(&p, "per"),
                        format!(
                            "a fee can only be multiplied by a number field or a list (a group with repeat); \"{per}\" is {}",
                            f.kind.name()
                        ),
                    )
                }
                Some(_) => {}
            }
        }
    }
}

fn all_field_ids(form: &Form) -> Vec<&str> {
    form.steps
        .iter()
        .flat_map(|s| s.fields.iter())
        .flat_map(|f| std::iter::once(f).chain(f.fields.iter()))
        .map(|f| f.id.as_str())
        .collect()
}

fn slug(cx: &mut Ctx, path: &str, value: &str, what: &str) {
    if !ids::is_slug(value) {
        cx.error_help(
            path,
            format!(
                "{what} \"{value}\" may only contain a-z, 0-9 and \"-\", starting with a letter"
            ),
            "write umlauts as ae, oe, ue and ß as ss, e.g. \"gefaehrlich\"",
        );
    }
}

/// Catalog texts need German (the official language) and no empty translations.
fn catalog_text(cx: &mut Ctx, path: &str, text: &Text) {
    if !text.contains_key("de") {
        cx.error(
            path,
            "this text has no German (de) version; German comes first".into(),
        );
    }
    for (lang, value) in text {
        if value.trim().is_empty() {
            cx.error(&child(path, lang), format!("the {lang} text is empty"));
        }
    }
}

/// Lints one field. `earlier` are the fields before it (conditions may only refer to those);
/// `all_ids` every field id of the form (for suggestions).
pub(crate) fn lint_field_in(
    sources: &Sources,
    file: FileId,
    diags: &mut Diagnostics,
    field: &Field,
    path: &str,
    earlier: &[&Field],
    all_ids: &[&str],
) {
    let mut cx = Ctx {
        sources,
        file,
        diags,
    };
    lint_field(&mut cx, field, path, earlier, all_ids);
}

fn lint_field(cx: &mut Ctx, field: &Field, fp: &str, earlier: &[&Field], all_ids: &[&str]) {
    let kind = field.kind;
    let t = kind.name();
    slug(cx, &child(fp, "id"), &field.id, "field id");
    let not_for = |cx: &mut Ctx, present: bool, key: &str, allowed: &str| {
        if present {
            cx.error_help(
                &child(fp, key),
                format!("\"{key}\" does not apply to a {t} field"),
                &format!("\"{key}\" is for {allowed}; remove it here"),
            );
        }
    };
    let text_like = matches!(kind, FieldType::Text | FieldType::Textarea | FieldType::Tel);
    let length_ok = text_like || kind == FieldType::Email;
    not_for(
        cx,
        field.min_length.is_some() && !length_ok,
        "min-length",
        "text, textarea, tel and email fields",
    );
    not_for(
        cx,
        field.max_length.is_some() && !length_ok,
        "max-length",
        "text, textarea, tel and email fields",
    );
    not_for(
        cx,
        field.pattern.is_some() && !text_like,
        "pattern",
        "text, textarea and tel fields",
    );
    not_for(
        cx,
        field.pattern_message.is_some() && !text_like,
        "pattern-message",
        "text, textarea and tel fields",
    );
    let bounded = matches!(kind, FieldType::Number | FieldType::Date) || field.date_parts.is_some();
    not_for(
        cx,
        field.min.is_some() && !bounded,
        "min",
        "number and date fields, and groups with date-parts",
    );
    not_for(
        cx,
        field.max.is_some() && !bounded,
        "max",
        "number and date fields, and groups with date-parts",
    );
    not_for(
        cx,
        field.date_parts.is_some() && kind != FieldType::Group,
        "date-parts",
        "group fields",
    );
    not_for(
        cx,
        field.step.is_some() && kind != FieldType::Number,
        "step",
        "number fields",
    );
    not_for(
        cx,
        !field.options.is_empty() && !kind.has_options(),
        "options",
        "radios, checkboxes and select fields",
    );
    not_for(
        cx,
        field.option_order.is_some() && !kind.has_options(),
        "option-order",
        "radios, checkboxes and select fields",
    );
    not_for(
        cx,
        field.min_selected.is_some() && kind != FieldType::Checkboxes,
        "min-selected",
        "checkboxes fields",
    );
    not_for(
        cx,
        field.max_selected.is_some() && kind != FieldType::Checkboxes,
        "max-selected",
        "checkboxes fields",
    );
    not_for(
        cx,
        !field.accept.is_empty() && kind != FieldType::File,
        "accept",
        "file fields",
    );
    not_for(
        cx,
        field.max_size_mb.is_some() && kind != FieldType::File,
        "max-size-mb",
        "file fields",
    );
    not_for(
        cx,
        field.rows.is_some() && kind != FieldType::Textarea,
        "rows",
        "textarea fields",
    );
    not_for(
        cx,
        field.autocomplete.is_some() && kind == FieldType::Address,
        "autocomplete",
        "single inputs; address fields set their own tokens",
    );

    not_for(
        cx,
        !field.fields.is_empty() && kind != FieldType::Group,
        "fields",
        "group fields",
    );
    not_for(
        cx,
        field.repeat.is_some() && kind != FieldType::Group,
        "repeat",
        "group fields",
    );
    if kind == FieldType::Group {
        lint_group(cx, field, fp, all_ids);
    }
    if let (Some(min), Some(max)) = (field.min_length, field.max_length)
        && min > max
    {
        cx.error(
            &child(fp, "min-length"),
            format!("min-length {min} is greater than max-length {max}"),
        );
    }
    if field.max_length == Some(0) {
        cx.error(
            &child(fp, "max-length"),
            "max-length must be at least 1".into(),
        );
    }
    if let Some(pattern) = &field.pattern {
        if let Err(err) = Regex::new(&format!("^(?:{pattern})$")) {
            let detail = err.to_string();
            let last = detail
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .trim_start_matches("error: ");
            cx.error(
                &child(fp, "pattern"),
                format!("pattern is not a valid regular expression: {last}"),
            );
        } else if field.pattern_message.is_none() {
            cx.error_help(
                &child(fp, "pattern"),
                "a field with a pattern needs a pattern-message that tells citizens what to write"
                    .into(),
                "add pattern-message: { de: ..., en: ... }",
            );
        }
    }
    if let Some(autocomplete) = &field.autocomplete
        && !AUTOCOMPLETE_TOKENS.contains(&autocomplete.as_str())
    {
        // Names people reach for first, then the usual typo search.
        let alias = match autocomplete
            .to_lowercase()
            .replace(['-', '_', ' '], "")
            .as_str()
        {
            "firstname" | "vorname" | "forename" => Some("given-name"),
            "lastname" | "surname" | "nachname" => Some("family-name"),
            "birthday" | "birthdate" | "dateofbirth" | "geburtsdatum" => Some("bday"),
            "phone" | "telephone" | "telefon" | "mobile" => Some("tel"),
            "zip" | "zipcode" | "plz" | "postcode" => Some("postal-code"),
            "mail" | "emailaddress" => Some("email"),
            _ => None,
        };
        let hint = match alias {
            Some(token) => format!("; did you mean \"{token}\"?"),
            None => suggestion(autocomplete, AUTOCOMPLETE_TOKENS.iter().copied()),
        };
        cx.error(
            &child(fp, "autocomplete"),
            format!("unknown autocomplete token \"{autocomplete}\"{hint}"),
        );
    }
    match kind {
        FieldType::Number => {
            let number = |cx: &mut Ctx, key: &str, b: &Option<Bound>| match b {
                Some(Bound::Number(n)) => Some(*n),
                Some(Bound::Text(s)) => {
                    cx.error(
                        &child(fp, key),
                        format!("{key} of a number field must be a number, not \"{s}\""),
                    );
                    None
                }
                None => None,
            };
            let min = number(cx, "min", &field.min);
            let max = number(cx, "max", &field.max);
            if let (Some(min), Some(max)) = (min, max)
                && min > max
            {
                cx.error(
                    &child(fp, "min"),
                    format!("min {min} is greater than max {max}"),
                );
            }
            if let Some(step) = field.step
                && !(step > 0.0 && step.is_finite())
            {
                cx.error(&child(fp, "step"), "step must be greater than 0".into());
            }
        }
        FieldType::Date | FieldType::Group
            if kind == FieldType::Date || field.date_parts.is_some() =>
        {
            let date = |cx: &mut Ctx, key: &str, b: &Option<Bound>| match b {
                Some(Bound::Text(s)) => match DateExpr::parse(s) {
                    Some(d) => Some(d),
                    None => {
                        cx.error_help(
                            &child(fp, key),
                            format!("\"{s}\" is not a date"),
                            "write a date as 2026-01-31, or relative to the day of submission as today, today-18y, today+14d or today-6m",
                        );
                        None
                    }
                },
                Some(Bound::Number(n)) => {
                    cx.error_help(
                        &child(fp, key),
                        format!("\"{n}\" is not a date"),
                        "write a date as 2026-01-31, or relative to the day of submission as today, today-18y, today+14d or today-6m",
                    );
                    None
                }
                None => None,
            };
            let min = date(cx, "min", &field.min);
            let max = date(cx, "max", &field.max);
            if let (Some(min), Some(max)) = (min, max) {
                let reference = time::macros::date!(2000 - 01 - 01);
                if min.on(reference) > max.on(reference) {
                    cx.error(
                        &child(fp, "min"),
                        "the earliest date (min) is after the latest date (max)".into(),
                    );
                }
            }
        }
        FieldType::File => {
            if field.accept.is_empty() {
                cx.error_help(
                    fp,
                    format!("file field \"{}\" needs \"accept\"", field.id),
                    "list the media types citizens may upload, e.g. accept: [application/pdf, image/jpeg]",
                );
            }
            for (i, media) in field.accept.iter().enumerate() {
                if !MEDIA_TYPE.is_match(media) {
                    cx.error(
                        &item(&child(fp, "accept"), i),
                        format!("\"{media}\" is not a media type like application/pdf or image/*"),
                    );
                }
            }
            match field.max_size_mb {
                None => cx.error_help(
                    fp,
                    format!("file field \"{}\" needs \"max-size-mb\"", field.id),
                    "add max-size-mb: 5 (the function accepts at most 6 MB per submission)",
                ),
                Some(mb) if !(mb > 0.0 && mb.is_finite()) => cx.error(
                    &child(fp, "max-size-mb"),
                    "max-size-mb must be greater than 0".into(),
                ),
                _ => {}
            }
        }
        _ => {}
    }
    if kind.has_options() {
        if field.options.is_empty() {
            cx.error_help(
                fp,
                format!("{t} field \"{}\" needs options", field.id),
                "add options: [ { value: ja, label: { de: Ja, en: Yes } }, ... ]",
            );
        }
        if kind == FieldType::Radios && field.options.len() == 1 {
            cx.error_help(
                &child(fp, "options"),
                "radios need at least two options".into(),
                "for a single box to tick (a declaration) use type: checkboxes",
            );
        }
        let mut values: HashMap<&str, usize> = HashMap::new();
        for (i, option) in field.options.iter().enumerate() {
            let vp = child(&item(&child(fp, "options"), i), "value");
            if !ids::is_option_value(&option.value) {
                cx.error(
                    &vp,
                    format!(
                        "option value \"{}\" may only contain letters a-z, A-Z, digits, \"-\" and \"_\"",
                        option.value
                    ),
                );
            }
            if let Some(first) = values.insert(&option.value, i) {
                cx.error(
                    &vp,
                    format!(
                        "option \"{}\" is listed twice (also option {} of this field)",
                        option.value,
                        first + 1
                    ),
                );
            }
        }
        let n = field.options.len() as u32;
        if let Some(min) = field.min_selected
            && min > n
        {
            cx.error(
                &child(fp, "min-selected"),
                format!("min-selected is {min}, but there are only {n} options"),
            );
        }
        if let (Some(min), Some(max)) = (field.min_selected, field.max_selected)
            && min > max
        {
            cx.error(
                &child(fp, "min-selected"),
                format!("min-selected {min} is greater than max-selected {max}"),
            );
        }
    }
    if let Some(cond) = &field.show_if {
        lint_condition(cx, cond, &child(fp, "show-if"), earlier, all_ids);
    }
}

/// A group holds questions, one level deep, without conditions of their own.
fn lint_group(cx: &mut Ctx, group: &Field, fp: &str, all_ids: &[&str]) {
    if group.fields.is_empty() {
        cx.error_help(
            fp,
            format!("group \"{}\" needs fields", group.id),
            "list the group's questions under fields: [ ... ]",
        );
    }
    if let Some(repeat) = group.repeat {
        if repeat.max == Some(0) {
            cx.error(
                &child(&child(fp, "repeat"), "max"),
                "repeat max must be at least 1".into(),
            );
        }
        if repeat.max.is_some_and(|max| repeat.min > max) {
            cx.error(
                &child(&child(fp, "repeat"), "min"),
                format!(
                    "repeat min {} is greater than max {}",
                    repeat.min,
                    repeat.max.unwrap_or_default()
                ),
            );
        }
    }
    if let Some(parts) = &group.date_parts {
        let mut seen: Vec<&str> = Vec::new();
        for (key, id) in parts.named() {
            let path = child(&child(fp, "date-parts"), key);
            match group.fields.iter().find(|c| c.id == id) {
                None => cx.error_help(
                    &path,
                    format!("group \"{}\" has no question \"{id}\"", group.id),
                    "name the id of one of the group's number questions",
                ),
                Some(c) if c.kind != FieldType::Number => cx.error_help(
                    &path,
                    format!("\"{id}\" is a {} question, not a number", c.kind.name()),
                    "day, month and year are number questions (step: 1)",
                ),
                Some(_) if seen.contains(&id) => {
                    cx.error(&path, format!("\"{id}\" is named twice in date-parts"))
                }
                Some(_) => seen.push(id),
            }
        }
        if parts.day.is_some() && parts.month.is_none() {
            cx.error_help(
                &child(fp, "date-parts"),
                "date-parts has a day but no month".into(),
                "name the month question too (month: <id>)",
            );
        }
    }
    for (ci, c) in group.fields.iter().enumerate() {
        let cp = item(&child(fp, "fields"), ci);
        if c.kind == FieldType::Group {
            cx.error_help(
                &child(&cp, "type"),
                "a group cannot contain another group".into(),
                "put the inner questions directly into the outer group",
            );
            continue;
        }
        if c.show_if.is_some() {
            cx.error_help(
                &child(&cp, "show-if"),
                "questions inside a group cannot have their own condition".into(),
                "put show-if on the group, or move the question out of the group",
            );
            continue;
        }
        lint_field(cx, c, &cp, &[], all_ids);
    }
}

fn lint_condition(
    cx: &mut Ctx,
    cond: &Condition,
    path: &str,
    earlier: &[&Field],
    all_ids: &[&str],
) {
    use crate::conditions::Shape;
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

/// The accessibility statement's fields: the status and the list of what is not accessible
/// must agree, every listed text is in every language of the site, and the dates are dates.
fn lint_accessibility_statement(cx: &mut Ctx, m: &LoadedMunicipality) {
    use crate::model::ComplianceStatus;
    let a = &m.config.accessibility;
    let base = "accessibility";
    match (a.status, a.non_accessible.is_empty()) {
        (ComplianceStatus::FullyCompliant, false) => cx.error_help(
            &child(base, "non-accessible"),
            "the statement says fully-compliant but lists content that is not accessible".into(),
            "set status: partially-compliant, or remove the list",
        ),
        (ComplianceStatus::PartiallyCompliant | ComplianceStatus::NotCompliant, true) => cx
            .error_help(
                &child(base, "status"),
                format!(
                    "the statement says {} but does not say what is not accessible",
                    a.status.key()
                ),
                "list it under non-accessible: one entry per problem, with why and what to use instead",
            ),
        _ => {}
    }
    for (i, text) in a.non_accessible.iter().enumerate() {
        let missing: Vec<&str> = m
            .config
            .languages
            .iter()
            .filter(|l| !text.contains_key(*l))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            let list = missing.join(", ");
            cx.error_help(
                &item(&child(base, "non-accessible"), i),
                format!("this text has no {list} translation, but the site offers {list}"),
                &format!("add {}: ... to this text", missing[0]),
            );
        }
    }
    let body = &a.enforcement_body;
    let at = child(base, "enforcement-body");
    if body.email.is_none() && body.web.is_none() {
        cx.error_help(
            &at,
            "the enforcement body has neither an email nor a web address".into(),
            "add email: or web: so citizens can reach it",
        );
    }
    if let Some(email) = &body.email
        && !rules::is_valid_email(email)
    {
        cx.error(
            &child(&at, "email"),
            format!("\"{email}\" is not an email address"),
        );
    }
    if let Some(phone) = &body.phone
        && !rules::is_valid_tel(phone)
    {
        cx.error(
            &child(&at, "phone"),
            format!("\"{phone}\" is not a phone number (digits, spaces and + ( ) / - only)"),
        );
    }
    let date = |s: &str| {
        time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
    };
    let prepared = date(&a.prepared_on);
    if prepared.is_none() {
        cx.error_help(
            &child(base, "prepared-on"),
            format!("\"{}\" is not a date", a.prepared_on),
            "write the day the statement was prepared as YYYY-MM-DD, e.g. 2026-11-02",
        );
    }
    if let Some(reviewed) = &a.reviewed_on {
        match (date(reviewed), prepared) {
            (None, _) => cx.error_help(
                &child(base, "reviewed-on"),
                format!("\"{reviewed}\" is not a date"),
                "write the day of the last review as YYYY-MM-DD, e.g. 2026-11-28",
            ),
            (Some(r), Some(p)) if r < p => cx.error(
                &child(base, "reviewed-on"),
                format!(
                    "the statement was reviewed on {reviewed}, before it was prepared on {}",
                    a.prepared_on
                ),
            ),
            _ => {}
        }
    }
}

fn lint_municipality(project: &Project, m: &LoadedMunicipality, diags: &mut Diagnostics) {
    let mut cx = Ctx {
        sources: &project.sources,
        file: m.file,
        diags,
    };
    let c = &m.config;
    let folder = m.dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    slug(&mut cx, "id", &c.id, "municipality id");
    if c.id != folder {
        cx.error(
            "id",
            format!("id \"{}\" must match the folder name \"{folder}\"", c.id),
        );
    }
    if !AGS.is_match(&c.ags) {
        cx.error(
            "ags",
            format!(
                "Amtlicher Gemeindeschlüssel \"{}\" must be 8 digits, written in quotes",
                c.ags
            ),
        );
    }
    if c.languages.is_empty() {
        cx.error("languages", "list at least one language: [de]".into());
    } else if c.languages[0] != "de" {
        cx.error_help(
            "languages[0]",
            format!("the first language must be de, not \"{}\"", c.languages[0]),
            "German is the official language (§ 23 VwVfG); list other languages after it",
        );
    }
    let mut langs = BTreeSet::new();
    for (i, lang) in c.languages.iter().enumerate() {
        let p = item("languages", i);
        if !languages::is_known(lang) {
            let hint = suggestion(lang, languages::LANGUAGES.iter().map(|(code, _, _)| *code));
            cx.error(&p, format!("unknown language \"{lang}\"{hint}"));
        }
        if !langs.insert(lang) {
            cx.error(&p, format!("language \"{lang}\" is listed twice"));
        }
    }
    match rules::parse_hex_color(&c.branding.primary_color) {
        None => cx.error_help(
            "branding.primary-color",
            format!("\"{}\" is not a colour", c.branding.primary_color),
            "write a colour as \"#rrggbb\" in quotes, e.g. \"#005ca9\"",
        ),
        Some(rgb) => {
            let ratio = rules::contrast_ratio(rgb, [255, 255, 255]);
            if ratio < 4.5 {
                cx.error_help(
                    "branding.primary-color",
                    format!(
                        "colour {} has a contrast of {ratio:.2}:1 against white; at least 4.5:1 is needed (WCAG 1.4.3)",
                        c.branding.primary_color
                    ),
                    "choose a darker shade of the colour",
                );
            }
        }
    }
    if let Some(logo) = &c.branding.logo {
        crate::load::referenced_file(cx.sources, m.file, "branding.logo", &m.dir, logo, cx.diags);
    }
    if let Some(key) = &c.encryption_key
        && let Some(path) = crate::load::referenced_file(
            cx.sources,
            m.file,
            "encryption-key",
            &m.dir,
            key,
            cx.diags,
        )
        && let Err(problem) = jwk::read_public_rsa_jwk(&path)
    {
        cx.error_help(
            "encryption-key",
            format!("\"{key}\" is not a usable public key: {problem}"),
            "make a key pair with `formfabrik keygen <municipality>`",
        );
    }
    lint_accessibility_statement(&mut cx, m);
    let a11y = &c.accessibility;
    for (what, contact) in [
        ("contact", &c.contact),
        ("data-protection-officer", &c.data_protection_officer),
        ("supervisory-authority", &c.supervisory_authority),
    ]
    .into_iter()
    .chain(
        a11y.feedback_contact
            .as_ref()
            .map(|x| ("accessibility.feedback-contact", x)),
    ) {
        if !rules::is_valid_email(&contact.email) {
            cx.error(
                &child(what, "email"),
                format!("\"{}\" is not an email address", contact.email),
            );
        }
        if let Some(phone) = &contact.phone
            && !rules::is_valid_tel(phone)
        {
            cx.error(
                &child(what, "phone"),
                format!("\"{phone}\" is not a phone number (digits, spaces and + ( ) / - only)"),
            );
        }
    }
    if !ORIGIN.is_match(&c.site_origin) {
        cx.error_help(
            "site-origin",
            format!("\"{}\" is not a site origin", c.site_origin),
            "write the scheme and host only, e.g. https://formulare.musterstadt.de (http only for localhost)",
        );
    }
    if !ENDPOINT.is_match(&c.submission_endpoint) {
        cx.error_help(
            "submission-endpoint",
            format!(
                "\"{}\" is not a URL the pages can post to",
                c.submission_endpoint
            ),
            "write an https URL without query, e.g. https://api.musterstadt.de/v1",
        );
    }
    for (kind, texts) in [
        ("imprint", &c.pages.imprint),
        ("privacy", &c.pages.privacy),
        ("accessibility", &c.pages.accessibility),
    ] {
        let known = |l: &String| languages::is_known(l);
        // An unknown language is reported once, above, not again for every page.
        let all_known = c.languages.iter().all(known);
        for lang in c.languages.iter().filter(|l| known(l)) {
            if !texts.contains_key(lang) {
                cx.error(
                    &child("pages", kind),
                    format!("the {kind} page has no {lang} version, but {lang} is one of the site's languages"),
                );
            }
        }
        for lang in texts.keys() {
            if all_known && !c.languages.contains(lang) {
                cx.diags.warning(
                    cx.sources,
                    m.file,
                    &child(&child("pages", kind), lang),
                    format!(
                        "{lang} is not one of the site's languages; this page is not published"
                    ),
                );
            }
        }
    }
    let mut used = HashMap::new();
    for (i, form_use) in c.forms.iter().enumerate() {
        let up = child(&item("forms", i), "use");
        let Some((id, version)) = form_use.form_and_version() else {
            cx.error_help(
                &up,
                format!("\"{}\" must name a form and its version", form_use.form),
                "write use: <form-id>@<version>, e.g. use: hundesteuer-anmeldung@2",
            );
            continue;
        };
        if let Some(first) = used.insert(id, i) {
            cx.error(
                &up,
                format!(
                    "form \"{id}\" is offered twice (also entry {} of forms)",
                    first + 1
                ),
            );
        }
        let Some(catalog) = project.form(id, version) else {
            if project.unreadable_catalog.iter().any(|u| u == id) {
                continue;
            }
            if let Some(latest) = project.latest(id) {
                let mut versions: Vec<u32> = project
                    .catalog
                    .iter()
                    .filter(|e| e.form.id == id)
                    .map(|e| e.form.version)
                    .collect();
                versions.sort();
                let list = versions
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                cx.error_help(
                    &up,
                    format!("the catalog has no version {version} of \"{id}\" (it has {list})"),
                    &format!("use {id}@{}", latest.form.version),
                );
            } else {
                let hint = suggestion(id, project.form_ids());
                cx.error(&up, format!("unknown catalog form \"{id}\"{hint}"));
            }
            continue;
        };
        for (fee_id, fee) in &form_use.fees {
            let fp = child(&child(&item("forms", i), "fees"), fee_id);
            if !catalog.form.fees.iter().any(|f| &f.id == fee_id) {
                let hint = suggestion(fee_id, catalog.form.fees.iter().map(|f| f.id.as_str()));
                cx.diags.error_at_key(
                    cx.sources,
                    m.file,
                    &fp,
                    format!("form \"{id}\" has no fee \"{fee_id}\"{hint}"),
                );
            }
            if !(fee.amount_eur >= 0.0 && fee.amount_eur.is_finite()) {
                cx.error(&child(&fp, "amount-eur"), "a fee cannot be negative".into());
            }
        }
    }
}
