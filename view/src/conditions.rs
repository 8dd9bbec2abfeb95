//! Conditions in words, for readers without JavaScript: "Only answer this if you chose „Yes“
//! for „Dangerous dog?“". The page's script shows and hides questions itself; the sentence is
//! what a page without it says instead.

use form_model::conditions::Shape;
use form_model::model::{Condition, FieldType, Form};
use form_model::texts::text_in;

fn label_of(form: &Form, field: &str, lang: &str) -> String {
    form.top_level_field(field)
        .map(|f| text_in(&f.label, lang))
        .unwrap_or_else(|| field.to_string())
}

fn option_label(form: &Form, field: &str, value: &str, lang: &str) -> String {
    form.top_level_field(field)
        .and_then(|f| f.options.iter().find(|o| o.value == value))
        .map(|o| text_in(&o.label, lang))
        .unwrap_or_else(|| value.to_string())
}

fn quote(s: &str, lang: &str) -> String {
    match lang {
        "de" => format!("„{s}“"),
        "ar" => format!("«{s}»"),
        _ => format!("“{s}”"),
    }
}

/// A condition in words: "Sie bei „Gefährlich?“ „Ja“ gewählt haben".
pub fn describe(form: &Form, cond: &Condition, lang: &str, negated: bool) -> String {
    match cond.shape() {
        Ok(Shape::Equals(f, v)) => leaf(form, f, &[v.to_string()], lang, negated),
        Ok(Shape::In(f, vs)) => leaf(form, f, vs, lang, negated),
        // Not (a and b) is: not a or not b, and the other way round.
        Ok(Shape::All(cs)) => join(form, cs, lang, negated, And.negated_if(negated)),
        Ok(Shape::Any(cs)) => join(form, cs, lang, negated, Or.negated_if(negated)),
        Ok(Shape::Not(c)) => describe(form, c, lang, !negated),
        Err(_) => String::new(),
    }
}

/// Conditions joined by "and" or "or".
fn join(form: &Form, conds: &[Condition], lang: &str, negated: bool, by: Conjunction) -> String {
    conds
        .iter()
        .map(|c| describe(form, c, lang, negated))
        .collect::<Vec<_>>()
        .join(conjunction(by, lang))
}

#[derive(Clone, Copy)]
enum Conjunction {
    And,
    Or,
}
use Conjunction::{And, Or};

impl Conjunction {
    fn negated_if(self, negated: bool) -> Conjunction {
        match (self, negated) {
            (c, false) => c,
            (And, true) => Or,
            (Or, true) => And,
        }
    }
}

/// " und " / " oder " between two parts of a sentence.
fn conjunction(c: Conjunction, lang: &str) -> &'static str {
    match (lang, c) {
        ("de", And) => " und ",
        ("de", Or) => " oder ",
        ("ar", And) => " و",
        ("ar", Or) => " أو ",
        (_, And) => " and ",
        (_, Or) => " or ",
    }
}

fn leaf(form: &Form, field: &str, values: &[String], lang: &str, negated: bool) -> String {
    let label = quote(&label_of(form, field, lang), lang);
    let multi = form
        .top_level_field(field)
        .is_some_and(|f| f.kind == FieldType::Checkboxes);
    let answers = values
        .iter()
        .map(|v| quote(&option_label(form, field, v, lang), lang))
        .collect::<Vec<_>>()
        .join(conjunction(Or, lang));
    match (lang, multi, negated) {
        ("de", false, false) => format!("Sie bei {label} {answers} gewählt haben"),
        ("de", false, true) => format!("Sie bei {label} nicht {answers} gewählt haben"),
        ("de", true, false) => format!("Sie bei {label} {answers} angekreuzt haben"),
        ("de", true, true) => format!("Sie bei {label} nicht {answers} angekreuzt haben"),
        ("ar", _, false) => format!("اخترت {answers} في {label}"),
        ("ar", _, true) => format!("لم تختر {answers} في {label}"),
        (_, false, false) => format!("you chose {answers} for {label}"),
        (_, false, true) => format!("you did not choose {answers} for {label}"),
        (_, true, false) => format!("you ticked {answers} for {label}"),
        (_, true, true) => format!("you did not tick {answers} for {label}"),
    }
}
