//! Garage, a production S3-compatible store that ignores `If-None-Match` (last writer wins),
//! as a second S3-protocol server beside moto: one single-node instance per test binary on
//! 127.0.0.1 ports chosen at runtime, in a temporary folder, stopped when the test binary exits
//! (like moto, it runs under a shell that waits for its stdin to close). `scripts/test`
//! installs the pinned release into `.tools/garage` (`cargo install garage`); the tests that
//! need it are never skipped.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::{free_port, repo};

/// The version `scripts/test` installs.
pub const GARAGE_VERSION: &str = "2.5.0";

pub struct Garage {
    pub endpoint: String,
    pub key_id: String,
    pub secret: String,
    config: PathBuf,
    bin: PathBuf,
    _dir: tempfile::TempDir,
    _shell: Mutex<std::process::Child>,
}

pub fn garage() -> &'static Garage {
    static GARAGE: OnceLock<Garage> = OnceLock::new();
    GARAGE.get_or_init(start)
}

impl Garage {
    /// Runs the `garage` command-line client against this instance.
    fn cli(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(&self.bin)
            .arg("-c")
            .arg(&self.config)
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "garage {}: {}{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Retries `args` for up to 30 s (the node needs a moment after start and layout changes).
    fn cli_until_ok(&self, args: &[&str]) -> String {
        let started = Instant::now();
        loop {
            match self.cli(args) {
                Ok(out) => return out,
                Err(e) if started.elapsed() > Duration::from_secs(30) => panic!("{e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }
}

fn start() -> Garage {
    let bin = std::env::var_os("GARAGE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".tools/garage/bin/garage"));
    assert!(
        bin.exists(),
        "garage {GARAGE_VERSION} is not installed at {}.\n\
         Run scripts/test once: it installs it into .tools/garage (cargo install garage) and \
         then runs all tests. (The tests for stores that ignore If-None-Match need it; they \
         are never skipped.)",
        bin.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let (rpc, s3, admin) = (free_port(), free_port(), free_port());
    let secret: String = (0..4)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect::<String>()[..64]
        .to_string();
    let config = dir.path().join("garage.toml");
    std::fs::write(
        &config,
        format!(
            r#"metadata_dir = "{meta}"
data_dir = "{data}"
db_engine = "lmdb"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc}"
rpc_public_addr = "127.0.0.1:{rpc}"
rpc_secret = "{secret}"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:{s3}"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:{admin}"
"#,
            meta = dir.path().join("meta").display(),
            data = dir.path().join("data").display(),
        ),
    )
    .unwrap();
    let log = dir.path().join("garage.log");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" -c "$1" server >"$2" 2>&1 & pid=$!; cat >/dev/null; kill "$pid"; wait "$pid""#)
        .arg(&bin)
        .arg(&config)
        .arg(&log)
        .stdin(Stdio::piped())
        .spawn()
        .expect("start garage");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", s3)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "garage exited ({status}); log: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "garage did not start within 60 s; log: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut garage = Garage {
        endpoint: format!("http://127.0.0.1:{s3}"),
        key_id: String::new(),
        secret: String::new(),
        config,
        bin,
        _dir: dir,
        _shell: Mutex::new(child),
    };
    // One node, one zone; then a key that may create buckets (each test makes its own).
    let id = garage.cli_until_ok(&["node", "id", "-q"]);
    let node = id.trim().split('@').next().unwrap().to_string();
    garage.cli_until_ok(&["layout", "assign", "-z", "dc1", "-c", "1G", &node]);
    garage.cli_until_ok(&["layout", "apply", "--version", "1"]);
    let key_id = format!("GK{}", &uuid::Uuid::new_v4().simple().to_string()[..24]);
    let key_secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    garage.cli_until_ok(&[
        "key",
        "import",
        "--yes",
        "-n",
        "tests",
        &key_id,
        &key_secret,
    ]);
    garage.cli_until_ok(&["key", "allow", "--create-bucket", &key_id]);
    garage.key_id = key_id;
    garage.secret = key_secret;
    garage
}

/// An S3 client for Garage (the test key, path-style, region `garage`).
pub fn garage_client() -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::{
        BehaviorVersion, Credentials, Region, RequestChecksumCalculation,
        ResponseChecksumValidation,
    };
    let g = garage();
    let config = aws_sdk_s3::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("garage"))
        .credentials_provider(Credentials::new(&g.key_id, &g.secret, None, None, "tests"))
        .endpoint_url(&g.endpoint)
        .force_path_style(true)
        // As `S3Store::connect` does for any custom endpoint.
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A fresh bucket in Garage (each test its own).
pub async fn garage_bucket(client: &aws_sdk_s3::Client) -> String {
    let name = format!("ff-{}", uuid::Uuid::new_v4().simple());
    let started = Instant::now();
    loop {
        match client.create_bucket().bucket(&name).send().await {
            Ok(_) => return name,
            // Right after start the layout may still be settling.
            Err(e) if started.elapsed() < Duration::from_secs(30) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("create bucket in garage: {e:?}"),
        }
    }
}
