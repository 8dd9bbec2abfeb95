//! Where the adapter's secrets come from. A configuration (YAML) names a secret, never holds
//! it: `{ env: MUSTERSTADT_PAYMENT_CLIENT_SECRET }`, `{ file: /run/secrets/payment-key.pem }`,
//! `{ aws-secrets-manager: arn:... }` or `{ aws-ssm-parameter: /formfabrik/... }`. A
//! [`SecretSource`] resolves the names; [`LocalSecrets`] knows environment variables and files,
//! the function on Lambda adds a source for the two AWS stores, and [`MemorySecrets`] hands
//! secrets over in-process (`formfabrik serve` with the local platform, tests).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The name of a secret and the store it lives in. Written as a mapping with exactly one key,
/// which reads the same from YAML and JSON.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "OneOf", into = "OneOf")]
pub enum SecretRef {
    /// An environment variable.
    Env(String),
    /// A file (a mounted secret, a key file), relative paths to the working directory.
    File(PathBuf),
    /// An AWS Secrets Manager secret id or ARN (its string value).
    AwsSecretsManager(String),
    /// An AWS Systems Manager parameter name (a SecureString).
    AwsSsmParameter(String),
}

/// The written form of a [`SecretRef`].
#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct OneOf {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    aws_secrets_manager: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    aws_ssm_parameter: Option<String>,
}

impl TryFrom<OneOf> for SecretRef {
    type Error = String;

    fn try_from(w: OneOf) -> Result<Self, String> {
        let found: Vec<SecretRef> = [
            w.env.map(Self::Env),
            w.file.map(Self::File),
            w.aws_secrets_manager.map(Self::AwsSecretsManager),
            w.aws_ssm_parameter.map(Self::AwsSsmParameter),
        ]
        .into_iter()
        .flatten()
        .collect();
        match <[SecretRef; 1]>::try_from(found) {
            Ok([one]) => Ok(one),
            Err(_) => Err(
                "name a secret with exactly one of env, file, aws-secrets-manager, aws-ssm-parameter"
                    .into(),
            ),
        }
    }
}

impl From<SecretRef> for OneOf {
    fn from(r: SecretRef) -> Self {
        let mut w = Self::default();
        match r {
            SecretRef::Env(n) => w.env = Some(n),
            SecretRef::File(p) => w.file = Some(p),
            SecretRef::AwsSecretsManager(id) => w.aws_secrets_manager = Some(id),
            SecretRef::AwsSsmParameter(n) => w.aws_ssm_parameter = Some(n),
        }
        w
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(n) => write!(f, "environment variable {n}"),
            Self::File(p) => write!(f, "file {}", p.display()),
            Self::AwsSecretsManager(id) => write!(f, "AWS Secrets Manager secret {id}"),
            Self::AwsSsmParameter(n) => write!(f, "AWS SSM parameter {n}"),
        }
    }
}

/// The environment variable a municipality's payment secret is read from when its
/// configuration does not name one: `FORMFABRIK_PAYMENT_<MUNICIPALITY>_<WHAT>`, upper case,
/// hyphens as underscores (`FORMFABRIK_PAYMENT_MUSTERSTADT_CLIENT_SECRET`).
pub fn default_env_name(municipality: &str, what: SecretKind) -> String {
    let m: String = municipality
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("FORMFABRIK_PAYMENT_{m}_{}", what.suffix())
}

/// The secrets an authentication variant needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    /// OAuth2 client secret.
    ClientSecret,
    /// HTTP Basic password.
    Password,
    /// mTLS client certificate chain (PEM).
    ClientCertificate,
    /// mTLS private key (PEM).
    ClientKey,
}

impl SecretKind {
    fn suffix(self) -> &'static str {
        match self {
            Self::ClientSecret => "CLIENT_SECRET",
            Self::Password => "PASSWORD",
            Self::ClientCertificate => "CLIENT_CERTIFICATE",
            Self::ClientKey => "CLIENT_KEY",
        }
    }
}

/// A secret value. Its `Debug` does not show it, so it cannot end up in a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("the {0} is not set")]
    Missing(SecretRef),
    #[error("the {reference} cannot be read: {message}")]
    Unreadable {
        reference: SecretRef,
        message: String,
    },
    #[error(
        "the {0} cannot be read here: this secret source knows environment variables and files only"
    )]
    Unsupported(SecretRef),
}

/// A future a secret source answers with.
pub type SecretFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret, SecretError>> + Send + 'a>>;

/// Resolves secret names to values. Implementations may call a remote store; the adapter asks
/// when it builds its client and whenever it fetches a new OAuth2 token, so a rotated secret is
/// picked up without a restart.
pub trait SecretSource: Send + Sync {
    fn resolve<'a>(&'a self, reference: &'a SecretRef) -> SecretFuture<'a>;
}

/// Environment variables and files.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalSecrets;

impl LocalSecrets {
    /// Resolves at once (no store to call).
    pub fn read(reference: &SecretRef) -> Result<Secret, SecretError> {
        match reference {
            SecretRef::Env(name) => match std::env::var(name) {
                Ok(v) if !v.is_empty() => Ok(Secret(v)),
                Ok(_) | Err(std::env::VarError::NotPresent) => {
                    Err(SecretError::Missing(reference.clone()))
                }
                Err(e) => Err(SecretError::Unreadable {
                    reference: reference.clone(),
                    message: e.to_string(),
                }),
            },
            SecretRef::File(path) => match std::fs::read_to_string(path) {
                Ok(v) => Ok(Secret(v)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(SecretError::Missing(reference.clone()))
                }
                Err(e) => Err(SecretError::Unreadable {
                    reference: reference.clone(),
                    message: e.to_string(),
                }),
            },
            other => Err(SecretError::Unsupported(other.clone())),
        }
    }
}

impl SecretSource for LocalSecrets {
    fn resolve<'a>(&'a self, reference: &'a SecretRef) -> SecretFuture<'a> {
        Box::pin(async move { Self::read(reference) })
    }
}

/// Secrets held in memory, for handing them over in-process. Names it does not hold are asked
/// of the fallback (none by default).
#[derive(Default)]
pub struct MemorySecrets {
    values: Mutex<HashMap<SecretRef, Secret>>,
    fallback: Option<Box<dyn SecretSource>>,
}

impl MemorySecrets {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks `fallback` for names not held here.
    pub fn with_fallback(fallback: impl SecretSource + 'static) -> Self {
        Self {
            values: Mutex::default(),
            fallback: Some(Box::new(fallback)),
        }
    }

    pub fn insert(&self, reference: SecretRef, value: impl Into<String>) {
        self.values
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(reference, Secret::new(value));
    }
}

impl SecretSource for MemorySecrets {
    fn resolve<'a>(&'a self, reference: &'a SecretRef) -> SecretFuture<'a> {
        let held = self
            .values
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(reference)
            .cloned();
        Box::pin(async move {
            match (held, &self.fallback) {
                (Some(s), _) => Ok(s),
                (None, Some(f)) => f.resolve(reference).await,
                (None, None) => Err(SecretError::Missing(reference.clone())),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_references_are_written_as_one_key_mappings() {
        let r: SecretRef = serde_yaml_like("{\"env\":\"PAY_SECRET\"}");
        assert_eq!(r, SecretRef::Env("PAY_SECRET".into()));
        let r: SecretRef = serde_yaml_like("{\"aws-ssm-parameter\":\"/ff/pay\"}");
        assert_eq!(r, SecretRef::AwsSsmParameter("/ff/pay".into()));
        assert!(serde_json::from_str::<SecretRef>("{\"vault\":\"x\"}").is_err());
        let two = serde_json::from_str::<SecretRef>("{\"env\":\"A\",\"file\":\"b\"}");
        assert!(two.unwrap_err().to_string().contains("exactly one of"));
        let back = serde_json::to_string(&SecretRef::File("k.pem".into())).unwrap();
        assert_eq!(back, "{\"file\":\"k.pem\"}");
    }

    fn serde_yaml_like(json: &str) -> SecretRef {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_default_environment_names_follow_the_municipality() {
        assert_eq!(
            default_env_name("bad-musterstadt", SecretKind::ClientSecret),
            "FORMFABRIK_PAYMENT_BAD_MUSTERSTADT_CLIENT_SECRET"
        );
        assert_eq!(
            default_env_name("musterstadt", SecretKind::ClientKey),
            "FORMFABRIK_PAYMENT_MUSTERSTADT_CLIENT_KEY"
        );
    }

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(..)");
    }

    #[tokio::test]
    async fn local_secrets_read_files_and_refuse_the_aws_stores() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        std::fs::write(&path, "-----BEGIN").unwrap();
        let s = LocalSecrets.resolve(&SecretRef::File(path)).await.unwrap();
        assert_eq!(s.expose(), "-----BEGIN");
        let missing = SecretRef::File(dir.path().join("nope"));
        assert!(matches!(
            LocalSecrets.resolve(&missing).await,
            Err(SecretError::Missing(_))
        ));
        let aws = SecretRef::AwsSecretsManager("arn:x".into());
        let e = LocalSecrets.resolve(&aws).await.unwrap_err();
        assert!(
            e.to_string().contains("AWS Secrets Manager secret arn:x"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn memory_secrets_fall_back_to_another_source() {
        let m = MemorySecrets::with_fallback(LocalSecrets);
        m.insert(SecretRef::Env("FF_TEST_NOT_SET_ANYWHERE".into()), "s3cret");
        let held = m
            .resolve(&SecretRef::Env("FF_TEST_NOT_SET_ANYWHERE".into()))
            .await
            .unwrap();
        assert_eq!(held.expose(), "s3cret");
        let other = m
            .resolve(&SecretRef::Env("FF_TEST_ALSO_NOT_SET".into()))
            .await;
        assert!(matches!(other, Err(SecretError::Missing(_))));
    }
}
