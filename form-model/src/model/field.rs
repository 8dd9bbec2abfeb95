//! One question of a form: its type and every key a type may use (answer options, bounds,
//! lengths, files, groups and lists).

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use super::text::Text;

/// The kinds of question a form can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FieldType {
    Text,
    Textarea,
    Email,
    Tel,
    Number,
    Date,
    Radios,
    Checkboxes,
    Select,
    Iban,
    Postcode,
    TaxId,
    File,
    /// A German postal address: street, house number, postcode, city.
    Address,
    /// Several questions that belong together (`fields`); with `repeat` a list of such entries
    /// (several dogs, several children). One level deep: a group holds no groups.
    Group,
    /// Not a question: a paragraph of Markdown (`text`) between questions, with its own
    /// `show-if` (FIM's static text element). It has no answer, so the record, the JSON
    /// Schema, the validation and the check-your-answers page never see it.
    TextBlock,
}

impl FieldType {
    pub const ALL: [FieldType; 16] = [
        FieldType::Text,
        FieldType::Textarea,
        FieldType::Email,
        FieldType::Tel,
        FieldType::Number,
        FieldType::Date,
        FieldType::Radios,
        FieldType::Checkboxes,
        FieldType::Select,
        FieldType::Iban,
        FieldType::Postcode,
        FieldType::TaxId,
        FieldType::File,
        FieldType::Address,
        FieldType::Group,
        FieldType::TextBlock,
    ];

    /// The name written in YAML.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Textarea => "textarea",
            FieldType::Email => "email",
            FieldType::Tel => "tel",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::Radios => "radios",
            FieldType::Checkboxes => "checkboxes",
            FieldType::Select => "select",
            FieldType::Iban => "iban",
            FieldType::Postcode => "postcode",
            FieldType::TaxId => "tax-id",
            FieldType::File => "file",
            FieldType::Address => "address",
            FieldType::Group => "group",
            FieldType::TextBlock => "text-block",
        }
    }

    /// Fields whose answer is one of the listed options.
    pub fn has_options(self) -> bool {
        matches!(
            self,
            FieldType::Radios | FieldType::Checkboxes | FieldType::Select
        )
    }

    /// Whether the citizen answers it: everything but a text-block.
    pub fn is_question(self) -> bool {
        self != FieldType::TextBlock
    }

    /// Fields whose answer is free text typed by the citizen.
    pub fn is_free_text(self) -> bool {
        matches!(
            self,
            FieldType::Text | FieldType::Textarea | FieldType::Tel | FieldType::Email
        )
    }
}

/// One question. Which keys apply depends on `type`; the lint says when one does not fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Field {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// The question. Every question has one (the lint says so); a text-block has `text`.
    #[serde(default, skip_serializing_if = "Text::is_empty")]
    pub label: Text,
    /// For a text-block: its Markdown, shown between the questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    /// Required while the field is shown.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Legally required: overlays may change texts but cannot hide it or make it optional.
    #[serde(default, skip_serializing_if = "is_false")]
    pub locked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    /// Required while this holds (and the field is shown). Unlike `show-if`, it may name
    /// questions asked later: it decides no visibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<Condition>,
    /// HTML autocomplete token (WCAG 1.3.5), e.g. `given-name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// A regular expression the whole answer must match (text, tel, textarea).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// What to tell the citizen when `pattern` does not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_message: Option<Text>,
    /// Lower bound: a number for `number`; for `date` an ISO date or `today`, `today-18y`,
    /// `today+14d`, `today-6m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Bound>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Bound>,
    /// For `number`: the allowed granularity (1 means whole numbers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    /// For radios, checkboxes and select.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// For radios, checkboxes and select: the order the page shows the options in. Without
    /// it, a long list (more than [`LONG_LIST`] options, a code list of states) is sorted by
    /// label in the page's language and a short one keeps the order written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_order: Option<OptionOrder>,
    /// For checkboxes: how many options must at least / may at most be ticked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_selected: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_selected: Option<u32>,
    /// For files: accepted media types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size_mb: Option<f64>,
    /// For textarea: visible rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u32>,
    /// For groups: the questions of the group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// For groups: a list of entries, with how many at least / at most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
    /// For a group of day, month and year (a date whose day or month may be unknown): which of
    /// its number questions hold them. The parts given must form a real date, within the
    /// group's `min` and `max` (written as for a date field: `max: today` for a birth date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_parts: Option<DateParts>,
    /// Where the field comes from in FIM (Föderales Informationsmanagement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<FimRef>,
    /// For radios, select and checkboxes: the options are the municipality's list of this
    /// name (`parameters:` in its `municipality.yaml` or overlay), not written here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options_from: Option<String>,
    /// For an address or postcode: it must lie in the municipality's area of this name
    /// (postcodes, streets); for a date: in the municipality's date window of this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// Written by resolve from the municipality's parameter named by `within` (an address or
    /// postcode question): the postcodes and streets the answer must be among. Not part of the
    /// language: the check reports it where a person writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub area: Option<Area>,
}

/// Most options a list may have and still be short: shown as written, as radio buttons or
/// checkboxes. A longer one is sorted by label and, for one answer, offered as a select that
/// the page's script turns into a search box (a combobox); for several answers as "choose
/// one, add another".
pub const LONG_LIST: usize = 15;

/// The order a page shows a field's options in (`option-order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OptionOrder {
    /// As the form lists them (classes of driving licence, "Sonstiges" last).
    AsWritten,
    /// By label, with the collation of the page's language (German: Ä with A, ß as ss).
    ByLabel,
}

impl Field {
    /// Whether the citizen answers it (not a text-block).
    pub fn is_question(&self) -> bool {
        self.kind.is_question()
    }

    /// The questions of a group, without its text-blocks.
    pub fn questions(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.is_question())
    }

    /// More options than a short list holds (see [`LONG_LIST`]).
    pub fn is_long_list(&self) -> bool {
        self.kind.has_options() && self.options.len() > LONG_LIST
    }

    /// Whether the page sorts the options by label (`option-order`, else long lists only).
    pub fn sorts_options(&self) -> bool {
        match self.option_order {
            Some(order) => order == OptionOrder::ByLabel,
            None => self.is_long_list(),
        }
    }
}

/// Where an answer must lie, as resolve writes it into an address or postcode question from
/// the municipality's parameter (never written by a process designer: the check says so).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Area {
    /// Allowed postcodes; empty: any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postcodes: Vec<String>,
    /// Allowed streets (an address's street part); empty: any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub streets: Vec<String>,
}

/// The questions of a group that hold a date's parts (ids of `number` questions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DateParts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    pub year: String,
}

impl DateParts {
    /// The ids named, as (key, id): day, month, year.
    pub fn named(&self) -> Vec<(&'static str, &str)> {
        [
            ("day", self.day.as_deref()),
            ("month", self.month.as_deref()),
            ("year", Some(self.year.as_str())),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

/// How many entries a repeated group takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Repeat {
    #[serde(default)]
    pub min: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

/// A FIM element: its id (F…, G…, S…) and version, kept so the back office can map data back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FimRef {
    pub id: String,
    pub version: String,
}

/// One answer option of a radios, checkboxes or select field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Choice {
    pub value: String,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
}

/// A bound for `min`/`max`: a number, or a date expression (`2024-01-01`, `today`, `today-18y`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Bound {
    Number(f64),
    Text(String),
}

fn is_false(b: &bool) -> bool {
    !*b
}
