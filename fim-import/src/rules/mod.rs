//! FIM rules read as statements instead of prose.
//!
//! [`parse`] reads a rule's text with a grammar of the shapes FIM editors write
//! (`grammar.pest`). Only a text the grammar accepts as a whole is read; otherwise the error says
//! where reading stopped and what was not understood. Nothing is guessed.

pub mod ast;
pub mod parse;

pub use ast::RuleText;
pub use parse::{ParseError, parse};
