//! The languages a site can be offered in, with their names and writing direction: the lint
//! checks `languages:` of a municipality against this list, and the pages take their language
//! menu and `dir` attribute from it.

/// Languages a site can be offered in: code, name in the language itself, written right to left.
pub const LANGUAGES: &[(&str, &str, bool)] = &[
    ("de", "Deutsch", false),
    ("en", "English", false),
    ("ar", "العربية", true),
    ("tr", "Türkçe", false),
    ("uk", "Українська", false),
    ("ru", "Русский", false),
    ("pl", "Polski", false),
    ("fr", "Français", false),
    ("es", "Español", false),
    ("it", "Italiano", false),
    ("fa", "فارسی", true),
    ("ro", "Română", false),
];

/// Whether `lang` is one of [`LANGUAGES`].
pub fn is_known(lang: &str) -> bool {
    LANGUAGES.iter().any(|(code, _, _)| *code == lang)
}

/// Whether `lang` is written right to left.
pub fn is_rtl(lang: &str) -> bool {
    LANGUAGES.iter().any(|(code, _, rtl)| *code == lang && *rtl)
}
