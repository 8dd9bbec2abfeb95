//! Positions noted during the one parse. The drift report shows the `file:line:column` of
//! every `use:` a municipality pins below the newest catalog version (in a synthetic Germany,
//! nine of ten municipalities); finding it with the position index would parse the file a
//! second time. serde_yaml hands a scalar over as a slice of the text where it can (plain and
//! quoted scalars without escapes): the slice's place in the text is the scalar's place, and
//! [`crate::positions::borrowed_scalar`] turns it into the line and column the index gives, or
//! into nothing where that is not certain (then the index is built as before).

use std::cell::{Cell, RefCell};

use crate::positions::{child, item};

/// One step of a path pattern: a mapping key, or any item of a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Key(&'static str),
    Item,
}

/// The value being deserialized lies on the pattern's way: how many steps it has taken, and
/// its path (`forms[2]`).
pub(super) struct At {
    step: usize,
    path: String,
}

/// What is noted while a text is deserialized: where the values at paths matching `pattern`
/// are, as byte ranges of the text.
pub(super) struct Note {
    /// The text's address and length: a borrowed scalar's place in it.
    base: usize,
    len: usize,
    pattern: &'static [Step],
    /// The key the pattern asks for while a mapping key is deserialized, and whether the key
    /// just deserialized was that one.
    want: Cell<Option<&'static str>>,
    hit: Cell<bool>,
    /// Paths and the byte range of their scalar in the text.
    pub(super) found: RefCell<Vec<(String, usize, usize)>>,
}

impl Note {
    pub(super) fn new(text: &str, pattern: &'static [Step]) -> Note {
        Note {
            base: text.as_ptr() as usize,
            len: text.len(),
            pattern,
            want: Cell::new(None),
            hit: Cell::new(false),
            found: RefCell::new(Vec::new()),
        }
    }

    /// The document's root is where every pattern starts.
    pub(super) fn root() -> Option<Box<At>> {
        Some(Box::new(At {
            step: 0,
            path: String::new(),
        }))
    }

    /// `at`, if the mapping there is on the pattern's way.
    pub(super) fn mapping(&self, at: Option<Box<At>>) -> Option<Box<At>> {
        at.filter(|a| matches!(self.pattern.get(a.step), Some(Step::Key(_))))
    }

    /// `at`, if the sequence there is on the pattern's way.
    pub(super) fn sequence(&self, at: Option<Box<At>>) -> Option<Box<At>> {
        at.filter(|a| self.pattern.get(a.step) == Some(&Step::Item))
    }

    /// A key of the mapping at `at` is about to be deserialized (`None`: a mapping off the way).
    pub(super) fn expect_key(&self, at: Option<&At>) {
        let want = at.and_then(|a| match self.pattern.get(a.step) {
            Some(Step::Key(k)) => Some(*k),
            _ => None,
        });
        self.want.set(want);
        self.hit.set(false);
    }

    /// A mapping key was deserialized as the string `key`.
    pub(super) fn key(&self, key: &[u8]) {
        if let Some(want) = self.want.get() {
            self.hit.set(want.as_bytes() == key);
        }
    }

    /// Where the value of the key just deserialized in the mapping at `at` is, if it is on the
    /// way.
    pub(super) fn value(&self, at: Option<&At>) -> Option<Box<At>> {
        let at = at.filter(|_| self.hit.replace(false))?;
        let Some(Step::Key(k)) = self.pattern.get(at.step) else {
            return None;
        };
        Some(Box::new(At {
            step: at.step + 1,
            path: child(&at.path, k),
        }))
    }

    /// Where item `index` of the sequence at `at` is.
    pub(super) fn item(at: Option<&At>, index: usize) -> Option<Box<At>> {
        at.map(|a| {
            Box::new(At {
                step: a.step + 1,
                path: item(&a.path, index),
            })
        })
    }

    /// A string at `at` was handed over as `value`: noted if the pattern ends there and the
    /// string is a slice of the text.
    pub(super) fn scalar(&self, at: &At, value: &str) {
        let start = (value.as_ptr() as usize).wrapping_sub(self.base);
        if at.step == self.pattern.len() && start <= self.len && value.len() <= self.len - start {
            self.found
                .borrow_mut()
                .push((at.path.clone(), start, value.len()));
        }
    }
}
