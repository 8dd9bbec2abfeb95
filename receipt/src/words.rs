//! The receipt's own words in each site language, read from `words.yaml` (compiled in), the one
//! place they are written. A word missing in a language falls back to German.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// `words.yaml`: word key → language → text.
static FILE: LazyLock<BTreeMap<String, BTreeMap<String, String>>> = LazyLock::new(|| {
    serde_yaml::from_str(include_str!("../words.yaml")).expect("words.yaml is valid (tested)")
});

macro_rules! words {
    ($($field:ident),* $(,)?) => {
        /// The receipt's words in one language.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        pub struct Words {
            $(pub $field: String,)*
        }

        impl Words {
            /// The keys of `words.yaml`, as the struct names them in kebab-case.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// The words in `lang`; German for a word that has no `lang` text.
            pub fn for_language(lang: &str) -> Words {
                let pick = |key: &str| {
                    let key = key.replace('_', "-");
                    let texts = FILE
                        .get(&key)
                        .unwrap_or_else(|| panic!("words.yaml has no \"{key}\" (tested)"));
                    texts
                        .get(lang)
                        .or_else(|| texts.get("de"))
                        .cloned()
                        .unwrap_or_default()
                };
                Words {
                    $($field: pick(stringify!($field)),)*
                }
            }
        }
    };
}

words!(
    title,
    intro,
    overview,
    reference,
    received,
    received_format,
    zone_winter,
    zone_summer,
    authority,
    ags,
    service,
    leika,
    form_version,
    not_answered,
    fees,
    fee_item,
    fee_amount,
    fee_total,
    payment_reference,
    attachments,
    attachment_question,
    attachment_size,
    bytes,
    integrity,
    integrity_intro,
    data_sha512,
    identity,
    identity_method,
    page,
);

/// Fills `{name}` placeholders.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_written_in_german_english_and_arabic_and_none_is_unused() {
        let keys: Vec<String> = Words::KEYS.iter().map(|k| k.replace('_', "-")).collect();
        for (key, texts) in FILE.iter() {
            assert!(keys.contains(key), "words.yaml: \"{key}\" is not used");
            for lang in ["de", "en", "ar"] {
                assert!(
                    texts.get(lang).is_some_and(|t| !t.trim().is_empty()),
                    "words.yaml: \"{key}\" has no {lang} text"
                );
            }
        }
        for key in &keys {
            assert!(FILE.contains_key(key), "words.yaml has no \"{key}\"");
        }
    }

    #[test]
    fn a_language_without_words_gets_german() {
        assert_eq!(Words::for_language("fr").title, "Antragsbestätigung");
        assert_eq!(Words::for_language("en").title, "Application receipt");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill("Seite {n} von {m}", &[("n", "1"), ("m", "3")]),
            "Seite 1 von 3"
        );
    }
}
