//! The legal pages every site has: imprint, privacy (with the Art. 13 DSGVO notice of every
//! form) and the accessibility statement, from the municipality's Markdown and config.

use serde_json::{Value, json};

use form_model::model::{Contact, Municipality};
use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;

use crate::frame::{Frame, Head};
pub use crate::paths::Legal;
use crate::theme::Page;
use crate::{markdown, seo};

/// The legal page `legal` with the municipality's text `markdown` in the frame's language;
/// the privacy page adds the notices of `forms`.
pub fn page(frame: &Frame, legal: Legal, markdown: Option<&str>, forms: &[&ResolvedForm]) -> Page {
    let m = frame.municipality();
    let lang = frame.lang();
    let t = |k: &str| frame.t(k);
    let body_md = markdown.map(strip_first_h1);
    let (body, first) = body_md
        .as_deref()
        .map(|md| markdown::to_html_and_first_paragraph(md, 0))
        .unwrap_or_default();
    // The municipality's first paragraph, or the page's title with the site's name.
    let head = Head {
        title: t(legal.kind()),
        description: seo::description(
            &first.unwrap_or_else(|| format!("{} – {}", t(legal.kind()), m.name)),
        ),
        indexed: true,
    };
    let extra = match legal {
        Legal::Privacy => json!({
            "body_html": body,
            "notices": forms.iter().map(|f| privacy_notice(m, f, lang, &t)).collect::<Vec<_>>(),
        }),
        Legal::Accessibility => json!({
            "body_html": body,
            "notices": [],
            "statement": accessibility_statement(m, lang, &t),
        }),
        Legal::Imprint => json!({ "body_html": body, "notices": [] }),
    };
    frame.page(
        &format!("{}/", legal.slug()),
        "pages/legal.html",
        head,
        None,
        extra,
    )
}

/// The fields of the accessibility statement in the page's language.
fn accessibility_statement(m: &Municipality, lang: &str, t: &dyn Fn(&str) -> String) -> Value {
    let a = &m.accessibility;
    let c = m
        .accessibility
        .feedback_contact
        .as_ref()
        .unwrap_or(&m.contact);
    let date = |iso: &str| statement_date(iso, lang);
    // Each phone number also as its `tel:` link has it (see `crate::frame`'s `site.tel`).
    let tel = |phone: &Option<String>| phone.as_ref().map(|p| p.replace(' ', ""));
    let mut enforcement = serde_json::to_value(&a.enforcement_body).expect("bodies serialize");
    if let (Some(phone), Value::Object(body)) = (tel(&a.enforcement_body.phone), &mut enforcement) {
        body.insert("tel".into(), phone.into());
    }
    json!({
        "status": t(&format!("a11y-status-{}", a.status.key())),
        "non_accessible": a.non_accessible.iter().map(|x| markdown::inline(&text_in(x, lang))).collect::<Vec<_>>(),
        "prepared": t("a11y-prepared").replace("{date}", &date(&a.prepared_on)),
        "reviewed": a.reviewed_on.as_ref().map(|d| t("a11y-reviewed").replace("{date}", &date(d))),
        "method": t(&format!("a11y-method-{}", a.method.key())),
        "feedback": { "name": c.name, "address": c.address, "phone": c.phone, "tel": tel(&c.phone), "email": c.email, "web": c.web },
        "enforcement": enforcement,
    })
}

/// `2026-11-02` as a German page writes it (`2.11.2026`); other languages keep the ISO form.
fn statement_date(iso: &str, lang: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match (lang, parts.as_slice()) {
        ("de", [y, m, d]) => format!(
            "{}.{}.{y}",
            d.trim_start_matches('0'),
            m.trim_start_matches('0')
        ),
        _ => iso.to_string(),
    }
}

/// The Art. 13 DSGVO notice of one form.
pub fn privacy_notice(
    m: &Municipality,
    form: &ResolvedForm,
    lang: &str,
    t: &dyn Fn(&str) -> String,
) -> Value {
    let contact = |x: &Contact| format!("{}, {}, {}", x.name, x.address.join(", "), x.email);
    json!({
        "form_id": form.form.id,
        "title": format!("{}: {}", t("privacy-notice-title"), text_in(&form.form.title, lang)),
        "controller": format!("{}, {}, {}", m.name, m.contact.address.join(", "), m.contact.email),
        "dpo": contact(&m.data_protection_officer),
        "purpose_html": markdown::inline(&text_in(&form.form.purpose, lang)),
        "legal_basis_html": markdown::inline(&text_in(&form.form.legal_basis, lang)),
        "recipients_html": form.form.recipients.as_ref().map(|r| markdown::inline(&text_in(r, lang))),
        "retention": t("privacy-retention-days").replace("{n}", &form.form.retention_days.to_string()),
        "authority": contact(&m.supervisory_authority),
        // Forms with sign-in: what the account gives and where it is kept (docs/identity.md).
        "sign_in": form.form.identity.offers_sign_in().then(|| t("privacy-sign-in-text")),
    })
}

/// The page's h1 comes from the frame; an author's own top heading would be a second one.
fn strip_first_h1(markdown: &str) -> String {
    let mut lines = markdown.lines().skip_while(|l| l.trim().is_empty());
    match lines.clone().next() {
        Some(first) if first.starts_with("# ") => {
            lines.next();
            lines.collect::<Vec<_>>().join("\n")
        }
        _ => markdown.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_german_statement_writes_dates_as_germans_do() {
        assert_eq!(statement_date("2026-11-02", "de"), "2.11.2026");
        assert_eq!(statement_date("2026-11-02", "en"), "2026-11-02");
    }

    #[test]
    fn the_authors_own_top_heading_gives_way_to_the_pages() {
        assert_eq!(strip_first_h1("\n# Impressum\nText"), "Text");
        assert_eq!(strip_first_h1("## Kontakt\nText"), "## Kontakt\nText");
    }
}
