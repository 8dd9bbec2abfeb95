//! The caches of what is made once per shared form (its page body, its JSON, its importer
//! contract, its text in the registry): maps that keep at most a fixed number of entries and
//! let go of the one used least recently, the `lru` crate's. A country's build meets a few
//! hundred distinct forms, more with every municipality that changes one; the forms a chunk of
//! municipalities publishes are few, and the ones most of them publish are used all the time,
//! so a small cache keeps nearly every hit while its memory no longer grows with the country.
//! What is let go of is made again when asked for, the same.

use std::hash::Hash;
use std::num::NonZeroUsize;

/// At most a fixed number of values by key; a lookup marks its entry as used.
pub type Bounded<K, V> = lru::LruCache<K, V>;

/// An empty map that keeps at most `max` entries (at least one).
pub fn bounded<K: Hash + Eq, V>(max: usize) -> Bounded<K, V> {
    lru::LruCache::new(NonZeroUsize::new(max).unwrap_or(NonZeroUsize::MIN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_at_most_its_number_letting_go_of_the_least_recently_used() {
        let mut map = bounded(2);
        assert_eq!(*map.get_or_insert("a", || 1), 1);
        assert_eq!(*map.get_or_insert("b", || 2), 2);
        assert_eq!(map.get(&"a"), Some(&1));
        // "b" was used least recently.
        assert_eq!(*map.get_or_insert("c", || 3), 3);
        assert_eq!(map.len(), 2);
        assert_eq!(map.get(&"b"), None);
        assert_eq!(map.get(&"a"), Some(&1));
        // A key kept keeps its value.
        assert_eq!(*map.get_or_insert("a", || 9), 1);
        assert_eq!(map.len(), 2);
    }
}
