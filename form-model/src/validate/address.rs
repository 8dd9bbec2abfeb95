//! Address fields: the parts the page shows (their autocomplete tokens and lengths; their labels
//! are form-model's messages, `address.yaml`) and the check of an address answer part by part.

use serde_json::{Map, Value};

use crate::messages::ADDRESS;
use crate::rules;

use super::problem::{Problem, Sub, whole};

/// One part of an address field. The page renders these inputs; the function checks them.
#[derive(Debug, Clone, Copy)]
pub struct AddressPart {
    /// The part's key in the answer, and its label's key in `address.yaml`.
    pub key: &'static str,
    pub autocomplete: &'static str,
    pub max_length: u32,
    pub postcode: bool,
}

/// The parts of an address, in the order the page shows them.
pub const ADDRESS_PARTS: [AddressPart; 4] = [
    AddressPart {
        key: "street",
        autocomplete: "address-line1",
        max_length: 120,
        postcode: false,
    },
    AddressPart {
        key: "house-number",
        autocomplete: "address-line2",
        max_length: 20,
        postcode: false,
    },
    AddressPart {
        key: "postcode",
        autocomplete: "postal-code",
        max_length: 5,
        postcode: true,
    },
    AddressPart {
        key: "city",
        autocomplete: "address-level2",
        max_length: 120,
        postcode: false,
    },
];

impl AddressPart {
    /// The part's label in `lang` (German when the labels are not written in it).
    pub fn label(&self, lang: &str) -> &'static str {
        ADDRESS.text(self.key, lang)
    }
}

pub(super) fn check_address<'a>(
    value: &Value,
    label: &str,
    lang: &str,
) -> Result<Value, Vec<Sub<'a>>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_part_has_a_label_and_every_label_a_part() {
        let mut parts: Vec<&str> = ADDRESS_PARTS.iter().map(|p| p.key).collect();
        parts.sort_unstable();
        let labels: Vec<&str> = ADDRESS.table().keys().map(String::as_str).collect();
        assert_eq!(labels, parts);
        assert_eq!(ADDRESS_PARTS[2].label("ar"), "الرمز البريدي");
        assert_eq!(ADDRESS_PARTS[2].label("fr"), "Postleitzahl");
    }
}
