//! How the adapter reaches one payment platform: its base URL, the originator and endpoint ids
//! the platform knows the municipality's online service by, and one of the three ways
//! XBezahldienste platforms authenticate a caller. Written by people (in `municipality.yaml`),
//! so kebab-case and unknown keys refused; secrets are named, never written (see
//! [`crate::secret`]).
//!
//! ```yaml
//! base-url: https://payment.example/api/xbezahldienste/
//! originator-id: formfabrik
//! endpoint-id: "09162000"
//! auth:
//!   oauth2:
//!     token-url: https://payment.example/oauth/token
//!     client-id: formfabrik-musterstadt
//!     client-secret: { env: FORMFABRIK_PAYMENT_MUSTERSTADT_CLIENT_SECRET }
//! ```

use serde::{Deserialize, Serialize};
use url::Url;

use crate::secret::SecretRef;
use crate::validate::check_id;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PlatformConfig {
    /// The URL `paymenttransaction/...` and `status/...` are appended to. https, except on
    /// the loopback interface (the local platform).
    pub base_url: String,
    /// The online service, as the platform knows it (≤ 36, `[\w\d-]+`).
    pub originator_id: String,
    /// The authority (often its AGS), as the platform knows it (≤ 36, `[\w\d-]+`).
    pub endpoint_id: String,
    pub auth: AuthConfig,
    /// A certificate (PEM) to trust besides the system's roots: a platform's test environment
    /// with its own CA, or the local platform's mTLS listener.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_certificate: Option<SecretRef>,
    /// How long one call may take, token fetch included.
    #[serde(
        default = "default_timeout",
        skip_serializing_if = "is_default_timeout"
    )]
    pub timeout_seconds: u64,
}

fn default_timeout() -> u64 {
    30
}

fn is_default_timeout(v: &u64) -> bool {
    *v == default_timeout()
}

/// One of the three ways a platform authenticates the online service, written as a mapping
/// with exactly one key (`oauth2`, `mtls` or `basic`), which reads the same from YAML and JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AuthOneOf", into = "AuthOneOf")]
pub enum AuthConfig {
    /// OAuth2 client credentials: a bearer token from the token endpoint, cached until shortly
    /// before it expires (pmPayment, GiroCheckout).
    Oauth2(OAuth2Config),
    /// Mutual TLS with a client certificate (ePayBL).
    Mtls(MtlsConfig),
    /// HTTP Basic.
    Basic(BasicConfig),
}

#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct AuthOneOf {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    oauth2: Option<OAuth2Config>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mtls: Option<MtlsConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    basic: Option<BasicConfig>,
}

impl TryFrom<AuthOneOf> for AuthConfig {
    type Error = &'static str;

    fn try_from(w: AuthOneOf) -> Result<Self, Self::Error> {
        match (w.oauth2, w.mtls, w.basic) {
            (Some(o), None, None) => Ok(Self::Oauth2(o)),
            (None, Some(m), None) => Ok(Self::Mtls(m)),
            (None, None, Some(b)) => Ok(Self::Basic(b)),
            _ => Err("choose exactly one of oauth2, mtls, basic"),
        }
    }
}

impl From<AuthConfig> for AuthOneOf {
    fn from(a: AuthConfig) -> Self {
        let mut w = Self::default();
        match a {
            AuthConfig::Oauth2(o) => w.oauth2 = Some(o),
            AuthConfig::Mtls(m) => w.mtls = Some(m),
            AuthConfig::Basic(b) => w.basic = Some(b),
        }
        w
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct OAuth2Config {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: SecretRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Where the client credentials go: in the form body (what platforms commonly expect) or
    /// in an HTTP Basic header (RFC 6749 section 2.3.1).
    #[serde(default, skip_serializing_if = "is_default")]
    pub client_authentication: ClientAuthentication,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAuthentication {
    #[default]
    Body,
    Basic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MtlsConfig {
    /// The client certificate chain (PEM).
    pub certificate: SecretRef,
    /// Its private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub private_key: SecretRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BasicConfig {
    pub username: String,
    pub password: SecretRef,
}

/// A configuration mistake, named by the key it is under.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct ConfigError {
    pub key: &'static str,
    pub message: String,
}

impl PlatformConfig {
    /// The base URL, ending in `/` so that paths are appended to it, not put in its place.
    pub fn base(&self) -> Result<Url, ConfigError> {
        let mut url = endpoint_url("base-url", &self.base_url)?;
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(url)
    }

    /// Everything that can be checked without calling anyone.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.base()?;
        for (key, id) in [
            ("originator-id", &self.originator_id),
            ("endpoint-id", &self.endpoint_id),
        ] {
            check_id(key, id).map_err(|v| ConfigError {
                key,
                message: v.0[0].message.clone(),
            })?;
        }
        if let AuthConfig::Oauth2(o) = &self.auth {
            endpoint_url("auth.oauth2.token-url", &o.token_url)?;
            if o.client_id.is_empty() {
                return Err(ConfigError {
                    key: "auth.oauth2.client-id",
                    message: "is empty".into(),
                });
            }
        }
        if self.timeout_seconds == 0 {
            return Err(ConfigError {
                key: "timeout-seconds",
                message: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

/// An https URL, or http on the loopback interface only: credentials and payment data never
/// travel unencrypted beyond this machine.
fn endpoint_url(key: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value).map_err(|e| ConfigError {
        key,
        message: format!("\"{value}\" is not a URL: {e}"),
    })?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(ConfigError {
            key,
            message: format!(
                "\"{value}\" is plain http; use https (http is accepted on 127.0.0.1 and localhost only)"
            ),
        }),
        _ => Err(ConfigError {
            key,
            message: format!("\"{value}\" is not an https URL"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base: &str) -> PlatformConfig {
        PlatformConfig {
            base_url: base.into(),
            originator_id: "formfabrik".into(),
            endpoint_id: "09162000".into(),
            auth: AuthConfig::Basic(BasicConfig {
                username: "u".into(),
                password: SecretRef::Env("P".into()),
            }),
            ca_certificate: None,
            timeout_seconds: 30,
        }
    }

    #[test]
    fn the_base_url_gets_a_trailing_slash() {
        let c = config("https://pay.example/api/xbezahldienste");
        assert_eq!(
            c.base().unwrap().as_str(),
            "https://pay.example/api/xbezahldienste/"
        );
    }

    #[test]
    fn plain_http_is_accepted_on_the_loopback_interface_only() {
        assert!(config("http://127.0.0.1:8090/").check().is_ok());
        assert!(config("http://localhost:8090/").check().is_ok());
        let e = config("http://pay.example/").check().unwrap_err();
        assert_eq!(e.key, "base-url");
        assert!(e.message.contains("plain http"), "{e}");
    }

    #[test]
    fn ids_outside_the_standards_class_are_named() {
        let mut c = config("https://pay.example/");
        c.endpoint_id = "Münster".into();
        assert_eq!(c.check().unwrap_err().key, "endpoint-id");
    }

    #[test]
    fn a_configuration_reads_from_yaml_with_one_key_mappings() {
        let yaml = "
base-url: https://payment.example/api/xbezahldienste/
originator-id: formfabrik
endpoint-id: \"09162000\"
auth:
  oauth2:
    token-url: https://payment.example/oauth/token
    client-id: formfabrik-musterstadt
    client-secret: { env: FORMFABRIK_PAYMENT_MUSTERSTADT_CLIENT_SECRET }
ca-certificate: { file: /etc/formfabrik/payment-ca.pem }
";
        let c: PlatformConfig = serde_yaml::from_str(yaml).unwrap();
        let AuthConfig::Oauth2(o) = &c.auth else {
            panic!("{c:?}")
        };
        assert_eq!(
            o.client_secret,
            SecretRef::Env("FORMFABRIK_PAYMENT_MUSTERSTADT_CLIENT_SECRET".into())
        );
        assert_eq!(
            c.ca_certificate,
            Some(SecretRef::File("/etc/formfabrik/payment-ca.pem".into()))
        );
        assert!(c.check().is_ok());
        let both = yaml.replace(
            "auth:\n",
            "auth:\n  basic: { username: u, password: { env: P } }\n",
        );
        let e = serde_yaml::from_str::<PlatformConfig>(&both).unwrap_err();
        assert!(
            e.to_string().contains("exactly one of oauth2, mtls, basic"),
            "{e}"
        );
    }

    #[test]
    fn the_three_variants_read_from_kebab_case_keys_and_refuse_unknown_ones() {
        let json = r#"{"base-url":"https://p.example/","originator-id":"o","endpoint-id":"e",
            "auth":{"oauth2":{"token-url":"https://p.example/token","client-id":"c",
            "client-secret":{"env":"S"}}}}"#;
        let c: PlatformConfig = serde_json::from_str(json).unwrap();
        assert!(matches!(c.auth, AuthConfig::Oauth2(_)));
        assert_eq!(c.timeout_seconds, 30);
        let json = r#"{"base-url":"https://p.example/","originator-id":"o","endpoint-id":"e",
            "auth":{"mtls":{"certificate":{"file":"c.pem"},"private-key":{"env":"K"}}}}"#;
        let c: PlatformConfig = serde_json::from_str(json).unwrap();
        assert!(matches!(c.auth, AuthConfig::Mtls(_)));
        let json = r#"{"base-url":"https://p.example/","originator-id":"o","endpoint-id":"e",
            "auth":{"basic":{"username":"u","password":"plain text"}}}"#;
        assert!(serde_json::from_str::<PlatformConfig>(json).is_err());
    }
}
