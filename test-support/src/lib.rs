//! What the workspace's integration tests share, so that no launcher or fixture path is written
//! twice: real S3-protocol servers on 127.0.0.1 ([`moto`], which honours `If-None-Match`, and
//! [`garage`], a production store that ignores it), each started once per test binary on a
//! free port and stopped when the binary exits; an SMTP server with STARTTLS and AUTH ([`smtp`],
//! aiosmtpd); free ports; the repository's fixtures and the
//! test-only key pair. A dev-dependency only: nothing here is part of a product.

pub mod garage;
pub mod moto;
pub mod oidc;
pub mod payment;
pub mod smtp;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The repository's root folder (the workspace).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("test-support is a folder of the workspace")
        .to_path_buf()
}

/// `tests/fixtures/<relative>` of the repository.
pub fn fixture(relative: &str) -> PathBuf {
    repo().join("tests/fixtures").join(relative)
}

/// A port on 127.0.0.1 that was free a moment ago (tests on the same machine run at the same
/// time, so a test never picks a fixed one).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind 127.0.0.1:0")
        .local_addr()
        .expect("a bound address")
        .port()
}

/// The test-only RSA key pair (`tests/fixtures/keys`, see its README): never for real data.
pub mod keys {
    use super::*;

    fn read(name: &str) -> Value {
        let path = fixture(&format!("keys/{name}"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The public JWK, what a municipality's `encryption-key` holds.
    pub fn public() -> Value {
        read("TEST-ONLY-public.jwk.json")
    }

    /// The private JWK, what the back office opens submissions with.
    pub fn private() -> Value {
        read("TEST-ONLY-private.jwk.json")
    }
}
