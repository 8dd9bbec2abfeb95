//! Evaluating `show-if` conditions. The page's script evaluates the same data with the same
//! rules: a field's condition sees only answers of fields that are themselves shown (hidden
//! fields count as unanswered), and conditions refer only to earlier option fields.

use crate::msg;
use crate::msg::Msg;
use serde_json::{Map, Value};
use time::Date;

use crate::model::Condition;
use crate::rules::{DateExpr, parse_date};
use crate::validate::is_answered;

/// How a date answer is compared with a date bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTest {
    After,
    Before,
    NotBefore,
    NotAfter,
}

impl DateTest {
    /// The key written in YAML.
    pub fn key(self) -> &'static str {
        match self {
            DateTest::After => "after",
            DateTest::Before => "before",
            DateTest::NotBefore => "not-before",
            DateTest::NotAfter => "not-after",
        }
    }
}

/// The one shape a well-formed condition has.
#[derive(Debug, Clone, Copy)]
pub enum Shape<'a> {
    Equals(&'a str, &'a str),
    In(&'a str, &'a [String]),
    /// A date answer compared with a bound (`2024-01-01`, `today-7d`).
    Date(&'a str, DateTest, &'a str),
    /// At least one of these is answered.
    Answered(&'a [String]),
    /// Exactly one of these is answered.
    ExactlyOne(&'a [String]),
    All(&'a [Condition]),
    Any(&'a [Condition]),
    Not(&'a Condition),
}

const SHAPES: &str = "{ field, equals }, { field, in }, { field, after / before / not-before / not-after }, { answered }, { exactly-one }, { all }, { any }, { not }";

impl Condition {
    /// The condition's shape, or a plain description of what is wrong with it.
    pub fn shape(&self) -> Result<Shape<'_>, Msg> {
        let c = self;
        let dates = [
            (DateTest::After, &c.after),
            (DateTest::Before, &c.before),
            (DateTest::NotBefore, &c.not_before),
            (DateTest::NotAfter, &c.not_after),
        ];
        let date = dates
            .iter()
            .find_map(|(t, v)| v.as_deref().map(|v| (*t, v)));
        let standalone = usize::from(c.all.is_some())
            + usize::from(c.any.is_some())
            + usize::from(c.not.is_some())
            + usize::from(c.answered.is_some())
            + usize::from(c.exactly_one.is_some());
        let tests = usize::from(c.equals.is_some())
            + usize::from(c.one_of.is_some())
            + dates.iter().filter(|(_, v)| v.is_some()).count();
        match (standalone, tests, &c.field) {
            (0, 1, Some(field)) => Ok(match (&c.equals, &c.one_of, date) {
                (Some(v), _, _) => Shape::Equals(field, v),
                (_, Some(vs), _) => Shape::In(field, vs),
                (_, _, Some((t, v))) => Shape::Date(field, t, v),
                _ => unreachable!("exactly one test is set"),
            }),
            (0, 0, Some(_)) => Err(msg!("condition-without-test")),
            (0, _, None) if tests > 0 => Err(msg!(
                "condition-test-without-field",
                key = c.test_key().unwrap_or("equals")
            )),
            (0, _, Some(_)) => Err(msg!("condition-two-tests")),
            (1, 0, None) => Ok(if let Some(all) = &c.all {
                Shape::All(all)
            } else if let Some(any) = &c.any {
                Shape::Any(any)
            } else if let Some(names) = &c.answered {
                Shape::Answered(names.as_slice())
            } else if let Some(names) = &c.exactly_one {
                Shape::ExactlyOne(names)
            } else {
                Shape::Not(c.not.as_deref().expect("one combinator is set"))
            }),
            (0, 0, None) => Err(msg!("condition-empty", shapes = SHAPES)),
            _ => Err(msg!("condition-two-shapes", shapes = SHAPES)),
        }
    }

    fn test_key(&self) -> Option<&'static str> {
        [
            ("equals", self.equals.is_some()),
            ("in", self.one_of.is_some()),
            ("after", self.after.is_some()),
            ("before", self.before.is_some()),
            ("not-before", self.not_before.is_some()),
            ("not-after", self.not_after.is_some()),
        ]
        .into_iter()
        .find_map(|(k, set)| set.then_some(k))
    }

    /// Whether the condition holds for the answers given so far (hidden fields absent) on the
    /// day `today` (the German date, for dates relative to today). Malformed conditions never
    /// hold; the lint reports them before any form is published.
    pub fn holds(&self, answers: &Map<String, Value>, today: Date) -> bool {
        let answered = |id: &String| answers.get(id).is_some_and(is_answered);
        match self.shape() {
            Ok(Shape::Equals(field, value)) => answer_matches(answers.get(field), |a| a == value),
            Ok(Shape::In(field, values)) => {
                answer_matches(answers.get(field), |a| values.iter().any(|v| v == a))
            }
            Ok(Shape::Date(field, test, bound)) => {
                let answer = answers
                    .get(field)
                    .and_then(Value::as_str)
                    .and_then(parse_date);
                match (answer, DateExpr::parse(bound).map(|b| b.on(today))) {
                    (Some(d), Some(b)) => match test {
                        DateTest::After => d > b,
                        DateTest::Before => d < b,
                        DateTest::NotBefore => d >= b,
                        DateTest::NotAfter => d <= b,
                    },
                    _ => false,
                }
            }
            Ok(Shape::Answered(ids)) => ids.iter().any(answered),
            Ok(Shape::ExactlyOne(ids)) => ids.iter().filter(|id| answered(id)).count() == 1,
            Ok(Shape::All(cs)) => cs.iter().all(|c| c.holds(answers, today)),
            Ok(Shape::Any(cs)) => cs.iter().any(|c| c.holds(answers, today)),
            Ok(Shape::Not(c)) => !c.holds(answers, today),
            Err(_) => false,
        }
    }

    /// Fields this condition refers to, with their YAML sub-path (for diagnostics).
    pub fn references(&self, path: &str, out: &mut Vec<(String, String)>) {
        if let Some(field) = &self.field {
            out.push((field.clone(), format!("{path}.field")));
        }
        if let Some(names) = &self.answered {
            match names {
                crate::model::Names::One(id) => out.push((id.clone(), format!("{path}.answered"))),
                crate::model::Names::Many(ids) => out.extend(
                    ids.iter()
                        .enumerate()
                        .map(|(i, id)| (id.clone(), format!("{path}.answered[{i}]"))),
                ),
            }
        }
        for (i, id) in self.exactly_one.iter().flatten().enumerate() {
            out.push((id.clone(), format!("{path}.exactly-one[{i}]")));
        }
        for (key, list) in [("all", &self.all), ("any", &self.any)] {
            for (i, c) in list.iter().flatten().enumerate() {
                c.references(&format!("{path}.{key}[{i}]"), out);
            }
        }
        if let Some(c) = &self.not {
            c.references(&format!("{path}.not"), out);
        }
    }
}

/// A single answer matches, or (checkboxes) any ticked option matches.
fn answer_matches(answer: Option<&Value>, test: impl Fn(&str) -> bool) -> bool {
    match answer {
        Some(Value::String(s)) => test(s),
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str().is_some_and(&test)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cond(yaml: &str) -> Condition {
        serde_yaml::from_str(yaml).unwrap()
    }

    fn answers(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    impl Condition {
        fn holds_today(&self, answers: &Map<String, Value>) -> bool {
            let today = Date::from_calendar_date(2026, time::Month::March, 10).unwrap();
            self.holds(answers, today)
        }
    }

    #[test]
    fn equals_on_radios_and_checkboxes() {
        let c = cond("{ field: gefaehrlich, equals: ja }");
        assert!(c.holds_today(&answers(json!({"gefaehrlich": "ja"}))));
        assert!(!c.holds_today(&answers(json!({"gefaehrlich": "nein"}))));
        assert!(!c.holds_today(&answers(json!({}))));
        let c = cond("{ field: klassen, equals: B }");
        assert!(c.holds_today(&answers(json!({"klassen": ["A1", "B"]}))));
        assert!(!c.holds_today(&answers(json!({"klassen": ["A1"]}))));
    }

    #[test]
    fn combinators_nest() {
        let c = cond("{ all: [ { field: a, in: [x, y] }, { not: { field: b, equals: z } } ] }");
        assert!(c.holds_today(&answers(json!({"a": "y", "b": "w"}))));
        assert!(!c.holds_today(&answers(json!({"a": "y", "b": "z"}))));
        let c = cond("{ any: [ { field: a, equals: x }, { field: b, equals: z } ] }");
        assert!(c.holds_today(&answers(json!({"b": "z"}))));
        assert!(!c.holds_today(&answers(json!({}))));
    }

    #[test]
    fn answered_means_any_of_the_questions_has_an_answer() {
        let c = cond("{ answered: [strasse, plz] }");
        assert!(c.holds_today(&answers(json!({"plz": "35390"}))));
        assert!(!c.holds_today(&answers(json!({"strasse": " "}))));
        let c = cond("{ answered: anschrift }");
        assert!(c.holds_today(&answers(json!({"anschrift": {"ort": "Gießen"}}))));
        assert!(!c.holds_today(&answers(json!({"anschrift": {"ort": ""}}))));
        let c = cond("{ exactly-one: [a, b] }");
        assert!(c.holds_today(&answers(json!({"a": "x"}))));
        assert!(!c.holds_today(&answers(json!({"a": "x", "b": ["y"]}))));
        assert!(!c.holds_today(&answers(json!({}))));
    }

    #[test]
    fn dates_are_compared_with_bounds_relative_to_today() {
        // Today is 2026-03-10: today-7d is 2026-03-03.
        let after = cond("{ field: beginn, after: today-7d }");
        assert!(after.holds_today(&answers(json!({"beginn": "2026-03-04"}))));
        assert!(!after.holds_today(&answers(json!({"beginn": "2026-03-03"}))));
        assert!(!after.holds_today(&answers(json!({}))));
        let not_after = cond("{ field: beginn, not-after: today-7d }");
        assert!(not_after.holds_today(&answers(json!({"beginn": "2026-03-03"}))));
        let before = cond("{ field: beginn, before: 2020-01-01 }");
        assert!(before.holds_today(&answers(json!({"beginn": "2019-12-31"}))));
        assert!(!before.holds_today(&answers(json!({"beginn": "2020-01-01"}))));
        let not_before = cond("{ field: beginn, not-before: today }");
        assert!(not_before.holds_today(&answers(json!({"beginn": "2026-03-10"}))));
        assert!(!not_before.holds_today(&answers(json!({"beginn": "kein Datum"}))));
    }

    #[test]
    fn malformed_conditions_are_described() {
        assert!(
            cond("{ field: a, after: today, equals: b }")
                .shape()
                .is_err()
        );
        assert!(cond("{ after: today }").shape().is_err());
        assert!(cond("{ field: a, answered: a }").shape().is_err());
        assert!(cond("{ field: a }").shape().is_err());
        assert!(cond("{ equals: a }").shape().is_err());
        assert!(cond("{ field: a, equals: b, in: [c] }").shape().is_err());
        assert!(cond("{ all: [], any: [] }").shape().is_err());
        assert!(cond("{}").shape().is_err());
    }
}
