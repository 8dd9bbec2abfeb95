//! submit-fn's integration tests, as one test binary (as Cargo's and mdBook's test suites are):
//! one module per subject, sharing the helpers in `common` (`tests/common`, which `logs` uses
//! too: the log test is a binary of its own, see there).

#[path = "../common/mod.rs"]
mod common;

mod binary;
mod handler;
mod hardening;
mod lambda_events;
mod lambda_runtime;
mod payment;
mod receipt;
mod resources;
mod s3;
mod secrets;
mod sign_in;
mod template;
mod uploads;
