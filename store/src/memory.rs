//! A store in memory, for tests and dry runs. It can imitate the failures that matter: a store
//! that ignores create-only writes (like Garage), and a store that fails after some writes
//! (to show that a failed submission leaves nothing that looks complete).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;

use crate::{PutOutcome, Store, StoreError, StoreFuture, check_key};

#[derive(Debug, Default)]
pub struct MemoryStore {
    objects: Mutex<BTreeMap<String, Bytes>>,
    /// Overwrite existing objects and report `Created`, as stores do that ignore `If-None-Match`.
    ignore_if_none_match: bool,
    /// Fail every write after this many successful ones.
    fail_after: Mutex<Option<usize>>,
    writes: AtomicUsize,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// A store that overwrites instead of refusing (like Garage).
    pub fn ignoring_if_none_match() -> MemoryStore {
        MemoryStore {
            ignore_if_none_match: true,
            ..MemoryStore::default()
        }
    }

    /// A store whose writes fail after `n` successful ones.
    pub fn failing_after(n: usize) -> MemoryStore {
        MemoryStore {
            fail_after: Mutex::new(Some(n)),
            ..MemoryStore::default()
        }
    }

    /// Every key, sorted.
    pub fn keys(&self) -> Vec<String> {
        self.objects.lock().expect("lock").keys().cloned().collect()
    }

    pub fn object(&self, key: &str) -> Option<Bytes> {
        self.objects.lock().expect("lock").get(key).cloned()
    }

    /// Lets later writes succeed again (a store that has recovered).
    pub fn recover(&self) {
        *self.fail_after.lock().expect("lock") = None;
    }
}

impl Store for MemoryStore {
    fn put_new<'a>(
        &'a self,
        key: &'a str,
        bytes: Bytes,
        _content_type: &'a str,
    ) -> StoreFuture<'a, PutOutcome> {
        Box::pin(async move {
            check_key(key)?;
            let fail_after = *self.fail_after.lock().expect("lock");
            if let Some(n) = fail_after
                && self.writes.load(Ordering::SeqCst) >= n
            {
                return Err(StoreError::Unavailable("simulated outage".into()));
            }
            let mut objects = self.objects.lock().expect("lock");
            if objects.contains_key(key) && !self.ignore_if_none_match {
                return Ok(PutOutcome::Exists);
            }
            objects.insert(key.to_string(), bytes);
            self.writes.fetch_add(1, Ordering::SeqCst);
            Ok(PutOutcome::Created)
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Bytes>> {
        Box::pin(async move {
            check_key(key)?;
            Ok(self.object(key))
        })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> StoreFuture<'a, Vec<String>> {
        Box::pin(async move {
            crate::check_prefix(prefix)?;
            let objects = self.objects.lock().expect("lock");
            Ok(objects
                .keys()
                .filter(|k| k.starts_with(prefix))
                .cloned()
                .collect())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            check_key(key)?;
            Ok(self.objects.lock().expect("lock").remove(key).is_some())
        })
    }

    fn locate(&self, key: &str) -> String {
        key.to_string()
    }

    fn describe(&self) -> String {
        "memory".into()
    }

    fn honours_create_only(&self) -> Option<bool> {
        Some(!self.ignore_if_none_match)
    }
}
