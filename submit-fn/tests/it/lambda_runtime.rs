//! The real Lambda runtime path: the `submit-fn` binary this test run built, started in Lambda
//! mode (no subcommand, settings from `FORMFABRIK_*`) against the Lambda Runtime API that
//! `cargo lambda watch --only-lambda-apis` emulates, and invoked with the API Gateway v2 and
//! Function URL event fixtures. Unlike `lambda_events` (which hands the events to
//! `submit_fn::lambda::handle` directly), this covers `lambda_runtime`'s polling loop, the
//! event's JSON as the runtime delivers it, the start-up in Lambda mode (registry, theme,
//! the store's create-only probe) and the response JSON the runtime sends back.
//!
//! cargo-lambda is installed by scripts/test (`.tools/py`); where it is missing, the test says
//! so and passes without running. No release build: the emulator only relays invocations.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::Bytes;
use serde_json::Value;

/// Kills a process when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The cargo-lambda scripts/test installs, else one on `PATH`.
fn cargo_lambda() -> Option<PathBuf> {
    let installed = repo().join(".tools/py/bin/cargo-lambda");
    if installed.is_file() {
        return Some(installed);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("cargo-lambda"))
            .find(|p| p.is_file())
    })
}

fn event(fixture: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(fixture);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The fixtures ask for a bulky-waste pick-up on 2026-12-10, which the form accepts from a
/// week to 90 days ahead of today. The binary runs on the real clock, so the date is moved to
/// 30 days after today: the test passes on every day.
fn with_valid_pickup_date(mut event: Value) -> Value {
    let date = (time::OffsetDateTime::now_utc().date() + time::Duration::days(30)).to_string();
    let body = event["body"].as_str().unwrap().to_string();
    let base64 = event["isBase64Encoded"].as_bool().unwrap_or(false);
    let text = if base64 {
        String::from_utf8(B64.decode(&body).unwrap()).unwrap()
    } else {
        body
    };
    assert!(text.contains("2026-12-10"), "the fixture changed: {text}");
    let text = text.replace("2026-12-10", &date);
    event["body"] = if base64 {
        B64.encode(text.as_bytes()).into()
    } else {
        text.into()
    };
    event
}

/// The emulator and the function in Lambda mode, storing into a folder.
struct Lambda {
    port: u16,
    store: tempfile::TempDir,
    // Dropped after the function: the function first.
    _function: Running,
    _emulator: Running,
    _config: tempfile::TempDir,
}

impl Lambda {
    async fn start(cargo_lambda: &Path) -> Lambda {
        let store = tempfile::tempdir().unwrap();
        Lambda::start_with(cargo_lambda, &crate::common::registry(), &[], store).await
    }

    /// The function with `registry`, the extra environment `env` and the store folder `store`.
    async fn start_with(
        cargo_lambda: &Path,
        registry: &form_model::registry::Registry,
        env: &[(&str, &str)],
        store: tempfile::TempDir,
    ) -> Lambda {
        let port = test_support::free_port();
        let emulator = Running(
            Command::new(cargo_lambda)
                .args([
                    "lambda",
                    "watch",
                    "--only-lambda-apis",
                    "-A",
                    "127.0.0.1",
                    "-P",
                ])
                .arg(port.to_string())
                // It reads the package's metadata, nothing else (no build).
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("cargo lambda watch starts"),
        );
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "cargo lambda watch did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let config = tempfile::tempdir().unwrap();
        let registry_file = config.path().join("registry.json");
        std::fs::write(&registry_file, registry.to_json()).unwrap();
        std::fs::write(config.path().join("theme.json"), theme_json()).unwrap();
        // Only what Lambda would give (the variables cargo lambda watch names) and the
        // function's own settings.
        let function = Running(
            Command::new(env!("CARGO_BIN_EXE_submit-fn"))
                .env_clear()
                .env("AWS_LAMBDA_FUNCTION_NAME", "_")
                .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
                .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
                .env(
                    "AWS_LAMBDA_RUNTIME_API",
                    format!("http://127.0.0.1:{port}/.rt"),
                )
                .env("AWS_REGION", "eu-central-1")
                .env("FORMFABRIK_REGISTRY", &registry_file)
                .env(
                    "FORMFABRIK_STORE",
                    format!("file:{}", store.path().display()),
                )
                .envs(env.iter().copied())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("submit-fn starts"),
        );
        Lambda {
            port,
            store,
            _function: function,
            _emulator: emulator,
            _config: config,
        }
    }

    /// Invokes the function with `event` as Lambda's Invoke API does; returns the function's
    /// response (the API Gateway v2 / Function URL response JSON).
    async fn invoke(&self, event: &Value) -> Value {
        let request = http::Request::post("/2015-03-31/functions/_/invocations")
            .header("content-type", "application/json")
            .body(Bytes::from(event.to_string()))
            .unwrap();
        let addr: std::net::SocketAddr = ([127, 0, 0, 1], self.port).into();
        let response = tokio::time::timeout(Duration::from_secs(60), send(addr, request))
            .await
            .expect("the invocation is answered within a minute");
        assert_eq!(
            response.status(),
            200,
            "the runtime emulator refused the invocation: {}",
            String::from_utf8_lossy(response.body())
        );
        serde_json::from_slice(response.body()).unwrap_or_else(|e| {
            panic!(
                "not a JSON response ({e}): {}",
                String::from_utf8_lossy(response.body())
            )
        })
    }

    /// The record files in the store folder.
    fn records(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.file_name().is_some_and(|n| n == "submission.json") {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.store.path(), &mut out);
        out
    }
}

fn body_text(response: &Value) -> String {
    let body = response["body"].as_str().unwrap_or_default();
    if response["isBase64Encoded"].as_bool().unwrap_or(false) {
        String::from_utf8(B64.decode(body).unwrap()).unwrap()
    } else {
        body.to_string()
    }
}

#[tokio::test]
async fn the_binary_in_lambda_mode_answers_api_gateway_and_function_url_events_through_the_runtime_api()
 {
    let Some(cargo_lambda) = cargo_lambda() else {
        eprintln!(
            "SKIPPED: cargo-lambda is not installed (neither .tools/py/bin/cargo-lambda nor on \
             PATH); scripts/test installs it. The Lambda runtime path was NOT tested."
        );
        return;
    };
    let lambda = Lambda::start(&cargo_lambda).await;

    // API Gateway HTTP API, JSON: stored, 201 with the id and a reference.
    let response = lambda
        .invoke(&with_valid_pickup_date(event("apigw-v2-post-json.json")))
        .await;
    assert_eq!(response["statusCode"], 201, "{response}");
    let answer: Value = serde_json::from_str(&body_text(&response)).unwrap();
    assert_eq!(answer["id"], "2f1e8c9a-4b7d-4e21-9c3a-5d6f7a8b9c01");
    assert!(
        answer["reference"].as_str().unwrap().starts_with("MUS-"),
        "{answer}"
    );
    let records = lambda.records();
    assert_eq!(records.len(), 1, "{records:?}");
    assert!(
        records[0]
            .to_string_lossy()
            .contains("musterstadt/sperrmuell-anmeldung/v1/")
    );
    assert!(
        records[0]
            .to_string_lossy()
            .contains("2f1e8c9a-4b7d-4e21-9c3a-5d6f7a8b9c01")
    );

    // API Gateway, invalid: 422 with the field errors, nothing more stored.
    let response = lambda
        .invoke(&event("apigw-v2-post-json-invalid.json"))
        .await;
    assert_eq!(response["statusCode"], 422, "{response}");
    let answer: Value = serde_json::from_str(&body_text(&response)).unwrap();
    let fields: Vec<&str> = answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"vorname"), "{answer}");
    assert_eq!(lambda.records().len(), 1);

    // Function URL, a browser's form post (base64 body): the confirmation page, stored.
    let response = lambda
        .invoke(&with_valid_pickup_date(event(
            "function-url-post-form.json",
        )))
        .await;
    assert_eq!(response["statusCode"], 200, "{response}");
    assert!(body_text(&response).contains("<html"), "{response}");
    let records = lambda.records();
    assert_eq!(records.len(), 2, "{records:?}");
    assert!(records.iter().any(|r| {
        r.to_string_lossy()
            .contains("7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c")
    }));

    // Function URL, invalid form post: the error page in English, nothing more stored.
    let response = lambda
        .invoke(&event("function-url-post-form-invalid.json"))
        .await;
    assert_eq!(response["statusCode"], 422, "{response}");
    let page = body_text(&response);
    assert!(page.contains("There is a problem"), "{page}");
    assert_eq!(lambda.records().len(), 2);
}

#[tokio::test]
async fn the_binary_in_reconcile_mode_releases_a_paid_submission_when_the_schedule_invokes_it() {
    let Some(cargo_lambda) = cargo_lambda() else {
        eprintln!(
            "SKIPPED: cargo-lambda is not installed (neither .tools/py/bin/cargo-lambda nor on \
             PATH); scripts/test installs it. The reconcile Lambda was NOT tested."
        );
        return;
    };
    // Stored (on the test clock, days ago) and paid at the local platform, which the registry
    // names as Testheim's; the function reads the client secret by the name the YAML gives.
    let store = tempfile::tempdir().unwrap();
    let (platform, registry) = crate::payment::paid_and_gone(store.path()).await;
    let secret = test_support::payment::secret_env("testheim");
    let lambda = Lambda::start_with(
        &cargo_lambda,
        &registry,
        &[
            ("FORMFABRIK_LAMBDA", "reconcile"),
            (&secret, test_support::payment::SECRET),
        ],
        store,
    )
    .await;
    assert_eq!(lambda.records().len(), 0, "awaiting payment");
    let response = lambda.invoke(&event("eventbridge-scheduled.json")).await;
    assert_eq!(response["released"], 1, "{response}");
    assert_eq!(response["checked"], 1, "{response}");
    assert_eq!(lambda.records().len(), 1);
    drop(platform);
}
