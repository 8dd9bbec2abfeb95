//! A JSON map by municipality id whose values wait on disk, not in memory, until the map is
//! written: a build makes one value per municipality (its site's part of the function's theme,
//! its entry in the build state) long before the file that holds them all can be written,
//! and a country's worth of them would grow the build's memory with every municipality.
//!
//! Each value is serialized (compact, as `serde_json::to_writer` writes it) into an unnamed
//! temporary file as it is made; only its key and where its bytes are stay in memory. The map
//! is written in key order, as a `BTreeMap<String, _>` of the values would be, so the bytes of
//! the file it ends up in are the same as when the values were held.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Mutex;

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
}
