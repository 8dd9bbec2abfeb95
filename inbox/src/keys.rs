//! The back office's private keys for `inbox pull --key`: one or more JWK files or folders of
//! them (key rotation keeps the old key next to the new one). Each object is opened with the
//! key its JWE header's `kid` names (`store::crypto::Decryptor`).

use std::path::{Path, PathBuf};

use serde_json::Value;
use store::crypto::Decryptor;

use crate::InboxError;

/// Reads every private key in `paths`: a file is one JWK; a folder gives each of its files
/// whose name ends in `.jwk` or `.jwk.json` and that holds a private key (public keys lying
/// next to them are skipped).
pub fn read(paths: &[PathBuf]) -> Result<Decryptor, InboxError> {
    let mut decryptor: Option<Decryptor> = None;
    let mut add = |path: &Path, jwk: &Value| -> Result<(), InboxError> {
        let bad = |source| InboxError::Decrypt {
            key: path.display().to_string(),
            source,
        };
        match &mut decryptor {
            Some(d) => d.add(jwk).map_err(bad),
            None => {
                decryptor = Some(Decryptor::from_jwk(jwk).map_err(bad)?);
                Ok(())
            }
        }
    };
    for path in paths {
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| InboxError::Io(format!("{}: {e}", path.display())))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().unwrap_or_default().to_string_lossy();
                    p.is_file() && (name.ends_with(".jwk") || name.ends_with(".jwk.json"))
                })
                .collect();
            files.sort();
            for file in files {
                let jwk = read_jwk(&file)?;
                if jwk.get("d").is_some() {
                    add(&file, &jwk)?;
                }
            }
        } else {
            add(path, &read_jwk(path)?)?;
        }
    }
    decryptor.ok_or_else(|| {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        InboxError::Io(format!("no private key (JWK) in {}", names.join(", ")))
    })
}

fn read_jwk(path: &Path) -> Result<Value, InboxError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InboxError::Io(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| InboxError::Io(format!("{}: not JSON: {e}", path.display())))
}
