//! fim-import's integration tests, as one test binary (as Cargo's and mdBook's test suites are):
//! one module per subject, sharing the helpers in `common`.

mod common;
mod conversion;
mod errors;
mod golden;
mod mapping;
mod real_schemas;
mod rules;
