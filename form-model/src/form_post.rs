//! Turning a browser's form post (name/value pairs from `application/x-www-form-urlencoded` or
//! the text parts of `multipart/form-data`) into a [`Submission`], using the form to know which
//! fields hold lists (checkboxes) or parts (addresses). The page's inputs are named by the same
//! rules (see [`input_name`]), so page and function cannot drift apart.
//!
//! Reserved names start with `_`, which field ids cannot: `_id` (client submission id), `_lang`
//! (page language), `_hp` (honeypot: a field hidden from people that bots fill in) and
//! `_payment` (the send button clicked on a form whose payment is optional: `online` or
//! `notice`).

use serde_json::{Map, Value};

use crate::model::FieldType;
use crate::resolve::ResolvedForm;
use crate::validate::Submission;

pub const ID_NAME: &str = "_id";
pub const LANG_NAME: &str = "_lang";
pub const HONEYPOT_NAME: &str = "_hp";
pub const PAYMENT_NAME: &str = "_payment";

/// A decoded form post.
#[derive(Debug, Clone, PartialEq)]
pub struct FormPost {
    pub submission: Submission,
    /// The submission id the page generated, if it sent one.
    pub id: Option<String>,
    /// True when the honeypot was filled: a bot, to be dropped and counted.
    pub honeypot: bool,
    /// The value of the send button clicked (`_payment`), as sent.
    pub payment: Option<String>,
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
    let mut payment = None;
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
            PAYMENT_NAME => {
                payment = Some(value);
                continue;
            }
            _ => {}
        }
        insert(form, &mut data, &name, Value::String(value));
    }
    let language = language
        .or_else(|| form.languages.first().cloned())
        .unwrap_or_else(|| "de".into());
    FormPost {
        submission: Submission { language, data },
        id,
        honeypot,
        payment,
    }
}

/// Puts one answer where its input name says: a field id, `<field>.<part>` of an address, or a
/// path into a group (`hunde.2.name`, `zulassung.nachweis`). The text values of a form post
/// and uploaded files (as their descriptions) go through here alike, so a file inside a group
/// lands at its question. A name that addresses nothing (an unknown field, `hunde.x`, an entry
/// index beyond [`MAX_ENTRIES`]) is kept under the name as sent, so validation reports it:
/// nothing a client sends is dropped silently. A field that takes one value but gets several
/// keeps them all as a list (validation reports that too).
pub fn insert(form: &ResolvedForm, data: &mut Map<String, Value>, name: &str, value: Value) {
    if let Some((head, rest)) = name.split_once('.')
        && let Some(field) = form.top_level_field(head)
        && matches!(field.kind, FieldType::Address | FieldType::Group)
    {
        let placed = {
            let entry = data
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            insert_nested(field, entry, rest, value)
        };
        match placed {
            Ok(()) => return,
            Err(value) => {
                // Nothing was placed: leave no empty shell behind for a name that missed.
                if data
                    .get(head)
                    .is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
                {
                    data.remove(head);
                }
                add(data, name, value, false);
                return;
            }
        }
    }
    let multi = form
        .top_level_field(name)
        .is_some_and(|f| f.kind == FieldType::Checkboxes);
    add(data, name, value, multi);
}

/// The most inputs a page of `form` can send (each input name once, checkboxes once per
/// option, lists at their largest), the reserved names included. A body with many more names
/// than this was not made by the form's page; the function refuses it before it reads further.
pub fn max_inputs(form: &ResolvedForm) -> usize {
    fn inputs(field: &crate::model::Field) -> usize {
        match field.kind {
            FieldType::Address => crate::validate::ADDRESS_PARTS.len(),
            FieldType::Checkboxes => field.options.len().max(1),
            FieldType::Group => {
                let entry: usize = field.questions().map(inputs).sum();
                let entries = field.repeat.map_or(1, |r| {
                    r.max.map_or(MAX_ENTRIES, |m| (m as usize).min(MAX_ENTRIES))
                });
                entry.max(1) * entries
            }
            _ => 1,
        }
    }
    3 + form.form.fields().map(inputs).sum::<usize>()
}

/// Adds `value` under `key`: a list for a checkboxes question, else the value, or a list of
/// all values once there is more than one.
fn add(map: &mut Map<String, Value>, key: &str, value: Value, multi: bool) {
    match map.get_mut(key) {
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
        None if multi => {
            map.insert(key.to_string(), Value::Array(vec![value]));
        }
        None => {
            map.insert(key.to_string(), value);
        }
    }
}

/// Most entries a form post may address in one list; more is not a form a person filled in.
pub const MAX_ENTRIES: usize = 200;

/// Puts `value` at `rest` (`street`, `kind-vorname`, `2.kind-vorname`, `2.anschrift.city`)
/// below the address or group value `slot`; gives the value back when `rest` addresses no
/// place (a list entry without an index, or with one that is not a number below
/// [`MAX_ENTRIES`]).
fn insert_nested(
    field: &crate::model::Field,
    slot: &mut Value,
    rest: &str,
    value: Value,
) -> Result<(), Value> {
    match field.kind {
        FieldType::Address => {
            if let Value::Object(parts) = slot {
                parts.insert(rest.to_string(), value);
                Ok(())
            } else {
                Err(value)
            }
        }
        FieldType::Group => {
            let (entry, rest) = if field.repeat.is_some() {
                let Some((index, rest)) = rest.split_once('.') else {
                    return Err(value);
                };
                // Only plain decimal indexes: "01", "+1" or " 1" are not what a page sends.
                let canonical = !index.is_empty()
                    && index.bytes().all(|b| b.is_ascii_digit())
                    && (index == "0" || !index.starts_with('0'));
                let Some(index) = index
                    .parse::<usize>()
                    .ok()
                    .filter(|i| canonical && *i < MAX_ENTRIES)
                else {
                    return Err(value);
                };
                if !slot.is_array() {
                    if slot.as_object().is_some_and(|o| !o.is_empty()) {
                        return Err(value);
                    }
                    *slot = Value::Array(Vec::new());
                }
                let Value::Array(items) = slot else {
                    return Err(value);
                };
                while items.len() <= index {
                    items.push(Value::Object(Map::new()));
                }
                (&mut items[index], rest)
            } else {
                (slot, rest)
            };
            let Value::Object(answers) = entry else {
                return Err(value);
            };
            let (child_id, part) = match rest.split_once('.') {
                Some((c, p)) => (c, Some(p)),
                None => (rest, None),
            };
            let child = field.questions().find(|c| c.id == child_id);
            match (child, part) {
                (Some(c), Some(p)) if c.kind == FieldType::Address => {
                    let parts = answers
                        .entry(child_id.to_string())
                        .or_insert_with(|| Value::Object(Map::new()));
                    match parts {
                        Value::Object(parts) => {
                            parts.insert(p.to_string(), value);
                            Ok(())
                        }
                        _ => Err(value),
                    }
                }
                (Some(c), None) => {
                    add(answers, child_id, value, c.kind == FieldType::Checkboxes);
                    Ok(())
                }
                _ => {
                    // Kept at its place in the entry: validation names it `hunde.0.x`.
                    add(answers, rest, value, false);
                    Ok(())
                }
            }
        }
        _ => Err(value),
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
      - id: zulassung
        type: group
        label: { de: Z }
        fields:
          - { id: nummer, type: text, label: { de: N } }
          - { id: nachweis, type: file, label: { de: Nachweis }, accept: [application/pdf] }
      - id: personen
        type: group
        label: { de: P }
        repeat: { min: 0, max: 3 }
        fields:
          - { id: name, type: text, label: { de: N } }
          - { id: nachweis, type: file, label: { de: Nachweis }, accept: [application/pdf] }
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
    fn files_land_at_their_question_also_inside_groups_and_list_entries() {
        let form = form();
        let mut data = decode(
            &form,
            pairs(&[("zulassung.nummer", "Z-1"), ("personen.1.name", "Erika")]),
        )
        .submission
        .data;
        let pdf =
            |n: &str| json!({ "name": n, "type": "application/pdf", "size": 3, "sha256": "ab" });
        insert(&form, &mut data, "zulassung.nachweis", pdf("z.pdf"));
        insert(&form, &mut data, "personen.1.nachweis", pdf("p.pdf"));
        insert(&form, &mut data, "personen.1.nachweis", pdf("q.pdf"));
        assert_eq!(
            Value::Object(data),
            json!({
                "zulassung": { "nummer": "Z-1", "nachweis": pdf("z.pdf") },
                // Two files for one question stay both, for validation to refuse.
                "personen": [{}, { "name": "Erika", "nachweis": [pdf("p.pdf"), pdf("q.pdf")] }],
            })
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
