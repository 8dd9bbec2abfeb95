//! The e-file hand-off: one submission as an xdomea 3.1.0 `Abgabe.Abgabe.0401` message, the
//! XÖV standard document management and e-file systems import (VIS, enaio, d.3 and others),
//! packaged as the standard packages messages — a ZIP named `<ProzessID>_Abgabe.Abgabe.0401.zip`
//! holding the message `<ProzessID>_Abgabe.Abgabe.0401.xml` and the primary documents it names.
//!
//! The message hands over one `Vorgang` (the application) with its metadata — subject from the
//! service and the reference, dates, the authority as sender and recipient, the records-plan
//! key and retention when configured — and its `Dokument`s: the PDF receipt (the main
//! document, first), receipts in other languages, the original record JSON and each attachment,
//! each with its format code from the standard's code list and its file names. A citizen who
//! signed in with BundID is the case's `Kontakt` (role `Antragsteller`) with the verified
//! names, address and birth date, and the case's `AnwendungsspezifischeErweiterung` says how the
//! identity was verified (trust level, provider, times, answers taken from the account).
//!
//! The same input gives the same bytes: ids are derived from the submission id, the ZIP's
//! timestamps are the message's creation time, nothing is read from the clock.

mod codes;
mod message;
mod package;
mod words;

use form_model::record::{Attachment, SubmissionRecord};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;
use uuid::Uuid;

pub use codes::{FileFormat, file_format};
pub use package::{MESSAGE_TYPE, package_name};
pub use words::registry as registry_mark;

/// A code from a code list (`xoev-code:Code`), for the authority keys of sender and recipient,
/// and how the e-file should file the application: the types municipality.yaml (`xdomea:`) and
/// the form (`records:`) are written in.
pub use form_model::model::{DmsCode as Code, Records as RecordsPolicy};

/// Sender or recipient of the message (`KontaktType`): the authority, and the identifiers the
/// receiving DMS knows it by, when the municipality configures them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Party {
    /// `Institution/Name`: `Stadt Musterstadt`.
    pub institution: String,
    /// `Organisationseinheit/Name`: the office, e.g. `Bürgerbüro`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// `Behoerdenkennung/Behoerdenschluessel` (for example the DVDV key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_key: Option<Code>,
    /// `Behoerdenkennung/Praefix`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_prefix: Option<Code>,
    /// Postal address, one line per entry (at most six: `UnstrukturierteAnschrift`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address: Vec<String>,
}

/// Who hands over to whom, and when the message is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handoff {
    pub sender: Party,
    pub recipient: Party,
    pub records: RecordsPolicy,
    /// `Erstellungszeitpunkt`: when the message is made (the export run), also the timestamp
    /// of every file in the ZIP.
    pub created_at: OffsetDateTime,
}

/// A document the sender made (a receipt).
#[derive(Debug, Clone, Copy)]
pub struct Made<'a> {
    /// `Betreff`: `Antragsbestätigung MUS-2026-7K3F9Q`.
    pub title: &'a str,
    /// Language of the document.
    pub language: &'a str,
    /// A PDF/A-2 file.
    pub pdf: &'a [u8],
}

/// A file the citizen sent, as stored with the submission.
#[derive(Debug, Clone, Copy)]
pub struct Sent<'a> {
    /// Its entry in the record.
    pub attachment: &'a Attachment,
    /// Its object name in the store (`erlaubnis-1.png`).
    pub stored_name: &'a str,
    /// The file name the citizen's device gave (`DateinameOriginal`).
    pub original_name: &'a str,
    /// `Betreff`: the question it answers.
    pub title: &'a str,
    pub bytes: &'a [u8],
}

/// The applicant's identity as the identity broker verified it at sign-in (BundID): the case's
/// `Kontakt` (names, address, e-mail, birth date) and its `AnwendungsspezifischeErweiterung`
/// (how it was verified). The caller leaves out what the e-file must not get (the bPK2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    pub given_names: String,
    pub family_name: String,
    /// Only a complete birth date (`GeburtType/Datum` is an `xs:date`).
    pub birth_date: Option<time::Date>,
    pub address: Option<ApplicantAddress>,
    pub email: Option<String>,
    /// The trust level in BundID's words (`hoch`).
    pub trust_level: String,
    /// The identity provider (the broker's issuer URL).
    pub provider: String,
    /// When the citizen authenticated at the provider.
    pub authenticated_at: Option<OffsetDateTime>,
    /// When Formfabrik checked the provider's ID token.
    pub verified_at: Option<OffsetDateTime>,
    /// The questions (their German labels) whose answers came from the account and were
    /// locked.
    pub from_account: Vec<String>,
}

/// The verified address (`AnschriftType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicantAddress {
    pub street: String,
    pub house_number: String,
    pub postcode: String,
    pub city: String,
}

/// One submission with everything the message hands over.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    pub record: &'a SubmissionRecord,
    /// The record as stored (the bytes the checksums are of).
    pub record_bytes: &'a [u8],
    /// The service's name, for the subject (`Hundesteuer-Anmeldung`).
    pub service: &'a str,
    /// When it was received, in the authority's civil time (the dates of the case).
    pub received_at: OffsetDateTime,
    /// The receipts; the first is the case's main document.
    pub receipts: Vec<Made<'a>>,
    /// Every attachment of the record, in the record's order.
    pub attachments: Vec<Sent<'a>>,
    /// The verified identity, when the citizen signed in.
    pub applicant: Option<Applicant>,
}

/// A message ready to hand over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `ProzessID`: the submission id (one hand-over process per submission).
    pub process_id: Uuid,
    /// `<ProzessID>_Abgabe.Abgabe.0401.zip`
    pub file_name: String,
    /// The message XML.
    pub message: Vec<u8>,
    /// The ZIP: the message and every primary document.
    pub zip: Vec<u8>,
}

/// Why a submission cannot be handed over as given.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum XdomeaError {
    #[error("submission {id}: no receipt given (the receipt is the case's main document)")]
    NoReceipt { id: Uuid },
    #[error(
        "submission {id}: {found} attachment files given for {expected} attachments in the record"
    )]
    AttachmentCount {
        id: Uuid,
        expected: usize,
        found: usize,
    },
    #[error(
        "submission {id}: attachment {index} ({name}): {what} does not match the record: expected {expected}, found {found}"
    )]
    AttachmentMismatch {
        id: Uuid,
        index: usize,
        name: String,
        what: &'static str,
        expected: String,
        found: String,
    },
    #[error(
        "{party}: the address has {lines} lines; an xdomea address (UnstrukturierteAnschrift) holds at most 6"
    )]
    AddressTooLong { party: &'static str, lines: usize },
}

/// The message and its ZIP for `submission`.
pub fn package(handoff: &Handoff, submission: &Submission<'_>) -> Result<Package, XdomeaError> {
    check(handoff, submission)?;
    let documents = message::documents(submission);
    let message = message::write(handoff, submission, &documents);
    let process_id = submission.record.id;
    let zip = package::zip(process_id, &message, &documents, handoff.created_at);
    Ok(Package {
        process_id,
        file_name: package_name(process_id),
        message,
        zip,
    })
}

fn check(handoff: &Handoff, s: &Submission<'_>) -> Result<(), XdomeaError> {
    let id = s.record.id;
    if s.receipts.is_empty() {
        return Err(XdomeaError::NoReceipt { id });
    }
    for (party, p) in [
        ("sender", &handoff.sender),
        ("recipient", &handoff.recipient),
    ] {
        if p.address.len() > 6 {
            return Err(XdomeaError::AddressTooLong {
                party,
                lines: p.address.len(),
            });
        }
    }
    if s.attachments.len() != s.record.attachments.len() {
        return Err(XdomeaError::AttachmentCount {
            id,
            expected: s.record.attachments.len(),
            found: s.attachments.len(),
        });
    }
    for (index, (sent, listed)) in s.attachments.iter().zip(&s.record.attachments).enumerate() {
        let mismatch = |what, expected: String, found: String| XdomeaError::AttachmentMismatch {
            id,
            index,
            name: sent.stored_name.to_string(),
            what,
            expected,
            found,
        };
        if sent.attachment != listed {
            return Err(mismatch(
                "record entry",
                listed.key.clone(),
                sent.attachment.key.clone(),
            ));
        }
        let sha256 = package::sha256_hex(sent.bytes);
        if sha256 != listed.sha256 {
            return Err(mismatch("sha256", listed.sha256.clone(), sha256));
        }
        if sent.bytes.len() as u64 != listed.size {
            return Err(mismatch(
                "size",
                listed.size.to_string(),
                sent.bytes.len().to_string(),
            ));
        }
    }
    Ok(())
}
