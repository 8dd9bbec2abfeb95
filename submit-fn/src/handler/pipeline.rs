//! The submission pipeline of `POST …/v1/<municipality>/<form>`, after routing, CORS and the
//! method: size (413), content type (415), decoding (400/413/415), honeypot (dropped),
//! submission id (400), validation by form-model and the files' contents (422), storage through
//! the store's write protocol (201 for scripts, 200 with the confirmation page for a browser
//! form post; 409, 503).

use bytes::Bytes;
use form_model::model::PaymentMode;
use form_model::validate::validate;
use http::{HeaderValue, Response, header};
use uuid::Uuid;

use store::StoreError;
use store::protocol::{self, WriteError};

use super::staged::StagedError;
use super::{Ctx, Handler};
use crate::attach;
use crate::clock::german_date;
use crate::decode::decode;
use crate::metrics::Outcome;
use crate::respond::{RETRY_AFTER_SECONDS, Refusal};

impl Handler {
    /// Takes the submission in `body`: validated, stored once, answered.
    pub(super) async fn submit(
        &self,
        body: Bytes,
        ctx: &mut Ctx<'_>,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        if body.len() > self.body_limit {
            let limit = self.body_limit;
            return self.refuse(Refusal::PayloadTooLarge { limit }, ctx, outcome);
        }
        let kind = match ctx.kind.clone() {
            Ok(kind) => kind,
            Err(e) => {
                return self.refuse(self.decode_refusal(e, ctx.form, &ctx.lang), ctx, outcome);
            }
        };
        let decoded = match decode(ctx.form, &kind, body, self.body_limit).await {
            Ok(d) => d,
            Err(e) => {
                return self.refuse(self.decode_refusal(e, ctx.form, &ctx.lang), ctx, outcome);
            }
        };
        // From here on, answers are in the language of the page the citizen used.
        if ctx.form.languages.contains(&decoded.submission.language) {
            ctx.lang = decoded.submission.language.clone();
        }
        let now = self.clock.now();
        if decoded.honeypot {
            // Looks like success to the bot; nothing is stored.
            outcome.outcome = "honeypot";
            let fake = self.ids.new_id();
            let reference =
                form_model::record::reference(&ctx.form.municipality.id, now.year(), fake);
            return self.accepted(ctx, fake, &reference, now, None);
        }
        let id = match decoded.id.as_deref() {
            Some(raw) => match Uuid::try_parse(raw.trim()) {
                Ok(id) if id.get_version() == Some(uuid::Version::Random) => id,
                _ => return self.refuse(Refusal::InvalidId, ctx, outcome),
            },
            None => self.ids.new_id(),
        };
        outcome.id = id.to_string();
        // Files uploaded directly (handler::uploads) join the body's files here.
        let mut decoded = decoded;
        let staged = match self
            .take_staged(ctx.form, id, &mut decoded.submission.data)
            .await
        {
            Ok(staged) => staged,
            Err(StagedError::TooLarge(limit)) => {
                let limit = usize::try_from(limit).unwrap_or(usize::MAX);
                return self.refuse(Refusal::PayloadTooLarge { limit }, ctx, outcome);
            }
            Err(StagedError::Store(e)) => {
                tracing::error!(error = %e, "staged files cannot be read; nothing acknowledged");
                let mut r = self.refuse(Refusal::StoreUnavailable, ctx, outcome);
                outcome.outcome = "store-failed";
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
                return r;
            }
        };
        decoded.uploads.extend(staged.uploads);
        // Files whose bytes are not what they were sent as are refused together with any other
        // problem; only files that answer a validated file question are stored (crate::attach).
        let wrong_contents = attach::check_contents(ctx.form, &decoded.uploads, &ctx.lang);
        let today = german_date(now);
        let (clean, uploads) = match validate(ctx.form, &decoded.submission, today) {
            Ok(clean) if wrong_contents.is_empty() => {
                match attach::attach(ctx.form, &clean, decoded.uploads, &ctx.lang) {
                    Ok(uploads) => (clean, uploads),
                    Err(errors) => {
                        return self.invalid(ctx, &errors, &decoded.submission.data, outcome);
                    }
                }
            }
            Ok(_) => {
                return self.invalid(ctx, &wrong_contents, &decoded.submission.data, outcome);
            }
            Err(mut errors) => {
                errors.extend(wrong_contents);
                return self.invalid(ctx, &errors, &decoded.submission.data, outcome);
            }
        };
        // Forms with sign-in: the session checked again, the level and locked answers enforced.
        let identity = match crate::auth::check_submission(
            self.sign_in.as_deref(),
            ctx.form,
            ctx.headers,
            &clean,
        ) {
            Ok(identity) => identity,
            Err(refusal) => {
                return self.identity_refused(ctx, &refusal, &decoded.submission.data, outcome);
            }
        };
        let signed_in = identity.is_some();
        let identity_record = identity.as_ref().map(|s| s.record.clone());
        let identity = identity.map(|s| s.identity);
        // The amount due is the server's, from the validated answers: nothing the browser sent
        // about money is read. A submission that costs something awaits payment when its form
        // requires it, or offers it and the citizen chose to pay online; declining the offer
        // is marked for the back office (it sends a fee notice).
        let amount_due = (!ctx.form.form.fees.is_empty())
            .then(|| form_model::fees::amount_due(&ctx.form.form, &clean, today));
        let costs = amount_due.as_ref().is_some_and(|a| !a.is_nothing());
        let awaiting_payment = costs && Self::pays_online(ctx, decoded.payment);
        let payment_declined =
            costs && !awaiting_payment && ctx.form.form.payment == PaymentMode::Optional;
        if awaiting_payment && let Some(reason) = self.payment_unusable(ctx).await {
            return self.payment_not_offered(ctx, &reason, outcome);
        }
        let encryption = match self.encryptors.get(&ctx.municipality.id) {
            None => Ok(None),
            Some(Ok(e)) => Ok(Some(e.as_ref())),
            Some(Err(reason)) => Err(WriteError::Store(StoreError::Unavailable(reason.clone()))),
        };
        // Single-runner mode: only while this process holds the store, one request per id.
        let _serialised = match &self.single {
            None => None,
            Some(single) => {
                if !single.lock.valid_at(self.clock.now()) {
                    tracing::error!(
                        "single-runner mode: the runner marker expired; refusing to write"
                    );
                    let mut r = self.refuse(Refusal::StoreUnavailable, ctx, outcome);
                    outcome.outcome = "store-failed";
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
                    return r;
                }
                let stripe = id.as_u128() as usize % single.stripes.len();
                Some(single.stripes[stripe].lock().await)
            }
        };
        let written = match encryption {
            Ok(encryption) => {
                let submission = protocol::Submission {
                    amount_due,
                    awaiting_payment,
                    payment_declined,
                    form: ctx.form,
                    id,
                    language: &decoded.submission.language,
                    data: clean,
                    uploads,
                    encryption,
                    identity: identity_record,
                    store_refuses_overwrite: self.store_refuses_overwrite,
                };
                protocol::write(self.store.as_ref(), submission, now).await
            }
            Err(e) => Err(e),
        };
        if written.is_ok() {
            self.remove_staged(&staged.keys).await;
        }
        match written {
            Ok(stored) if awaiting_payment => {
                outcome.reference = stored.reference.clone();
                self.to_payment(ctx, &stored, outcome).await
            }
            Ok(stored) => {
                outcome.outcome = if stored.first { "stored" } else { "duplicate" };
                outcome.reference = stored.reference.clone();
                // What the receipt is made of, for the citizen to ask for it later (no PDF is
                // made here); none when the registry names no contact (a receipt needs one).
                let receipt = ctx
                    .municipality
                    .contact
                    .is_some()
                    .then(|| super::receipt::receipt_data(&stored));
                let mut r = self.accepted(
                    ctx,
                    stored.id,
                    &stored.reference,
                    stored.received_at,
                    receipt.as_ref(),
                );
                // The session ends with the submission it was for, and its draft is removed.
                if signed_in
                    && let Some(s) = self
                        .sign_in
                        .as_deref()
                        .and_then(|s| s.municipality(&ctx.municipality.id))
                {
                    if let Some(identity) = &identity {
                        crate::auth::remove_after_sending(
                            self.store.as_ref(),
                            s,
                            ctx.form,
                            identity,
                        )
                        .await;
                    }
                    r.headers_mut()
                        .append(header::SET_COOKIE, s.sessions.clear_session_cookie());
                    r.headers_mut()
                        .append(header::SET_COOKIE, s.sessions.clear_registry_cookie());
                }
                r
            }
            Err(WriteError::Conflict(_)) => self.refuse(Refusal::IdConflict, ctx, outcome),
            Err(WriteError::Store(e)) => {
                tracing::error!(
                    error = %e,
                    store = %self.store.describe(),
                    municipality = %ctx.municipality.id,
                    form = %ctx.form.form.id,
                    id = %id,
                    "store failed; nothing acknowledged"
                );
                let mut r = self.refuse(Refusal::StoreUnavailable, ctx, outcome);
                outcome.outcome = "store-failed";
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
                r
            }
        }
    }
}
