//! Sorting answer options by their label the way a reader of the page's language expects:
//! in German "Ägypten" next to "Afghanistan" and "Österreich" among the O, not after "Zypern"
//! as a sort by code points would put them. The rules are Unicode's collation (CLDR) in
//! ICU4X's implementation with its compiled data, not a hand-written comparison.

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorBorrowed};
use icu_locale_core::Locale;

/// The collator of language `lang` (`de`, `en`, `ar`); the root collation for a language
/// without rules of its own.
pub fn collator(lang: &str) -> CollatorBorrowed<'static> {
    let language = lang.parse::<Locale>().map_or_else(
        |_| Collator::try_new(Default::default(), CollatorOptions::default()),
        |l| Collator::try_new((&l).into(), CollatorOptions::default()),
    );
    language
        .or_else(|_| Collator::try_new(Default::default(), CollatorOptions::default()))
        .expect("the root collation is compiled in")
}

/// Sorts `items` by `label` in `lang`; items with the same label keep their order.
pub fn sort_by_label<T>(items: &mut [T], lang: &str, label: impl Fn(&T) -> String) {
    let collator = collator(lang);
    items.sort_by(|a, b| collator.compare(&label(a), &label(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(lang: &str, words: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        sort_by_label(&mut v, lang, |w| w.clone());
        v
    }

    #[test]
    fn german_umlauts_sort_with_their_base_letter_not_after_z() {
        assert_eq!(
            sorted(
                "de",
                &[
                    "Zypern",
                    "Österreich",
                    "Oman",
                    "Ägypten",
                    "Afghanistan",
                    "Albanien"
                ]
            ),
            [
                "Afghanistan",
                "Ägypten",
                "Albanien",
                "Oman",
                "Österreich",
                "Zypern"
            ]
        );
        // ß as ss, and case does not split the list.
        assert_eq!(
            sorted("de", &["Strauß", "Strasse", "Straßburg"]),
            ["Straßburg", "Strasse", "Strauß"]
        );
        assert_eq!(
            sorted("de", &["berlin", "Bremen", "Bayern"]),
            ["Bayern", "berlin", "Bremen"]
        );
    }

    #[test]
    fn other_languages_use_their_own_rules() {
        assert_eq!(
            sorted("ar", &["مصر", "ألمانيا", "تونس"]),
            ["ألمانيا", "تونس", "مصر"]
        );
        assert_eq!(sorted("xx-unknown", &["b", "a"]), ["a", "b"]);
    }
}
