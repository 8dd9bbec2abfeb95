//! What a catalog form leaves to each municipality: a question's option list
//! (`options-from: parkzonen`), the area an address must lie in and the date window a date must
//! lie in (`within: gemeindegebiet`). The catalog names the parameter; the municipality gives
//! its value under `parameters:` in `municipality.yaml` (for all its forms) or in an overlay
//! (for that form), and `crate::resolve` writes the value into the resolved form, so the page,
//! the JSON Schema and the function's validation all read it from there.

use serde::{Deserialize, Serialize};

use super::field::Choice;

/// A municipality's value of one parameter. Flat like the rest of the language: which keys
/// belong together follows from how the catalog uses the parameter (options for
/// `options-from`; postcodes and streets for `within` on an address or postcode; `from` and
/// `to` for `within` on a date), and the check says when a value does not fit its use.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ParameterValue {
    /// For `options-from`: the options, written as a question's `options`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// For `within` on an address or postcode: the municipality's postcodes (5 digits, quoted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postcodes: Vec<String>,
    /// For `within` on an address: the streets, spelt as on the street sign ("Hauptstraße").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub streets: Vec<String>,
    /// For `within` on a date: the first allowed day (`"2027-01-01"`, `today`, `today+7d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// For `within` on a date: the last allowed day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// What a catalog form needs of a parameter, from how it uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterUse {
    /// `options-from` on radios, select or checkboxes.
    Options,
    /// `within` on an address or postcode question.
    Area,
    /// `within` on a date question.
    DateWindow,
}

impl ParameterUse {
    /// How `field` uses a parameter, and its name: `None` when it names none.
    pub fn of(field: &super::Field) -> Option<(&str, ParameterUse)> {
        use super::FieldType as T;
        if let Some(name) = &field.options_from {
            return Some((name, ParameterUse::Options));
        }
        let name = field.within.as_deref()?;
        match field.kind {
            T::Address | T::Postcode => Some((name, ParameterUse::Area)),
            T::Date => Some((name, ParameterUse::DateWindow)),
            _ => None,
        }
    }

    /// What the question takes from the parameter, in words (`designer.yaml`).
    pub fn words(self) -> crate::msg::Msg {
        match self {
            ParameterUse::Options => crate::msg!("parameter-use-options"),
            ParameterUse::Area => crate::msg!("parameter-use-area"),
            ParameterUse::DateWindow => crate::msg!("parameter-use-date-window"),
        }
    }

    /// The keys of a [`ParameterValue`] that fit this use.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            ParameterUse::Options => &["options"],
            ParameterUse::Area => &["postcodes", "streets"],
            ParameterUse::DateWindow => &["from", "to"],
        }
    }
}

impl ParameterValue {
    /// The keys written, in the order of the struct.
    pub fn keys(&self) -> Vec<&'static str> {
        [
            ("options", !self.options.is_empty()),
            ("postcodes", !self.postcodes.is_empty()),
            ("streets", !self.streets.is_empty()),
            ("from", self.from.is_some()),
            ("to", self.to.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, present)| present.then_some(k))
        .collect()
    }
}
