//! The shape of a theme's templates, checked without compiling them: every page template this
//! crate renders is there, every template one names (`extends`, `import`, `include`) is there,
//! and every tag is closed and every block tag ended in order. Compiling all templates is most
//! of what loading a theme costs, and the function may never render a page in its life; so a
//! theme from a bundle is compiled on its first page ([`crate::Theme::tera`]), and this check
//! is what still stops a broken or truncated bundle at start, with the template's name.
//! (The generator compiled every template of the bundle it wrote; an expression tera cannot
//! parse in a bundle written by it does not happen, and would fail the first page clearly.)

use std::collections::BTreeMap;

/// The page templates the pages of this crate are rendered with.
pub const PAGE_TEMPLATES: &[&str] = &[
    "pages/confirmation.html",
    "pages/feedback.html",
    "pages/form-step-nav.html",
    "pages/form-steps.html",
    "pages/form.html",
    "pages/index.html",
    "pages/legal.html",
    "pages/notice.html",
];

/// Tags that open a block, which `end<tag>` closes.
const BLOCK_TAGS: &[&str] = &["block", "for", "if", "macro", "filter", "raw"];

/// Checks the shape of `templates` (name → source); the first problem found is the error,
/// naming the template and the line.
pub fn check(templates: &BTreeMap<String, String>) -> Result<(), String> {
    for page in PAGE_TEMPLATES {
        if !templates.contains_key(*page) {
            return Err(format!("the theme has no template {page}"));
        }
    }
    for (name, source) in templates {
        check_one(source, |referenced| templates.contains_key(referenced))
            .map_err(|problem| format!("{name}: {problem}"))?;
    }
    Ok(())
}

/// The first problem of one template's source; `exists` says whether a named template exists.
fn check_one(source: &str, exists: impl Fn(&str) -> bool) -> Result<(), String> {
    // Where each open block tag starts (a byte offset): its line is counted only for a message,
    // so a well-formed template is read once, not once per tag.
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut rest = source;
    let offset = |at: &str| source.len() - at.len();
    let line = |offset: usize| source[..offset].matches('\n').count() + 1;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let close = match after.as_bytes().first() {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                rest = after;
                continue;
            }
        };
        let at = offset(&rest[start..]);
        let body = &after[1..];
        let end = find_outside_strings(body, close, close != "#}").ok_or_else(|| {
            format!(
                "line {}: a tag that is never closed with \"{close}\"",
                line(at)
            )
        })?;
        rest = &body[end + close.len()..];
        if close != "%}" {
            continue;
        }
        let inner = body[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let tag = inner.split_whitespace().next().unwrap_or("");
        if BLOCK_TAGS.contains(&tag) {
            if tag == "raw" {
                // Anything up to its end is text, tags included.
                let end =
                    endraw(rest).ok_or_else(|| format!("line {}: raw is never ended", line(at)))?;
                rest = &rest[end..];
                continue;
            }
            open.push((tag, at));
        } else if let Some(ended) = tag.strip_prefix("end") {
            match open.pop() {
                Some((opened, _)) if opened == ended => {}
                Some((opened, from)) => {
                    return Err(format!(
                        "line {}: end{ended} where the {opened} of line {} is still open",
                        line(at),
                        line(from)
                    ));
                }
                None => {
                    return Err(format!("line {}: end{ended} without its {ended}", line(at)));
                }
            }
        } else if matches!(tag, "extends" | "import" | "include") {
            let names = quoted(inner);
            let found = names.iter().any(|n| exists(n))
                || (tag == "include" && inner.contains("ignore missing"));
            if !found {
                return Err(format!(
                    "line {}: {tag} names a template the theme does not have: {}",
                    line(at),
                    names.join(", ")
                ));
            }
        }
    }
    match open.pop() {
        Some((tag, from)) => Err(format!("line {}: {tag} is never ended", line(from))),
        None => Ok(()),
    }
}

/// Where `close` is in `text`, outside quoted strings when `strings` (in an expression);
/// `None` when it is not there.
fn find_outside_strings(text: &str, close: &str, strings: bool) -> Option<usize> {
    if !strings {
        return text.find(close);
    }
    let mut quote: Option<u8> = None;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if matches!(b, b'"' | b'\'' | b'`') => quote = Some(b),
            None if text[i..].starts_with(close) => return Some(i),
            None => {}
        }
    }
    None
}

/// Where the text after a `raw` tag ends: just after its `endraw` tag.
fn endraw(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(start) = text[from..].find("{%") {
        let tag_start = from + start;
        let end = tag_start + text[tag_start..].find("%}")?;
        let inner = text[tag_start + 2..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        if inner == "endraw" {
            return Some(end + 2);
        }
        from = end + 2;
    }
    None
}

/// The quoted strings of a tag (the template names of `extends`, `import`, `include`).
fn quoted(inner: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = inner;
    while let Some(start) = rest.find(['"', '\'', '`']) {
        let q = rest[start..].chars().next().unwrap_or('"');
        let after = &rest[start + 1..];
        let Some(end) = after.find(q) else { break };
        names.push(&after[..end]);
        rest = &after[end + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(source: &str) -> Result<(), String> {
        check_one(source, |n| n == "layouts/base.html")
    }

    #[test]
    fn well_formed_templates_pass() {
        let source = r#"{% extends "layouts/base.html" %}
{# a comment with {% if %} in it #}
{%- block main -%}{% for x in xs %}{{ x | default(value="}}") }}{% endfor %}
{% if a %}1{% elif b %}2{% else %}3{% endif %}{% raw %}{% if {{ %}{% endraw %}
{% include "missing.html" ignore missing %}{% endblock main %}"#;
        assert_eq!(one(source), Ok(()));
    }

    #[test]
    fn a_broken_template_is_named_with_its_line() {
        assert_eq!(
            one("a\n{% if x %}\n{% endfor %}"),
            Err("line 3: endfor where the if of line 2 is still open".into())
        );
        assert_eq!(
            one("{% block a %}"),
            Err("line 1: block is never ended".into())
        );
        assert_eq!(
            one("{{ x }\n"),
            Err("line 1: a tag that is never closed with \"}}\"".into())
        );
        assert_eq!(
            one("{% endif %}"),
            Err("line 1: endif without its if".into())
        );
        assert_eq!(
            one("{% import \"macros/gone.html\" as g %}"),
            Err("line 1: import names a template the theme does not have: macros/gone.html".into())
        );
    }

    #[test]
    fn a_theme_without_a_page_template_is_refused() {
        let templates: BTreeMap<String, String> = PAGE_TEMPLATES
            .iter()
            .filter(|p| **p != "pages/notice.html")
            .map(|p| (p.to_string(), String::new()))
            .collect();
        assert_eq!(
            check(&templates).unwrap_err(),
            "the theme has no template pages/notice.html"
        );
    }
}
