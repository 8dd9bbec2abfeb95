//! The SEPA direct-debit mandate on the page: the standard SEPA Core mandate text with the
//! municipality's name and creditor identifier, shown at the form's consent question (the
//! question its `sepa-mandate` names), with and without JavaScript alike.

use form_model::messages::fill;
use form_model::model::Form;

use crate::escape::escape_html;

/// The mandate text (HTML) for question `field` of `form`, when it is the consent of the form's
/// mandate and the form is resolved with a creditor; `t` gives the site's words.
pub fn mandate_text(form: &Form, field: &str, t: &dyn Fn(&str) -> String) -> Option<String> {
    let mandate = form.sepa_mandate.as_ref().filter(|m| m.consent == field)?;
    let creditor = mandate.creditor.as_ref()?;
    let payments = t(if mandate.recurring {
        "sepa-mandate-recurring"
    } else {
        "sepa-mandate-once"
    });
    let values = [
        ("creditor", creditor.name.as_str()),
        ("creditor-id", creditor.id.as_str()),
        ("payments", payments.as_str()),
    ];
    Some(format!(
        "<p>{}</p><p>{}</p>",
        escape_html(&fill(&t("sepa-mandate-creditor"), &values)),
        escape_html(&fill(&t("sepa-mandate-text"), &values)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use form_model::messages::SITE;
    use form_model::model::SepaCreditor;

    const FORM: &str = r#"
id: abgabe
version: 1
title: { de: Abgabe }
purpose: { de: Zweck }
legal-basis: { de: Satzung }
retention-days: 30
sepa-mandate: { account-holder: inhaber, iban: iban, consent: mandat, recurring: false }
steps:
  - id: zahlung
    title: { de: Zahlung }
    fields:
      - { id: inhaber, type: text, label: { de: Inhaber } }
      - { id: iban, type: iban, label: { de: IBAN } }
      - id: mandat
        type: checkboxes
        label: { de: Mandat }
        required: true
        options: [{ value: ja, label: { de: Ja } }]
"#;

    fn form(creditor: Option<SepaCreditor>) -> Form {
        let mut form: Form = serde_yaml::from_str(FORM).unwrap();
        form.sepa_mandate.as_mut().unwrap().creditor = creditor;
        form
    }

    #[test]
    fn the_consent_shows_the_mandate_text_with_the_creditor_escaped_in_the_pages_language() {
        let form = form(Some(SepaCreditor {
            id: "DE98ZZZ09999999999".into(),
            name: "Zweckverband <Wasser> & Abwasser".into(),
        }));
        let de = |k: &str| SITE.text(k, "de").to_string();
        let html = mandate_text(&form, "mandat", &de).unwrap();
        assert!(html.starts_with(
            "<p>Zahlungsempfänger: Zweckverband &lt;Wasser&gt; &amp; Abwasser, Gläubiger-Identifikationsnummer DE98ZZZ09999999999."
        ), "{html}");
        assert!(
            html.contains("eine einmalige Zahlung von meinem Konto"),
            "{html}"
        );
        assert!(html.contains("innerhalb von acht Wochen"), "{html}");
        let en = |k: &str| SITE.text(k, "en").to_string();
        let html = mandate_text(&form, "mandat", &en).unwrap();
        assert!(
            html.contains("to collect a one-off payment from my account"),
            "{html}"
        );
        assert_eq!(
            mandate_text(&form, "iban", &de),
            None,
            "only at the consent"
        );
    }

    #[test]
    fn without_a_creditor_there_is_no_mandate_text() {
        let de = |k: &str| SITE.text(k, "de").to_string();
        assert_eq!(mandate_text(&form(None), "mandat", &de), None);
    }
}
