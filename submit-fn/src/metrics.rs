//! What the function counts and logs per request: counters since start ([`Stats`]), and what
//! one request came to ([`Outcome`]) for its log line, which holds no submitted value. On
//! Lambda each instance has its own counters; there the log line's `outcome` field is the
//! metric to count.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters since start. On Lambda each instance has its own; there the log line's `outcome`
/// field is the metric to count (`outcome = "honeypot"` for dropped bot posts).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    stored: AtomicU64,
    duplicates: AtomicU64,
    invalid: AtomicU64,
    refused: AtomicU64,
    honeypot: AtomicU64,
    store_failures: AtomicU64,
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Submissions stored for the first time.
    pub stored: u64,
    /// Retries answered from an earlier attempt.
    pub duplicates: u64,
    /// Answered 422.
    pub invalid: u64,
    /// Answered 4xx other than 422.
    pub refused: u64,
    /// Bot posts dropped because the honeypot was filled.
    pub honeypot: u64,
    /// Answered 503.
    pub store_failures: u64,
}

impl Counters {
    /// Counts a request by its outcome (`Outcome::outcome`).
    pub(crate) fn count(&self, outcome: &str) {
        let counter = match outcome {
            "stored" => &self.stored,
            "duplicate" => &self.duplicates,
            "invalid" => &self.invalid,
            "honeypot" => &self.honeypot,
            // 503s: the store failed, or the form is not served (its hash does not match).
            "store-failed" | "form-unusable" => &self.store_failures,
            "preflight" | "confirmation" | "receipt" => return,
            _ => &self.refused,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Stats {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Stats {
            stored: get(&self.stored),
            duplicates: get(&self.duplicates),
            invalid: get(&self.invalid),
            refused: get(&self.refused),
            honeypot: get(&self.honeypot),
            store_failures: get(&self.store_failures),
        }
    }
}

/// What one request came to, for the log line. Holds no submitted value.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) outcome: &'static str,
    pub(crate) municipality: String,
    pub(crate) form: String,
    pub(crate) id: String,
    pub(crate) reference: String,
    pub(crate) error_codes: String,
    pub(crate) error_fields: String,
}
