//! Checks of what serde cannot see: ids, references between fields, keys that do not fit a
//! field's type, patterns, date bounds, colours, languages. Every finding points at the value
//! it is about.
//!
//! One file per concern: the whole folder (`project`), a catalog form (`form`), a question
//! (`field`, `field_keys`, `field_type`, `pattern`), a text's keys (`text_keys`), a text-block
//! (`text_block`), the fees (`fee`), payment (`payment`), the SEPA mandate (`sepa`), sign-in and prefill (`identity`), a
//! condition (`condition`), a municipality (`municipality`), what a form leaves to the
//! municipality (`parameters`), what the e-file reads (`efile`) and accessibility
//! (`accessibility`); `linter` is the file being looked at and where findings go.

mod accessibility;
mod condition;
mod efile;
mod fee;
mod field;
mod field_keys;
mod field_type;
mod form;
mod identity;
mod linter;
mod municipality;
mod parameters;
mod pattern;
mod payment;
mod project;
mod sepa;
mod text_block;
mod text_keys;

pub use accessibility::AUTOCOMPLETE_TOKENS;
pub(crate) use condition::Ids;
pub(crate) use field::lint_field_in;
pub use form::lint_form;
pub use project::{lint_catalog, lint_municipalities, lint_project};
pub use sepa::mandate_problems;
pub(crate) use text_keys::lint_text_keys;
