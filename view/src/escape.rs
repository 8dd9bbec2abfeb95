//! Escaping for HTML, the one rule for every page the project writes: tera's autoescape in
//! the site's templates uses it, and so does anything that writes HTML outside a template.

use serde_json::Value;

/// Escapes text for HTML content and double-quoted attribute values: `&`, `<`, `>` and `"`.
/// Unlike tera's default it leaves `/` and `'` alone, so URLs and the CSP stay readable and
/// pages smaller. That is safe because every attribute value in the templates is
/// double-quoted (a test reads them all); `'` only ends a single-quoted one.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    escape_html_into(&mut out, input);
    out
}

/// [`escape_html`], appended to `out`.
pub(crate) fn escape_html_into(out: &mut String, input: &str) {
    replace_ascii_into(out, input, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        _ => None,
    });
}

/// Appends `input` to `out` with each byte that `replace` has a replacement for replaced by
/// it; `replace` answers for ASCII bytes only, so every cut is at a character boundary.
fn replace_ascii_into(out: &mut String, input: &str, replace: impl Fn(u8) -> Option<&'static str>) {
    let mut start = 0;
    for (i, b) in input.bytes().enumerate() {
        let Some(replacement) = replace(b) else {
            continue;
        };
        out.push_str(&input[start..i]);
        out.push_str(replacement);
        start = i + 1;
    }
    out.push_str(&input[start..]);
}

/// JSON for a `<script type="application/json">` element: `<`, `>` and `&` as JSON escapes,
/// so no text in it can close the element.
pub fn json_for_script(v: &Value) -> String {
    let json = serde_json::to_string(v).expect("json serializes");
    let escape = |b| match b {
        b'<' => Some("\\u003c"),
        b'>' => Some("\\u003e"),
        b'&' => Some("\\u0026"),
        _ => None,
    };
    // One pass, and no copy when there is nothing to escape (a form page's data is tens of KB).
    if !json.bytes().any(|b| escape(b).is_some()) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 64);
    replace_ascii_into(&mut out, &json, escape);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_double_quotes_and_leaves_apostrophes_and_slashes() {
        assert_eq!(
            escape_html("<a href=\"/x\">'s & more</a>"),
            "&lt;a href=&quot;/x&quot;&gt;'s &amp; more&lt;/a&gt;"
        );
    }

    #[test]
    fn json_in_a_script_element_cannot_close_it() {
        let v = serde_json::json!({ "label": "</script><b>&" });
        assert_eq!(
            json_for_script(&v),
            r#"{"label":"\u003c/script\u003e\u003cb\u003e\u0026"}"#
        );
    }

    /// The escaper leaves `'` alone: only right while no template writes an attribute value in
    /// single quotes or without quotes.
    #[test]
    fn every_attribute_value_in_the_templates_is_double_quoted() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../site-templates");
        let quoted = regex::Regex::new(r#"\s*=\s*"[^"]*""#).unwrap();
        let tags = regex::Regex::new(r"<[a-zA-Z][^<>]*>").unwrap();
        // Tera's own tags and comments are not HTML.
        let tera = regex::Regex::new(r"(?s)\{%.*?%\}|\{#.*?#\}|\{\{.*?\}\}").unwrap();
        let mut seen = 0;
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "html") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let html = tera.replace_all(&text, "X");
                    for tag in tags.find_iter(&html) {
                        seen += 1;
                        // Without its double-quoted values, a tag has no `=` left.
                        let rest = quoted.replace_all(tag.as_str(), "");
                        assert!(
                            !rest.contains(['=', '\'']),
                            "{}: an attribute value not in double quotes: {}",
                            path.display(),
                            tag.as_str()
                        );
                    }
                }
            }
        }
        assert!(seen > 100, "read only {seen} tags");
    }
}
