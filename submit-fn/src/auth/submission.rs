//! A submission of a form with sign-in: the session cookie is checked again (sealed, not
//! expired, of this municipality), the trust level is at least the form's, and the answers the
//! account prefilled and the form locks are the account's. Only then is the verified identity
//! written with the record; anything else is refused before anything is stored.

use form_model::resolve::ResolvedForm;
use http::{HeaderMap, StatusCode};
use identity::{SessionError, TrustLevel, VerifiedIdentity};
use serde_json::{Map, Value};

use super::SignIn;
use super::prefilled::{prefilled, same_answer, sources, statement};

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
    /// A locked answer differs from what the registry said (403); the question's id.
    RegistryAnswerChanged { field: String },
    /// The form needs sign-in but the municipality has no broker (503).
    NotConfigured,
}

impl IdentityRefusal {
    pub fn status(&self) -> StatusCode {
        match self {
            IdentityRefusal::SignInNeeded | IdentityRefusal::Forged => StatusCode::UNAUTHORIZED,
            IdentityRefusal::TrustLevelTooLow { .. }
            | IdentityRefusal::LockedAnswerChanged { .. }
            | IdentityRefusal::RegistryAnswerChanged { .. } => StatusCode::FORBIDDEN,
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
            IdentityRefusal::RegistryAnswerChanged { .. } => "registry-answer-changed",
            IdentityRefusal::NotConfigured => "sign-in-unavailable",
        }
    }
}

/// A signed-in submission: the verified identity, and what the record keeps of it.
#[derive(Debug, Clone)]
pub(crate) struct SignedIn {
    pub identity: VerifiedIdentity,
    /// The record's `identity`: the verified identity, `answer-sources` (question → `account`,
    /// `registry` or `typed`, for every prefilled question answered) and, when an answer is
    /// the registry's, `registry` (what it said, when, and the time of consent).
    pub record: Value,
}

/// The verified identity a submission of `form` carries (`None`: anonymous), or why it is
/// refused. `clean` are the validated answers.
pub(crate) fn check_submission(
    sign_in: Option<&SignIn>,
    form: &ResolvedForm,
    headers: &HeaderMap,
    clean: &Map<String, Value>,
) -> Result<Option<SignedIn>, IdentityRefusal> {
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
    // What the registry said for this person in this session (sealed: a changed or made-up
    // statement does not open, and counts as none).
    let statement = statement(sign_in, headers, &identity);
    if let Some(required) = required {
        if identity.trust_level < required {
            return Err(IdentityRefusal::TrustLevelTooLow { required });
        }
        let p = prefilled(form, &identity, statement.as_ref());
        for field in p.locked {
            if !same_answer(clean.get(&field), &p.answers[&field]) {
                return Err(if p.from_registry.contains(&field) {
                    IdentityRefusal::RegistryAnswerChanged { field }
                } else {
                    IdentityRefusal::LockedAnswerChanged { field }
                });
            }
        }
    }
    let sources = sources(form, &identity, statement.as_ref(), clean);
    let mut record = serde_json::to_value(&identity).expect("identities serialize");
    if let Value::Object(o) = &mut record {
        if let Some(s) = statement.filter(|_| sources.values().any(|v| v == "registry")) {
            o.insert(
                "registry".into(),
                serde_json::json!({
                    "address": s.address,
                    "registered-since": s.registered_since.map(|d| d.to_string()),
                    "consent-given-at": s.consent_given_at.format(&time::format_description::well_known::Rfc3339).ok(),
                    "looked-up-at": s.looked_up_at.format(&time::format_description::well_known::Rfc3339).ok(),
                }),
            );
        }
        o.insert("answer-sources".into(), Value::Object(sources));
    }
    Ok(Some(SignedIn { identity, record }))
}
