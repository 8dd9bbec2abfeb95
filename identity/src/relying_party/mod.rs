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
//!
//! One file per step or concern:
//! - `settings`: which provider and client a municipality uses ([`ProviderSettings`]),
//! - `credentials`: the client's secret or private key, and its signed client assertions,
//! - `protocol`: `openidconnect`'s types for the broker, over this crate's [`Transport`],
//! - `discovery`: reading and checking the provider's metadata ([`RelyingParty::discover`]),
//! - `authorize`: the authorization request ([`RelyingParty::begin`]),
//! - `callback`: the callback and code exchange ([`RelyingParty::finish`]),
//! - `id_token`: the ID token's checks, with a fresh JWKS when the provider rotated its keys,
//! - `error`: why a sign-in was refused.
//!
//! [`VerifiedIdentity`]: crate::claims::VerifiedIdentity

mod authorize;
mod callback;
mod credentials;
mod discovery;
mod error;
mod id_token;
mod protocol;
mod settings;

use std::sync::{Arc, RwLock};

use openidconnect::core::CoreJwsSigningAlgorithm;
use openidconnect::{IssuerUrl, JsonWebKeySetUrl};

use crate::clock::Clock;
use crate::transport::Transport;

pub use authorize::SignInStart;
pub use callback::Callback;
pub use credentials::ClientCredentials;
pub use error::{IdTokenError, IdentityError};
pub use settings::{ClientAuth, ProviderSettings};

use protocol::{BrokerClient, JwkSet};

/// A municipality's relying party at its broker.
pub struct RelyingParty {
    settings: ProviderSettings,
    credentials: ClientCredentials,
    transport: Arc<dyn Transport>,
    clock: Arc<dyn Clock>,
    client: BrokerClient,
    issuer: IssuerUrl,
    jwks_uri: JsonWebKeySetUrl,
    /// The ID token signature algorithms both sides accept.
    signing_algs: Vec<CoreJwsSigningAlgorithm>,
    /// The provider announced that its authorization responses name their issuer (RFC 9207).
    iss_parameter: bool,
    /// The provider's keys, replaced when a token names a key they lack.
    jwks: RwLock<Arc<JwkSet>>,
}

impl RelyingParty {
    /// The provider's issuer URL.
    pub fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    pub fn settings(&self) -> &ProviderSettings {
        &self.settings
    }
}
