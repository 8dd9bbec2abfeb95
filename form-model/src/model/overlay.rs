//! A municipality's adaptation of one catalog form: operations on named fields, steps and the
//! form's own texts (applied by `crate::resolve`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::field::Field;
use super::text::Text;

/// A municipality's adaptation of one catalog form: explicit operations on named targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Overlay {
    #[serde(default)]
    pub operations: Vec<OperationEntry>,
    /// Values of the catalog form's parameters for this form only (see
    /// `Municipality::parameters`, which they win over).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, super::parameter::ParameterValue>,
}

/// One overlay operation, written as a mapping with exactly one key: `- set: {...}`,
/// `- hide: {...}`, `- add: {...}`, `- set-step: {...}` or `- set-form: {...}`. Each names its
/// target, so a catalog upgrade that removes the target is reported instead of silently
/// dropping the adaptation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OperationEntry {
    /// Change texts or `required` of a field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<SetField>,
    /// Remove an optional, unlocked field nothing depends on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide: Option<HideField>,
    /// Add a new field after or before an existing one, or first in a step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add: Option<AddField>,
    /// Change texts of a step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_step: Option<SetStep>,
    /// Change texts of the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_form: Option<SetForm>,
}

/// The operation an [`OperationEntry`] holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operation<'a> {
    Set(&'a SetField),
    Hide(&'a HideField),
    Add(&'a AddField),
    SetStep(&'a SetStep),
    SetForm(&'a SetForm),
}

impl OperationEntry {
    /// The one operation of this entry, or `None` if it has none or several.
    pub fn operation(&self) -> Option<Operation<'_>> {
        let all = [
            self.set.as_ref().map(Operation::Set),
            self.hide.as_ref().map(Operation::Hide),
            self.add.as_ref().map(Operation::Add),
            self.set_step.as_ref().map(Operation::SetStep),
            self.set_form.as_ref().map(Operation::SetForm),
        ];
        let mut present = all.into_iter().flatten();
        match (present.next(), present.next()) {
            (Some(op), None) => Some(op),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SetField {
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Replace the option labels, keyed by option value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub option_labels: BTreeMap<String, Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HideField {
    pub field: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AddField {
    /// Place the new question right after this one (in its step, or in its group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Place it right before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Place it first in this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_in: Option<String>,
    pub field: Field,
}

/// Where an `add` places its question: exactly one of `after`, `before`, `first-in`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement<'a> {
    After(&'a str),
    Before(&'a str),
    FirstIn(&'a str),
}

impl AddField {
    /// Where the question goes, or `None` when not exactly one place is named.
    pub fn placement(&self) -> Option<Placement<'_>> {
        let all = [
            self.after.as_deref().map(Placement::After),
            self.before.as_deref().map(Placement::Before),
            self.first_in.as_deref().map(Placement::FirstIn),
        ];
        let mut named = all.into_iter().flatten();
        match (named.next(), named.next()) {
            (Some(p), None) => Some(p),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SetStep {
    pub step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SetForm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<Text>,
    /// Take a SEPA direct-debit mandate with these questions (for a form version that does not
    /// declare one itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sepa_mandate: Option<super::sepa::SepaMandate>,
}
