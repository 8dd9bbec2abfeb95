//! Registry look-up (Melderegister): after sign-in, and only with the citizen's consent, the
//! function may ask the municipality's registry for the currently registered address.
//!
//! [`Melderegister`] is the adapter interface. [`http::HttpRegistry`] speaks a small JSON
//! protocol (below); [`local`] is a registry service over a file of test residents that speaks
//! the same protocol, for tests and `formfabrik serve`. A real registry is reached through a
//! gateway that offers this protocol and speaks XMeld over OSCI behind it (see
//! docs/identity.md); this crate does not pretend to speak XMeld.
//!
//! The protocol: `POST <base>/v1/look-up` with `Authorization: Bearer <token>` and
//! `{"family-name", "given-names", "birth-date", "consent-given-at"}`; the answer is
//! `{"result": "found", "address": {...}, "registered-since": "YYYY-MM-DD"}`,
//! `{"result": "not-found"}` or `{"result": "ambiguous"}` (several residents match: nothing
//! is disclosed).

pub mod http;
pub mod local;

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Date, OffsetDateTime};

use crate::claims::{Address, VerifiedIdentity};
use crate::transport::TransportError;

time::serde::format_description!(pub(crate) iso_date, Date, "[year]-[month]-[day]");

/// Who is looked up: the person the identity provider vouched for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ResidentQuery {
    pub family_name: String,
    pub given_names: String,
    #[serde(with = "iso_date")]
    pub birth_date: Date,
}

impl ResidentQuery {
    /// The query for a signed-in citizen; the registry needs a complete birth date.
    pub fn for_identity(identity: &VerifiedIdentity) -> Result<Self, RegistryError> {
        let birth_date = identity.birth_date.as_ref().and_then(|b| b.date()).ok_or(
            RegistryError::NotEnoughData("a complete birth date (the account has none)"),
        )?;
        Ok(ResidentQuery {
            family_name: identity.family_name.clone(),
            given_names: identity.given_names.clone(),
            birth_date,
        })
    }
}

/// The citizen's consent to the look-up, given on the page. Only code that showed the consent
/// text and received the citizen's "yes" makes one; the registry logs when.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Consent {
    pub given_at: OffsetDateTime,
}

/// What the registry answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case", deny_unknown_fields)]
pub enum LookUp {
    #[serde(rename_all = "kebab-case")]
    Found {
        address: Address,
        #[serde(
            default,
            with = "iso_date::option",
            skip_serializing_if = "Option::is_none"
        )]
        registered_since: Option<Date>,
    },
    NotFound,
    /// More than one resident matches: nothing is disclosed.
    Ambiguous,
}

/// Why a look-up gave no answer.
#[derive(Debug, Error)]
pub enum RegistryError {
    #[error("the look-up needs {0}")]
    NotEnoughData(&'static str),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("the registry refused the credentials (HTTP {status})")]
    Unauthorized { status: u16 },
    #[error("the registry answered HTTP {status}: {message}")]
    Service { status: u16, message: String },
    #[error("the registry's answer is not usable: {0}")]
    BadAnswer(String),
    #[error("the registry URL \"{0}\" is not usable (https, or http on a loopback address)")]
    BadUrl(String),
}

pub type LookUpFuture<'a> =
    Pin<Box<dyn Future<Output = Result<LookUp, RegistryError>> + Send + 'a>>;

/// A municipality's resident registry.
pub trait Melderegister: Send + Sync {
    /// The currently registered address of the person `query` describes.
    fn look_up<'a>(&'a self, query: &'a ResidentQuery, consent: Consent) -> LookUpFuture<'a>;
}

/// The request body of the JSON protocol.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct LookUpRequest {
    #[serde(flatten)]
    pub query: ResidentQuery,
    #[serde(with = "time::serde::rfc3339")]
    pub consent_given_at: OffsetDateTime,
}
