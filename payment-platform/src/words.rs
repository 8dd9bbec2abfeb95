//! The pay page's words in each of its languages (German, English), from form-model's messages
//! (`payment-page.yaml`), with their one fallback rule: a page asked for in another language is
//! German.

use std::sync::LazyLock;

use form_model::messages::PAYMENT_PAGE;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The languages the pay page is written in; the first is the one every other language gets.
pub const LANGUAGES: [&str; 2] = ["de", "en"];

/// The pay page's words in one language (the keys of `payment-page.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Words {
    /// The language these words are in (not a message key).
    #[serde(skip)]
    pub lang: &'static str,
    pub title: String,
    pub notice: String,
    pub payee: String,
    pub items: String,
    pub item: String,
    pub quantity: String,
    pub amount: String,
    pub total: String,
    pub purpose: String,
    pub method: String,
    pub method_creditcard: String,
    pub method_giropay: String,
    pub method_paypal: String,
    pub method_paydirect: String,
    pub method_other: String,
    pub pay: String,
    pub cancel: String,
    pub fail: String,
    /// The name of the other language, written in that language (the link to the page in it).
    pub other_language: String,
    pub done_title: String,
    pub done: String,
    pub back: String,
    pub status_paid: String,
    pub status_cancelled: String,
    pub status_failed: String,
    pub unknown_title: String,
    pub unknown: String,
    pub bad_title: String,
    pub bad: String,
}

impl Words {
    /// The standard's payment methods the page offers (its code, its label), the first chosen.
    pub fn methods(&self) -> [(&'static str, &str); 5] {
        [
            ("CREDITCARD", &self.method_creditcard),
            ("GIROPAY", &self.method_giropay),
            ("PAYPAL", &self.method_paypal),
            ("PAYDIRECT", &self.method_paydirect),
            ("OTHER", &self.method_other),
        ]
    }

    /// The language the page links to: the other one of [`LANGUAGES`].
    pub fn other_lang(&self) -> &'static str {
        LANGUAGES
            .into_iter()
            .find(|l| *l != self.lang)
            .unwrap_or(LANGUAGES[0])
    }
}

static WORDS: LazyLock<Vec<Words>> = LazyLock::new(|| {
    LANGUAGES
        .into_iter()
        .map(|lang| load(lang).unwrap_or_else(|e| panic!("payment-page.yaml: {e} (tested)")))
        .collect()
});

/// The words for `lang` (German for any language the page is not written in).
pub fn words(lang: Option<&str>) -> &'static Words {
    let lang = PAYMENT_PAGE.language_for(lang.unwrap_or(""));
    let i = LANGUAGES.iter().position(|l| *l == lang).unwrap_or(0);
    &WORDS[i]
}

/// The pay page's texts in `lang`: the struct names every key the file has, no more, no less.
fn load(lang: &'static str) -> Result<Words, String> {
    let texts: Map<String, Value> = PAYMENT_PAGE
        .texts_in(lang)
        .into_iter()
        .map(|(key, text)| (key, Value::String(text)))
        .collect();
    let mut words: Words = serde_json::from_value(Value::Object(texts))
        .map_err(|e| format!("the {lang} words: {e}"))?;
    words.lang = lang;
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pay_page_word_is_used_and_none_is_missing() {
        // the struct denies unknown keys and needs every field: an unused or a missing key
        // fails here (form-model's test checks that every key has every language)
        for lang in LANGUAGES {
            load(lang).unwrap();
        }
        assert_eq!(PAYMENT_PAGE.languages, LANGUAGES);
    }

    #[test]
    fn a_language_the_page_is_not_written_in_gets_german() {
        assert_eq!(words(Some("ar")).title, "Bezahlen");
        assert_eq!(words(None).lang, "de");
        assert_eq!(words(Some("en")).title, "Payment");
        assert_eq!(words(Some("en")).other_lang(), "de");
        assert_eq!(words(Some("de")).other_lang(), "en");
    }
}
