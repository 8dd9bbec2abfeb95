//! The OpenID Connect relying party of an identity broker (Keycloak with a BundID identity
//! provider, or any certified provider): discovery, the authorization request with PKCE, state
//! and nonce, and the callback: code exchange, ID token checked against the provider's JWKS
//! (signature, issuer, audience, nonce, expiry), claims mapped to a [`VerifiedIdentity`].
//!
//! The protocol is `openidconnect`'s; this module chooses its settings (PKCE S256 required,
//! asymmetric signatures only, RFC 9207 `iss` checked when the provider sends it, a fresh
//! sign-in each time), fetches the JWKS again when a token names a key it does not know (the
//! provider rotated its keys), signs `private_key_jwt` client assertions, and turns every
//! refusal into a typed [`IdentityError`].

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use josekit::jwk::Jwk;
use josekit::jws::{ES256, JwsHeader, JwsSigner, PS256, RS256};
use josekit::jwt::JwtPayload;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClaimName, CoreClaimType, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreSubjectIdentifierType, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AdditionalProviderMetadata, AsyncHttpClient, AuthenticationContextClass,
    AuthenticationFlow, AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret,
    CsrfToken, DiscoveryError, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IdToken, IdTokenClaims, IdTokenFields, IdTokenVerifier, IssuerUrl, JsonWebKeySet,
    JsonWebKeySetUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadata, RedirectUrl,
    RequestTokenError, Scope, SignatureVerificationError, StandardErrorResponse,
    StandardTokenResponse, TokenResponse,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;
use time::{Duration, OffsetDateTime};
use url::Url;

use crate::claims::{
    ClaimError, ClaimMapping, TokenFacts, TrustLevel, VerifiedIdentity, map_claims,
};
use crate::clock::Clock;
use crate::return_to::ReturnTarget;
use crate::secrets::{self, SecretError, SecretSource};
use crate::session::FlowState;
use crate::transport::{HttpRequest, Transport, TransportError, TransportFuture, is_loopback};

/// An ID token issued more than this before the callback is refused as stale: the sign-in it
/// belongs to cannot be older than the flow cookie.
const MAX_TOKEN_AGE: Duration = Duration::minutes(10);
/// Clocks of provider and function differ a little.
const CLOCK_SKEW: Duration = Duration::seconds(60);
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Which OpenID provider (the broker) and client a municipality uses. Nothing secret: the
/// client secret or private key comes from a [`SecretSource`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProviderSettings {
    /// The broker's issuer URL (`https://id.musterstadt.de/realms/bundid`).
    pub issuer: String,
    pub client_id: String,
    /// How the client authenticates at the token endpoint.
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// The function's callback URL, registered at the broker.
    pub redirect_url: String,
    /// Scopes besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub claims: ClaimMapping,
    /// Ask for a fresh sign-in every time (`prompt=login`), so an earlier sign-in at the
    /// broker is never reused silently (a shared computer, a second person).
    #[serde(default = "yes")]
    pub force_login: bool,
}

fn default_scopes() -> Vec<String> {
    ["profile", "email", "address"].map(String::from).to_vec()
}

fn yes() -> bool {
    true
}

/// Client authentication at the token endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAuth {
    /// `client_secret_basic`, the secret [`secrets::CLIENT_SECRET`].
    #[default]
    ClientSecretBasic,
    /// `private_key_jwt`, the private JWK [`secrets::CLIENT_PRIVATE_KEY`] (RSA: RS256 or
    /// PS256 as its `alg` says; EC P-256: ES256). No shared secret leaves the function.
    PrivateKeyJwt,
}

impl ClientAuth {
    fn method_name(self) -> &'static str {
        match self {
            ClientAuth::ClientSecretBasic => "client_secret_basic",
            ClientAuth::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

/// The client's credentials, loaded from a secret source.
pub enum ClientCredentials {
    Secret(SecretString),
    PrivateKey { jwk: Box<Jwk>, alg: &'static str },
}

impl ClientCredentials {
    /// Loads what `auth` needs from `source`; `prefix` (a municipality, with `/`) selects the
    /// municipality's own secrets when brokers differ.
    pub async fn load(
        auth: ClientAuth,
        source: &dyn SecretSource,
        prefix: &str,
    ) -> Result<Self, SecretError> {
        match auth {
            ClientAuth::ClientSecretBasic => Ok(ClientCredentials::Secret(
                secrets::require(source, &format!("{prefix}{}", secrets::CLIENT_SECRET)).await?,
            )),
            ClientAuth::PrivateKeyJwt => {
                let name = format!("{prefix}{}", secrets::CLIENT_PRIVATE_KEY);
                let text = secrets::require(source, &name).await?;
                Self::private_key(text.expose_secret())
                    .map_err(|reason| SecretError::Invalid { name, reason })
            }
        }
    }

    /// A private JWK (with `d`) for `private_key_jwt`.
    pub fn private_key(jwk_json: &str) -> Result<Self, String> {
        let jwk = Jwk::from_bytes(jwk_json.as_bytes()).map_err(|e| format!("not a JWK: {e}"))?;
        let alg = match (jwk.key_type(), jwk.algorithm(), jwk.curve()) {
            ("RSA", None | Some("RS256"), _) => "RS256",
            ("RSA", Some("PS256"), _) => "PS256",
            ("EC", None | Some("ES256"), Some("P-256")) => "ES256",
            (kty, alg, crv) => {
                return Err(format!(
                    "unsupported key: kty {kty}, alg {}, crv {} (use RSA with RS256/PS256 or EC P-256)",
                    alg.unwrap_or("-"),
                    crv.unwrap_or("-")
                ));
            }
        };
        // Fail now, not at the first sign-in.
        signer(&jwk, alg)?;
        Ok(ClientCredentials::PrivateKey {
            jwk: Box::new(jwk),
            alg,
        })
    }

    fn auth(&self) -> ClientAuth {
        match self {
            ClientCredentials::Secret(_) => ClientAuth::ClientSecretBasic,
            ClientCredentials::PrivateKey { .. } => ClientAuth::PrivateKeyJwt,
        }
    }
}

fn signer(jwk: &Jwk, alg: &str) -> Result<Box<dyn JwsSigner>, String> {
    let signer: Box<dyn JwsSigner> = match alg {
        "RS256" => Box::new(RS256.signer_from_jwk(jwk).map_err(|e| e.to_string())?),
        "PS256" => Box::new(PS256.signer_from_jwk(jwk).map_err(|e| e.to_string())?),
        "ES256" => Box::new(ES256.signer_from_jwk(jwk).map_err(|e| e.to_string())?),
        other => return Err(format!("unsupported algorithm {other}")),
    };
    Ok(signer)
}

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

/// Claims besides the standard ones (bPK2, …), kept as they came.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BrokerClaims(Map<String, Value>);

impl AdditionalClaims for BrokerClaims {}

/// Provider metadata `openidconnect` does not model.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct BrokerMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    authorization_response_iss_parameter_supported: Option<bool>,
}

impl AdditionalProviderMetadata for BrokerMetadata {}

type BrokerProviderMetadata = ProviderMetadata<
    BrokerMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;
type BrokerIdToken = IdToken<
    BrokerClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type BrokerTokenResponse = StandardTokenResponse<
    IdTokenFields<
        BrokerClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;
type BrokerClient = Client<
    BrokerClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    BrokerTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;
type JwkSet = JsonWebKeySet<CoreJsonWebKey>;

/// `openidconnect`'s HTTP client interface over a [`Transport`].
struct Http<'t>(&'t dyn Transport);

impl<'c> AsyncHttpClient<'c> for Http<'_> {
    type Error = TransportError;
    type Future = TransportFuture<'c>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        self.0.send(request)
    }
}

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

/// The start of a sign-in: where to send the browser, and what to seal into the flow cookie.
pub struct SignInStart {
    pub authorization_url: Url,
    pub flow: FlowState,
}

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

/// A municipality's relying party at its broker.
pub struct RelyingParty {
    settings: ProviderSettings,
    credentials: ClientCredentials,
    transport: Arc<dyn Transport>,
    clock: Arc<dyn Clock>,
    client: BrokerClient,
    issuer: IssuerUrl,
    jwks_uri: JsonWebKeySetUrl,
    signing_algs: Vec<CoreJwsSigningAlgorithm>,
    iss_parameter: bool,
    jwks: RwLock<Arc<JwkSet>>,
}

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

    /// The provider's issuer URL.
    pub fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    pub fn settings(&self) -> &ProviderSettings {
        &self.settings
    }

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

    /// Verifies `token` against the JWKS; when it names a key the JWKS lacks, fetches the JWKS
    /// once more (the provider rotated its keys) and tries again.
    async fn verify(
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

    fn client_assertion(&self, jwk: &Jwk, alg: &str) -> Result<String, IdentityError> {
        let now = self.clock.now();
        let mut header = JwsHeader::new();
        header.set_token_type("JWT");
        if let Some(kid) = jwk.key_id() {
            header.set_key_id(kid);
        }
        let mut payload = JwtPayload::new();
        payload.set_issuer(&self.settings.client_id);
        payload.set_subject(&self.settings.client_id);
        // The issuer identifier, as RFC 7523bis recommends (the token endpoint URL was
        // ambiguous across providers).
        payload.set_audience(vec![self.issuer.as_str()]);
        payload.set_jwt_id(uuid::Uuid::new_v4().to_string());
        payload.set_issued_at(&std::time::SystemTime::from(now));
        payload.set_expires_at(&std::time::SystemTime::from(now + Duration::seconds(60)));
        let signer = signer(jwk, alg).map_err(IdentityError::ClientAssertion)?;
        josekit::jwt::encode_with_signer(&payload, &header, &*signer)
            .map_err(|e| IdentityError::ClientAssertion(e.to_string()))
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

fn discovery_message(e: DiscoveryError<TransportError>) -> String {
    match e {
        DiscoveryError::Request(t) => t.to_string(),
        DiscoveryError::Response(status, _, m) => format!("HTTP {status}: {m}"),
        other => {
            let mut text = other.to_string();
            let mut source = std::error::Error::source(&other);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            text
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a, b).is_ok()
}

fn to_chrono(t: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond())
        .expect("time within chrono's range")
}

fn from_chrono(t: chrono::DateTime<chrono::Utc>) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.timestamp()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
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

    #[test]
    fn provider_settings_read_as_kebab_case_and_refuse_secrets() {
        let yaml = r#"{"issuer": "https://id.example/realms/bundid", "client-id": "formfabrik",
                       "redirect-url": "https://api.example/v1/m/auth/callback"}"#;
        let s: ProviderSettings = serde_json::from_str(yaml).unwrap();
        assert_eq!(s.client_auth, ClientAuth::ClientSecretBasic);
        assert_eq!(s.scopes, ["profile", "email", "address"]);
        assert!(s.force_login);
        let with_secret = yaml.replace("{", r#"{"client-secret": "x", "#);
        let err = serde_json::from_str::<ProviderSettings>(&with_secret).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `client-secret`"),
            "{err}"
        );
    }

    #[test]
    fn private_keys_must_be_rsa_or_p256_and_usable() {
        assert!(ClientCredentials::private_key("{}").is_err());
        let ec = josekit::jwk::alg::ec::EcKeyPair::generate(josekit::jwk::alg::ec::EcCurve::P384)
            .unwrap()
            .to_jwk_private_key();
        assert!(ClientCredentials::private_key(&ec.to_string()).is_err());
        let p256 = josekit::jwk::alg::ec::EcKeyPair::generate(josekit::jwk::alg::ec::EcCurve::P256)
            .unwrap()
            .to_jwk_private_key();
        assert!(matches!(
            ClientCredentials::private_key(&p256.to_string()),
            Ok(ClientCredentials::PrivateKey { alg: "ES256", .. })
        ));
    }
}
