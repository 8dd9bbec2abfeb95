//! How the folder store writes (see [`super`]): a staged file, flushed; its link to the
//! object's name; the flushes of the folders that name needs, at once; and the sweep of
//! staged files a crash left. Free functions over the root, so that tests can replace the
//! file-system calls ([`Ops`]).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::group::Group;
use super::known::KnownDurable;
use crate::{PutOutcome, StagedFile};

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

/// Writes each of `objects` to a new file in the staging folder, then flushes them together
/// ([`Ops::sync_files`]): one thread, one wait for the disk.
pub(super) fn stage(
    root: &Path,
    objects: &[&[u8]],
    ops: &Ops,
    known: &KnownDurable,
) -> io::Result<Vec<StagedFile>> {
    let dir = root.join(STAGING);
    create_dirs(root, &dir, ops, known)?;
    let mut written = Vec::with_capacity(objects.len());
    for bytes in objects {
        let path = dir.join(format!("{}.tmp", uuid::Uuid::new_v4().simple()));
        let mut file = new_file(&path)?;
        // From here on a failure removes the file again.
        let staged = StagedFile::new(path);
        file.write_all(bytes)?;
        written.push((file, staged));
    }
    let files: Vec<_> = written.iter().map(|(f, s)| (f, s.path())).collect();
    (ops.sync_files)(&files)?;
    Ok(written.into_iter().map(|(_, staged)| staged).collect())
}

/// The file-system calls whose order and failures matter to durability, replaceable in tests.
#[derive(Debug)]
pub(super) struct Ops {
    /// Flushes open files (a request's staged objects, or an existing object) and returns once
    /// all of them are durable.
    pub(super) sync_files: fn(&[(&File, &Path)]) -> io::Result<()>,
    pub(super) sync_dir: fn(&Path) -> io::Result<()>,
    pub(super) link: fn(&Path, &Path) -> io::Result<()>,
    pub(super) remove_file: fn(&Path) -> io::Result<()>,
    /// Makes one folder (`mkdir`, failing when it exists or its parent does not).
    pub(super) mkdir: fn(&Path) -> io::Result<()>,
}

pub(super) const SYSTEM: Ops = Ops {
    sync_files,
    sync_dir,
    link: |from, to| fs::hard_link(from, to),
    remove_file: |p| fs::remove_file(p),
    mkdir: new_dir,
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
    known: &KnownDurable,
) -> io::Result<PutOutcome> {
    let dir = parent(path);
    // A folder known durable exists unless a clean-up removed it, which the link tells: no
    // `mkdir` of it (the claims folder, every request), then. Not only one call fewer: a `mkdir`
    // under way makes the folder look changing to other requests (see `super::known`), which
    // then flush its parent too. Whether the link found the folder made again is decided
    // after it, by `Flushes::add`.
    let mut make = !known.is_durable(dir);
    let mut tries = 1;
    let linked = loop {
        if make {
            create_dirs(root, dir, ops, known)?;
        }
        match (ops.link)(file.path(), path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && !make => make = true,
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
    (ops.sync_files)(&[(&File::open(path)?, path)])
}

/// Makes the files' bytes durable with `fdatasync`, one after another on this thread, having
/// started the write-back of all of them first.
///
/// `fdatasync` is enough: it flushes the data and the metadata needed to read it back — a new
/// file's size and blocks (fdatasync(2): "a change to the file size ... would require a
/// metadata flush") — and skips only times. (`sync_file_range` alone would not be: it neither
/// writes that metadata nor flushes the disk's cache; here it only starts the write-back.)
/// Started together, every file's blocks are allocated before the first `fdatasync` waits, so
/// on a journaling file system (ext4, xfs) that first one's commit carries all of them and the
/// others find nothing left to wait for: one wait for the disk, as if flushed at once on as many
/// threads, without handing work to other threads.
pub(super) fn sync_files(files: &[(&File, &Path)]) -> io::Result<()> {
    if files.len() > 1 {
        for (file, _) in files {
            start_write_back(file);
        }
    }
    for (file, _) in files {
        file.sync_data()?;
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn start_write_back(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain system call on an open descriptor; no memory is passed.
    let started =
        unsafe { libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
    // Only a head start: the fdatasync that follows writes whatever this did not.
    let _ = started;
}

#[cfg(not(target_os = "linux"))]
fn start_write_back(_: &File) {}

/// The directories that new names need flushed before they are acknowledged: each object's
/// folder, and each folder's parent up to the root's unless the folder is known durable (a
/// folder this process made or removed lately is not: see [`super::known`]).
#[derive(Default)]
pub(super) struct Flushes {
    dirs: Vec<PathBuf>,
    /// Folders whose entry in their parent is durable once `dirs` are flushed.
    durable_after: Vec<PathBuf>,
}

impl Flushes {
    pub(super) fn add(&mut self, root: &Path, dir: &Path, known: &KnownDurable) {
        push_new(&mut self.dirs, dir);
        let mut d = dir;
        while !self.durable_after.iter().any(|after| after == d) && !known.is_durable(d) {
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
    /// remembers what became durable — unless it changed since the flushes started. Folders
    /// known durable are older than this request and shared with others (the claims folder, the
    /// day folder): their flushers do them, each flush for every request waiting (see
    /// [`super::group`]); this thread meanwhile flushes the new ones (the request's submission
    /// folder, a day folder made again).
    pub(super) fn run(
        self,
        ops: &'static Ops,
        known: &KnownDurable,
        group: &Arc<Group>,
    ) -> io::Result<()> {
        // Before any flush starts: a folder made after this may be missed by them.
        let since = known.now();
        let (shared, own): (Vec<&PathBuf>, Vec<&PathBuf>) =
            self.dirs.iter().partition(|d| known.is_durable(d));
        let tickets = shared
            .iter()
            .map(|dir| group.ask(dir, ops.sync_dir))
            .collect::<io::Result<Vec<_>>>()?;
        let mut result = flush_here(&own, ops);
        for ticket in tickets {
            result = result.and(Group::wait(ticket));
        }
        result?;
        known.learn(since, self.durable_after);
        Ok(())
    }
}

/// Flushes `dirs` at once on this thread and, beyond the first, threads of their own: more than
/// one only where a request made several folders (the first submission of a form on a day).
fn flush_here(dirs: &[&PathBuf], ops: &Ops) -> io::Result<()> {
    match dirs {
        [] => Ok(()),
        [dir] => (ops.sync_dir)(dir),
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
        }),
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

/// Creates `dir` and missing ancestors below `root` (flushed by the caller). Tries `dir`
/// first: one call when it exists (the staging folder) or only it is missing (a new
/// submission's folder). Each `mkdir` is recorded in `known`: a folder made again (a day folder
/// a clean-up removed) is no longer known durable.
pub(super) fn create_dirs(
    root: &Path,
    dir: &Path,
    ops: &Ops,
    known: &KnownDurable,
) -> io::Result<()> {
    let new_dir = |d: &Path| known.change(d, ops.mkdir);
    let mut missing = Vec::new();
    let mut d = dir;
    loop {
        match new_dir(d) {
            Ok(()) => break,
            // Exists (made by another writer in the meantime, or long ago).
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => break,
            Err(e) if e.kind() == io::ErrorKind::NotFound && d != root => {
                missing.push(d);
                d = d.parent().ok_or_else(|| io::Error::other("no parent"))?;
            }
            Err(e) => return Err(e),
        }
    }
    for d in missing.into_iter().rev() {
        match new_dir(d) {
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
