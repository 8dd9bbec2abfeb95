//! The function's secrets from AWS Systems Manager Parameter Store and AWS Secrets Manager
//! ([`AwsSecrets`]): the payment platforms' credentials that `municipality.yaml` names as
//! `{ aws-ssm-parameter: … }` or `{ aws-secrets-manager: … }` (xbezahl's `SecretSource`), and
//! sign-in's secrets (the OIDC client secret or private key, the session key ring, the
//! registry's token; identity's `SecretSource`) below a path given by `FORMFABRIK_SECRETS`
//! (`ssm:/formfabrik` or `secretsmanager:formfabrik/`), else from `FORMFABRIK_*` environment
//! variables. Values are kept for a time-to-live (the life of a warm Lambda, at most
//! [`DEFAULT_TTL`] by default), so a rotated payment secret is picked up without a cold start
//! and a warm function does not ask the store on every request. Errors name the secret and
//! the store; values never reach a log.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_config::SdkConfig;
use identity::secrets::{EnvSecrets, SecretError as IdentitySecretError};
use secrecy::{ExposeSecret, SecretString};
use xbezahl::secret::{LocalSecrets, Secret, SecretError, SecretRef};

/// How long a fetched value is used before it is asked for again.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// Where sign-in's secrets live (`FORMFABRIK_SECRETS`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SecretLocation {
    /// `FORMFABRIK_*` environment variables (`identity::secrets::EnvSecrets`).
    #[default]
    Env,
    /// SecureString parameters below a path: `ssm:/formfabrik` reads `session-keys` from
    /// `/formfabrik/session-keys`, `musterstadt/oidc-client-secret` from
    /// `/formfabrik/musterstadt/oidc-client-secret`.
    Ssm(String),
    /// Secrets named with a prefix: `secretsmanager:formfabrik/` reads `session-keys` from the
    /// secret `formfabrik/session-keys` (its string value).
    SecretsManager(String),
}

impl SecretLocation {
    /// Where the secret `name` is kept.
    pub fn reference(&self, name: &str) -> Option<SecretRef> {
        match self {
            SecretLocation::Env => None,
            SecretLocation::Ssm(path) => Some(SecretRef::AwsSsmParameter(format!(
                "{}/{name}",
                path.trim_end_matches('/')
            ))),
            SecretLocation::SecretsManager(prefix) => {
                Some(SecretRef::AwsSecretsManager(format!("{prefix}{name}")))
            }
        }
    }
}

impl FromStr for SecretLocation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "FORMFABRIK_SECRETS is \"{s}\": give env, ssm:/<path> (SSM Parameter Store) or \
                 secretsmanager:<prefix> (Secrets Manager)"
            )
        };
        if s == "env" || s.is_empty() {
            return Ok(SecretLocation::Env);
        }
        match s.split_once(':') {
            Some(("ssm", path)) if path.starts_with('/') && path.len() > 1 => {
                Ok(SecretLocation::Ssm(path.trim_end_matches('/').to_string()))
            }
            Some(("secretsmanager", prefix)) if !prefix.is_empty() => {
                Ok(SecretLocation::SecretsManager(prefix.to_string()))
            }
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for SecretLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretLocation::Env => f.write_str("env"),
            SecretLocation::Ssm(path) => write!(f, "ssm:{path}"),
            SecretLocation::SecretsManager(prefix) => write!(f, "secretsmanager:{prefix}"),
        }
    }
}

/// Secrets from the two AWS stores (and, for references to them, environment variables and
/// files), kept for a time-to-live.
pub struct AwsSecrets {
    /// Made at the first secret asked of AWS: a process that reads only environment variables
    /// and files does not look for a region or credentials.
    clients: tokio::sync::OnceCell<Clients>,
    sign_in: SecretLocation,
    ttl: Duration,
    cache: Mutex<HashMap<SecretRef, (SecretString, Instant)>>,
}

struct Clients {
    ssm: aws_sdk_ssm::Client,
    secrets_manager: aws_sdk_secretsmanager::Client,
}

impl Clients {
    fn new(config: &SdkConfig) -> Clients {
        Clients {
            ssm: aws_sdk_ssm::Client::new(config),
            secrets_manager: aws_sdk_secretsmanager::Client::new(config),
        }
    }
}

/// Why a store did not hand out a value: it has no such secret, or it could not be asked.
enum Fetch {
    NotFound,
    Failed(String),
}

impl AwsSecrets {
    /// Clients for `config` (on Lambda: `aws_config::load_defaults`, the function's role and
    /// region); sign-in's secrets from `sign_in`.
    pub fn new(config: &SdkConfig, sign_in: SecretLocation, ttl: Duration) -> AwsSecrets {
        AwsSecrets {
            clients: tokio::sync::OnceCell::new_with(Some(Clients::new(config))),
            sign_in,
            ttl,
            cache: Mutex::default(),
        }
    }

    /// Clients for the AWS environment (region and credentials as the SDK finds them: on
    /// Lambda the function's role), made when the first secret is asked of AWS.
    pub fn from_environment(sign_in: SecretLocation, ttl: Duration) -> AwsSecrets {
        AwsSecrets {
            clients: tokio::sync::OnceCell::new(),
            sign_in,
            ttl,
            cache: Mutex::default(),
        }
    }

    async fn clients(&self) -> &Clients {
        self.clients
            .get_or_init(|| async {
                Clients::new(
                    &aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await,
                )
            })
            .await
    }

    /// Where sign-in's secrets come from.
    pub fn sign_in_location(&self) -> &SecretLocation {
        &self.sign_in
    }

    /// The value `reference` names, from the cache while it is fresh.
    pub async fn value(&self, reference: &SecretRef) -> Result<SecretString, SecretError> {
        if let Some(v) = self.cached(reference) {
            return Ok(v);
        }
        let fetched = match reference {
            SecretRef::Env(_) | SecretRef::File(_) => {
                let s = LocalSecrets::read(reference)?;
                return Ok(SecretString::from(s.expose().to_string()));
            }
            SecretRef::AwsSsmParameter(name) => self.parameter(name).await,
            SecretRef::AwsSecretsManager(id) => self.secret(id).await,
        };
        match fetched {
            Ok(value) => {
                self.lock()
                    .insert(reference.clone(), (clone(&value), Instant::now()));
                Ok(value)
            }
            Err(Fetch::NotFound) => Err(SecretError::Missing(reference.clone())),
            Err(Fetch::Failed(message)) => Err(SecretError::Unreadable {
                reference: reference.clone(),
                message,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SecretRef, (SecretString, Instant)>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cached(&self, reference: &SecretRef) -> Option<SecretString> {
        let cache = self.lock();
        let (value, at) = cache.get(reference)?;
        (at.elapsed() < self.ttl).then(|| clone(value))
    }

    async fn parameter(&self, name: &str) -> Result<SecretString, Fetch> {
        let answer = self
            .clients()
            .await
            .ssm
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await;
        match answer {
            Ok(out) => out
                .parameter
                .and_then(|p| p.value)
                .map(SecretString::from)
                .ok_or_else(|| Fetch::Failed("the answer has no value".into())),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_parameter_not_found()) =>
            {
                Err(Fetch::NotFound)
            }
            Err(e) => Err(Fetch::Failed(
                aws_sdk_ssm::error::DisplayErrorContext(&e).to_string(),
            )),
        }
    }

    async fn secret(&self, id: &str) -> Result<SecretString, Fetch> {
        let answer = self
            .clients()
            .await
            .secrets_manager
            .get_secret_value()
            .secret_id(id)
            .send()
            .await;
        match answer {
            Ok(out) => out.secret_string.map(SecretString::from).ok_or_else(|| {
                Fetch::Failed("it holds a binary value; store the secret as a string".into())
            }),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Err(Fetch::NotFound)
            }
            Err(e) => Err(Fetch::Failed(
                aws_sdk_secretsmanager::error::DisplayErrorContext(&e).to_string(),
            )),
        }
    }
}

fn clone(s: &SecretString) -> SecretString {
    SecretString::from(s.expose_secret().to_string())
}

impl xbezahl::SecretSource for AwsSecrets {
    fn resolve<'a>(&'a self, reference: &'a SecretRef) -> xbezahl::secret::SecretFuture<'a> {
        Box::pin(async move {
            let value = self.value(reference).await?;
            Ok(Secret::new(value.expose_secret()))
        })
    }
}

impl identity::secrets::SecretSource for AwsSecrets {
    fn get<'a>(&'a self, name: &'a str) -> identity::secrets::SecretFuture<'a> {
        Box::pin(async move {
            let Some(reference) = self.sign_in.reference(name) else {
                return EnvSecrets::default().get(name).await;
            };
            match self.value(&reference).await {
                Ok(v) => Ok(Some(v)),
                Err(SecretError::Missing(_)) => Ok(None),
                Err(e) => Err(IdentitySecretError::Source {
                    name: name.to_string(),
                    message: e.to_string(),
                }),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_location_of_sign_in_secrets_is_env_a_parameter_path_or_a_name_prefix() {
        assert_eq!("env".parse(), Ok(SecretLocation::Env));
        let ssm: SecretLocation = "ssm:/formfabrik/".parse().unwrap();
        assert_eq!(ssm, SecretLocation::Ssm("/formfabrik".into()));
        assert_eq!(
            ssm.reference("musterstadt/session-keys"),
            Some(SecretRef::AwsSsmParameter(
                "/formfabrik/musterstadt/session-keys".into()
            ))
        );
        let sm: SecretLocation = "secretsmanager:formfabrik/".parse().unwrap();
        assert_eq!(
            sm.reference("oidc-client-secret"),
            Some(SecretRef::AwsSecretsManager(
                "formfabrik/oidc-client-secret".into()
            ))
        );
        assert_eq!(SecretLocation::Env.reference("session-keys"), None);
        for bad in ["ssm:formfabrik", "ssm:/", "vault:x", "secretsmanager:"] {
            let e = bad.parse::<SecretLocation>().unwrap_err();
            assert!(e.contains("FORMFABRIK_SECRETS"), "{e}");
        }
        assert_eq!(ssm.to_string(), "ssm:/formfabrik");
    }
}
