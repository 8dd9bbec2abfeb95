//! The lint of a form's sign-in keys: `prefill:` names questions of the form's steps, each of a
//! type that can take what the account gives (a name into a text question, the address into an
//! address question), and a question at most once.

use crate::diagnostics::suggestion;
use crate::model::Form;
use crate::msg;
use crate::positions::child;

use super::linter::Linter;

/// Lints `prefill:` of a catalog form.
pub(super) fn lint_prefill(cx: &mut Linter, form: &Form) {
    for (question, claim) in &form.prefill {
        let path = child("prefill", question);
        let Some(field) = form.top_level_field(question) else {
            let in_group = form.find(question).is_some_and(|f| f.is_question());
            if in_group {
                cx.diags.error_at_key(
                    cx.sources,
                    cx.file,
                    &path,
                    msg!("prefill-in-group", id = question),
                );
            } else {
                let hint = suggestion(question, form.fields().map(|f| f.id.as_str()));
                cx.diags.error_at_key(
                    cx.sources,
                    cx.file,
                    &path,
                    msg!(
                        "unknown-field-in",
                        id = question,
                        key = "prefill",
                        hint = hint
                    ),
                );
            }
            continue;
        };
        if !claim.fits(field.kind) {
            cx.error(
                &path,
                msg!(
                    "prefill-wrong-type",
                    id = question,
                    kind = field.kind.name(),
                    claim = claim.as_str()
                ),
            );
        }
    }
}
