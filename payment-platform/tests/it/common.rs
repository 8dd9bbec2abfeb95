//! A platform with three tenants and one client per authentication variant, and adapters for
//! each variant.

use std::path::PathBuf;
use std::sync::Arc;

use payment_platform::pki::{Authority, Issued};
use payment_platform::{
    ClientAccount, Config, Credential, MtlsListener, Pem, Platform, Tenant, TenantKey,
};
use xbezahl::config::{BasicConfig, ClientAuthentication, MtlsConfig, OAuth2Config};
use xbezahl::{AuthConfig, Client, MemorySecrets, PaymentRequest, PlatformConfig, SecretRef};

pub const ORIGINATOR: &str = "formfabrik";
/// Musterstadt: every client may use it.
pub const ENDPOINT: &str = "09162000";
/// A neighbour the clients are not authorised for.
pub const NEIGHBOUR: &str = "09162001";
/// A tenant whose finance system needs `objektnummer` on every item.
pub const STRICT: &str = "09162002";

pub const OAUTH_ID: &str = "ff-oauth";
pub const OAUTH_SECRET: &str = "local-oauth-secret";
pub const BASIC_USER: &str = "ff-basic";
pub const BASIC_PASSWORD: &str = "local-basic-password";

pub struct Setup {
    pub platform: Platform,
    pub ca_pem: String,
    /// Registered with the platform.
    pub client_cert: Issued,
    /// Signed by the platform's CA but not registered.
    pub stranger_cert: Issued,
    /// Signed by another CA.
    pub foreign_cert: Issued,
}

pub fn tenant(endpoint: &str, name: &str) -> Tenant {
    Tenant {
        originator_id: ORIGINATOR.into(),
        endpoint_id: endpoint.into(),
        name: name.into(),
        required_booking_data: Vec::new(),
    }
}

fn key(endpoint: &str) -> TenantKey {
    TenantKey {
        originator_id: ORIGINATOR.into(),
        endpoint_id: endpoint.into(),
    }
}

pub fn config(ca: &Authority, client_cert: &Issued, state_file: Option<PathBuf>) -> Config {
    let server = ca.server().unwrap();
    let mut strict = tenant(STRICT, "Kreis Musterland, Kreiskasse");
    strict.required_booking_data = vec!["objektnummer".into()];
    let granted = || vec![key(ENDPOINT), key(STRICT)];
    Config {
        listen: payment_platform::config::loopback_any_port(),
        state_file,
        token_lifetime_seconds: 300,
        tenants: vec![
            tenant(ENDPOINT, "Stadt Musterstadt, Stadtkasse"),
            tenant(NEIGHBOUR, "Gemeinde Nachbarort"),
            strict,
        ],
        clients: vec![
            ClientAccount {
                id: "oauth".into(),
                credential: Credential::Oauth2 {
                    client_id: OAUTH_ID.into(),
                    client_secret: OAUTH_SECRET.into(),
                },
                tenants: granted(),
            },
            ClientAccount {
                id: "basic".into(),
                credential: Credential::Basic {
                    username: BASIC_USER.into(),
                    password: BASIC_PASSWORD.into(),
                },
                tenants: granted(),
            },
            ClientAccount {
                id: "mtls".into(),
                credential: Credential::Certificate {
                    sha256: client_cert.sha256.clone(),
                },
                tenants: granted(),
            },
        ],
        mtls: Some(MtlsListener {
            listen: payment_platform::config::loopback_any_port(),
            certificate: Pem::Inline(server.certificate_pem),
            private_key: Pem::Inline(server.private_key_pem),
            client_ca: Pem::Inline(ca.certificate_pem()),
        }),
    }
}

pub async fn setup() -> Setup {
    setup_with_state(None).await
}

pub async fn setup_with_state(state_file: Option<PathBuf>) -> Setup {
    let ca = Authority::new("test CA").unwrap();
    let client_cert = ca.client("formfabrik").unwrap();
    let stranger_cert = ca.client("stranger").unwrap();
    let foreign_cert = Authority::new("another CA")
        .unwrap()
        .client("formfabrik")
        .unwrap();
    let platform = payment_platform::start(config(&ca, &client_cert, state_file))
        .await
        .unwrap();
    Setup {
        platform,
        ca_pem: ca.certificate_pem(),
        client_cert,
        stranger_cert,
        foreign_cert,
    }
}

/// The three authentication variants (and a few wrong ones).
#[derive(Clone, Copy, Debug)]
pub enum Variant {
    OAuth2,
    OAuth2BasicHeader,
    Basic,
    Mtls,
    WrongOAuth2Secret,
    WrongBasicPassword,
    UnregisteredCertificate,
    ForeignCertificate,
}

pub fn platform_config(s: &Setup, variant: Variant, endpoint: &str) -> PlatformConfig {
    let plain = s.platform.base_url().to_string();
    let oauth = |secret: &str, how| {
        AuthConfig::Oauth2(OAuth2Config {
            token_url: format!("{plain}oauth/token"),
            client_id: OAUTH_ID.into(),
            client_secret: SecretRef::Env(secret.into()),
            scope: None,
            client_authentication: how,
        })
    };
    let mtls = |cert: &str, key: &str| {
        AuthConfig::Mtls(MtlsConfig {
            certificate: SecretRef::Env(cert.into()),
            private_key: SecretRef::Env(key.into()),
        })
    };
    let basic = |password: &str| {
        AuthConfig::Basic(BasicConfig {
            username: BASIC_USER.into(),
            password: SecretRef::Env(password.into()),
        })
    };
    let (auth, over_tls) = match variant {
        Variant::OAuth2 => (oauth("OAUTH_SECRET", ClientAuthentication::Body), false),
        Variant::OAuth2BasicHeader => (oauth("OAUTH_SECRET", ClientAuthentication::Basic), false),
        Variant::WrongOAuth2Secret => (oauth("WRONG", ClientAuthentication::Body), false),
        Variant::Basic => (basic("BASIC_PASSWORD"), false),
        Variant::WrongBasicPassword => (basic("WRONG"), false),
        Variant::Mtls => (mtls("CLIENT_CERT", "CLIENT_KEY"), true),
        Variant::UnregisteredCertificate => (mtls("STRANGER_CERT", "STRANGER_KEY"), true),
        Variant::ForeignCertificate => (mtls("FOREIGN_CERT", "FOREIGN_KEY"), true),
    };
    PlatformConfig {
        base_url: if over_tls {
            s.platform.mtls_base_url().unwrap().to_string()
        } else {
            plain
        },
        originator_id: ORIGINATOR.into(),
        endpoint_id: endpoint.into(),
        auth,
        ca_certificate: over_tls.then(|| SecretRef::Env("PLATFORM_CA".into())),
        timeout_seconds: 10,
    }
}

/// The secrets of every variant, handed over in memory.
pub fn secrets(s: &Setup) -> Arc<MemorySecrets> {
    let m = MemorySecrets::new();
    let env = |n: &str| SecretRef::Env(n.into());
    m.insert(env("OAUTH_SECRET"), OAUTH_SECRET);
    m.insert(env("BASIC_PASSWORD"), BASIC_PASSWORD);
    m.insert(env("WRONG"), "not the secret");
    m.insert(env("PLATFORM_CA"), s.ca_pem.clone());
    for (prefix, cert) in [
        ("CLIENT", &s.client_cert),
        ("STRANGER", &s.stranger_cert),
        ("FOREIGN", &s.foreign_cert),
    ] {
        m.insert(env(&format!("{prefix}_CERT")), cert.certificate_pem.clone());
        m.insert(env(&format!("{prefix}_KEY")), cert.private_key_pem.clone());
    }
    Arc::new(m)
}

pub async fn client(s: &Setup, variant: Variant) -> Client {
    client_for(s, variant, ENDPOINT).await
}

pub async fn client_for(s: &Setup, variant: Variant, endpoint: &str) -> Client {
    Client::new(&platform_config(s, variant, endpoint), secrets(s))
        .await
        .unwrap()
}

pub fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/xbezahldienste/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The fixture request under another request id, so that tests do not meet each other.
pub fn request(request_id: &str) -> PaymentRequest {
    let mut r: PaymentRequest = serde_json::from_str(&fixture("payment-request.json")).unwrap();
    r.request_id = request_id.into();
    r
}

/// A plain HTTP client that does not follow redirects (to see the pay page's 303).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts a raw body to the create call of `endpoint` with Basic credentials, past the
/// adapter's own checks.
pub async fn post_raw(s: &Setup, endpoint: &str, body: &serde_json::Value) -> reqwest::Response {
    browser()
        .post(format!(
            "{}paymenttransaction/{ORIGINATOR}/{endpoint}",
            s.platform.base_url()
        ))
        .basic_auth(BASIC_USER, Some(BASIC_PASSWORD))
        .json(body)
        .send()
        .await
        .unwrap()
}
