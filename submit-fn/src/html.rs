//! The HTML pages a browser form post (without JavaScript) can get back besides the form page
//! itself (which answers invalid answers when the function has the sites' theme): the error
//! summary for invalid answers without a theme, following the GOV.UK error summary pattern,
//! the confirmation page with the
//! reference (the static confirmation page can only show it with JavaScript), and a plain
//! message page for everything else. Plain HTML5 with `lang` (and `dir="rtl"` for Arabic), one
//! `h1`, landmarks, no script and no style, so they work under a Content-Security-Policy of
//! `default-src 'none'`.

use form_model::messages::{PAYMENT, SITE, fill};
use form_model::model::Contact;
use form_model::registry::RegistryMunicipality;
use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;
use form_model::validate::FieldError;
// The workspace's one escaper; every attribute value here is double-quoted, as it requires.
use view::escape_html as escape;

/// The pages' fixed texts: the site's own (form-model's `site.yaml`), so that these pages say
/// what the static site's pages say.
fn t(key: &str, lang: &str) -> &'static str {
    SITE.text(key, lang)
}

fn dir(lang: &str) -> &'static str {
    if ResolvedForm::is_rtl(lang) {
        "rtl"
    } else {
        "ltr"
    }
}

fn page(lang: &str, title: &str, main: &str, footer: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n</head>\n<body>\n\
<a href=\"#inhalt\">{skip}</a>\n<main id=\"inhalt\">\n{main}</main>\n{footer}</body>\n</html>\n",
        lang = escape(lang),
        dir = dir(lang),
        title = escape(title),
        skip = t("skip-link", lang),
    )
}

/// Links to the municipality's legal pages (every page of the site has them).
fn footer(m: Option<&RegistryMunicipality>, lang: &str) -> String {
    let Some(m) = m else {
        return String::new();
    };
    let base = format!("{}{}", m.site_url, m.lang_prefix(lang));
    format!(
        "<footer>\n<nav aria-label=\"{legal}\">\n<ul>\n\
<li><a href=\"{base}/impressum/\">{imprint}</a></li>\n\
<li><a href=\"{base}/datenschutz/\">{privacy}</a></li>\n\
<li><a href=\"{base}/barrierefreiheit/\">{accessibility}</a></li>\n\
</ul>\n</nav>\n<p>{name}</p>\n</footer>\n",
        legal = t("legal-nav", lang),
        base = escape(&base),
        imprint = t("imprint", lang),
        privacy = t("privacy", lang),
        accessibility = t("accessibility", lang),
        name = escape(&m.name),
    )
}

/// The anchor of a field's input on the form page: `f-<field id with '.' replaced by '-'>`.
pub fn field_anchor(field: &str) -> String {
    view::field::input_id(&view::filled::page_key(field))
}

/// The page for invalid answers: an error summary whose entries link to the fields on the form
/// page, and the way back that keeps the citizen's input (the browser's Back button).
pub fn error_summary(
    m: &RegistryMunicipality,
    form: &ResolvedForm,
    lang: &str,
    errors: &[FieldError],
    total: usize,
) -> String {
    let form_url = m.form_url(&form.form.id, lang);
    let form_title = text_in(&form.form.title, lang);
    let mut items = String::new();
    for e in errors {
        let base = e.field.split('.').next().unwrap_or("");
        // Only answers the form has an input for can be linked to; the rest (an unknown
        // language, a field the form does not have) point at the form.
        let href = if form.top_level_field(base).is_some() {
            format!("{form_url}#{}", field_anchor(&e.field))
        } else {
            form_url.clone()
        };
        items.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            escape(&href),
            escape(&e.message)
        ));
    }
    if total > errors.len() {
        items.push_str(&format!(
            "<li>{}</li>\n",
            escape(&more_problems(total - errors.len(), lang))
        ));
    }
    let main = format!(
        "<h1>{check}</h1>\n<p>{form}: {title} – {name}</p>\n\
<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\">\n\
<h2 id=\"error-summary-title\">{problem}</h2>\n<ul>\n{items}</ul>\n</div>\n\
<h2>{next}</h2>\n<p>{back}</p>\n<p><a href=\"{url}\">{reopen}</a> {note}</p>\n",
        check = t("error-page-title", lang),
        form = t("form", lang),
        title = escape(&form_title),
        name = escape(&m.name),
        problem = t("error-summary-title", lang),
        next = t("error-page-next", lang),
        back = t("error-page-back", lang),
        url = escape(&form_url),
        reopen = t("reopen-form", lang),
        note = t("reopen-form-note", lang),
    );
    let title = format!("{} {} – {}", t("error-prefix", lang), form_title, m.name);
    page(lang, &title, &main, &footer(Some(m), lang))
}

/// "… and 3 more problems", after the listed ones.
fn more_problems(n: usize, lang: &str) -> String {
    let count = n.to_string();
    fill(
        SITE.plural("error-page-more", lang, n as u64),
        &[("n", &count)],
    )
}

/// Where a message page leads on to.
#[derive(Debug, Clone, Copy)]
pub enum WayOn<'a> {
    /// Nothing is known about the site (unknown path or municipality).
    Nowhere,
    /// Back to the form (the answer to a post): the Back button, and a link to the form.
    Form(&'a RegistryMunicipality, &'a str),
    /// To the municipality's services (a page that is not part of sending a form).
    Services(&'a RegistryMunicipality),
}

/// A page with a heading, a message and the way on (see [`WayOn`]).
pub fn message_page(lang: &str, heading: &str, message: &str, way_on: WayOn<'_>) -> String {
    let mut main = format!("<h1>{}</h1>\n<p>{}</p>\n", escape(heading), escape(message));
    let m = match way_on {
        WayOn::Nowhere => None,
        WayOn::Form(m, form) => {
            let url = m.form_url(form, lang);
            main.push_str(&format!(
                "<p>{back}</p>\n<p><a href=\"{url}\">{reopen}</a> {note}</p>\n",
                back = t("error-page-back-short", lang),
                url = escape(&url),
                reopen = t("reopen-form", lang),
                note = t("reopen-form-note", lang),
            ));
            Some(m)
        }
        WayOn::Services(m) => {
            main.push_str(&contact_section(m, lang));
            main.push_str(&services_link(m, lang));
            Some(m)
        }
    };
    page(lang, heading, &main, &footer(m, lang))
}

/// How the confirmation page offers the receipt.
#[derive(Debug, Clone, Copy)]
pub enum ReceiptOffer<'a> {
    /// A button in a form that posts what the receipt is made of — the record as stored
    /// (`record`) and each attachment's SHA-512 (`attachment_sha512`, in order) — to the receipt
    /// endpoint `action`, which checks them against the submission's claim and answers the PDF
    /// as a download. No script; the same form the static confirmation page's script fills in.
    OnRequest {
        action: &'a str,
        record: &'a str,
        attachments_sha512: &'a [String],
    },
    /// The PDF itself (file name, base64) as a `data:` download (the page after a payment,
    /// which has made it already).
    Inline { file_name: &'a str, base64: &'a str },
}

impl ReceiptOffer<'_> {
    fn html(&self, lang: &str) -> String {
        let label = t("receipt-download", lang);
        match self {
            ReceiptOffer::OnRequest {
                action,
                record,
                attachments_sha512,
            } => {
                let mut fields = format!(
                    "<input type=\"hidden\" name=\"record\" value=\"{}\">\n",
                    escape(record)
                );
                for sha512 in *attachments_sha512 {
                    fields.push_str(&format!(
                        "<input type=\"hidden\" name=\"attachment_sha512\" value=\"{}\">\n",
                        escape(sha512)
                    ));
                }
                format!(
                    "<form id=\"receipt\" method=\"post\" action=\"{action}\">\n{fields}\
<p><button type=\"submit\">{label}</button></p>\n</form>\n",
                    action = escape(action),
                )
            }
            ReceiptOffer::Inline { file_name, base64 } => format!(
                "<p id=\"receipt\"><a href=\"data:application/pdf;base64,{base64}\" download=\"{file}\" type=\"application/pdf\">{label}</a></p>\n",
                file = escape(file_name),
            ),
        }
    }
}

/// The confirmation page for a stored submission: what the static confirmation page shows
/// with JavaScript (site-templates/pages/confirmation.html), with the reference in the page
/// itself. `reference` must be one the function issued (`form_model::record::is_reference`); it
/// is escaped all the same. `receipt`: how the receipt is offered (see [`ReceiptOffer`]); a
/// page with a form needs the CSP `form-action 'self'` (`respond::CONFIRMATION_CSP`).
pub fn confirmation_page(
    m: &RegistryMunicipality,
    form: &ResolvedForm,
    lang: &str,
    reference: &str,
    receipt: Option<ReceiptOffer<'_>>,
) -> String {
    paid_confirmation_page(m, form, lang, reference, receipt, None)
}

/// A payment as the confirmation page shows it.
#[derive(Debug, Clone, Copy)]
pub struct Paid<'a> {
    /// The platform's reference of the payment (`transactionReference`), else its
    /// transaction id.
    pub reference: &'a str,
    /// The amount, written in the page's language.
    pub amount: &'a str,
}

/// How the fees of a submission handed on after the payment flow stand.
#[derive(Debug, Clone, Copy)]
pub enum Settled<'a> {
    Paid(Paid<'a>),
    /// Sent without paying online (a form whose payment is optional): a fee notice follows.
    Declined,
}

/// The confirmation page (see [`confirmation_page`]) of a submission handed on after the payment
/// flow: paid (the payment's reference and amount below the submission's reference) or sent
/// without paying online.
pub fn paid_confirmation_page(
    m: &RegistryMunicipality,
    form: &ResolvedForm,
    lang: &str,
    reference: &str,
    receipt: Option<ReceiptOffer<'_>>,
    settled: Option<Settled<'_>>,
) -> String {
    let form_title = text_in(&form.form.title, lang);
    let paid = match settled {
        None => String::new(),
        Some(Settled::Paid(p)) => format!(
            "<p>{note}</p>\n<p>{label}: <strong id=\"payment-reference\" dir=\"ltr\">{reference}</strong><br>{amount_label}: <span dir=\"ltr\">{amount}</span></p>\n",
            note = escape(PAYMENT.text("paid-note", lang)),
            label = escape(PAYMENT.text("paid-reference", lang)),
            reference = escape(p.reference),
            amount_label = escape(PAYMENT.text("paid-amount", lang)),
            amount = escape(p.amount),
        ),
        Some(Settled::Declined) => format!(
            "<p id=\"payment-declined\">{}</p>\n",
            escape(PAYMENT.text("declined-note", lang))
        ),
    };
    // The reference is Latin letters and digits; isolated left-to-right so that it reads the
    // same on an Arabic page.
    let main = format!(
        "<h1>{title}</h1>\n<p>{form}: {form_title} – {name}</p>\n\
<p>{label}:</p>\n<p id=\"reference\"><strong dir=\"ltr\">{reference}</strong></p>\n\
{paid}{receipt}<h2>{next}</h2>\n<p>{next_text}</p>\n{contact}<p>{print}</p>\n{services}",
        receipt = receipt.map_or(String::new(), |r| r.html(lang)),
        title = t("confirmation-title", lang),
        form = t("form", lang),
        form_title = escape(&form_title),
        name = escape(&m.name),
        label = t("confirmation-reference", lang),
        reference = escape(reference),
        next = t("confirmation-next", lang),
        next_text = t("confirmation-next-text", lang),
        contact = contact_section(m, lang),
        print = t("print-hint", lang),
        services = services_link(m, lang),
    );
    let title = format!(
        "{} – {} – {}",
        t("confirmation-title", lang),
        form_title,
        m.name
    );
    page(lang, &title, &main, &footer(Some(m), lang))
}

/// A notice about a submission (the pages around a payment, `crate::payment::pages`) when the
/// function has no theme to render it in the municipality's design: heading, message, the
/// ways on as plain forms and links.
pub fn notice_page(
    m: &RegistryMunicipality,
    form: Option<&ResolvedForm>,
    lang: &str,
    notice: &view::pages::Notice,
) -> String {
    let mut main = format!("<h1>{}</h1>\n", escape(&notice.title));
    if let Some(form) = form {
        main.push_str(&format!(
            "<p>{}: {} – {}</p>\n",
            t("form", lang),
            escape(&text_in(&form.form.title, lang)),
            escape(&m.name)
        ));
    }
    main.push_str(&format!(
        "<p id=\"notice-message\">{}</p>\n",
        escape(&notice.message)
    ));
    for a in &notice.actions {
        if a.post {
            main.push_str(&format!(
                "<form method=\"post\" action=\"{}\"><button type=\"submit\">{}</button></form>\n",
                escape(&a.url),
                escape(&a.label)
            ));
        } else {
            main.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>\n",
                escape(&a.url),
                escape(&a.label)
            ));
        }
    }
    if let Some(note) = &notice.note {
        main.push_str(&format!("<p>{}</p>\n", escape(note)));
    }
    main.push_str(&contact_section(m, lang));
    main.push_str(&services_link(m, lang));
    page(lang, &notice.title, &main, &footer(Some(m), lang))
}

/// "Contact" with the municipality's office, as the static confirmation page shows it; nothing
/// when the registry has no contact (one written before contacts were added).
fn contact_section(m: &RegistryMunicipality, lang: &str) -> String {
    let Some(c) = &m.contact else {
        return String::new();
    };
    // Numbers and addresses isolated left-to-right: on an Arabic page "+49 5971 8040-0" would
    // otherwise read "0-8040 5971 49+".
    let phone = c.phone.as_deref().map_or(String::new(), |phone| {
        format!(
            "<br>{label}: <a href=\"tel:{tel}\" dir=\"ltr\">{phone}</a>\n",
            label = t("phone", lang),
            tel = escape(&phone.replace(' ', "")),
            phone = escape(phone),
        )
    });
    format!(
        "<h2>{heading}</h2>\n<address>\n{place}\n{phone}\
<br>{email_label}: <a href=\"mailto:{email}\" dir=\"ltr\">{email}</a>\n</address>\n",
        heading = t("contact", lang),
        place = in_site_language(m, lang, &contact_place(c)),
        email_label = t("email", lang),
        email = escape(&c.email),
    )
}

/// Name, and the postal address on one line (as the static confirmation page has them).
fn contact_place(c: &Contact) -> String {
    format!("{}<br>\n{}", escape(&c.name), escape(&c.address.join(", ")))
}

/// `html` (already escaped), marked as written in the site's first language when the page is
/// in another one (the office's name and address are not translated), as the site's footer does.
fn in_site_language(m: &RegistryMunicipality, lang: &str, html: &str) -> String {
    match m.languages.first() {
        Some(site) if site != lang => format!(
            "<span lang=\"{site}\" dir=\"{dir}\">{html}</span>",
            site = escape(site),
            dir = dir(site),
        ),
        _ => html.to_string(),
    }
}

/// The link to the municipality's services index.
fn services_link(m: &RegistryMunicipality, lang: &str) -> String {
    format!(
        "<p><a href=\"{url}\">{home}</a></p>\n",
        url = escape(&m.services_url(lang)),
        home = t("home", lang),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_replace_dots_with_dashes() {
        assert_eq!(field_anchor("anschrift.postcode"), "f-anschrift-postcode");
        assert_eq!(field_anchor("vorname"), "f-vorname");
    }
}
