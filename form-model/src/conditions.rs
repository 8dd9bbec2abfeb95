//! Evaluating `show-if` conditions. The page's script evaluates the same data with the same
//! rules: a field's condition sees only answers of fields that are themselves shown (hidden
//! fields count as unanswered), and conditions refer only to earlier option fields.

use serde_json::{Map, Value};

use crate::model::Condition;

/// The one shape a well-formed condition has.
#[derive(Debug, Clone, Copy)]
pub enum Shape<'a> {
    Equals(&'a str, &'a str),
    In(&'a str, &'a [String]),
    All(&'a [Condition]),
    Any(&'a [Condition]),
    Not(&'a Condition),
}

impl Condition {
    /// The condition's shape, or a plain description of what is wrong with it.
    pub fn shape(&self) -> Result<Shape<'_>, String> {
        let c = self;
        let combinators = usize::from(c.all.is_some())
            + usize::from(c.any.is_some())
            + usize::from(c.not.is_some());
        let tests = usize::from(c.equals.is_some()) + usize::from(c.one_of.is_some());
        match (combinators, tests, &c.field) {
            (0, 1, Some(field)) => Ok(match (&c.equals, &c.one_of) {
                (Some(v), _) => Shape::Equals(field, v),
                (_, Some(vs)) => Shape::In(field, vs),
                _ => unreachable!("exactly one test is set"),
            }),
            (0, 0, Some(_)) => Err("a condition on a field needs \"equals\" or \"in\"".into()),
            (0, _, None) if tests > 0 => {
                Err("\"equals\" and \"in\" need the \"field\" they test".into())
            }
            (0, 2, Some(_)) => Err("use either \"equals\" or \"in\", not both".into()),
            (1, 0, None) => Ok(if let Some(all) = &c.all {
                Shape::All(all)
            } else if let Some(any) = &c.any {
                Shape::Any(any)
            } else {
                Shape::Not(c.not.as_deref().expect("one combinator is set"))
            }),
            (0, 0, None) => Err(
                "empty condition: write { field: ..., equals: ... }, { field: ..., in: [...] }, { all: [...] }, { any: [...] } or { not: ... }".into(),
            ),
            _ => Err(
                "a condition has exactly one of these shapes: { field, equals }, { field, in }, { all }, { any }, { not }; split it with \"all\"".into(),
            ),
        }
    }

    /// Whether the condition holds for the answers given so far (hidden fields absent).
    /// Malformed conditions never hold; the lint reports them before any form is published.
    pub fn holds(&self, answers: &Map<String, Value>) -> bool {
        match self.shape() {
            Ok(Shape::Equals(field, value)) => answer_matches(answers.get(field), |a| a == value),
            Ok(Shape::In(field, values)) => {
                answer_matches(answers.get(field), |a| values.iter().any(|v| v == a))
            }
            Ok(Shape::All(cs)) => cs.iter().all(|c| c.holds(answers)),
            Ok(Shape::Any(cs)) => cs.iter().any(|c| c.holds(answers)),
            Ok(Shape::Not(c)) => !c.holds(answers),
            Err(_) => false,
        }
    }

    /// Fields this condition refers to, with their YAML sub-path (for diagnostics).
    pub fn references(&self, path: &str, out: &mut Vec<(String, String)>) {
        if let Some(field) = &self.field {
            out.push((field.clone(), format!("{path}.field")));
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

    #[test]
    fn equals_on_radios_and_checkboxes() {
        let c = cond("{ field: gefaehrlich, equals: ja }");
        assert!(c.holds(&answers(json!({"gefaehrlich": "ja"}))));
        assert!(!c.holds(&answers(json!({"gefaehrlich": "nein"}))));
        assert!(!c.holds(&answers(json!({}))));
        let c = cond("{ field: klassen, equals: B }");
        assert!(c.holds(&answers(json!({"klassen": ["A1", "B"]}))));
        assert!(!c.holds(&answers(json!({"klassen": ["A1"]}))));
    }

    #[test]
    fn combinators_nest() {
        let c = cond("{ all: [ { field: a, in: [x, y] }, { not: { field: b, equals: z } } ] }");
        assert!(c.holds(&answers(json!({"a": "y", "b": "w"}))));
        assert!(!c.holds(&answers(json!({"a": "y", "b": "z"}))));
        let c = cond("{ any: [ { field: a, equals: x }, { field: b, equals: z } ] }");
        assert!(c.holds(&answers(json!({"b": "z"}))));
        assert!(!c.holds(&answers(json!({}))));
    }

    #[test]
    fn malformed_conditions_are_described() {
        assert!(cond("{ field: a }").shape().is_err());
        assert!(cond("{ equals: a }").shape().is_err());
        assert!(cond("{ field: a, equals: b, in: [c] }").shape().is_err());
        assert!(cond("{ all: [], any: [] }").shape().is_err());
        assert!(cond("{}").shape().is_err());
    }
}
