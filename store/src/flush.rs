//! Group commit for the folder store's directory flushes. Every submission names a file in
//! the same claims folder (`_claims/<municipality>/`) and a new folder in the same day folder,
//! so with many requests in flight each would `fsync` the same directory again and again. A
//! flush of a directory makes durable every entry made in it before the flush started; so a
//! request that needs its entry durable may wait for a flush that started after it made the
//! entry, instead of starting its own. [`DirFlushes::flush`] does exactly that: one flush per
//! directory runs at a time; whoever arrives while it runs waits for it to end and then is
//! served by the next one (started by the first of the waiters to wake), which all of them
//! share. A request alone never waits for anyone; under load one `fsync` serves all requests
//! that arrived during the one before.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

/// Directory flushes in progress, by directory. A directory is forgotten when nobody waits for
/// it any more, so the map holds only the directories being flushed right now.
#[derive(Debug, Default)]
pub(crate) struct DirFlushes {
    dirs: Mutex<HashMap<PathBuf, Arc<Shared>>>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    finished: Condvar,
}

#[derive(Debug, Default)]
struct State {
    /// Flushes started so far (the running one included), and finished so far; equal when
    /// none is running.
    started: u64,
    finished: u64,
    /// How the last finished flush ended (an `io::Error` is not `Clone`: its kind and text).
    last: Option<Result<(), (io::ErrorKind, String)>>,
}

impl DirFlushes {
    /// Returns once a flush of `dir` (done by `sync`) that started after this call began has
    /// ended: then every entry made in `dir` before the call is durable. The error of that
    /// flush is every waiter's error.
    pub(crate) fn flush(
        &self,
        dir: &Path,
        sync: &dyn Fn(&Path) -> io::Result<()>,
    ) -> io::Result<()> {
        let shared = self
            .dirs
            .lock()
            .expect("lock")
            .entry(dir.to_path_buf())
            .or_default()
            .clone();
        let result = shared.wait_or_flush(dir, sync);
        let mut dirs = self.dirs.lock().expect("lock");
        // Clones are only made under this lock: two references (the map's and ours) mean
        // nobody else waits for this directory.
        if dirs.get(dir).is_some_and(|s| Arc::strong_count(s) == 2) {
            dirs.remove(dir);
        }
        result
    }
}

impl Shared {
    fn wait_or_flush(&self, dir: &Path, sync: &dyn Fn(&Path) -> io::Result<()>) -> io::Result<()> {
        let mut state = self.state.lock().expect("lock");
        // The flush that serves us is the next one to start: a running one may have started
        // before our entry was made.
        let ticket = state.started + 1;
        loop {
            if state.finished >= ticket {
                return match state.last.clone().expect("a flush has finished") {
                    Ok(()) => Ok(()),
                    Err((kind, text)) => Err(io::Error::new(kind, text)),
                };
            }
            if state.started == state.finished {
                // None running: flush for everyone waiting so far.
                state.started += 1;
                let number = state.started;
                drop(state);
                let result = sync(dir).map_err(|e| (e.kind(), e.to_string()));
                state = self.state.lock().expect("lock");
                state.finished = number;
                state.last = Some(result);
                self.finished.notify_all();
            } else {
                state = self.finished.wait(state).expect("lock");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::time::Duration;

    /// A request that arrives while a flush runs is not served by it (its entry may be newer
    /// than the flush's start), but by the next one.
    #[test]
    fn a_waiter_is_served_only_by_a_flush_that_started_after_it_arrived() {
        let flushes = Arc::new(DirFlushes::default());
        let started = Arc::new(AtomicUsize::new(0));
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let release_rx = Arc::new(Mutex::new(release_rx));
        let (entered_tx, entered_rx) = mpsc::channel::<usize>();
        let sync = {
            let started = started.clone();
            move |_: &Path| -> io::Result<()> {
                let n = started.fetch_add(1, Ordering::SeqCst) + 1;
                entered_tx.send(n).unwrap();
                release_rx.lock().unwrap().recv().unwrap();
                Ok(())
            }
        };
        let sync = Arc::new(sync);
        let first = {
            let (flushes, sync) = (flushes.clone(), sync.clone());
            std::thread::spawn(move || flushes.flush(Path::new("/d"), &*sync))
        };
        assert_eq!(entered_rx.recv().unwrap(), 1, "the first request flushes");
        // The second request arrives while flush 1 runs.
        let (done_tx, done_rx) = mpsc::channel();
        let second = {
            let (flushes, sync) = (flushes.clone(), sync.clone());
            std::thread::spawn(move || {
                let r = flushes.flush(Path::new("/d"), &*sync);
                done_tx.send(()).unwrap();
                r
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        release_tx.send(()).unwrap();
        first.join().unwrap().unwrap();
        // Flush 1 ended; the second request is still waiting, for a flush of its own.
        assert_eq!(entered_rx.recv().unwrap(), 2);
        assert!(
            done_rx.try_recv().is_err(),
            "served by a flush that began before it"
        );
        release_tx.send(()).unwrap();
        second.join().unwrap().unwrap();
        assert_eq!(started.load(Ordering::SeqCst), 2);
        assert!(
            flushes.dirs.lock().unwrap().is_empty(),
            "nothing kept once done"
        );
    }

    /// Sixteen requests at once: far fewer flushes than requests, each request served.
    #[test]
    fn concurrent_requests_share_flushes_and_share_their_errors() {
        let flushes = Arc::new(DirFlushes::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(std::sync::Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (flushes, calls, barrier) = (flushes.clone(), calls.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    flushes.flush(Path::new("/d"), &|_| {
                        calls.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(30));
                        Err(io::Error::other("disk gone"))
                    })
                })
            })
            .collect();
        for t in threads {
            let err = t.join().unwrap().unwrap_err();
            assert_eq!(err.to_string(), "disk gone");
        }
        let calls = calls.load(Ordering::SeqCst);
        assert!((1..=4).contains(&calls), "{calls} flushes for 16 requests");
        assert!(flushes.dirs.lock().unwrap().is_empty());
    }
}
