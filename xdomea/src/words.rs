//! The words a clerk reads in the e-file: the types of the case and its documents, their
//! subjects, the case's remark and the documents' file names. The one place they are written.
//! Only German: the message is imported by German records management, whatever language the
//! citizen used (receipts in the citizen's language keep their own title).

/// `Typ` of the case.
pub(crate) const CASE_KIND: &str = "Online-Antrag";
/// `Typ` of a receipt.
pub(crate) const RECEIPT_KIND: &str = "Antragsbestätigung";
/// `Typ` of the record.
pub(crate) const RECORD_KIND: &str = "Antragsdaten";
/// `Typ` of an attachment.
pub(crate) const ATTACHMENT_KIND: &str = "Anlage";

/// The receipt's file name: `Antragsbestaetigung.pdf` for the main one, with the language for
/// the others (`Antragsbestaetigung-en.pdf`). ASCII, as the file names of the package are.
pub(crate) fn receipt_file(language: Option<&str>) -> String {
    match language {
        None => "Antragsbestaetigung.pdf".to_string(),
        Some(lang) => format!("Antragsbestaetigung-{lang}.pdf"),
    }
}

/// The record's file name.
pub(crate) const RECORD_FILE: &str = "Antragsdaten.json";

/// The record's subject: `Antragsdaten MUS-2026-7K3F9Q (JSON)`.
pub(crate) fn record_title(reference: &str) -> String {
    format!("Antragsdaten {reference} (JSON)")
}

/// The case's remark: `Online-Antrag <reference>, Formular <id> Version <version>`, and
/// `, Leistung <LeiKa key>` when the form names its service.
pub(crate) fn case_remark(
    reference: &str,
    form: &str,
    version: u32,
    service: Option<&str>,
) -> String {
    let mut remark = format!("{CASE_KIND} {reference}, Formular {form} Version {version}");
    if let Some(service) = service {
        remark.push_str(&format!(", Leistung {service}"));
    }
    remark
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_case_remark_names_reference_form_version_and_the_service_when_known() {
        assert_eq!(
            case_remark("MUS-2026-7K3F9Q", "hundesteuer", 3, Some("99123012001000")),
            "Online-Antrag MUS-2026-7K3F9Q, Formular hundesteuer Version 3, Leistung 99123012001000"
        );
        assert_eq!(
            case_remark("MUS-2026-7K3F9Q", "hundesteuer", 3, None),
            "Online-Antrag MUS-2026-7K3F9Q, Formular hundesteuer Version 3"
        );
    }

    #[test]
    fn the_main_receipt_file_has_no_language_and_the_others_name_theirs() {
        assert_eq!(receipt_file(None), "Antragsbestaetigung.pdf");
        assert_eq!(receipt_file(Some("ar")), "Antragsbestaetigung-ar.pdf");
    }
}
