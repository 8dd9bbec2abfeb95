//! One payment transaction for a submission, as the function records it: the request it sent
//! (so that sending it again is the same payment), the platform's transaction id and pay page,
//! and where the submission that awaits the payment lies. Stored create-only at
//! `_payments/<municipality>/<id>/attempt-<n>.json`, in plain JSON: it holds no answers and no
//! personal data (no `requestor` is sent; the platform asks the payer itself), only the form,
//! the reference, the fees and the amount.
//!
//! The first transaction's `requestId` is the submission id, so a repeated submission (the
//! same id) can never open a second payment: the platform returns the existing transaction.
//! After a payment was cancelled or failed the citizen may try again; that is a new
//! transaction (a finished one cannot be paid again) with `requestId` `<id without hyphens>-<n>`,
//! offered only once the previous one is finished and not paid, so at most one is ever open.

use std::collections::BTreeMap;

use bytes::Bytes;
use form_model::fees::AmountDue;
use form_model::model::{Booking, KassenzeichenFacts};
use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;
use xbezahl::{Amount, PaymentItem, PaymentRequest};

use store::payment::attempt_key;
use store::{PutOutcome, Store, StoreError};

/// The format of an attempt object.
pub const ATTEMPT_FORMAT: &str = "formfabrik.payment-attempt/1";

/// How many transactions a submission may have: enough for a citizen who tries again a few
/// times, and a bound on the probing in [`latest`].
pub const MAX_ATTEMPTS: u32 = 10;

/// The function's record of one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Attempt {
    pub format: String,
    /// 1 for the first transaction of the submission.
    pub n: u32,
    pub municipality: String,
    pub form: String,
    pub version: u32,
    pub id: Uuid,
    pub reference: String,
    /// The submission's folder in the store (with a trailing slash).
    pub dir: String,
    /// The language the citizen used: the pages around the payment speak it.
    pub language: String,
    /// Whether the submission is sealed for the back office (then so is the payment object).
    pub encrypted: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The request as it was sent: sending it again is the same payment.
    pub request: PaymentRequest,
    pub transaction_id: String,
    /// The platform's pay page (while the transaction is open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_url: Option<String>,
    /// The booking keys the platform knows by other names (`payment.booking.keys`): our name
    /// to the name in `bookingData`, as when the request was made (the payment object carries
    /// it to the booking export).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub booking_keys: BTreeMap<String, String>,
    /// For a plain (unsealed) submission: the sha512 (hex) of each attachment, in the record's
    /// order, as stored. With the record awaiting payment (which the release copies byte for
    /// byte and leaves in place) it is all the receipt on the paid page needs, so the function
    /// reads no released submission object (on AWS it may not: docs/payment.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments_sha512: Vec<String>,
}

/// The `requestId` of the `n`th transaction for submission `id` (see the module's words).
pub fn request_id(id: Uuid, n: u32) -> String {
    if n <= 1 {
        id.hyphenated().to_string()
    } else {
        format!("{}-{n}", id.simple())
    }
}

/// The payment request for a submission's amount due; `None` when nothing is due. Each fee
/// that costs something is one item (no tax: fees of an authority are not taxed), described in
/// the citizen's language, with the booking keys of the municipality's `booking` (Kassenzeichen,
/// Haushaltsstelle, Produktkonto) in its `bookingData`; the purpose is the submission's
/// reference, which the cash office then finds on the bank statement.
#[allow(clippy::too_many_arguments)]
pub fn payment_request(
    form: &ResolvedForm,
    booking: Option<&Booking>,
    reference: &str,
    received_at: OffsetDateTime,
    amount: &AmountDue,
    lang: &str,
    redirect_url: String,
    request_id: String,
) -> Option<PaymentRequest> {
    if amount.is_nothing() {
        return None;
    }
    let title = text_in(&form.form.title, lang);
    let items: Vec<PaymentItem> = amount
        .items
        .iter()
        .filter(|i| i.cents > 0)
        .map(|item| {
            let label = form
                .form
                .fees
                .iter()
                .find(|f| f.id == item.id)
                .map_or_else(|| item.id.clone(), |f| text_in(&f.label, lang));
            let label = match &item.choice {
                Some(choice) => format!("{label} {choice}"),
                None => label,
            };
            // A whole quantity of a unit price is written as such; anything else as one item
            // of its total, so that quantity × single is always the total.
            let (quantity, single) = match item.quantity {
                Some(q)
                    if q >= 1.0
                        && q.fract() == 0.0
                        && q <= f64::from(u32::MAX)
                        && (q as i64) * item.unit_cents == item.cents =>
                {
                    (q as u32, item.unit_cents)
                }
                _ => (1, item.cents),
            };
            PaymentItem {
                id: item.id.chars().take(xbezahl::limits::ID_MAX).collect(),
                reference: Some(reference.to_string()),
                description: Some(xbezahl::text::text(
                    &label,
                    xbezahl::limits::DESCRIPTION_MAX,
                )),
                tax_rate: Some(xbezahl::TaxRate::from_hundredths(0)),
                quantity,
                total_net_amount: Amount::from_cents(item.cents),
                total_tax_amount: Amount::from_cents(0),
                single_net_amount: Some(Amount::from_cents(single)),
                single_tax_amount: Some(Amount::from_cents(0)),
                booking_data: booking
                    .map(|b| {
                        b.booking_data(
                            &form.form.id,
                            &item.id,
                            KassenzeichenFacts {
                                reference,
                                year: received_at.year(),
                                ags: &form.municipality.ags,
                            },
                        )
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    Some(PaymentRequest {
        request_id,
        request_timestamp: received_at,
        currency: "EUR".into(),
        gros_amount: Amount::from_cents(amount.total_cents),
        purpose: xbezahl::text::purpose(reference),
        description: Some(xbezahl::text::text(
            &format!("{title} {}", form.municipality.name),
            xbezahl::limits::DESCRIPTION_MAX,
        )),
        redirect_url,
        items,
        requestor: None,
    })
}

/// Stores `attempt` unless its number is taken; returns the attempt stored under the number
/// (this one, or the one a racing request stored first).
pub async fn put(store: &dyn Store, attempt: &Attempt) -> Result<Attempt, StoreError> {
    let key = attempt_key(&attempt.municipality, attempt.id, attempt.n);
    let bytes = Bytes::from(serde_json::to_vec_pretty(attempt).expect("attempts serialise"));
    match store.put_new(&key, bytes, "application/json").await? {
        PutOutcome::Created => Ok(attempt.clone()),
        PutOutcome::Exists => get(store, &attempt.municipality, attempt.id, attempt.n)
            .await?
            .ok_or_else(|| StoreError::Unavailable(format!("{key} exists but cannot be read"))),
    }
}

/// The `n`th attempt of submission `id` of `municipality`.
pub async fn get(
    store: &dyn Store,
    municipality: &str,
    id: Uuid,
    n: u32,
) -> Result<Option<Attempt>, StoreError> {
    let key = attempt_key(municipality, id, n);
    let Some(bytes) = store.get(&key).await? else {
        return Ok(None);
    };
    let attempt: Attempt = serde_json::from_slice(&bytes).map_err(|e| StoreError::Damaged {
        key: key.clone(),
        reason: e.to_string(),
    })?;
    if attempt.id != id || attempt.n != n || attempt.municipality != municipality {
        return Err(StoreError::Damaged {
            key,
            reason: "the attempt names another submission".into(),
        });
    }
    Ok(Some(attempt))
}

/// The latest attempt of submission `id`, found by asking for each number in turn (the
/// function does not list the store).
pub async fn latest(
    store: &dyn Store,
    municipality: &str,
    id: Uuid,
) -> Result<Option<Attempt>, StoreError> {
    let mut found = None;
    for n in 1..=MAX_ATTEMPTS {
        match get(store, municipality, id, n).await? {
            Some(a) => found = Some(a),
            None => break,
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_request_id_is_the_submission_id_and_later_ones_fit_the_standard() {
        let id = Uuid::parse_str("6f1c5e1e-6b43-4c1b-9d0e-1d2f3a4b5c6d").unwrap();
        assert_eq!(request_id(id, 1), "6f1c5e1e-6b43-4c1b-9d0e-1d2f3a4b5c6d");
        let second = request_id(id, 2);
        assert_eq!(second, "6f1c5e1e6b434c1b9d0e1d2f3a4b5c6d-2");
        let tenth = request_id(id, MAX_ATTEMPTS);
        assert!(tenth.len() <= xbezahl::limits::ID_MAX, "{tenth}");
        assert!(tenth.chars().all(xbezahl::text::is_id_char));
    }
}
