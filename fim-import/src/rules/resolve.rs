//! Which schema element each reference of a read rule means (looked up in the [`Tree`]), and
//! whether what the rule compares is a possible answer of that element.

use std::collections::HashMap;

use super::ast::*;
use super::tree::{Node, Tree};
use crate::text::one_line;
use crate::xdf::CodeLists;
use crate::xdf::{Code, Codes, Datentyp, Element, Field};

/// A rule whose every reference was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// For each reference of [`RuleText::refs`], in the same order: its node in the [`Tree`].
    pub nodes: Vec<usize>,
    /// Things a person may want to check that do not stop the rule from being read: labels in
    /// the rule that differ from the element's, a field called a group.
    pub notes: Vec<String>,
}

/// Finds every element `text` names and checks what it says about them. `owner` is the node
/// of the element carrying the rule (`None`: the schema). Errors are the problems found, each a
/// sentence.
pub fn resolve(
    text: &RuleText,
    owner: Option<usize>,
    tree: &Tree,
    codelists: &CodeLists,
) -> Result<Resolved, Vec<String>> {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let mut nodes = Vec::new();
    let mut at_span: HashMap<usize, usize> = HashMap::new();
    for r in text.refs() {
        match tree.find(r, owner) {
            Ok(at) => {
                nodes.push(at);
                at_span.insert(r.span.start, at);
                check_words(r, tree.node(at), &mut notes);
            }
            Err(e) => {
                if !problems.contains(&e) {
                    problems.push(e);
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut c = Checker {
        tree,
        codelists,
        at_span,
        problems,
        notes,
    };
    for s in &text.statements {
        c.statement(s);
    }
    if c.problems.is_empty() {
        Ok(Resolved {
            nodes,
            notes: c.notes,
        })
    } else {
        Err(c.problems)
    }
}

/// The label and the noun the rule uses, against the element's.
fn check_words(r: &Ref, node: &Node, notes: &mut Vec<String>) {
    let is_group = matches!(node.element, Element::Group(_));
    let mut found = Vec::new();
    match r.noun {
        Some(Noun::Field) if is_group => {
            found.push(format!("{r} is called a field („Feld“) but is a group"))
        }
        Some(Noun::Group) if !is_group => found.push(format!(
            "{r} is called a group („Feldgruppe“) but is a field"
        )),
        _ => {}
    }
    if let Some(label) = &r.label {
        let names = node.names();
        if !names.iter().any(|n| same_words(n, label)) {
            found.push(format!(
                "{r} is called „{label}“ in the rule, „{}“ in the schema",
                one_line(names[0])
            ));
        }
    }
    for n in found {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
}

fn same_words(a: &str, b: &str) -> bool {
    one_line(a) == one_line(b)
}

struct Checker<'t, 's> {
    tree: &'t Tree<'s>,
    codelists: &'t CodeLists,
    at_span: HashMap<usize, usize>,
    problems: Vec<String>,
    notes: Vec<String>,
}

impl Checker<'_, '_> {
    fn at(&self, r: &Ref) -> usize {
        self.at_span[&r.span.start]
    }

    fn problem(&mut self, p: String) {
        if !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }

    fn note(&mut self, n: String) {
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    fn statement(&mut self, s: &Statement) {
        match s {
            Statement::If { when, .. } => self.condition(when),
            Statement::AtLeastOne(set) => {
                self.set(set);
            }
            Statement::ExactlyOne(_) => {}
            Statement::Repeat { field, max, .. } => {
                let at = self.at(field);
                let node = self.tree.node(at);
                if node.field().is_none() {
                    self.problem(format!("{field} is a group; only a field has entries"));
                } else if node.anzahl.max != Some(*max) {
                    self.note(format!(
                        "{field} may have at most {max} entries by the rule, {} by its cardinality",
                        node.anzahl.show()
                    ));
                }
            }
        }
    }

    fn condition(&mut self, c: &Condition) {
        match c {
            Condition::Any(cs) | Condition::All(cs) => cs.iter().for_each(|c| self.condition(c)),
            Condition::Since { field, .. } => {
                let at = self.at(field);
                match self.tree.node(at).field() {
                    Some(f) if f.datentyp == Datentyp::Date => {}
                    Some(f) => self.problem(format!(
                        "{field} is not a date (datentyp {}); the rule counts days from it",
                        f.datentyp.code()
                    )),
                    None => self.problem(format!(
                        "{field} is a group; the rule counts days from it as from a date"
                    )),
                }
            }
            Condition::Test { subject, test } => {
                let fields = match subject {
                    Subject::Element(r) => {
                        let at = self.at(r);
                        if self.tree.node(at).field().is_none() {
                            if matches!(test, Test::Compare { .. }) {
                                self.problem(format!(
                                    "{r} is a group; a group has no value to compare"
                                ));
                            }
                            return;
                        }
                        vec![at]
                    }
                    Subject::AnyOf(set) | Subject::AllOf(set) => self.set(set),
                    Subject::OnlyOf { group, field } => {
                        let g = self.at(group);
                        let f = self.at(field);
                        if !self.is_group(group, g) {
                            return;
                        }
                        if !self.tree.within(f, g) {
                            self.problem(format!("{field} is not inside {group}"));
                            return;
                        }
                        self.tree.fields_in(g)
                    }
                };
                if let Test::Compare { op, value } = test {
                    self.compare(subject, &fields, *op, value);
                }
            }
        }
    }

    fn is_group(&mut self, r: &Ref, at: usize) -> bool {
        if self.tree.node(at).field().is_some() {
            self.problem(format!("{r} is a field, not a group of fields"));
            false
        } else {
            true
        }
    }

    /// The fields a set means (empty after a problem).
    fn set(&mut self, set: &FieldSet) -> Vec<usize> {
        match set {
            FieldSet::Listed(rs) => rs.iter().map(|r| self.at(r)).collect(),
            FieldSet::Group(g) => {
                let at = self.at(g);
                if !self.is_group(g, at) {
                    return Vec::new();
                }
                let fields = self.tree.fields_in(at);
                if fields.is_empty() {
                    self.problem(format!("{g} holds no fields"));
                }
                fields
            }
            FieldSet::FirstOf { group, n } => {
                let at = self.at(group);
                if !self.is_group(group, at) {
                    return Vec::new();
                }
                let fields = self.tree.child_fields(at);
                if fields.len() < *n as usize {
                    self.problem(format!(
                        "{group} holds {} fields directly, not the {n} the rule names",
                        fields.len()
                    ));
                    return Vec::new();
                }
                fields.into_iter().take(*n as usize).collect()
            }
            FieldSet::GroupExcept { group, except } => {
                let at = self.at(group);
                let ex = self.at(except);
                if !self.is_group(group, at) {
                    return Vec::new();
                }
                if !self.tree.within(ex, at) {
                    self.problem(format!("{except} is not inside {group}"));
                    return Vec::new();
                }
                self.tree
                    .fields_in(at)
                    .into_iter()
                    .filter(|&f| f != ex)
                    .collect()
            }
        }
    }

    /// Whether `value` can be an answer of the fields compared with it. For a single field a
    /// mismatch is a problem; over a set of fields only the fields of the right kind count,
    /// and a problem arises when there are none.
    fn compare(&mut self, subject: &Subject, fields: &[usize], op: Op, value: &Value) {
        if fields.is_empty() {
            // The set itself was the problem, and is reported.
            return;
        }
        let single = matches!(subject, Subject::Element(_));
        let mut fitting = 0;
        let mut misfits = Vec::new();
        for &at in fields {
            let f = self.tree.node(at).field().expect("fields only");
            match self.fits(f, op, value) {
                Ok(()) => fitting += 1,
                Err(why) => misfits.push(why),
            }
        }
        if single {
            for m in misfits {
                self.problem(m);
            }
        } else if fitting == 0 {
            self.problem(format!(
                "no field of {subject} can be compared with {op} {value}: {}",
                misfits.join("; ")
            ));
        } else if !misfits.is_empty() {
            misfits.dedup();
            self.note(format!(
                "{subject} {op} {value} can only hold for {fitting} of its {} fields: {}",
                fields.len(),
                misfits.join("; ")
            ));
        }
    }

    fn fits(&mut self, f: &Field, op: Op, value: &Value) -> Result<(), String> {
        let ordered = !matches!(op, Op::Eq | Op::Ne);
        let number = matches!(
            f.datentyp,
            Datentyp::Num | Datentyp::NumInt | Datentyp::NumCurrency
        );
        match value {
            Value::Empty if ordered => Err(format!("{op} \"\" compares nothing")),
            Value::Empty => Ok(()),
            Value::Bool(_) if ordered => Err(format!("{op} on a yes/no answer")),
            Value::Bool(_) if f.datentyp == Datentyp::Bool => Ok(()),
            Value::Bool(_) => Err(format!(
                "{} „{}“ is not a yes/no field (datentyp {})",
                f.id,
                one_line(&f.name),
                f.datentyp.code()
            )),
            Value::Code { code, label } => match self.codes(f)? {
                Some(codes) => {
                    if ordered {
                        return Err(format!("{op} on a code of {}", f.id));
                    }
                    let Some(c) = codes.iter().find(|c| &c.value == code) else {
                        let all: Vec<&str> = codes.iter().map(|c| c.value.as_str()).collect();
                        return Err(format!(
                            "{code} is not a code of {}'s list ({})",
                            f.id,
                            all.join(", ")
                        ));
                    };
                    if let Some(l) = label
                        && !same_words(&c.label, l)
                    {
                        self.note(format!(
                            "code {code} of {} is „{}“ in its code list, „{l}“ in the rule",
                            f.id,
                            one_line(&c.label)
                        ));
                    }
                    Ok(())
                }
                None if number && label.is_none() && code.parse::<f64>().is_ok() => Ok(()),
                None => Err(format!(
                    "{} has no code list; {code} cannot be its answer",
                    f.id
                )),
            },
            Value::Text(t) => match self.codes(f)? {
                Some(codes) if codes.iter().any(|c| same_words(&c.label, t)) && !ordered => Ok(()),
                Some(_) => Err(format!("„{t}“ is not a value of {}'s code list", f.id)),
                None if matches!(f.datentyp, Datentyp::Text | Datentyp::TextLatin) => Ok(()),
                None => Err(format!(
                    "{} is not a text field (datentyp {})",
                    f.id,
                    f.datentyp.code()
                )),
            },
        }
    }

    /// The field's code values as the form offers them (historic and internal entries left out,
    /// so a rule that names one is reported, not converted); `None` for a field without a code
    /// list.
    fn codes(&self, f: &Field) -> Result<Option<Vec<Code>>, String> {
        match &f.codes {
            None => Ok(None),
            Some(Codes::Inline(v)) => Ok(Some(v.clone())),
            Some(Codes::Reference(r)) => match self.codelists.find(r) {
                Some(list) => list
                    .codes(r)
                    .map(|selection| Some(selection.codes))
                    .map_err(|e| format!("the code list of {} cannot be read: {e}", f.id)),
                None => Err(format!(
                    "the code list of {} ({}) is not in the code list folder",
                    f.id,
                    r.describe()
                )),
            },
        }
    }
}
