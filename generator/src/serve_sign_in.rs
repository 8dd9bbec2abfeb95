//! Sign-in with BundID under `formfabrik serve`: the test OpenID provider (`tests/oidc-provider`,
//! panva's oidc-provider with BundID-shaped test persons) started on 127.0.0.1 beside the local
//! site, and the function's sign-in for every municipality pointing at it, so a process
//! designer can try a form with `identity:` end to end; and the local registry service
//! (`identity::registry::local`) of each municipality with test residents
//! (`tests/melderegister/<municipality>.yaml`), for the look-up with consent. Cookies are plain (`http://127.0.0.1`).
//! Without Node.js or the provider's npm packages, serve runs without sign-in and says why.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::Duration;

use form_model::registry::Registry;
use identity::registry::local;
use identity::secrets::MemorySecrets;
use identity::{ClaimMapping, ClientAuth, KeyRing, ProviderSettings};
use secrecy::ExposeSecret;
use serde_json::json;
use submit_fn::auth::{MunicipalSettings, RegistrySettings, SignIn, SignInSettings};

/// The test provider's client for `formfabrik serve`.
const CLIENT: &str = "formfabrik-local";

/// The running test provider and the function's sign-in at it.
pub struct LocalSignIn {
    pub issuer: String,
    pub sign_in: Arc<SignIn>,
    /// The local registry service of each municipality with test residents
    /// (`tests/melderegister/<municipality>.yaml`).
    pub registries: Vec<(String, local::RunningRegistry)>,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for LocalSignIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the test provider from `<repository>/tests/oidc-provider` with a client whose redirect
/// URIs are the local function's callbacks, and discovers it. The repository is the nearest
/// folder above `forms_dir` that has the provider: beside `forms/`, or above a forms folder of
/// the browser tests' fixtures (`tests/e2e/fixtures/<name>/forms`).
pub async fn start(
    forms_dir: &Path,
    addr: SocketAddr,
    registry: &Registry,
) -> Result<LocalSignIn, String> {
    let root = forms_dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", forms_dir.display()))?;
    let repo = root
        .ancestors()
        .skip(1)
        .find(|p| p.join("tests/oidc-provider/server.mjs").is_file())
        .ok_or("no tests/oidc-provider beside or above the forms folder")?;
    let dir = repo.join("tests/oidc-provider");
    let callback = |m: &str| format!("http://{addr}/v1/{m}/auth/callback");
    let secret = uuid::Uuid::new_v4().to_string();
    let config = json!({
        "persons": dir.join("persons.json"),
        "clients": [{
            "client_id": CLIENT,
            "client_secret": secret,
            "client_name": "Formfabrik (lokal)",
            "redirect_uris": registry.municipalities.iter().map(|m| callback(&m.id)).collect::<Vec<_>>(),
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }],
    });
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config_path = tmp.path().join("config.json");
    std::fs::write(&config_path, config.to_string()).map_err(|e| e.to_string())?;
    let (mut child, issuer) = identity::test_provider::spawn(
        &dir,
        &config_path,
        &[],
        Stdio::null(),
        Duration::from_secs(30),
    )
    .map_err(|e| e.to_string())?;
    // The local registry service of each municipality that has test residents, so the look-up
    // with consent can be tried; each look-up it answers is printed (never the query).
    let registry_token = uuid::Uuid::new_v4().to_string();
    let mut registries = Vec::new();
    for m in &registry.municipalities {
        let file = repo.join(format!("tests/melderegister/{}.yaml", m.id));
        if !file.is_file() {
            continue;
        }
        let residents = local::Residents::load(&file).map_err(|e| e.to_string())?;
        let id = m.id.clone();
        let observer: local::Observer = Arc::new(move |_, answer| {
            let result = match answer {
                identity::registry::LookUp::Found { .. } => "found",
                identity::registry::LookUp::NotFound => "not-found",
                identity::registry::LookUp::Ambiguous => "ambiguous",
            };
            println!("melderegister {id}: look-up answered ({result})");
        });
        let running = local::start_observed(
            residents,
            registry_token.clone().into(),
            "127.0.0.1:0".parse().expect("a socket address"),
            Some(observer),
        )
        .await
        .map_err(|e| e.to_string())?;
        println!(
            "melderegister {}: local registry at {}",
            m.id,
            running.url()
        );
        registries.push((m.id.clone(), running));
    }
    let settings = SignInSettings {
        municipalities: registry
            .municipalities
            .iter()
            .map(|m| {
                let provider = ProviderSettings {
                    issuer: issuer.clone(),
                    client_id: CLIENT.into(),
                    client_auth: ClientAuth::ClientSecretBasic,
                    redirect_url: callback(&m.id),
                    scopes: ["profile", "email", "address", "bundid"]
                        .map(String::from)
                        .to_vec(),
                    claims: ClaimMapping::default(),
                    force_login: true,
                };
                let local = MunicipalSettings {
                    provider,
                    cookie_path: None,
                    secure_cookies: false,
                    secret_prefix: String::new(),
                    registry: registries.iter().find(|(id, _)| *id == m.id).map(|(_, r)| {
                        RegistrySettings {
                            url: r.url().to_string(),
                        }
                    }),
                };
                (m.id.clone(), local)
            })
            .collect(),
    };
    let ring = KeyRing::generate("local").map_err(|e| e.to_string())?;
    let secrets = MemorySecrets::new()
        .with(identity::secrets::CLIENT_SECRET, secret)
        .with(
            identity::secrets::SESSION_KEYS,
            ring.to_spec().expose_secret().to_string(),
        )
        .with(identity::secrets::REGISTRY_TOKEN, registry_token);
    let transport = identity::transport::HttpsTransport::new().map_err(|e| e.to_string())?;
    let loaded = SignIn::load(
        &settings,
        registry,
        &secrets,
        Arc::new(transport),
        Arc::new(identity::SystemClock),
    )
    .await;
    match loaded {
        Ok(sign_in) => Ok(LocalSignIn {
            issuer,
            sign_in: Arc::new(sign_in),
            registries,
            child,
            _dir: tmp,
        }),
        Err(e) => {
            let _ = child.kill();
            Err(e.to_string())
        }
    }
}
