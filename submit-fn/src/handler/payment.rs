//! The handler's side of payment (`crate::payment` holds the flow): a valid submission of a
//! form that requires payment (or offers it, and the citizen chose to pay online) is stored as
//! awaiting payment and answered with the platform's
//! pay page (303 for a browser form post; 202 with `payment_url` for the page script), and the
//! routes below `…/v1/<municipality>/payment/<id>/` answer the citizen's return, a try again,
//! a withdrawal and sending without payment with the page for where the submission stands.

use bytes::Bytes;
use form_model::messages::{PAYMENT, fill};
use form_model::model::PaymentMode;
use http::request::Parts;
use http::{HeaderValue, Method, Response, StatusCode, header};
use serde_json::json;
use time::format_description::well_known::Rfc3339;

use store::crypto::Encryptor;
use store::protocol::Stored;

use super::payment_pages::unknown;
use super::{Ctx, Handler};
use crate::html::{self, WayOn};
use crate::metrics::Outcome;
use crate::payment::attempt::{self, Attempt};
use crate::payment::flow::{self, FlowError, Next, Payments, Standing, return_url};
use crate::payment::pages::{Addresses, Situation};
use crate::payment::{Action, route as payment_route};
use crate::respond::{Format, html_response, json_response, pick_language, response};
use crate::route::query_param;

impl Handler {
    /// The payment platforms, when the function takes payments.
    pub fn payments(&self) -> Option<&Payments> {
        self.payments.as_deref()
    }

    /// Whether a submission of `ctx`'s form is paid before the back office gets it: the form
    /// requires payment (as resolved for its municipality, which has a platform), or offers it
    /// and the citizen chose to pay online (`choice`; ignored for any other form).
    pub(super) fn pays_online(
        ctx: &Ctx<'_>,
        choice: Option<form_model::model::PaymentChoice>,
    ) -> bool {
        ctx.form.form.payment.pays_online(choice)
    }

    /// Why payment cannot be taken for `ctx`'s municipality now (no platform configured in
    /// this function, or one that cannot be used), or `None` when it can. The first call for a
    /// municipality makes its platform's client.
    pub(super) async fn payment_unusable(&self, ctx: &Ctx<'_>) -> Option<String> {
        let Some(payments) = self.payments.as_deref() else {
            return Some("this function takes no payments".into());
        };
        if let Err(e) = payments.client(&ctx.municipality.id).await {
            return Some(e);
        }
        self.endpoint(&ctx.municipality.id)
            .is_none()
            .then(|| format!("no address of the function for {}", ctx.municipality.id))
    }

    /// The refusal of a submission that requires payment when none can be taken: nothing is
    /// stored (503, try later).
    pub(super) fn payment_not_offered(
        &self,
        ctx: &Ctx<'_>,
        reason: &str,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        tracing::error!(reason, municipality = %ctx.municipality.id, "payment required but not possible; nothing stored");
        outcome.outcome = "payment-unavailable";
        let message = PAYMENT.text("not-offered", &ctx.lang);
        let mut r = match ctx.format {
            Format::Json => json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({ "error": "payment-unavailable", "message": message }),
            ),
            Format::Html => html_response(
                StatusCode::SERVICE_UNAVAILABLE,
                html::message_page(
                    &ctx.lang,
                    PAYMENT.text("title-payment", &ctx.lang),
                    message,
                    WayOn::Form(ctx.municipality, &ctx.form.form.id),
                ),
            ),
        };
        r.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(crate::respond::RETRY_AFTER_SECONDS),
        );
        r
    }

    /// Where the platform sends the browser back for `municipality`: the function's address
    /// as configured, else as the sites post to it.
    fn endpoint(&self, municipality: &str) -> Option<String> {
        self.payments
            .as_deref()
            .and_then(|p| p.endpoint(municipality))
            .or_else(|| self.pages.as_deref().and_then(|p| p.endpoint(municipality)))
            .map(str::to_string)
    }

    fn encryption(&self, municipality: &str) -> Result<Option<&Encryptor>, FlowError> {
        match self.encryptors.get(municipality) {
            None => Ok(None),
            Some(Ok(e)) => Ok(Some(e.as_ref())),
            Some(Err(reason)) => Err(FlowError::Unusable(reason.clone())),
        }
    }

    /// The answer to a submission just stored as awaiting payment: its transaction opened (or
    /// found, for a repeated submission) and the browser sent to the pay page; a submission
    /// repeated after it was paid gets its confirmation.
    pub(super) async fn to_payment(
        &self,
        ctx: &Ctx<'_>,
        stored: &Stored,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        let m = &ctx.municipality.id;
        let (Some(payments), Some(endpoint)) = (self.payments.as_deref(), self.endpoint(m)) else {
            // Checked before storing.
            return self.payment_not_offered(ctx, "no payment platform", outcome);
        };
        outcome.outcome = if stored.first {
            "awaiting-payment"
        } else {
            "duplicate"
        };
        let now = self.clock.now();
        let lang = &stored.record.language;
        let return_to = return_url(&endpoint, m, stored.id, lang);
        let amount =
            stored
                .record
                .amount_due
                .clone()
                .unwrap_or_else(|| form_model::fees::AmountDue {
                    items: Vec::new(),
                    total_cents: 0,
                });
        let booking = ctx
            .municipality
            .payment
            .as_ref()
            .and_then(|p| p.booking.as_ref());
        let Some(request) = attempt::payment_request(
            ctx.form,
            booking,
            &stored.reference,
            stored.received_at,
            &amount,
            lang,
            return_to.clone(),
            attempt::request_id(stored.id, 1),
        ) else {
            // Checked before storing: nothing due is not awaited.
            return self.payment_not_offered(ctx, "nothing due", outcome);
        };
        let encrypted = self.encryptors.contains_key(m);
        let first = Attempt {
            format: attempt::ATTEMPT_FORMAT.into(),
            n: 1,
            municipality: m.clone(),
            form: ctx.form.form.id.clone(),
            version: ctx.form.form.version,
            id: stored.id,
            reference: stored.reference.clone(),
            dir: store::layout::submission_path(ctx.form, stored.received_at, stored.id),
            language: lang.clone(),
            encrypted,
            received_at: stored.received_at,
            created_at: now,
            request,
            transaction_id: String::new(),
            pay_url: None,
            booking_keys: booking.map(|b| b.keys.renamed()).unwrap_or_default(),
            attachments_sha512: if encrypted {
                Vec::new()
            } else {
                stored.attachments_sha512.clone()
            },
        };
        let store = self.store.as_ref();
        // A repeated submission: wherever it stands now.
        if !stored.first
            && let Ok(Some(_)) = attempt::get(store, m, stored.id, 1).await
        {
            let encryption = self.encryption(m);
            let standing = match encryption {
                Ok(e) => flow::settle(store, payments, m, stored.id, e).await,
                Err(e) => Err(e),
            };
            return match (ctx.format, standing) {
                (Format::Json, Ok(Standing::Paid { info, .. })) => {
                    self.paid_json(stored, info.transaction_reference.as_deref())
                }
                // Still open: the same pay page; otherwise the function's page for it.
                (Format::Json, Ok(Standing::Open { attempt })) => {
                    payment_json(stored, attempt.pay_url.as_deref().unwrap_or(&return_to))
                }
                (Format::Json, _) => payment_json(stored, &return_to),
                (Format::Html, standing) => {
                    self.standing_page(ctx.municipality, Some(ctx.form), lang, standing, &return_to)
                        .await
                }
            };
        }
        match flow::start(store, payments, first, now).await {
            Ok(attempt) => {
                let pay = attempt.pay_url.clone().unwrap_or(return_to);
                match ctx.format {
                    Format::Json => payment_json(stored, &pay),
                    // A link, not a 303: the form page's CSP `form-action` also holds for
                    // the redirects after its post, and the platform is another origin.
                    Format::Html => self.notice_response(
                        StatusCode::OK,
                        ctx.municipality,
                        Some(ctx.form),
                        lang,
                        Situation::ToPay,
                        &stored.reference,
                        Some(amount.total_cents),
                        &Addresses {
                            base: payment_base(&endpoint, m, stored.id),
                            pay_url: Some(pay),
                            without_payment: false,
                        },
                    ),
                }
            }
            Err(e) => {
                tracing::error!(error = %e, municipality = %m, id = %stored.id, "the transaction cannot be opened; the submission awaits payment");
                outcome.outcome = "payment-failed";
                match ctx.format {
                    // The page script repeats the submission (same id) after a while.
                    Format::Json => {
                        let mut r = json_response(
                            StatusCode::SERVICE_UNAVAILABLE,
                            &json!({
                                "error": "payment-unavailable",
                                "message": fill(PAYMENT.text("unavailable", lang), &[("reference", &stored.reference)]),
                            }),
                        );
                        r.headers_mut().insert(
                            header::RETRY_AFTER,
                            HeaderValue::from(crate::respond::RETRY_AFTER_SECONDS),
                        );
                        r
                    }
                    Format::Html => self.notice_response(
                        StatusCode::SERVICE_UNAVAILABLE,
                        ctx.municipality,
                        Some(ctx.form),
                        lang,
                        Situation::Unavailable,
                        &stored.reference,
                        Some(amount.total_cents),
                        &Addresses {
                            base: payment_base(&endpoint, m, stored.id),
                            pay_url: None,
                            without_payment: false,
                        },
                    ),
                }
            }
        }
    }

    fn paid_json(&self, stored: &Stored, payment_reference: Option<&str>) -> Response<Bytes> {
        json_response(
            StatusCode::CREATED,
            &json!({
                "id": stored.id,
                "reference": stored.reference,
                "received_at": stored.received_at.format(&Rfc3339).expect("UTC times format"),
                "payment_reference": payment_reference,
            }),
        )
    }

    /// A request below `…/v1/<municipality>/payment/<id>/`: whether the path is one; then
    /// the answer.
    pub(super) async fn payment_request(
        &self,
        parts: &Parts,
        outcome: &mut Outcome,
    ) -> Option<Response<Bytes>> {
        let (m_id, id, action) = payment_route(parts.uri.path())?;
        outcome.outcome = "payment";
        outcome.municipality = m_id.to_string();
        outcome.id = id.to_string();
        let accept_language = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let Some(m) = self.registry.municipality(m_id) else {
            let lang = pick_language(accept_language, &[]);
            return Some(unknown(&lang, WayOn::Nowhere));
        };
        let query_lang = query_param(parts.uri.query(), "lang").filter(|l| m.languages.contains(l));
        let lang = query_lang.unwrap_or_else(|| pick_language(accept_language, &m.languages));
        let (allowed, allow) = match action {
            Action::Return => (Method::GET, "GET"),
            Action::Retry | Action::Cancel | Action::WithoutPayment => (Method::POST, "POST"),
        };
        if parts.method != allowed {
            let mut r = response(StatusCode::METHOD_NOT_ALLOWED, None, Bytes::new());
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
            return Some(r);
        }
        let Some(payments) = self.payments.as_deref() else {
            return Some(unknown(&lang, WayOn::Services(m)));
        };
        let store = self.store.as_ref();
        let found = match attempt::latest(store, m_id, id).await {
            Ok(Some(a)) => a,
            Ok(None) => return Some(unknown(&lang, WayOn::Services(m))),
            Err(e) => {
                tracing::error!(error = %e, "payment attempt cannot be read");
                return Some(unknown(&lang, WayOn::Services(m)));
            }
        };
        outcome.form = found.form.clone();
        outcome.reference = found.reference.clone();
        let form = self.registry.form(m_id, &found.form);
        let encryption = match self.encryption(m_id) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %e, "no usable key; payment not settled");
                return Some(self.standing_page(m, form, &lang, Err(e), "./return").await);
            }
        };
        let now = self.clock.now();
        let here = format!("./return?lang={lang}");
        let standing = match action {
            Action::Return => flow::settle(store, payments, m_id, id, encryption).await,
            Action::Cancel => flow::withdraw(store, payments, m_id, id, encryption, now).await,
            Action::WithoutPayment => {
                let offered = form.is_some_and(|f| f.form.payment == PaymentMode::Optional);
                flow::without_payment(store, payments, m_id, id, encryption, offered, now).await
            }
            Action::Retry => match flow::retry(store, payments, m_id, id, encryption, now).await {
                // A page with the link on, as after sending (see `to_payment`).
                Ok(Next::Pay(a)) => {
                    return Some(self.notice_response(
                        StatusCode::OK,
                        m,
                        form,
                        &lang,
                        Situation::ToPay,
                        &a.reference,
                        Some(a.request.gros_amount.cents()),
                        &Addresses {
                            base: "./".into(),
                            pay_url: a.pay_url.clone(),
                            without_payment: false,
                        },
                    ));
                }
                Ok(Next::Stands(s)) => Ok(*s),
                Err(e) => Err(e),
            },
        };
        match &standing {
            Ok(Standing::Paid { first: true, .. }) => outcome.outcome = "paid",
            Ok(Standing::Declined { first: true, .. }) => outcome.outcome = "declined",
            _ => {}
        }
        Some(self.standing_page(m, form, &lang, standing, &here).await)
    }
}

/// 202 with the pay page for the page script, which then goes there.
fn payment_json(stored: &Stored, pay_url: &str) -> Response<Bytes> {
    json_response(
        StatusCode::ACCEPTED,
        &json!({
            "id": stored.id,
            "reference": stored.reference,
            "received_at": stored.received_at.format(&Rfc3339).expect("UTC times format"),
            "payment_url": pay_url,
        }),
    )
}

/// `<endpoint>/<m>/payment/<id>/`: the payment routes of a submission, for a page answered
/// at the form's own address.
fn payment_base(endpoint: &str, m: &str, id: uuid::Uuid) -> String {
    format!(
        "{}/{m}/{}/{}/",
        endpoint.trim_end_matches('/'),
        crate::payment::SEGMENT,
        id.hyphenated()
    )
}
