//! The words a clerk reads in the e-file: the types of the case and its documents, their
//! subjects, the case's remark and the documents' file names, from form-model's messages
//! (`e-file.yaml`, German only: the message is imported by German records management, whatever
//! language the citizen used; receipts in the citizen's language keep their own title).

use form_model::messages::{E_FILE, fill};

fn word(key: &str) -> &'static str {
    E_FILE.text(key, "de")
}

/// `Typ` of the case.
pub(crate) fn case_kind() -> &'static str {
    word("case-kind")
}
/// `Typ` of a receipt.
pub(crate) fn receipt_kind() -> &'static str {
    word("receipt-kind")
}
/// `Typ` of the record.
pub(crate) fn record_kind() -> &'static str {
    word("record-kind")
}
/// `Typ` of an attachment.
pub(crate) fn attachment_kind() -> &'static str {
    word("attachment-kind")
}

/// The receipt's file name: `Antragsbestaetigung.pdf` for the main one, with the language for
/// the others (`Antragsbestaetigung-en.pdf`).
pub(crate) fn receipt_file(language: Option<&str>) -> String {
    match language {
        None => word("receipt-file").to_string(),
        Some(lang) => fill(word("receipt-file-in-language"), &[("lang", lang)]),
    }
}

/// The record's file name.
pub(crate) fn record_file() -> &'static str {
    word("record-file")
}

/// The record's subject: `Antragsdaten MUS-2026-7K3F9Q (JSON)`.
pub(crate) fn record_title(reference: &str) -> String {
    fill(word("record-title"), &[("reference", reference)])
}

/// The case's remark: `Online-Antrag <reference>, Formular <id> Version <version>`, and
/// `, Leistung <LeiKa key>` when the form names its service.
pub(crate) fn case_remark(
    reference: &str,
    form: &str,
    version: u32,
    service: Option<&str>,
) -> String {
    let version = version.to_string();
    let mut remark = fill(
        word("case-remark"),
        &[
            ("reference", reference),
            ("form", form),
            ("version", &version),
        ],
    );
    if let Some(service) = service {
        remark.push_str(&fill(word("case-remark-service"), &[("service", service)]));
    }
    remark
}

/// The e-mail's `Zusatz` in the applicant's `Kontakt`.
pub(crate) fn email() -> &'static str {
    word("applicant-email")
}
/// The applicant's `Rolle`.
pub(crate) fn applicant_role() -> &'static str {
    word("applicant-role")
}
/// `Name` and `Beschreibung` of the identity extension.
pub(crate) fn extension_name() -> &'static str {
    word("identity-extension")
}
pub(crate) fn extension_description() -> &'static str {
    word("identity-extension-description")
}
/// The names of its fields.
pub(crate) fn field_trust_level() -> &'static str {
    word("identity-trust-level")
}
pub(crate) fn field_provider() -> &'static str {
    word("identity-provider")
}
pub(crate) fn field_authenticated_at() -> &'static str {
    word("identity-authenticated-at")
}
pub(crate) fn field_verified_at() -> &'static str {
    word("identity-verified-at")
}
pub(crate) fn field_from_account() -> &'static str {
    word("identity-from-account")
}
/// The mark after the label of a locked answer the registry gave (inbox's export writes it).
pub fn registry() -> &'static str {
    word("identity-from-registry")
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
    fn every_e_file_word_is_used() {
        let used = [
            "case-kind",
            "receipt-kind",
            "record-kind",
            "attachment-kind",
            "receipt-file",
            "receipt-file-in-language",
            "record-file",
            "record-title",
            "case-remark",
            "case-remark-service",
            // inbox's xdomea export titles each receipt in the citizen's language with it.
            "receipt-title",
            "applicant-role",
            "applicant-email",
            "identity-extension",
            "identity-extension-description",
            "identity-trust-level",
            "identity-provider",
            "identity-authenticated-at",
            "identity-verified-at",
            "identity-from-account",
            "identity-from-registry",
        ];
        let keys: Vec<&str> = E_FILE.table().keys().map(String::as_str).collect();
        let mut used = used.to_vec();
        used.sort_unstable();
        assert_eq!(keys, used);
    }

    #[test]
    fn the_main_receipt_file_has_no_language_and_the_others_name_theirs() {
        assert_eq!(receipt_file(None), "Antragsbestaetigung.pdf");
        assert_eq!(receipt_file(Some("ar")), "Antragsbestaetigung-ar.pdf");
    }
}
