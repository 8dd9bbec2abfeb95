//! The form language as process designers write it: catalog forms, municipality configs and
//! overlays. Every struct a person writes denies unknown keys and uses kebab-case keys, so a
//! typo is reported at its position instead of being silently ignored.
//!
//! These types are deliberately flat (one `Field` struct for every field type, one `Condition`
//! struct for every condition shape): serde then keeps the exact position of every mistake, and
//! the lint (`crate::lint`) explains combinations that do not fit in plain words.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A text in several languages, keyed by language code (`de`, `en`, `ar`, ...).
/// Long texts (intros, hints, purposes) may use Markdown.
pub type Text = BTreeMap<String, String>;

/// A catalog form: one administrative process, written once for all municipalities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<Fee>,
    /// The FIM Stammdatenschema the form was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fim: Option<FimRef>,
}

/// A step of the wizard; without JavaScript a section of the one-page form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// The kinds of question a form can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
}

impl FieldType {
    pub const ALL: [FieldType; 15] = [
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
        }
    }

    /// Fields whose answer is one of the listed options.
    pub fn has_options(self) -> bool {
        matches!(
            self,
            FieldType::Radios | FieldType::Checkboxes | FieldType::Select
        )
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Field {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub label: Text,
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
}

/// Most options a list may have and still be short: shown as written, as radio buttons or
/// checkboxes. A longer one is sorted by label and, for one answer, offered as a select that
/// the page's script turns into a search box (a combobox); for several answers as "choose
/// one, add another".
pub const LONG_LIST: usize = 15;

/// The order a page shows a field's options in (`option-order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptionOrder {
    /// As the form lists them (classes of driving licence, "Sonstiges" last).
    AsWritten,
    /// By label, with the collation of the page's language (German: Ä with A, ß as ss).
    ByLabel,
}

impl Field {
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

/// The questions of a group that hold a date's parts (ids of `number` questions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Repeat {
    #[serde(default)]
    pub min: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
}

/// A FIM element: its id (F…, G…, S…) and version, kept so the back office can map data back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FimRef {
    pub id: String,
    pub version: String,
}

/// One answer option of a radios, checkboxes or select field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Choice {
    pub value: String,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
}

/// A bound for `min`/`max`: a number, or a date expression (`2024-01-01`, `today`, `today-18y`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Bound {
    Number(f64),
    Text(String),
}

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

/// A fee the citizen will be charged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Fee {
    pub id: String,
    pub label: Text,
    pub amount_eur: f64,
    /// What the amount is multiplied by: a number field, or a list (a group with `repeat`),
    /// whose entries are counted (one fee per dog).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
}

/// `forms/municipalities/<slug>/municipality.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Municipality {
    pub id: String,
    pub name: String,
    /// Amtlicher Gemeindeschlüssel, 8 digits.
    pub ags: String,
    /// Languages the site is offered in; the first is the default.
    pub languages: Vec<String>,
    pub branding: Branding,
    pub contact: Contact,
    /// Data protection officer (Art. 13 (1) b DSGVO).
    pub data_protection_officer: Contact,
    /// Data protection supervisory authority the citizen may complain to (Art. 13 (2) d DSGVO).
    pub supervisory_authority: Contact,
    /// Origin of the published site (CORS allowlist, absolute links).
    pub site_origin: String,
    /// Base URL the pages POST to (`<endpoint>/<municipality>/<form>`).
    pub submission_endpoint: String,
    /// Back office's public key (JWK), relative to the municipality folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_key: Option<String>,
    pub pages: Pages,
    /// The fields of the accessibility statement (EU 2018/1523 model statement), which the
    /// generator writes below the municipality's own text (`pages.accessibility`).
    pub accessibility: AccessibilityStatement,
    pub forms: Vec<FormUse>,
}

/// `accessibility:` in municipality.yaml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AccessibilityStatement {
    /// How far the forms meet the requirements (WCAG 2.1 AA through EN 301 549).
    pub status: ComplianceStatus,
    /// What is not accessible, why, and any alternative; required unless fully compliant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_accessible: Vec<Text>,
    /// When the statement was prepared, `YYYY-MM-DD`.
    pub prepared_on: String,
    /// When it was last reviewed, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_on: Option<String>,
    /// How compliance was assessed.
    pub method: AssessmentMethod,
    /// Where barriers are reported (default: the municipality's `contact`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_contact: Option<Contact>,
    /// The body citizens turn to when their feedback gets no satisfactory answer
    /// (Schlichtungsstelle, Ombudsstelle or the Land's enforcement body).
    pub enforcement_body: Body,
}

/// A public body with an email address, a web address or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Body {
    pub name: String,
    /// Postal address, one line per entry.
    pub address: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComplianceStatus {
    FullyCompliant,
    PartiallyCompliant,
    NotCompliant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentMethod {
    SelfAssessment,
    ThirdPartyAssessment,
}

impl ComplianceStatus {
    /// The kebab-case name, as written in YAML (and used as a key of the site texts).
    pub fn key(self) -> &'static str {
        match self {
            ComplianceStatus::FullyCompliant => "fully-compliant",
            ComplianceStatus::PartiallyCompliant => "partially-compliant",
            ComplianceStatus::NotCompliant => "not-compliant",
        }
    }
}

impl AssessmentMethod {
    pub fn key(self) -> &'static str {
        match self {
            AssessmentMethod::SelfAssessment => "self-assessment",
            AssessmentMethod::ThirdPartyAssessment => "third-party-assessment",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Branding {
    /// `#rrggbb`; must reach 4.5:1 contrast against white.
    pub primary_color: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Contact {
    pub name: String,
    /// Postal address, one line per entry.
    pub address: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<String>,
}

/// Legal pages, Markdown files relative to the municipality folder, one per language:
/// `imprint: { de: pages/impressum.md, en: pages/imprint.en.md }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Pages {
    pub imprint: Text,
    pub privacy: Text,
    pub accessibility: Text,
}

/// One catalog form a municipality offers: `use: hundesteuer-anmeldung@2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FormUse {
    #[serde(rename = "use")]
    pub form: String,
    /// Fee amounts that differ from the catalog: `{ steuer: { amount-eur: 96 } }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fees: BTreeMap<String, FeeOverride>,
    /// An overlay file relative to the municipality folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlay: Option<String>,
}

impl FormUse {
    /// The catalog form and version of `use: <id>@<version>`; `None` when it is not written so.
    pub fn form_and_version(&self) -> Option<(&str, u32)> {
        let (id, version) = self.form.split_once('@')?;
        let version: u32 = version.parse().ok()?;
        (!id.is_empty()).then_some((id, version))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FeeOverride {
    pub amount_eur: f64,
}

/// A municipality's adaptation of one catalog form: explicit operations on named targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Overlay {
    pub operations: Vec<OperationEntry>,
}

/// One overlay operation, written as a mapping with exactly one key: `- set: {...}`,
/// `- hide: {...}`, `- add: {...}`, `- set-step: {...}` or `- set-form: {...}`. Each names its
/// target, so a catalog upgrade that removes the target is reported instead of silently
/// dropping the adaptation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OperationEntry {
    /// Change texts or `required` of a field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<SetField>,
    /// Remove an optional, unlocked field nothing depends on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide: Option<HideField>,
    /// Add a new field after an existing one.
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HideField {
    pub field: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AddField {
    pub after: String,
    pub field: Field,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SetStep {
    pub step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SetForm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<Text>,
}

fn is_false(b: &bool) -> bool {
    !*b
}
