//! The function's sign-in settings: which broker and client each municipality uses (a JSON file
//! named by `FORMFABRIK_SIGN_IN`, part of the function's deployment, never of the public form
//! YAML), and the secrets from a secret source (client secret or private key, the session key
//! ring). Everything is checked at start: a broker that cannot be reached or does not offer what
//! the relying party needs stops the start with a clear message.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use form_model::registry::RegistryIndex;
use identity::registry::Melderegister;
use identity::registry::http::HttpRegistry;
use identity::secrets::{self, SecretError, SecretSource};
use identity::transport::Transport;
use identity::{
    ClientCredentials, Clock, CookieSettings, IdentityError, KeyRing, ProviderSettings,
    RelyingParty, Sealer, Sessions,
};
use serde::Deserialize;
use thiserror::Error;

use super::{MunicipalSignIn, SignIn};

/// `FORMFABRIK_SIGN_IN`'s file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SignInSettings {
    /// By municipality id.
    pub municipalities: BTreeMap<String, MunicipalSettings>,
}

/// One municipality's broker and cookies.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MunicipalSettings {
    pub provider: ProviderSettings,
    /// The path the browser sends the cookies to: the municipality's part of the function
    /// (default `/v1/<municipality>/`; with an API Gateway stage `/prod/v1/<municipality>/`).
    #[serde(default)]
    pub cookie_path: Option<String>,
    /// `Secure` cookies with `__Secure-` names. Only `formfabrik serve` on plain
    /// `http://127.0.0.1` turns it off.
    #[serde(default = "yes")]
    pub secure_cookies: bool,
    /// Prefix of this municipality's secrets (`musterstadt/`) when municipalities use
    /// different brokers; default none.
    #[serde(default)]
    pub secret_prefix: String,
    /// The municipality's resident registry for the look-up with the citizen's consent
    /// (docs/identity.md, *Registry look-up*); its token is the secret `registry-token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<RegistrySettings>,
}

/// Where the municipality's registry gateway is (the JSON protocol of
/// `identity::registry`).
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RegistrySettings {
    /// The gateway's base URL (`https://melderegister.example/musterstadt/`).
    pub url: String,
}

fn yes() -> bool {
    true
}

/// Why sign-in cannot start.
#[derive(Debug, Error)]
pub enum SignInConfigError {
    #[error("cannot read the sign-in settings {path}: {message}")]
    Read { path: String, message: String },
    #[error("sign-in settings name municipality {0}, which the registry does not have")]
    UnknownMunicipality(String),
    #[error("sign-in of {municipality}: {source}")]
    Secret {
        municipality: String,
        #[source]
        source: SecretError,
    },
    #[error("the session key ring is not usable: {0}")]
    KeyRing(String),
    #[error("sign-in of {municipality}: cookie path: {message}")]
    CookiePath {
        municipality: String,
        message: String,
    },
    #[error("sign-in of {municipality}: the registry cannot be used: {source}")]
    Registry {
        municipality: String,
        #[source]
        source: identity::registry::RegistryError,
    },
    #[error("sign-in of {municipality}: the broker cannot be used: {source}")]
    Broker {
        municipality: String,
        #[source]
        source: IdentityError,
    },
}

impl SignInSettings {
    /// Reads the settings file (JSON).
    pub fn read(path: &Path) -> Result<Self, SignInConfigError> {
        let err = |message: String| SignInConfigError::Read {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        serde_json::from_str(&text).map_err(|e| err(e.to_string()))
    }
}

impl SignIn {
    /// Discovers every municipality's broker and loads the secrets from `source`.
    pub async fn load(
        settings: &SignInSettings,
        registry: &impl RegistryIndex,
        source: &dyn SecretSource,
        transport: Arc<dyn Transport>,
        clock: Arc<dyn Clock>,
    ) -> Result<SignIn, SignInConfigError> {
        let keys = secrets::require(source, secrets::SESSION_KEYS)
            .await
            .map_err(|source| SignInConfigError::Secret {
                municipality: "*".into(),
                source,
            })?;
        let ring = KeyRing::parse(&keys).map_err(|e| SignInConfigError::KeyRing(e.to_string()))?;
        let sealer = Arc::new(Sealer::new(ring));
        let mut municipalities = HashMap::new();
        for (id, m) in &settings.municipalities {
            if registry.municipality(id).is_none() {
                return Err(SignInConfigError::UnknownMunicipality(id.clone()));
            }
            let credentials =
                ClientCredentials::load(m.provider.client_auth, source, &m.secret_prefix)
                    .await
                    .map_err(|source| SignInConfigError::Secret {
                        municipality: id.clone(),
                        source,
                    })?;
            let rp = RelyingParty::discover(
                m.provider.clone(),
                credentials,
                transport.clone(),
                clock.clone(),
            )
            .await
            .map_err(|source| SignInConfigError::Broker {
                municipality: id.clone(),
                source,
            })?;
            let path = m
                .cookie_path
                .clone()
                .unwrap_or_else(|| format!("/v1/{id}/"));
            let cookies = CookieSettings::new(&path, m.secure_cookies).map_err(|e| {
                SignInConfigError::CookiePath {
                    municipality: id.clone(),
                    message: e.to_string(),
                }
            })?;
            let sessions = Sessions::new(sealer.clone(), clock.clone(), id.clone(), cookies);
            let registry = match &m.registry {
                None => None,
                Some(r) => {
                    let name = format!("{}{}", m.secret_prefix, secrets::REGISTRY_TOKEN);
                    let token = secrets::require(source, &name).await.map_err(|source| {
                        SignInConfigError::Secret {
                            municipality: id.clone(),
                            source,
                        }
                    })?;
                    let http =
                        HttpRegistry::new(&r.url, token, transport.clone()).map_err(|source| {
                            SignInConfigError::Registry {
                                municipality: id.clone(),
                                source,
                            }
                        })?;
                    Some(Arc::new(http) as Arc<dyn Melderegister>)
                }
            };
            municipalities.insert(
                id.clone(),
                Arc::new(MunicipalSignIn {
                    rp,
                    sessions,
                    registry,
                }),
            );
        }
        Ok(SignIn {
            municipalities,
            draft_days: store::drafts::DEFAULT_DAYS,
        })
    }
}
