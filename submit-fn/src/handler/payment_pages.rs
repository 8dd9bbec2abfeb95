//! The pages the handler answers around a payment (`super::payment`): where a submission
//! stands after the platform sent the browser back — the confirmation of a paid one (with the
//! payment and the receipt), the page to pay again or withdraw, the page of one withdrawn or
//! expired — rendered through `crate::payment::pages`.

use bytes::Bytes;
use form_model::messages::{PAYMENT, euros_from_cents};
use form_model::registry::RegistryMunicipality;
use form_model::resolve::ResolvedForm;
use http::{HeaderValue, Response, StatusCode, header};

use store::protocol::Stored;

use super::Handler;
use super::receipt::ReceiptFile;
use crate::html::{self, Paid, ReceiptOffer, Settled, WayOn};
use crate::payment::attempt::Attempt;
use crate::payment::flow::{FlowError, Standing};
use crate::payment::pages::{self, Addresses, Situation};
use crate::respond::html_response;

/// The CSP of the function's own plain pages around a payment: as every page's, except that
/// their buttons post back to the function.
const NOTICE_CSP: &str =
    "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

impl Handler {
    /// The page for where a submission stands (`here`: the return address, for the page of a
    /// platform that could not be asked).
    pub(super) async fn standing_page(
        &self,
        m: &RegistryMunicipality,
        form: Option<&ResolvedForm>,
        lang: &str,
        standing: Result<Standing, FlowError>,
        here: &str,
    ) -> Response<Bytes> {
        let addresses = |a: &Attempt| Addresses {
            base: "./".into(),
            pay_url: a.pay_url.clone(),
            without_payment: offers_without_payment(form),
        };
        let total = |a: &Attempt| Some(a.request.gros_amount.cents());
        let (status, situation, attempt) = match standing {
            Ok(Standing::Paid { attempt, info, .. }) => {
                return self.paid_page(m, form, lang, &attempt, Some(&info)).await;
            }
            Ok(Standing::Declined { attempt, .. }) => {
                return self.paid_page(m, form, lang, &attempt, None).await;
            }
            Ok(Standing::Unknown) => return unknown(lang, WayOn::Services(m)),
            Ok(Standing::Open { attempt }) => (StatusCode::OK, Situation::Open, attempt),
            Ok(Standing::Ended { attempt, status }) => {
                let situation = if status == xbezahl::PaymentStatus::Failed {
                    Situation::Failed
                } else {
                    Situation::Canceled
                };
                (StatusCode::OK, situation, attempt)
            }
            Ok(Standing::Withdrawn { attempt }) => (StatusCode::OK, Situation::Withdrawn, attempt),
            Ok(Standing::Expired { attempt }) => (StatusCode::GONE, Situation::Expired, attempt),
            Err(e) => {
                tracing::error!(error = %e, municipality = %m.id, "payment status cannot be pulled");
                // Nothing is known but that the platform did not answer: try the return again.
                let notice = pages::notice(
                    Situation::Unavailable,
                    lang,
                    "",
                    None,
                    &Addresses {
                        base: "./".into(),
                        pay_url: None,
                        without_payment: false,
                    },
                    "",
                );
                let notice = view::pages::Notice {
                    actions: vec![view::pages::NoticeAction {
                        label: PAYMENT.text("continue", lang).to_string(),
                        url: here.to_string(),
                        post: false,
                        primary: true,
                    }],
                    note: None,
                    message: PAYMENT.text("not-offered", lang).to_string(),
                    ..notice
                };
                return self.page_response(StatusCode::SERVICE_UNAVAILABLE, m, form, lang, &notice);
            }
        };
        self.notice_response(
            status,
            m,
            form,
            lang,
            situation,
            &attempt.reference,
            total(&attempt),
            &addresses(&attempt),
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn notice_response(
        &self,
        status: StatusCode,
        m: &RegistryMunicipality,
        form: Option<&ResolvedForm>,
        lang: &str,
        situation: Situation,
        reference: &str,
        total_cents: Option<i64>,
        addresses: &Addresses,
    ) -> Response<Bytes> {
        let amount = total_cents.map(|c| euros_from_cents(c, lang));
        let query = format!("?lang={lang}");
        let notice = pages::notice(
            situation,
            lang,
            reference,
            amount.as_deref(),
            addresses,
            &query,
        );
        self.page_response(status, m, form, lang, &notice)
    }

    fn page_response(
        &self,
        status: StatusCode,
        m: &RegistryMunicipality,
        form: Option<&ResolvedForm>,
        lang: &str,
        notice: &view::pages::Notice,
    ) -> Response<Bytes> {
        let (page, csp) = pages::render(self.pages.as_deref(), m, form, lang, notice);
        let mut r = html_response(status, page);
        let csp = match csp {
            Some(site) => format!("{site}; frame-ancestors 'none'"),
            None => NOTICE_CSP.to_string(),
        };
        if let Ok(v) = HeaderValue::from_str(&csp) {
            r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
        r
    }

    /// The confirmation page of a submission handed on after the payment flow: the reference,
    /// the payment's reference and amount (`info`; `None`: sent without paying online), and the
    /// receipt when the function can read the record (a municipality without a back-office key;
    /// a sealed record is for the back office only, which makes the same receipt on import).
    async fn paid_page(
        &self,
        m: &RegistryMunicipality,
        form: Option<&ResolvedForm>,
        lang: &str,
        attempt: &Attempt,
        info: Option<&xbezahl::PaymentInformation>,
    ) -> Response<Bytes> {
        let Some(form) = form else {
            return unknown(lang, WayOn::Services(m));
        };
        let receipt = if attempt.encrypted {
            None
        } else {
            self.stored_receipt(m, form, attempt).await
        };
        let amount = euros_from_cents(attempt.request.gros_amount.cents(), lang);
        let settled = match info {
            Some(info) => Settled::Paid(Paid {
                reference: info
                    .transaction_reference
                    .as_deref()
                    .unwrap_or(&info.transaction_id),
                amount: &amount,
            }),
            None => Settled::Declined,
        };
        let page = html::paid_confirmation_page(
            m,
            form,
            lang,
            &attempt.reference,
            receipt
                .as_ref()
                .map(|r| (r.file_name.as_str(), r.base64()))
                .as_ref()
                .map(|(file_name, base64)| ReceiptOffer::Inline { file_name, base64 }),
            Some(settled),
        );
        html_response(StatusCode::OK, page)
    }

    /// The receipt of a released plain record: made from the record awaiting payment (the
    /// release copies it byte for byte and leaves it; the only submission object the template
    /// lets the function read) and the attachments' sha512 the attempt keeps. An attempt
    /// written before it kept them: from the released record and the attachments themselves
    /// (where the store lets the function read them, as under `serve`).
    async fn stored_receipt(
        &self,
        m: &RegistryMunicipality,
        form: &ResolvedForm,
        attempt: &Attempt,
    ) -> Option<ReceiptFile> {
        let store = self.store.as_ref();
        let awaiting = format!(
            "{}{}",
            attempt.dir,
            store::layout::awaiting_record_name(false)
        );
        let released = format!("{}{}", attempt.dir, store::layout::record_name(false));
        let stored = match store.get(&awaiting).await {
            Ok(Some(b)) => b,
            _ => store.get(&released).await.ok().flatten()?,
        };
        // The envelope's record, or the bare record of a submission stored before it.
        let bytes = store::envelope::open(&stored).ok()?.record;
        let record: form_model::record::SubmissionRecord = serde_json::from_slice(&bytes).ok()?;
        if record.form.version != form.form.version {
            return None;
        }
        let attachments_sha512 = if attempt.attachments_sha512.len() == record.attachments.len() {
            attempt.attachments_sha512.clone()
        } else {
            let mut hashes = Vec::new();
            for a in &record.attachments {
                let name = store::layout::attachment_name(&a.field, &a.media_type);
                let file = store
                    .get(&format!("{}{name}", attempt.dir))
                    .await
                    .ok()
                    .flatten()?;
                hashes.push(store::metadata::sha512_hex(&file));
            }
            hashes
        };
        let stored = Stored::read_back(record, bytes, attachments_sha512);
        super::receipt::receipt_for(m, form, &stored)
    }
}

/// Whether the page after an unpaid transaction offers sending without paying online: the
/// form's payment is optional.
pub(super) fn offers_without_payment(form: Option<&ResolvedForm>) -> bool {
    form.is_some_and(|f| f.form.payment == form_model::model::PaymentMode::Optional)
}

pub(super) fn unknown(lang: &str, way_on: WayOn<'_>) -> Response<Bytes> {
    html_response(
        StatusCode::NOT_FOUND,
        html::message_page(
            lang,
            PAYMENT.text("title-payment", lang),
            PAYMENT.text("unknown", lang),
            way_on,
        ),
    )
}
