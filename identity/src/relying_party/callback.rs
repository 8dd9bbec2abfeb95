//! The end of a sign-in: the provider's redirect back to the callback (state, RFC 9207 issuer,
//! error), the code exchange at the token endpoint, and the checked ID token's claims mapped to
//! a [`VerifiedIdentity`] of the required trust level.

use openidconnect::{AuthorizationCode, Nonce, PkceCodeVerifier, RequestTokenError, TokenResponse};
use serde_json::Value;

use super::RelyingParty;
use super::credentials::{ASSERTION_TYPE, ClientCredentials};
use super::error::{IdTokenError, IdentityError};
use super::id_token::from_chrono;
use super::protocol::Http;
use crate::claims::{TokenFacts, VerifiedIdentity, map_claims};
use crate::session::FlowState;

/// The query of the provider's redirect back to the callback.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

impl Callback {
    /// Reads the callback's query string. A parameter given twice is refused: which one a
    /// check saw and which one is used must never differ.
    pub fn from_query(query: &str) -> Result<Self, IdentityError> {
        let mut callback = Callback::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match name.as_ref() {
                "code" => &mut callback.code,
                "state" => &mut callback.state,
                "iss" => &mut callback.iss,
                "error" => &mut callback.error,
                "error_description" => &mut callback.error_description,
                _ => continue,
            };
            if slot.is_some() {
                return Err(IdentityError::BadCallback(format!(
                    "parameter {name} is given twice"
                )));
            }
            *slot = Some(value.into_owned());
        }
        Ok(callback)
    }
}

impl RelyingParty {
    /// Completes the sign-in `flow` with the provider's `callback`.
    pub async fn finish(
        &self,
        flow: &FlowState,
        callback: &Callback,
    ) -> Result<VerifiedIdentity, IdentityError> {
        // The state first: a callback that does not belong to this browser's sign-in says
        // nothing, not even "cancelled".
        let state_matches = callback
            .state
            .as_deref()
            .is_some_and(|s| constant_time_eq(s.as_bytes(), flow.state.as_bytes()));
        if !state_matches {
            return Err(IdentityError::StateMismatch);
        }
        // RFC 9207: the authorization response names its issuer (mix-up defence).
        if (callback.iss.is_some() || self.iss_parameter)
            && callback.iss.as_deref() != Some(self.issuer.as_str())
        {
            return Err(IdentityError::IssuerMismatch {
                expected: self.issuer.to_string(),
                got: callback.iss.clone(),
            });
        }
        if let Some(error) = &callback.error {
            return Err(if error == "access_denied" {
                IdentityError::Cancelled
            } else {
                IdentityError::ProviderRefused {
                    error: error.clone(),
                    description: callback.error_description.clone(),
                }
            });
        }
        let code = callback.code.clone().ok_or(IdentityError::MissingCode)?;

        let mut request = self
            .client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| IdentityError::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()));
        if let ClientCredentials::PrivateKey { jwk, alg } = &self.credentials {
            request = request
                .add_extra_param("client_assertion_type", ASSERTION_TYPE)
                .add_extra_param("client_assertion", self.client_assertion(jwk, alg)?);
        }
        let http = Http(&*self.transport);
        let response = request.request_async(&http).await.map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => IdentityError::CodeRejected {
                error: r.error().as_ref().to_string(),
                description: r.error_description().cloned(),
            },
            RequestTokenError::Request(t) => IdentityError::Transport(t),
            RequestTokenError::Parse(e, _) => IdentityError::BadTokenResponse(e.to_string()),
            RequestTokenError::Other(m) => IdentityError::BadTokenResponse(m),
        })?;
        let id_token = response.id_token().ok_or(IdentityError::NoIdToken)?;
        let nonce = Nonce::new(flow.nonce.clone());
        let claims = self.verify(id_token, &nonce).await?;

        let Value::Object(all) = serde_json::to_value(&claims)
            .map_err(|e| IdTokenError::Invalid(format!("claims do not serialise: {e}")))?
        else {
            return Err(IdTokenError::Invalid("claims are not an object".into()).into());
        };
        let issued = claims.auth_time().unwrap_or_else(|| claims.issue_time());
        let identity = map_claims(
            TokenFacts {
                claims: &all,
                provider: self.issuer.as_str(),
                subject: claims.subject().as_str(),
                authenticated_at: from_chrono(issued),
                verified_at: self.clock.now(),
            },
            &self.settings.claims,
        )?;
        if let Some(required) = flow.required
            && identity.trust_level < required
        {
            return Err(IdentityError::TrustLevelTooLow {
                required,
                got: identity.trust_level,
            });
        }
        Ok(identity)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a, b).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callback_parameter_given_twice_is_refused() {
        assert!(matches!(
            Callback::from_query("code=a&state=s&state=t"),
            Err(IdentityError::BadCallback(_))
        ));
        let c =
            Callback::from_query("code=a%2Bb&state=s&iss=https%3A%2F%2Fid.example&x=1").unwrap();
        assert_eq!(c.code.as_deref(), Some("a+b"));
        assert_eq!(c.iss.as_deref(), Some("https://id.example"));
    }
}
