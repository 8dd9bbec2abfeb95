//! FIM patterns (`praezisierung` `pattern`) made fit for the form language, with a German
//! message for a person who typed something else.

use regex::Regex;

/// Makes a FIM pattern fit the form language, which anchors patterns itself and evaluates them
/// in Rust (`regex`), in the page's script (`u` flag) and in the browser's `pattern` attribute
/// (`v` flag): leading `^` and trailing `$` go, and inside a character class a `-` that is not a
/// range and the characters `( ) { } / |` are escaped (`[A-Za-z0-9._%+-]` is an error with the
/// `v` flag). Returns `None` when the result is not a valid regular expression.
pub fn portable_pattern(pattern: &str) -> Option<String> {
    let mut p = pattern.trim();
    if let Some(rest) = p.strip_prefix('^') {
        p = rest;
    }
    if p.ends_with('$') && !p.ends_with("\\$") {
        p = &p[..p.len() - 1];
    }
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::new();
    let mut in_class = false;
    let mut class_start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            out.push(c);
            if let Some(n) = chars.get(i + 1) {
                out.push(*n);
            }
            i += 2;
            // A Unicode class `\p{L}` keeps its braces.
            if matches!(chars.get(i - 1), Some('p' | 'P')) && chars.get(i) == Some(&'{') {
                while let Some(b) = chars.get(i) {
                    out.push(*b);
                    i += 1;
                    if *b == '}' {
                        break;
                    }
                }
            }
            continue;
        }
        if !in_class {
            if c == '[' {
                in_class = true;
                out.push(c);
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                class_start = out.len();
            } else {
                out.push(c);
            }
        } else {
            match c {
                ']' if out.len() > class_start => {
                    in_class = false;
                    out.push(c);
                }
                '-' => {
                    let first = out.len() == class_start;
                    let last = chars.get(i + 1) == Some(&']');
                    if first || last {
                        out.push_str("\\-");
                    } else {
                        out.push('-');
                    }
                }
                '(' | ')' | '{' | '}' | '/' | '|' | '[' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        i += 1;
    }
    if out.is_empty() || Regex::new(&format!("^(?:{out})$")).is_err() {
        return None;
    }
    Some(out)
}

/// Whether a FIM pattern describes an e-mail address (`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+…`).
/// FIM's are ASCII only; the importer makes such a field `type: email`, whose check also
/// accepts internationalised addresses (`priya@müller.de`).
pub fn is_email_pattern(pattern: &str) -> bool {
    pattern.contains('@')
}

/// A German message for a pattern: known FIM patterns get a precise one; anything else a
/// general one (and the report asks for a better one).
pub fn pattern_message(pattern: &str, label: &str) -> (String, bool) {
    if pattern.contains("[0-9]{3}") && pattern.contains("[1-9]") && label.contains("Postleitzahl") {
        return (
            "Die Postleitzahl besteht aus 5 Ziffern, z. B. 10115.".into(),
            true,
        );
    }
    if pattern == "[\\p{L}0-9. ]*" {
        return (
            "Erlaubt sind Buchstaben, Ziffern, Punkte und Leerzeichen.".into(),
            true,
        );
    }
    (
        format!("Die Angabe „{label}“ hat nicht das erwartete Format."),
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_made_portable() {
        assert_eq!(
            portable_pattern("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{1,63}$").as_deref(),
            Some("[A-Za-z0-9._%+\\-]+@[A-Za-z0-9.\\-]+\\.[A-Za-z]{1,63}")
        );
        assert_eq!(
            portable_pattern("^([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}$").as_deref(),
            Some("([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}")
        );
        assert_eq!(
            portable_pattern("[\\p{L}0-9. ]*").as_deref(),
            Some("[\\p{L}0-9. ]*")
        );
        assert_eq!(
            portable_pattern("\\p{Lu}[a-z]*").as_deref(),
            Some("\\p{Lu}[a-z]*")
        );
        assert_eq!(
            portable_pattern("[-a(b)]").as_deref(),
            Some("[\\-a\\(b\\)]")
        );
        assert_eq!(portable_pattern("[^-]").as_deref(), Some("[^\\-]"));
        assert_eq!(portable_pattern("(unclosed"), None);
    }
}
