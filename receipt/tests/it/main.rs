//! Integration tests of the receipt: every catalog form in every site language passes
//! krilla's PDF/UA-1 and PDF/A-2a checks, `qpdf --check` and `pdftotext`; the same record gives
//! the same bytes, in this process and in another; the description says what the page showed.

mod catalog;
mod determinism;
mod fonts;
mod mapping;
mod support;
