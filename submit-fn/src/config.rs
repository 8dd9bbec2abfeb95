//! Start-up settings shared by the Lambda and the local front door: the registry file (loaded
//! and checked before the first request, so a broken one stops the start with a clear message)
//! and the store address (`file:./data` or `s3://bucket/prefix`).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use form_model::registry::{Registry, RegistryError};
use thiserror::Error;

use crate::store::Store;
use crate::store::folder::FolderStore;
use crate::store::s3::{S3Options, S3Store};

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read the registry {path}: {source}")]
    ReadRegistry {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the registry {path} cannot be used: {source}. Build it again with the generator (dist/function/registry.json)"
    )]
    InvalidRegistry {
        path: PathBuf,
        source: RegistryError,
    },
    #[error("the registry {0} has no forms; the function would refuse every submission")]
    EmptyRegistry(PathBuf),
    #[error(
        "store {0:?} is not understood: use file:<folder> (e.g. file:./data) or s3://<bucket>[/<prefix>]"
    )]
    StoreUrl(String),
    #[error(
        "the registry {path}: municipality {municipality} has an unusable encryption key: {source}"
    )]
    EncryptionKey {
        path: PathBuf,
        municipality: String,
        source: crate::crypto::CryptoError,
    },
}

/// Reads and checks the registry.
pub fn load_registry(path: &Path) -> Result<Registry, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadRegistry {
        path: path.to_path_buf(),
        source,
    })?;
    let registry = Registry::from_json(&text).map_err(|source| ConfigError::InvalidRegistry {
        path: path.to_path_buf(),
        source,
    })?;
    if registry.forms.is_empty() {
        return Err(ConfigError::EmptyRegistry(path.to_path_buf()));
    }
    for m in &registry.municipalities {
        if let Some(key) = &m.encryption_key {
            crate::crypto::check_public_key(key).map_err(|source| ConfigError::EncryptionKey {
                path: path.to_path_buf(),
                municipality: m.id.clone(),
                source,
            })?;
        }
    }
    Ok(registry)
}

/// Where submissions are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// `file:./data`, `file:/var/lib/formfabrik`, `file:///var/lib/formfabrik`
    Folder(PathBuf),
    /// `s3://bucket/prefix` (prefix optional)
    S3 { bucket: String, prefix: String },
}

impl FromStr for StoreUrl {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<StoreUrl, ConfigError> {
        let bad = || ConfigError::StoreUrl(s.to_string());
        if let Some(rest) = s.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            // S3 bucket naming rules, loosely: what S3-compatible stores accept too.
            let bucket_ok = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            let prefix = prefix.trim_matches('/');
            let prefix_ok = prefix.is_empty() || crate::store::check_key(prefix).is_ok();
            if !bucket_ok || !prefix_ok {
                return Err(bad());
            }
            return Ok(StoreUrl::S3 {
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
            });
        }
        if let Some(rest) = s.strip_prefix("file:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(bad());
            }
            return Ok(StoreUrl::Folder(PathBuf::from(path)));
        }
        Err(bad())
    }
}

impl StoreUrl {
    /// Opens the store (for S3: loads credentials from the standard chain).
    pub async fn open(&self, s3: &S3Options) -> Arc<dyn Store> {
        match self {
            StoreUrl::Folder(dir) => Arc::new(FolderStore::new(dir)),
            StoreUrl::S3 { bucket, prefix } => Arc::new(S3Store::connect(bucket, prefix, s3).await),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls_are_parsed() {
        assert_eq!(
            "file:./data".parse::<StoreUrl>().unwrap(),
            StoreUrl::Folder("./data".into())
        );
        assert_eq!(
            "file:///var/lib/ff".parse::<StoreUrl>().unwrap(),
            StoreUrl::Folder("/var/lib/ff".into())
        );
        assert_eq!(
            "s3://formfabrik-submissions/eingang/"
                .parse::<StoreUrl>()
                .unwrap(),
            StoreUrl::S3 {
                bucket: "formfabrik-submissions".into(),
                prefix: "eingang".into()
            }
        );
        assert_eq!(
            "s3://bucket".parse::<StoreUrl>().unwrap(),
            StoreUrl::S3 {
                bucket: "bucket".into(),
                prefix: String::new()
            }
        );
        for bad in [
            "./data",
            "s3://",
            "s3://B/x",
            "s3://bucket/../x",
            "file:",
            "http://x",
        ] {
            assert!(bad.parse::<StoreUrl>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_broken_registry_stops_the_start_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.json");
        std::fs::write(
            &path,
            r#"{"format": "formfabrik.registry/0", "municipalities": [], "forms": []}"#,
        )
        .unwrap();
        let err = load_registry(&path).unwrap_err().to_string();
        assert!(err.contains("registry.json cannot be used"), "{err}");
        assert!(err.contains("formfabrik.registry/1"), "{err}");
        let err = load_registry(&dir.path().join("missing.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot read the registry"), "{err}");
    }
}
