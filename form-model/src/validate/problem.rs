//! What can be wrong with an answer: the problem (with what the message needs to say), its
//! stable error code, and where inside an answer it is.

use serde::{Deserialize, Serialize};
use time::Date;

/// Stable error codes (part of the function's API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    Required,
    NotApplicable,
    UnknownField,
    UnknownLanguage,
    WrongType,
    TooShort,
    TooLong,
    Pattern,
    NotANumber,
    TooSmall,
    TooLarge,
    Step,
    InvalidDate,
    DateTooEarly,
    DateTooLate,
    InvalidOption,
    TooFewSelected,
    TooManySelected,
    InvalidEmail,
    InvalidTel,
    InvalidIban,
    InvalidPostcode,
    InvalidTaxId,
    FileType,
    FileTooLarge,
    InvalidFile,
    /// A file whose content is not of the media type it was sent as (found by the function,
    /// which sees the bytes).
    FileContent,
    TooFewItems,
    TooManyItems,
    /// An address or postcode outside the municipality's area (its postcodes or streets).
    OutsideArea,
}

/// A problem with an answer, before it is put into words.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem<'a> {
    Required,
    /// A required declaration (one box) not ticked; its code is `required`.
    NotConfirmed,
    NotApplicable,
    UnknownField,
    UnknownLanguage(&'a str),
    WrongType,
    TooShort(u32),
    TooLong(u32),
    Pattern(Option<String>),
    NotANumber,
    TooSmall(f64),
    TooLarge(f64),
    Step(f64),
    InvalidDate,
    DateTooEarly(Date),
    DateTooLate(Date),
    InvalidOption,
    TooFewSelected(u32),
    TooManySelected(u32),
    InvalidEmail,
    InvalidTel,
    InvalidIban,
    InvalidPostcode,
    InvalidTaxId,
    FileType(Vec<String>),
    FileTooLarge(f64),
    InvalidFile,
    /// The bytes are not of the declared media type (the declared type, e.g. application/pdf).
    FileContent(String),
    TooFewItems(u32),
    TooManyItems(u32),
    OutsideArea,
}

impl Problem<'_> {
    pub fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Problem::Required | Problem::NotConfirmed => C::Required,
            Problem::NotApplicable => C::NotApplicable,
            Problem::UnknownField => C::UnknownField,
            Problem::UnknownLanguage(_) => C::UnknownLanguage,
            Problem::WrongType => C::WrongType,
            Problem::TooShort(_) => C::TooShort,
            Problem::TooLong(_) => C::TooLong,
            Problem::Pattern(_) => C::Pattern,
            Problem::NotANumber => C::NotANumber,
            Problem::TooSmall(_) => C::TooSmall,
            Problem::TooLarge(_) => C::TooLarge,
            Problem::Step(_) => C::Step,
            Problem::InvalidDate => C::InvalidDate,
            Problem::DateTooEarly(_) => C::DateTooEarly,
            Problem::DateTooLate(_) => C::DateTooLate,
            Problem::InvalidOption => C::InvalidOption,
            Problem::TooFewSelected(_) => C::TooFewSelected,
            Problem::TooManySelected(_) => C::TooManySelected,
            Problem::InvalidEmail => C::InvalidEmail,
            Problem::InvalidTel => C::InvalidTel,
            Problem::InvalidIban => C::InvalidIban,
            Problem::InvalidPostcode => C::InvalidPostcode,
            Problem::InvalidTaxId => C::InvalidTaxId,
            Problem::FileType(_) => C::FileType,
            Problem::FileTooLarge(_) => C::FileTooLarge,
            Problem::InvalidFile => C::InvalidFile,
            Problem::FileContent(_) => C::FileContent,
            Problem::TooFewItems(_) => C::TooFewItems,
            Problem::TooManyItems(_) => C::TooManyItems,
            Problem::OutsideArea => C::OutsideArea,
        }
    }
}

/// A problem inside a field's answer: `path` follows the field id (`.postcode`, `.1.name`);
/// `label` names the part in messages when it is not the field itself.
#[derive(Debug)]
pub(super) struct Sub<'a> {
    pub(super) path: String,
    pub(super) label: Option<String>,
    pub(super) problem: Problem<'a>,
}

/// A problem with the answer as a whole.
pub(super) fn whole(problem: Problem<'_>) -> Vec<Sub<'_>> {
    vec![Sub {
        path: String::new(),
        label: None,
        problem,
    }]
}
