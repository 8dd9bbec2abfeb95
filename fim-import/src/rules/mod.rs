//! FIM rules read as statements instead of prose.
//!
//! [`parse()`] reads a rule's text with a grammar of the shapes FIM editors write
//! (`grammar.pest`); [`resolve()`] finds the elements it names in the schema and checks the values
//! it compares with. A rule counts as read only when both succeed; otherwise the outcome says
//! which part could not be read, or which element or value does not fit. Nothing is guessed.
//!
//! Reading is the first half of turning rules into conditions; `map::convert` is the second
//! (docs/fim.md, "Rules become conditions").

pub mod ast;
pub mod grammar;
pub mod parse;
pub mod resolve;
pub mod tree;

pub use ast::RuleText;
pub use grammar::ParseError;
pub use parse::parse;
pub use resolve::{Resolved, resolve};
pub use tree::Tree;

use crate::report::RuleReading;
use crate::xdf::CodeLists;

/// What became of one rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Read, and every element and value found in the schema.
    Read { text: RuleText, resolved: Resolved },
    /// The grammar does not read the text.
    Unreadable(ParseError),
    /// Read, but an element or a value does not fit the schema.
    Unresolved {
        text: RuleText,
        problems: Vec<String>,
    },
}

/// Reads the rule `text` carried by the element occurrence `owner` (its `uid`; `None` for a
/// rule of the schema itself).
pub fn read(text: &str, owner: Option<usize>, tree: &Tree, codelists: &CodeLists) -> Outcome {
    let text = match parse(text) {
        Ok(t) => t,
        Err(e) => return Outcome::Unreadable(e),
    };
    let owner = owner.and_then(|uid| tree.at_uid(uid));
    match resolve(&text, owner, tree, codelists) {
        Ok(resolved) => Outcome::Read { text, resolved },
        Err(problems) => Outcome::Unresolved { text, problems },
    }
}

impl Outcome {
    pub fn is_read(&self) -> bool {
        matches!(self, Outcome::Read { .. })
    }

    /// The outcome in words, for the import report.
    pub fn for_report(&self) -> RuleReading {
        match self {
            Outcome::Read { text, resolved } => RuleReading::Read {
                reading: text.to_string(),
                notes: text
                    .notes
                    .iter()
                    .chain(resolved.notes.iter())
                    .cloned()
                    .collect(),
            },
            Outcome::Unreadable(e) => RuleReading::Unreadable(e.to_string()),
            Outcome::Unresolved { text, problems } => RuleReading::Unresolved {
                reading: text.to_string(),
                problems: problems.clone(),
            },
        }
    }
}
