//! The neutral description of a receipt: everything the PDF shows, already in words, and nothing
//! about how a form is written. [`crate::from_record`] makes one from a submission record and its
//! resolved form; anything else (a test, a later identity or payment step) can make one too.
//!
//! Texts that come from the form carry their language when it differs from the document's
//! (a form without an Arabic translation shows German labels on an Arabic receipt), so the PDF
//! can mark them for screen readers.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::words::Words;

/// One receipt, in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Receipt {
    /// Language tag of the document (`de`, `en`, `ar`).
    pub language: String,
    /// Whether the document reads right to left (its language is).
    pub rtl: bool,
    /// The receipt's own words, in `language`.
    pub words: Words,
    pub authority: Authority,
    pub service: Service,
    /// The reference the citizen was shown (`MUS-2026-7K3F9Q`).
    pub reference: String,
    /// When the submission was received, in the offset the receipt shows.
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// `received_at` as the receipt shows it (`28.11.2026, 12:30 Uhr (MEZ)`).
    pub received: String,
    /// The form's steps with their answers, in the form's order.
    pub sections: Vec<Section>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<Fees>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentFacts>,
    /// Lower-case hex SHA-512 of the stored record (FIT-Connect `contentStructure.data.hash`).
    pub data_sha512: String,
    /// The identity the citizen proved, when the form asked for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
}

/// A text and, when it differs from the document's, its language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Phrase {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl Phrase {
    /// A text in the document's language (or typed by the citizen).
    pub fn plain(text: impl Into<String>) -> Phrase {
        Phrase {
            text: text.into(),
            lang: None,
        }
    }
}

/// The authority the application went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Authority {
    /// `Stadt Musterstadt`
    pub name: String,
    /// The office that handles it (`Stadt Musterstadt, Bürgerbüro`), when it is named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    /// Postal address, one line per entry.
    pub address: Vec<String>,
    /// Amtlicher Gemeindeschlüssel, 8 digits.
    pub ags: String,
}

/// The administrative service and the form version the citizen filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Service {
    pub title: Phrase,
    /// LeiKa service key (`99108008000000`), when the form has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leika: Option<String>,
    /// Form id (`hundesteuer-anmeldung`).
    pub form: String,
    pub version: u32,
}

/// One step of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Section {
    pub title: Phrase,
    pub items: Vec<Item>,
}

/// A question, or a group of questions (with one entry, or one per item of a list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum Item {
    Answer(Answer),
    Group(Group),
}

/// A question and its answer as the page showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Answer {
    pub label: Phrase,
    /// One line each: the ticked options, the lines of an address or of a long text.
    pub value: Vec<Phrase>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Group {
    pub label: Phrase,
    /// One entry for a group, one per item for a list; none when the list was left empty.
    pub entries: Vec<Entry>,
    /// What to show when there is no entry (`Keine Angabe`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty: Option<Phrase>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Entry {
    /// `Hund 2` for the items of a list; none for a group that is not a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Phrase>,
    pub answers: Vec<Answer>,
}

/// What the application costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Fees {
    pub items: Vec<Fee>,
    /// `192,00 €`
    pub total: String,
    /// What to write on a transfer, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Fee {
    pub label: Phrase,
    /// How the amount comes about (`2 × 96,00 €`), when it is charged per item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `192,00 €`
    pub amount: String,
}

/// A file the citizen sent with the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AttachmentFacts {
    /// The file name the citizen's device gave.
    pub file_name: String,
    /// The question it answers (`Sachkundenachweis (Hund 1)`).
    pub question: Phrase,
    /// `48.213 Bytes`
    pub size: String,
    /// Lower-case hex SHA-512 of the file's bytes.
    pub sha512: String,
}

/// An identity the citizen proved (for example with the online ID function).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Identity {
    /// Who confirmed it and how (`BundID, Online-Ausweis, Vertrauensniveau hoch`).
    pub method: Phrase,
    /// The confirmed attributes (name, date of birth, address ...).
    pub attributes: Vec<Answer>,
}
