//! The messages of XBezahldienste v1.0.0, field for field as the standard names them
//! (camelCase JSON, `grosAmount` with one s). What the standard requires of each field is
//! checked in [`crate::validate`], not by the types, so that a platform (and the local one in
//! this repository) can name every violation of a request instead of only the first.
//!
//! Reading is tolerant where the adapter must not get stuck: an unknown payment method or
//! status from a platform is kept as it was sent (`Other`), and the request a platform echoes
//! back is kept as plain JSON. A payment that cannot be read is a payment that cannot be
//! released.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

/// The body of `POST /paymenttransaction/{originatorId}/{endPointId}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequest {
    /// Assigned by the online service, kept by the platform; the same id twice is the same
    /// payment (≤ 36, `[\w\d-]+`).
    pub request_id: String,
    /// When the application was made.
    #[serde(with = "time::serde::rfc3339")]
    pub request_timestamp: OffsetDateTime,
    /// Three letters; v1.0.0 provides for `EUR` only.
    pub currency: String,
    /// The total, which the platform checks against the items.
    pub gros_amount: Amount,
    /// Verwendungszweck / booking text (≤ 27, `[\w\d\s-]+`).
    pub purpose: String,
    /// Shown on the pay page (≤ 250).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the platform sends the browser back to; the outcome must then be pulled.
    pub redirect_url: String,
    /// 1 to 99 positions.
    pub items: Vec<PaymentItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requestor: Option<Requestor>,
}

/// One position of a payment request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentItem {
    /// Assigned by the online service (≤ 36, `[\w\d-]+`).
    pub id: String,
    /// A reference to what is paid for (≤ 36, `[\w\d-]+`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Shown on the pay page (≤ 250).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tax rate in percent (19 for 19 %); fees of a public authority are usually 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<TaxRate>,
    pub quantity: u32,
    pub total_net_amount: Amount,
    pub total_tax_amount: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_net_amount: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_tax_amount: Option<Amount>,
    /// Key-value pairs the platform or the finance system books with (Haushaltsstelle,
    /// Kassenzeichen ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub booking_data: BTreeMap<String, String>,
}

/// Who pays.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requestor {
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// True for organisations and legal persons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_organization: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// `M`, `F` or `D` (divers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gender {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
    #[serde(rename = "D")]
    Diverse,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub house_number: Option<String>,
    /// Generic lines, for addresses abroad.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address_line: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2, two capital letters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// The platform's answer to a create and to a status pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentTransaction {
    pub payment_information: PaymentInformation,
    /// The request as the platform keeps it. Kept as JSON: the adapter decides on
    /// `paymentInformation` alone, and a platform's way of echoing must not stop a status pull.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_request: Option<serde_json::Value>,
}

/// What the platform says about a transaction; taken over unchanged into the application
/// (FIT-Connect's `paymentInformation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentInformation {
    /// The REST URL of this transaction, for status pulls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_url: Option<String>,
    /// The pay page the browser is sent to; present only while the status is INITIAL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_redirect_url: Option<String>,
    /// The platform's id of the transaction, used in every later call.
    pub transaction_id: String,
    /// The business reference of the payment (may be the Kassenzeichen); may be assigned only
    /// once the payer authorised the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_reference: Option<String>,
    /// When the payment succeeded. Kept as the platform wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_timestamp: Option<String>,
    /// Only present after a successful payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_detail: Option<String>,
    pub status: PaymentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<String>,
}

/// An `application/problem+json` answer (RFC 7807) with the standard's `functionalCode`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// A link to a description of the error (≤ 2082).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The HTTP status (100 to 511).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The HTTP status text (≤ 250, `[\w\d\s\.-]+`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A functional description, no system internals (≤ 2000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functional_code: Option<FunctionalCode>,
}

/// Declares a string enumeration of the standard that keeps values it does not know.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know, as it was sent.
            Other(String),
        }

        impl $name {
            /// The value as the standard writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(s) => s,
                }
            }

            /// Reads a value; unknown ones become `Other`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $($text => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok(Self::parse(&s))
            }
        }
    };
}

open_enum! {
    /// The state of a transaction.
    PaymentStatus {
        /// Created; the payer has not finished (or not started) on the pay page.
        Initial = "INITIAL",
        /// Paid (the standard's spelling).
        Payed = "PAYED",
        Failed = "FAILED",
        Canceled = "CANCELED",
    }
}

impl PaymentStatus {
    /// Whether the transaction will not change any more. An unknown status is not final: the
    /// adapter keeps asking rather than guessing.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Payed | Self::Failed | Self::Canceled)
    }
}

open_enum! {
    /// How the payer paid.
    PaymentMethod {
        Giropay = "GIROPAY",
        Paydirect = "PAYDIRECT",
        Creditcard = "CREDITCARD",
        Paypal = "PAYPAL",
        OtherMethod = "OTHER",
    }
}

open_enum! {
    /// The machine-readable reason of a problem answer.
    FunctionalCode {
        /// Deprecated in v1.0.0 in favour of `NO_VALID_ORIGINATOR_OR_ENDPOINT`.
        NoValidOriginatorOrDestination = "NO_VALID_ORIGINATOR_OR_DESTINATION",
        /// The platform finds no tenant for the originator and endpoint ids.
        NoValidOriginatorOrEndpoint = "NO_VALID_ORIGINATOR_OR_ENDPOINT",
        /// A payment request with this id was placed already.
        PaymentExists = "PAYMENT_EXISTS",
        /// The total does not match the items.
        CalculationError = "CALCULATION_ERROR",
        /// Data the booking needs (in `bookingData`) is missing.
        BookingDataMissing = "BOOKING_DATA_MISSING",
        /// Any other validation or semantic error, such as an unsupported currency.
        ValidationError = "VALIDATION_ERROR",
        Unspecified = "UNSPECIFIED",
        /// Missing credentials or no authorisation in this context.
        Forbidden = "FORBIDDEN",
    }
}

/// An amount in euros with at most two decimals, kept as a whole number of cents so that sums
/// are exact. On the wire it is a JSON number (`12.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

impl Amount {
    pub const fn from_cents(cents: i64) -> Self {
        Self(cents)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{:02}", self.0.abs() / 100, self.0.abs() % 100)
    }
}

/// A tax rate in percent with at most two decimals, kept in hundredths of a percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TaxRate(i64);

impl TaxRate {
    pub const fn from_hundredths(hundredths: i64) -> Self {
        Self(hundredths)
    }

    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// The tax on `net`, rounded half away from zero to whole cents.
    pub fn tax_on(self, net: Amount) -> Amount {
        let exact = i128::from(net.cents()) * i128::from(self.0);
        let rounded = (exact + exact.signum() * 5_000) / 10_000;
        Amount(rounded as i64)
    }
}

impl fmt::Display for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Amount(self.0).fmt(f)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0 as f64 / 100.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Hundredths("an amount in euros"))
            .map(Self)
    }
}

impl Serialize for TaxRate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0 as f64 / 100.0)
    }
}

impl<'de> Deserialize<'de> for TaxRate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Hundredths("a tax rate in percent"))
            .map(Self)
    }
}

/// Reads a JSON number with at most two decimals as a whole number of hundredths.
struct Hundredths(&'static str);

/// Larger numbers are far outside every range the standard allows; refusing them keeps the
/// arithmetic in `i64`.
const HUNDREDTHS_LIMIT: f64 = 1e15;

impl Visitor<'_> for Hundredths {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (a number with at most two decimals)", self.0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        v.checked_mul(100)
            .filter(|h| (h.unsigned_abs() as f64) < HUNDREDTHS_LIMIT)
            .ok_or_else(|| E::custom(format!("{} {v} is too large", self.0)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v)
            .map_err(|_| E::custom(format!("{} {v} is too large", self.0)))
            .and_then(|v| self.visit_i64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        let scaled = v * 100.0;
        if !scaled.is_finite() || scaled.abs() >= HUNDREDTHS_LIMIT {
            return Err(E::custom(format!("{} {v} is too large", self.0)));
        }
        let rounded = scaled.round();
        // A decimal such as 12.34 is not exact in binary; a third decimal differs by far more
        // than the representation error.
        if (scaled - rounded).abs() > 1e-6 {
            return Err(E::custom(format!(
                "{} {v} has more than two decimals",
                self.0
            )));
        }
        Ok(rounded as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_exact_cents() {
        let a: Amount = serde_json::from_str("12.34").unwrap();
        assert_eq!(a.cents(), 1234);
        let a: Amount = serde_json::from_str("0.1").unwrap();
        assert_eq!(a.cents(), 10);
        let a: Amount = serde_json::from_str("25").unwrap();
        assert_eq!(a.cents(), 2500);
        let a: Amount = serde_json::from_str("999999.99").unwrap();
        assert_eq!(a.cents(), 99_999_999);
        assert_eq!(
            serde_json::to_string(&Amount::from_cents(1234)).unwrap(),
            "12.34"
        );
        assert_eq!(Amount::from_cents(-5).to_string(), "-0.05");
    }

    #[test]
    fn an_amount_with_a_third_decimal_is_refused() {
        let e = serde_json::from_str::<Amount>("12.345").unwrap_err();
        assert!(e.to_string().contains("more than two decimals"), "{e}");
        assert!(serde_json::from_str::<Amount>("\"12.00\"").is_err());
    }

    #[test]
    fn tax_is_rounded_half_away_from_zero() {
        let rate = TaxRate::from_hundredths(1900);
        assert_eq!(rate.tax_on(Amount::from_cents(1000)).cents(), 190);
        assert_eq!(rate.tax_on(Amount::from_cents(50)).cents(), 10); // 9.5 → 10
        assert_eq!(
            TaxRate::from_hundredths(0)
                .tax_on(Amount::from_cents(999))
                .cents(),
            0
        );
    }

    #[test]
    fn unknown_enumeration_values_are_kept_as_sent() {
        let s: PaymentStatus = serde_json::from_str("\"PENDING\"").unwrap();
        assert_eq!(s, PaymentStatus::Other("PENDING".into()));
        assert!(!s.is_final());
        assert!(PaymentStatus::Payed.is_final());
        let m: PaymentMethod = serde_json::from_str("\"OTHER\"").unwrap();
        assert_eq!(m, PaymentMethod::OtherMethod);
        assert_eq!(
            serde_json::to_string(&FunctionalCode::PaymentExists).unwrap(),
            "\"PAYMENT_EXISTS\""
        );
    }
}
