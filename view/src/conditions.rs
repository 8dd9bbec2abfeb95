//! Conditions in words, for readers without JavaScript: "Only answer this if you chose „Yes“
//! for „Dangerous dog?“". The page's script shows and hides questions itself; the sentence is
//! what a page without it says instead. The words are form-model's messages
//! (`conditions.yaml`), German for a language they are not written in.

use form_model::conditions::Shape;
use form_model::messages::{CONDITIONS, fill};
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
    fill(CONDITIONS.text("quoted", lang), &[("text", s)])
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
    match c {
        And => CONDITIONS.text("and", lang),
        Or => CONDITIONS.text("or", lang),
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
    let key = match (multi, negated) {
        (false, false) => "chose",
        (false, true) => "did-not-choose",
        (true, false) => "ticked",
        (true, true) => "did-not-tick",
    };
    fill(
        CONDITIONS.text(key, lang),
        &[("answers", &answers), ("label", &label)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        serde_yaml::from_str(
            r#"
id: probe
version: 1
title: { de: Probe }
purpose: { de: Probe }
legal-basis: { de: Probe }
retention-days: 1
steps:
  - id: a
    title: { de: Angaben }
    fields:
      - id: kind
        type: radios
        label: { de: "Gefährlich?", en: "Dangerous?", ar: "خطير؟" }
        options:
          - { value: ja, label: { de: Ja, en: "Yes", ar: نعم } }
          - { value: nein, label: { de: Nein, en: "No", ar: لا } }
      - id: classes
        type: checkboxes
        label: { de: Klassen, en: Classes, ar: الفئات }
        options: [ { value: A, label: { de: A } }, { value: B, label: { de: B } } ]
"#,
        )
        .unwrap()
    }

    fn cond(yaml: &str) -> Condition {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn a_condition_reads_as_a_sentence_in_the_pages_language() {
        let form = form();
        let both = cond("{ all: [ { field: kind, equals: ja }, { field: classes, in: [A, B] } ] }");
        assert_eq!(
            describe(&form, &both, "de", false),
            "Sie bei „Gefährlich?“ „Ja“ gewählt haben und Sie bei „Klassen“ „A“ oder „B“ angekreuzt haben"
        );
        assert_eq!(
            describe(&form, &both, "en", true),
            "you did not choose “Yes” for “Dangerous?” or you did not tick “A” or “B” for “Classes”"
        );
        assert_eq!(
            describe(
                &form,
                &cond("{ not: { field: kind, equals: nein } }"),
                "ar",
                false
            ),
            "لم تختر «لا» في «خطير؟»"
        );
    }

    #[test]
    fn a_language_without_condition_sentences_gets_german() {
        let form = form();
        assert_eq!(
            describe(&form, &cond("{ field: kind, equals: ja }"), "fr", false),
            "Sie bei „Gefährlich?“ „Ja“ gewählt haben"
        );
    }
}
