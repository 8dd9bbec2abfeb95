//! Writing output files so that a file whose content did not change is not touched (its
//! modification time stays, so web servers' caches and a deploy's diff stay quiet).
//!
//! A file named by its content (a site's `assets/`: `site.3f2a9c1b7e.js`) is the same file in
//! thousands of sites; the build writes each once and makes the others hard links to it
//! ([`Copies`]). So no file is ever written into in place: one that must change is removed
//! and written anew, which leaves the other names of its old content as they were.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs;
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{BuildError, file_error};

/// Writes `bytes` unless the file already holds exactly them. Returns whether it wrote.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool, BuildError> {
    if let Ok(existing) = fs::read(path)
        && existing == bytes
    {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| file_error(parent, e))?;
    }
    // Not into the old file: it may be a hard link of another site's (see the module's comment).
    if let Err(e) = fs::remove_file(path)
        && e.kind() != io::ErrorKind::NotFound
    {
        return Err(file_error(path, e));
    }
    fs::write(path, bytes).map_err(|e| file_error(path, e))?;
    Ok(true)
}

/// The files named by their content that this build has written, by name, with their metadata
/// as written: a site that needs one again gets a hard link to it (a `link` instead of making
/// and filling a file; a country's sites load a handful of distinct scripts from 60,000 paths).
#[derive(Default)]
pub struct Copies(Mutex<HashMap<OsString, (PathBuf, fs::Metadata)>>);

/// Writes one municipality's files like [`write_if_changed`], with fewer system calls: a
/// folder it made itself in this build holds nothing it did not write, so a file there is
/// written without looking for an old one first, and each folder is made once (in a cold
/// build, reading before writing and making every file's folders again were more than half
/// of the build's system calls). Tells each file's size and modification time as it leaves
/// it, for the build state.
#[derive(Default)]
pub struct Writer {
    /// The folders this writer made.
    made: HashSet<PathBuf>,
}

impl Writer {
    /// Writes `bytes` unless the file already holds exactly them. Returns whether it wrote,
    /// and the file's metadata as it is now.
    pub fn write(&mut self, path: &Path, bytes: &[u8]) -> Result<(bool, fs::Metadata), BuildError> {
        if let Some(meta) = self.prepare(path, bytes)? {
            return Ok((false, meta));
        }
        self.create(path, bytes)
    }

    /// [`Writer::write`] for a file whose name says its content (`copies` are the ones this
    /// build wrote): a hard link to the copy written before, if there is one.
    pub fn write_named(
        &mut self,
        path: &Path,
        bytes: &[u8],
        copies: &Copies,
    ) -> Result<(bool, fs::Metadata), BuildError> {
        if let Some(meta) = self.prepare(path, bytes)? {
            return Ok((false, meta));
        }
        let name = path.file_name().unwrap_or_default();
        let copy = copies.0.lock().expect("copies lock").get(name).cloned();
        // The copy's metadata is the link's: one file. A link that fails (a file system without
        // them, or the copy's links at their limit) is a new copy, which later links name.
        if let Some((source, meta)) = copy {
            let mut linked = fs::hard_link(&source, path);
            if matches!(&linked, Err(e) if e.kind() == io::ErrorKind::NotFound) {
                let parent = path.parent().unwrap_or(Path::new(""));
                self.make_dirs(parent).map_err(|e| file_error(parent, e))?;
                linked = fs::hard_link(&source, path);
            }
            if linked.is_ok() {
                return Ok((true, meta));
            }
        }
        let (wrote, meta) = self.create(path, bytes)?;
        copies
            .0
            .lock()
            .expect("copies lock")
            .insert(name.to_os_string(), (path.to_path_buf(), meta.clone()));
        Ok((wrote, meta))
    }

    /// Makes `path`'s folder if it is new in this build; the metadata of `path` if it already
    /// holds exactly `bytes`. When it holds something else, it is removed, to be made anew: it
    /// may be a hard link (see the module's comment).
    fn prepare(&mut self, path: &Path, bytes: &[u8]) -> Result<Option<fs::Metadata>, BuildError> {
        let parent = path.parent().unwrap_or(Path::new(""));
        // Below a folder made in this build: a new file in a folder made now, or to be made.
        let fresh = parent.ancestors().any(|dir| self.made.contains(dir));
        if fresh && !self.made.contains(parent) {
            self.make_dirs(parent).map_err(|e| file_error(parent, e))?;
        }
        if fresh {
            return Ok(None);
        }
        let Ok(mut old) = fs::File::open(path) else {
            return Ok(None);
        };
        if let Ok(meta) = old.metadata()
            && meta.len() == bytes.len() as u64
        {
            let mut existing = Vec::with_capacity(bytes.len());
            if old.read_to_end(&mut existing).is_ok() && existing == bytes {
                return Ok(Some(meta));
            }
        }
        drop(old);
        fs::remove_file(path).map_err(|e| file_error(path, e))?;
        Ok(None)
    }

    /// Makes the new file `path` with `bytes` (and its folders if they are missing).
    fn create(&mut self, path: &Path, bytes: &[u8]) -> Result<(bool, fs::Metadata), BuildError> {
        let parent = path.parent().unwrap_or(Path::new(""));
        let mut file = match fs::File::create(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.make_dirs(parent).map_err(|e| file_error(parent, e))?;
                fs::File::create(path)
            }
            other => other,
        }
        .map_err(|e| file_error(path, e))?;
        file.write_all(bytes).map_err(|e| file_error(path, e))?;
        let meta = file.metadata().map_err(|e| file_error(path, e))?;
        Ok((true, meta))
    }

    /// Makes `dir` and the folders above it that are missing, remembering which it made.
    fn make_dirs(&mut self, dir: &Path) -> io::Result<()> {
        match fs::create_dir(dir) {
            Ok(()) => {}
            // Made before, or by another municipality's writer (`site/`): it may hold files.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(parent) = dir.parent() {
                    self.make_dirs(parent)?;
                }
                match fs::create_dir(dir) {
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
                    other => other?,
                }
            }
            Err(e) => return Err(e),
        }
        self.made.insert(dir.to_path_buf());
        Ok(())
    }
}

/// [`write_if_changed`] for bytes that `write` writes into a stream: they go to a temporary
/// file next to `path`, compared on the way with what `path` holds, so neither is held in
/// memory. The temporary file replaces `path` if they differ, and is removed if not.
pub fn stream_if_changed(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> Result<bool, BuildError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| file_error(parent, e))?;
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    let out = fs::File::create(&tmp).map_err(|e| file_error(&tmp, e))?;
    let existing = fs::File::open(path).ok().map(io::BufReader::new);
    let mut compare = Compare {
        same: existing.is_some(),
        existing,
        out: io::BufWriter::new(out),
        scratch: Vec::new(),
    };
    let written = write(&mut compare).and_then(|()| compare.out.flush());
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(file_error(path, e));
    }
    // The same only if the old file has nothing more either.
    let same = compare.same
        && compare
            .existing
            .as_mut()
            .is_some_and(|r| r.fill_buf().is_ok_and(|rest| rest.is_empty()));
    drop(compare);
    if same {
        fs::remove_file(&tmp).map_err(|e| file_error(&tmp, e))?;
        Ok(false)
    } else {
        fs::rename(&tmp, path).map_err(|e| file_error(path, e))?;
        Ok(true)
    }
}

/// Writes into a file while comparing with an existing file's bytes.
struct Compare {
    out: io::BufWriter<fs::File>,
    existing: Option<io::BufReader<fs::File>>,
    /// Whether everything written so far is what the existing file holds.
    same: bool,
    scratch: Vec<u8>,
}

impl Write for Compare {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write_all(buf)?;
        if self.same
            && let Some(existing) = &mut self.existing
        {
            self.scratch.resize(buf.len(), 0);
            self.same = existing.read_exact(&mut self.scratch).is_ok() && self.scratch == buf;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    #[test]
    fn a_file_named_by_its_content_is_written_once_and_linked_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let copies = Copies::default();
        let (a, b) = (
            dir.path().join("a/site.1.js"),
            dir.path().join("b/site.1.js"),
        );
        let (wrote_a, meta_a) = Writer::default().write_named(&a, b"x", &copies).unwrap();
        let (wrote_b, meta_b) = Writer::default().write_named(&b, b"x", &copies).unwrap();
        assert!(wrote_a && wrote_b);
        assert_eq!(
            fs::metadata(&a).unwrap().ino(),
            fs::metadata(&b).unwrap().ino()
        );
        assert_eq!(meta_b.modified().unwrap(), meta_a.modified().unwrap());
        assert_eq!(fs::read(&b).unwrap(), b"x");
    }

    #[test]
    fn a_file_that_changes_is_made_anew_and_its_other_names_keep_the_old_content() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::write(&a, b"old").unwrap();
        fs::hard_link(&a, &b).unwrap();
        let (wrote, _) = Writer::default().write(&b, b"new!").unwrap();
        assert!(wrote);
        assert_eq!(fs::read(&b).unwrap(), b"new!");
        assert_eq!(fs::read(&a).unwrap(), b"old");
        fs::hard_link(&a, dir.path().join("c")).unwrap();
        assert!(write_if_changed(&a, b"newer").unwrap());
        assert_eq!(fs::read(dir.path().join("c")).unwrap(), b"old");
        // The same bytes: not written, not made anew.
        let ino = fs::metadata(&a).unwrap().ino();
        let (wrote, _) = Writer::default().write(&a, b"newer").unwrap();
        assert!(!wrote);
        assert_eq!(fs::metadata(&a).unwrap().ino(), ino);
    }
}
