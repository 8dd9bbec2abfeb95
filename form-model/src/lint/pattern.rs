//! A question's `pattern` is compiled three times: by the function (Rust's `regex`, anchored),
//! by the page's script (JavaScript, flag `u`) and by the browser itself for the HTML `pattern`
//! attribute, which the HTML standard compiles with flag `v` — the check for visitors without
//! JavaScript. `v` is stricter inside `[...]` (`[ -]` is an error there), so a pattern can work
//! in the script and break only for people without JavaScript. Each is checked with the grammar
//! of its engine: the ECMAScript ones by oxc's regular-expression parser, not by hand.

use oxc_allocator::Allocator;
use oxc_regular_expression::{LiteralParser, Options};
use regex::Regex;

use crate::model::Field;
use crate::msg;
use crate::positions::child;

use super::linter::Linter;

/// Where a pattern is compiled, and with which flags.
#[derive(Clone, Copy)]
enum Engine {
    /// The page's script: `new RegExp("^(?:" + pattern + ")$", "u")`.
    Script,
    /// The browser's own check of the `pattern` attribute (HTML: flag `v`).
    Attribute,
}

impl Engine {
    fn flags(self) -> &'static str {
        match self {
            Engine::Script => "u",
            Engine::Attribute => "v",
        }
    }
}

/// Lints `field.pattern`: valid for all three engines, and explained to citizens.
pub(super) fn lint_pattern(cx: &mut Linter, field: &Field, fp: &str) {
    let Some(pattern) = &field.pattern else {
        return;
    };
    let at = child(fp, "pattern");
    if let Err(err) = Regex::new(&format!("^(?:{pattern})$")) {
        let detail = err.to_string();
        let last = detail
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .trim_start_matches("error: ");
        cx.error_detail(
            &at,
            msg!("pattern-invalid"),
            msg!("detail-regex", text = last),
            msg!("pattern-invalid-help"),
        );
        return;
    }
    if let Some(problem) = ecmascript_problem(pattern, Engine::Script) {
        cx.error_detail(
            &at,
            msg!("pattern-not-for-script"),
            msg!("detail-ecmascript", flag = "u", text = problem),
            msg!("pattern-not-for-script-help"),
        );
        return;
    }
    if let Some(problem) = ecmascript_problem(pattern, Engine::Attribute) {
        cx.error_detail(
            &at,
            msg!("pattern-not-for-attribute"),
            msg!("detail-ecmascript", flag = "v", text = problem),
            msg!("pattern-not-for-attribute-help"),
        );
        return;
    }
    if field.pattern_message.is_none() {
        cx.error_help(
            &at,
            msg!("pattern-without-message"),
            msg!("pattern-without-message-help"),
        );
    }
}

/// The parser's complaint about `pattern` as `engine` compiles it, if any.
fn ecmascript_problem(pattern: &str, engine: Engine) -> Option<String> {
    let anchored = format!("^(?:{pattern})$");
    let allocator = Allocator::default();
    LiteralParser::new(
        &allocator,
        &anchored,
        Some(engine.flags()),
        Options::default(),
    )
    .parse()
    .err()
    .map(|err| {
        let text = err.to_string();
        let text = text.trim_start_matches("Invalid regular expression: ");
        // The parser capitalises its messages; here they follow a colon.
        let mut chars = text.chars();
        chars
            .next()
            .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::{Engine, ecmascript_problem};

    #[test]
    fn a_hyphen_after_a_space_in_a_class_breaks_only_under_flag_v() {
        assert_eq!(ecmascript_problem("[0-9 -]+", Engine::Script), None);
        assert!(ecmascript_problem("[0-9 -]+", Engine::Attribute).is_some());
        assert_eq!(ecmascript_problem(r"[0-9 \-]+", Engine::Attribute), None);
    }

    #[test]
    fn the_catalogs_postcode_and_name_patterns_pass_both_flags() {
        for p in [r"\d{5}", r"[\p{L} .'\-]+", r"[A-Z]{2}\d{2}[A-Z0-9 ]{11,30}"] {
            assert_eq!(ecmascript_problem(p, Engine::Script), None, "{p}");
            assert_eq!(ecmascript_problem(p, Engine::Attribute), None, "{p}");
        }
    }

    #[test]
    fn a_lone_brace_is_an_error_in_unicode_mode() {
        assert!(ecmascript_problem("a{", Engine::Script).is_some());
    }
}
