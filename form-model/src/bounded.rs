//! A map that keeps at most a fixed number of entries, letting go of the one used least
//! recently when a new one would make one too many: the caches of what is made once per
//! shared form (its page body, its JSON, its importer contract, its text in the registry).
//! A country's build meets a few hundred distinct forms, more with every municipality that
//! changes one; the forms a chunk of municipalities publishes are few, and the ones most of
//! them publish are used all the time, so a small cache keeps nearly every hit while its
//! memory no longer grows with the country. What is let go of is made again when asked for,
//! the same.

use std::collections::HashMap;
use std::hash::Hash;

/// At most `max` values by key; a lookup marks its entry as used.
#[derive(Debug)]
pub struct Bounded<K, V> {
    entries: HashMap<K, (V, u64)>,
    /// Counts uses: an entry's number is when it was used last.
    clock: u64,
    max: usize,
}

impl<K: Hash + Eq, V> Bounded<K, V> {
    /// An empty map that keeps at most `max` entries (at least one).
    pub fn new(max: usize) -> Bounded<K, V> {
        Bounded {
            entries: HashMap::new(),
            clock: 0,
            max: max.max(1),
        }
    }

    /// The value of `key`, marked as used.
    pub fn get(&mut self, key: &K) -> Option<&V> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(key).map(|(value, used)| {
            *used = clock;
            &*value
        })
    }

    /// The value of `key`: the one kept, or else `value`, kept from now on; when that makes
    /// one entry too many, the one used least recently is let go of first.
    pub fn get_or_insert(&mut self, key: K, value: V) -> &V {
        self.clock += 1;
        let clock = self.clock;
        if !self.entries.contains_key(&key) && self.entries.len() >= self.max {
            self.evict_oldest();
        }
        let entry = self.entries.entry(key).or_insert((value, clock));
        entry.1 = clock;
        &entry.0
    }

    /// Lets go of the entry used least recently (a scan: the maps are small, and new entries
    /// rare next to lookups).
    fn evict_oldest(&mut self) {
        let oldest = self.entries.values().map(|(_, used)| *used).min();
        // Every use has a clock of its own: the entry is found again by it.
        if let Some(at) = oldest {
            self.entries.retain(|_, (_, used)| *used != at);
        }
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_at_most_its_number_letting_go_of_the_least_recently_used() {
        let mut map = Bounded::new(2);
        assert_eq!(*map.get_or_insert("a", 1), 1);
        assert_eq!(*map.get_or_insert("b", 2), 2);
        assert_eq!(map.get(&"a"), Some(&1));
        // "b" was used least recently.
        assert_eq!(*map.get_or_insert("c", 3), 3);
        assert_eq!(map.len(), 2);
        assert_eq!(map.get(&"b"), None);
        assert_eq!(map.get(&"a"), Some(&1));
        // A key kept keeps its value.
        assert_eq!(*map.get_or_insert("a", 9), 1);
        assert_eq!(map.len(), 2);
    }
}
