//! A text map (`label: { de: …, en: … }`) takes language codes only. YAML makes it easy to
//! indent a setting one level too deep — `required: true` under `hint:` — and the map would
//! otherwise swallow it silently: the question would no longer be required and nothing says
//! so. Every key that is not a language code is an error here, with advice when it is the name
//! of a setting (the likely mistake) or close to a language code (a typo).

use crate::diagnostics::{Diagnostics, FileId, Sources, suggestion};
use crate::languages::{LANGUAGES, is_known};
use crate::model::{Choice, Fee, Field, Step, Text, struct_keys};
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
fn explain(key: &str) -> (String, String) {
    let settings = setting_names();
    let codes = LANGUAGES.iter().map(|(code, _, _)| *code);
    let message = format!("\"{key}\" is not a language code, and a text takes only languages");
    if settings.contains(&key) {
        return (
            message,
            format!(
                "\"{key}\" is a setting of the question, step or fee: it is probably indented \
                 one level too deep; write it level with the text's own key (label:, hint:, ...)"
            ),
        );
    }
    let near_setting = suggestion(key, settings.iter().copied());
    if !near_setting.is_empty() && suggestion(key, codes.clone()).is_empty() {
        return (
            format!("{message}{near_setting}"),
            "that setting is probably indented one level too deep; write it level with the \
             text's own key (label:, hint:, ...)"
                .into(),
        );
    }
    let near_code = suggestion(key, codes.clone());
    (
        format!("{message}{near_code}"),
        format!("language codes: {}", codes.collect::<Vec<_>>().join(", ")),
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
            message,
            "\"required\" is not a language code, and a text takes only languages"
        );
        assert!(help.contains("indented one level too deep"), "{help}");
    }

    #[test]
    fn a_typo_of_a_setting_gets_the_setting_and_the_same_advice() {
        let (message, help) = explain("requird");
        assert!(
            message.ends_with("; did you mean \"required\"?"),
            "{message}"
        );
        assert!(help.contains("indented one level too deep"), "{help}");
    }

    #[test]
    fn a_typo_of_a_language_gets_the_language() {
        let (message, help) = explain("eng");
        assert!(message.ends_with("; did you mean \"en\"?"), "{message}");
        assert!(help.starts_with("language codes: de, en"), "{help}");
    }
}
