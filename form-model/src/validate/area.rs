//! The area rule: an address or postcode must lie in the municipality (its postcodes, for an
//! address also its streets), as resolve wrote them into the question (`area`). A street is
//! matched as people write it — case, spaces and „str.“ or „strasse“ for „straße“ do not
//! matter — and stored as the municipality spells it. The page's script does the same.

use serde_json::Value;

use crate::model::{Area, Field};

use super::address::ADDRESS_PARTS;
use super::problem::{Problem, Sub, whole};

/// A street as compared: lower case, single spaces, „straße“ for a final „str.“/„strasse“.
pub fn street_key(street: &str) -> String {
    let lower = street
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    for short in ["str.", "strasse"] {
        if let Some(stem) = lower.strip_suffix(short) {
            return format!("{stem}straße");
        }
    }
    lower
}

/// The municipality's spelling of `street`, when it is one of its streets.
pub fn listed_street<'a>(area: &'a Area, street: &str) -> Option<&'a str> {
    let key = street_key(street);
    area.streets
        .iter()
        .find(|s| street_key(s) == key)
        .map(String::as_str)
}

/// `clean` (the answer to `field`, already checked by type) within the field's area; the street
/// in the municipality's spelling.
pub(super) fn within_area<'a>(
    field: &Field,
    clean: Value,
    label: &str,
    lang: &str,
) -> Result<Value, Vec<Sub<'a>>> {
    let Some(area) = &field.area else {
        return Ok(clean);
    };
    let postcode_ok = |p: &str| area.postcodes.is_empty() || area.postcodes.iter().any(|x| x == p);
    match clean {
        Value::String(postcode) if postcode_ok(&postcode) => Ok(Value::String(postcode)),
        Value::String(_) => Err(whole(Problem::OutsideArea)),
        Value::Object(mut address) => {
            let mut subs = Vec::new();
            let part = |key: &str| {
                let p = ADDRESS_PARTS.iter().find(|p| p.key == key).expect("a part");
                Sub {
                    path: format!(".{key}"),
                    label: Some(format!("{label} – {}", p.label(lang))),
                    problem: Problem::OutsideArea,
                }
            };
            if let Some(Value::String(street)) = address.get("street")
                && !area.streets.is_empty()
            {
                match listed_street(area, street) {
                    Some(listed) => {
                        address.insert("street".into(), Value::String(listed.to_string()));
                    }
                    None => subs.push(part("street")),
                }
            }
            if let Some(Value::String(postcode)) = address.get("postcode")
                && !postcode_ok(postcode)
            {
                subs.push(part("postcode"));
            }
            if subs.is_empty() {
                Ok(Value::Object(address))
            } else {
                Err(subs)
            }
        }
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_street_matches_whatever_its_case_spaces_and_abbreviation() {
        let area = Area {
            postcodes: vec![],
            streets: vec!["Hauptstraße".into(), "Am Markt".into()],
        };
        for typed in ["hauptstr.", "Hauptstrasse", "HAUPTSTRASSE", "Hauptstraße"] {
            assert_eq!(listed_street(&area, typed), Some("Hauptstraße"), "{typed}");
        }
        assert_eq!(listed_street(&area, "am   markt"), Some("Am Markt"));
        assert_eq!(listed_street(&area, "Nebenstraße"), None);
        assert_eq!(listed_street(&area, "Haupt"), None);
    }
}
