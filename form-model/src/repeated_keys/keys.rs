//! The hashes of a mapping's keys, compared to notice a key written twice.

/// FNV-1a: keys are short, and a collision only costs the exact look.
pub(super) fn hash(kind: u8, bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(kind);
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The hashes of one mapping's keys: a short list (most mappings have a few keys, and a set
/// for each would cost more than the look), a set once the list is long, so that a file with
/// a mapping of many keys is not read in quadratic time.
#[derive(Default)]
pub(super) struct KeySet {
    few: Vec<u64>,
    many: Option<std::collections::HashSet<u64>>,
}

impl KeySet {
    /// The longest list searched one by one.
    const FEW: usize = 32;

    /// Adds `hash`; false when it was there already.
    pub(super) fn insert(&mut self, hash: u64) -> bool {
        if let Some(many) = &mut self.many {
            return many.insert(hash);
        }
        if self.few.contains(&hash) {
            return false;
        }
        self.few.push(hash);
        if self.few.len() > Self::FEW {
            self.many = Some(self.few.drain(..).collect());
        }
        true
    }
}
