//! The Formfabrik form language, owned in one place so that the page, the function and the back
//! office never restate a rule: load catalog forms and municipality configs from YAML, resolve
//! overlays, lint with positioned diagnostics, validate submissions, describe data as JSON
//! Schema, and define the submission record. No I/O beyond reading the `forms/` folder.

pub mod bounded;
pub mod check;
pub mod conditions;
pub mod diagnostics;
pub mod fees;
pub mod form_post;
pub mod ids;
pub mod jwk;
pub mod language_schema;
pub mod languages;
pub mod lint;
pub mod load;
pub mod messages;
pub mod model;
pub mod msg;
pub mod positions;
pub mod record;
pub mod registry;
pub mod repeated_keys;
pub mod resolve;
pub mod rules;
pub mod schema;
pub mod texts;
pub mod validate;
pub mod yaml_errors;

pub use check::{CheckReport, CheckedChunk, Checking, check};
pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use load::Project;
pub use model::{Field, FieldType, Form, Municipality};
pub use record::SubmissionRecord;
pub use resolve::{Drift, ResolvedForm};
pub use validate::{CleanData, ErrorCode, FieldError, Submission, validate};
