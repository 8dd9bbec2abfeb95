//! A store in a local folder, for running the project with nothing else installed and for a
//! single server. Create-only and durable: each object is written to a temporary file, flushed
//! to disk (`fsync`), and then hard-linked to its final name. `link(2)` fails when the name
//! exists, so an object is never replaced, and it appears under its name only complete. The
//! directories that hold it are flushed too, so the name survives a power cut.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::{PutOutcome, Store, StoreError, StoreFuture, check_key};

#[derive(Debug, Clone)]
pub struct FolderStore {
    root: PathBuf,
}

impl FolderStore {
    /// A store below `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> FolderStore {
        FolderStore { root: root.into() }
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
            // File system calls block; keep them off the async workers.
            let outcome = tokio::task::spawn_blocking(move || write_new(&root, &path, &bytes))
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

    fn list<'a>(&'a self, prefix: &'a str) -> StoreFuture<'a, Vec<String>> {
        Box::pin(async move {
            super::check_prefix(prefix)?;
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

fn write_new(root: &Path, path: &Path, bytes: &[u8]) -> io::Result<PutOutcome> {
    let dir = path.parent().expect("keys have a parent below the root");
    let created = create_dirs(root, dir)?;
    if fs::symlink_metadata(path).is_ok() {
        return Ok(PutOutcome::Exists);
    }
    let name = path
        .file_name()
        .expect("keys end in a file name")
        .to_string_lossy();
    // A dot name never matches a key (keys cannot start with a dot), so a temporary file left
    // by a crash never looks like an object.
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let mut file = new_file(&tmp)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    let linked = written.and_then(|()| fs::hard_link(&tmp, path));
    let removed = fs::remove_file(&tmp);
    match linked {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(PutOutcome::Exists),
        Err(e) => return Err(e),
        Ok(()) => removed?,
    }
    sync_dir(dir)?;
    for d in created {
        if let Some(parent) = d.parent() {
            sync_dir(parent)?;
        }
    }
    Ok(PutOutcome::Created)
}

/// Creates `dir` and missing ancestors below `root`; returns the ones it created, deepest
/// last, so their parents can be flushed.
fn create_dirs(root: &Path, dir: &Path) -> io::Result<Vec<PathBuf>> {
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
    let mut created = Vec::new();
    for d in missing {
        match new_dir(&d) {
            Ok(()) => created.push(d),
            // Another writer made it in the meantime.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
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
