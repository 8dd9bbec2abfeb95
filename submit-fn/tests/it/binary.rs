//! The `submit-fn` binary itself: `serve` against an S3-compatible store reached with
//! `--s3-endpoint` and path-style addressing (moto on 127.0.0.1, credentials from the standard
//! chain's environment variables), and a start that stops with a clear message when the
//! registry is broken or the theme beside it is missing or from another build.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use http::StatusCode;
use serde_json::json;

/// Kills the server when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn submit_fn() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_submit-fn"));
    // Only what the test gives: no profile files, no instance metadata.
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "eu-central-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

#[tokio::test]
async fn serve_stores_in_an_s3_compatible_store_with_path_style_addressing() {
    let client = s3_client();
    let bucket = bucket(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("registry.json");
    std::fs::write(&registry, registry_json()).unwrap();
    std::fs::write(dir.path().join("theme.json"), theme_json()).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let _server = Running(
        submit_fn()
            .args(["serve", "--addr", &addr.to_string(), "--registry"])
            .arg(&registry)
            .args([
                "--store",
                &format!("s3://{bucket}/eingang"),
                "--s3-endpoint",
                &moto().endpoint,
                "--s3-path-style",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "submit-fn serve did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The test municipality's form has no date rules, so the real clock does not matter.
    let submission = form_model::Submission {
        language: "de".into(),
        data: json!({ "name": "Erika Mustermann", "steuer-id": "86095742719" })
            .as_object()
            .unwrap()
            .clone(),
    };
    let id = new_id();
    let url = path("testheim", "steuer-id-nachweis");
    let first = send(addr, json_request(&url, Some(id), &submission)).await;
    assert_eq!(first.status(), StatusCode::CREATED, "{}", body_text(&first));
    let again = send(addr, json_request(&url, Some(id), &submission)).await;
    assert_eq!(again.body(), first.body());
    let mut keys = list(&client, &bucket).await;
    // The start-up probe's scratch object: moto honours If-None-Match, so no single-runner mode.
    assert!(keys[0].starts_with("eingang/_claims/_probe/"), "{keys:?}");
    keys.remove(0);
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(keys[0], format!("eingang/_claims/testheim/{id}.json"));
    assert!(keys[1].starts_with("eingang/testheim/steuer-id-nachweis/v1/"));
    assert!(keys[1].ends_with(&format!("/{id}/submission.json")));
}

fn registry_json() -> String {
    registry().to_json()
}

/// `serve` with `registry`, `extra` arguments and a folder store in `dir`, which must refuse to
/// start: what it said.
fn refused_start(registry: &std::path::Path, extra: &[&str], dir: &std::path::Path) -> String {
    let out = submit_fn()
        .args(["serve", "--addr", "127.0.0.1:0", "--registry"])
        .arg(registry)
        .args(extra)
        .args(["--store", &format!("file:{}", dir.join("data").display())])
        .output()
        .unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn serve_stops_at_start_with_a_clear_message_when_the_registry_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("registry.json");
    // Of another version.
    let other = registry_json().replacen("formfabrik.registry/1", "formfabrik.registry/0", 1);
    std::fs::write(&registry, other).unwrap();
    let stderr = refused_start(&registry, &[], dir.path());
    assert!(stderr.contains("cannot be used"), "{stderr}");
    assert!(
        stderr.contains("registry format is \"formfabrik.registry/0\""),
        "{stderr}"
    );
    assert!(!dir.path().join("data").exists());

    let out = submit_fn()
        .args(["serve", "--registry", "/nonexistent/registry.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("cannot read the registry /nonexistent/registry.json")
    );
}

#[test]
fn serve_stops_at_start_with_a_clear_message_when_the_theme_is_missing_or_from_another_build() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("registry.json");
    std::fs::write(&registry, registry_json()).unwrap();
    let start = |extra: &[&str]| refused_start(&registry, extra, dir.path());
    // Looked for beside the registry, where the generator writes it.
    let stderr = start(&[]);
    let beside = dir.path().join("theme.json");
    assert!(
        stderr.contains(&format!("cannot read the theme {}", beside.display())),
        "{stderr}"
    );
    assert!(stderr.contains("dist/function/theme.json"), "{stderr}");
    // A theme built for other forms: one of the registry's has no page in it.
    let mut other: serde_json::Value = serde_json::from_str(&theme_json()).unwrap();
    other["sites"]
        .as_object_mut()
        .unwrap()
        .remove("testheim")
        .unwrap();
    let elsewhere = dir.path().join("other-theme.json");
    std::fs::write(&elsewhere, other.to_string()).unwrap();
    let stderr = start(&["--theme", elsewhere.to_str().unwrap()]);
    assert!(
        stderr.contains("has no page for testheim/steuer-id-nachweis"),
        "{stderr}"
    );
    assert!(stderr.contains("different builds"), "{stderr}");
    assert!(!dir.path().join("data").exists());
}

#[test]
fn template_subcommand_prints_the_checked_in_template_for_the_repositorys_forms() {
    let out = submit_fn()
        .current_dir(repo())
        .args(["template", "--forms", "forms"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    let checked_in =
        std::fs::read_to_string(repo().join("submit-fn/template.yaml")).unwrap_or_default();
    assert!(
        printed == checked_in,
        "submit-fn/template.yaml is out of date with forms/; regenerate it with\n  \
         cargo run -p submit-fn -- template --forms forms > submit-fn/template.yaml"
    );
}

/// A registry file edited by hand: the start does not hash its forms (a good part of a cold
/// start), so it loads; the edited form is hashed on its first request and refused (503,
/// nothing stored), every time, and the other forms are served.
#[tokio::test]
async fn a_form_edited_by_hand_in_the_registry_is_refused_on_its_first_request() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("registry.json");
    let original = registry_json();
    let edited = original.replacen("\"Vorname\"", "\"Vorname (geändert)\"", 1);
    assert_ne!(edited, original);
    std::fs::write(&file, edited).unwrap();
    // The form the edit is in: the first whose JSON has the word.
    let changed = registry()
        .forms
        .into_iter()
        .find(|f| {
            serde_json::to_string(&*f.form)
                .unwrap()
                .contains("\"Vorname\"")
        })
        .unwrap();
    let served = registry()
        .forms
        .into_iter()
        .find(|f| {
            f.form.id == "sperrmuell-anmeldung" && f.municipality.id != changed.municipality.id
        })
        .unwrap();
    let failures = refuses_twice_then_serves(&file, &changed, &served).await;
    assert_eq!(failures, 2);
}

/// Through the handler over the registry in `file` (memory store, test clock): two submissions
/// of `refused` answered 503 with nothing stored, then one of `served` accepted (201). Returns
/// the store failures the handler counted for the refusals.
async fn refuses_twice_then_serves(
    file: &std::path::Path,
    refused: &form_model::resolve::ResolvedForm,
    served: &form_model::resolve::ResolvedForm,
) -> u64 {
    let loaded = submit_fn::config::load_registry(file).expect("starts");
    let store = std::sync::Arc::new(store::MemoryStore::new());
    let handler = submit_fn::Handler::new(loaded, store.clone()).with_clock(clock());
    let send = |f: &form_model::resolve::ResolvedForm| {
        handler.handle(json_request(
            &path(&f.municipality.id, &f.form.id),
            Some(new_id()),
            &sperrmuell(),
        ))
    };
    for _ in 0..2 {
        let answer = send(refused).await;
        assert_eq!(
            answer.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            body_text(&answer)
        );
    }
    let failures = handler.stats().store_failures;
    assert!(store.keys().is_empty(), "nothing stored");
    let accepted = send(served).await;
    assert_eq!(
        accepted.status(),
        StatusCode::CREATED,
        "{}",
        body_text(&accepted)
    );
    failures
}

/// `serve` with `registry` (and the theme beside it) and a folder store in `dir`, answering.
async fn started(
    registry: &std::path::Path,
    dir: &std::path::Path,
) -> (Running, std::net::SocketAddr) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let server = Running(
        submit_fn()
            .args(["serve", "--addr", &addr.to_string(), "--registry"])
            .arg(registry)
            .args(["--store", &format!("file:{}", dir.join("data").display())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let begun = Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            begun.elapsed() < Duration::from_secs(20),
            "submit-fn serve did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (server, addr)
}

/// A registry whose one form entry is not a form this version reads (a member of the wrong
/// type): the start parses no form, so it starts; that form is refused on every request (503,
/// nothing stored, as a form whose hash does not match), and the other forms are served.
#[tokio::test]
async fn a_registry_whose_one_form_has_malformed_json_still_starts_and_refuses_only_that_form() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("registry.json");
    let registry = registry();
    let broken = registry
        .forms
        .iter()
        .position(|f| f.form.id == "sperrmuell-anmeldung")
        .unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&registry_json()).unwrap();
    json["forms"][broken]["form"]["steps"] = json!("kaputt");
    std::fs::write(&file, json.to_string()).unwrap();
    std::fs::write(dir.path().join("theme.json"), theme_json()).unwrap();
    let broken = &registry.forms[broken];
    let served = registry
        .forms
        .iter()
        .find(|f| f.form.id == broken.form.id && f.municipality.id != broken.municipality.id)
        .unwrap();

    // The binary starts and answers: the broken form's page 503, the other's 400 (no such
    // reference: the form is there).
    let (_server, addr) = started(&file, dir.path()).await;
    let danke = |f: &form_model::resolve::ResolvedForm| {
        http::Request::get(format!(
            "{}?ref=x",
            confirmation_path(&f.municipality.id, &f.form.id)
        ))
        .body(bytes::Bytes::new())
        .unwrap()
    };
    let refused = send(addr, danke(broken)).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    let answered = send(addr, danke(served)).await;
    assert_eq!(
        answered.status(),
        StatusCode::BAD_REQUEST,
        "{}",
        body_text(&answered)
    );

    // Submissions, with the test clock: refused every time, nothing stored; the other served.
    refuses_twice_then_serves(&file, broken, served).await;
}

/// What needs no form parsed is still checked at start: a form listed twice, a form of a
/// municipality the registry does not list.
#[test]
fn a_registry_with_a_form_listed_twice_or_of_an_unknown_municipality_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("registry.json");
    let mut twice = registry();
    twice.forms.push(twice.forms[0].clone());
    std::fs::write(&file, twice.to_json()).unwrap();
    let stderr = refused_start(&file, &[], dir.path());
    assert!(stderr.contains("is listed twice"), "{stderr}");

    let mut dangling = registry();
    let m = dangling.forms[0].municipality.id.clone();
    dangling.municipalities.retain(|x| x.id != m);
    std::fs::write(&file, dangling.to_json()).unwrap();
    let stderr = refused_start(&file, &[], dir.path());
    assert!(
        stderr.contains(&format!("municipality \"{m}\" is not in the registry")),
        "{stderr}"
    );
    assert!(!dir.path().join("data").exists());
}
