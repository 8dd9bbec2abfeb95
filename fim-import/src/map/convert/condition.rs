//! A condition of a FIM rule as a condition of the form: tests of answers, of groups (answered
//! or not), of sets of fields, and of dates counted from today.

use form_model::Field;
use form_model::model::{Condition, FieldType};

use super::{Cx, Place};
use crate::map::logic::{Tri, all_of, answered, any_of, equals, norm, not};
use crate::rules::ast::{self, Op, Ref, Subject, Test, Unit};
use crate::text::one_line;
use crate::xdf::Datentyp;

impl Cx<'_, '_, '_> {
    pub(super) fn condition(&self, c: &ast::Condition) -> Result<Tri, String> {
        match c {
            ast::Condition::Any(cs) | ast::Condition::All(cs) => {
                let any = matches!(c, ast::Condition::Any(_));
                if let Some(t) = self.dates_together(cs, any)? {
                    return Ok(t);
                }
                let parts = cs
                    .iter()
                    .map(|c| self.condition(c))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Tri::combine(parts, any))
            }
            ast::Condition::Since {
                field,
                op,
                amount,
                unit,
            } => self.since(field, bits(*op), *amount, *unit),
            ast::Condition::Test { subject, test } => match subject {
                Subject::Element(r) => self.element_test(self.node(r), test),
                Subject::AnyOf(set) | Subject::AllOf(set) => {
                    let any = matches!(subject, Subject::AnyOf(_));
                    let parts = self
                        .members(set)?
                        .into_iter()
                        .map(|f| self.element_test(f, test))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Tri::combine(parts, any))
                }
                Subject::OnlyOf { group, field } => {
                    let f = self.node(field);
                    let others = self
                        .c
                        .tree
                        .fields_in(self.node(group))
                        .into_iter()
                        .filter(|&o| o != f)
                        .map(|o| self.element_test(o, test))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Tri::combine(
                        vec![
                            self.element_test(f, test)?,
                            Tri::combine(others, true).not(),
                        ],
                        false,
                    ))
                }
            },
        }
    }

    /// Tests of one date against the same distance from today, joined: „> 7 Tage oder = 7
    /// Tage“ is one test, `not-after: today-7d`.
    fn dates_together(&self, cs: &[ast::Condition], any: bool) -> Result<Option<Tri>, String> {
        let mut key = None;
        let mut acc: u8 = if any { 0 } else { 7 };
        for c in cs {
            let ast::Condition::Since {
                field,
                op,
                amount,
                unit,
            } = c
            else {
                return Ok(None);
            };
            let k = (self.node(field), *amount, *unit);
            if key.is_some_and(|x| x != k) {
                return Ok(None);
            }
            key = Some(k);
            acc = if any {
                acc | bits(*op)
            } else {
                acc & bits(*op)
            };
        }
        let Some((_, amount, unit)) = key else {
            return Ok(None);
        };
        let ast::Condition::Since { field, .. } = &cs[0] else {
            return Ok(None);
        };
        self.since(field, acc, amount, unit).map(Some)
    }

    /// `(aktuelles Datum - F) <op> n <unit>`, the op as [`bits`]: a test of the date F against
    /// `today-n<unit>`.
    fn since(&self, field: &Ref, ops: u8, amount: u32, unit: Unit) -> Result<Tri, String> {
        let q = self.question(self.node(field))?;
        let (n, u) = match unit {
            Unit::Days => (amount, 'd'),
            Unit::Weeks => (amount * 7, 'd'),
            Unit::Months => (amount, 'm'),
            Unit::Years => (amount, 'y'),
        };
        let bound = if n == 0 {
            "today".to_string()
        } else {
            format!("today-{n}{u}")
        };
        let test = |key: &str| -> Condition {
            serde_json::from_value(serde_json::json!({ "field": q, key: bound }))
                .expect("a date test")
        };
        // today - F < n  ⇔  F > today - n
        Ok(match ops {
            0 => Tri::Never,
            7 => Tri::Always,
            LT => Tri::When(test("after")),
            0b011 => Tri::When(test("not-before")),
            EQ => Tri::When(all_of(vec![test("not-before"), test("not-after")])),
            0b110 => Tri::When(test("not-after")),
            GT => Tri::When(test("before")),
            _ => Tri::When(norm(&any_of(vec![test("before"), test("after")]))),
        })
    }

    /// The question a field became.
    pub(super) fn question(&self, node: usize) -> Result<String, String> {
        match self.place(node) {
            Place::Question(q) => Ok(q),
            _ => Err(format!("{} is not a question of the form", self.id(node))),
        }
    }

    pub(super) fn field(&self, id: &str) -> Option<&Field> {
        self.c
            .form
            .steps
            .iter()
            .flat_map(|s| s.fields.iter())
            .flat_map(|f| std::iter::once(f).chain(f.fields.iter()))
            .find(|f| f.id == id)
    }

    /// A test of one element: filled, empty, or a comparison with a value.
    fn element_test(&self, node: usize, test: &Test) -> Result<Tri, String> {
        let n = self.c.tree.node(node);
        if n.field().is_none() {
            let qs = self.questions_of(node);
            if qs.is_empty() {
                return Err(format!("{} is not in the form", n.id()));
            }
            return match test {
                Test::Filled => Ok(Tri::When(answered(qs))),
                Test::Empty => Ok(Tri::When(not(answered(qs)))),
                Test::Compare { .. } => Err(format!("{} is a group; it has no value", n.id())),
            };
        }
        let q = self.question(node)?;
        let (op, value) = match test {
            Test::Filled => return Ok(Tri::When(answered(vec![q]))),
            Test::Empty => return Ok(Tri::When(not(answered(vec![q])))),
            Test::Compare { op, value } => (*op, value),
        };
        let eq = match op {
            Op::Eq => true,
            Op::Ne => false,
            _ => {
                return Err(format!(
                    "the form language compares answers only with = and <> ({q} {op} {value})"
                ));
            }
        };
        let f = self
            .field(&q)
            .ok_or_else(|| format!("`{q}` is not in the form"))?;
        let is = match value {
            ast::Value::Empty => Tri::When(not(answered(vec![q]))),
            ast::Value::Bool(b) => {
                let fim_yes_no = n.field().is_some_and(|x| x.datentyp == Datentyp::Bool);
                if !fim_yes_no {
                    // FIM tests every field of a group for "wahr"; a text field never is.
                    Tri::Never
                } else if f.kind == FieldType::Checkboxes {
                    let ticked = Tri::When(equals(&q, "ja"));
                    if *b { ticked } else { ticked.not() }
                } else {
                    Tri::When(equals(&q, if *b { "ja" } else { "nein" }))
                }
            }
            ast::Value::Code { code, .. } => match f.options.iter().find(|o| &o.value == code) {
                Some(o) => Tri::When(equals(&q, &o.value)),
                None => return Err(format!("`{q}` has no option {code}")),
            },
            ast::Value::Text(t) => {
                let by_label = f.options.iter().find(|o| {
                    o.label
                        .get("de")
                        .is_some_and(|l| one_line(l) == one_line(t))
                });
                match by_label {
                    Some(o) => Tri::When(equals(&q, &o.value)),
                    None => {
                        return Err(format!(
                            "`{q}` is compared with the text „{t}“, which the form language cannot test"
                        ));
                    }
                }
            }
        };
        Ok(if eq { is } else { is.not() })
    }
}

const LT: u8 = 0b001;
const EQ: u8 = 0b010;
const GT: u8 = 0b100;

/// A comparison as the set of outcomes it accepts (less, equal, greater), so that tests of one
/// value can be joined by `|` (or) and `&` (and).
fn bits(op: Op) -> u8 {
    match op {
        Op::Lt => LT,
        Op::Le => LT | EQ,
        Op::Eq => EQ,
        Op::Ge => GT | EQ,
        Op::Gt => GT,
        Op::Ne => LT | GT,
    }
}
