//! The character classes XBezahldienste allows in its strings, and ways to bring free text into
//! them.
//!
//! The standard writes its patterns as `^[\w\d-]+$` and the like, in the Java/JavaScript regex
//! dialect its OpenAPI document is read with: there `\w` is ASCII (`[A-Za-z0-9_]`) and `\s` is
//! ASCII whitespace. A Rust `regex` `\w` is Unicode and would let `ä` into an id, so the classes
//! are spelled out here instead.

use crate::limits::PURPOSE_MAX;

/// `[\w\d-]`: ids (originator, endpoint, request, item, reference).
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// `[\w\d\s-]`: the purpose (Verwendungszweck), which ends up on bank statements.
pub fn is_purpose_char(c: char) -> bool {
    is_id_char(c) || is_space(c)
}

/// `[\w\d\s-,\.\u00C0-\u017F]`: descriptions, problem details. Latin letters with diacritics
/// (U+00C0 to U+017F) are allowed; quotes, colons, brackets, `€` and `/` are not.
pub fn is_text_char(c: char) -> bool {
    is_purpose_char(c) || c == ',' || c == '.' || ('\u{00C0}'..='\u{017F}').contains(&c)
}

/// `[\w\d\s\.-]`: a problem's title.
pub fn is_title_char(c: char) -> bool {
    is_purpose_char(c) || c == '.'
}

/// Java's `\s`: space, tab, line feed, vertical tab, form feed, carriage return.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
}

/// `value` as a purpose: German letters spelled out (ä → ae, ß → ss) because banks print the
/// purpose in ASCII, every other character outside the class replaced by a space, runs of
/// spaces collapsed, cut to the standard's 27 characters.
pub fn purpose(value: &str) -> String {
    let mut spelled = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            'ä' => spelled.push_str("ae"),
            'ö' => spelled.push_str("oe"),
            'ü' => spelled.push_str("ue"),
            'Ä' => spelled.push_str("Ae"),
            'Ö' => spelled.push_str("Oe"),
            'Ü' => spelled.push_str("Ue"),
            'ß' => spelled.push_str("ss"),
            c => spelled.push(c),
        }
    }
    squeeze(&spelled, is_purpose_char, PURPOSE_MAX)
}

/// `value` as a description (or a problem detail, with its own maximum): characters outside
/// the class replaced by a space, runs of spaces collapsed, cut to `max` characters.
pub fn text(value: &str, max: usize) -> String {
    squeeze(value, is_text_char, max)
}

fn squeeze(value: &str, allowed: fn(char) -> bool, max: usize) -> String {
    let mut out = String::with_capacity(value.len());
    let mut pending_space = false;
    for c in value.chars() {
        if allowed(c) && !is_space(c) {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    match out.char_indices().nth(max) {
        Some((cut, _)) => out[..cut].trim_end().to_owned(),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_characters_are_ascii_as_in_the_standards_regex_dialect() {
        assert!("Hundesteuer-2025_a".chars().all(is_id_char));
        assert!(!is_id_char('ä'));
        assert!(!is_purpose_char('é'));
        assert!(is_text_char('é'));
        assert!(is_text_char('ß'));
        assert!(!is_text_char('€'));
        assert!(!is_text_char(':'));
        assert!(!is_text_char('('));
        assert!(!is_text_char('\u{0180}'));
        assert!(is_title_char('.'));
        assert!(!is_title_char(','));
    }

    #[test]
    fn a_purpose_spells_out_umlauts_and_keeps_to_27_characters() {
        assert_eq!(purpose("Gebühr Führerschein"), "Gebuehr Fuehrerschein");
        assert_eq!(
            purpose("Hundesteuer: Straße 1 (2025) / Bello & Co"),
            "Hundesteuer Strasse 1 2025"
        );
        assert_eq!(purpose("  a   b  ").len(), 3);
        let long = purpose("Waffenbesitzkarte Erteilung 2025 Referenz ABCDEF");
        assert_eq!(long.chars().count(), 27);
        assert!(long.chars().all(is_purpose_char));
    }

    #[test]
    fn a_text_keeps_accented_letters_and_drops_what_the_class_forbids() {
        assert_eq!(
            text("Gebühr: 25 € (ermäßigt) für Café", 250),
            "Gebühr 25 ermäßigt für Café"
        );
        assert_eq!(text("abc def", 5), "abc d");
        assert_eq!(text("abc  def", 4), "abc");
    }
}
