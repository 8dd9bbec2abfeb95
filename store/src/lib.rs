//! Where Formfabrik submissions are kept, for the function that writes them and the back office
//! that reads them: a small object-store interface with create-only writes ([`Store`]),
//! implemented for S3 and S3-compatible stores ([`s3::S3Store`]), a local folder
//! ([`folder::FolderStore`]) and memory ([`memory::MemoryStore`], for tests and dry runs), and
//! what is kept in it:
//!
//! - [`layout`]: every key, relative to the store's prefix;
//! - [`protocol`]: how the function writes a submission exactly once (claims);
//! - [`lease`]: how an import run takes a submission and acknowledges it, exactly once;
//! - [`exclusive`]: the start-up probe for stores that ignore create-only writes, and the
//!   single-runner mode that keeps both exactly-once on them;
//! - [`crypto`]: JWE encryption for the back office's key, and decryption with it;
//! - [`metadata`]: the FIT-Connect-shaped metadata of each record;
//! - [`envelope`]: the one object that completes a submission, record and metadata (and how
//!   the old layout, record and metadata apart, is read);
//! - [`lifecycle`]: the expiry rules from each form's `retention-days`;
//! - [`address`]: a store named by `file:<folder>` or `s3://<bucket>[/<prefix>]`;
//! - [`sdk_http`]: the AWS SDK's HTTP/1.1 client (no HTTP/2 in the function).
//!
//! A store receives bytes and never looks inside them. What each store guarantees is written
//! down in `docs/storage.md`.

pub mod address;
pub mod crypto;
pub mod drafts;
pub mod envelope;
pub mod exclusive;
pub mod folder;
pub mod layout;
pub mod lease;
pub mod lifecycle;
pub mod memory;
pub mod metadata;
pub mod payment;
pub mod protocol;
pub mod s3;
pub mod sdk_http;
pub mod upload;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use bytes::Bytes;
use thiserror::Error;

pub use address::{BadStoreUrl, StoreUrl};
pub use folder::FolderStore;
pub use memory::MemoryStore;
pub use s3::{S3Options, S3Store};

/// A boxed future, so that `Store` can be used as `dyn Store` (the binary picks a store at
/// start) without an extra macro crate.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// What a create-only write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The object did not exist and now holds the bytes, durably.
    Created,
    /// An object with that key already existed; it was left alone.
    Exists,
}

/// Why the store could not do what was asked. The function answers 503 with `Retry-After`:
/// none of these is the citizen's fault, and a retry with the same id is safe.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the store is not available: {0}")]
    Unavailable(String),
    #[error("storage key {0:?} is not allowed")]
    InvalidKey(String),
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored object {key} is damaged: {reason}")]
    Damaged { key: String, reason: String },
}

/// What [`Store::get_at_most`] found under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bounded {
    /// No object with that key.
    Missing,
    /// An object larger than allowed: its size (at least this many bytes); not read.
    TooLarge(u64),
    /// The object's bytes.
    Found(Bytes),
}

/// An object made ready by [`Store::prepare`] and not yet under its key: [`Store::publish`]
/// puts it there. Dropped unpublished (a refused or failed attempt), it leaves nothing behind.
pub struct Prepared {
    key: String,
    content_type: String,
    body: PreparedBody,
}

pub(crate) enum PreparedBody {
    /// The bytes, kept until they are published (S3, memory: the default of [`Store::prepare`]).
    Kept(Bytes),
    /// Already written and flushed to a file in the store (the folder store).
    Staged(StagedFile),
}

impl Prepared {
    /// An object whose bytes wait in memory until [`Store::publish`] writes them.
    pub fn kept(key: &str, bytes: Bytes, content_type: &str) -> Prepared {
        Prepared {
            key: key.to_string(),
            content_type: content_type.to_string(),
            body: PreparedBody::Kept(bytes),
        }
    }

    pub(crate) fn staged(key: &str, file: StagedFile, content_type: &str) -> Prepared {
        Prepared {
            key: key.to_string(),
            content_type: content_type.to_string(),
            body: PreparedBody::Staged(file),
        }
    }

    /// The key it is to be published under.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Key, content type, and the bytes kept or the file they were staged in.
    pub(crate) fn into_parts(self) -> (String, String, PreparedBody) {
        (self.key, self.content_type, self.body)
    }
}

/// A file in the store that holds a prepared object's bytes under a name no key can have;
/// removed when dropped unless it was [`released`](StagedFile::release) (a crash leaves it to
/// the folder store's sweep).
#[derive(Debug)]
pub(crate) struct StagedFile {
    /// Empty once released.
    path: PathBuf,
}

impl StagedFile {
    pub(crate) fn new(path: PathBuf) -> StagedFile {
        StagedFile { path }
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The path, no longer removed on drop: the caller removes it.
    pub(crate) fn release(mut self) -> PathBuf {
        std::mem::take(&mut self.path)
    }
}

impl Drop for StagedFile {
    fn drop(&mut self) {
        let path = std::mem::take(&mut self.path);
        if path.as_os_str().is_empty() {
            return;
        }
        let remove = move || {
            if let Err(e) = std::fs::remove_file(&path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                // Never read as an object; the next start's sweep removes it.
                tracing::warn!(error = %e, file = %path.display(), "staged file not removed");
            }
        };
        // Dropped on an async worker when an attempt fails or is refused: the file system call
        // goes to the blocking pool like every other one.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(remove)),
            Err(_) => remove(),
        }
    }
}

/// An object to store: key, bytes as stored, content type.
pub type Object = (String, Bytes, String);

/// An object store with create-only writes.
///
/// Keys are relative (`musterstadt/hundesteuer-anmeldung/v2/2026/11/28/<id>/submission.json`);
/// each store puts its own prefix (S3 key prefix, folder) in front.
pub trait Store: Send + Sync {
    /// Writes `bytes` under `key` unless an object with that key exists. Returns only once the
    /// object is durable. A store that cannot refuse to overwrite (some S3-compatible servers
    /// ignore `If-None-Match`) may report `Created` although it replaced an object; the write
    /// protocol in [`crate::protocol`] guards against that by reading before and after.
    fn put_new<'a>(
        &'a self,
        key: &'a str,
        bytes: Bytes,
        content_type: &'a str,
    ) -> StoreFuture<'a, PutOutcome>;

    /// The first step of a create-only write in two steps: makes the object ready to be
    /// published under `key` without it appearing there. The folder store writes the bytes to a
    /// file of its own and flushes it, so that several objects' files are written at once and
    /// [`Store::publish`] later only has to name them; the default keeps the bytes for
    /// `publish` to write. Nothing is visible under any key before `publish`.
    fn prepare<'a>(
        &'a self,
        key: &'a str,
        bytes: Bytes,
        content_type: &'a str,
    ) -> StoreFuture<'a, Prepared> {
        Box::pin(async move {
            check_key(key)?;
            Ok(Prepared::kept(key, bytes, content_type))
        })
    }

    /// [`Store::prepare`] for several objects at once (key, bytes, content type each), in the
    /// order given. The folder store writes all their files on one blocking task and flushes
    /// them together; the default prepares each one, all at once.
    fn prepare_all<'a>(&'a self, objects: Vec<Object>) -> StoreFuture<'a, Vec<Prepared>> {
        Box::pin(async move {
            futures_util::future::try_join_all(
                objects.iter().map(|(key, bytes, content_type)| {
                    self.prepare(key, bytes.clone(), content_type)
                }),
            )
            .await
        })
    }

    /// The second step: puts each prepared object under its key, create-only as
    /// [`Store::put_new`] does and in the order given, and returns once all of them are durable
    /// (each one's outcome, in that order). Objects published by one call are durable together,
    /// not one before the other: a caller that needs an order across a crash (the record after
    /// the metadata) publishes in separate calls. The default writes them one after another
    /// with `put_new`.
    fn publish<'a>(&'a self, objects: Vec<Prepared>) -> StoreFuture<'a, Vec<PutOutcome>> {
        Box::pin(async move {
            let mut outcomes = Vec::with_capacity(objects.len());
            for object in objects {
                let (key, content_type, body) = object.into_parts();
                let PreparedBody::Kept(bytes) = body else {
                    return Err(StoreError::Unavailable(format!(
                        "{key} was prepared by another store"
                    )));
                };
                outcomes.push(self.put_new(&key, bytes, &content_type).await?);
            }
            Ok(outcomes)
        })
    }

    /// The object's bytes, or `None` when there is no object with that key.
    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Bytes>>;

    /// The object's bytes if it holds at most `max_bytes`, otherwise only its size: a read
    /// whose size someone else chose (a staged upload) never takes more memory than the
    /// caller allows. The default reads the object whole; stores that learn the size first
    /// (a file's length, S3's `Content-Length`) stop before reading.
    fn get_at_most<'a>(&'a self, key: &'a str, max_bytes: u64) -> StoreFuture<'a, Bounded> {
        Box::pin(async move {
            Ok(match self.get(key).await? {
                None => Bounded::Missing,
                Some(b) if b.len() as u64 > max_bytes => Bounded::TooLarge(b.len() as u64),
                Some(b) => Bounded::Found(b),
            })
        })
    }

    /// Every key that starts with `prefix` (relative, like the keys given to `put_new`), sorted.
    /// The back office lists with it; the function never does.
    fn list<'a>(&'a self, prefix: &'a str) -> StoreFuture<'a, Vec<String>>;

    /// Removes the object; `false` when there was none. For the back office's clean-up only:
    /// the function never deletes.
    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool>;

    /// The key as the back office sees it (with the store's prefix); recorded in
    /// `attachments[].key`.
    fn locate(&self, key: &str) -> String;

    /// For start-up logs: `s3://bucket/prefix`, `folder ./data`.
    fn describe(&self) -> String;

    /// Whether `put_new` is known to never replace an object (`Some(true)`: a folder, AWS S3),
    /// known to replace (`Some(false)`), or unknown (`None`: an S3-compatible store, which
    /// [`exclusive::write_mode`] then probes).
    fn honours_create_only(&self) -> Option<bool> {
        None
    }

    /// A signed direct upload of one file to `key` (relative, below `_staging/`) of
    /// `content_type` and at most `max_bytes`, valid from `now` for
    /// [`upload::POLICY_MINUTES`]: an S3 POST policy (see [`upload`]). `None` when the store
    /// takes no uploads of its own (a folder, memory): then the function's local upload
    /// endpoint takes them and checks the same policy itself.
    fn presign_post<'a>(
        &'a self,
        key: &'a str,
        content_type: &'a str,
        max_bytes: u64,
        now: time::OffsetDateTime,
    ) -> StoreFuture<'a, Option<upload::PresignedPost>> {
        let _ = (key, content_type, max_bytes, now);
        Box::pin(async { Ok(None) })
    }
}

/// Checks that a relative key is made only of safe segments: `[A-Za-z0-9._-]`, not starting
/// with a dot, no empty segments. Every key is built by [`layout`] from slugs, UUIDs and
/// sanitised field ids; this is the last line of defence before a key becomes a path.
pub fn check_key(key: &str) -> Result<(), StoreError> {
    let ok = !key.is_empty()
        && key.len() <= 512
        && key.split('/').all(|seg| {
            !seg.is_empty()
                && !seg.starts_with('.')
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        });
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidKey(key.to_string()))
    }
}

/// Checks a list prefix: empty, or a key-like path that may end in `/`.
pub fn check_prefix(prefix: &str) -> Result<(), StoreError> {
    let trimmed = prefix.strip_suffix('/').unwrap_or(prefix);
    if trimmed.is_empty() && prefix.is_empty() {
        return Ok(());
    }
    check_key(trimmed).map_err(|_| StoreError::InvalidKey(prefix.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_path_tricks_are_refused() {
        for bad in [
            "",
            "/abs",
            "a//b",
            "../x",
            "a/../b",
            "a/.hidden",
            "a/b c",
            "a\\b",
            "a/ü",
            "a/b/",
        ] {
            assert!(check_key(bad).is_err(), "{bad:?} should be refused");
        }
        check_key("musterstadt/hundesteuer-anmeldung/v2/2026/11/28/x/erlaubnis-1.pdf").unwrap();
        check_key("_claims/musterstadt/7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c.json").unwrap();
    }
}
