//! A text map (`label: { de: …, en: … }`) takes language codes only. YAML makes it easy to
//! indent a setting one level too deep — `required: true` under `hint:` — and the map would
//! otherwise swallow it silently: the question would no longer be required and nothing says
//! so. Every key that is not a language code is an error here, with advice when it is the name
//! of a setting (the likely mistake) or close to a language code (a typo).

use crate::diagnostics::{Diagnostics, FileId, Sources, suggestion};
use crate::languages::{LANGUAGES, is_known};
use crate::model::{Choice, Fee, Field, Step, Text, struct_keys};
use crate::msg;
use crate::msg::Msg;
use crate::positions::child;

/// Reports every key of `text` (written at `path` of `file`) that is not a language code.
pub(crate) fn lint_text_keys(
    sources: &Sources,
    file: FileId,
    diags: &mut Diagnostics,
    path: &str,
    text: &Text,
) {
    for key in text.keys().filter(|k| !is_known(k)) {
        let (message, help) = explain(key);
        diags.error_help(sources, file, &child(path, key), message, help);
    }
}

/// The message and advice for `key`, which is not a language code.
fn explain(key: &str) -> (Msg, Msg) {
    let settings = setting_names();
    let codes = LANGUAGES.iter().map(|(code, _, _)| *code);
    let message = |hint: Option<Msg>| msg!("text-key-not-a-language", key = key, hint = hint);
    if settings.contains(&key) {
        return (message(None), msg!("setting-in-text-help", key = key));
    }
    let near_setting = suggestion(key, settings.iter().copied());
    if near_setting.is_some() && suggestion(key, codes.clone()).is_none() {
        return (message(near_setting), msg!("setting-typo-in-text-help"));
    }
    let near_code = suggestion(key, codes.clone());
    (
        message(near_code),
        msg!(
            "language-codes",
            codes = codes.collect::<Vec<_>>().join(", ")
        ),
    )
}

/// The keys a question, an option, a step and a fee take, as serde reads them: the names come
/// from the model's types themselves, so this list cannot fall behind them.
fn setting_names() -> Vec<&'static str> {
    let mut names = Vec::new();
    names.extend(struct_keys::<Field>());
    names.extend(struct_keys::<Choice>());
    names.extend(struct_keys::<Step>());
    names.extend(struct_keys::<Fee>());
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::{explain, setting_names};

    #[test]
    fn the_setting_names_come_from_the_model() {
        let names = setting_names();
        for key in [
            "required",
            "label",
            "hint",
            "pattern",
            "show-if",
            "value",
            "amount-eur",
        ] {
            assert!(names.contains(&key), "{key} missing from {names:?}");
        }
    }

    #[test]
    fn a_setting_inside_a_text_is_said_to_be_indented_too_deep() {
        let (message, help) = explain("required");
        assert_eq!(
            message.render("en"),
            "\"required\" is not a language code, and a text takes only languages"
        );
        let help = help.render("en");
        assert!(help.contains("indented one level too deep"), "{help}");
        assert!(
            explain("required")
                .1
                .render("de")
                .contains("zu tief eingerückt"),
            "German help"
        );
    }

    #[test]
    fn a_typo_of_a_setting_gets_the_setting_and_the_same_advice() {
        let (message, help) = explain("requird");
        let (message, help) = (message.render("en"), help.render("en"));
        assert!(
            message.ends_with("; did you mean \"required\"?"),
            "{message}"
        );
        assert!(help.contains("indented one level too deep"), "{help}");
    }

    #[test]
    fn a_typo_of_a_language_gets_the_language() {
        let (message, help) = explain("eng");
        let (message, help) = (message.render("en"), help.render("en"));
        assert!(message.ends_with("; did you mean \"en\"?"), "{message}");
        assert!(help.starts_with("language codes: de, en"), "{help}");
    }
}
