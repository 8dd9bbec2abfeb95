//! serde_yaml's messages about a file a person wrote, in plain words with advice: an unknown
//! key with the closest allowed one, a type mismatch as "expected a number, found text", a
//! question's rule written where only the catalog may set it, and for a syntax error what is
//! probably wrong (the parser's own wording, "did not find expected '-' indicator", is kept as
//! a detail line).

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostics::suggestion;
use crate::msg;
use crate::msg::Msg;

static LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r" at line \d+ column \d+").unwrap());
static PATH_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z0-9_\-\[\]\.]+): ").unwrap());
static BACKTICKED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`]*)`").unwrap());

/// Turns serde_yaml's message into plain words, advice and, for a syntax error, the parser's
/// own words as a detail.
pub fn explain_yaml_error(raw: &str) -> (Msg, Option<Msg>, Option<Msg>) {
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
            let settable: Vec<String> = crate::model::struct_keys::<crate::model::SetField>()
                .iter()
                .filter(|k| **k != "field")
                .map(|k| k.to_string())
                .collect();
            return (
                msg!("rule-in-overlay", key = word),
                Some(msg!("rule-in-overlay-help", keys = list(&settable))),
                None,
            );
        }
        let allowed = &quoted[1.min(quoted.len())..];
        let hint = suggestion(&word, allowed.iter().map(String::as_str));
        let help = if rest.contains("there are no fields") || allowed.is_empty() {
            None
        } else {
            Some(msg!("allowed-here", list = list(allowed)))
        };
        return (msg!("unknown-key", word = word, hint = hint), help, None);
    }
    if msg.starts_with("unknown variant ") {
        let word = quoted.first().cloned().unwrap_or_default();
        let allowed = &quoted[1.min(quoted.len())..];
        let hint = suggestion(&word, allowed.iter().map(String::as_str));
        return (
            msg!("unknown-value", word = word, hint = hint),
            Some(msg!("allowed-here", list = list(allowed))),
            None,
        );
    }
    if msg.starts_with("missing field ") {
        let word = quoted.first().cloned().unwrap_or_default();
        return (
            msg!("key-missing", key = &word),
            Some(msg!("key-missing-help", key = word)),
            None,
        );
    }
    if msg.starts_with("duplicate field ") {
        let word = quoted.first().cloned().unwrap_or_default();
        return (msg!("key-twice", key = word), Some(msg!("keep-one")), None);
    }
    if let Some(rest) = msg
        .strip_prefix("invalid type: ")
        .or_else(|| msg.strip_prefix("invalid value: "))
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return (
            msg!(
                "expected-found",
                expected = plain_expected(expected),
                found = plain_found(found)
            ),
            None,
            None,
        );
    }
    if msg.contains("untagged enum Bound") {
        return (msg!("expected-bound"), None, None);
    }
    if msg.starts_with("duplicate entry with key") {
        let key = msg
            .split('"')
            .nth(1)
            .map(str::to_string)
            .unwrap_or_default();
        return (msg!("key-twice", key = key), Some(msg!("keep-one")), None);
    }
    (
        syntax_problem(&msg),
        Some(msg!("yaml-syntax-help")),
        Some(msg!("detail-yaml", text = msg)),
    )
}

/// What a YAML syntax error probably means, in plain words (the parser's own words are the
/// detail): a tab, a list entry or key out of line, an unclosed bracket or quote, a text with
/// ": " in it.
fn syntax_problem(parser: &str) -> Msg {
    let has = |s: &str| parser.contains(s);
    if has("tab") {
        msg!("yaml-tab")
    } else if has("expected '-' indicator") || has("block sequence entries are not allowed") {
        msg!("yaml-list-out-of-line")
    } else if has("did not find expected key") || has("could not find expected ':'") {
        msg!("yaml-key-out-of-line")
    } else if has("while parsing a flow mapping") {
        msg!("yaml-flow-mapping")
    } else if has("while parsing a flow sequence") {
        msg!("yaml-flow-sequence")
    } else if has("mapping values are not allowed") {
        msg!("yaml-colon-in-text")
    } else if has("quoted scalar") {
        msg!("yaml-quote-not-closed")
    } else if has("cannot start any token") {
        msg!("yaml-reserved-character")
    } else {
        msg!("yaml-syntax")
    }
}

fn plain_expected(expected: &str) -> Msg {
    let e = expected.trim();
    match e {
        "u32" | "u64" | "usize" | "u16" | "u8" => msg!("expected-whole-number"),
        "f64" | "f32" => msg!("expected-number"),
        "a boolean" => msg!("expected-boolean"),
        "a string" => msg!("expected-text"),
        "a sequence" => msg!("expected-list"),
        "a map" => msg!("expected-text-map"),
        _ if e.starts_with("struct ") => msg!("expected-mapping"),
        _ if e.starts_with("enum ") => msg!("expected-listed-name"),
        _ => msg!("expected-other", what = e),
    }
}

fn plain_found(found: &str) -> Msg {
    let f = found.trim();
    if let Some(s) = f.strip_prefix("string ") {
        return msg!("found-text", text = s);
    }
    match f {
        "sequence" => msg!("found-list"),
        "map" => msg!("found-mapping"),
        "unit value" => msg!("found-nothing"),
        _ => match f
            .strip_prefix("integer ")
            .or_else(|| f.strip_prefix("floating point "))
        {
            Some(n) => msg!("found-number", number = n),
            None => msg!("found-other", what = f),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_unknown_key_with_suggestion() {
        let (msg, help, _) = explain_yaml_error(
            "steps[0].fields[1]: unknown field `requried`, expected one of `id`, `type`, `required` at line 5 column 9",
        );
        assert_eq!(
            msg.render("en"),
            "unknown key \"requried\"; did you mean \"required\"?"
        );
        assert_eq!(
            msg.render("de"),
            "Unbekannter Schlüssel „requried“; meinten Sie „required“?"
        );
        assert_eq!(
            help.map(|h| h.render("en")).as_deref(),
            Some("allowed here: \"id\", \"type\", \"required\"")
        );
    }

    #[test]
    fn explains_type_errors_in_plain_words() {
        let (msg, _, _) = explain_yaml_error(
            "retention-days: invalid type: string \"ein Jahr\", expected u32 at line 3 column 17",
        );
        assert_eq!(
            msg.render("en"),
            "expected a whole number, found the text \"ein Jahr\""
        );
        assert_eq!(
            msg.render("de"),
            "Erwartet wird eine ganze Zahl, hier steht der Text \"ein Jahr\""
        );
    }

    #[test]
    fn a_syntax_error_says_what_is_probably_wrong_and_keeps_the_parsers_words_as_detail() {
        let (msg, help, detail) = explain_yaml_error(
            "did not find expected '-' indicator at line 7 column 3, while parsing a block collection at line 5 column 3",
        );
        assert!(msg.render("en").contains("list"), "{}", msg.render("en"));
        assert!(help.is_some());
        assert_eq!(
            detail.map(|d| d.render("en")).as_deref(),
            Some(
                "the YAML parser says: did not find expected '-' indicator, while parsing a block collection"
            )
        );
    }
}
