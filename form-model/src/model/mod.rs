//! The form language as process designers write it: catalog forms, municipality configs and
//! overlays. Every struct a person writes denies unknown keys and uses kebab-case keys, so a
//! typo is reported at its position instead of being silently ignored.
//!
//! These types are deliberately flat (one `Field` struct for every field type, one `Condition`
//! struct for every condition shape): serde then keeps the exact position of every mistake, and
//! the lint (`crate::lint`) explains combinations that do not fit in plain words.

mod condition;
mod efile;
mod field;
mod form;
mod identity;
mod keys;
mod municipality;
mod overlay;
mod parameter;
mod payment;
mod sepa;
mod text;

pub use condition::{Condition, Names};
pub use efile::{DmsCode, DmsIdentifiers, DmsParty, Records};
pub use field::{
    Area, Bound, Choice, DateParts, Field, FieldType, FimRef, LONG_LIST, OptionOrder, Repeat,
};
pub use form::{Fee, FeeByChoice, Form, Step};
pub use identity::{ClaimKey, IdentityUse, RequiredLevel};
pub use keys::struct_keys;
pub use municipality::{
    AccessibilityStatement, AssessmentMethod, Body, Branding, ComplianceStatus, Contact,
    FeeOverride, FormUse, Municipality, Pages,
};
pub use overlay::{
    AddField, HideField, Operation, OperationEntry, Overlay, Placement, SetField, SetForm, SetStep,
};
pub use parameter::{ParameterUse, ParameterValue};
pub use payment::{
    BOOKING_HAUSHALTSSTELLE, BOOKING_KASSENZEICHEN, BOOKING_PRODUKTKONTO, BasicAuth, Booking,
    BookingAccounts, BookingKeys, ClientAuthentication, FormBooking, KASSENZEICHEN_PLACEHOLDERS,
    KassenzeichenFacts, MtlsAuth, OAuth2Auth, Payment, PaymentAuth, PaymentChoice, PaymentMode,
    PaymentPlatform, SecretName,
};
pub use sepa::{
    CreditorIdProblem, SepaCreditor, SepaMandate, check_creditor_id, creditor_check_digits,
    is_sepa_reference, mandate_reference,
};
pub use text::Text;
