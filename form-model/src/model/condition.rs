//! When a step or a question is shown, written as data (what the conditions mean is in
//! `crate::conditions`).

use serde::{Deserialize, Serialize};

/// When a step or field is shown. Conditions are data, not code, so that the page's script and
/// the function evaluate them identically. Exactly one shape per condition:
/// `{field, equals}`, `{field, in}`, `{all: [...]}`, `{any: [...]}`, `{not: {...}}`.
///
/// For checkboxes, `equals: x` holds when `x` is ticked and `in: [x, y]` when any of them is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
}
