//! The grammar of FIM rule prose (`grammar.pest`) and what it says where it stops reading: the
//! line and column, the text it could not read from there, and what it expected instead, in
//! words a process designer knows.

use pest::Parser;
use pest::error::InputLocation;
use pest::iterators::Pair;

#[derive(pest_derive::Parser)]
#[grammar = "rules/grammar.pest"]
struct Grammar;

/// Where and why a rule text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ParseError {
    /// Byte offset in the text where reading stopped.
    pub offset: usize,
    /// 1-based line and column (in characters) of `offset`.
    pub line: usize,
    pub column: usize,
    /// The text from `offset` on, on one line, shortened.
    pub unread: String,
    /// What the grammar would have accepted there, in words.
    pub expected: Vec<String>,
}

impl ParseError {
    fn describe(&self) -> String {
        let what = if self.unread.is_empty() {
            "the text ends too early".to_string()
        } else {
            format!("cannot read „{}“", self.unread)
        };
        let mut s = format!("line {}, column {}: {what}", self.line, self.column);
        if !self.expected.is_empty() {
            s.push_str("; expected ");
            s.push_str(&self.expected.join(", "));
        }
        s
    }
}

/// How much of the unread text an error quotes.
const UNREAD_CHARS: usize = 60;

/// Reads `text` as a whole with the grammar: the matched `rule_text`, or where reading stopped.
pub(super) fn read(text: &str) -> Result<Pair<'_, Rule>, ParseError> {
    let mut pairs = Grammar::parse(Rule::rule_text, text).map_err(|e| error(text, e))?;
    Ok(pairs.next().expect("rule_text matched"))
}

fn error(text: &str, e: pest::error::Error<Rule>) -> ParseError {
    let offset = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    let rest: String = text[offset..]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut unread: String = rest.chars().take(UNREAD_CHARS).collect();
    if rest.chars().count() > UNREAD_CHARS {
        unread.push('…');
    }
    let mut expected: Vec<String> = Vec::new();
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant {
        for r in positives {
            if let Some(w) = expectation(*r)
                && !expected.contains(&w)
            {
                expected.push(w);
            }
        }
    }
    ParseError {
        offset,
        line,
        column,
        unread,
        expected,
    }
}

/// A grammar rule as a reader of the error understands it; `None` for rules that are only
/// structure.
fn expectation(r: Rule) -> Option<String> {
    let name = format!("{r:?}");
    if let Some(word) = name.strip_prefix("kw_") {
        let word = match word {
            "befuellt" => "befüllt",
            "ausgefuellt" => "ausgefüllt",
            "ausgewaehlt" => "ausgewählt",
            "hoechstens" => "höchstens",
            w => w,
        };
        return Some(format!("„{word}“"));
    }
    Some(
        match r {
            Rule::element_ref | Rule::group_ref | Rule::id_path | Rule::fim_id => {
                "a FIM id (F… or G…)"
            }
            Rule::cmp_op | Rule::compare | Rule::compare_chain => "a comparison (=, <>, <, >)",
            Rule::label | Rule::text_value => "a label in quotes",
            Rule::code | Rule::code_value => "a code",
            Rule::empty_value | Rule::bool_value => "a value",
            Rule::count | Rule::amount | Rule::number_word | Rule::times => "a number",
            Rule::unit_days | Rule::unit_weeks | Rule::unit_months | Rule::unit_years => {
                "a time unit (Tage, Wochen, Monate, Jahre)"
            }
            Rule::noun_group | Rule::noun_field => "„Feld“ or „Feldgruppe“",
            Rule::filled | Rule::empty => "„befüllt“ or „leer“",
            Rule::EOI => "the end of the text",
            _ => return None,
        }
        .to_string(),
    )
}
/// Keywords are atomic rules named `kw_…`; they carry no content for the tree.
pub(super) fn is_keyword(r: Rule) -> bool {
    format!("{r:?}").starts_with("kw_")
}
