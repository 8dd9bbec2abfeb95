//! Ids for the imported form's steps and questions: slugs of FIM names and labels, unique in
//! the form, short enough for web addresses and storage keys.

use std::collections::HashSet;
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

/// The step and field ids given out so far.
#[derive(Debug, Default)]
pub struct Ids {
    fields: HashSet<String>,
    steps: HashSet<String>,
}

impl Ids {
    /// A field id unique in the form: from `source` (see [`id_source`]); on a clash from one of
    /// the `alternatives` (the name or the label), then with the context's first words in
    /// front, then numbered.
    pub fn field(&mut self, source: &str, alternatives: &[&str], context: &str) -> String {
        let base = slug(source, MAX_ID);
        let mut candidates = vec![base.clone()];
        for a in alternatives {
            let a = PARENS.replace_all(a, "");
            if !a.trim().is_empty() {
                candidates.push(slug(&a, MAX_ID));
            }
        }
        let ctx = first_words(context, 2);
        if !ctx.is_empty() && !base.starts_with(&ctx) {
            candidates.push(cut(&format!("{ctx}-{base}"), MAX_ID + 12));
        }
        for c in candidates {
            if self.fields.insert(c.clone()) {
                return c;
            }
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| self.fields.insert(c.clone()))
            .expect("some number is free")
    }

    /// A step id unique in the form, from `source`, numbered on a clash.
    pub fn step(&mut self, source: &str) -> String {
        let base = slug(source, MAX_ID);
        if self.steps.insert(base.clone()) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| self.steps.insert(c.clone()))
            .expect("some number is free")
    }

    /// A field id that is not used after all.
    pub fn release_field(&mut self, id: &str) {
        self.fields.remove(id);
    }

    /// A step id that is not used after all.
    pub fn release_step(&mut self, id: &str) {
        self.steps.remove(id);
    }
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
}
