//! The pay page a citizen's browser is sent to: what is paid, to whom, and three buttons (pay,
//! cancel, fail) that end the transaction and send the browser back to the online service.
//! German first, English on `?lang=en`; plain HTML with a form post, so it works without
//! JavaScript; a table with caption and header cells, a fieldset for the payment method,
//! buttons that say what they do, and a notice that no money moves.

use form_model::messages::euros_from_cents;
use xbezahl::{PaymentMethod, PaymentStatus};

use crate::ledger::Record;
use crate::words::Words;

/// The style sheet, served from the platform itself (the page's CSP allows `'self'` only).
pub const CSS: &str = "\
body{font:1.0625rem/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}\
header{background:#fff4ce;border-bottom:2px solid #8a6d00;padding:.75rem 1rem}\
main{max-width:40rem;margin:0 auto;padding:1rem}\
table{border-collapse:collapse;width:100%;margin:1rem 0}\
caption{text-align:left;font-weight:700;padding:.25rem 0}\
th,td{border-bottom:1px solid #767676;padding:.5rem;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right;white-space:nowrap}\
fieldset{border:1px solid #767676;margin:1rem 0;padding:.5rem 1rem}\
label{display:block;padding:.25rem 0}\
button{font:inherit;display:block;width:100%;margin:.5rem 0;padding:.75rem;border:2px solid #1b1b1b;border-radius:4px;background:#fff;cursor:pointer}\
button[value=pay]{background:#00549f;border-color:#00549f;color:#fff}\
:focus-visible{outline:3px solid #c83200;outline-offset:2px}";

/// The pay page of an INITIAL transaction.
pub fn pay(w: &Words, record: &Record, payee: &str, action: &str) -> String {
    let r = &record.request;
    let mut rows = String::new();
    for item in &r.items {
        rows.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(item.description.as_deref().unwrap_or(&item.id)),
            item.quantity,
            euros_from_cents(
                item.total_net_amount.cents() + item.total_tax_amount.cents(),
                w.lang
            ),
        ));
    }
    let mut methods = String::new();
    for (i, (value, label)) in w.methods().into_iter().enumerate() {
        methods.push_str(&format!(
            "<label><input type=\"radio\" name=\"method\" value=\"{value}\"{}> {label}</label>",
            if i == 0 { " checked" } else { "" }
        ));
    }
    let description = r
        .description
        .as_deref()
        .map(|d| format!("<p>{}</p>", escape(d)))
        .unwrap_or_default();
    let other_lang = w.other_lang();
    let body = format!(
        "<h1>{title}</h1>\
<p>{payee_label}: {payee}</p>{description}\
<table><caption>{items}</caption><thead><tr><th scope=\"col\">{item}</th>\
<th scope=\"col\" class=\"n\">{quantity}</th><th scope=\"col\" class=\"n\">{amount}</th></tr></thead>\
<tbody>{rows}</tbody><tfoot><tr><th scope=\"row\" colspan=\"2\">{total}</th>\
<td class=\"n\"><strong>{gross}</strong></td></tr></tfoot></table>\
<p>{purpose_label}: {purpose}</p>\
<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"lang\" value=\"{lang}\">\
<fieldset><legend>{method}</legend>{methods}</fieldset>\
<button type=\"submit\" name=\"action\" value=\"pay\">{pay}</button>\
<button type=\"submit\" name=\"action\" value=\"cancel\">{cancel}</button>\
<button type=\"submit\" name=\"action\" value=\"fail\">{fail}</button></form>\
<p><a href=\"?lang={other_lang}\" lang=\"{other_lang}\" hreflang=\"{other_lang}\">{other_name}</a></p>",
        title = w.title,
        payee_label = w.payee,
        payee = escape(payee),
        items = w.items,
        item = w.item,
        quantity = w.quantity,
        amount = w.amount,
        total = w.total,
        gross = euros_from_cents(r.gros_amount.cents(), w.lang),
        purpose_label = w.purpose,
        purpose = escape(&r.purpose),
        action = escape(action),
        lang = w.lang,
        method = w.method,
        pay = w.pay,
        cancel = w.cancel,
        fail = w.fail,
        other_name = w.other_language,
    );
    document(w, &w.title, &body)
}

/// The page of a transaction that is paid, cancelled or failed already.
pub fn finished(w: &Words, record: &Record) -> String {
    let status = match record.information.status {
        PaymentStatus::Payed => &w.status_paid,
        PaymentStatus::Canceled => &w.status_cancelled,
        _ => &w.status_failed,
    };
    let body = format!(
        "<h1>{}</h1><p>{} <strong>{status}</strong></p><p><a href=\"{}\">{}</a></p>",
        w.done_title,
        w.done,
        escape(&record.request.redirect_url),
        w.back
    );
    document(w, &w.done_title, &body)
}

/// A page that only says what went wrong.
pub fn message(w: &Words, title: &str, text: &str) -> String {
    document(w, title, &format!("<h1>{title}</h1><p>{text}</p>"))
}

fn document(w: &Words, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><link rel=\"stylesheet\" href=\"/pay.css\"></head>\
<body><header><p>{notice}</p></header><main>{body}</main></body></html>",
        lang = w.lang,
        notice = w.notice,
    )
}

/// The payment method a pay button sent, if it is one of the standard's.
pub fn method(value: &str) -> Option<PaymentMethod> {
    match PaymentMethod::parse(value) {
        PaymentMethod::Other(_) => None,
        m => Some(m),
    }
}

/// Escapes text for HTML content and attribute values (`<`, `>`, `&`, `"`, `'`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    pulldown_cmark_escape::escape_html(&mut out, s).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape("<a href=\"x\">Müller & O'Brien</a>"),
            "&lt;a href=&quot;x&quot;&gt;Müller &amp; O&#39;Brien&lt;/a&gt;"
        );
    }

    #[test]
    fn the_page_offers_only_the_standards_payment_methods() {
        let words = crate::words::words(None);
        assert!(words.methods().iter().all(|(m, _)| method(m).is_some()));
        assert!(method("BITCOIN").is_none());
    }
}
