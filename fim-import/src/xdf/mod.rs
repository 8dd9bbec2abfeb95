//! Reading XDatenfelder: an XML message into a small [`tree`] (the schema, or a single group or
//! field, its groups and fields in document order with their cardinality, rules and positions),
//! and the genericode [`codes`] lists a schema's select fields refer to.
//!
//! XDatenfelder 2.0 and 3.0 share this structure; where 3.0 differs the reader takes both
//! spellings: `praezisierung` as a JSON string (2.0) or as attributes (3.0), rule text in
//! `definition` (2.0) or `freitextRegel` (3.0), code values from a `codelisteReferenz` or inline
//! `werte` (3.0), codes written as `<feldart><code>input</code></feldart>` or as plain text.
//! Unknown codes are errors, never silent fallbacks.

pub mod codes;
mod field;
mod message;
mod reader;
pub mod tree;

pub use codes::{CodeList, CodeLists, LeftOut, Selection};
pub use message::parse;
pub use tree::*;
