//! The folders the folder store knows to be durable — whose entry in their parent was flushed
//! after they were made — so that a busy store flushes only the folders a request changed, not
//! every folder up to the root each time (see [`super`]).
//!
//! What is known goes stale when a folder is removed and made again: the new folder's entry in
//! its parent is new and not flushed. So every `mkdir` and `rmdir` of the store goes through
//! [`KnownDurable::change`], and a folder this process made or removed is not durable until a
//! flush of its parent that started after the change ended ([`KnownDurable::learn`] checks the
//! order with a change counter):
//!
//! - a request that made the folder (`mkdir` succeeded) flushes its parent before it answers;
//! - a request that finds it made (`mkdir` of it or of a folder in it: `EEXIST` or success; a
//!   link into it; an existing object in it) while the `mkdir` that made it has not been
//!   recorded yet sees it as changing — the change is announced before the `mkdir` — and so
//!   flushes the parent as well, itself, after it found the folder: that flush covers the new
//!   entry;
//! - a request whose flush of the parent started before a change of the folder does not record
//!   the folder durable when it ends.
//!
//! No lock is held across a `mkdir` (one would make every request's `mkdir`s wait for each
//! other's) and no `stat` is added: a change costs two short locks of the map around the call.
//! The price: a request that looks at a folder while another's `mkdir` of it is under way — one
//! that will fail, the folder exists — flushes the folder's parent once more than needed, at
//! the same time as its other flushes. So a folder known durable, which every request links
//! into (the claims folder), gets no `mkdir` at all unless the link finds it gone
//! (`write::place`). What another process removes and makes again this process cannot tell
//! from the folder it knew (that would take a `stat` per request); that process flushes the new
//! folder's parent before it answers its own request.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// How many directories [`KnownDurable`] remembers before it starts afresh: every submission
/// adds its own folder, and a long-running server must not grow without bound. Forgetting costs
/// one more flush of a day folder, never durability.
pub(super) const DURABLE_REMEMBERED: usize = 4096;

/// The folders known durable, and those this process changed since (see the module docs).
#[derive(Debug, Default)]
pub(super) struct KnownDurable {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The number of the last change recorded (the first is 1).
    clock: u64,
    /// What is known of each folder remembered.
    folders: HashMap<PathBuf, Folder>,
    /// Folders being made or removed now: how many `mkdir`s or `rmdir`s of each are under way.
    changing: HashMap<PathBuf, usize>,
    /// Every change up to this one is forgotten: a folder not remembered may have changed then.
    forgotten: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Folder {
    /// Its entry in its parent is durable.
    Durable,
    /// This process made or removed it, as change number `n`.
    Changed(u64),
}

/// A moment in the order of changes: see [`KnownDurable::now`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Since(u64);

impl KnownDurable {
    /// Whether `dir`'s entry in its parent is known durable: flushed after the folder was made,
    /// and no change of it under way.
    pub(super) fn is_durable(&self, dir: &Path) -> bool {
        let state = self.lock();
        state.folders.get(dir) == Some(&Folder::Durable) && !state.changing.contains_key(dir)
    }

    /// Makes or removes the folder `dir` with `change` (`mkdir`, `rmdir`), and records that it
    /// changed when `change` succeeded. The change is announced before the call: whoever finds
    /// the new folder (or its absence) after the call cannot read it as durable meanwhile.
    pub(super) fn change(
        &self,
        dir: &Path,
        change: impl FnOnce(&Path) -> io::Result<()>,
    ) -> io::Result<()> {
        *self.lock().changing.entry(dir.to_path_buf()).or_default() += 1;
        let changed = change(dir);
        let mut state = self.lock();
        match state.changing.get_mut(dir) {
            Some(n) if *n > 1 => *n -= 1,
            _ => {
                state.changing.remove(dir);
            }
        }
        if changed.is_ok() {
            state.clock += 1;
            let n = state.clock;
            state.remember(dir.to_path_buf(), Folder::Changed(n));
        }
        changed
    }

    /// The moment to [`learn`](Self::learn) from: taken before the flushes that make folders
    /// durable start.
    pub(super) fn now(&self) -> Since {
        Since(self.lock().clock)
    }

    /// Records `dirs` durable: their parents' flushes, started after `since`, ended. A folder
    /// this process made or removed after `since` (or may have: forgotten since) is left out —
    /// those flushes may have missed its new entry.
    pub(super) fn learn(&self, since: Since, dirs: Vec<PathBuf>) {
        let mut state = self.lock();
        for dir in dirs {
            let unchanged = match state.folders.get(&dir) {
                Some(Folder::Durable) => true,
                Some(Folder::Changed(n)) => *n <= since.0,
                None => state.forgotten <= since.0,
            };
            if unchanged {
                state.remember(dir, Folder::Durable);
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Plain maps and counters, consistent after every statement: usable after a panic.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl State {
    fn remember(&mut self, dir: PathBuf, folder: Folder) {
        if self.folders.len() >= DURABLE_REMEMBERED && !self.folders.contains_key(&dir) {
            self.folders.clear();
            self.forgotten = self.clock;
        }
        self.folders.insert(dir, folder);
    }
}
