//! The xdomea code list "Dateiformat" (`urn:xoev-de:xdomea:codeliste:dateiformat`): the format
//! of each primary document. xdomea 3.1.0 names the list but leaves its values to the list
//! (`listVersionID` is required). The codes below are the list's, as xdomea 2.3.0 still spelled
//! them out in its schema (`DateiformatCodeType`, "<extension> - <format name>"); later list
//! versions kept them and use `100` ("Sonstiges") with `SonstigerName` for any other format.
//! See `schema/README.md`.

/// `listURI` of the list.
pub const LIST_URI: &str = "urn:xoev-de:xdomea:codeliste:dateiformat";
/// `listVersionID` written.
pub const LIST_VERSION: &str = "2.0";
/// "Sonstiges": a format the list has no code for.
const OTHER: &str = "100";
/// "pdf - Portable Document Format (Archival)": PDF/A.
const PDF_ARCHIVAL: &str = "044";

/// File extension → code, from the list.
const BY_EXTENSION: &[(&str, &str)] = &[
    ("bmp", "001"),
    ("csv", "002"),
    ("doc", "003"),
    ("eml", "006"),
    ("htm", "007"),
    ("html", "008"),
    ("jpe", "009"),
    ("jpeg", "010"),
    ("jpg", "011"),
    ("msg", "012"),
    ("odp", "013"),
    ("ods", "014"),
    ("odt", "015"),
    ("otp", "016"),
    ("ots", "017"),
    ("pdf", "018"),
    ("png", "019"),
    ("ppt", "020"),
    ("ps", "021"),
    ("rtf", "022"),
    ("tif", "023"),
    ("tiff", "024"),
    ("wps", "025"),
    ("xlc", "026"),
    ("xlm", "027"),
    ("xls", "028"),
    ("xlw", "029"),
    ("xml", "030"),
    ("xsd", "031"),
    ("dot", "032"),
    ("pot", "033"),
    ("xlt", "034"),
    ("docx", "035"),
    ("xlsx", "036"),
    ("pptx", "037"),
    ("dotx", "038"),
    ("xltx", "039"),
    ("potx", "040"),
    ("dtd", "041"),
    ("mpp", "042"),
    ("ott", "043"),
    ("txt", "045"),
];

/// A document's format as the message states it (`FormatType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFormat {
    /// `Name/code`.
    pub code: &'static str,
    /// `SonstigerName`, for code 100.
    pub other_name: Option<String>,
    /// `Version`: the format's version where the file says it (`1.7` for PDF), else empty.
    pub version: String,
}

/// The format of a file named `file_name` of media type `media_type`. PDF files that declare
/// PDF/A conformance are the list's archival PDF.
pub fn file_format(file_name: &str, media_type: &str, bytes: &[u8]) -> FileFormat {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let pdf_version = pdf_version(bytes);
    let code = BY_EXTENSION
        .iter()
        .find(|(e, _)| *e == extension)
        .map(|(_, c)| *c);
    match code {
        Some("018") if is_pdf_a(bytes) => FileFormat {
            code: PDF_ARCHIVAL,
            other_name: None,
            version: pdf_version,
        },
        Some("018") => FileFormat {
            code: "018",
            other_name: None,
            version: pdf_version,
        },
        Some(code) => FileFormat {
            code,
            other_name: None,
            version: String::new(),
        },
        None => FileFormat {
            code: OTHER,
            other_name: Some(if extension.is_empty() {
                media_type.to_string()
            } else {
                format!("{extension} - {media_type}")
            }),
            version: String::new(),
        },
    }
}

/// `1.7` from a PDF's header `%PDF-1.7`.
fn pdf_version(bytes: &[u8]) -> String {
    bytes
        .strip_prefix(b"%PDF-")
        .map(|rest| {
            rest.iter()
                .take_while(|b| b.is_ascii_digit() || **b == b'.')
                .map(|b| *b as char)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the PDF's XMP metadata declares a PDF/A part.
fn is_pdf_a(bytes: &[u8]) -> bool {
    bytes.windows(13).any(|w| w == b"<pdfaid:part>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_coded_by_extension_and_pdf_a_is_the_archival_pdf() {
        let pdf_a = b"%PDF-1.7\n...<pdfaid:part>2</pdfaid:part>...";
        assert_eq!(
            file_format("a.pdf", "application/pdf", pdf_a),
            FileFormat {
                code: "044",
                other_name: None,
                version: "1.7".into()
            }
        );
        assert_eq!(
            file_format("a.pdf", "application/pdf", b"%PDF-1.4\n").code,
            "018"
        );
        assert_eq!(
            file_format("a.pdf", "application/pdf", b"%PDF-1.4\n").version,
            "1.4"
        );
        assert_eq!(file_format("foto-1.jpg", "image/jpeg", b"").code, "011");
        assert_eq!(file_format("x.PNG", "image/png", b"").code, "019");
        assert_eq!(file_format("notes.txt", "text/plain", b"").code, "045");
    }

    #[test]
    fn a_format_the_list_lacks_is_sonstiges_with_its_name() {
        let json = file_format("daten.json", "application/json", b"{}");
        assert_eq!(json.code, "100");
        assert_eq!(json.other_name.as_deref(), Some("json - application/json"));
        assert_eq!(
            file_format("x", "application/octet-stream", b"")
                .other_name
                .as_deref(),
            Some("application/octet-stream")
        );
    }
}
