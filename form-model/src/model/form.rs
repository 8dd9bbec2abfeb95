//! A catalog form: the process, its steps and fees, and how to find a question in it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use super::field::{Field, FimRef};
use super::identity::{ClaimKey, IdentityUse};
use super::payment::PaymentMode;
use super::text::Text;

/// A catalog form: one administrative process, written once for all municipalities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Form {
    /// Slug used in URLs and object keys.
    pub id: String,
    /// Bumped whenever the shape of the submitted data changes.
    pub version: u32,
    /// LeiKa service key (becomes `urn:de:fim:leika:leistung:<key>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leika: Option<String>,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    /// What the data is used for (Art. 13 (1) c DSGVO).
    pub purpose: Text,
    /// Legal basis of the processing (Art. 13 (1) c DSGVO), e.g. the statute.
    pub legal_basis: Text,
    /// Who receives the data besides the municipality (Art. 13 (1) e DSGVO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<Text>,
    /// How long the back office may keep a submission.
    pub retention_days: u32,
    /// How the e-file files an application (records-plan key, retention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<super::efile::Records>,
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<Fee>,
    /// Whether the fees are paid online before the submission is handed on (`required`,
    /// `optional`); a municipality may say otherwise for its form. Resolved: what applies.
    #[serde(default, skip_serializing_if = "PaymentMode::is_none")]
    pub payment: PaymentMode,
    /// Sign-in with BundID: `none` (default), `optional`, or `{ required: substantial | high }`
    /// (docs/identity.md). A municipality may offer sign-in where the catalog does not
    /// (`forms: - identity:` in its `municipality.yaml`), never less than the catalog requires.
    #[serde(default, skip_serializing_if = "IdentityUse::is_none")]
    pub identity: IdentityUse,
    /// Questions filled in from the account after sign-in: question id → what of the account
    /// (`vorname: given-name`, `anschrift: address`). With a required level they are locked.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prefill: BTreeMap<String, ClaimKey>,
    /// A SEPA direct-debit mandate the form takes: which questions are the account holder, the
    /// IBAN and the consent (the page shows the mandate text with the municipality's creditor
    /// identifier there), and whether it is for recurring collections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sepa_mandate: Option<super::sepa::SepaMandate>,
    /// The FIM Stammdatenschema the form was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<FimRef>,
}

/// A step of the wizard; without JavaScript a section of the one-page form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Step {
    pub id: String,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    /// The whole step is only shown (and its fields only asked) while this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    pub fields: Vec<Field>,
}

impl Step {
    /// The step's questions, without its text-blocks.
    pub fn questions(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.is_question())
    }
}

/// A fee the citizen will be charged. Its amount is `amount-eur`, or the amount of the option
/// chosen in a question (`by-choice`): exactly one of the two (lint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Fee {
    pub id: String,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_eur: Option<f64>,
    /// The amount depends on the option chosen in a radios or select question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_choice: Option<FeeByChoice>,
    /// The fee is only due while this holds (judged on the answers like a question's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    /// What the amount is multiplied by: a number field, or a list (a group with `repeat`),
    /// whose entries are counted (one fee per dog).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
}

impl Fee {
    /// Whether what is due for this fee depends on the answers (a choice, a condition or a
    /// quantity); otherwise the fee table's amount is what is due.
    pub fn depends_on_answers(&self) -> bool {
        self.by_choice.is_some() || self.show_if.is_some() || self.per.is_some()
    }
}

/// A fee whose amount is set per option of a radios or select question: `{ field: laufzeit,
/// amounts-eur: { ein-jahr: 30, zwei-jahre: 60 } }`. An option without an amount costs nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FeeByChoice {
    /// The top-level radios or select question.
    pub field: String,
    /// Amount in euros by option value.
    pub amounts_eur: std::collections::BTreeMap<String, f64>,
}

impl Fee {
    /// Every amount the fee can have: its own, or each option's.
    pub fn amounts(&self) -> impl Iterator<Item = f64> + '_ {
        self.amount_eur.into_iter().chain(
            self.by_choice
                .iter()
                .flat_map(|c| c.amounts_eur.values().copied()),
        )
    }
}

impl Form {
    /// The questions prefilled from the municipality's resident registry (`registry-address`),
    /// which the page offers to look up with the citizen's consent after sign-in.
    pub fn registry_questions(&self) -> impl Iterator<Item = &str> {
        self.prefill
            .iter()
            .filter(|(_, claim)| **claim == ClaimKey::RegistryAddress)
            .map(|(q, _)| q.as_str())
    }

    /// The question with `id` among the steps' own questions, the keys of submitted data;
    /// the questions inside groups are not searched (see [`Form::find`]).
    pub fn top_level_field(&self, id: &str) -> Option<&Field> {
        self.fields().find(|f| f.id == id)
    }

    /// Every top-level question in order (the keys of submitted data); text-blocks are no
    /// questions and left out (see [`Form::elements`]).
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.elements().filter(|f| f.is_question())
    }

    /// Every top-level element of the steps in order: questions and text-blocks.
    pub fn elements(&self) -> impl Iterator<Item = &Field> {
        self.steps.iter().flat_map(|s| s.fields.iter())
    }

    /// Every question in order, the questions inside groups included (no text-blocks).
    pub fn all_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields()
            .flat_map(|f| std::iter::once(f).chain(f.questions()))
    }

    /// Every element in order, inside groups too: questions and text-blocks.
    pub fn all_elements(&self) -> impl Iterator<Item = &Field> {
        self.elements()
            .flat_map(|f| std::iter::once(f).chain(f.fields.iter()))
    }

    /// The field with `id` anywhere, inside groups too (a text-block too: ids are unique
    /// among all elements).
    pub fn find(&self, id: &str) -> Option<&Field> {
        self.all_elements().find(|f| f.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = r#"
id: hunde
version: 1
title: { de: Hunde }
purpose: { de: Zweck }
legal-basis: { de: Satzung }
retention-days: 30
steps:
  - id: halter
    title: { de: Halter }
    fields:
      - { id: name, type: text, label: { de: Name } }
      - id: hunde
        type: group
        label: { de: Hunde }
        fields:
          - { id: rasse, type: text, label: { de: Rasse } }
"#;

    #[test]
    fn top_level_field_finds_the_keys_of_submitted_data_and_find_also_looks_inside_groups() {
        let form: Form = serde_yaml::from_str(FORM).unwrap();
        assert_eq!(form.top_level_field("name").unwrap().id, "name");
        assert_eq!(form.top_level_field("hunde").unwrap().id, "hunde");
        assert!(form.top_level_field("rasse").is_none());
        assert_eq!(form.find("rasse").unwrap().id, "rasse");
        assert!(form.find("farbe").is_none());
        let ids: Vec<&str> = form.all_fields().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["name", "hunde", "rasse"]);
    }
}
