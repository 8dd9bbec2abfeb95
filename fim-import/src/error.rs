//! Import errors. Every error that comes from the input names the file, line and column of the
//! XML element it is about, and the FIM id of the element when it has one, in plain words:
//! `S00000094.xml:412:25: unknown datentyp "xyz" in datenfeld F60000123`.

use std::fmt;
use std::path::PathBuf;

use crate::xdf::tree::{NS_V2, NS_V3, Pos};

/// One problem that stops the import.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: cannot read this file: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{}:{}: not well-formed XML: {message}", file.display(), pos.line, pos.col)]
    Xml {
        file: PathBuf,
        pos: Pos,
        message: String,
    },
    #[error(
        "{}:{}:{}: namespace \"{found}\" is not XDatenfelder: the importer reads XDatenfelder 2.0 ({NS_V2}) and 3.0 ({NS_V3})",
        file.display(), pos.line, pos.col
    )]
    Namespace {
        file: PathBuf,
        pos: Pos,
        found: String,
    },
    #[error(
        "{}:{}:{}: <{found}> is not a message the importer reads: expected xdatenfelder.stammdatenschema.0102, xdatenfelder.datenfeldgruppe.0103 or xdatenfelder.datenfeld.0104",
        file.display(), pos.line, pos.col
    )]
    Message {
        file: PathBuf,
        pos: Pos,
        found: String,
    },
    #[error("{}:{}:{}: unknown {what} \"{value}\" in {element} {id}{hint}", file.display(), pos.line, pos.col)]
    UnknownCode {
        file: PathBuf,
        pos: Pos,
        /// `feldart`, `datentyp` or `anzahl`.
        what: &'static str,
        value: String,
        /// `datenfeld`, `datenfeldgruppe`, ...
        element: &'static str,
        id: String,
        /// `; known: input, select, label` and the like.
        hint: String,
    },
    #[error("{}:{}:{}: {element} {id} has no <{missing}>", file.display(), pos.line, pos.col)]
    Missing {
        file: PathBuf,
        pos: Pos,
        element: &'static str,
        id: String,
        missing: &'static str,
    },
    #[error(
        "{}:{}:{}: datenfeld {field} refers to code list {list}, which is not in {}: put its genericode file there or pass --codelists DIR{extra}",
        file.display(), pos.line, pos.col, dir.display()
    )]
    MissingCodeList {
        file: PathBuf,
        pos: Pos,
        field: String,
        /// The canonical version URI, or URI and version, as the schema names them.
        list: String,
        dir: PathBuf,
        /// Other versions of the same list that are there, or unreadable files.
        extra: String,
    },
    #[error(
        "{}:{}:{}: datenfeld {field} is a select field without a code list: it needs a codelisteReferenz (or werte in XDatenfelder 3)",
        file.display(), pos.line, pos.col
    )]
    NoCodeList {
        file: PathBuf,
        pos: Pos,
        field: String,
    },
    #[error("{}:{}:{}: praezisierung of datenfeld {field} cannot be read: {message}", file.display(), pos.line, pos.col)]
    Praezisierung {
        file: PathBuf,
        pos: Pos,
        field: String,
        message: String,
    },
    #[error("{}:{}:{}: code list: {message}", file.display(), pos.line, pos.col)]
    CodeList {
        file: PathBuf,
        pos: Pos,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Other { path: PathBuf, message: String },
}

/// All problems of one import; shown one per line.
#[derive(Debug)]
pub struct ImportErrors(pub Vec<ImportError>);

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

impl From<ImportError> for ImportErrors {
    fn from(e: ImportError) -> Self {
        ImportErrors(vec![e])
    }
}
