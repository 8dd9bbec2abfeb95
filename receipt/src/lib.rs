//! The application receipt (Antragsbestätigung): one renderer for the citizen's download and the
//! authority's e-file. A [`Receipt`] (a neutral, language-aware description, see [`model`]) is
//! written as a tagged PDF that conforms to PDF/UA-1 and PDF/A-2a — headings, tables and lists
//! with structure, document language and title, Noto Sans and Noto Sans Arabic embedded,
//! Arabic shaped and right to left — and krilla, the PDF library, checks both standards while
//! writing. The same receipt always gives the same bytes: nothing comes from the clock or the
//! machine, the document id is a hash of the content.
//!
//! [`from_record`] makes the receipt of a submission record with the form it was validated
//! against.

pub mod format;
pub mod from_record;
pub mod model;
mod render;
mod text;
pub mod words;

use thiserror::Error;

pub use from_record::{Checksums, MapError, authority, from_record};
pub use model::Receipt;
pub use words::Words;

/// Why no PDF could be written. Either means a bug here, not bad input: every text is set with
/// the embedded fonts or written as code points.
#[derive(Debug, Error)]
pub enum RenderError {
    #[error("PDF configuration: {0}")]
    Configuration(String),
    /// krilla refused the document, for example because it would break PDF/UA-1 or PDF/A-2a
    /// (the message lists each violation).
    #[error("the receipt could not be written as PDF/UA-1 and PDF/A-2a: {0}")]
    Pdf(String),
}

/// The receipt as PDF bytes.
pub fn render(receipt: &Receipt) -> Result<Vec<u8>, RenderError> {
    render::render(receipt)
}
