//! Every word a citizen, a clerk or a process designer reads, in every language it is written in, loaded from one
//! place: the YAML files under `form-model/messages/` (compiled in, as JSON that `build.rs` makes of
//! them: it parses faster), one file per area (the
//! site's frame, validation messages, condition sentences, the function's refusals, address
//! parts, the receipt, the pay page, the e-file, the back office's lists, `check`'s diagnostics). The page, the function, the receipt, the pay
//! page and the back office all read their words here.
//!
//! A file maps kebab-case keys to one text per language (`de`, `en`, `ar` where the area is
//! translated); placeholders are written `{name}` and filled by [`fill`]. A text that depends on
//! a count is a map of CLDR plural categories (`zero`, `one`, `two`, `few`, `many`, `other`;
//! `other` is required), chosen by [`Area::plural`].
//!
//! **The fallback rule**, the only one: a text is in the requested language when the area is
//! written in it, else in German. German is the source language and every area is complete in
//! it; every key has every language its area promises (a test checks it), so the rule never
//! mixes languages inside one area.
//!
//! A new area is a YAML file and one line in [`AREAS`].

mod format;
mod plural;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;

pub use format::{euros, euros_from_cents};
pub use plural::plural_category;

/// The source language: complete in every area, the one every other language falls back to.
pub const SOURCE_LANGUAGE: &str = "de";

/// The languages the site's areas are translated into.
pub const SITE_LANGUAGES: &[&str] = &["de", "en", "ar"];

/// One text: plain, or by plural category.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    /// CLDR plural category (`one`, `few`, …) → text.
    Plural(BTreeMap<String, String>),
}

/// An area's file: key → language → text.
pub type Table = BTreeMap<String, BTreeMap<String, Text>>;

/// The words of one area, from one file.
pub struct Area {
    /// The file's name under `form-model/messages/`.
    pub file: &'static str,
    /// The languages every key is written in, German first.
    pub languages: &'static [&'static str],
    table: LazyLock<Table, fn() -> Table>,
}

macro_rules! areas {
    ($($(#[$doc:meta])* $name:ident = $file:literal in $langs:expr;)*) => {
        $(
            $(#[$doc])*
            pub static $name: Area = Area {
                file: $file,
                languages: $langs,
                table: LazyLock::new(|| parse($file, include_str!(concat!(env!("OUT_DIR"), "/", $file, ".json")))),
            };
        )*
        /// Every area.
        pub static AREAS: &[&Area] = &[$(&$name),*];
    };
}

areas! {
    /// The site's frame (navigation, buttons, notices, legal pages), which the templates read
    /// as `t`, and the function's own pages.
    SITE = "site.yaml" in SITE_LANGUAGES;
    /// What is wrong with an answer: the page's script and the function say the same.
    VALIDATION = "validation.yaml" in SITE_LANGUAGES;
    /// Conditions in words, for pages read without JavaScript; also the language's quotation
    /// marks and its "and" and "or".
    CONDITIONS = "conditions.yaml" in SITE_LANGUAGES;
    /// The labels of an address field's parts.
    ADDRESS = "address.yaml" in SITE_LANGUAGES;
    /// The function's refusals (answers that are not validation results).
    REFUSALS = "refusals.yaml" in SITE_LANGUAGES;
    /// Sign-in with BundID: the form page's words and the function's answers around it.
    SIGN_IN = "sign-in.yaml" in SITE_LANGUAGES;
    /// The receipt (PDF) around the citizen's answers.
    RECEIPT = "receipt.yaml" in SITE_LANGUAGES;
    /// The function's pages around a payment (German and English only, as the pay pages).
    PAYMENT = "payment.yaml" in &["de", "en"];
    /// The local payment platform's pay page (German and English only).
    PAYMENT_PAGE = "payment-page.yaml" in &["de", "en"];
    /// The e-file (xdomea) a clerk reads: German only, whatever language the citizen used.
    E_FILE = "e-file.yaml" in &["de"];
    /// The back office's words for clerks: the clerk's CSV, `inbox list` and `inbox report`;
    /// German first, English for the report.
    BACK_OFFICE = "back-office.yaml" in &["de", "en"];
    /// What `formfabrik check` (and `serve` and `import-fim`) say to process designers:
    /// German by default, English with `--lang en`.
    DESIGNER = "designer.yaml" in &["de", "en"];
}

/// A file's table from the JSON `build.rs` made of it (YAML parses about ten times slower,
/// and the function's first answer waits for the files it reads).
fn parse(file: &str, json: &str) -> Table {
    serde_json::from_str(json)
        .unwrap_or_else(|e| panic!("form-model/messages/{file}: {e} (tested)"))
}

impl Area {
    /// The file's keys and texts.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The language a text in `lang` is given in: `lang` when the area is written in it, else
    /// German (the fallback rule).
    pub fn language_for(&self, lang: &str) -> &'static str {
        self.languages
            .iter()
            .find(|l| **l == lang)
            .copied()
            .unwrap_or(SOURCE_LANGUAGE)
    }

    fn entry(&self, key: &str, lang: &str) -> &Text {
        let texts = self
            .table()
            .get(key)
            .unwrap_or_else(|| panic!("form-model/messages/{} has no \"{key}\"", self.file));
        let lang = self.language_for(lang);
        texts.get(lang).unwrap_or_else(|| {
            panic!(
                "form-model/messages/{}: \"{key}\" has no {lang} text (tested)",
                self.file
            )
        })
    }

    /// The text `key` in `lang` (see the fallback rule above). Panics on a key the file does not
    /// have: keys are written in code, and each area's test checks the code's keys.
    pub fn text(&self, key: &str, lang: &str) -> &str {
        match self.entry(key, lang) {
            Text::Plain(t) => t,
            Text::Plural(forms) => &forms["other"],
        }
    }

    /// The text `key` in `lang` for the count `n`: the form of `n`'s plural category in the
    /// language the text is given in, else `other`.
    pub fn plural(&self, key: &str, lang: &str, n: u64) -> &str {
        match self.entry(key, lang) {
            Text::Plain(t) => t,
            Text::Plural(forms) => {
                let category = plural_category(self.language_for(lang), n);
                forms.get(category).unwrap_or(&forms["other"])
            }
        }
    }

    /// The texts of every key in `lang` (plural texts as their `other` form): what the site's
    /// templates read as `t`.
    pub fn texts_in(&self, lang: &str) -> BTreeMap<String, String> {
        self.table()
            .keys()
            .map(|key| (key.clone(), self.text(key, lang).to_string()))
            .collect()
    }

    /// What is wrong with the file: a key not in kebab-case, a promised language missing, a
    /// language not promised, an empty text, a plural without `other` or with a category CLDR
    /// does not have, placeholders that differ between languages.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut say = |key: &str, what: String| {
            problems.push(format!(
                "form-model/messages/{}: \"{key}\" {what}",
                self.file
            ))
        };
        for (key, texts) in self.table() {
            if !crate::ids::is_slug(key) {
                say(key, "is not a kebab-case key".into());
            }
            for lang in self.languages {
                if !texts.contains_key(*lang) {
                    say(key, format!("has no {lang} text"));
                }
            }
            let mut placeholders: Option<(String, Vec<String>)> = None;
            for (lang, text) in texts {
                if !self.languages.contains(&lang.as_str()) {
                    say(
                        key,
                        format!("has a {lang} text, a language the area is not in"),
                    );
                }
                let forms: Vec<&String> = match text {
                    Text::Plain(t) => vec![t],
                    Text::Plural(forms) => {
                        if !forms.contains_key("other") {
                            say(key, format!("has no \"other\" plural form in {lang}"));
                        }
                        for c in forms.keys() {
                            if !plural::CATEGORIES.contains(&c.as_str()) {
                                say(key, format!("has an unknown plural category \"{c}\""));
                            }
                        }
                        forms.values().collect()
                    }
                };
                for t in forms {
                    if t.trim().is_empty() {
                        say(key, format!("has an empty {lang} text"));
                    }
                    let names = placeholder_names(t);
                    match &placeholders {
                        None => placeholders = Some((lang.clone(), names)),
                        Some((first, theirs)) if *theirs != names => say(
                            key,
                            format!("has placeholders {names:?} in {lang}, {theirs:?} in {first}"),
                        ),
                        Some(_) => {}
                    }
                }
            }
        }
        problems
    }
}

/// The `{name}` placeholders of a text, sorted, each once.
fn placeholder_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Fills `{name}` placeholders in one pass: a value that itself contains `{name}` (a label a
/// process designer wrote, a file name a citizen chose) is left as it is. Braces around
/// anything else stay as they are.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
