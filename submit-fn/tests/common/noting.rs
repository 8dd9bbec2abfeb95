//! A store that notes every key read and written: for tests of what the function reads (what
//! the template grants, what a post can make it read) and of how many requests a submission
//! costs the store.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use store::Store;

pub struct NotingReads {
    inner: Arc<dyn Store>,
    read: Mutex<Vec<String>>,
    written: Mutex<Vec<String>>,
    bounds: Mutex<Vec<(String, u64)>>,
}

impl NotingReads {
    pub fn new(inner: Arc<dyn Store>) -> NotingReads {
        NotingReads {
            inner,
            read: Mutex::default(),
            written: Mutex::default(),
            bounds: Mutex::default(),
        }
    }

    /// The keys read so far, in order.
    pub fn reads(&self) -> Vec<String> {
        self.read.lock().unwrap().clone()
    }

    /// The keys written so far (`put_new`, whether created or found), in order.
    pub fn writes(&self) -> Vec<String> {
        self.written.lock().unwrap().clone()
    }

    /// The bounded reads so far (`get_at_most`): key and bound, in order.
    pub fn bounds(&self) -> Vec<(String, u64)> {
        self.bounds.lock().unwrap().clone()
    }
}

impl Store for NotingReads {
    fn put_new<'a>(
        &'a self,
        key: &'a str,
        bytes: Bytes,
        content_type: &'a str,
    ) -> store::StoreFuture<'a, store::PutOutcome> {
        self.written.lock().unwrap().push(key.to_string());
        self.inner.put_new(key, bytes, content_type)
    }

    fn get<'a>(&'a self, key: &'a str) -> store::StoreFuture<'a, Option<Bytes>> {
        self.read.lock().unwrap().push(key.to_string());
        self.inner.get(key)
    }

    fn get_at_most<'a>(
        &'a self,
        key: &'a str,
        max_bytes: u64,
    ) -> store::StoreFuture<'a, store::Bounded> {
        self.read.lock().unwrap().push(key.to_string());
        self.bounds
            .lock()
            .unwrap()
            .push((key.to_string(), max_bytes));
        self.inner.get_at_most(key, max_bytes)
    }

    fn list<'a>(&'a self, prefix: &'a str) -> store::StoreFuture<'a, Vec<String>> {
        self.inner.list(prefix)
    }

    fn delete<'a>(&'a self, key: &'a str) -> store::StoreFuture<'a, bool> {
        self.inner.delete(key)
    }

    fn locate(&self, key: &str) -> String {
        self.inner.locate(key)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn honours_create_only(&self) -> Option<bool> {
        self.inner.honours_create_only()
    }

    fn presign_post<'a>(
        &'a self,
        key: &'a str,
        content_type: &'a str,
        max_bytes: u64,
        now: time::OffsetDateTime,
    ) -> store::StoreFuture<'a, Option<store::upload::PresignedPost>> {
        self.inner.presign_post(key, content_type, max_bytes, now)
    }
}
