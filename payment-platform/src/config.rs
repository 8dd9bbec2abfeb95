//! What the local platform serves: its tenants (originator and endpoint ids, the authority's
//! name for the pay page, the booking data it insists on), the online services allowed to call
//! it with their credentials, and optionally an mTLS listener. Read from YAML by the binary,
//! built in code by `formfabrik serve` and the tests.
//!
//! The credentials here are the stand-in platform's own accounts, made up for local use; a real
//! platform's secrets belong in the adapter's secret source, never in a file like this.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The platform's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Where the API and the pay page listen; port 0 picks a free port.
    #[serde(default = "loopback_any_port")]
    pub listen: SocketAddr,
    /// Where transactions are kept across restarts; in memory only without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_file: Option<PathBuf>,
    /// How long an OAuth2 access token is valid.
    #[serde(default = "default_token_lifetime")]
    pub token_lifetime_seconds: u64,
    pub tenants: Vec<Tenant>,
    pub clients: Vec<ClientAccount>,
    /// A second listener that requires a client certificate (the mTLS variant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtls: Option<MtlsListener>,
}

pub fn loopback_any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn default_token_lifetime() -> u64 {
    300
}

/// A municipality's authority as the platform knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Tenant {
    pub originator_id: String,
    pub endpoint_id: String,
    /// Shown on the pay page as the payee ("Stadt Musterstadt, Stadtkasse").
    pub name: String,
    /// `bookingData` keys every item must carry; a request without them is refused with
    /// BOOKING_DATA_MISSING, as a platform whose finance system needs them would.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_booking_data: Vec<String>,
}

/// An online service allowed to call the platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ClientAccount {
    /// A name for logs.
    pub id: String,
    pub credential: Credential,
    /// The tenants it may create transactions for and ask about.
    pub tenants: Vec<TenantKey>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TenantKey {
    pub originator_id: String,
    pub endpoint_id: String,
}

/// How a client proves who it is; written as a mapping with exactly one key (`oauth2`,
/// `basic`, `certificate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CredentialOneOf", into = "CredentialOneOf")]
pub enum Credential {
    /// OAuth2 client credentials at `POST /oauth/token`.
    Oauth2 {
        client_id: String,
        client_secret: String,
    },
    /// HTTP Basic on every call.
    Basic { username: String, password: String },
    /// A client certificate on the mTLS listener, by the SHA-256 of its DER encoding (hex).
    Certificate { sha256: String },
}

#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct CredentialOneOf {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    oauth2: Option<OAuth2Credential>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    basic: Option<BasicCredential>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    certificate: Option<CertificateCredential>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct OAuth2Credential {
    client_id: String,
    client_secret: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct BasicCredential {
    username: String,
    password: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct CertificateCredential {
    sha256: String,
}

impl TryFrom<CredentialOneOf> for Credential {
    type Error = &'static str;

    fn try_from(w: CredentialOneOf) -> Result<Self, Self::Error> {
        match (w.oauth2, w.basic, w.certificate) {
            (Some(o), None, None) => Ok(Self::Oauth2 {
                client_id: o.client_id,
                client_secret: o.client_secret,
            }),
            (None, Some(b), None) => Ok(Self::Basic {
                username: b.username,
                password: b.password,
            }),
            (None, None, Some(c)) => Ok(Self::Certificate { sha256: c.sha256 }),
            _ => Err("choose exactly one of oauth2, basic, certificate"),
        }
    }
}

impl From<Credential> for CredentialOneOf {
    fn from(c: Credential) -> Self {
        let mut w = Self::default();
        match c {
            Credential::Oauth2 {
                client_id,
                client_secret,
            } => {
                w.oauth2 = Some(OAuth2Credential {
                    client_id,
                    client_secret,
                });
            }
            Credential::Basic { username, password } => {
                w.basic = Some(BasicCredential { username, password });
            }
            Credential::Certificate { sha256 } => {
                w.certificate = Some(CertificateCredential { sha256 });
            }
        }
        w
    }
}

/// The mTLS listener: a server certificate, and the CA client certificates must chain to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MtlsListener {
    #[serde(default = "loopback_any_port")]
    pub listen: SocketAddr,
    pub certificate: Pem,
    pub private_key: Pem,
    pub client_ca: Pem,
}

/// PEM text, from a file or inline: `{ file: server.pem }` or `{ inline: "-----BEGIN ..." }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PemOneOf", into = "PemOneOf")]
pub enum Pem {
    File(PathBuf),
    Inline(String),
}

#[derive(Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct PemOneOf {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inline: Option<String>,
}

impl TryFrom<PemOneOf> for Pem {
    type Error = &'static str;

    fn try_from(w: PemOneOf) -> Result<Self, Self::Error> {
        match (w.file, w.inline) {
            (Some(f), None) => Ok(Self::File(f)),
            (None, Some(i)) => Ok(Self::Inline(i)),
            _ => Err("choose exactly one of file, inline"),
        }
    }
}

impl From<Pem> for PemOneOf {
    fn from(p: Pem) -> Self {
        match p {
            Pem::File(f) => Self {
                file: Some(f),
                inline: None,
            },
            Pem::Inline(i) => Self {
                file: None,
                inline: Some(i),
            },
        }
    }
}

impl Pem {
    pub fn read(&self) -> Result<String, ConfigError> {
        match self {
            Self::Inline(s) => Ok(s.clone()),
            Self::File(p) => std::fs::read_to_string(p).map_err(|e| ConfigError {
                key: "mtls".into(),
                message: format!("{} cannot be read: {e}", p.display()),
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

fn err(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.into(),
        message: message.into(),
    }
}

impl Config {
    /// Reads a YAML file; file paths in it are relative to the file's folder.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| err(path.display().to_string(), e.to_string()))?;
        let mut config: Config = serde_yaml::from_str(&text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!("{}:{}:{}", path.display(), l.line(), l.column()))
                .unwrap_or_else(|| path.display().to_string());
            err(at, e.to_string())
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let rebase = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        };
        if let Some(f) = config.state_file.as_mut() {
            rebase(f);
        }
        if let Some(m) = config.mtls.as_mut() {
            for pem in [&mut m.certificate, &mut m.private_key, &mut m.client_ca] {
                if let Pem::File(p) = pem {
                    rebase(p);
                }
            }
        }
        config.check()?;
        Ok(config)
    }

    /// Ids the standard allows, no tenant twice, every client's tenants known, credentials
    /// unambiguous.
    pub fn check(&self) -> Result<(), ConfigError> {
        let mut keys = BTreeSet::new();
        for (i, t) in self.tenants.iter().enumerate() {
            for (name, id) in [
                ("originator-id", &t.originator_id),
                ("endpoint-id", &t.endpoint_id),
            ] {
                xbezahl::validate::check_id(name, id)
                    .map_err(|v| err(format!("tenants[{i}].{name}"), v.to_string()))?;
            }
            if !keys.insert((&t.originator_id, &t.endpoint_id)) {
                return Err(err(format!("tenants[{i}]"), "is listed twice"));
            }
        }
        let mut names = BTreeSet::new();
        for (i, c) in self.clients.iter().enumerate() {
            let key = format!("clients[{i}]");
            let name = match &c.credential {
                Credential::Oauth2 { client_id, .. } => format!("oauth2 {client_id}"),
                Credential::Basic { username, .. } => format!("basic {username}"),
                Credential::Certificate { sha256 } => {
                    if sha256.len() != 64 || hex::decode(sha256).is_err() {
                        return Err(err(
                            format!("{key}.credential.certificate.sha256"),
                            "is not 64 hexadecimal digits",
                        ));
                    }
                    if self.mtls.is_none() {
                        return Err(err(
                            format!("{key}.credential"),
                            "a certificate credential needs the mtls listener",
                        ));
                    }
                    format!("certificate {}", sha256.to_ascii_lowercase())
                }
            };
            if !names.insert(name.clone()) {
                return Err(err(key, format!("{name} is used by two clients")));
            }
            for (j, t) in c.tenants.iter().enumerate() {
                if !keys.contains(&(&t.originator_id, &t.endpoint_id)) {
                    return Err(err(
                        format!("{key}.tenants[{j}]"),
                        format!(
                            "{}/{} is not among the tenants",
                            t.originator_id, t.endpoint_id
                        ),
                    ));
                }
            }
        }
        if self.token_lifetime_seconds == 0 {
            return Err(err("token-lifetime-seconds", "must be at least 1"));
        }
        Ok(())
    }

    pub fn tenant(&self, originator_id: &str, endpoint_id: &str) -> Option<&Tenant> {
        self.tenants
            .iter()
            .find(|t| t.originator_id == originator_id && t.endpoint_id == endpoint_id)
    }
}

impl ClientAccount {
    pub fn may_use(&self, originator_id: &str, endpoint_id: &str) -> bool {
        self.tenants
            .iter()
            .any(|t| t.originator_id == originator_id && t.endpoint_id == endpoint_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = r#"
listen: 127.0.0.1:0
state-file: state.json
tenants:
  - originator-id: formfabrik
    endpoint-id: "09162000"
    name: Stadt Musterstadt, Stadtkasse
    required-booking-data: [haushaltsstelle]
clients:
  - id: musterstadt
    credential: { oauth2: { client-id: ff, client-secret: local-only } }
    tenants: [{ originator-id: formfabrik, endpoint-id: "09162000" }]
"#;

    #[test]
    fn a_yaml_configuration_is_read_with_paths_relative_to_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("platform.yaml");
        std::fs::write(&path, YAML).unwrap();
        let c = Config::load(&path).unwrap();
        assert_eq!(c.state_file.unwrap(), dir.path().join("state.json"));
        assert_eq!(c.tenants[0].required_booking_data, ["haushaltsstelle"]);
        assert_eq!(c.token_lifetime_seconds, 300);
    }

    #[test]
    fn a_mistake_is_named_with_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("platform.yaml");
        std::fs::write(&path, YAML.replace("required-booking-data", "booking")).unwrap();
        let e = Config::load(&path).unwrap_err();
        assert!(e.key.ends_with("platform.yaml:8:5"), "{e}");
        assert!(e.message.contains("unknown field `booking`"), "{e}");
    }

    #[test]
    fn a_client_of_an_unknown_tenant_is_refused() {
        let mut c: Config = serde_yaml::from_str(YAML).unwrap();
        c.clients[0].tenants[0].endpoint_id = "09162001".into();
        assert_eq!(c.check().unwrap_err().key, "clients[0].tenants[0]");
        let mut c: Config = serde_yaml::from_str(YAML).unwrap();
        c.tenants[0].endpoint_id = "0916 2000".into();
        assert_eq!(c.check().unwrap_err().key, "tenants[0].endpoint-id");
    }
}
