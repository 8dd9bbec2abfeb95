//! Secrets (the OIDC client secret or private key, the session key ring, the registry's token)
//! come from a [`SecretSource`]: the process environment here, AWS Secrets Manager or SSM
//! Parameter Store on Lambda (an implementation of the same trait in the function). Never from
//! YAML: forms and municipality files are public and versioned.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use secrecy::{ExposeSecret, SecretString};
use thiserror::Error;

/// The OIDC client secret (`client_secret_basic`).
pub const CLIENT_SECRET: &str = "oidc-client-secret";
/// The OIDC client's private key as a JWK with `kid` (`private_key_jwt`).
pub const CLIENT_PRIVATE_KEY: &str = "oidc-client-private-key";
/// The session key ring: `kid:base64url-32-bytes`, comma-separated, the sealing key first.
pub const SESSION_KEYS: &str = "session-keys";
/// The bearer token for the registry look-up service.
pub const REGISTRY_TOKEN: &str = "registry-token";

/// A boxed future, so that sources can be used as trait objects.
pub type SecretFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<SecretString>, SecretError>> + Send + 'a>>;

/// Where secrets come from. `name` is one of the constants of this module, optionally prefixed
/// by a municipality (`musterstadt/oidc-client-secret`) when municipalities use different
/// brokers.
pub trait SecretSource: Send + Sync {
    /// The secret called `name`, or `None` when the source has no such secret.
    fn get<'a>(&'a self, name: &'a str) -> SecretFuture<'a>;
}

/// Why a secret is not available.
#[derive(Debug, Error)]
pub enum SecretError {
    #[error("secret {name} is not set ({hint})")]
    Missing { name: String, hint: String },
    #[error("secret {name} is not usable: {reason}")]
    Invalid { name: String, reason: String },
    #[error("secret {name} could not be read: {message}")]
    Source { name: String, message: String },
}

/// Secrets from environment variables: `FORMFABRIK_` and the name in upper case with every
/// other character an underscore (`oidc-client-secret` → `FORMFABRIK_OIDC_CLIENT_SECRET`,
/// `musterstadt/session-keys` → `FORMFABRIK_MUSTERSTADT_SESSION_KEYS`).
#[derive(Debug, Clone)]
pub struct EnvSecrets {
    prefix: String,
}

impl Default for EnvSecrets {
    fn default() -> Self {
        EnvSecrets {
            prefix: "FORMFABRIK_".into(),
        }
    }
}

impl EnvSecrets {
    /// Variables named `<prefix><NAME>`.
    pub fn with_prefix(prefix: impl Into<String>) -> Self {
        EnvSecrets {
            prefix: prefix.into(),
        }
    }

    /// The variable that holds `name`.
    pub fn variable(&self, name: &str) -> String {
        let upper: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        format!("{}{upper}", self.prefix)
    }
}

impl SecretSource for EnvSecrets {
    fn get<'a>(&'a self, name: &'a str) -> SecretFuture<'a> {
        let variable = self.variable(name);
        let result = match std::env::var(&variable) {
            Ok(value) if !value.is_empty() => Ok(Some(SecretString::from(value))),
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(SecretError::Invalid {
                name: name.to_string(),
                reason: format!("{variable} is not valid UTF-8"),
            }),
        };
        Box::pin(std::future::ready(result))
    }
}

/// Secrets held in memory: what `formfabrik serve` generates for one run, and tests.
#[derive(Default)]
pub struct MemorySecrets {
    values: HashMap<String, SecretString>,
}

impl MemorySecrets {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces `name`.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.values
            .insert(name.into(), SecretString::from(value.into()));
        self
    }
}

impl SecretSource for MemorySecrets {
    fn get<'a>(&'a self, name: &'a str) -> SecretFuture<'a> {
        let value = self
            .values
            .get(name)
            .map(|s| SecretString::from(s.expose_secret().to_string()));
        Box::pin(std::future::ready(Ok(value)))
    }
}

/// The secret `name` from `source`, or [`SecretError::Missing`] that says where to set it.
pub async fn require(source: &dyn SecretSource, name: &str) -> Result<SecretString, SecretError> {
    source.get(name).await?.ok_or_else(|| SecretError::Missing {
        name: name.to_string(),
        hint: format!(
            "set the environment variable {} or the secret in the deployment's secret store",
            EnvSecrets::default().variable(name)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_variable_names_are_upper_case_with_underscores() {
        let env = EnvSecrets::default();
        assert_eq!(env.variable(CLIENT_SECRET), "FORMFABRIK_OIDC_CLIENT_SECRET");
        assert_eq!(
            env.variable("musterstadt/session-keys"),
            "FORMFABRIK_MUSTERSTADT_SESSION_KEYS"
        );
    }

    #[tokio::test]
    async fn a_missing_secret_names_the_variable_to_set() {
        let err = require(&MemorySecrets::new(), SESSION_KEYS)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("FORMFABRIK_SESSION_KEYS"), "{err}");
    }

    #[test]
    fn secrets_do_not_print() {
        let secrets = MemorySecrets::new().with(CLIENT_SECRET, "hunter2");
        let value = futures_ready(secrets.get(CLIENT_SECRET)).unwrap().unwrap();
        assert!(!format!("{value:?}").contains("hunter2"));
        assert_eq!(value.expose_secret(), "hunter2");
    }

    fn futures_ready<T>(f: Pin<Box<dyn Future<Output = T> + Send + '_>>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }
}
