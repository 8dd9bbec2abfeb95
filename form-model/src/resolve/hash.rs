//! A resolved form's content hash, computed when it is first asked for: the build, the registry
//! and the function ask for every one; `formfabrik check` prints none and never does (hashing a
//! country's forms was a tenth of its work).

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// The sha256 (hex) of a resolved form's canonical JSON `[municipality,languages,form,service]`:
/// as read from a file, or computed on first use from that JSON, which is kept until then (the
/// form's part shared with every municipality that publishes the same form). It reads as the
/// `String` it was before: a `&str` (deref), compared with strings, shown and serialized as one.
pub struct ContentHash {
    hex: OnceLock<String>,
    /// What is hashed, until it is.
    input: Mutex<Option<Arc<Input>>>,
}

/// The canonical JSON of a resolved form in three parts: before the form's, the form's, after.
struct Input {
    head: Vec<u8>,
    form: Arc<Vec<u8>>,
    tail: Vec<u8>,
}

impl ContentHash {
    /// The hash of `head`, `form` and `tail` one after the other, computed when first asked for.
    pub(super) fn of(head: Vec<u8>, form: Arc<Vec<u8>>, tail: Vec<u8>) -> ContentHash {
        ContentHash {
            hex: OnceLock::new(),
            input: Mutex::new(Some(Arc::new(Input { head, form, tail }))),
        }
    }

    /// The hex digits.
    pub fn as_str(&self) -> &str {
        self.hex.get_or_init(|| {
            let input = self
                .input
                .lock()
                .expect("content hash lock")
                .take()
                .expect("a content hash is either known or has its input");
            let mut h = Sha256::new();
            h.update(&input.head);
            h.update(&**input.form);
            h.update(&input.tail);
            hex::encode(h.finalize())
        })
    }
}

impl From<String> for ContentHash {
    fn from(hex: String) -> ContentHash {
        ContentHash {
            hex: OnceLock::from(hex),
            input: Mutex::new(None),
        }
    }
}

impl Clone for ContentHash {
    fn clone(&self) -> ContentHash {
        match self.hex.get() {
            Some(hex) => ContentHash::from(hex.clone()),
            None => ContentHash {
                hex: OnceLock::new(),
                input: Mutex::new(self.input.lock().expect("content hash lock").clone()),
            },
        }
    }
}

impl std::ops::Deref for ContentHash {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for ContentHash {
    fn eq(&self, other: &ContentHash) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ContentHash {}

impl PartialEq<String> for ContentHash {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<ContentHash> for String {
    fn eq(&self, other: &ContentHash) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<str> for ContentHash {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ContentHash {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for ContentHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ContentHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ContentHash, D::Error> {
        String::deserialize(d).map(ContentHash::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_computed_on_first_use_is_the_sha256_of_its_three_parts_in_order() {
        let lazy = ContentHash::of(
            b"[1,".to_vec(),
            Arc::new(b"{\"a\":2}".to_vec()),
            b"]".to_vec(),
        );
        // A copy made before the hash is asked for computes the same one.
        let copy = lazy.clone();
        let expected = hex::encode(Sha256::digest(b"[1,{\"a\":2}]"));
        assert_eq!(lazy, expected);
        assert_eq!(copy.as_str(), expected);
        assert_eq!(lazy.clone(), copy);
    }

    #[test]
    fn a_hash_reads_and_writes_as_a_json_string() {
        let known = ContentHash::from("ab".repeat(32));
        let json = serde_json::to_string(&known).unwrap();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        let back: ContentHash = serde_json::from_str(&json).unwrap();
        assert_eq!(back, known);
        assert_eq!(
            format!("{back} {back:?}"),
            format!("{0} \"{0}\"", "ab".repeat(32))
        );
    }
}
