//! A municipality's config: who it is, how its site looks and whom citizens contact, its
//! legal pages and accessibility statement, and the catalog forms it offers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::text::Text;

/// `forms/municipalities/<slug>/municipality.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Municipality {
    pub id: String,
    pub name: String,
    /// Amtlicher Gemeindeschlüssel, 8 digits.
    pub ags: String,
    /// Amtlicher Regionalschlüssel, 12 digits: the AGS with the Gemeindeverband between Kreis
    /// and Gemeinde. The federal portal network (PVOG) finds a municipality's services by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ars: Option<String>,
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
    /// The identifiers of sender and recipient in the document management system (xdomea).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xdomea: Option<super::efile::DmsIdentifiers>,
    /// The payment platform the municipality's forms are paid through (`docs/payment.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<super::payment::Payment>,
    /// The municipality as creditor of SEPA direct debits (its creditor identifier and name),
    /// for forms that take a mandate (`sepa-mandate`, `docs/payment.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sepa_creditor: Option<super::sepa::SepaCreditor>,
    pub pages: Pages,
    /// The fields of the accessibility statement (EU 2018/1523 model statement), which the
    /// generator writes below the municipality's own text (`pages.accessibility`).
    pub accessibility: AccessibilityStatement,
    pub forms: Vec<FormUse>,
    /// What catalog forms leave to the municipality (`options-from`, `within`), by name, for
    /// every form it offers: its parking zones, its postcodes. An overlay's own `parameters`
    /// win for that form.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, super::parameter::ParameterValue>,
}

/// `accessibility:` in municipality.yaml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ComplianceStatus {
    FullyCompliant,
    PartiallyCompliant,
    NotCompliant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Branding {
    /// `#rrggbb`; must reach 4.5:1 contrast against white.
    pub primary_color: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Pages {
    pub imprint: Text,
    pub privacy: Text,
    pub accessibility: Text,
}

/// One catalog form a municipality offers: `use: hundesteuer-anmeldung@2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// This municipality's records plan for the form: wins over the catalog's `records`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<super::efile::Records>,
    /// Whether this municipality takes the form's fees online first: wins over the catalog's
    /// `payment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<super::payment::PaymentMode>,
    /// Offer sign-in on this form (`optional`) or require a trust level, where the catalog
    /// form asks for less; the stricter of the two counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<super::identity::IdentityUse>,
}

impl FormUse {
    /// The catalog form and version of `use: <id>@<version>`; `None` when it is not written so.
    pub fn form_and_version(&self) -> Option<(&str, u32)> {
        let (id, version) = self.form.split_once('@')?;
        let version: u32 = version.parse().ok()?;
        (!id.is_empty()).then_some((id, version))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FeeOverride {
    /// The amount of a fee with one amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_eur: Option<f64>,
    /// The amounts of a fee by choice that differ, by option value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub amounts_eur: BTreeMap<String, f64>,
}
