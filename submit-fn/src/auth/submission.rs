//! A submission of a form with sign-in: the session cookie is checked again (sealed, not
//! expired, of this municipality), the trust level is at least the form's, and the answers the
//! account prefilled and the form locks are the account's. Only then is the verified identity
//! written with the record; anything else is refused before anything is stored.

use form_model::resolve::ResolvedForm;
use http::{HeaderMap, StatusCode};
use identity::{SessionError, TrustLevel, VerifiedIdentity};
use serde_json::{Map, Value};

use super::SignIn;
use super::routes::prefill_answers;

/// Why a submission was refused for its identity.
#[derive(Debug, Clone, PartialEq)]
pub enum IdentityRefusal {
    /// No session, or an expired one, for a form that requires it (401).
    SignInNeeded,
    /// A session cookie that was not sealed by this function for this municipality (401).
    Forged,
    /// Signed in below the form's level (403).
    TrustLevelTooLow { required: TrustLevel },
    /// A locked answer differs from the account's (403); the question's id.
    LockedAnswerChanged { field: String },
    /// The form needs sign-in but the municipality has no broker (503).
    NotConfigured,
}

impl IdentityRefusal {
    pub fn status(&self) -> StatusCode {
        match self {
            IdentityRefusal::SignInNeeded | IdentityRefusal::Forged => StatusCode::UNAUTHORIZED,
            IdentityRefusal::TrustLevelTooLow { .. }
            | IdentityRefusal::LockedAnswerChanged { .. } => StatusCode::FORBIDDEN,
            IdentityRefusal::NotConfigured => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The stable code (JSON answers, logs).
    pub fn code(&self) -> &'static str {
        match self {
            IdentityRefusal::SignInNeeded => "sign-in-needed",
            IdentityRefusal::Forged => "session-refused",
            IdentityRefusal::TrustLevelTooLow { .. } => "trust-level-too-low",
            IdentityRefusal::LockedAnswerChanged { .. } => "locked-answer-changed",
            IdentityRefusal::NotConfigured => "sign-in-unavailable",
        }
    }
}

/// The verified identity a submission of `form` carries (`None`: anonymous), or why it is
/// refused. `clean` are the validated answers.
pub(crate) fn check_submission(
    sign_in: Option<&SignIn>,
    form: &ResolvedForm,
    headers: &HeaderMap,
    clean: &Map<String, Value>,
) -> Result<Option<VerifiedIdentity>, IdentityRefusal> {
    let setting = form.form.identity;
    if !setting.offers_sign_in() {
        return Ok(None);
    }
    let required = setting.required().map(TrustLevel::from);
    let Some(sign_in) = sign_in.and_then(|s| s.municipality(&form.municipality.id)) else {
        return match required {
            Some(_) => Err(IdentityRefusal::NotConfigured),
            None => Ok(None),
        };
    };
    let identity = match sign_in.sessions.session(headers) {
        Ok(opened) => opened.value.identity,
        // An expired cookie is usually not even sent (Max-Age); one that is, is expired.
        Err(SessionError::Missing { .. })
        | Err(SessionError::Refused {
            source: identity::SealError::Expired { .. },
            ..
        }) => {
            return match required {
                Some(_) => Err(IdentityRefusal::SignInNeeded),
                None => Ok(None),
            };
        }
        Err(_) => return Err(IdentityRefusal::Forged),
    };
    if let Some(required) = required {
        if identity.trust_level < required {
            return Err(IdentityRefusal::TrustLevelTooLow { required });
        }
        for (field, value) in prefill_answers(form, &identity) {
            if !same_answer(clean.get(&field), &value) {
                return Err(IdentityRefusal::LockedAnswerChanged { field });
            }
        }
    }
    Ok(Some(identity))
}

/// Whether a validated answer is the account's value: strings as they are, an address by its
/// four parts (validation may add others, such as a country).
fn same_answer(answer: Option<&Value>, account: &Value) -> bool {
    match (answer, account) {
        (Some(Value::Object(a)), Value::Object(b)) => b
            .iter()
            .all(|(k, v)| a.get(k).unwrap_or(&Value::String(String::new())) == v),
        (Some(a), b) => a == b,
        (None, _) => false,
    }
}
