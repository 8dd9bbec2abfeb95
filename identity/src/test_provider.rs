//! Starting the test OpenID provider (`tests/oidc-provider`: panva's oidc-provider under
//! Node.js, with BundID-shaped test persons) as a child process on 127.0.0.1 and reading the
//! issuer it prints. One definition for everything that runs it: the tests' launchers
//! (test-support) and `formfabrik serve`. Like [`crate::registry::local`], a counterpart for
//! tests and local trials, never used in production.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Why the test provider did not start.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(
        "the test OpenID provider's npm packages are not installed in {dir} \
         (run `npm ci --ignore-scripts` there; scripts/test does)"
    )]
    NotInstalled { dir: PathBuf },
    #[error("cannot start node (Node.js): {source}")]
    Node {
        #[source]
        source: std::io::Error,
    },
    #[error("the test OpenID provider did not print its issuer within {seconds} s")]
    NoIssuer { seconds: u64 },
}

/// Whether `dir` (`<repository>/tests/oidc-provider`) has its npm packages installed.
pub fn installed(dir: &Path) -> bool {
    dir.join("server.mjs").is_file() && dir.join("node_modules/oidc-provider").is_dir()
}

/// Starts `node <dir>/server.mjs --config <config> --exit-with-stdin [extra…]` (it exits when
/// its stdin closes, so it dies with the process that started it), waits up to `wait` for the
/// issuer it prints on its first line (`http://127.0.0.1:<port>`), and returns the running
/// child and the issuer. `stderr` receives the provider's log. The child is killed when the
/// issuer does not come.
pub fn spawn(
    dir: &Path,
    config: &Path,
    extra: &[&str],
    stderr: Stdio,
    wait: Duration,
) -> Result<(Child, String), LaunchError> {
    if !installed(dir) {
        return Err(LaunchError::NotInstalled {
            dir: dir.to_path_buf(),
        });
    }
    let mut child = Command::new("node")
        .arg(dir.join("server.mjs"))
        .arg("--config")
        .arg(config)
        .arg("--exit-with-stdin")
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map_err(|source| LaunchError::Node { source })?;
    let stdout = child.stdout.take();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        if let Some(out) = stdout {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let _ = tx.send(line.trim().to_string());
    });
    match rx.recv_timeout(wait) {
        Ok(issuer) if issuer.starts_with("http://127.0.0.1:") => Ok((child, issuer)),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            Err(LaunchError::NoIssuer {
                seconds: wait.as_secs(),
            })
        }
    }
}
