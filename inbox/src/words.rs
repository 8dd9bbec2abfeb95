//! Every word of the inbox that a clerk reads (column titles of the clerk's CSV, the header of
//! `inbox list`), in one place. German first: the back offices are German authorities.

/// The reference the citizen was given (`MUS-2026-7K3F9Q`).
pub const REFERENCE: &str = "Aktenzeichen";
/// When it arrived, local time in Germany.
pub const RECEIVED_LOCAL: &str = "Eingang (Ortszeit)";
/// When it arrived, UTC.
pub const RECEIVED_UTC: &str = "Eingang (UTC)";
/// The language the citizen filled the form in.
pub const LANGUAGE: &str = "Sprache";
/// The fee the form computes, in euros.
pub const FEE: &str = "Gebühr (EUR)";
/// The payment reference (the transaction reference of the metadata).
pub const PAYMENT_REFERENCE: &str = "Verwendungszweck";
/// The submission's id (a UUID): for programs and for asking IT.
pub const SUBMISSION_ID: &str = "Vorgangs-ID";
/// Suffix of the column that holds an answer's option code instead of its label.
pub const CODE: &str = "Code";
/// The column of a file answer: the name the citizen's file had.
pub const FILE_NAME: &str = "Dateiname";
/// `inbox list`: the form and its version.
pub const FORM: &str = "Formular";
pub const VERSION: &str = "Version";
/// `inbox list`: the state of a submission.
pub const STATE: &str = "Status";
pub const STATE_NEW: &str = "neu";
pub const STATE_IMPORTED: &str = "importiert";
/// `inbox list`: the day it arrived (UTC, as the store's folders are named).
pub const RECEIVED_DAY: &str = "Eingang (UTC-Tag)";
