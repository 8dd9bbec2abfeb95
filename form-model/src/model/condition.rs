//! When a step or a question is shown (or required), written as data (what the conditions mean
//! is in `crate::conditions`).

use serde::{Deserialize, Serialize};

/// When a step or field is shown (`show-if`) or required (`required-if`). Conditions are data,
/// not code, so that the page's script and the function evaluate them identically. Exactly one
/// shape per condition: `{field, equals}`, `{field, in}`, a date test `{field, after}` (also
/// `before`, `not-before`, `not-after`, with a date or `today±N[dmy]`), `{answered}` (one id
/// or a list: any of them answered), `{exactly-one: [...]}`, `{all: [...]}`, `{any: [...]}`,
/// `{not: {...}}`.
///
/// For checkboxes, `equals: x` holds when `x` is ticked and `in: [x, y]` when any of them is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
    /// The date answer is later than this bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    /// At least one of these questions is answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<Names>,
    /// Exactly one of these questions is answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exactly_one: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
}

/// One question id, or a list of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Names {
    One(String),
    Many(Vec<String>),
}

impl Names {
    pub fn as_slice(&self) -> &[String] {
        match self {
            Names::One(s) => std::slice::from_ref(s),
            Names::Many(v) => v,
        }
    }
}
