//! The answer to a submission refused for its identity (no or a forged session, a trust level
//! below the form's, a changed locked answer): a clear 401, 403 or 503, as JSON or a page with
//! the way back to the form (a browser without script whose session ended: the form page
//! filled in again). Nothing was stored.

use bytes::Bytes;
use form_model::messages::{SIGN_IN, fill};
use form_model::texts::text_in;
use form_model::validate::{ErrorCode, FieldError};
use http::Response;
use serde_json::{Map, Value, json};

use super::{Ctx, Handler};
use crate::auth::IdentityRefusal;
use crate::html::{self, WayOn};
use crate::metrics::Outcome;
use crate::respond::{Format, html_response, json_response};

impl Handler {
    pub(super) fn identity_refused(
        &self,
        ctx: &Ctx<'_>,
        refusal: &IdentityRefusal,
        answers: &Map<String, Value>,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        outcome.outcome = refusal.code();
        let lang = ctx.lang.as_str();
        let say = |key: &str, values: &[(&str, &str)]| fill(SIGN_IN.text(key, lang), values);
        let message = match refusal {
            IdentityRefusal::SignInNeeded | IdentityRefusal::Forged => say("sign-in-needed", &[]),
            IdentityRefusal::TrustLevelTooLow { required } => say(
                "trust-level-too-low",
                &[("level", &crate::auth::level_words(*required, lang))],
            ),
            // The message keys are the refusal's codes.
            IdentityRefusal::LockedAnswerChanged { field }
            | IdentityRefusal::RegistryAnswerChanged { field } => {
                let label = ctx
                    .form
                    .top_level_field(field)
                    .map_or_else(|| field.clone(), |f| text_in(&f.label, lang));
                outcome.error_fields = field.clone();
                say(refusal.code(), &[("label", &label)])
            }
            IdentityRefusal::NotConfigured => say("sign-in-unavailable", &[]),
        };
        match ctx.format {
            Format::Json => json_response(
                refusal.status(),
                // `message` also on top, where the page script (site.js `broken`) reads it.
                &json!({ "error": { "code": refusal.code(), "message": message }, "message": message }),
            ),
            // A browser without script whose session ended: the form page again, every answer
            // in place and the message on top, so nothing typed is lost (the sign-in box is
            // on that page).
            Format::Html
                if matches!(
                    refusal,
                    IdentityRefusal::SignInNeeded | IdentityRefusal::Forged
                ) && let Some(mut r) = self.form_page_again(
                    ctx,
                    answers,
                    // A problem of the whole form: no question to link to, so the summary
                    // links to the form (the code is not shown).
                    &[FieldError {
                        field: String::new(),
                        code: ErrorCode::Required,
                        message: message.clone(),
                    }],
                ) =>
            {
                *r.status_mut() = refusal.status();
                r
            }
            Format::Html => html_response(
                refusal.status(),
                html::message_page(
                    lang,
                    SIGN_IN.text("title-sign-in", lang),
                    &message,
                    WayOn::Form(ctx.municipality, &ctx.form.form.id),
                ),
            ),
        }
    }
}
