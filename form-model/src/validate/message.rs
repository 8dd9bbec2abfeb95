//! The problems in words, in the submission's language, with numbers, dates and media types as
//! a reader of that language writes them. The texts are form-model's messages
//! (`validation.yaml`), with their one fallback rule: a language they are not written in gets
//! German (texts, dates and file types alike).

use time::Date;

use super::problem::Problem;
use crate::messages::{CONDITIONS, VALIDATION, fill};

/// A number as messages and page attributes show it: whole numbers without a decimal point.
pub fn fmt_number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A date as messages (and the receipt) write it: `24.12.1990` (de), `24 December 1990` (en),
/// `1990-12-24` (others).
pub fn fmt_date(d: Date, lang: &str) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match lang {
        "en" => format!("{} {} {}", d.day(), EN[d.month() as usize - 1], d.year()),
        "de" => format!("{:02}.{:02}.{}", d.day(), d.month() as u8, d.year()),
        _ => format!("{}-{:02}-{:02}", d.year(), d.month() as u8, d.day()),
    }
}

fn media_names(types: &[String], lang: &str) -> String {
    let names: Vec<String> = types
        .iter()
        .map(|t| match t.as_str() {
            "application/pdf" => "PDF".into(),
            "image/jpeg" => "JPG".into(),
            "image/png" => "PNG".into(),
            "image/*" => VALIDATION.text("any-image", lang).into(),
            other => other.to_string(),
        })
        .collect();
    let or = CONDITIONS.text("or", lang);
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}{or}{last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// The problem in words, in `lang` (German when the messages are not written in it); `label`
/// names the field.
pub fn message(problem: &Problem, lang: &str, label: &str) -> String {
    // Dates and file types as the message's language writes them, not the page's.
    let lang = VALIDATION.language_for(lang);
    let Some(Words { key, count, value }) = words(problem, lang) else {
        return match problem {
            Problem::Pattern(Some(custom)) => custom.clone(),
            _ => unreachable!("only a pattern's own message has no key"),
        };
    };
    let template = match count {
        Some(n) => VALIDATION.plural(key, lang, u64::from(n)),
        None => VALIDATION.text(key, lang),
    };
    match &value {
        Some((name, v)) => fill(template, &[(name, v.as_str()), ("label", label)]),
        None => fill(template, &[("label", label)]),
    }
}

/// Which message a problem takes: its key in `validation.yaml`, the count that picks the
/// plural form, and the one placeholder besides `{label}`.
struct Words {
    key: &'static str,
    count: Option<u32>,
    value: Option<(&'static str, String)>,
}

/// The words of `problem`; none for a pattern that brings its own message.
fn words(problem: &Problem, lang: &str) -> Option<Words> {
    let plain = |key| Words {
        key,
        count: None,
        value: None,
    };
    let with = |key, name, value| Words {
        key,
        count: None,
        value: Some((name, value)),
    };
    let counted = |key, n: u32| Words {
        key,
        count: Some(n),
        value: Some(("n", n.to_string())),
    };
    Some(match problem {
        Problem::Pattern(Some(_)) => return None,
        Problem::UnknownLanguage(x) => with("unknown-language", "language", x.to_string()),
        Problem::Required => plain("required"),
        Problem::NotConfirmed => plain("not-confirmed"),
        Problem::NotApplicable => plain("not-applicable"),
        Problem::UnknownField => plain("unknown-field"),
        Problem::WrongType => plain("wrong-type"),
        Problem::TooShort(m) => counted("too-short", *m),
        Problem::TooLong(m) => counted("too-long", *m),
        Problem::Pattern(None) => plain("pattern"),
        Problem::NotANumber => plain("not-a-number"),
        Problem::TooSmall(m) => with("too-small", "n", fmt_number(*m)),
        Problem::TooLarge(m) => with("too-large", "n", fmt_number(*m)),
        Problem::Step(s) if *s == 1.0 => plain("not-whole"),
        Problem::Step(s) => with("step", "n", fmt_number(*s)),
        Problem::InvalidDate => plain("invalid-date"),
        Problem::DateTooEarly(d) => with("date-too-early", "date", fmt_date(*d, lang)),
        Problem::DateTooLate(d) => with("date-too-late", "date", fmt_date(*d, lang)),
        Problem::InvalidOption => plain("invalid-option"),
        Problem::TooFewSelected(m) => counted("too-few-selected", *m),
        Problem::TooManySelected(m) => counted("too-many-selected", *m),
        Problem::InvalidEmail => plain("invalid-email"),
        Problem::InvalidTel => plain("invalid-tel"),
        Problem::InvalidIban => plain("invalid-iban"),
        Problem::InvalidPostcode => plain("invalid-postcode"),
        Problem::InvalidTaxId => plain("invalid-tax-id"),
        Problem::FileType(t) => with("file-type", "types", media_names(t, lang)),
        Problem::FileTooLarge(mb) => with("file-too-large", "n", fmt_number(*mb)),
        Problem::InvalidFile => plain("invalid-file"),
        Problem::FileContent(t) => with(
            "file-content",
            "types",
            media_names(std::slice::from_ref(t), lang),
        ),
        Problem::TooFewItems(m) => counted("too-few-items", *m),
        Problem::TooManyItems(m) => counted("too-many-items", *m),
        Problem::OutsideArea => plain("outside-area"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One problem of every kind.
    fn every_problem() -> Vec<Problem<'static>> {
        let day = Date::from_calendar_date(1990, time::Month::December, 24).unwrap();
        vec![
            Problem::Required,
            Problem::NotConfirmed,
            Problem::NotApplicable,
            Problem::UnknownField,
            Problem::UnknownLanguage("fr"),
            Problem::WrongType,
            Problem::TooShort(2),
            Problem::TooLong(2),
            Problem::Pattern(None),
            Problem::NotANumber,
            Problem::TooSmall(1.0),
            Problem::TooLarge(1.0),
            Problem::Step(1.0),
            Problem::Step(0.5),
            Problem::InvalidDate,
            Problem::DateTooEarly(day),
            Problem::DateTooLate(day),
            Problem::InvalidOption,
            Problem::TooFewSelected(2),
            Problem::TooManySelected(2),
            Problem::InvalidEmail,
            Problem::InvalidTel,
            Problem::InvalidIban,
            Problem::InvalidPostcode,
            Problem::InvalidTaxId,
            Problem::FileType(vec!["image/*".into(), "application/pdf".into()]),
            Problem::FileTooLarge(5.0),
            Problem::InvalidFile,
            Problem::FileContent("application/pdf".into()),
            Problem::TooFewItems(2),
            Problem::TooManyItems(2),
            Problem::OutsideArea,
        ]
    }

    #[test]
    fn every_validation_message_is_used_and_every_problem_has_one() {
        let mut used: Vec<&str> = every_problem()
            .iter()
            .filter_map(|p| words(p, "de").map(|w| w.key))
            .chain(["any-image"])
            .collect();
        used.sort_unstable();
        let keys: Vec<&str> = VALIDATION.table().keys().map(String::as_str).collect();
        assert_eq!(keys, used);
        for lang in ["de", "en", "ar", "fr"] {
            for problem in every_problem() {
                let text = message(&problem, lang, "Name");
                assert!(!text.contains('{'), "{text}");
            }
        }
    }

    #[test]
    fn a_count_of_one_takes_the_singular() {
        assert_eq!(
            message(&Problem::TooFewItems(1), "de", "Hunde"),
            "Bitte geben Sie bei „Hunde“ mindestens 1 Eintrag an."
        );
        assert_eq!(
            message(&Problem::TooFewItems(2), "en", "Dogs"),
            "Add at least 2 entries for “Dogs”."
        );
    }

    #[test]
    fn a_language_without_messages_gets_german_dates_and_file_types() {
        let day = Date::from_calendar_date(1990, time::Month::December, 24).unwrap();
        assert_eq!(
            message(&Problem::DateTooEarly(day), "fr", "Datum"),
            "„Datum“ darf nicht vor dem 24.12.1990 liegen."
        );
        assert_eq!(
            message(
                &Problem::FileType(vec!["image/*".into(), "application/pdf".into()]),
                "tr",
                "Foto"
            ),
            "Die Datei für „Foto“ muss eine Bild oder PDF-Datei sein."
        );
    }
}
