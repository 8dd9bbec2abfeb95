//! The handler's answers besides the pipeline's own: refusals (as JSON or a message page), the
//! 422 for invalid answers (for a browser, the form page filled in again), the 201 (JSON) or
//! 200 (the confirmation page) with what the receipt is made of for a stored submission (the
//! receipt itself is made on request, `super::receipt`), a CORS preflight and a 405.

use bytes::Bytes;
use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;
use form_model::validate::FieldError;
use http::request::Parts;
use http::{HeaderValue, Response, StatusCode, header};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;
use view::filled::Filled;

use super::receipt::ReceiptData;
use super::{Ctx, Handler, MAX_REPORTED_ERRORS};
use crate::clock::german_date;
use crate::decode::DecodeError;
use crate::html::{self, ReceiptOffer, WayOn};
use crate::metrics::Outcome;
use crate::respond::{
    CONFIRMATION_CSP, Format, Refusal, html_response, json_response, plain_refusal, response,
};
use crate::route::{Endpoint, confirmation_location, receipt_action};

/// What a preflight from an allowed origin is told: POST, with the headers the pages send.
pub(super) fn allow_post_preflight(h: &mut http::HeaderMap) {
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type, Accept, Accept-Language"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
}

/// Whether a path segment is a list entry's number.
fn is_index(segment: &str) -> bool {
    !segment.is_empty() && segment.len() <= 3 && segment.bytes().all(|b| b.is_ascii_digit())
}
impl Handler {
    /// 405 with the methods the endpoint takes.
    pub(super) fn method_not_allowed(
        &self,
        ctx: &Ctx<'_>,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        let mut r = self.refuse(Refusal::MethodNotAllowed(ctx.endpoint), ctx, outcome);
        r.headers_mut().insert(
            header::ALLOW,
            HeaderValue::from_static(ctx.endpoint.allow()),
        );
        r
    }

    pub(super) fn preflight(
        &self,
        parts: &Parts,
        ctx: &Ctx<'_>,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        let origin = parts
            .headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        if origin.is_some() && ctx.origin.is_none() {
            return self.refuse(Refusal::OriginNotAllowed, ctx, outcome);
        }
        outcome.outcome = "preflight";
        let mut r = response(StatusCode::NO_CONTENT, None, Bytes::new());
        let h = r.headers_mut();
        h.insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
        if ctx.origin.is_some() {
            allow_post_preflight(h);
        }
        r
    }

    pub(super) fn decode_refusal(
        &self,
        e: DecodeError,
        form: &ResolvedForm,
        lang: &str,
    ) -> Refusal {
        let label = |field: &str| {
            form.top_level_field(field)
                .map_or_else(|| field.to_string(), |f| text_in(&f.label, lang))
        };
        match e {
            DecodeError::UnsupportedMediaType => Refusal::UnsupportedMediaType,
            DecodeError::UnsupportedCharset => Refusal::UnsupportedCharset,
            DecodeError::MalformedJson { line, column } => Refusal::MalformedJson { line, column },
            DecodeError::JsonShape(detail) => Refusal::InvalidBody(detail),
            DecodeError::NotUtf8 => Refusal::NotUtf8,
            DecodeError::MalformedMultipart(detail) => Refusal::MalformedMultipart(detail),
            DecodeError::TooLarge => Refusal::PayloadTooLarge {
                limit: self.body_limit,
            },
            DecodeError::FileInJson { field } => Refusal::FilesNeedMultipart {
                label: label(&field),
            },
            DecodeError::BadFileName { field } => Refusal::InvalidFileName {
                label: label(&field),
            },
            DecodeError::Duplicate { name, position } => Refusal::DuplicateKey { name, position },
            DecodeError::TooManyFields { limit } => Refusal::TooManyFields { limit },
            DecodeError::UnknownPaymentChoice(value) => {
                Refusal::InvalidBody(format!("`_payment` is `online` or `notice`, not `{value}`"))
            }
        }
    }

    pub(super) fn refuse(
        &self,
        refusal: Refusal,
        ctx: &Ctx<'_>,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        outcome.outcome = refusal.code();
        let way_on = match ctx.endpoint {
            Endpoint::Submit => WayOn::Form(ctx.municipality, &ctx.form.form.id),
            Endpoint::Confirmation | Endpoint::Receipt => WayOn::Services(ctx.municipality),
        };
        plain_refusal(&refusal, ctx.format, &ctx.lang, way_on)
    }

    /// 422 for `errors` in the answers sent (`answers`, as decoded).
    pub(super) fn invalid(
        &self,
        ctx: &Ctx<'_>,
        errors: &[FieldError],
        answers: &Map<String, Value>,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        outcome.outcome = "invalid";
        // However many problems a body has, the answer and the log line stay small: the first
        // MAX_REPORTED_ERRORS, and how many there were.
        let total = errors.len();
        let shown = &errors[..total.min(MAX_REPORTED_ERRORS)];
        let more = |list: Vec<String>| {
            let mut joined = list.join(",");
            if total > shown.len() {
                joined.push_str(&format!(",+{}", total - shown.len()));
            }
            joined
        };
        outcome.error_codes = more(
            shown
                .iter()
                .map(|e| {
                    serde_json::to_value(e.code)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()
                })
                .collect(),
        );
        // Field ids are part of the form, not of the answer; unknown names sent by a client
        // could be anything, so they are not logged.
        outcome.error_fields = more(
            shown
                .iter()
                .map(|e| {
                    let base = e.field.split('.').next().unwrap_or("");
                    let known = (ctx.form.top_level_field(base).is_some()
                        && e.field
                            .split('.')
                            .all(|s| ctx.form.form.find(s).is_some() || is_index(s)))
                        || e.field == "language";
                    if known { e.field.clone() } else { "?".into() }
                })
                .collect(),
        );
        match ctx.format {
            Format::Json => json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!({ "errors": shown, "error_count": total }),
            ),
            Format::Html => self
                .form_page_again(ctx, answers, shown)
                .unwrap_or_else(|| {
                    html_response(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        html::error_summary(ctx.municipality, ctx.form, &ctx.lang, shown, total),
                    )
                }),
        }
    }

    /// The form page filled in again with `answers`, the summary of `errors` on top and each
    /// at its question (GOV.UK's answer to an invalid post), with the page's own CSP, which
    /// lets it load its stylesheet and script from the site's origin. `None` without pages, or
    /// when they cannot render this form (then the error summary page answers).
    pub(super) fn form_page_again(
        &self,
        ctx: &Ctx<'_>,
        answers: &Map<String, Value>,
        errors: &[FieldError],
    ) -> Option<Response<Bytes>> {
        let pages = self.pages.as_ref()?;
        let due = (!ctx.form.form.fees.is_empty()).then(|| {
            form_model::fees::amount_due(&ctx.form.form, answers, german_date(self.clock.now()))
        });
        let filled = Filled {
            answers,
            errors,
            due: due.as_ref(),
        };
        let page = match pages.form_page(ctx.form, &ctx.lang, Some(&filled)) {
            Some(Ok(page)) => page,
            Some(Err(e)) => {
                tracing::error!(error = %e, "the form page cannot be rendered; answering with the error summary page");
                return None;
            }
            None => {
                tracing::error!(
                    "the theme has no page for this form; answering with the error summary page"
                );
                return None;
            }
        };
        let mut r = html_response(StatusCode::UNPROCESSABLE_ENTITY, page.html);
        // A `<meta>` policy cannot forbid framing; the header adds that to the page's own.
        let csp = format!("{}; frame-ancestors 'none'", page.csp);
        if let Ok(v) = HeaderValue::from_str(&csp) {
            r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
        Some(r)
    }

    pub(super) fn accepted(
        &self,
        ctx: &Ctx<'_>,
        id: Uuid,
        reference: &str,
        received_at: OffsetDateTime,
        receipt: Option<&ReceiptData>,
    ) -> Response<Bytes> {
        match (ctx.format, receipt) {
            (Format::Json, _) => {
                let mut answer = json!({
                    "id": id,
                    "reference": reference,
                    "received_at": received_at.format(&Rfc3339).expect("UTC times format"),
                });
                // What to post to `…/receipt` for the PDF (docs/submission-api.md).
                if let Some(r) = receipt {
                    answer["receipt"] = json!({
                        "file_name": r.file_name,
                        "media_type": crate::respond::PDF,
                        "record": r.record,
                        "attachments_sha512": r.attachments_sha512,
                    });
                }
                json_response(StatusCode::CREATED, &answer)
            }
            // The confirmation page itself, with the button that asks for the receipt: what it
            // posts exists only in this answer (never cached: `no-store`), so a redirect to a
            // page would lose it. Its form posts to the function: `form-action 'self'`.
            (Format::Html, Some(r)) => {
                let action = receipt_action(ctx.path_ends_with_slash, &ctx.form.form.id);
                let offer = ReceiptOffer::OnRequest {
                    action: &action,
                    record: &r.record,
                    attachments_sha512: &r.attachments_sha512,
                };
                let mut response = html_response(
                    StatusCode::OK,
                    html::confirmation_page(
                        ctx.municipality,
                        ctx.form,
                        &ctx.lang,
                        reference,
                        Some(offer),
                    ),
                );
                response.headers_mut().insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CONFIRMATION_CSP),
                );
                response
            }
            (Format::Html, None) => {
                let url = confirmation_location(
                    ctx.path_ends_with_slash,
                    &ctx.form.form.id,
                    reference,
                    &ctx.lang,
                );
                let mut r = response(StatusCode::SEE_OTHER, None, Bytes::new());
                if let Ok(v) = HeaderValue::from_str(&url) {
                    r.headers_mut().insert(header::LOCATION, v);
                }
                r
            }
        }
    }
}
