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
