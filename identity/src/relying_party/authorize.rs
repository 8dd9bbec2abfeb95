//! The start of a sign-in: the authorization request (code flow with PKCE S256, state, nonce,
//! the acceptable trust levels) and the flow state the browser keeps meanwhile.

use std::collections::BTreeMap;

use openidconnect::core::{CoreAuthPrompt, CoreResponseType};
use openidconnect::{
    AuthenticationContextClass, AuthenticationFlow, CsrfToken, Nonce, PkceCodeChallenge, Scope,
};
use url::Url;

use super::RelyingParty;
use crate::claims::TrustLevel;
use crate::return_to::ReturnTarget;
use crate::session::FlowState;

/// The start of a sign-in: where to send the browser, and what to seal into the flow cookie.
pub struct SignInStart {
    pub authorization_url: Url,
    pub flow: FlowState,
}

impl RelyingParty {
    /// Starts a sign-in that returns to `return_to` and requires `required` (if any). The
    /// browser is sent to `authorization_url`; `flow` goes into the flow cookie.
    pub fn begin(
        &self,
        return_to: ReturnTarget,
        required: Option<TrustLevel>,
        context: BTreeMap<String, String>,
    ) -> SignInStart {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        // The acceptable levels, so that a broker which can enforce the level does; the
        // answer is checked here in any case.
        for value in self
            .settings
            .claims
            .values_at_least(required.unwrap_or(TrustLevel::Low))
        {
            request = request.add_auth_context_value(AuthenticationContextClass::new(value.into()));
        }
        if self.settings.force_login {
            request = request.add_prompt(CoreAuthPrompt::Login);
        }
        let (authorization_url, state, nonce) = request.url();
        SignInStart {
            authorization_url,
            flow: FlowState {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                return_to,
                required,
                context,
            },
        }
    }
}
