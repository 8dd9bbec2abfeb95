//! A store in a local folder, for running the project with nothing else installed and for a
//! single server. Create-only and durable: each object is written to a temporary file, flushed
//! to disk (`fsync`), and then hard-linked to its final name. `link(2)` fails when the name
//! exists, so an object is never replaced, and it appears under its name only complete.
//!
//! Before `put_new` returns — `Created` or `Exists` — the object's bytes, its name and the name
//! of every directory from the object up to the root are flushed, also when another request
//! created the object or a directory: whatever a 201 acknowledges survives a power cut.
//! Directories known to be flushed are remembered, so a busy store does not flush them again.
//! Concurrent flushes are left to the file system: a journaling one (ext4, xfs) already makes
//! one journal commit serve every `fsync` waiting for it. (Sharing directory flushes between
//! requests in the store as well saved 13 % of the `fsync` calls but no time: docs/BENCHMARKS.md,
//! "Folder store: fewer flushes".)

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use crate::{Bounded, PutOutcome, Store, StoreError, StoreFuture, check_key};

/// How many directories [`FolderStore`] remembers as durable before it starts afresh: every
/// submission adds its own folder, and a long-running server must not grow without bound.
/// Forgetting costs one more flush of a day folder, never durability.
const DURABLE_REMEMBERED: usize = 4096;

#[derive(Debug, Clone)]
pub struct FolderStore {
    root: PathBuf,
    /// Directories whose entry in their parent is durable (flushed after they were seen).
    durable: Arc<Mutex<HashSet<PathBuf>>>,
}

impl FolderStore {
    /// A store below `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> FolderStore {
        FolderStore {
            root: root.into(),
            durable: Arc::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }
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
            let root = self.root.clone();
            let durable = self.durable.clone();
            // File system calls block; keep them off the async workers.
            let outcome = tokio::task::spawn_blocking(move || {
                write_new(&root, &path, &bytes, &durable, &SYSTEM)
            })
            .await
            .map_err(|e| StoreError::Unavailable(format!("writer task failed: {e}")))??;
            Ok(outcome)
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
            let root = self.root.clone();
            tokio::task::spawn_blocking(move || -> Result<bool, StoreError> {
                match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
                    Err(e) => return Err(e.into()),
                }
                // Remove directories left empty, up to the root.
                let mut dir = path.parent();
                while let Some(d) = dir {
                    if d == root || fs::remove_dir(d).is_err() {
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

/// The file-system calls whose failures matter to durability, replaceable in tests.
struct Ops {
    sync_file: fn(&Path) -> io::Result<()>,
    sync_dir: fn(&Path) -> io::Result<()>,
    remove_file: fn(&Path) -> io::Result<()>,
}

const SYSTEM: Ops = Ops {
    sync_file: |p| File::open(p)?.sync_all(),
    sync_dir,
    remove_file: |p| fs::remove_file(p),
};

fn write_new(
    root: &Path,
    path: &Path,
    bytes: &[u8],
    durable: &Mutex<HashSet<PathBuf>>,
    ops: &Ops,
) -> io::Result<PutOutcome> {
    let dir = path.parent().expect("keys have a parent below the root");
    create_dirs(root, dir)?;
    let outcome = if fs::symlink_metadata(path).is_ok() {
        PutOutcome::Exists
    } else {
        let name = path
            .file_name()
            .expect("keys end in a file name")
            .to_string_lossy();
        // A dot name never matches a key (keys cannot start with a dot), so a temporary file
        // left by a crash never looks like an object.
        let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
        let mut file = new_file(&tmp)?;
        let written = file.write_all(bytes).and_then(|()| file.sync_all());
        drop(file);
        let linked = written.and_then(|()| fs::hard_link(&tmp, path));
        if let Err(e) = (ops.remove_file)(&tmp) {
            // The object is in place (or was not written); a stray dot-file is never read as
            // an object, so this is no reason to refuse the submission.
            tracing::warn!(error = %e, file = %tmp.display(), "temporary file not removed");
        }
        match linked {
            Ok(()) => PutOutcome::Created,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => PutOutcome::Exists,
            Err(e) => return Err(e),
        }
    };
    if outcome == PutOutcome::Exists {
        // Another request (or an earlier attempt) wrote it; it may not have flushed it yet.
        (ops.sync_file)(path)?;
    }
    // The object's name, and the name of each directory up to the root: durable before the
    // caller acknowledges anything, whoever created them.
    (ops.sync_dir)(dir)?;
    let mut d = dir;
    loop {
        if durable.lock().expect("lock").contains(d) {
            break;
        }
        let Some(parent) = d.parent() else { break };
        (ops.sync_dir)(parent)?;
        let mut known = durable.lock().expect("lock");
        if known.len() >= DURABLE_REMEMBERED {
            known.clear();
        }
        known.insert(d.to_path_buf());
        drop(known);
        if d == root {
            break;
        }
        d = parent;
    }
    Ok(outcome)
}

/// Creates `dir` and missing ancestors below `root` (flushed by the caller).
fn create_dirs(root: &Path, dir: &Path) -> io::Result<()> {
    let mut missing = Vec::new();
    let mut d = dir;
    while !d.exists() {
        missing.push(d.to_path_buf());
        match d.parent() {
            Some(p) if d != root => d = p,
            _ => break,
        }
    }
    missing.reverse();
    for d in missing {
        match new_dir(&d) {
            // Another writer made it in the meantime.
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(unix)]
fn new_file(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Citizens' data: readable by the service's user only. `create_new` is O_EXCL.
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn new_file(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn new_dir(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().mode(0o700).create(path)
}

#[cfg(not(unix))]
fn new_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new().create(path)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_once_and_refuses_to_overwrite() {
        let tmp = tempfile::tempdir().unwrap();
        let store = FolderStore::new(tmp.path().join("data"));
        let key = "m/f/v1/2026/11/28/id/submission.json";
        let first = store
            .put_new(key, Bytes::from_static(b"one"), "application/json")
            .await
            .unwrap();
        let second = store
            .put_new(key, Bytes::from_static(b"two"), "application/json")
            .await
            .unwrap();
        assert_eq!((first, second), (PutOutcome::Created, PutOutcome::Exists));
        assert_eq!(store.get(key).await.unwrap().unwrap(), "one");
        assert_eq!(store.get("m/none.json").await.unwrap(), None);
        // No temporary files are left behind.
        let dir = tmp.path().join("data/m/f/v1/2026/11/28/id");
        let names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["submission.json"]);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn objects_are_private_to_the_service_user() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let store = FolderStore::new(tmp.path());
        store
            .put_new("a/b.json", Bytes::from_static(b"{}"), "application/json")
            .await
            .unwrap();
        let mode = fs::metadata(tmp.path().join("a/b.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = fs::metadata(tmp.path().join("a"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[tokio::test]
    async fn thirty_two_concurrent_writers_of_one_key_give_exactly_one_winner() {
        let tmp = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(FolderStore::new(tmp.path()));
        let mut tasks = Vec::new();
        for i in 0..32 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let body = Bytes::from(format!("writer {i}"));
                (
                    i,
                    store.put_new("k/x.json", body, "text/plain").await.unwrap(),
                )
            }));
        }
        let mut winners = Vec::new();
        for t in tasks {
            let (i, outcome) = t.await.unwrap();
            if outcome == PutOutcome::Created {
                winners.push(i);
            }
        }
        assert_eq!(winners.len(), 1);
        let stored = store.get("k/x.json").await.unwrap().unwrap();
        assert_eq!(stored, format!("writer {}", winners[0]));
    }

    #[tokio::test]
    async fn lists_keys_by_prefix_without_temporary_files_and_deletes() {
        let tmp = tempfile::tempdir().unwrap();
        let store = FolderStore::new(tmp.path());
        for key in ["a/b/1.json", "a/b/2.json", "a/c/3.json", "ab/4.json"] {
            store
                .put_new(key, Bytes::from_static(b"x"), "text/plain")
                .await
                .unwrap();
        }
        fs::write(tmp.path().join("a/b/.x.tmp"), "partial").unwrap();
        assert_eq!(
            store.list("a/").await.unwrap(),
            vec!["a/b/1.json", "a/b/2.json", "a/c/3.json"]
        );
        assert_eq!(store.list("a/b/2").await.unwrap(), vec!["a/b/2.json"]);
        assert_eq!(store.list("").await.unwrap().len(), 4);
        assert!(store.list("none/").await.unwrap().is_empty());
        assert!(store.delete("a/c/3.json").await.unwrap());
        assert!(!store.delete("a/c/3.json").await.unwrap());
        assert!(!tmp.path().join("a/c").exists(), "empty folders go too");
        assert!(store.list("../").await.is_err());
    }

    thread_local! {
        static CALLS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    fn record(what: &str, p: &Path) -> io::Result<()> {
        CALLS.with(|c| c.borrow_mut().push(format!("{what} {}", p.display())));
        Ok(())
    }

    const RECORDING: Ops = Ops {
        sync_file: |p| record("file", p),
        sync_dir: |p| record("dir", p),
        remove_file: |p| {
            fs::remove_file(p)?;
            record("removed", p)
        },
    };

    /// Issue 16: an object that exists already (written by another request) and directories
    /// another request created were acknowledged without being flushed by this request.
    #[test]
    fn an_existing_object_and_every_directory_up_to_the_root_are_flushed_before_put_returns() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("data");
        let key = root.join("m/f/v1/x.json");
        // Another writer made the object and its directories.
        fs::create_dir_all(key.parent().unwrap()).unwrap();
        fs::write(&key, "theirs").unwrap();
        CALLS.with(|c| c.borrow_mut().clear());
        let durable = Mutex::new(HashSet::new());
        let outcome = write_new(&root, &key, b"mine", &durable, &RECORDING).unwrap();
        assert_eq!(outcome, PutOutcome::Exists);
        let calls = CALLS.with(|c| c.borrow().clone());
        let r = root.display();
        assert_eq!(
            calls,
            vec![
                format!("file {r}/m/f/v1/x.json"),
                format!("dir {r}/m/f/v1"),
                format!("dir {r}/m/f"),
                format!("dir {r}/m"),
                format!("dir {r}"),
                format!("dir {}", tmp.path().display()),
            ]
        );
        // Known-durable directories are not flushed again; the object's own directory is.
        CALLS.with(|c| c.borrow_mut().clear());
        write_new(
            &root,
            &root.join("m/f/v1/y.json"),
            b"y",
            &durable,
            &RECORDING,
        )
        .unwrap();
        let calls = CALLS.with(|c| c.borrow().clone());
        assert_eq!(
            calls.iter().filter(|c| c.starts_with("dir")).count(),
            1,
            "{calls:?}"
        );
    }

    /// Issue 16: a failure to remove the temporary file after a successful link was a 503.
    #[test]
    fn a_temporary_file_that_cannot_be_removed_does_not_fail_the_write() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let failing = Ops {
            remove_file: |_| Err(io::Error::other("read-only file system")),
            ..SYSTEM
        };
        let durable = Mutex::new(HashSet::new());
        let outcome = write_new(&root, &root.join("a/b.json"), b"{}", &durable, &failing).unwrap();
        assert_eq!(outcome, PutOutcome::Created);
        assert_eq!(fs::read(root.join("a/b.json")).unwrap(), b"{}");
    }

    /// A submission's objects as the protocol writes them (claim, metadata, record): the new
    /// submission folder's entry in the day folder is flushed once, by the first object in it;
    /// each object's own folder after each object, so the record's name is durable only after
    /// the metadata's was (the record marks the submission complete).
    #[test]
    fn a_submission_flushes_each_object_folder_and_the_new_folder_s_parent_once() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let durable = Mutex::new(HashSet::new());
        // An earlier submission made the claims and day folders durable.
        for key in ["_claims/m/0.json", "m/f/v1/2026/12/03/0/metadata.json"] {
            write_new(&root, &root.join(key), b"{}", &durable, &SYSTEM).unwrap();
        }
        CALLS.with(|c| c.borrow_mut().clear());
        for key in [
            "_claims/m/1.json",
            "m/f/v1/2026/12/03/1/metadata.json",
            "m/f/v1/2026/12/03/1/submission.json",
        ] {
            let outcome = write_new(&root, &root.join(key), b"{}", &durable, &RECORDING).unwrap();
            assert_eq!(outcome, PutOutcome::Created);
        }
        let r = root.display();
        let flushed: Vec<String> = CALLS.with(|c| c.borrow().clone());
        assert_eq!(
            flushed
                .into_iter()
                .filter(|c| c.starts_with("dir "))
                .collect::<Vec<_>>(),
            vec![
                format!("dir {r}/_claims/m"),
                format!("dir {r}/m/f/v1/2026/12/03/1"),
                format!("dir {r}/m/f/v1/2026/12/03"),
                format!("dir {r}/m/f/v1/2026/12/03/1"),
            ]
        );
    }

    /// Concurrent writers of one key through the store, on worker threads: one winner,
    /// whose bytes are stored; every loser is told `Exists`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sixteen_writers_of_one_key_on_worker_threads_give_one_winner() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Arc::new(FolderStore::new(tmp.path()));
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let key = "_claims/m/same.json";
                    (
                        i,
                        store
                            .put_new(key, Bytes::from(format!("{i}")), "application/json")
                            .await,
                    )
                })
            })
            .collect();
        let mut winners = Vec::new();
        for t in tasks {
            let (i, outcome) = t.await.unwrap();
            if outcome.unwrap() == PutOutcome::Created {
                winners.push(i);
            }
        }
        assert_eq!(winners.len(), 1, "{winners:?}");
        let stored = store.get("_claims/m/same.json").await.unwrap().unwrap();
        assert_eq!(stored, format!("{}", winners[0]));
    }

    #[tokio::test]
    async fn keys_that_would_leave_the_folder_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let store = FolderStore::new(tmp.path().join("data"));
        let err = store
            .put_new("../escape.json", Bytes::from_static(b"x"), "text/plain")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::InvalidKey(_)));
        assert!(!tmp.path().join("escape.json").exists());
    }
}
