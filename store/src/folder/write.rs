//! How the folder store writes (see [`super`]): a staged file, flushed; its link to the
//! object's name; the flushes of the folders that name needs, at once; and the sweep of
//! staged files a crash left. Free functions over the root, so that tests can replace the
//! file-system calls ([`Ops`]).

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::{PutOutcome, StagedFile};

/// How many directories [`super::FolderStore`] remembers as durable before it starts afresh: every
/// submission adds its own folder, and a long-running server must not grow without bound.
/// Forgetting costs one more flush of a day folder, never durability.
pub(super) const DURABLE_REMEMBERED: usize = 4096;

/// The folder below the root where objects are written before they are linked to their names.
/// A dot name: never a key (keys cannot start with a dot), never listed.
pub const STAGING: &str = ".staging";

/// How old a staged file must be before a sweep removes it: older than any request lives, so
/// it is one a crashed process left (a live request links or drops its files within its time
/// limit; a file swept under a request anyway makes its link fail, a 503, and the retry works).
pub const STAGED_MAX_AGE: Duration = Duration::from_secs(3600);

/// How often a link is tried again when its folder vanished meanwhile (a clean-up removed it
/// while it was empty).
const LINK_TRIES: usize = 3;

/// Writes `bytes` to a new file in the staging folder and flushes it.
pub(super) fn stage(root: &Path, bytes: &[u8], ops: &Ops) -> io::Result<StagedFile> {
    let dir = root.join(STAGING);
    create_dirs(root, &dir)?;
    let path = dir.join(format!("{}.tmp", uuid::Uuid::new_v4().simple()));
    let mut file = new_file(&path)?;
    // From here on a failure removes the file again.
    let staged = StagedFile::new(path);
    file.write_all(bytes)?;
    (ops.sync_file)(&file, staged.path())?;
    Ok(staged)
}

/// The file-system calls whose order and failures matter to durability, replaceable in tests.
#[derive(Debug)]
pub(super) struct Ops {
    /// Flushes an open file: a staged object's, or an existing object's.
    pub(super) sync_file: fn(&File, &Path) -> io::Result<()>,
    pub(super) sync_dir: fn(&Path) -> io::Result<()>,
    pub(super) link: fn(&Path, &Path) -> io::Result<()>,
    pub(super) remove_file: fn(&Path) -> io::Result<()>,
}

pub(super) const SYSTEM: Ops = Ops {
    sync_file: |file, _| file.sync_all(),
    sync_dir,
    link: |from, to| fs::hard_link(from, to),
    remove_file: |p| fs::remove_file(p),
};

pub(super) fn parent(path: &Path) -> &Path {
    path.parent().expect("keys have a parent below the root")
}

/// Links the staged `file` to `path` (creating its folders) and removes the staged name;
/// `Exists` when `path` was there, which is then flushed. The caller flushes the folders.
pub(super) fn place(
    root: &Path,
    path: &Path,
    file: StagedFile,
    ops: &Ops,
) -> io::Result<PutOutcome> {
    let dir = parent(path);
    let mut tries = 1;
    let linked = loop {
        create_dirs(root, dir)?;
        match (ops.link)(file.path(), path) {
            // A clean-up removed the folder, empty between its making and the link: again.
            Err(e) if e.kind() == io::ErrorKind::NotFound && tries < LINK_TRIES => tries += 1,
            linked => break linked,
        }
    };
    let staged = file.release();
    if let Err(e) = (ops.remove_file)(&staged) {
        // The object is in place (or was not written); a stray staged file is never read as
        // an object, so this is no reason to refuse the submission.
        tracing::warn!(error = %e, file = %staged.display(), "staged file not removed");
    }
    match linked {
        Ok(()) => Ok(PutOutcome::Created),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // Another request (or an earlier attempt) wrote it; it may not have flushed it yet.
            sync_existing(path, ops)?;
            Ok(PutOutcome::Exists)
        }
        Err(e) => Err(e),
    }
}

pub(super) fn sync_existing(path: &Path, ops: &Ops) -> io::Result<()> {
    (ops.sync_file)(&File::open(path)?, path)
}

/// The directories that new names need flushed before they are acknowledged: each object's
/// folder, and each folder's parent up to the root's unless the folder is known durable.
#[derive(Default)]
pub(super) struct Flushes {
    dirs: Vec<PathBuf>,
    /// Folders whose entry in their parent is durable once `dirs` are flushed.
    durable_after: Vec<PathBuf>,
}

impl Flushes {
    pub(super) fn add(&mut self, root: &Path, dir: &Path, durable: &Mutex<HashSet<PathBuf>>) {
        push_new(&mut self.dirs, dir);
        let mut d = dir;
        while !self.durable_after.iter().any(|known| known == d)
            && !durable.lock().expect("lock").contains(d)
        {
            let Some(parent) = d.parent() else { break };
            push_new(&mut self.dirs, parent);
            self.durable_after.push(d.to_path_buf());
            if d == root {
                break;
            }
            d = parent;
        }
    }

    /// Flushes the directories, all at once (none of their flushes needs another first), and
    /// remembers what became durable.
    pub(super) fn run(self, ops: &Ops, durable: &Mutex<HashSet<PathBuf>>) -> io::Result<()> {
        match self.dirs.as_slice() {
            [] => {}
            [dir] => (ops.sync_dir)(dir)?,
            [first, others @ ..] => std::thread::scope(|scope| {
                let others: Vec<_> = others
                    .iter()
                    .map(|dir| scope.spawn(move || (ops.sync_dir)(dir)))
                    .collect();
                let mut result = (ops.sync_dir)(first);
                for other in others {
                    let flushed = other
                        .join()
                        .unwrap_or_else(|_| Err(io::Error::other("flushing thread panicked")));
                    result = result.and(flushed);
                }
                result
            })?,
        }
        let mut known = durable.lock().expect("lock");
        if known.len() + self.durable_after.len() > DURABLE_REMEMBERED {
            known.clear();
        }
        known.extend(self.durable_after);
        Ok(())
    }
}

pub(super) fn push_new(dirs: &mut Vec<PathBuf>, dir: &Path) {
    if !dirs.iter().any(|d| d == dir) {
        dirs.push(dir.to_path_buf());
    }
}

/// Removes staged files older than [`STAGED_MAX_AGE`] at `now`: those a crashed process left.
/// Never fails a write; what it cannot remove is only logged (and never read as an object).
pub(super) fn sweep_staging(root: &Path, now: SystemTime) {
    let Ok(entries) = fs::read_dir(root.join(STAGING)) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STAGED_MAX_AGE));
        let staged = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.ends_with(".tmp"));
        if stale
            && staged
            && let Err(e) = fs::remove_file(entry.path())
        {
            tracing::warn!(error = %e, file = %entry.path().display(), "stale staged file not removed");
        }
    }
}

/// Creates `dir` and missing ancestors below `root` (flushed by the caller).
pub(super) fn create_dirs(root: &Path, dir: &Path) -> io::Result<()> {
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
pub(super) fn new_file(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Citizens' data: readable by the service's user only. `create_new` is O_EXCL.
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
pub(super) fn new_file(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
pub(super) fn new_dir(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().mode(0o700).create(path)
}

#[cfg(not(unix))]
pub(super) fn new_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new().create(path)
}

pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
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
