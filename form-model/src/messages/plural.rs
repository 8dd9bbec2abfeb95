//! Which plural form a count takes in a language, by CLDR's plural rules (ICU4X `icu_plurals`
//! with its compiled data): German and English have two forms, Arabic six (zero, one, two,
//! few, many, other), rules too easy to get wrong by hand.

use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};

/// CLDR's plural categories, as message files name them.
pub(super) const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// The cardinal plural category of `n` in `lang` (`"other"` for a language CLDR does not know).
pub fn plural_category(lang: &str, n: u64) -> &'static str {
    let Ok(locale) = Locale::try_from_str(lang) else {
        return "other";
    };
    let Ok(rules) = PluralRules::try_new_cardinal((&locale).into()) else {
        return "other";
    };
    match rules.category_for(n) {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}
