//! Small text helpers: slugs for ids, FIM texts cleaned up for labels and hints, patterns made
//! portable, comment wrapping.

use std::sync::LazyLock;

use regex::Regex;

/// Longest id the importer makes (ids are used in web addresses and storage keys).
pub const MAX_ID: usize = 40;

/// `Straßenanschrift (Inland)` → `strassenanschrift-inland`: lower case, umlauts as ae/oe/ue,
/// ß as ss, everything else that is not a-z or 0-9 as `-`; cut to `max` characters at a `-`.
/// Starts with a letter (`f-` is put in front otherwise); never empty.
pub fn slug(text: &str, max: usize) -> String {
    let mut s = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => s.push_str("ae"),
            'ö' => s.push_str("oe"),
            'ü' => s.push_str("ue"),
            'ß' => s.push_str("ss"),
            'a'..='z' | '0'..='9' => s.push(c),
            'á' | 'à' | 'â' => s.push('a'),
            'é' | 'è' | 'ê' => s.push('e'),
            'í' | 'ì' | 'î' => s.push('i'),
            'ó' | 'ò' | 'ô' => s.push('o'),
            'ú' | 'ù' | 'û' => s.push('u'),
            _ => {
                if !s.ends_with('-') {
                    s.push('-');
                }
            }
        }
    }
    let mut s = s.trim_matches('-').to_string();
    if s.is_empty() {
        s = "feld".into();
    }
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s = format!("f-{s}");
    }
    cut(&s, max)
}

/// Cuts a slug to at most `max` characters, at a `-` where possible.
pub fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let head = &s[..max];
    match head.rfind('-') {
        Some(i) if i >= 3 => head[..i].to_string(),
        _ => head.trim_end_matches('-').to_string(),
    }
}

/// The first `words` words of a slug.
pub fn first_words(slug: &str, words: usize) -> String {
    slug.split('-').take(words).collect::<Vec<_>>().join("-")
}

pub static PARENS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*\([^)]*\)").unwrap());

/// What an id is made from: the FIM `name` without parenthesised qualifiers
/// (`Koordinator (Asbest)` → `Koordinator`) or the label, whichever has fewer words (the label
/// on a tie). FIM names are short technical names, labels are often whole questions.
pub fn id_source<'a>(name: &'a str, label: &'a str) -> String {
    let name = PARENS.replace_all(name, "").trim().to_string();
    let words = |s: &str| s.split_whitespace().count();
    if name.is_empty() || (!label.trim().is_empty() && words(label) <= words(&name)) {
        label.trim().to_string()
    } else {
        name
    }
}

/// A label: one line, single spaces.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A hint or intro: lines without trailing blanks, at most one empty line in a row, and no
/// line that starts with blanks (Markdown would read it as code).
pub fn paragraphs(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = one_line(line);
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// Joins non-empty paragraphs with an empty line.
pub fn join_paragraphs<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Wraps `text` into lines of at most `width` characters (longer words stay whole).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

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

/// A German message for a pattern: known FIM patterns get a precise one; anything else a
/// general one (and the report asks for a better one).
/// Whether a FIM pattern describes an e-mail address (`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+…`).
/// FIM's are ASCII only; the importer makes such a field `type: email`, whose check also
/// accepts internationalised addresses (`priya@müller.de`).
pub fn is_email_pattern(pattern: &str) -> bool {
    pattern.contains('@')
}

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
    fn slugs_spell_umlauts_out_and_stay_short() {
        assert_eq!(slug("Straßenanschrift", 40), "strassenanschrift");
        assert_eq!(slug("Größe / Gewicht (kg)", 40), "groesse-gewicht-kg");
        assert_eq!(slug("Übermittlung", 40), "uebermittlung");
        assert_eq!(slug("123 Zahl", 40), "f-123-zahl");
        assert_eq!(slug("", 40), "feld");
        assert_eq!(
            slug(
                "Persönliche Informationen schwangere stillende Frau Allgemein",
                40
            ),
            "persoenliche-informationen-schwangere"
        );
    }

    #[test]
    fn ids_come_from_the_shorter_of_name_and_label() {
        assert_eq!(
            id_source(
                "Kopie an Träger der gesetzlichen Unfallversicherung",
                "Hiermit bestätige ich, dass ich eine Kopie dieser Anzeige an den Träger der gesetzlichen Unfallversicherung übersenden werde."
            ),
            "Kopie an Träger der gesetzlichen Unfallversicherung"
        );
        assert_eq!(
            id_source(
                "Koordinator (Asbest)",
                "Ein Koordinator nach Nummer 6 TRGS 519 ist"
            ),
            "Koordinator"
        );
        assert_eq!(id_source("Telefon", "Telefonnummer"), "Telefonnummer");
        assert_eq!(id_source("", "Ort"), "Ort");
    }

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

    #[test]
    fn paragraphs_drop_indentation_and_extra_blank_lines() {
        assert_eq!(paragraphs("  a  b \n\n\n c\n"), "a b\n\nc");
        assert_eq!(one_line(" a\n b "), "a b");
    }

    #[test]
    fn wrap_keeps_long_words_whole() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(
            wrap("urn:de:fim:codeliste:x", 5),
            vec!["urn:de:fim:codeliste:x"]
        );
    }
}
