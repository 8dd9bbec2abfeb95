//! `inbox export --bookings --mandates`: the SEPA direct-debit mandates of the pulled
//! submissions (a form's `sepa-mandate`, given with the submission and recorded in its
//! `sepa_mandate`), one row per mandate, for the cash office's mandate management in its
//! finance system. The same profile shapes the file as the booking file (delimiter, encoding,
//! date format, header); its `mandate-columns` say which mandate fields in which order (default
//! all, in [`MandateField::ALL`]'s order). The column spec is in docs/payment.md.

use super::{MandateColumn, MandateField, Profile};
use crate::InboxError;
use crate::clerk::{Cell, berlin, local_strftime};
use crate::export::Delivered;

/// The mandate file of the mandates in `rows`, shaped by `profile`: its bytes, encoded, and
/// how many mandates it lists.
pub fn to_mandate_file(
    profile: &Profile,
    rows: &[Delivered],
) -> Result<(Vec<u8>, usize), InboxError> {
    let zone = berlin();
    let columns: Vec<MandateColumn> = match &profile.mandate_columns {
        Some(columns) => columns.clone(),
        None => MandateField::ALL
            .iter()
            .map(|&field| MandateColumn { field, title: None })
            .collect(),
    };
    let mut lines = Vec::new();
    if profile.header {
        lines.push(
            columns
                .iter()
                .map(|c| Cell::Made(c.title.clone().unwrap_or_else(|| c.field.title().into())))
                .collect(),
        );
    }
    let mut n = 0;
    for delivered in rows {
        let record = &delivered.record;
        let Some(mandate) = &record.sepa_mandate else {
            continue;
        };
        n += 1;
        lines.push(
            columns
                .iter()
                .map(|c| match c.field {
                    MandateField::MandateReference => Cell::Text(mandate.reference.clone()),
                    MandateField::SignedOn => Cell::Made(local_strftime(
                        mandate.signed_at,
                        &zone,
                        profile.date_format.strftime(),
                    )),
                    MandateField::CreditorId => Cell::Text(mandate.creditor_id.clone()),
                    MandateField::CreditorName => Cell::Text(mandate.creditor_name.clone()),
                    MandateField::DebtorName => Cell::Text(mandate.debtor_name.clone()),
                    MandateField::Iban => Cell::Text(mandate.iban.clone()),
                    MandateField::SequenceType => Cell::Made(mandate.sequence_type.clone()),
                    MandateField::Reference => Cell::Text(record.reference.clone()),
                    MandateField::Form => Cell::Text(record.form.id.clone()),
                    MandateField::SubmissionId => Cell::Made(record.id.to_string()),
                })
                .collect(),
        );
    }
    Ok((super::encoded(profile, lines, "mandate file")?, n))
}
