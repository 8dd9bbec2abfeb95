//! What the e-file needs beyond the form: how a form's applications are filed (`records:` of a
//! catalog form) and how a municipality's document management system knows the sender and the
//! recipient of a hand-over (`xdomea:` of municipality.yaml). The back office's xdomea export
//! reads both from the registry.

use serde::{Deserialize, Serialize};

/// `records:` of a catalog form (and of a municipality's `forms:` entry, whose keys win): how
/// the e-file files an application.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Records {
    /// Aktenplankennzeichen: the records-plan unit the applications belong to (`022.31`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_key: Option<String>,
    /// Years the e-file keeps a case after it is closed (Aufbewahrungsfrist).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_years: Option<u16>,
}

/// `xdomea:` of municipality.yaml: the identifiers the document management system knows the
/// sender (the online service) and the recipient (the authority's registry) by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DmsIdentifiers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<DmsParty>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<DmsParty>,
}

/// One side of a hand-over. Its name and address are the municipality's (`name`, `contact`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DmsParty {
    /// The organisational unit (`Bürgerbüro`); default the contact's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Behördenschlüssel, for example the DVDV key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_key: Option<DmsCode>,
    /// Präfix of the key's class (`ags`, `dbs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<DmsCode>,
}

/// A code of a code list (`xoev-code:Code`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DmsCode {
    pub code: String,
    /// The code list's URN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_version: Option<String>,
    /// The code's description in the list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Records {
    /// These settings, with `over`'s where it has them (a municipality's own records plan).
    pub fn overridden_by(&self, over: &Records) -> Records {
        Records {
            plan_key: over.plan_key.clone().or_else(|| self.plan_key.clone()),
            retention_years: over.retention_years.or(self.retention_years),
        }
    }
}
