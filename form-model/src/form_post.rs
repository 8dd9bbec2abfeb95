//! Turning a browser's form post (name/value pairs from `application/x-www-form-urlencoded` or
//! the text parts of `multipart/form-data`) into a [`Submission`], using the form to know which
//! fields hold lists (checkboxes) or parts (addresses). The page's inputs are named by the same
//! rules (see [`input_name`]), so page and function cannot drift apart.
//!
//! Reserved names start with `_`, which field ids cannot: `_id` (client submission id), `_lang`
//! (page language) and `_hp` (honeypot: a field hidden from people that bots fill in).

use serde_json::{Map, Value};

use crate::model::FieldType;
use crate::resolve::ResolvedForm;
use crate::validate::Submission;

pub const ID_NAME: &str = "_id";
pub const LANG_NAME: &str = "_lang";
pub const HONEYPOT_NAME: &str = "_hp";

/// A decoded form post.
#[derive(Debug, Clone, PartialEq)]
pub struct FormPost {
    pub submission: Submission,
    /// The submission id the page generated, if it sent one.
    pub id: Option<String>,
    /// True when the honeypot was filled: a bot, to be dropped and counted.
    pub honeypot: bool,
}

/// The `name` of an input: the field id, or `<field>.<part>` for a part of an address.
pub fn input_name(field: &str, part: Option<&str>) -> String {
    match part {
        Some(p) => format!("{field}.{p}"),
        None => field.to_string(),
    }
}

/// Decodes name/value pairs. Unknown names are kept (validation reports them); a field that
/// takes one value but was sent several keeps them all as a list (validation reports that too).
pub fn decode(form: &ResolvedForm, pairs: impl IntoIterator<Item = (String, String)>) -> FormPost {
    let mut data = Map::new();
    let mut id = None;
    let mut language = None;
    let mut honeypot = false;
    for (name, value) in pairs {
        match name.as_str() {
            ID_NAME => {
                id = Some(value);
                continue;
            }
            LANG_NAME => {
                language = Some(value);
                continue;
            }
            HONEYPOT_NAME => {
                honeypot |= !value.trim().is_empty();
                continue;
            }
            _ => {}
        }
        if let Some((head, rest)) = name.split_once('.')
            && let Some(field) = form.field(head)
            && matches!(field.kind, FieldType::Address | FieldType::Group)
        {
            let entry = data
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            insert_nested(field, entry, rest, value);
            continue;
        }
        let multi = form
            .field(&name)
            .is_some_and(|f| f.kind == FieldType::Checkboxes);
        match data.get_mut(&name) {
            Some(Value::Array(items)) => items.push(Value::String(value)),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(value)]);
            }
            None if multi => {
                data.insert(name, Value::Array(vec![Value::String(value)]));
            }
            None => {
                data.insert(name, Value::String(value));
            }
        }
    }
    let language = language
        .or_else(|| form.languages.first().cloned())
        .unwrap_or_else(|| "de".into());
    FormPost {
        submission: Submission { language, data },
        id,
        honeypot,
    }
}

/// Most entries a form post may address in one list; more is not a form a person filled in.
const MAX_ENTRIES: usize = 200;

/// Puts `value` at `rest` (`street`, `kind-vorname`, `2.kind-vorname`, `2.anschrift.city`)
/// below the address or group value `slot`.
fn insert_nested(field: &crate::model::Field, slot: &mut Value, rest: &str, value: String) {
    match field.kind {
        FieldType::Address => {
            if let Value::Object(parts) = slot {
                parts.insert(rest.to_string(), Value::String(value));
            }
        }
        FieldType::Group => {
            let (entry, rest) = if field.repeat.is_some() {
                let Some((index, rest)) = rest.split_once('.') else {
                    return;
                };
                let Some(index) = index.parse::<usize>().ok().filter(|i| *i < MAX_ENTRIES) else {
                    return;
                };
                if !slot.is_array() {
                    *slot = Value::Array(Vec::new());
                }
                let Value::Array(items) = slot else { return };
                while items.len() <= index {
                    items.push(Value::Object(Map::new()));
                }
                (&mut items[index], rest)
            } else {
                (slot, rest)
            };
            let Value::Object(answers) = entry else {
                return;
            };
            let (child_id, part) = match rest.split_once('.') {
                Some((c, p)) => (c, Some(p)),
                None => (rest, None),
            };
            let child = field.fields.iter().find(|c| c.id == child_id);
            match (child, part) {
                (Some(c), Some(p)) if c.kind == FieldType::Address => {
                    let parts = answers
                        .entry(child_id.to_string())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(parts) = parts {
                        parts.insert(p.to_string(), Value::String(value));
                    }
                }
                (Some(c), None) if c.kind == FieldType::Checkboxes => {
                    let list = answers
                        .entry(child_id.to_string())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(list) = list {
                        list.push(Value::String(value));
                    }
                }
                _ => {
                    answers.insert(rest.to_string(), Value::String(value));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Form;
    use crate::resolve::MunicipalityRef;
    use serde_json::json;

    fn form() -> ResolvedForm {
        let form: Form = serde_yaml::from_str(
            r#"
id: f
version: 1
title: { de: F }
purpose: { de: P }
legal-basis: { de: L }
retention-days: 1
steps:
  - id: s
    title: { de: S }
    fields:
      - { id: name, type: text, label: { de: Name } }
      - { id: anschrift, type: address, label: { de: Anschrift } }
      - { id: klassen, type: checkboxes, label: { de: K }, options: [ { value: a, label: { de: A } }, { value: b, label: { de: B } } ] }
"#,
        )
        .unwrap();
        ResolvedForm::new(
            MunicipalityRef {
                id: "m".into(),
                name: "M".into(),
                ags: "00000000".into(),
            },
            vec!["de".into(), "en".into()],
            form,
        )
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn groups_checkboxes_and_address_parts() {
        let post = decode(
            &form(),
            pairs(&[
                ("_lang", "en"),
                ("_id", "7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c"),
                ("name", "Erika"),
                ("anschrift.street", "Hauptstraße"),
                ("anschrift.postcode", "35390"),
                ("klassen", "a"),
                ("klassen", "b"),
                ("_hp", ""),
            ]),
        );
        assert_eq!(post.submission.language, "en");
        assert_eq!(
            post.id.as_deref(),
            Some("7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c")
        );
        assert!(!post.honeypot);
        assert_eq!(
            Value::Object(post.submission.data),
            json!({ "name": "Erika", "anschrift": { "street": "Hauptstraße", "postcode": "35390" }, "klassen": ["a", "b"] })
        );
    }

    #[test]
    fn a_single_ticked_checkbox_is_still_a_list_and_a_filled_honeypot_is_noticed() {
        let post = decode(&form(), pairs(&[("klassen", "a"), ("_hp", "http://spam")]));
        assert_eq!(post.submission.data["klassen"], json!(["a"]));
        assert!(post.honeypot);
        assert_eq!(post.submission.language, "de");
    }

    #[test]
    fn repeated_single_value_fields_become_a_list_for_validation_to_reject() {
        let post = decode(
            &form(),
            pairs(&[("name", "a"), ("name", "b"), ("x.y", "z")]),
        );
        assert_eq!(post.submission.data["name"], json!(["a", "b"]));
        assert_eq!(post.submission.data["x.y"], json!("z"));
    }
}
