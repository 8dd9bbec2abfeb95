//! Conditions in words, for readers without JavaScript: "Only answer this if you chose „Yes“
//! for „Dangerous dog?“". The page's script shows and hides questions itself; the sentence is
//! what a page without it says instead.

use form_model::conditions::{DateTest, Shape};
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
        .find(field)
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

/// "Sie „Telefon“ oder „E-Mail“ beantwortet haben", "Sie genau eine der Fragen … beantwortet
/// haben".
fn answered_leaf(form: &Form, ids: &[String], lang: &str, negated: bool, exactly: bool) -> String {
    let labels: Vec<String> = ids
        .iter()
        .map(|id| quote(&label_of(form, id, lang), lang))
        .collect();
    let or = labels.join(conjunction(Or, lang));
    let list = labels.join(", ");
    let many = labels.len() > 1;
    match (lang, exactly, negated, many) {
        ("de", true, false, _) => format!("Sie genau eine der Fragen {list} beantwortet haben"),
        ("de", true, true, _) => {
            format!("Sie nicht genau eine der Fragen {list} beantwortet haben")
        }
        ("de", false, false, _) => format!("Sie {or} beantwortet haben"),
        ("de", false, true, false) => format!("Sie {or} nicht beantwortet haben"),
        ("de", false, true, true) => format!("Sie keine der Fragen {list} beantwortet haben"),
        ("ar", true, false, _) => format!("أجبت عن سؤال واحد فقط من {list}"),
        ("ar", true, true, _) => format!("لم تجب عن سؤال واحد فقط من {list}"),
        ("ar", false, false, _) => format!("أجبت عن {or}"),
        ("ar", false, true, _) => format!("لم تجب عن أي من {list}"),
        (_, true, false, _) => format!("you answered exactly one of {list}"),
        (_, true, true, _) => format!("you did not answer exactly one of {list}"),
        (_, false, false, _) => format!("you answered {or}"),
        (_, false, true, false) => format!("you did not answer {or}"),
        (_, false, true, true) => format!("you answered none of {list}"),
    }
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
    let point = date_point(bound, lang);
    let compare = match (lang, test) {
        ("de", DateTest::After) => "später als",
        ("de", DateTest::Before) => "früher als",
        ("de", DateTest::NotBefore) => "nicht früher als",
        ("de", DateTest::NotAfter) => "nicht später als",
        ("ar", DateTest::After) => "بعد",
        ("ar", DateTest::Before) => "قبل",
        ("ar", DateTest::NotBefore) => "ليس قبل",
        ("ar", DateTest::NotAfter) => "ليس بعد",
        (_, DateTest::After) => "later than",
        (_, DateTest::Before) => "earlier than",
        (_, DateTest::NotBefore) => "not earlier than",
        (_, DateTest::NotAfter) => "not later than",
    };
    match lang {
        "de" => format!("das Datum bei {label} {compare} {point} ist"),
        "ar" => format!("التاريخ في {label} {compare} {point}"),
        _ => format!("the date for {label} is {compare} {point}"),
    }
}

/// A date bound in words: "der 01.01.2024", "heute", "heute vor 7 Tagen", "in 2 Monaten".
fn date_point(bound: &str, lang: &str) -> String {
    let Some(expr) = DateExpr::parse(bound) else {
        return bound.to_string();
    };
    let (amount, unit) = match expr {
        DateExpr::Fixed(d) => {
            let date = fmt_date(d, lang);
            return match lang {
                "de" => format!("der {date}"),
                _ => date,
            };
        }
        DateExpr::Today { amount, unit } => (amount, unit),
    };
    let n = amount.unsigned_abs();
    let units = match (lang, unit, n == 1) {
        ("de", DateUnit::Days, true) => "Tag",
        ("de", DateUnit::Days, false) => "Tagen",
        ("de", DateUnit::Months, true) => "Monat",
        ("de", DateUnit::Months, false) => "Monaten",
        ("de", DateUnit::Years, true) => "Jahr",
        ("de", DateUnit::Years, false) => "Jahren",
        ("ar", DateUnit::Days, _) => "يوم",
        ("ar", DateUnit::Months, _) => "شهر",
        ("ar", DateUnit::Years, _) => "سنة",
        (_, DateUnit::Days, true) => "day",
        (_, DateUnit::Days, false) => "days",
        (_, DateUnit::Months, true) => "month",
        (_, DateUnit::Months, false) => "months",
        (_, DateUnit::Years, true) => "year",
        (_, DateUnit::Years, false) => "years",
    };
    match (lang, amount.signum()) {
        ("de", 0) => "heute".into(),
        ("de", -1) => format!("heute vor {n} {units}"),
        ("de", _) => format!("heute in {n} {units}"),
        ("ar", 0) => "اليوم".into(),
        ("ar", -1) => format!("اليوم − {n} {units}"),
        ("ar", _) => format!("اليوم + {n} {units}"),
        (_, 0) => "today".into(),
        (_, -1) => format!("{n} {units} ago"),
        (_, _) => format!("{n} {units} from today"),
    }
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
