//! A FIM rule that was read becomes `show-if` / `required-if` on the elements it names
//! (docs/fim.md, "Rules become conditions").
//!
//! "Required when C" is `required-if: C`; "forbidden when D" is `show-if: { not: D }` (a hidden
//! question must be left empty); both together, with D the negation of C, are one `show-if: C`
//! and `required: true`. "At least one of A, B" and "exactly one of A, B" become `required-if`
//! (and `show-if`) with `answered`. A step, a `group` field or a question takes the keys itself;
//! a dissolved group passes them to its questions (`required` to those FIM requires in it).
//! Whatever cannot be said this way is an error in words, and the rule stays a comment.
//! How a rule's condition becomes a condition of the form: `condition`.

mod condition;

use std::collections::HashMap;

use form_model::model::{Condition, FieldType, Form};

use super::logic::{Tri, all_of, answered, negate, norm, not, same};
use crate::rules::ast::{Duty, FieldSet, Ref, RuleText, Statement};
use crate::rules::{Resolved, Tree};
use crate::xdf::Element;

/// One change a rule makes to the form.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Edit {
    /// `show-if` on a step (joined with `all` to one it has).
    StepShowIf(String, Condition),
    /// `show-if` on a question.
    ShowIf(String, Condition),
    /// `required: true` on a question.
    Require(String),
    /// `required-if` on a question (joined with `any` to one it has).
    RequireIf(String, Condition),
    /// `max-selected` on a checkboxes question.
    MaxSelected(String, u32),
}

/// Where an element of the schema went.
enum Place {
    Question(String),
    Step(String),
    Dissolved,
    Absent,
}

pub(super) struct Converter<'a, 's> {
    pub(super) tree: &'a Tree<'s>,
    /// Element occurrence (uid) → `` `id` `` or `` step `id` `` (see `Mapper::yaml_of`).
    pub(super) yaml_of: &'a HashMap<usize, String>,
    pub(super) form: &'a Form,
}

/// What the statements of a rule say about one element.
#[derive(Default)]
struct Duties {
    required: Vec<Condition>,
    forbidden: Vec<Condition>,
    allowed: bool,
    not_required: Vec<Condition>,
}

impl Converter<'_, '_> {
    /// The edits that say `text` (read and resolved) in the form, or why it cannot be said.
    pub(super) fn rule(&self, text: &RuleText, resolved: &Resolved) -> Result<Vec<Edit>, String> {
        let at: HashMap<usize, usize> = text
            .refs()
            .iter()
            .zip(&resolved.nodes)
            .map(|(r, &n)| (r.span.start, n))
            .collect();
        let cx = Cx { c: self, at };
        let mut edits = Vec::new();
        let mut duties: Vec<(usize, Duties)> = Vec::new();
        for s in &text.statements {
            match s {
                Statement::If { when, then } => {
                    let when = match cx.condition(when)? {
                        Tri::When(c) => c,
                        Tri::Always => return Err(format!("the condition of `{s}` always holds")),
                        Tri::Never => return Err(format!("the condition of `{s}` never holds")),
                    };
                    for t in &then.targets {
                        let node = cx.node(t);
                        let i = match duties.iter().position(|(n, _)| *n == node) {
                            Some(i) => i,
                            None => {
                                duties.push((node, Duties::default()));
                                duties.len() - 1
                            }
                        };
                        let d = &mut duties[i].1;
                        match then.duty {
                            Duty::Required => d.required.push(when.clone()),
                            Duty::Forbidden => d.forbidden.push(when.clone()),
                            Duty::Allowed => d.allowed = true,
                            Duty::NotRequired => d.not_required.push(when.clone()),
                        }
                    }
                }
                Statement::AtLeastOne(set) => {
                    let members = cx.members(set)?;
                    for (i, &m) in members.iter().enumerate() {
                        let others = cx.questions_except(&members, i);
                        edits.extend(cx.require_if(m, not(answered(others)))?);
                    }
                }
                Statement::ExactlyOne(choices) => {
                    let members: Vec<Vec<usize>> = choices
                        .iter()
                        .map(|c| c.iter().map(|r| cx.node(r)).collect())
                        .collect();
                    for (i, choice) in members.iter().enumerate() {
                        let others: Vec<usize> = members
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != i)
                            .flat_map(|(_, c)| c.iter().copied())
                            .collect();
                        let earlier: Vec<usize> = members[..i].iter().flatten().copied().collect();
                        let other_questions = cx.questions(&others);
                        let earlier_questions = cx.questions(&earlier);
                        for &m in choice {
                            edits.extend(cx.require_if(m, not(answered(other_questions.clone())))?);
                            if !earlier_questions.is_empty() {
                                edits.extend(
                                    cx.show_if(m, not(answered(earlier_questions.clone())))?,
                                );
                            }
                        }
                    }
                }
                Statement::Repeat { field, max, .. } => {
                    // Checkboxes are each ticked once; how many: max-selected.
                    let q = cx.question(cx.node(field))?;
                    match cx.field(&q) {
                        Some(f) if f.kind == FieldType::Checkboxes => {
                            edits.push(Edit::MaxSelected(q, *max))
                        }
                        _ => {
                            return Err(format!(
                                "`{q}` is not a checkboxes question; the form language has no repeated single question"
                            ));
                        }
                    }
                }
            }
        }
        for (node, d) in duties {
            edits.extend(cx.duties(node, d)?);
        }
        Ok(edits)
    }
}

/// A converter looking at one rule, with the node of each of its references.
struct Cx<'c, 'a, 's> {
    c: &'c Converter<'a, 's>,
    at: HashMap<usize, usize>,
}

impl Cx<'_, '_, '_> {
    fn node(&self, r: &Ref) -> usize {
        self.at[&r.span.start]
    }

    fn id(&self, node: usize) -> String {
        self.c.tree.node(node).id().to_string()
    }

    fn place(&self, node: usize) -> Place {
        let n = self.c.tree.node(node);
        match self.c.yaml_of.get(&self.c.tree.uid(node)) {
            Some(y) if y.starts_with("step `") => Place::Step(y[6..y.len() - 1].to_string()),
            Some(y) => Place::Question(y.trim_matches('`').to_string()),
            None if matches!(n.element, Element::Group(_)) => Place::Dissolved,
            None => Place::Absent,
        }
    }

    fn children(&self, node: usize) -> Vec<usize> {
        self.c
            .tree
            .iter()
            .filter(|(_, n)| n.parent == Some(node))
            .map(|(i, _)| i)
            .collect()
    }

    /// The questions an element is in the form: itself, a step's or a dissolved group's.
    fn questions_of(&self, node: usize) -> Vec<String> {
        match self.place(node) {
            Place::Question(q) => vec![q],
            Place::Step(s) => self
                .c
                .form
                .steps
                .iter()
                .find(|st| st.id == s)
                .map(|st| st.questions().map(|f| f.id.clone()).collect())
                .unwrap_or_default(),
            Place::Dissolved => self
                .children(node)
                .into_iter()
                .flat_map(|c| self.questions_of(c))
                .collect(),
            Place::Absent => Vec::new(),
        }
    }

    fn questions(&self, nodes: &[usize]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for q in nodes.iter().flat_map(|&n| self.questions_of(n)) {
            if !out.contains(&q) {
                out.push(q);
            }
        }
        out
    }

    fn questions_except(&self, nodes: &[usize], i: usize) -> Vec<String> {
        let others: Vec<usize> = nodes
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, &n)| n)
            .collect();
        self.questions(&others)
    }

    /// The questions a group's being required makes required: those FIM requires in it.
    fn required_inside(&self, node: usize) -> Vec<String> {
        let mut out = Vec::new();
        for c in self.children(node) {
            if self.c.tree.node(c).anzahl.min == 0 {
                continue;
            }
            match self.place(c) {
                Place::Question(q) => out.push(q),
                Place::Dissolved => out.extend(self.required_inside(c)),
                Place::Step(_) | Place::Absent => {}
            }
        }
        out
    }

    /// The questions that carry "`node` is required", each with the condition under which it
    /// is (`None`: whenever `node` is). A step or dissolved group is required through the
    /// questions FIM requires in it; when it has none, it is answered when any of its questions
    /// is, so each is required while the others are unanswered.
    fn required_targets(&self, node: usize) -> Result<Vec<(String, Option<Condition>)>, String> {
        let out = match self.place(node) {
            Place::Question(q) => vec![(q, None)],
            Place::Absent => return Err(format!("{} is not in the form", self.id(node))),
            Place::Step(_) | Place::Dissolved => {
                let inside = self.required_inside(node);
                if inside.is_empty() {
                    let all = self.questions_of(node);
                    all.iter()
                        .map(|q| {
                            let others: Vec<String> =
                                all.iter().filter(|o| *o != q).cloned().collect();
                            let when = (!others.is_empty()).then(|| not(answered(others)));
                            (q.clone(), when)
                        })
                        .collect()
                } else {
                    inside.into_iter().map(|q| (q, None)).collect()
                }
            }
        };
        if out.is_empty() {
            return Err(format!("{} has no question in the form", self.id(node)));
        }
        Ok(out)
    }

    fn require(&self, node: usize) -> Result<Vec<Edit>, String> {
        Ok(self
            .required_targets(node)?
            .into_iter()
            .map(|(q, when)| match when {
                None => Edit::Require(q),
                Some(w) => Edit::RequireIf(q, w),
            })
            .collect())
    }

    fn require_if(&self, node: usize, c: Condition) -> Result<Vec<Edit>, String> {
        Ok(self
            .required_targets(node)?
            .into_iter()
            .map(|(q, when)| match when {
                None => Edit::RequireIf(q, c.clone()),
                Some(w) => Edit::RequireIf(q, norm(&all_of(vec![c.clone(), w]))),
            })
            .collect())
    }

    fn show_if(&self, node: usize, c: Condition) -> Result<Vec<Edit>, String> {
        match self.place(node) {
            Place::Step(s) => Ok(vec![Edit::StepShowIf(s, c)]),
            _ => {
                let qs = self.questions_of(node);
                if qs.is_empty() {
                    return Err(format!("{} is not in the form", self.id(node)));
                }
                Ok(qs.into_iter().map(|q| Edit::ShowIf(q, c.clone())).collect())
            }
        }
    }

    /// "Required when C" and "forbidden when D" about one element.
    fn duties(&self, node: usize, d: Duties) -> Result<Vec<Edit>, String> {
        let required = (!d.required.is_empty()).then(|| one(d.required, true));
        if !d.not_required.is_empty() {
            // "Need not be filled when D" is what an optional question is anyway; it only
            // fits as the other side of "required when not D".
            let optional = negate(&one(d.not_required, true));
            if !required.as_ref().is_some_and(|r| same(r, &optional)) {
                return Err(format!(
                    "\"{} need not be filled\" is not the other side of when it is required",
                    self.id(node)
                ));
            }
        }
        let shown = (!d.forbidden.is_empty()).then(|| negate(&one(d.forbidden, true)));
        let mut edits = Vec::new();
        match (required, shown) {
            (Some(r), Some(s)) if same(&r, &s) => {
                edits.extend(self.show_if(node, s)?);
                edits.extend(self.require(node)?);
            }
            (Some(r), Some(s)) => {
                edits.extend(self.show_if(node, s)?);
                edits.extend(self.require_if(node, r)?);
            }
            (Some(r), None) => edits.extend(self.require_if(node, r)?),
            (None, Some(s)) => edits.extend(self.show_if(node, s)?),
            (None, None) => {
                debug_assert!(d.allowed);
                return Err(format!(
                    "\"{} may be filled\" alone says nothing the form can check",
                    self.id(node)
                ));
            }
        }
        Ok(edits)
    }

    /// The elements a constraint ranges over.
    fn members(&self, set: &FieldSet) -> Result<Vec<usize>, String> {
        Ok(match set {
            FieldSet::Listed(rs) => rs.iter().map(|r| self.node(r)).collect(),
            FieldSet::Group(g) => self.children(self.node(g)),
            FieldSet::FirstOf { group, n } => self
                .c
                .tree
                .child_fields(self.node(group))
                .into_iter()
                .take(*n as usize)
                .collect(),
            FieldSet::GroupExcept { group, except } => {
                let ex = self.node(except);
                self.c
                    .tree
                    .fields_in(self.node(group))
                    .into_iter()
                    .filter(|&f| f != ex)
                    .collect()
            }
        })
    }
}

/// Several conditions of one duty: the duty holds when any of them does.
fn one(mut cs: Vec<Condition>, any: bool) -> Condition {
    if cs.len() == 1 {
        return cs.pop().expect("one");
    }
    if any {
        norm(&super::logic::any_of(cs))
    } else {
        norm(&all_of(cs))
    }
}
