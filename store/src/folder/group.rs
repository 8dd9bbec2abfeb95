//! Group commit of the flushes of folders that many requests change: the claims folder of a
//! municipality, the day folder of a form. Each such folder has a flusher thread of its own
//! while it is busy; a request that changed the folder asks for a flush and waits for one that
//! **started after** its request — a flush already running may have missed its change — and
//! one flush serves every request that asked before it started. Meanwhile the request's thread
//! flushes the folders only it changed (its new submission folder), so that both run at once
//! without a thread started per request.
//!
//! A flusher thread ends after [`IDLE`] without requests; the next request starts a new one.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How a folder is flushed (`write::Ops::sync_dir`).
pub(super) type SyncDir = fn(&Path) -> io::Result<()>;

/// How long a flusher thread waits for the next request before it ends.
pub(super) const IDLE: Duration = Duration::from_secs(2);

/// The flusher of each busy shared folder of one store.
#[derive(Debug, Default)]
pub(super) struct Group {
    folders: Mutex<HashMap<PathBuf, Arc<Folder>>>,
}

#[derive(Debug, Default)]
struct Folder {
    state: Mutex<State>,
    /// Wakes the flusher: a flush was asked for.
    asked: Condvar,
    /// Wakes the waiters: a flush ended.
    ended: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// The number of the last flush started (the first is 1).
    started: u64,
    /// The number of the last flush ended.
    ended: u64,
    /// The number of the last flush that succeeded.
    succeeded: u64,
    /// The last failure, for the waiters of the flushes that failed.
    failure: Option<(io::ErrorKind, String)>,
    /// The highest flush number someone waits for.
    wanted: u64,
}

/// A flush asked for: wait for it with [`Group::wait`].
#[derive(Debug)]
pub(super) struct Ticket {
    folder: Arc<Folder>,
    /// The first flush that started after the request (the first is 1).
    pub(super) flush: u64,
}

impl Group {
    /// Asks for a flush of `dir` that starts after this call, waking (or starting) its flusher.
    /// The caller changed `dir` before.
    pub(super) fn ask(self: &Arc<Self>, dir: &Path, sync: SyncDir) -> io::Result<Ticket> {
        // The map's lock is held until the flush is asked for: a flusher ends only under it,
        // and only when nothing is asked (see `flusher`).
        let mut folders = lock(&self.folders);
        let folder = match folders.get(dir) {
            Some(folder) => folder.clone(),
            None => {
                let folder = Arc::new(Folder::default());
                let (group, thread_folder, path) =
                    (self.clone(), folder.clone(), dir.to_path_buf());
                std::thread::Builder::new()
                    .name("folder-flusher".into())
                    .spawn(move || group.flusher(&thread_folder, &path, sync))?;
                folders.insert(dir.to_path_buf(), folder.clone());
                folder
            }
        };
        let flush = {
            let mut state = lock(&folder.state);
            let flush = state.started + 1;
            state.wanted = state.wanted.max(flush);
            flush
        };
        folder.asked.notify_one();
        drop(folders);
        Ok(Ticket { folder, flush })
    }

    /// Waits until a flush asked for by `ticket` (or a later one) ended; its error if every
    /// such flush so far failed.
    pub(super) fn wait(ticket: Ticket) -> io::Result<()> {
        let Ticket { folder, flush } = ticket;
        let mut state = lock(&folder.state);
        while state.ended < flush {
            state = folder.ended.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        if state.succeeded >= flush {
            return Ok(());
        }
        let (kind, message) = state
            .failure
            .clone()
            .unwrap_or((io::ErrorKind::Other, "flush failed".into()));
        Err(io::Error::new(kind, message))
    }

    /// Ends the flusher of `dir` if nothing was asked of it since its last flush started;
    /// `false` (the flusher goes on) otherwise.
    fn retire(&self, dir: &Path, folder: &Arc<Folder>) -> bool {
        let mut folders = lock(&self.folders);
        let state = lock(&folder.state);
        if state.wanted > state.started {
            return false;
        }
        if folders.get(dir).is_some_and(|f| Arc::ptr_eq(f, folder)) {
            folders.remove(dir);
        }
        true
    }

    /// The flusher thread of `dir`: one flush at a time, each serving every request asked
    /// before it started; ends after [`IDLE`] without requests.
    fn flusher(&self, folder: &Arc<Folder>, dir: &Path, sync: SyncDir) {
        loop {
            let flush = {
                let mut state = lock(&folder.state);
                while state.wanted <= state.started {
                    let (next, timeout) = folder
                        .asked
                        .wait_timeout(state, IDLE)
                        .unwrap_or_else(|e| e.into_inner());
                    state = next;
                    if timeout.timed_out() && state.wanted <= state.started {
                        drop(state);
                        if self.retire(dir, folder) {
                            return;
                        }
                        state = lock(&folder.state);
                    }
                }
                state.started += 1;
                state.started
            };
            let flushed = sync(dir);
            let mut state = lock(&folder.state);
            state.ended = flush;
            match flushed {
                Ok(()) => state.succeeded = flush,
                Err(e) => state.failure = Some((e.kind(), e.to_string())),
            }
            drop(state);
            folder.ended.notify_all();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain counters behind: still usable.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
