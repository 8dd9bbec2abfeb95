//! The data a form page's script works from (`#form-data`): fields with their rules and
//! conditions, and the messages form-model writes for each rule, so script and function say
//! the same thing.

use std::collections::HashMap;

use serde_json::{Value, json};

use form_model::model::{Bound, Field, FieldType};
use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;
use form_model::validate::{ADDRESS_PARTS, Problem, group_prefix, message};

/// The data the page's script works from: fields with their rules and conditions, and the
/// messages form-model writes for each rule, so script and function say the same thing.
///
/// Kept small because it travels with every form page: empty rules are left out, option labels
/// are read from the page itself, and each distinct message is written once, as a template
/// with [`LABEL_MARKER`] where the field's name goes (`messages` holds the templates, a field's
/// `messages` the index of each of its codes).
pub fn script_data(form: &ResolvedForm, lang: &str) -> Value {
    let mut templates = Templates::default();
    let mut fields = Vec::new();
    let mut blocks = Vec::new();
    for step in &form.form.steps {
        for field in step.questions() {
            let label = text_in(&field.label, lang);
            fields.push(field_data(field, &step.id, lang, &label, &mut templates));
        }
        blocks.extend(conditional_blocks(&step.fields));
    }
    let has_iban = form.form.all_fields().any(|f| f.kind == FieldType::Iban);
    let mut data = json!({
        "form": form.form.id,
        "version": form.form.version,
        "language": lang,
        "steps": form.form.steps.iter().map(|s| {
            let mut step = json!({ "id": s.id });
            if let Some(c) = &s.show_if {
                step["show-if"] = json!(c);
            }
            step
        }).collect::<Vec<_>>(),
        "fields": fields,
        "messages": templates.list,
        "address-parts": ADDRESS_PARTS.iter().map(|p| json!({
            "key": p.key, "max-length": p.max_length, "postcode": p.postcode,
        })).collect::<Vec<_>>(),
    });
    // Text-blocks are no questions: only those under a condition, for the script to show and
    // hide (the others are shown with their step).
    if !blocks.is_empty() {
        data["blocks"] = json!(blocks);
    }
    if let Some((fees, money)) = crate::fees::script_fees(&form.form, lang) {
        data["fees"] = fees;
        data["money"] = money;
    }
    if has_iban {
        data["iban-formats"] = json!(form_model::rules::iban_formats());
    }
    data
}

/// Where the script writes the number of a list entry into a message ("Hund 2 – Name").
pub const ENTRY_MARKER: &str = "\u{E000}";
/// Where the script writes a field's name into a message template.
pub const LABEL_MARKER: &str = "\u{E001}";

/// The distinct message templates of one page, in first-use order.
#[derive(Default)]
struct Templates {
    list: Vec<String>,
    index: HashMap<String, usize>,
}

impl Templates {
    fn id(&mut self, text: String) -> usize {
        if let Some(&i) = self.index.get(&text) {
            return i;
        }
        self.list.push(text.clone());
        self.index.insert(text, self.list.len() - 1);
        self.list.len() - 1
    }
}

/// One field's rules and messages for the script. `name` is how messages call the field: its
/// label, or "Hund \u{E000} – Name" inside a list.
fn field_data(
    field: &Field,
    step: &str,
    lang: &str,
    name: &str,
    templates: &mut Templates,
) -> Value {
    let mut messages = serde_json::Map::new();
    let mut put = |code: &str, text: String| {
        messages.insert(code.to_string(), json!(templates.id(text)));
    };
    let msg = |p: Problem| message(&p, lang, LABEL_MARKER);
    put("required", msg(form_model::validate::missing(field)));
    put("wrong-type", msg(Problem::WrongType));
    if let Some(n) = field.min_length {
        put("too-short", msg(Problem::TooShort(n)));
    }
    if let Some(n) = field.max_length {
        put("too-long", msg(Problem::TooLong(n)));
    }
    if field.pattern.is_some() {
        put(
            "pattern",
            msg(Problem::Pattern(
                field.pattern_message.as_ref().map(|m| text_in(m, lang)),
            )),
        );
    }
    match field.kind {
        FieldType::Number => {
            put("not-a-number", msg(Problem::NotANumber));
            if let Some(Bound::Number(n)) = field.min {
                put("too-small", msg(Problem::TooSmall(n)));
            }
            if let Some(Bound::Number(n)) = field.max {
                put("too-large", msg(Problem::TooLarge(n)));
            }
            if let Some(s) = field.step {
                put("step", msg(Problem::Step(s)));
            }
        }
        FieldType::Email => put("invalid-email", msg(Problem::InvalidEmail)),
        FieldType::Tel => put("invalid-tel", msg(Problem::InvalidTel)),
        FieldType::Iban => put("invalid-iban", msg(Problem::InvalidIban)),
        FieldType::Postcode => {
            put("invalid-postcode", msg(Problem::InvalidPostcode));
            if field.area.as_ref().is_some_and(|a| !a.postcodes.is_empty()) {
                put("outside-area", msg(Problem::OutsideArea));
            }
        }
        FieldType::TaxId => put("invalid-tax-id", msg(Problem::InvalidTaxId)),
        FieldType::Radios | FieldType::Select => put("invalid-option", msg(Problem::InvalidOption)),
        FieldType::Checkboxes => {
            put("invalid-option", msg(Problem::InvalidOption));
            if let Some(n) = field.min_selected {
                put("too-few-selected", msg(Problem::TooFewSelected(n)));
            }
            if let Some(n) = field.max_selected {
                put("too-many-selected", msg(Problem::TooManySelected(n)));
            }
        }
        FieldType::File => {
            put("file-type", msg(Problem::FileType(field.accept.clone())));
            if let Some(mb) = field.max_size_mb {
                put("file-too-large", msg(Problem::FileTooLarge(mb)));
            }
            put("invalid-file", msg(Problem::InvalidFile));
        }
        FieldType::Group => {
            if let Some(r) = field.repeat {
                put("too-few-items", msg(Problem::TooFewItems(r.min)));
                if let Some(max) = r.max {
                    put("too-many-items", msg(Problem::TooManyItems(max)));
                }
            }
        }
        FieldType::Address => {
            for part in &ADDRESS_PARTS {
                let part_name = format!("{LABEL_MARKER} – {}", part.label(lang));
                let pm = |p: Problem| message(&p, lang, &part_name);
                put(&format!("{}:required", part.key), pm(Problem::Required));
                put(&format!("{}:wrong-type", part.key), pm(Problem::WrongType));
                put(
                    &format!("{}:too-long", part.key),
                    pm(Problem::TooLong(part.max_length)),
                );
                if part.postcode {
                    put(
                        &format!("{}:invalid-postcode", part.key),
                        pm(Problem::InvalidPostcode),
                    );
                }
                // Only the parts the area lists: postcodes, streets, or both.
                let listed = field.area.as_ref().is_some_and(|a| match part.key {
                    "postcode" => !a.postcodes.is_empty(),
                    "street" => !a.streets.is_empty(),
                    _ => false,
                });
                if listed {
                    put(
                        &format!("{}:outside-area", part.key),
                        pm(Problem::OutsideArea),
                    );
                }
            }
        }
        _ => {}
    }
    // A date, or a group whose questions are a date's parts.
    if field.kind == FieldType::Date || field.date_parts.is_some() {
        put("invalid-date", msg(Problem::InvalidDate));
        // The date is filled in by the script; form-model words the sentence.
        let marker = time::macros::date!(1999 - 12 - 31);
        put("date-too-early", msg(Problem::DateTooEarly(marker)));
        put("date-too-late", msg(Problem::DateTooLate(marker)));
    }
    let label = text_in(&field.label, lang);
    let mut data = json!({
        "id": field.id,
        "step": step,
        "type": field.kind.name(),
        "label": label,
        "messages": messages,
    });
    if name != label {
        data["name"] = json!(name);
    }
    if field.required {
        data["required"] = json!(true);
    }
    let rules = non_empty(json!({
        "min-length": field.min_length,
        "max-length": field.max_length,
        "pattern": field.pattern,
        "min": field.min,
        "max": field.max,
        "step": field.step,
        "options": field.options.iter().map(|o| o.value.clone()).collect::<Vec<_>>(),
        "min-selected": field.min_selected,
        "max-selected": field.max_selected,
        "accept": field.accept,
        "max-size-mb": field.max_size_mb,
        "area": field.area,
    }));
    if !rules.is_empty() {
        data["rules"] = Value::Object(rules);
    }
    if let Some(c) = &field.show_if {
        data["show-if"] = json!(c);
    }
    if let Some(c) = &field.required_if {
        data["required-if"] = json!(c);
    }
    if let Some(r) = &field.repeat {
        data["repeat"] = json!(r);
    }
    if let Some(p) = &field.date_parts {
        data["date-parts"] = json!(p);
    }
    let blocks = conditional_blocks(&field.fields);
    if !blocks.is_empty() {
        data["blocks"] = json!(blocks);
    }
    if !field.fields.is_empty() {
        data["fields"] = field
            .questions()
            .map(|c| {
                // The entry number is not known here; the script puts it where the marker is.
                let entry = field.repeat.map(|_| ENTRY_MARKER);
                let child_name =
                    format!("{}{}", group_prefix(name, entry), text_in(&c.label, lang));
                field_data(c, step, lang, &child_name, templates)
            })
            .collect();
    }
    data
}

/// The text-blocks among `fields` that have a `show-if`: their id and condition.
fn conditional_blocks(fields: &[Field]) -> Vec<Value> {
    fields
        .iter()
        .filter(|f| f.kind == FieldType::TextBlock)
        .filter_map(|f| {
            f.show_if
                .as_ref()
                .map(|c| json!({ "id": f.id, "show-if": c }))
        })
        .collect()
}

/// The members of a JSON object that say something: no nulls, no empty lists.
fn non_empty(v: Value) -> serde_json::Map<String, Value> {
    match v {
        Value::Object(m) => m
            .into_iter()
            .filter(|(_, x)| !x.is_null() && x.as_array().is_none_or(|a| !a.is_empty()))
            .collect(),
        _ => serde_json::Map::new(),
    }
}
