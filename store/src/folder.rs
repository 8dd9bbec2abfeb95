//! A store in a local folder, for running the project with nothing else installed and for a
//! single server. Create-only and durable: each object is written to a file of its own in the
//! store's staging folder (`.staging/`, a dot name no key can have), flushed to disk
//! (`fdatasync`: the bytes, and the size and blocks a new file needs to be read back),
//! and then hard-linked to its final name. `link(2)` fails when the name exists, so an object
//! is never replaced, and it appears under its name only complete.
//!
//! The two steps are the two of [`Store::prepare`] and [`Store::publish`]: the function prepares
//! all objects of a submission at once ([`Store::prepare_all`]: their files are written on one
//! blocking task and flushed together, see `write::sync_files`) and
//! then publishes them in order, so that a request waits for a file flush once and not once
//! per object. `publish` links each object of the call in order and then flushes what their
//! names need — each object's folder, and every folder from there up to the root not known to
//! be durable — all of those at once: they are independent (the new submission folder and the
//! day folder it is in). Before `publish` or `put_new` returns — `Created` or `Exists` — the
//! object's bytes, its name and the name of every directory from the object up to the root are
//! flushed, also when another request created the object or a directory: whatever a 201
//! acknowledges survives a power cut. Directories known to be flushed are remembered, so a busy
//! store does not flush their parents again ([`known`]). A folder the store makes or removes
//! is no longer known durable — a day folder the back office emptied and removed, made again by
//! the next submission, has a new entry in its month folder — until a flush of its parent that
//! started after the change ended; a request that finds it while its making is not yet recorded
//! flushes the parent too. A known-durable folder is older than the request and shared with
//! others (the claims folder, the day folder), and its flushes are shared too (group commit,
//! [`group`]): a flusher thread per busy folder, each flush serving every request that asked
//! before it started, while the request's own thread flushes the folders it made (its
//! submission folder) — both at once, without a thread started per request. On ext4 the journal
//! already makes one commit serve concurrent `fsync`s; what the store's group commit saves is
//! the calls, the blocked threads and the thread started for the second folder of a publish
//! (docs/BENCHMARKS.md, "Folder store: group commit").
//!
//! A staged file is removed once its object is linked, and when it is dropped unpublished (a
//! refused or failed attempt). A crash can leave some in `.staging/`: they are never listed or
//! read as objects, and the first write of the next process removes those older than
//! [`STAGED_MAX_AGE`].

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use bytes::Bytes;

use crate::{
    Bounded, Object, Prepared, PreparedBody, PutOutcome, StagedFile, Store, StoreError,
    StoreFuture, check_key,
};
use group::Group;
use known::KnownDurable;
use write::{Flushes, Ops, SYSTEM, parent, place, stage, sweep_staging, sync_existing};
pub use write::{STAGED_MAX_AGE, STAGING};

#[derive(Debug, Clone)]
pub struct FolderStore {
    root: PathBuf,
    /// Directories whose entry in their parent is durable (flushed after they were made), and
    /// those this store made or removed since.
    known: Arc<KnownDurable>,
    /// Whether this store swept the staging folder yet (once, at its first write).
    swept: Arc<AtomicBool>,
    /// The flushers of the folders that many requests change.
    group: Arc<Group>,
    ops: &'static Ops,
}

impl FolderStore {
    /// A store below `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> FolderStore {
        FolderStore::with_ops(root, &SYSTEM)
    }

    fn with_ops(root: impl Into<PathBuf>, ops: &'static Ops) -> FolderStore {
        FolderStore {
            root: root.into(),
            known: Arc::default(),
            swept: Arc::default(),
            group: Arc::default(),
            ops,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }

    /// `put_new` without the task: an existing object is only flushed, a new one staged and
    /// published.
    fn write_new(&self, path: &Path, bytes: &[u8]) -> io::Result<PutOutcome> {
        if fs::symlink_metadata(path).is_err() {
            let file = self.stage_one(bytes)?;
            return Ok(self.publish_now(vec![(path.to_path_buf(), file)])?[0]);
        }
        // Another request (or an earlier attempt) wrote it; it may not have flushed it yet.
        sync_existing(path, self.ops)?;
        let mut flushes = Flushes::default();
        flushes.add(&self.root, parent(path), &self.known);
        flushes.run(self.ops, &self.known, &self.group)?;
        Ok(PutOutcome::Exists)
    }

    /// Writes each of `objects` to a new file in the staging folder and flushes them together
    /// (sweeping the folder first if this store has not yet).
    fn stage(&self, objects: &[&[u8]]) -> io::Result<Vec<StagedFile>> {
        if !self.swept.swap(true, Ordering::Relaxed) {
            sweep_staging(&self.root, SystemTime::now());
        }
        stage(&self.root, objects, self.ops, &self.known)
    }

    /// One object staged (see [`FolderStore::stage`]).
    fn stage_one(&self, bytes: &[u8]) -> io::Result<StagedFile> {
        Ok(self.stage(&[bytes])?.remove(0))
    }

    /// Links each staged file to its path, in order, then flushes every directory their names
    /// need, all at once.
    fn publish_now(&self, objects: Vec<(PathBuf, StagedFile)>) -> io::Result<Vec<PutOutcome>> {
        let mut outcomes = Vec::with_capacity(objects.len());
        let mut flushes = Flushes::default();
        for (path, file) in objects {
            outcomes.push(place(&self.root, &path, file, self.ops, &self.known)?);
            flushes.add(&self.root, parent(&path), &self.known);
        }
        flushes.run(self.ops, &self.known, &self.group)?;
        Ok(outcomes)
    }
}

/// Runs blocking file-system calls off the async workers.
async fn blocking<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Unavailable(format!("{what} task failed: {e}")))?
}

impl Store for FolderStore {
    fn put_new<'a>(
        &'a self,
        key: &'a str,
        bytes: Bytes,
        _content_type: &'a str,
    ) -> StoreFuture<'a, PutOutcome> {
        Box::pin(async move {
            let path = self.path(key)?;
            let store = self.clone();
            blocking("writer", move || Ok(store.write_new(&path, &bytes)?)).await
        })
    }

    fn prepare<'a>(
        &'a self,
        key: &'a str,
        bytes: Bytes,
        content_type: &'a str,
    ) -> StoreFuture<'a, Prepared> {
        // One object is a request of one: staged and flushed as `prepare_all` does.
        Box::pin(async move {
            let object = (key.to_string(), bytes, content_type.to_string());
            let mut prepared = self.prepare_all(vec![object]).await?;
            Ok(prepared.remove(0))
        })
    }

    fn prepare_all<'a>(&'a self, objects: Vec<Object>) -> StoreFuture<'a, Vec<Prepared>> {
        Box::pin(async move {
            for (key, _, _) in &objects {
                self.path(key)?;
            }
            let store = self.clone();
            let bodies: Vec<Bytes> = objects.iter().map(|(_, bytes, _)| bytes.clone()).collect();
            // One blocking task for all of them: written, then flushed together.
            let files = blocking("writer", move || {
                let bodies: Vec<&[u8]> = bodies.iter().map(|b| b.as_ref()).collect();
                Ok(store.stage(&bodies)?)
            })
            .await?;
            Ok(objects
                .iter()
                .zip(files)
                .map(|((key, _, content_type), file)| Prepared::staged(key, file, content_type))
                .collect())
        })
    }

    fn publish<'a>(&'a self, objects: Vec<Prepared>) -> StoreFuture<'a, Vec<PutOutcome>> {
        Box::pin(async move {
            let mut bodies = Vec::with_capacity(objects.len());
            for object in objects {
                let (key, _, body) = object.into_parts();
                bodies.push((self.path(&key)?, body));
            }
            let store = self.clone();
            blocking("writer", move || {
                let mut files = Vec::with_capacity(bodies.len());
                for (path, body) in bodies {
                    files.push(match body {
                        PreparedBody::Staged(file) => (path, file),
                        // Not prepared here (a caller that made it itself): staged now.
                        PreparedBody::Kept(bytes) => (path, store.stage_one(&bytes)?),
                    });
                }
                Ok(store.publish_now(files)?)
            })
            .await
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Bytes>> {
        Box::pin(async move {
            let path = self.path(key)?;
            let read = tokio::task::spawn_blocking(move || match fs::read(&path) {
                Ok(b) => Ok(Some(Bytes::from(b))),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            })
            .await
            .map_err(|e| StoreError::Unavailable(format!("reader task failed: {e}")))??;
            Ok(read)
        })
    }

    fn get_at_most<'a>(&'a self, key: &'a str, max_bytes: u64) -> StoreFuture<'a, Bounded> {
        Box::pin(async move {
            let path = self.path(key)?;
            let read = tokio::task::spawn_blocking(move || -> io::Result<Bounded> {
                let file = match File::open(&path) {
                    Ok(f) => f,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Bounded::Missing),
                    Err(e) => return Err(e),
                };
                let size = file.metadata()?.len();
                if size > max_bytes {
                    return Ok(Bounded::TooLarge(size));
                }
                // The file may grow between the length and the read: read one byte more than
                // allowed at most.
                let mut bytes = Vec::with_capacity(size as usize);
                file.take(max_bytes + 1).read_to_end(&mut bytes)?;
                Ok(if bytes.len() as u64 > max_bytes {
                    Bounded::TooLarge(bytes.len() as u64)
                } else {
                    Bounded::Found(Bytes::from(bytes))
                })
            })
            .await
            .map_err(|e| StoreError::Unavailable(format!("reader task failed: {e}")))??;
            Ok(read)
        })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> StoreFuture<'a, Vec<String>> {
        Box::pin(async move {
            crate::check_prefix(prefix)?;
            let root = self.root.clone();
            let prefix = prefix.to_string();
            tokio::task::spawn_blocking(move || list_below(&root, &prefix))
                .await
                .map_err(|e| StoreError::Unavailable(format!("lister task failed: {e}")))?
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let path = self.path(key)?;
            let (root, known) = (self.root.clone(), self.known.clone());
            tokio::task::spawn_blocking(move || -> Result<bool, StoreError> {
                match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
                    Err(e) => return Err(e.into()),
                }
                // Remove directories left empty, up to the root; one removed is no longer known
                // durable (made again, its new entry in its parent is not).
                let mut dir = path.parent();
                while let Some(d) = dir {
                    if d == root || known.change(d, |d| fs::remove_dir(d)).is_err() {
                        break;
                    }
                    dir = d.parent();
                }
                Ok(true)
            })
            .await
            .map_err(|e| StoreError::Unavailable(format!("delete task failed: {e}")))?
        })
    }

    fn locate(&self, key: &str) -> String {
        key.to_string()
    }

    fn describe(&self) -> String {
        format!("folder {}", self.root.display())
    }

    fn honours_create_only(&self) -> Option<bool> {
        // link(2) fails when the name exists.
        Some(true)
    }
}

/// Keys below `root` that start with `prefix`, sorted; dot-files (temporary files) skipped.
fn list_below(root: &Path, prefix: &str) -> Result<Vec<String>, StoreError> {
    // Walk from the deepest directory the prefix names completely.
    let start = match prefix.rfind('/') {
        Some(i) => &prefix[..i],
        None => "",
    };
    let mut keys = Vec::new();
    let mut pending = vec![(root.join(start), start.to_string())];
    while let Some((dir, rel)) = pending.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        for entry in entries {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let key = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if entry.file_type()?.is_dir() {
                if key.starts_with(prefix) || prefix.starts_with(&format!("{key}/")) {
                    pending.push((entry.path(), key));
                }
            } else if key.starts_with(prefix) {
                keys.push(key);
            }
        }
    }
    keys.sort();
    Ok(keys)
}

mod group;
mod known;
mod write;

#[cfg(test)]
mod tests;
