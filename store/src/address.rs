//! A store named by an address, as the function and the back office are given it on the command
//! line or in the environment: `file:<folder>` or `s3://<bucket>[/<prefix>]`.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use thiserror::Error;

use crate::Store;
use crate::folder::FolderStore;
use crate::s3::{S3Options, S3Store};

/// An address that names no store.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "store {0:?} is not understood: use file:<folder> (e.g. file:./data) or s3://<bucket>[/<prefix>]"
)]
pub struct BadStoreUrl(pub String);

/// Where submissions are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// `file:./data`, `file:/var/lib/formfabrik`, `file:///var/lib/formfabrik`
    Folder(PathBuf),
    /// `s3://bucket/prefix` (prefix optional)
    S3 { bucket: String, prefix: String },
}

impl FromStr for StoreUrl {
    type Err = BadStoreUrl;

    fn from_str(s: &str) -> Result<StoreUrl, BadStoreUrl> {
        let bad = || BadStoreUrl(s.to_string());
        if let Some(rest) = s.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            // S3 bucket naming rules, loosely: what S3-compatible stores accept too.
            let bucket_ok = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            let prefix = prefix.trim_matches('/');
            let prefix_ok = prefix.is_empty() || crate::check_key(prefix).is_ok();
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
}
