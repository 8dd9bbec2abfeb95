//! What a FIM rule says once it is read: statements about elements named by their FIM ids.
//!
//! The tree keeps the rule's own reading and nothing more: `<> "wahr"` stays "not equal to
//! true" (which also holds for an unanswered field), `muss … nicht befüllt sein` stays "need not
//! be filled". Negations the grammar can fold without changing the meaning are folded ("nicht
//! befüllt" is [`Test::Empty`], "nicht leer" is [`Test::Filled`]).
//!
//! `Display` writes a compact notation (`if F00000462 = 001 then required F00000467`) used by the
//! import report and the table test of the real schemas' rules.

use std::fmt;
use std::ops::Range;

/// A rule's whole text: one or more statements ("Wenn …, dann … . Wenn …, dann …").
#[derive(Debug, Clone, PartialEq)]
pub struct RuleText {
    pub statements: Vec<Statement>,
    /// How the text was read where a reader might read it otherwise ("UND before ODER").
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `Wenn <when>, dann <then>`.
    If { when: Condition, then: Consequence },
    /// `Es muss mindestens eines der Felder A, B oder C befüllt sein`; also `mindestens ein Feld
    /// der Feldgruppe G`.
    AtLeastOne(FieldSet),
    /// `Es muss entweder A oder B befüllt werden`: exactly one choice is filled. A choice of
    /// several elements (`(das Feld A und das Feld B)`) is filled when all of them are.
    ExactlyOne(Vec<Vec<Ref>>),
    /// `Das Feld F kann bis zu dreimal ausgefüllt werden, dabei darf jeder Eintrag nur einmal
    /// ausgewählt werden`.
    Repeat {
        field: Ref,
        max: u32,
        distinct: bool,
    },
}

/// What becomes of the targets while the condition holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Consequence {
    pub duty: Duty,
    pub targets: Vec<Ref>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// `muss … befüllt sein`, `soll … zum Pflichtfeld werden`, `darf … nicht leer sein`.
    Required,
    /// `darf … nicht befüllt sein`, `muss … leer sein`.
    Forbidden,
    /// `kann … befüllt werden`.
    Allowed,
    /// `muss … nicht befüllt sein`, read as the words say: need not be filled.
    NotRequired,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `… ODER …`
    Any(Vec<Condition>),
    /// `… UND …`
    All(Vec<Condition>),
    Test {
        subject: Subject,
        test: Test,
    },
    /// `(aktuelles Datum - F) <op> <amount> <unit>`: how long ago the date in `F` is.
    Since {
        field: Ref,
        op: Op,
        amount: u32,
        unit: Unit,
    },
}

/// What a test is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Element(Ref),
    /// At least one field of the set passes (`mindestens ein Feld der Feldgruppe G`).
    AnyOf(FieldSet),
    /// Every field of the set passes (`die ersten vier Felder der Feldgruppe G`).
    AllOf(FieldSet),
    /// `aus der Feldgruppe G als einziges Feld das Feld F`: `F` passes, no other field of `G`
    /// does.
    OnlyOf {
        group: Ref,
        field: Ref,
    },
}

/// Fields a quantified test or constraint ranges over.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldSet {
    Listed(Vec<Ref>),
    /// Every field inside the group, at any depth.
    Group(Ref),
    /// The group's first `n` fields, in document order.
    FirstOf {
        group: Ref,
        n: u32,
    },
    /// Every field inside the group except one (`mindestens ein weiteres Feld als F`).
    GroupExcept {
        group: Ref,
        except: Ref,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `befüllt ist`, `nicht leer`.
    Filled,
    /// `nicht befüllt ist`, `leer ist`.
    Empty,
    Compare {
        op: Op,
        value: Value,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `"wahr"`, `wahr`, `"falsch"`.
    Bool(bool),
    /// `""`: no answer.
    Empty,
    /// `001`, `02 "teilweise erfüllt"`.
    Code { code: String, label: Option<String> },
    /// Any other text in quotes.
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Days,
    Weeks,
    Months,
    Years,
}

/// An element named in a rule: `das Feld G00000283.G00001373.F00000522 "Tätigkeiten …"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    /// The ids as written; the last one is the element, the others its enclosing groups.
    pub path: Vec<String>,
    pub label: Option<String>,
    /// What the text calls it ("das Feld", "die Feldgruppe"), if anything.
    pub noun: Option<Noun>,
    /// Where it is in the rule text (bytes).
    pub span: Range<usize>,
}

impl Ref {
    /// The element's own FIM id.
    pub fn id(&self) -> &str {
        self.path.last().map(String::as_str).unwrap_or_default()
    }

    pub fn is_group_id(&self) -> bool {
        self.id().starts_with('G')
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noun {
    Field,
    Group,
}

impl RuleText {
    /// Every element reference, in text order.
    pub fn refs(&self) -> Vec<&Ref> {
        let mut out = Vec::new();
        for s in &self.statements {
            match s {
                Statement::If { when, then } => {
                    when.refs(&mut out);
                    out.extend(then.targets.iter());
                }
                Statement::AtLeastOne(set) => set.refs(&mut out),
                Statement::ExactlyOne(choices) => out.extend(choices.iter().flatten()),
                Statement::Repeat { field, .. } => out.push(field),
            }
        }
        out
    }
}

impl Condition {
    fn refs<'a>(&'a self, out: &mut Vec<&'a Ref>) {
        match self {
            Condition::Any(cs) | Condition::All(cs) => cs.iter().for_each(|c| c.refs(out)),
            Condition::Test { subject, .. } => match subject {
                Subject::Element(r) => out.push(r),
                Subject::AnyOf(set) | Subject::AllOf(set) => set.refs(out),
                Subject::OnlyOf { group, field } => out.extend([group, field]),
            },
            Condition::Since { field, .. } => out.push(field),
        }
    }
}

impl FieldSet {
    fn refs<'a>(&'a self, out: &mut Vec<&'a Ref>) {
        match self {
            FieldSet::Listed(rs) => out.extend(rs.iter()),
            FieldSet::Group(g) | FieldSet::FirstOf { group: g, .. } => out.push(g),
            FieldSet::GroupExcept { group, except } => out.extend([group, except]),
        }
    }
}

impl fmt::Display for RuleText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.statements.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statement::If { when, then } => write!(f, "if {when} then {then}"),
            Statement::AtLeastOne(set) => write!(f, "at least one of {set}"),
            Statement::ExactlyOne(choices) => {
                f.write_str("exactly one of ")?;
                for (i, c) in choices.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    if c.len() == 1 {
                        write!(f, "{}", c[0])?;
                    } else {
                        write!(f, "({})", join(c, " and "))?;
                    }
                }
                Ok(())
            }
            Statement::Repeat {
                field,
                max,
                distinct,
            } => {
                write!(f, "{field} at most {max} times")?;
                if *distinct {
                    f.write_str(", each entry once")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Consequence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let duty = match self.duty {
            Duty::Required => "required",
            Duty::Forbidden => "forbidden",
            Duty::Allowed => "allowed",
            Duty::NotRequired => "not required",
        };
        write!(f, "{duty} {}", join(&self.targets, ", "))
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Any(cs) | Condition::All(cs) => {
                let word = if matches!(self, Condition::Any(_)) {
                    " or "
                } else {
                    " and "
                };
                for (i, c) in cs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(word)?;
                    }
                    if matches!(c, Condition::Any(_) | Condition::All(_)) {
                        write!(f, "({c})")?;
                    } else {
                        write!(f, "{c}")?;
                    }
                }
                Ok(())
            }
            Condition::Test { subject, test } => write!(f, "{subject} {test}"),
            Condition::Since {
                field,
                op,
                amount,
                unit,
            } => {
                let unit = match unit {
                    Unit::Days => "days",
                    Unit::Weeks => "weeks",
                    Unit::Months => "months",
                    Unit::Years => "years",
                };
                write!(f, "today - {field} {op} {amount} {unit}")
            }
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Element(r) => write!(f, "{r}"),
            Subject::AnyOf(set) => write!(f, "any of {set}"),
            Subject::AllOf(set) => write!(f, "each of {set}"),
            Subject::OnlyOf { group, field } => write!(f, "only {field} of the fields of {group}"),
        }
    }
}

impl fmt::Display for FieldSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldSet::Listed(rs) => write!(f, "({})", join(rs, ", ")),
            FieldSet::Group(g) => write!(f, "the fields of {g}"),
            FieldSet::FirstOf { group, n } => write!(f, "the first {n} fields of {group}"),
            FieldSet::GroupExcept { group, except } => {
                write!(f, "the fields of {group} other than {except}")
            }
        }
    }
}

impl fmt::Display for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Test::Filled => f.write_str("filled"),
            Test::Empty => f.write_str("empty"),
            Test::Compare { op, value } => write!(f, "{op} {value}"),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "=",
            Op::Ne => "<>",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        })
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(true) => f.write_str("wahr"),
            Value::Bool(false) => f.write_str("falsch"),
            Value::Empty => f.write_str("\"\""),
            Value::Code { code, label: None } => f.write_str(code),
            Value::Code {
                code,
                label: Some(l),
            } => write!(f, "{code} \"{l}\""),
            Value::Text(t) => write!(f, "\"{t}\""),
        }
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path.join("."))
    }
}

fn join<T: fmt::Display>(items: &[T], sep: &str) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}
