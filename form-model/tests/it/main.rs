//! form-model's integration tests, as one test binary (as Cargo's and mdBook's test suites are):
//! one module per subject.

mod booking;
mod conditions;
mod fees;
mod fixtures;
mod groups;
mod language_schema;
mod parameters;
mod record;
mod registry;
mod schema;
mod sepa;
mod text_blocks;
mod validate;
