//! What the platform's handlers share: its configuration, the ledger of transactions, the access
//! tokens it issued and the URLs it listens on, and what is known about the connection a request
//! came in on.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use url::Url;

use crate::config::Config;
use crate::ledger::Ledger;

/// The running platform's state, shared by the listeners and every request.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) ledger: Mutex<Ledger>,
    pub(crate) tokens: Mutex<HashMap<String, (usize, Instant)>>,
    pub(crate) token_requests: AtomicU64,
    pub(crate) base: Url,
    pub(crate) mtls_base: Option<Url>,
}

/// What is known about a connection before its first request.
#[derive(Clone)]
pub(crate) struct Connection {
    /// The URL of the listener it came in on.
    pub(crate) base: Url,
    /// The client account its certificate belongs to (mTLS listener only).
    pub(crate) certificate_client: Option<usize>,
}

impl Shared {
    /// Where a transaction's pay page is (on the plain listener: browsers bring no client
    /// certificate).
    pub(crate) fn pay_url(&self, transaction_id: &str) -> Url {
        self.base
            .join(&format!("pay/{transaction_id}"))
            .expect("a transaction id makes a path")
    }
}

/// The guarded value, also after a panic in another request (the state stays usable).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
