//! Discovery: the provider's metadata and JWKS, read once when the relying party is set up,
//! and checked for what this relying party needs.

use std::sync::{Arc, RwLock};

use openidconnect::core::CoreJwsSigningAlgorithm;
use openidconnect::{ClientId, ClientSecret, DiscoveryError, IssuerUrl, RedirectUrl};
use secrecy::ExposeSecret;
use url::Url;

use super::RelyingParty;
use super::credentials::ClientCredentials;
use super::error::IdentityError;
use super::protocol::{BrokerClient, BrokerProviderMetadata, Http};
use super::settings::ProviderSettings;
use crate::clock::Clock;
use crate::transport::{Transport, TransportError, error_chain, is_loopback};

/// Signature algorithms accepted for ID tokens: asymmetric only (an HMAC-signed token would
/// need the client secret as key; `none` is never accepted).
const ACCEPTED_ALGS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EcdsaP521Sha512,
];

impl RelyingParty {
    /// Reads the provider's discovery document and JWKS and checks that it offers what this
    /// relying party needs (authorization code flow, PKCE S256, the client authentication
    /// method, an asymmetric ID token signature).
    pub async fn discover(
        settings: ProviderSettings,
        credentials: ClientCredentials,
        transport: Arc<dyn Transport>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, IdentityError> {
        let config = |m: String| IdentityError::Config(m);
        if credentials.auth() != settings.client_auth {
            return Err(config(format!(
                "client-auth is {} but the credentials are for {}",
                settings.client_auth.method_name(),
                credentials.auth().method_name()
            )));
        }
        let issuer_url = Url::parse(&settings.issuer)
            .map_err(|e| config(format!("issuer \"{}\": {e}", settings.issuer)))?;
        if issuer_url.scheme() != "https"
            && !(issuer_url.scheme() == "http" && is_loopback(&issuer_url))
        {
            return Err(config(format!(
                "issuer \"{}\" must be https (plain http only on a loopback address)",
                settings.issuer
            )));
        }
        let redirect = RedirectUrl::new(settings.redirect_url.clone())
            .map_err(|e| config(format!("redirect-url \"{}\": {e}", settings.redirect_url)))?;
        let issuer = IssuerUrl::new(settings.issuer.clone())
            .map_err(|e| config(format!("issuer \"{}\": {e}", settings.issuer)))?;
        let discovery_error = |message: String| IdentityError::Discovery {
            issuer: settings.issuer.clone(),
            message,
        };
        let metadata = BrokerProviderMetadata::discover_async(issuer.clone(), &Http(&*transport))
            .await
            .map_err(|e| discovery_error(discovery_message(e)))?;

        let extra = metadata.additional_metadata();
        if !extra
            .code_challenge_methods_supported
            .as_ref()
            .is_some_and(|m| m.iter().any(|m| m == "S256"))
        {
            return Err(discovery_error(
                "the provider does not announce PKCE with S256 (code_challenge_methods_supported)"
                    .into(),
            ));
        }
        let iss_parameter = extra
            .authorization_response_iss_parameter_supported
            .unwrap_or(false);
        if metadata.token_endpoint().is_none() {
            return Err(discovery_error("the provider has no token endpoint".into()));
        }
        if let Some(methods) = metadata.token_endpoint_auth_methods_supported() {
            let wanted = settings.client_auth.method_name();
            if !methods.iter().any(|m| m.as_ref() == wanted) {
                return Err(discovery_error(format!(
                    "the provider does not offer client authentication {wanted}"
                )));
            }
        }
        let signing_algs: Vec<CoreJwsSigningAlgorithm> = metadata
            .id_token_signing_alg_values_supported()
            .iter()
            .filter(|a| ACCEPTED_ALGS.contains(a))
            .cloned()
            .collect();
        if signing_algs.is_empty() {
            return Err(discovery_error(
                "the provider signs ID tokens with no accepted (asymmetric) algorithm".into(),
            ));
        }
        let jwks_uri = metadata.jwks_uri().clone();
        let jwks = metadata.jwks().clone();
        let secret = match &credentials {
            ClientCredentials::Secret(s) => Some(ClientSecret::new(s.expose_secret().to_string())),
            ClientCredentials::PrivateKey { .. } => None,
        };
        let client = BrokerClient::from_provider_metadata(
            metadata,
            ClientId::new(settings.client_id.clone()),
            secret,
        )
        .set_redirect_uri(redirect);
        Ok(RelyingParty {
            settings,
            credentials,
            transport,
            clock,
            client,
            issuer,
            jwks_uri,
            signing_algs,
            iss_parameter,
            jwks: RwLock::new(Arc::new(jwks)),
        })
    }
}

/// A discovery or JWKS fetch error in words, with its causes.
pub(super) fn discovery_message(e: DiscoveryError<TransportError>) -> String {
    match e {
        DiscoveryError::Request(t) => t.to_string(),
        DiscoveryError::Response(status, _, m) => format!("HTTP {status}: {m}"),
        other => error_chain(&other),
    }
}
