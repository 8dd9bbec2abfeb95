//! moto, a real S3-protocol server on 127.0.0.1 (the same endpoint serves SSM Parameter Store
//! and Secrets Manager, for the function's secrets): one per test binary, started on first use,
//! stopped when the test binary exits. It runs under a small shell that waits for its stdin (a
//! pipe held by this process) to close and then kills it, so even a test binary that panics or
//! is killed leaves no server behind. `scripts/test` installs the pinned version into
//! `.tools/py`; `MOTO_SERVER` names another `moto_server`. The tests that need it are never
//! skipped.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::{free_port, repo};

/// The version `scripts/test` installs.
pub const MOTO_VERSION: &str = "5.2.5";

pub struct Moto {
    /// `http://127.0.0.1:<port>`
    pub endpoint: String,
    /// Never waited for: the shell ends when this process ends (its stdin closes).
    _shell: Mutex<std::process::Child>,
}

/// The test binary's moto, started on first use.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(start)
}

fn start() -> Moto {
    let bin = std::env::var_os("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools/py/bin/moto_server"));
    assert!(
        bin.exists(),
        "moto_server (moto[server]=={MOTO_VERSION}) is not installed at {}.\n\
         Run scripts/test once: it installs the test tools into .tools/py and then runs all tests.\n\
         (The S3 tests need a real S3-protocol server; they are never skipped.)",
        bin.display()
    );
    let port = free_port();
    let log = std::env::temp_dir().join(format!("formfabrik-moto-{port}.log"));
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#""$0" -H 127.0.0.1 -p "$1" >"$2" 2>&1 & pid=$!; cat >/dev/null; kill "$pid"; wait "$pid""#)
        .arg(&bin)
        .arg(port.to_string())
        .arg(&log)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("start moto_server");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "moto_server exited ({status}); log: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "moto_server did not start within 60 s; log: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        _shell: Mutex::new(child),
    }
}

/// An S3 client for moto (static test credentials, path-style).
pub fn s3_client() -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-central-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .endpoint_url(&moto().endpoint)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// The AWS SDK's shared configuration for moto (static test credentials), for clients of
/// other services than S3 (SSM, Secrets Manager) on the same endpoint.
pub fn sdk_config() -> aws_config::SdkConfig {
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
    aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-central-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "test", "test", None, None, "tests",
        )))
        .endpoint_url(&moto().endpoint)
        .build()
}

/// A fresh bucket in moto (each test its own, so tests run in parallel).
pub async fn bucket(client: &aws_sdk_s3::Client) -> String {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let name = format!("ff-{}", Uuid::new_v4().simple());
    client
        .create_bucket()
        .bucket(&name)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::EuCentral1)
                .build(),
        )
        .send()
        .await
        .expect("create bucket in moto");
    name
}
