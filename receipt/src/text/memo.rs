//! Bounded, process-wide memos of text setting. A receipt sets the same texts as the receipts
//! before it — the form's labels and hints, the receipt's own words, "Ja", "Nein", street
//! names — and setting a text (bidi, line breaking, shaping) was most of a receipt's
//! instructions. Setting is a pure function of the text, the style and the width, so a
//! remembered result is exactly what setting again would give: the PDF bytes do not depend on
//! what a process rendered before.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Values by key, at most `budget` cost units (bytes of the texts set) in all. Two
/// generations: entries go into the current one; a hit in the older one moves the entry into
/// the current one; when the current one holds half the budget it becomes the older one and
/// the older one is dropped. What keeps being used (a form's labels) stays; what one receipt
/// brought (a citizen's answer, a reference) goes after a while.
pub(super) struct Memo<K, V> {
    budget: usize,
    used: usize,
    current: HashMap<K, (V, usize)>,
    previous: HashMap<K, (V, usize)>,
}

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    pub(super) fn new(budget: usize) -> Self {
        Memo {
            budget,
            used: 0,
            current: HashMap::new(),
            previous: HashMap::new(),
        }
    }

    pub(super) fn get(&mut self, key: &K) -> Option<V> {
        if let Some((value, _)) = self.current.get(key) {
            return Some(value.clone());
        }
        let (key, (value, cost)) = self.previous.remove_entry(key)?;
        self.insert(key, value.clone(), cost);
        Some(value)
    }

    /// Remembers `value`; `cost` is what it counts against the budget.
    pub(super) fn insert(&mut self, key: K, value: V, cost: usize) {
        let half = self.budget / 2;
        if cost > half {
            return;
        }
        if self.used + cost > half {
            self.previous = std::mem::take(&mut self.current);
            self.used = 0;
        }
        self.used += cost;
        self.current.insert(key, (value, cost));
    }
}

/// The memo behind `mutex`; a panic while another thread held it leaves no half-written entry
/// (entries are inserted whole), so a poisoned memo is still sound.
pub(super) fn lock<K, V>(mutex: &Mutex<Memo<K, V>>) -> MutexGuard<'_, Memo<K, V>> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_in_use_stay_and_the_oldest_go_when_the_budget_is_spent() {
        let mut memo: Memo<&str, u32> = Memo::new(8);
        memo.insert("a", 1, 2);
        memo.insert("b", 2, 2);
        // The current generation is full (4 of 8): "c" starts a new one, "a" and "b" are older.
        memo.insert("c", 3, 2);
        assert_eq!(memo.get(&"a"), Some(1));
        memo.insert("d", 4, 2);
        // The current generation ("c", "a") is full: "d" starts a new one, "b" is dropped.
        memo.insert("e", 5, 2);
        assert_eq!(memo.get(&"b"), None);
        assert_eq!(memo.get(&"a"), Some(1));
        assert_eq!(memo.get(&"d"), Some(4));
        assert_eq!(memo.get(&"c"), None);
        // More than half the budget is never kept.
        memo.insert("f", 6, 5);
        assert_eq!(memo.get(&"f"), None);
    }
}
