//! Writing output files so that a file whose content did not change is not touched (its
//! modification time stays, so web servers' caches and a deploy's diff stay quiet).

use std::fs;
use std::io::{self, BufRead, Read, Write};
use std::path::Path;

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
    fs::write(path, bytes).map_err(|e| file_error(path, e))?;
    Ok(true)
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
