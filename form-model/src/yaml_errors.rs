//! serde_yaml's messages about a file a person wrote, in plain words with advice: an unknown
//! key with the closest allowed one, a type mismatch as "expected a number, found text", a
//! question's rule written where only the catalog may set it.

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostics::suggestion;

static LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r" at line \d+ column \d+").unwrap());
static PATH_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z0-9_\-\[\]\.]+): ").unwrap());
static BACKTICKED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`]*)`").unwrap());

/// Turns serde_yaml's message into plain words and advice.
pub fn explain_yaml_error(raw: &str) -> (String, Option<String>) {
    let without_location = LOCATION.replace_all(raw, "");
    let msg = PATH_PREFIX.replace(&without_location, "").to_string();
    let quoted: Vec<String> = BACKTICKED
        .captures_iter(&msg)
        .map(|c| c[1].to_string())
        .collect();
    let list = |items: &[String]| {
        items
            .iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let word = quoted.first().cloned().unwrap_or_default();
        // A question's rule written in an overlay's `set`: say where rules live, not just that
        // the key is unknown.
        let in_set = PATH_PREFIX
            .captures(&without_location)
            .is_some_and(|c| c[1].ends_with(".set"));
        if in_set && crate::model::struct_keys::<crate::model::Field>().contains(&word.as_str()) {
            return (
                format!(
                    "\"{word}\" is a rule of the question, which the catalog form sets for every \
                     municipality; an overlay cannot change it"
                ),
                Some(format!(
                    "set changes {}; for another rule ask the catalog's editors, or hide the \
                     question and add one of your own",
                    list(
                        &crate::model::struct_keys::<crate::model::SetField>()
                            .iter()
                            .filter(|k| **k != "field")
                            .map(|k| k.to_string())
                            .collect::<Vec<_>>()
                    )
                )),
            );
        }
        let allowed = &quoted[1.min(quoted.len())..];
        let hint = suggestion(&word, allowed.iter().map(String::as_str));
        let help = if rest.contains("there are no fields") || allowed.is_empty() {
            None
        } else {
            Some(format!("allowed here: {}", list(allowed)))
        };
        return (format!("unknown key \"{word}\"{hint}"), help);
    }
    if msg.starts_with("unknown variant ") {
        let word = quoted.first().cloned().unwrap_or_default();
        let allowed = &quoted[1.min(quoted.len())..];
        let hint = suggestion(&word, allowed.iter().map(String::as_str));
        return (
            format!("unknown value \"{word}\"{hint}"),
            Some(format!("allowed here: {}", list(allowed))),
        );
    }
    if msg.starts_with("missing field ") {
        let word = quoted.first().cloned().unwrap_or_default();
        return (
            format!("\"{word}\" is missing here"),
            Some(format!("add \"{word}: ...\" to this entry")),
        );
    }
    if msg.starts_with("duplicate field ") {
        let word = quoted.first().cloned().unwrap_or_default();
        return (
            format!("key \"{word}\" is written twice"),
            Some("keep only one of them".into()),
        );
    }
    if let Some(rest) = msg
        .strip_prefix("invalid type: ")
        .or_else(|| msg.strip_prefix("invalid value: "))
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return (
            format!(
                "expected {}, found {}",
                plain_expected(expected),
                plain_found(found)
            ),
            None,
        );
    }
    if msg.contains("untagged enum Bound") {
        return (
            "expected a number or a date (2026-01-31, today, today-18y, today+14d)".into(),
            None,
        );
    }
    if msg.starts_with("duplicate entry with key") {
        let key = msg
            .split('"')
            .nth(1)
            .map(str::to_string)
            .unwrap_or_default();
        return (
            format!("\"{key}\" is written twice in this mapping"),
            Some("keep only one of them".into()),
        );
    }
    (
        format!("YAML syntax error: {msg}"),
        Some("check the indentation and that every \"key: value\" has a space after the colon; quote texts that contain \": \" or start with a special character".into()),
    )
}

fn plain_expected(expected: &str) -> String {
    let e = expected.trim();
    match e {
        "u32" | "u64" | "usize" | "u16" | "u8" => "a whole number".into(),
        "f64" | "f32" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a string" => "a text".into(),
        "a sequence" => "a list (lines starting with \"- \")".into(),
        "a map" => "a mapping of languages to texts, like { de: ..., en: ... }".into(),
        _ if e.starts_with("struct ") => "a mapping of keys to values".into(),
        _ if e.starts_with("enum ") => "one of the listed names".into(),
        _ => e.to_string(),
    }
}

fn plain_found(found: &str) -> String {
    let f = found.trim();
    if let Some(s) = f.strip_prefix("string ") {
        return format!("the text {s}");
    }
    match f {
        "sequence" => "a list".into(),
        "map" => "a mapping".into(),
        "unit value" => "nothing".into(),
        _ => f
            .replace("integer ", "the number ")
            .replace("floating point ", "the number "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_unknown_key_with_suggestion() {
        let (msg, help) = explain_yaml_error(
            "steps[0].fields[1]: unknown field `requried`, expected one of `id`, `type`, `required` at line 5 column 9",
        );
        assert_eq!(msg, "unknown key \"requried\"; did you mean \"required\"?");
        assert_eq!(
            help.as_deref(),
            Some("allowed here: \"id\", \"type\", \"required\"")
        );
    }

    #[test]
    fn explains_type_errors_in_plain_words() {
        let (msg, _) = explain_yaml_error(
            "retention-days: invalid type: string \"ein Jahr\", expected u32 at line 3 column 17",
        );
        assert_eq!(msg, "expected a whole number, found the text \"ein Jahr\"");
    }
}
