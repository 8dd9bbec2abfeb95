//! A real SMTP server on 127.0.0.1 for tests that send mail: Python's aiosmtpd (pinned,
//! installed into `.tools/py` by `scripts/test`; `AIOSMTPD_PYTHON` names another Python that
//! has it), run by `test-support/smtp/server.py`. It requires STARTTLS before AUTH and mail,
//! with a certificate for 127.0.0.1 from a throwaway CA (payment-platform's test PKI, rcgen),
//! and accepts one user. Each test starts its own server (tests run at the same time, and each
//! reads only its own mail); it stops when the [`Smtp`] is dropped or the test binary ends
//! (the script exits when its stdin closes). Never skipped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{free_port, repo};

/// The version `scripts/test` installs.
pub const AIOSMTPD_VERSION: &str = "1.4.6";

pub struct Smtp {
    pub port: u16,
    /// The CA certificate (PEM) that signed the server's certificate: what a client trusts.
    pub ca_pem: String,
    pub user: String,
    pub password: String,
    /// Where the server writes each message it received as `<n>.json`.
    mail: tempfile::TempDir,
    child: Child,
}

impl Smtp {
    /// Starts a server; returns once it accepts connections.
    pub fn start() -> Smtp {
        let python = std::env::var_os("AIOSMTPD_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo().join(".tools/py/bin/python"));
        assert!(
            python.exists(),
            "aiosmtpd=={AIOSMTPD_VERSION} is not installed: no {}.\n\
             Run scripts/test once: it installs the test tools into .tools/py.\n\
             (The mail tests need a real SMTP server; they are never skipped.)",
            python.display()
        );
        let authority =
            payment_platform::pki::Authority::new("Formfabrik test mail CA").expect("a test CA");
        let server = authority.server().expect("a server certificate");
        let dir = tempfile::tempdir().expect("a temporary folder");
        let cert = dir.path().join("server.pem");
        let key = dir.path().join("server.key");
        std::fs::write(&cert, &server.certificate_pem).expect("write the certificate");
        std::fs::write(&key, &server.private_key_pem).expect("write the key");
        let mail = tempfile::tempdir().expect("a temporary folder");
        let port = free_port();
        let (user, password) = (
            "formfabrik-report".to_string(),
            "test-only-password".to_string(),
        );
        let mut child = Command::new(&python)
            .arg(repo().join("test-support/smtp/server.py"))
            .arg(port.to_string())
            .arg(&cert)
            .arg(&key)
            .arg(&user)
            .arg(&password)
            .arg(mail.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("its stdout"))
            .read_line(&mut line)
            .expect("read from the SMTP server");
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP server did not start (is aiosmtpd=={AIOSMTPD_VERSION} installed?)"
        );
        Smtp {
            port,
            ca_pem: authority.certificate_pem(),
            user,
            password,
            mail,
            child,
        }
    }

    /// The messages received so far, in order: each as the server parsed it (`subject`,
    /// `text`, `html`, `raw`, `mail-from`, `rcpt-tos`, `tls`, `auth-user`).
    pub fn messages(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.mail.path())
            .expect("the mail folder")
            .map(|e| e.expect("a folder entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                serde_json::from_slice(&std::fs::read(p).expect("a message"))
                    .expect("the server writes JSON")
            })
            .collect()
    }

    /// Waits (up to 10 s) until `n` messages have arrived, and returns them.
    pub fn wait_for(&self, n: usize) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= n || started.elapsed() > Duration::from_secs(10) {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
