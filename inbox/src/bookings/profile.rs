//! A booking file's profile (`inbox export --bookings --profile`): which fields in which order,
//! their titles, the delimiter, the decimal separator, the date format and the encoding; read
//! from YAML, mistakes named with file, line and column. docs/payment.md, "Booking export".

use std::path::Path;

use serde::Deserialize;

use super::Field;
use crate::InboxError;

/// The profile shipped with Formfabrik, by name.
pub const BUILTIN_PROFILES: [(&str, &str); 1] =
    [("kommunal", include_str!("../../profiles/kommunal.yaml"))];

/// A booking file's shape: a profile file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Profile {
    /// Between fields: one character (`;`, `,`, a tab).
    pub delimiter: char,
    /// Between euros and cents: `,` or `.`.
    pub decimal_separator: char,
    #[serde(default)]
    pub encoding: Encoding,
    #[serde(default)]
    pub date_format: DateFormat,
    /// Whether the first line names the columns (default yes).
    #[serde(default = "yes")]
    pub header: bool,
    pub columns: Vec<Column>,
    /// The columns of the mandate file (`--mandates`); default every mandate field.
    #[serde(default)]
    pub mandate_columns: Option<Vec<super::MandateColumn>>,
}

fn yes() -> bool {
    true
}

/// One column of a profile.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Column {
    pub field: Field,
    /// The title the finance system expects; default the field's word.
    #[serde(default)]
    pub title: Option<String>,
}

/// How the file's text is encoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Encoding {
    /// UTF-8 with byte order mark (German Excel opens it by double-click).
    #[default]
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// UTF-8 without byte order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// Windows-1252 ("ANSI"); a character it cannot hold is an error naming the row.
    #[serde(rename = "windows-1252")]
    Windows1252,
}

/// How dates are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum DateFormat {
    /// `28.11.2026`.
    #[default]
    #[serde(rename = "dd.mm.yyyy")]
    German,
    /// `2026-11-28`.
    #[serde(rename = "yyyy-mm-dd")]
    Iso,
    /// `20261128`.
    #[serde(rename = "yyyymmdd")]
    Compact,
}

impl DateFormat {
    pub(crate) fn strftime(self) -> &'static str {
        match self {
            DateFormat::German => "%d.%m.%Y",
            DateFormat::Iso => "%Y-%m-%d",
            DateFormat::Compact => "%Y%m%d",
        }
    }
}

impl Profile {
    /// Reads a profile from `text`, written in `file` (named in errors, with line and column).
    pub fn from_yaml(text: &str, file: &str) -> Result<Profile, InboxError> {
        let profile: Profile = serde_yaml::from_str(text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!(":{}:{}", l.line(), l.column()))
                .unwrap_or_default();
            InboxError::Io(format!("{file}{at}: {e}"))
        })?;
        let refuse = |why: &str| InboxError::Io(format!("{file}: {why}"));
        if profile.mandate_columns.as_ref().is_some_and(Vec::is_empty) {
            return Err(refuse(
                "mandate-columns, when written, names at least one column",
            ));
        }
        if profile.columns.is_empty() {
            return Err(refuse("a profile names at least one column"));
        }
        if matches!(profile.delimiter, '"' | '\r' | '\n') {
            return Err(refuse("the delimiter cannot be a quote or a line break"));
        }
        if !matches!(profile.decimal_separator, ',' | '.') {
            return Err(refuse("decimal-separator is \",\" or \".\""));
        }
        if profile.delimiter == profile.decimal_separator {
            return Err(refuse(
                "delimiter and decimal-separator must differ (amounts would be split)",
            ));
        }
        Ok(profile)
    }

    /// The profile `name_or_file`: a built-in one by name, else a profile file.
    pub fn load(name_or_file: &str) -> Result<Profile, InboxError> {
        if let Some((name, text)) = BUILTIN_PROFILES.iter().find(|(n, _)| *n == name_or_file) {
            return Profile::from_yaml(text, &format!("(built-in profile {name})"));
        }
        let path = Path::new(name_or_file);
        let text = std::fs::read_to_string(path).map_err(|e| {
            let names: Vec<&str> = BUILTIN_PROFILES.iter().map(|(n, _)| *n).collect();
            InboxError::Io(format!(
                "{name_or_file}: {e} (a profile is a built-in one, {}, or a profile file)",
                names.join(", ")
            ))
        })?;
        Profile::from_yaml(&text, &path.display().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_its_word_and_the_shipped_profile_reads() {
        for f in Field::ALL {
            assert!(!f.title().is_empty(), "{}", f.name());
            let parsed: Field = serde_yaml::from_str(f.name()).unwrap();
            assert_eq!(parsed, f);
        }
        let p = Profile::load("kommunal").unwrap();
        assert_eq!(p.delimiter, ';');
        assert_eq!(p.decimal_separator, ',');
        assert_eq!(p.encoding, Encoding::Utf8Bom);
        assert_eq!(p.columns.len(), Field::ALL.len() - 1, "all but received");
        for f in super::super::MandateField::ALL {
            assert!(!f.title().is_empty(), "{}", f.name());
            let parsed: super::super::MandateField = serde_yaml::from_str(f.name()).unwrap();
            assert_eq!(parsed, f);
        }
        let mandates: Vec<_> = p.mandate_columns.unwrap().iter().map(|c| c.field).collect();
        assert_eq!(
            mandates,
            super::super::MandateField::ALL,
            "every mandate field, in order"
        );
    }

    #[test]
    fn a_profile_with_a_mistake_is_refused_with_file_line_and_column() {
        let e = Profile::from_yaml(
            "delimiter: \";\"\ndecimal-separator: \",\"\ncolumns:\n  - field: betrag\n",
            "fibu.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("fibu.yaml:4:"), "{e}");
        assert!(e.contains("betrag"), "{e}");
        let e = Profile::from_yaml(
            "delimiter: \",\"\ndecimal-separator: \",\"\ncolumns: [{ field: amount }]\n",
            "fibu.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("must differ"), "{e}");
        assert!(Profile::load("no-such-profile").is_err());
    }
}
