//! A JSON map by municipality id whose values wait on disk, not in memory, until the map is
//! written: a build makes one value per municipality (its site's part of the function's theme,
//! its entry in the build state) long before the file that holds them all can be written,
//! and a country's worth of them would grow the build's memory with every municipality.
//! And a [`Sequence`] of values that wait on disk in the order they came (the checked
//! municipalities until they are built, the registry's entries until it is written).
//!
//! Each value is serialized (compact, as `serde_json::to_writer` writes it) into an unnamed
//! temporary file as it is made; only its key and where its bytes are stay in memory. The map
//! is written in key order, as a `BTreeMap<String, _>` of the values would be, so the bytes of
//! the file it ends up in are the same as when the values were held.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::ser::{Error as _, SerializeMap};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// Values by key, their bytes in a temporary file. Shared between the build's threads.
pub struct Spill {
    /// The file (gone from its folder once made: nothing is left behind) and the values'
    /// bytes, appended in the order they came; and how many bytes it has.
    file: Mutex<(io::BufWriter<File>, u64)>,
    /// Where each key's value is in the file: offset and length.
    index: Mutex<BTreeMap<String, (u64, usize)>>,
}

impl Spill {
    /// A spill whose temporary file is in `dir` (created if need be): the output folder, so
    /// it is on the disk the build writes to anyway.
    pub fn new(dir: &Path) -> io::Result<Spill> {
        std::fs::create_dir_all(dir)?;
        Ok(Spill {
            file: Mutex::new((io::BufWriter::new(tempfile::tempfile_in(dir)?), 0)),
            index: Mutex::new(BTreeMap::new()),
        })
    }

    /// Serializes `value` as the value of `key` (the last one put for a key wins).
    pub fn put(&self, key: &str, value: &impl Serialize) -> io::Result<()> {
        let bytes = serde_json::to_vec(value).map_err(io::Error::other)?;
        let offset = {
            let mut file = self.file.lock().expect("spill lock");
            let offset = file.1;
            file.0.write_all(&bytes)?;
            file.1 += bytes.len() as u64;
            offset
        };
        self.index
            .lock()
            .expect("spill lock")
            .insert(key.to_string(), (offset, bytes.len()));
        Ok(())
    }

    /// The map of every value put, in key order, to serialize as part of a larger value.
    pub fn map(&self) -> io::Result<SpilledMap<'_>> {
        let mut file = self.file.lock().expect("spill lock");
        file.0.flush()?;
        Ok(SpilledMap {
            file: file.0.get_ref().try_clone()?,
            index: self.index.lock().expect("spill lock"),
        })
    }
}

/// A [`Spill`]'s values read back one at a time while they are serialized: as a JSON object
/// of the keys in order, each value's bytes as they were written.
pub struct SpilledMap<'a> {
    file: File,
    index: std::sync::MutexGuard<'a, BTreeMap<String, (u64, usize)>>,
}

impl Serialize for SpilledMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.index.len()))?;
        for (key, &(offset, len)) in self.index.iter() {
            let mut bytes = vec![0; len];
            self.file
                .read_exact_at(&mut bytes, offset)
                .map_err(S::Error::custom)?;
            let text = String::from_utf8(bytes).map_err(S::Error::custom)?;
            let raw = RawValue::from_string(text).map_err(S::Error::custom)?;
            map.serialize_entry(key, &raw)?;
        }
        map.end()
    }
}

/// Values in the order they came, each serialized (compact JSON, one line: `serde_json`
/// writes no raw line break) into an unnamed temporary file as it comes; nothing of them
/// stays in memory. Read back in that order, as often as asked.
pub struct Sequence {
    file: io::BufWriter<File>,
    len: usize,
}

impl Sequence {
    /// A sequence whose temporary file is in `dir`, which must exist.
    pub fn new(dir: &Path) -> io::Result<Sequence> {
        Ok(Sequence {
            file: io::BufWriter::new(tempfile::tempfile_in(dir)?),
            len: 0,
        })
    }

    /// Appends `value`.
    pub fn push(&mut self, value: &impl Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.file, value).map_err(io::Error::other)?;
        self.push_line(b"")
    }

    /// Appends a value already serialized (compact JSON, without a line break).
    pub fn push_line(&mut self, json: &[u8]) -> io::Result<()> {
        self.file.write_all(json)?;
        self.file.write_all(b"\n")?;
        self.len += 1;
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes out what is still buffered: the values pushed so far can be read ([`Sequence::lines`]).
    pub fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }

    /// The values' lines from the first on (each without its line break), once the sequence
    /// is flushed ([`Sequence::flush`]); readers of a flushed sequence do not stand in each
    /// other's way (the function's files are written from the same sequences side by side).
    /// Values pushed while the lines are read are not among them.
    pub fn lines(&self) -> io::Result<impl Iterator<Item = io::Result<String>> + use<>> {
        if !self.file.buffer().is_empty() {
            return Err(io::Error::other("a sequence read before it was flushed"));
        }
        // Positioned reads into a buffer of its own: a reader that no other reader or writer
        // of the file moves.
        let mut reader = io::BufReader::with_capacity(
            64 * 1024,
            PositionedReader {
                file: self.file.get_ref().try_clone()?,
                offset: 0,
            },
        );
        Ok((0..self.len).map(move |_| {
            let mut line = Vec::new();
            reader.read_until(b'\n', &mut line)?;
            if line.pop() != Some(b'\n') {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
            }
            String::from_utf8(line).map_err(io::Error::other)
        }))
    }

    /// The values, deserialized one at a time.
    pub fn values<T: DeserializeOwned>(
        &self,
    ) -> io::Result<impl Iterator<Item = io::Result<T>> + use<T>> {
        Ok(self.lines()?.map(|line| {
            let line = line?;
            serde_json::from_str(&line).map_err(io::Error::other)
        }))
    }
}

/// A file read from its start with positioned reads.
struct PositionedReader {
    file: File,
    offset: u64,
}

impl io::Read for PositionedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spilled_map_is_written_as_the_map_of_its_values() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new(dir.path()).unwrap();
        let mut held = BTreeMap::new();
        for (key, value) in [
            ("b", "zwei \"2\""),
            ("a", "eins"),
            ("ä", "drei"),
            ("b", "2"),
        ] {
            let value = serde_json::json!({ "v": value, "n": [1, 2] });
            spill.put(key, &value).unwrap();
            held.insert(key.to_string(), value);
        }
        let spilled = serde_json::to_string(&spill.map().unwrap()).unwrap();
        assert_eq!(spilled, serde_json::to_string(&held).unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_sequence_reads_back_its_values_in_order_as_often_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let mut seq = Sequence::new(dir.path()).unwrap();
        let long = "x\n".repeat(10_000);
        let values = vec![
            serde_json::json!({ "a": 1 }),
            serde_json::json!(long),
            serde_json::json!([]),
        ];
        for v in &values {
            seq.push(v).unwrap();
        }
        seq.flush().unwrap();
        for _ in 0..2 {
            let back: Vec<serde_json::Value> = seq.values().unwrap().map(Result::unwrap).collect();
            assert_eq!(back, values);
        }
        seq.push(&serde_json::json!("later")).unwrap();
        assert_eq!(seq.len(), 4);
        assert!(seq.lines().is_err(), "read before it was flushed");
        seq.flush().unwrap();
        assert_eq!(seq.lines().unwrap().last().unwrap().unwrap(), "\"later\"");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
