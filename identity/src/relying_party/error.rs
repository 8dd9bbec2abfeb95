//! Why a sign-in was refused: every refusal is typed, and nothing is half-accepted.

use thiserror::Error;

use crate::claims::{ClaimError, TrustLevel};
use crate::secrets::SecretError;
use crate::transport::TransportError;

/// Why an ID token was refused.
#[derive(Debug, Error, PartialEq)]
pub enum IdTokenError {
    #[error("it has expired or is not current: {0}")]
    Expired(String),
    #[error("it was issued for another client: {0}")]
    WrongAudience(String),
    #[error("it was issued by another provider: {0}")]
    WrongIssuer(String),
    #[error("its nonce does not belong to this sign-in (a replayed token?): {0}")]
    NonceMismatch(String),
    #[error("it is signed with a key the provider does not publish")]
    UnknownKey,
    #[error("its signature is not valid: {0}")]
    BadSignature(String),
    #[error("its signature algorithm is not accepted: {0}")]
    DisallowedAlgorithm(String),
    #[error("{0}")]
    Invalid(String),
}

/// Why a sign-in failed. Every variant is a refusal; nothing is half-accepted.
#[derive(Debug, Error)]
pub enum IdentityError {
    #[error("the identity provider settings are not usable: {0}")]
    Config(String),
    #[error("discovery at {issuer} failed: {message}")]
    Discovery { issuer: String, message: String },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("the callback is not usable: {0}")]
    BadCallback(String),
    #[error("the callback's state does not belong to this browser's sign-in")]
    StateMismatch,
    #[error("the callback comes from issuer {got:?}, expected {expected}")]
    IssuerMismatch {
        expected: String,
        got: Option<String>,
    },
    #[error("the citizen cancelled the sign-in at the provider")]
    Cancelled,
    #[error("the provider refused the sign-in: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    ProviderRefused {
        error: String,
        description: Option<String>,
    },
    #[error("the callback carries no authorization code")]
    MissingCode,
    #[error("the token endpoint refused the code: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    CodeRejected {
        error: String,
        description: Option<String>,
    },
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("the token endpoint's answer is not usable: {0}")]
    BadTokenResponse(String),
    #[error("the token response carries no ID token")]
    NoIdToken,
    #[error("the ID token was refused: {0}")]
    IdToken(#[from] IdTokenError),
    #[error("the ID token's claims are not usable: {0}")]
    Claims(#[from] ClaimError),
    #[error("the form requires trust level {required}, the sign-in was {got}")]
    TrustLevelTooLow {
        required: TrustLevel,
        got: TrustLevel,
    },
    #[error("the client assertion could not be signed: {0}")]
    ClientAssertion(String),
}
