//! The test OpenID provider (`tests/oidc-provider`: panva's oidc-provider under Node.js, with
//! BundID-shaped test persons) on 127.0.0.1, one per call, stopped when dropped (and when the
//! test process dies: it exits when its stdin closes). The identity crate's tests have their own
//! launcher with test endpoints for forging tokens; this one is for the function's and the
//! generator's tests, which sign in as a citizen does.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::repo;

/// A running test provider.
pub struct OidcProvider {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl OidcProvider {
    /// Starts the provider with one confidential client (`client_secret_basic`) whose only
    /// redirect URI is `redirect_uri`.
    pub fn start(client_id: &str, redirect_uri: &str) -> OidcProvider {
        let dir = repo().join("tests/oidc-provider");
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "the test OpenID provider's npm packages are not installed in {}: run scripts/test \
             once (npm ci --ignore-scripts there). Sign-in is tested against a real provider.",
            dir.display()
        );
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let client_secret = format!("secret-{}", uuid::Uuid::new_v4());
        let config = json!({
            "persons": dir.join("persons.json"),
            "clients": [{
                "client_id": client_id,
                "client_secret": client_secret,
                "client_name": "Formfabrik (Test)",
                "redirect_uris": [redirect_uri],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            }],
        });
        let config_path = tmp.path().join("config.json");
        std::fs::write(&config_path, config.to_string()).expect("write the provider's config");
        let log = std::fs::File::create(tmp.path().join("provider.log")).expect("a log file");
        let mut child = Command::new("node")
            .arg(dir.join("server.mjs"))
            .arg("--config")
            .arg(&config_path)
            .arg("--exit-with-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start node (Node.js is installed by scripts/test)");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let issuer = rx
            .recv_timeout(Duration::from_secs(60))
            .ok()
            .map(|l| l.trim().to_string())
            .filter(|l| l.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| {
                panic!(
                    "the test OpenID provider did not print its issuer; log:\n{}",
                    std::fs::read_to_string(tmp.path().join("provider.log")).unwrap_or_default()
                )
            });
        OidcProvider {
            issuer,
            client_id: client_id.to_string(),
            client_secret,
            child,
            _dir: tmp,
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
