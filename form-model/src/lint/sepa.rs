//! The lint of the SEPA direct-debit mandate: the municipality's creditor identifier and name
//! (`sepa-creditor`), and the questions a form's `sepa-mandate` names (an account holder's
//! text, an IBAN, a consent to tick, all asked under the same condition). Whether a
//! municipality that publishes a form with a mandate has a creditor is checked where the form
//! is resolved for it (`resolve`), where an overlay's mandate is known too.

use crate::model::{
    CreditorIdProblem, FieldType, Form, SepaCreditor, SepaMandate, check_creditor_id,
};
use crate::msg;
use crate::msg::Msg;
use crate::positions::child;

use super::linter::Linter;

/// The longest creditor name a SEPA message carries.
const CREDITOR_NAME_MAX: usize = 70;

/// Lints `sepa-creditor` of a municipality.
pub(super) fn lint_creditor(cx: &mut Linter, creditor: &SepaCreditor) {
    let id = &creditor.id;
    match check_creditor_id(id) {
        Ok(()) => {}
        Err(CreditorIdProblem::Format) => cx.error_help(
            "sepa-creditor.id",
            msg!("sepa-creditor-id-format", value = id),
            msg!("sepa-creditor-id-format-help"),
        ),
        Err(CreditorIdProblem::CheckDigits) => cx.error_help(
            "sepa-creditor.id",
            msg!(
                "sepa-creditor-id-check-digits",
                value = id,
                digits = &id[2..4]
            ),
            msg!("sepa-creditor-id-check-digits-help"),
        ),
    }
    let name = &creditor.name;
    if name.trim().is_empty()
        || name.trim() != name
        || name.chars().count() > CREDITOR_NAME_MAX
        || name.chars().any(char::is_control)
    {
        cx.error(
            "sepa-creditor.name",
            msg!("sepa-creditor-name", value = name, max = CREDITOR_NAME_MAX),
        );
    }
}

/// What is wrong with the questions `mandate` names in `form`: the key of `sepa-mandate` each
/// finding is about (`iban`, `consent`, …) and its message.
pub fn mandate_problems(form: &Form, mandate: &SepaMandate) -> Vec<(&'static str, Msg)> {
    let mut found = Vec::new();
    let roles = [
        ("account-holder", &mandate.account_holder, FieldType::Text),
        ("iban", &mandate.iban, FieldType::Iban),
        ("consent", &mandate.consent, FieldType::Checkboxes),
    ];
    let mut conditions = Vec::new();
    for (key, id, kind) in roles {
        let Some(field) = form.top_level_field(id) else {
            let hint = crate::diagnostics::suggestion(id, form.fields().map(|f| f.id.as_str()));
            found.push((key, msg!("sepa-mandate-no-question", id = id, hint = hint)));
            continue;
        };
        if field.kind != kind {
            found.push((
                key,
                msg!(
                    "sepa-mandate-question-type",
                    id = id,
                    key = key,
                    kind = kind.name()
                ),
            ));
            continue;
        }
        if key == "consent" && (field.options.len() != 1 || !field.required) {
            found.push((key, msg!("sepa-mandate-consent", id = id)));
        }
        conditions.push((id, &field.show_if));
    }
    if let Some((first, condition)) = conditions.first()
        && let Some((other, _)) = conditions.iter().find(|(_, c)| c != condition)
    {
        found.push((
            "consent",
            msg!("sepa-mandate-conditions", first = *first, other = *other),
        ));
    }
    if mandate.creditor.is_some() {
        found.push(("creditor", msg!("sepa-mandate-creditor-written")));
    }
    found
}

/// Lints a catalog form's `sepa-mandate`.
pub(super) fn lint_catalog_mandate(cx: &mut Linter, form: &Form) {
    if let Some(mandate) = &form.sepa_mandate {
        for (key, message) in mandate_problems(form, mandate) {
            cx.error(&child("sepa-mandate", key), message);
        }
    }
}
