//! Conditions in words, for readers without JavaScript: "Only answer this if you chose „Yes“
//! for „Dangerous dog?“". The page's script shows and hides questions itself; the sentence is
//! what a page without it says instead. The words are form-model's messages
//! (`conditions.yaml`), German for a language they are not written in.

use form_model::conditions::{DateTest, Shape};
use form_model::messages::{CONDITIONS, fill};
use form_model::model::{Condition, FieldType, Form};
use form_model::rules::{DateExpr, DateUnit};
use form_model::texts::text_in;
use form_model::validate::fmt_date;

fn label_of(form: &Form, field: &str, lang: &str) -> String {
    form.find(field)
        .map(|f| text_in(&f.label, lang))
        .unwrap_or_else(|| field.to_string())
}

fn option_label(form: &Form, field: &str, value: &str, lang: &str) -> String {
    form.find(field)
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
        Ok(Shape::Date(f, test, bound)) => date_leaf(form, f, test, bound, lang, negated),
        Ok(Shape::Answered(ids)) => answered_leaf(form, ids, lang, negated, false),
        Ok(Shape::ExactlyOne(ids)) => answered_leaf(form, ids, lang, negated, true),
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
        .find(field)
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

/// "Sie „Telefon“ oder „E-Mail“ beantwortet haben", "Sie genau eine der Fragen … beantwortet
/// haben".
fn answered_leaf(form: &Form, ids: &[String], lang: &str, negated: bool, exactly: bool) -> String {
    let labels: Vec<String> = ids
        .iter()
        .map(|id| quote(&label_of(form, id, lang), lang))
        .collect();
    let key = match (exactly, negated, labels.len() > 1) {
        (true, false, _) => "answered-exactly-one-of",
        (true, true, _) => "did-not-answer-exactly-one-of",
        (false, false, _) => "answered",
        (false, true, false) => "did-not-answer",
        (false, true, true) => "answered-none-of",
    };
    // "answered a or b" reads as a choice; the other sentences list the questions.
    let questions = if key == "answered" || key == "did-not-answer" {
        labels.join(conjunction(Or, lang))
    } else {
        labels.join(", ")
    };
    fill(CONDITIONS.text(key, lang), &[("questions", &questions)])
}

/// "das Datum bei „Beginn“ später als heute vor 7 Tagen ist". Negated, the test turns round
/// (not after: not later than).
fn date_leaf(
    form: &Form,
    field: &str,
    test: DateTest,
    bound: &str,
    lang: &str,
    negated: bool,
) -> String {
    let label = quote(&label_of(form, field, lang), lang);
    let test = match (test, negated) {
        (t, false) => t,
        (DateTest::After, true) => DateTest::NotAfter,
        (DateTest::NotAfter, true) => DateTest::After,
        (DateTest::Before, true) => DateTest::NotBefore,
        (DateTest::NotBefore, true) => DateTest::Before,
    };
    let compare = CONDITIONS.text(
        match test {
            DateTest::After => "date-after",
            DateTest::Before => "date-before",
            DateTest::NotBefore => "date-not-before",
            DateTest::NotAfter => "date-not-after",
        },
        lang,
    );
    fill(
        CONDITIONS.text("date-compared", lang),
        &[
            ("label", &label),
            ("compare", compare),
            ("point", &date_point(bound, lang)),
        ],
    )
}

/// A date bound in words: "der 01.01.2024", "heute", "heute vor 7 Tagen", "heute in 2 Monaten".
fn date_point(bound: &str, lang: &str) -> String {
    let Some(expr) = DateExpr::parse(bound) else {
        return bound.to_string();
    };
    let (amount, unit) = match expr {
        DateExpr::Fixed(d) => {
            return fill(
                CONDITIONS.text("date-on", lang),
                &[("date", &fmt_date(d, lang))],
            );
        }
        DateExpr::Today { amount, unit } => (amount, unit),
    };
    let key = match (unit, amount.signum()) {
        (_, 0) => return CONDITIONS.text("today", lang).to_string(),
        (DateUnit::Days, -1) => "days-ago",
        (DateUnit::Days, _) => "days-ahead",
        (DateUnit::Months, -1) => "months-ago",
        (DateUnit::Months, _) => "months-ahead",
        (DateUnit::Years, -1) => "years-ago",
        (DateUnit::Years, _) => "years-ahead",
    };
    let n = amount.unsigned_abs();
    fill(
        CONDITIONS.plural(key, lang, u64::from(n)),
        &[("n", &n.to_string())],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = r#"
id: f
version: 1
title: { de: F }
purpose: { de: P }
legal-basis: { de: L }
retention-days: 1
steps:
  - id: s
    title: { de: S }
    fields:
      - { id: beginn, type: date, label: { de: Beginn, en: Start } }
      - { id: telefon, type: tel, label: { de: Telefon, en: Phone } }
      - { id: email, type: email, label: { de: E-Mail, en: Email } }
"#;

    fn says(cond: &str, lang: &str) -> String {
        let form: Form = serde_yaml::from_str(FORM).unwrap();
        let cond: Condition = serde_yaml::from_str(cond).unwrap();
        describe(&form, &cond, lang, false)
    }

    #[test]
    fn dates_relative_to_today_are_said_in_words() {
        assert_eq!(
            says("{ field: beginn, after: today-7d }", "de"),
            "das Datum bei „Beginn“ später als heute vor 7 Tagen ist"
        );
        assert_eq!(
            says("{ not: { field: beginn, after: today } }", "en"),
            "the date for “Start” is not later than today"
        );
        assert_eq!(
            says("{ field: beginn, before: 2024-01-31 }", "de"),
            "das Datum bei „Beginn“ früher als der 31.01.2024 ist"
        );
    }

    #[test]
    fn answered_and_exactly_one_are_said_in_words() {
        assert_eq!(
            says("{ not: { answered: email } }", "de"),
            "Sie „E-Mail“ nicht beantwortet haben"
        );
        assert_eq!(
            says("{ not: { answered: [telefon, email] } }", "de"),
            "Sie keine der Fragen „Telefon“, „E-Mail“ beantwortet haben"
        );
        assert_eq!(
            says("{ exactly-one: [telefon, email] }", "en"),
            "you answered exactly one of “Phone”, “Email”"
        );
    }
}

#[cfg(test)]
mod choice_tests {
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
