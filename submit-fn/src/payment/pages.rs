//! The pages a citizen sees around a payment, besides the confirmation: on to the pay page
//! (without JavaScript: a 303 from a form post to the platform's origin would be blocked by the
//! form page's CSP `form-action`, which browsers also apply to redirects), a payment that was
//! cancelled or failed (try again, or withdraw), one not yet finished (continue), a withdrawn
//! or expired submission, a platform that cannot be reached. With the sites' theme they are
//! rendered by `view` in the municipality's design, as its form pages are; without it, as the
//! function's plain pages. Their words are form-model's (`messages/payment.yaml`).

use form_model::messages::{PAYMENT, fill};
use form_model::registry::RegistryMunicipality;
use form_model::resolve::ResolvedForm;
use view::bundle::RemotePages;
use view::pages::{Notice, NoticeAction};

use crate::html;

/// What the page is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Situation {
    /// Just sent: on to the pay page.
    ToPay,
    Canceled,
    Failed,
    Open,
    Unavailable,
    Withdrawn,
    Expired,
}

impl Situation {
    fn keys(self) -> (&'static str, &'static str) {
        match self {
            Situation::ToPay => ("to-pay-title", "to-pay"),
            Situation::Canceled => ("canceled-title", "canceled"),
            Situation::Failed => ("failed-title", "failed"),
            Situation::Open => ("open-title", "open"),
            Situation::Unavailable => ("unavailable-title", "unavailable"),
            Situation::Withdrawn => ("withdrawn-title", "withdrawn"),
            Situation::Expired => ("expired-title", "expired"),
        }
    }
}

/// The function's addresses for one submission's payment (below `…/v1/<municipality>/`).
pub struct Addresses {
    /// `…/payment/<id>/`: `./` on a page the function answers below it.
    pub base: String,
    /// The platform's pay page of the open transaction.
    pub pay_url: Option<String>,
    /// The form's payment is optional: after an unpaid transaction the citizen may send
    /// without paying online (`without-payment`).
    pub without_payment: bool,
}

/// The page's notice: heading, message, and the ways on.
pub fn notice(
    situation: Situation,
    lang: &str,
    reference: &str,
    amount: Option<&str>,
    addresses: &Addresses,
    query: &str,
) -> Notice {
    let w = |key: &str| PAYMENT.text(key, lang).to_string();
    let (title, message) = situation.keys();
    let mut message = fill(PAYMENT.text(message, lang), &[("reference", reference)]);
    if let Some(amount) = amount
        && matches!(
            situation,
            Situation::ToPay
                | Situation::Canceled
                | Situation::Failed
                | Situation::Open
                | Situation::Unavailable
        )
    {
        message.push(' ');
        message.push_str(&fill(
            PAYMENT.text("amount-due", lang),
            &[("amount", amount)],
        ));
    }
    let post = |action: &str, label: &str, primary: bool| NoticeAction {
        label: w(label),
        url: format!("{}{action}{query}", addresses.base),
        post: true,
        primary,
    };
    let (actions, note) = match situation {
        Situation::Canceled | Situation::Failed if addresses.without_payment => (
            vec![
                post("retry", "try-again", true),
                post("without-payment", "without-payment", false),
                post("cancel", "withdraw", false),
            ],
            Some(format!(
                "{} {}",
                w("without-payment-note"),
                w("withdraw-note")
            )),
        ),
        Situation::Canceled | Situation::Failed | Situation::Unavailable => (
            vec![
                post("retry", "try-again", true),
                post("cancel", "withdraw", false),
            ],
            Some(w("withdraw-note")),
        ),
        Situation::ToPay | Situation::Open => (
            addresses
                .pay_url
                .iter()
                .map(|url| NoticeAction {
                    label: w(if situation == Situation::ToPay {
                        "pay-now"
                    } else {
                        "continue"
                    }),
                    url: url.clone(),
                    post: false,
                    primary: true,
                })
                .collect(),
            None,
        ),
        Situation::Withdrawn | Situation::Expired => (Vec::new(), None),
    };
    Notice {
        title: w(title),
        message,
        actions,
        note,
    }
}

/// The notice as a page: in the municipality's design when the function has the theme and it
/// has this form's site, else plain. Returns the page and its CSP when it is the site's.
pub fn render(
    pages: Option<&RemotePages>,
    m: &RegistryMunicipality,
    form: Option<&ResolvedForm>,
    lang: &str,
    notice: &Notice,
) -> (String, Option<String>) {
    if let (Some(pages), Some(form)) = (pages, form) {
        match pages.notice_page(form, lang, notice) {
            Some(Ok(page)) => return (page.html, Some(page.csp)),
            Some(Err(e)) => tracing::error!(error = %e, "the payment page cannot be rendered"),
            None => {}
        }
    }
    (html::notice_page(m, form, lang, notice), None)
}
