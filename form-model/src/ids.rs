//! The shapes of the names a process designer gives: slugs (the ids of forms, steps, fields,
//! fees and municipalities, which end up in URLs, object keys and input names) and option
//! values. One definition each: the lint, the FIM importer and the function's router use these.

use std::sync::LazyLock;

use regex::Regex;

static SLUG: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[a-z][a-z0-9-]*$").unwrap());
static OPTION_VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^[A-Za-z0-9][A-Za-z0-9_-]*$").unwrap());

/// Whether `value` may be an id: a-z, 0-9 and `-`, starting with a letter.
pub fn is_slug(value: &str) -> bool {
    SLUG.is_match(value)
}

/// Whether `value` may be an option's value: letters a-z, A-Z, digits, `-` and `_`, starting
/// with a letter or digit. The FIM importer rewrites codes that break it.
pub fn is_option_value(value: &str) -> bool {
    OPTION_VALUE.is_match(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_lower_case_ascii_starting_with_a_letter() {
        assert!(is_slug("hundesteuer-anmeldung"));
        assert!(is_slug("a2"));
        for bad in ["", "2a", "-a", "Hund", "gefährlich", "a_b", "a.b", "a/b"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn an_option_value_may_have_capitals_digits_and_underscores() {
        for good in ["ja", "B", "A1", "01", "code_12", "x-y"] {
            assert!(is_option_value(good), "{good}");
        }
        for bad in ["", "-a", "_a", "ä", "a b", "a.b"] {
            assert!(!is_option_value(bad), "{bad}");
        }
    }
}
