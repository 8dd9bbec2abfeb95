//! Sign-in with BundID under `formfabrik serve`: the test OpenID provider (`tests/oidc-provider`,
//! panva's oidc-provider with BundID-shaped test persons) started on 127.0.0.1 beside the local
//! site, and the function's sign-in for every municipality pointing at it, so a process
//! designer can try a form with `identity:` end to end. Cookies are plain (`http://127.0.0.1`).
//! Without Node.js or the provider's npm packages, serve runs without sign-in and says why.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use form_model::registry::Registry;
use identity::secrets::MemorySecrets;
use identity::{ClaimMapping, ClientAuth, KeyRing, ProviderSettings};
use secrecy::ExposeSecret;
use serde_json::json;
use submit_fn::auth::{MunicipalSettings, SignIn, SignInSettings};

/// The test provider's client for `formfabrik serve`.
const CLIENT: &str = "formfabrik-local";

/// The running test provider and the function's sign-in at it.
pub struct LocalSignIn {
    pub issuer: String,
    pub sign_in: Arc<SignIn>,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for LocalSignIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the test provider from `<repository>/tests/oidc-provider` (beside `forms_dir`) with a
/// client whose redirect URIs are the local function's callbacks, and discovers it.
pub async fn start(
    forms_dir: &Path,
    addr: SocketAddr,
    registry: &Registry,
) -> Result<LocalSignIn, String> {
    let root = forms_dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", forms_dir.display()))?;
    let dir = root
        .parent()
        .map(|p| p.join("tests/oidc-provider"))
        .filter(|d| d.join("server.mjs").is_file())
        .ok_or("no tests/oidc-provider beside the forms folder")?;
    if !dir.join("node_modules/oidc-provider").is_dir() {
        return Err(format!(
            "the test provider's packages are not installed (run `npm ci --ignore-scripts` in {})",
            dir.display()
        ));
    }
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
    let mut child = Command::new("node")
        .arg(dir.join("server.mjs"))
        .arg("--config")
        .arg(&config_path)
        .arg("--exit-with-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start node: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line.trim().to_string());
    });
    let issuer = match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(line) if line.starts_with("http://127.0.0.1:") => line,
        _ => {
            let _ = child.kill();
            return Err("the test provider did not start".into());
        }
    };
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
        );
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
            child,
            _dir: tmp,
        }),
        Err(e) => {
            let _ = child.kill();
            Err(e.to_string())
        }
    }
}
