//! The generator's integration tests, one binary (as Cargo's and mdBook's suites): one module
//! per subject, sharing the helpers in `common`. One binary links aws-sdk-s3, tokio and oxc
//! once instead of eight times. Run one subject with `cargo test -p generator --test it build::`.

mod backoffice;
mod build;
mod build_cli;
mod check_cli;
mod common;
mod differential;
mod docs_cli;
mod earlier_receipts;
mod findability;
mod serve;
