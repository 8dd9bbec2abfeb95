//! The ID token's checks: signature against the provider's JWKS (fetched again once when the
//! token names a key it does not know: the provider rotated its keys), issuer, audience,
//! nonce, expiry and issue time, with refusals as typed [`IdTokenError`]s.

use std::sync::Arc;

use openidconnect::core::CoreGenderClaim;
use openidconnect::{
    ClaimsVerificationError, ClientId, IdTokenClaims, IdTokenVerifier, JsonWebKeySet, Nonce,
    SignatureVerificationError,
};
use time::{Duration, OffsetDateTime};

use super::RelyingParty;
use super::discovery::discovery_message;
use super::error::{IdTokenError, IdentityError};
use super::protocol::{BrokerClaims, BrokerIdToken, Http, JwkSet};

/// An ID token issued more than this before the callback is refused as stale: the sign-in it
/// belongs to cannot be older than the flow cookie.
const MAX_TOKEN_AGE: Duration = Duration::minutes(10);
/// Clocks of provider and function differ a little.
const CLOCK_SKEW: Duration = Duration::seconds(60);

impl RelyingParty {
    /// Verifies `token` against the JWKS; when it names a key the JWKS lacks, fetches the JWKS
    /// once more (the provider rotated its keys) and tries again.
    pub(super) async fn verify(
        &self,
        token: &BrokerIdToken,
        nonce: &Nonce,
    ) -> Result<IdTokenClaims<BrokerClaims, CoreGenderClaim>, IdentityError> {
        let jwks = self.jwks.read().expect("jwks lock").clone();
        match self.verify_with(&jwks, token, nonce) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                let fresh = JsonWebKeySet::fetch_async(&self.jwks_uri, &Http(&*self.transport))
                    .await
                    .map_err(|e| IdentityError::Discovery {
                        issuer: self.issuer.to_string(),
                        message: format!("JWKS: {}", discovery_message(e)),
                    })?;
                let fresh = Arc::new(fresh);
                *self.jwks.write().expect("jwks lock") = fresh.clone();
                self.verify_with(&fresh, token, nonce)
            }
            other => other,
        }
        .map_err(|e| IdentityError::IdToken(id_token_error(e)))
    }

    fn verify_with(
        &self,
        jwks: &JwkSet,
        token: &BrokerIdToken,
        nonce: &Nonce,
    ) -> Result<IdTokenClaims<BrokerClaims, CoreGenderClaim>, ClaimsVerificationError> {
        let now = self.clock.now();
        let verifier = IdTokenVerifier::new_public_client(
            ClientId::new(self.settings.client_id.clone()),
            self.issuer.clone(),
            jwks.clone(),
        )
        .set_allowed_algs(self.signing_algs.clone())
        .set_time_fn(move || to_chrono(now))
        .set_issue_time_verifier_fn(move |iat| {
            let iat = from_chrono(iat);
            if iat > now + CLOCK_SKEW {
                Err(format!("issued in the future ({iat})"))
            } else if iat < now - MAX_TOKEN_AGE {
                Err(format!("issued at {iat}, too long before this sign-in"))
            } else {
                Ok(())
            }
        });
        token.clone().into_claims(&verifier, nonce)
    }
}

fn id_token_error(e: ClaimsVerificationError) -> IdTokenError {
    use ClaimsVerificationError as C;
    use SignatureVerificationError as S;
    match e {
        C::Expired(m) => IdTokenError::Expired(m),
        C::InvalidAudience(m) => IdTokenError::WrongAudience(m),
        C::InvalidIssuer(m) => IdTokenError::WrongIssuer(m),
        C::InvalidNonce(m) => IdTokenError::NonceMismatch(m),
        C::SignatureVerification(S::NoMatchingKey) => IdTokenError::UnknownKey,
        C::SignatureVerification(S::CryptoError(m)) => IdTokenError::BadSignature(m),
        C::SignatureVerification(
            e @ (S::DisallowedAlg(_) | S::UnsupportedAlg(_) | S::NoSignature),
        ) => IdTokenError::DisallowedAlgorithm(e.to_string()),
        other => IdTokenError::Invalid(other.to_string()),
    }
}

/// `openidconnect` counts time in chrono's type, this crate in `time`'s.
fn to_chrono(t: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond())
        .expect("time within chrono's range")
}

pub(super) fn from_chrono(t: chrono::DateTime<chrono::Utc>) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.timestamp()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
