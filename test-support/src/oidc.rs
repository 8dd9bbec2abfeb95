//! The test OpenID provider (`tests/oidc-provider`: panva's oidc-provider under Node.js, with
//! BundID-shaped test persons) on 127.0.0.1, one per call, stopped when dropped (and when the
//! test process dies: it exits when its stdin closes). Started through
//! `identity::test_provider`, as `formfabrik serve` starts it. [`OidcProvider`] has one
//! confidential client, for the function's and the generator's tests, which sign in as a
//! citizen does; [`ProviderProcess::launch`] takes any clients and can switch on the provider's
//! test endpoints (forging and rotating keys), for the identity crate's attacks.

use std::path::PathBuf;
use std::process::Child;
use std::time::Duration;

use serde_json::{Value, json};

use crate::repo;

/// A running test provider process with its clients.
pub struct ProviderProcess {
    pub issuer: String,
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl ProviderProcess {
    /// Starts the provider with `clients` (oidc-provider client metadata) and the test persons;
    /// `test_endpoints`: also `/test/keys`, `/test/rotate`, `/test/sign`.
    pub fn launch(clients: Vec<Value>, test_endpoints: bool) -> ProviderProcess {
        let dir = repo().join("tests/oidc-provider");
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let config = json!({ "persons": dir.join("persons.json"), "clients": clients });
        let config_path = tmp.path().join("config.json");
        std::fs::write(&config_path, config.to_string()).expect("write the provider's config");
        let log = tmp.path().join("provider.log");
        let stderr = std::fs::File::create(&log).expect("a log file");
        let extra: &[&str] = if test_endpoints {
            &["--test-endpoints"]
        } else {
            &[]
        };
        let (child, issuer) = identity::test_provider::spawn(
            &dir,
            &config_path,
            extra,
            stderr.into(),
            Duration::from_secs(60),
        )
        .unwrap_or_else(|e| {
            panic!(
                "{e}\n(Sign-in is tested against a real provider; these tests are never \
                 skipped.)\nlog:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
        ProviderProcess {
            issuer,
            child,
            log,
            _dir: tmp,
        }
    }

    /// The provider's log so far (for assertion messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ProviderProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running test provider with one confidential client.
pub struct OidcProvider {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub process: ProviderProcess,
}

impl OidcProvider {
    /// Starts the provider with one confidential client (`client_secret_basic`) whose only
    /// redirect URI is `redirect_uri`.
    pub fn start(client_id: &str, redirect_uri: &str) -> OidcProvider {
        let client_secret = format!("secret-{}", uuid::Uuid::new_v4());
        let process = ProviderProcess::launch(
            vec![json!({
                "client_id": client_id,
                "client_secret": client_secret,
                "client_name": "Formfabrik (Test)",
                "redirect_uris": [redirect_uri],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            })],
            false,
        );
        OidcProvider {
            issuer: process.issuer.clone(),
            client_id: client_id.to_string(),
            client_secret,
            process,
        }
    }
}
