//! The receipt's words in one language, from form-model's messages (`receipt.yaml`, and the
//! few it shares with the form page from `site.yaml`), with their one fallback rule (German for
//! a language the receipt is not written in).

use form_model::messages::{RECEIPT, SITE};
use serde::{Deserialize, Serialize};

macro_rules! words {
    (own: $($field:ident),* ; site: $($shared:ident = $site_key:literal),* $(,)?) => {
        /// The receipt's words in one language.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        pub struct Words {
            $(pub $field: String,)*
            $(pub $shared: String,)*
        }

        impl Words {
            /// The keys of `receipt.yaml`, as the struct names them (`snake_case`).
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// The keys of `site.yaml` the receipt shares with the form page.
            pub const SITE_KEYS: &'static [&'static str] = &[$($site_key),*];

            /// The words in `lang` (German when the receipt is not written in it).
            pub fn for_language(lang: &str) -> Words {
                let pick = |key: &str| RECEIPT.text(&key.replace('_', "-"), lang).to_string();
                Words {
                    $($field: pick(stringify!($field)),)*
                    $($shared: SITE.text($site_key, lang).to_string(),)*
                }
            }
        }
    };
}

words!(
    own: title,
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
    page;
    // the same words as the form page's fee table and check-your-answers step
    site: not_answered = "not-answered",
    fees = "fees-title",
    fee_item = "fee-item",
    fee_amount = "fee-amount",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_receipt_word_is_used_and_none_is_missing() {
        let mut keys: Vec<String> = Words::KEYS.iter().map(|k| k.replace('_', "-")).collect();
        keys.sort_unstable();
        let file: Vec<&String> = RECEIPT.table().keys().collect();
        assert_eq!(file, keys.iter().collect::<Vec<_>>());
        for key in Words::SITE_KEYS {
            assert!(
                SITE.table().contains_key(*key),
                "site.yaml has no \"{key}\""
            );
        }
    }

    #[test]
    fn a_language_without_words_gets_german() {
        assert_eq!(Words::for_language("fr").title, "Antragsbestätigung");
        assert_eq!(Words::for_language("en").title, "Application receipt");
    }
}
