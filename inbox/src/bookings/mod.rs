//! `inbox export --bookings`: the fees paid online of the pulled submissions as a booking file
//! for the cash office's finance system, one row per fee paid (an item of the payment request,
//! with the booking keys the function sent in its `bookingData`). Only payments the platform
//! reported as `PAYED` are listed; a payment object written before items were recorded gives
//! one row for the whole payment, without booking keys.
//!
//! What the file looks like is a **profile** (a YAML file, `Profile`): which fields in which
//! order (from the fixed set [`Field`]), with which column titles (by default the words of
//! `back-office.yaml`, `booking-<field>`), the delimiter, the decimal separator, the date
//! format, and the encoding (UTF-8 with or without byte order mark, or Windows-1252 for
//! importers that want "ANSI"). One is shipped, `kommunal` (`inbox/profiles/kommunal.yaml`,
//! the generic German municipal finance import); more are files, no code. The cells are
//! written as the clerk's CSV writes them (`crate::clerk`: quoting, formula guard, amounts,
//! German time). The column spec is in docs/payment.md, "Booking export".

mod mandates;
mod profile;

use std::path::Path;

use form_model::registry::Registry;
use serde::Deserialize;
use serde_json::Value;

pub use mandates::to_mandate_file;
pub use profile::{BUILTIN_PROFILES, Column, DateFormat, Encoding, Profile};
use time::OffsetDateTime;

use crate::InboxError;
use crate::clerk::{Cell, berlin, local_strftime, money_with};
use crate::export::Delivered;
use crate::words;

/// What a booking file's column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    /// `bookingData.kassenzeichen`.
    Kassenzeichen,
    /// `bookingData.haushaltsstelle`.
    Haushaltsstelle,
    /// `bookingData.produktkonto`.
    Produktkonto,
    /// The fee's amount paid, in euros, two decimals.
    Amount,
    /// The day it was paid (`transactionTimestamp`), in Germany.
    PaymentDate,
    /// The platform's reference of the payment (`transactionReference`).
    PaymentReference,
    /// The platform's transaction id.
    TransactionId,
    /// `paymentMethod` (GIROPAY, CREDITCARD, …).
    PaymentMethod,
    /// Who paid: the verified identity's names, else the answers to the questions the form
    /// fills from the account's names (`prefill: given-name`, `family-name`).
    PayerName,
    /// The payment's purpose (Verwendungszweck) as sent to the platform.
    Purpose,
    /// The fee's description as the pay page showed it.
    Description,
    /// The fee's id in the form.
    Fee,
    /// How many of the fee (copies, dogs).
    Quantity,
    /// The submission's reference (Aktenzeichen).
    Reference,
    /// The form's id.
    Form,
    /// The day the submission was received, in Germany.
    Received,
    /// The submission's id.
    SubmissionId,
}

impl Field {
    /// The field's name in a profile (and its word's key after `booking-`).
    pub fn name(self) -> &'static str {
        match self {
            Field::Kassenzeichen => "kassenzeichen",
            Field::Haushaltsstelle => "haushaltsstelle",
            Field::Produktkonto => "produktkonto",
            Field::Amount => "amount",
            Field::PaymentDate => "payment-date",
            Field::PaymentReference => "payment-reference",
            Field::TransactionId => "transaction-id",
            Field::PaymentMethod => "payment-method",
            Field::PayerName => "payer-name",
            Field::Purpose => "purpose",
            Field::Description => "description",
            Field::Fee => "fee",
            Field::Quantity => "quantity",
            Field::Reference => "reference",
            Field::Form => "form",
            Field::Received => "received",
            Field::SubmissionId => "submission-id",
        }
    }

    /// Every field, in the order docs/payment.md lists them.
    pub const ALL: [Field; 17] = [
        Field::Kassenzeichen,
        Field::Haushaltsstelle,
        Field::Produktkonto,
        Field::Amount,
        Field::PaymentDate,
        Field::PaymentReference,
        Field::TransactionId,
        Field::PaymentMethod,
        Field::PayerName,
        Field::Purpose,
        Field::Description,
        Field::Fee,
        Field::Quantity,
        Field::Reference,
        Field::Form,
        Field::Received,
        Field::SubmissionId,
    ];

    /// The column title when the profile gives none: `booking-<field>` of back-office.yaml.
    pub fn title(self) -> &'static str {
        words::word(&format!("booking-{}", self.name()))
    }
}

/// What a mandate file's column can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MandateField {
    /// The mandate reference (the submission's reference).
    MandateReference,
    /// The date of signature: the day the submission was received, in Germany.
    SignedOn,
    /// The municipality's creditor identifier.
    CreditorId,
    /// The municipality's name as creditor.
    CreditorName,
    /// The account holder as the citizen wrote it.
    DebtorName,
    /// The debtor's IBAN.
    Iban,
    /// `RCUR` (recurring) or `OOFF` (one collection).
    SequenceType,
    /// The submission's reference (Aktenzeichen).
    Reference,
    /// The form's id.
    Form,
    /// The submission's id.
    SubmissionId,
}

impl MandateField {
    /// Every field, in the order docs/payment.md lists them (the default columns).
    pub const ALL: [MandateField; 10] = [
        MandateField::MandateReference,
        MandateField::SignedOn,
        MandateField::CreditorId,
        MandateField::CreditorName,
        MandateField::DebtorName,
        MandateField::Iban,
        MandateField::SequenceType,
        MandateField::Reference,
        MandateField::Form,
        MandateField::SubmissionId,
    ];

    /// The field's name in a profile (and its word's key after `mandate-`).
    pub fn name(self) -> &'static str {
        match self {
            MandateField::MandateReference => "mandate-reference",
            MandateField::SignedOn => "signed-on",
            MandateField::CreditorId => "creditor-id",
            MandateField::CreditorName => "creditor-name",
            MandateField::DebtorName => "debtor-name",
            MandateField::Iban => "iban",
            MandateField::SequenceType => "sequence-type",
            MandateField::Reference => "reference",
            MandateField::Form => "form",
            MandateField::SubmissionId => "submission-id",
        }
    }

    /// The column title when the profile gives none: `mandate-<field>` of back-office.yaml.
    pub fn title(self) -> &'static str {
        words::word(&format!("mandate-{}", self.name()))
    }
}

/// One column of a profile's `mandate-columns`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MandateColumn {
    pub field: MandateField,
    /// The title the finance system expects; default the field's word.
    #[serde(default)]
    pub title: Option<String>,
}

/// One fee paid, as a row of the booking file shows it.
struct Paid<'a> {
    delivered: &'a Delivered,
    payment: &'a Value,
    /// The item of the payment request, when the payment object lists them.
    item: Option<&'a Value>,
}

impl Paid<'_> {
    fn info(&self, key: &str) -> Option<&str> {
        self.payment
            .get("paymentInformation")
            .and_then(|p| p.get(key))
            .and_then(Value::as_str)
    }

    /// The booking key `key` (Formfabrik's name), under the name the payment object's
    /// `bookingKeys` gives it when the platform knows it by another.
    fn booking(&self, key: &str) -> String {
        let key = self
            .payment
            .get("bookingKeys")
            .and_then(|k| k.get(key))
            .and_then(Value::as_str)
            .unwrap_or(key);
        self.item
            .and_then(|i| i.get("bookingData"))
            .and_then(|b| b.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    fn amount(&self) -> Option<&serde_json::Number> {
        match self.item {
            Some(item) => item.get("totalAmount"),
            None => self
                .payment
                .get("paymentInformation")
                .and_then(|p| p.get("grossAmount")),
        }
        .and_then(Value::as_number)
    }
}

/// Every payment the platform reported as paid, fee by fee, in the order of `rows`.
fn paid(rows: &[Delivered]) -> Vec<Paid<'_>> {
    let mut out = Vec::new();
    for delivered in rows {
        let Some(payment) = &delivered.payment else {
            continue;
        };
        let status = payment
            .get("paymentInformation")
            .and_then(|p| p.get("status"))
            .and_then(Value::as_str);
        if status != Some("PAYED") {
            continue;
        }
        match payment.get("items").and_then(Value::as_array) {
            Some(items) if !items.is_empty() => out.extend(items.iter().map(|item| Paid {
                delivered,
                payment,
                item: Some(item),
            })),
            _ => out.push(Paid {
                delivered,
                payment,
                item: None,
            }),
        }
    }
    out
}

/// The payer's name: the verified identity's, else the answers to the questions the form
/// (as `registry` publishes it) fills from the account's names.
fn payer_name(delivered: &Delivered, registry: Option<&Registry>) -> String {
    let record = &delivered.record;
    if let Some(identity) = &record.identity {
        let part = |k: &str| identity.get(k).and_then(Value::as_str).unwrap_or("");
        let name = format!("{} {}", part("given-names"), part("family-name"));
        if !name.trim().is_empty() {
            return name.trim().to_string();
        }
    }
    let Some(form) = registry
        .and_then(|r| r.form(&record.municipality.id, &record.form.id))
        .filter(|f| f.form.version == record.form.version)
    else {
        return String::new();
    };
    let answer = |claim: form_model::model::ClaimKey| {
        form.form
            .prefill
            .iter()
            .find(|(_, c)| **c == claim)
            .and_then(|(question, _)| record.data.get(question))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    format!(
        "{} {}",
        answer(form_model::model::ClaimKey::GivenName),
        answer(form_model::model::ClaimKey::FamilyName)
    )
    .trim()
    .to_string()
}

fn parse_time(s: Option<&str>) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s?, &time::format_description::well_known::Rfc3339).ok()
}

/// The cell of `field` for one fee paid.
fn cell(
    field: Field,
    paid: &Paid<'_>,
    profile: &Profile,
    registry: Option<&Registry>,
    zone: &jiff::tz::TimeZone,
) -> Cell {
    let record = &paid.delivered.record;
    let item = |key: &str| paid.item.and_then(|i| i.get(key));
    let date = |at: Option<OffsetDateTime>| {
        Cell::Made(
            at.map(|t| local_strftime(t, zone, profile.date_format.strftime()))
                .unwrap_or_default(),
        )
    };
    let text = |s: Option<&str>| Cell::Text(s.unwrap_or_default().to_string());
    match field {
        Field::Kassenzeichen => Cell::Text(paid.booking(form_model::model::BOOKING_KASSENZEICHEN)),
        Field::Haushaltsstelle => {
            Cell::Text(paid.booking(form_model::model::BOOKING_HAUSHALTSSTELLE))
        }
        Field::Produktkonto => Cell::Text(paid.booking(form_model::model::BOOKING_PRODUKTKONTO)),
        Field::Amount => Cell::Made(
            paid.amount()
                .map(|n| money_with(n, profile.decimal_separator))
                .unwrap_or_default(),
        ),
        Field::PaymentDate => date(parse_time(paid.info("transactionTimestamp"))),
        Field::PaymentReference => text(paid.info("transactionReference")),
        Field::TransactionId => text(paid.info("transactionId")),
        Field::PaymentMethod => text(paid.info("paymentMethod")),
        Field::PayerName => Cell::Text(payer_name(paid.delivered, registry)),
        Field::Purpose => text(paid.payment.get("purpose").and_then(Value::as_str)),
        Field::Description => text(item("description").and_then(Value::as_str)),
        Field::Fee => text(item("id").and_then(Value::as_str)),
        Field::Quantity => Cell::Made(
            item("quantity")
                .and_then(Value::as_u64)
                .map(|q| q.to_string())
                .unwrap_or_else(|| "1".into()),
        ),
        Field::Reference => Cell::Text(record.reference.clone()),
        Field::Form => Cell::Text(record.form.id.clone()),
        Field::Received => date(Some(record.received_at)),
        Field::SubmissionId => Cell::Made(record.id.to_string()),
    }
}

/// The booking file of the fees paid in `rows`, shaped by `profile`: its bytes, encoded, and
/// how many rows it has. `registry` gives the forms' questions for the payer's name.
pub fn to_booking_file(
    profile: &Profile,
    rows: &[Delivered],
    registry: Option<&Registry>,
) -> Result<(Vec<u8>, usize), InboxError> {
    let zone = berlin();
    let mut lines = Vec::new();
    if profile.header {
        lines.push(
            profile
                .columns
                .iter()
                .map(|c| Cell::Made(c.title.clone().unwrap_or_else(|| c.field.title().into())))
                .collect(),
        );
    }
    let paid = paid(rows);
    for p in &paid {
        lines.push(
            profile
                .columns
                .iter()
                .map(|c| cell(c.field, p, profile, registry, &zone))
                .collect(),
        );
    }
    Ok((encoded(profile, lines, "booking file")?, paid.len()))
}

/// The lines of cells as `profile` writes them: delimited, CRLF, encoded; `what` names the file
/// in the error for a character Windows-1252 cannot hold.
fn encoded(profile: &Profile, rows: Vec<Vec<Cell>>, what: &str) -> Result<Vec<u8>, InboxError> {
    let lines: Vec<String> = rows
        .into_iter()
        .map(|cells| {
            let mut l = cells
                .into_iter()
                .map(|c| c.field_between(profile.delimiter))
                .collect::<Vec<_>>()
                .join(&profile.delimiter.to_string());
            l.push_str("\r\n");
            l
        })
        .collect();
    let mut out = Vec::new();
    match profile.encoding {
        Encoding::Utf8Bom => {
            out.extend_from_slice(crate::clerk::BOM.to_string().as_bytes());
            lines
                .iter()
                .for_each(|l| out.extend_from_slice(l.as_bytes()));
        }
        Encoding::Utf8 => lines
            .iter()
            .for_each(|l| out.extend_from_slice(l.as_bytes())),
        Encoding::Windows1252 => {
            for (n, l) in lines.iter().enumerate() {
                let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(l);
                if unmappable {
                    return Err(InboxError::Io(format!(
                        "line {} of the {what} has a character Windows-1252 cannot hold; use encoding: utf-8-bom: {}",
                        n + 1,
                        l.trim_end()
                    )));
                }
                out.extend_from_slice(&bytes);
            }
        }
    }
    Ok(out)
}

/// The pulled submissions of `municipality` below `out` (the `--out` folder of `inbox pull`),
/// of every form and version, or only `form` (and `version`); oldest first in each version.
pub fn read_all_pulled(
    out: &Path,
    municipality: &str,
    form: Option<&str>,
    version: Option<u32>,
) -> Result<Vec<Delivered>, InboxError> {
    let root = out.join(municipality);
    let io = |p: &Path, e: std::io::Error| InboxError::Io(format!("{}: {e}", p.display()));
    if !root.is_dir() {
        // The same refusal as the other exports.
        return crate::export::read_pulled(out, municipality, form.unwrap_or(""), 0);
    }
    let names = |dir: &Path| -> Result<Vec<String>, InboxError> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| io(dir, e))?
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        Ok(names)
    };
    let mut rows = Vec::new();
    for f in names(&root)? {
        if form.is_some_and(|want| want != f) {
            continue;
        }
        for v in names(&root.join(&f))? {
            let Some(n) = v.strip_prefix('v').and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            if version.is_some_and(|want| want != n) {
                continue;
            }
            rows.extend(crate::export::read_pulled(out, municipality, &f, n)?);
        }
    }
    Ok(rows)
}
