//! The answer to a submission refused for its identity (no or a forged session, a trust level
//! below the form's, a changed locked answer): a clear 401, 403 or 503, as JSON or a page with
//! the way back to the form. Nothing was stored.

use bytes::Bytes;
use form_model::messages::{SIGN_IN, fill};
use form_model::texts::text_in;
use http::Response;
use serde_json::json;

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
            IdentityRefusal::LockedAnswerChanged { field } => {
                let label = ctx
                    .form
                    .top_level_field(field)
                    .map_or_else(|| field.clone(), |f| text_in(&f.label, lang));
                outcome.error_fields = field.clone();
                say("locked-answer-changed", &[("label", &label)])
            }
            IdentityRefusal::NotConfigured => say("sign-in-unavailable", &[]),
        };
        match ctx.format {
            Format::Json => json_response(
                refusal.status(),
                &json!({ "error": { "code": refusal.code(), "message": message } }),
            ),
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
