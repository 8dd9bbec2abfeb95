//! The HTML pages a browser form post (without JavaScript) can get back besides the form page
//! itself (which answers invalid answers when the function has the sites' theme): the error
//! summary for invalid answers without a theme, following the GOV.UK error summary pattern,
//! the confirmation page with the
//! reference (the static confirmation page can only show it with JavaScript), and a plain
//! message page for everything else. Plain HTML5 with `lang` (and `dir="rtl"` for Arabic), one
//! `h1`, landmarks, no script and no style, so they work under a Content-Security-Policy of
//! `default-src 'none'`.

use form_model::model::Contact;
use form_model::registry::RegistryMunicipality;
use form_model::resolve::ResolvedForm;
use form_model::validate::{FieldError, text_in};
// The workspace's one escaper; every attribute value here is double-quoted, as it requires.
use view::escape_html as escape;

/// The pages' fixed texts. Those the static site's pages have too are the site's own texts
/// (site-templates/strings.yaml; a test keeps them equal).
struct Words {
    skip: &'static str,
    check: &'static str,
    problem: &'static str,
    next: &'static str,
    back: &'static str,
    back_short: &'static str,
    reopen: &'static str,
    reopen_note: &'static str,
    /// After the listed problems, when there were more: `{n}` is how many more.
    more: &'static str,
    form: &'static str,
    error_prefix: &'static str,
    imprint: &'static str,
    privacy: &'static str,
    accessibility: &'static str,
    legal: &'static str,
    /// strings.yaml `confirmation-title`
    confirmation_title: &'static str,
    /// strings.yaml `confirmation-reference`
    confirmation_reference: &'static str,
    /// strings.yaml `confirmation-next`
    confirmation_next: &'static str,
    /// strings.yaml `confirmation-next-text`
    confirmation_next_text: &'static str,
    /// strings.yaml `contact`
    contact: &'static str,
    /// strings.yaml `phone`
    phone: &'static str,
    /// strings.yaml `email`
    email: &'static str,
    /// strings.yaml `print-hint`
    print_hint: &'static str,
    /// strings.yaml `home`
    home: &'static str,
}

fn words(lang: &str) -> Words {
    match lang {
        "en" => Words {
            skip: "Skip to main content",
            check: "Please check your answers",
            problem: "There is a problem",
            next: "What to do next",
            back: "Use your browser’s Back button to return to the form. Your answers are kept. Correct the answers listed above and send the form again.",
            back_short: "Use your browser’s Back button to return to the form; your answers are kept.",
            reopen: "Open the form again",
            reopen_note: "(starts empty, without your answers)",
            more: "… and {n} more problems. Correct the ones listed first.",
            form: "Form",
            error_prefix: "Error",
            imprint: "Legal notice",
            privacy: "Privacy",
            accessibility: "Accessibility",
            legal: "Legal information",
            confirmation_title: "Your application has been received",
            confirmation_reference: "Your reference number",
            confirmation_next: "What happens next",
            confirmation_next_text: "The responsible office will process your application and contact you if anything is missing. Please note the reference number: it helps with any questions.",
            contact: "Contact",
            phone: "Phone",
            email: "Email",
            print_hint: "To print, use your browser's print function (Ctrl+P).",
            home: "All online services",
        },
        "ar" => Words {
            skip: "انتقل إلى المحتوى الرئيسي",
            check: "يرجى التحقق من إجاباتك",
            problem: "توجد مشكلة",
            next: "ما العمل الآن",
            back: "استخدم زر الرجوع في متصفحك للعودة إلى النموذج، وستبقى إجاباتك محفوظة. صحّح الإجابات المذكورة أعلاه ثم أرسل النموذج مرة أخرى.",
            back_short: "استخدم زر الرجوع في متصفحك للعودة إلى النموذج، وستبقى إجاباتك محفوظة.",
            reopen: "فتح النموذج من جديد",
            reopen_note: "(يبدأ فارغًا، بدون إجاباتك)",
            more: "… و{n} مشكلات أخرى. صحّح المذكورة أولًا.",
            form: "النموذج",
            error_prefix: "خطأ",
            imprint: "بيانات الناشر",
            privacy: "حماية البيانات",
            accessibility: "إمكانية الوصول",
            legal: "معلومات قانونية",
            confirmation_title: "تم استلام طلبك",
            confirmation_reference: "رقم المعاملة الخاص بك",
            confirmation_next: "ما الخطوة التالية",
            confirmation_next_text: "ستعالج الجهة المختصة طلبك وتتواصل معك إذا كان هناك نقص. يرجى تدوين رقم المعاملة، فهو يساعد في أي استفسار.",
            contact: "التواصل",
            phone: "الهاتف",
            email: "البريد الإلكتروني",
            print_hint: "للطباعة استخدم وظيفة الطباعة في متصفحك (Ctrl+P).",
            home: "جميع الخدمات الإلكترونية",
        },
        _ => Words {
            skip: "Zum Inhalt springen",
            check: "Bitte prüfen Sie Ihre Angaben",
            problem: "Es gibt ein Problem",
            next: "So geht es weiter",
            back: "Gehen Sie mit der Zurück-Taste Ihres Browsers zum Formular zurück. Ihre Eingaben bleiben dabei erhalten. Korrigieren Sie die oben genannten Angaben und senden Sie das Formular erneut ab.",
            back_short: "Gehen Sie mit der Zurück-Taste Ihres Browsers zum Formular zurück; Ihre Eingaben bleiben dabei erhalten.",
            reopen: "Formular neu öffnen",
            reopen_note: "(beginnt leer, ohne Ihre Eingaben)",
            more: "… und {n} weitere Probleme. Korrigieren Sie zuerst die genannten.",
            form: "Formular",
            error_prefix: "Fehler",
            imprint: "Impressum",
            privacy: "Datenschutz",
            accessibility: "Barrierefreiheit",
            legal: "Rechtliches",
            confirmation_title: "Ihr Antrag ist eingegangen",
            confirmation_reference: "Ihre Vorgangsnummer",
            confirmation_next: "Wie es weitergeht",
            confirmation_next_text: "Die zuständige Stelle bearbeitet Ihren Antrag und meldet sich bei Ihnen, wenn etwas fehlt. Bitte notieren Sie die Vorgangsnummer: Sie hilft bei Rückfragen.",
            contact: "Kontakt",
            phone: "Telefon",
            email: "E-Mail",
            print_hint: "Zum Drucken nutzen Sie die Druckfunktion Ihres Browsers (Strg+P).",
            home: "Alle Online-Dienste",
        },
    }
}

fn dir(lang: &str) -> &'static str {
    if ResolvedForm::is_rtl(lang) {
        "rtl"
    } else {
        "ltr"
    }
}

fn page(lang: &str, title: &str, main: &str, footer: &str) -> String {
    let w = words(lang);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n</head>\n<body>\n\
<a href=\"#inhalt\">{skip}</a>\n<main id=\"inhalt\">\n{main}</main>\n{footer}</body>\n</html>\n",
        lang = escape(lang),
        dir = dir(lang),
        title = escape(title),
        skip = w.skip,
    )
}

/// Links to the municipality's legal pages (every page of the site has them).
fn footer(m: Option<&RegistryMunicipality>, lang: &str) -> String {
    let Some(m) = m else {
        return String::new();
    };
    let w = words(lang);
    let base = format!("{}{}", m.site_url, m.lang_prefix(lang));
    format!(
        "<footer>\n<nav aria-label=\"{legal}\">\n<ul>\n\
<li><a href=\"{base}/impressum/\">{imprint}</a></li>\n\
<li><a href=\"{base}/datenschutz/\">{privacy}</a></li>\n\
<li><a href=\"{base}/barrierefreiheit/\">{accessibility}</a></li>\n\
</ul>\n</nav>\n<p>{name}</p>\n</footer>\n",
        legal = w.legal,
        base = escape(&base),
        imprint = w.imprint,
        privacy = w.privacy,
        accessibility = w.accessibility,
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
    let w = words(lang);
    let form_url = m.form_url(&form.form.id, lang);
    let form_title = text_in(&form.form.title, lang);
    let mut items = String::new();
    for e in errors {
        let base = e.field.split('.').next().unwrap_or("");
        // Only answers the form has an input for can be linked to; the rest (an unknown
        // language, a field the form does not have) point at the form.
        let href = if form.field(base).is_some() {
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
            escape(&w.more.replace("{n}", &(total - errors.len()).to_string()))
        ));
    }
    let main = format!(
        "<h1>{check}</h1>\n<p>{form}: {title} – {name}</p>\n\
<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\">\n\
<h2 id=\"error-summary-title\">{problem}</h2>\n<ul>\n{items}</ul>\n</div>\n\
<h2>{next}</h2>\n<p>{back}</p>\n<p><a href=\"{url}\">{reopen}</a> {note}</p>\n",
        check = w.check,
        form = w.form,
        title = escape(&form_title),
        name = escape(&m.name),
        problem = w.problem,
        next = w.next,
        back = w.back,
        url = escape(&form_url),
        reopen = w.reopen,
        note = w.reopen_note,
    );
    let title = format!("{}: {} – {}", w.error_prefix, form_title, m.name);
    page(lang, &title, &main, &footer(Some(m), lang))
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
    let w = words(lang);
    let mut main = format!("<h1>{}</h1>\n<p>{}</p>\n", escape(heading), escape(message));
    let m = match way_on {
        WayOn::Nowhere => None,
        WayOn::Form(m, form) => {
            let url = m.form_url(form, lang);
            main.push_str(&format!(
                "<p>{back}</p>\n<p><a href=\"{url}\">{reopen}</a> {note}</p>\n",
                back = w.back_short,
                url = escape(&url),
                reopen = w.reopen,
                note = w.reopen_note,
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

/// The confirmation page for a stored submission: what the static confirmation page shows
/// with JavaScript (site-templates/pages/confirmation.html), with the reference in the page
/// itself. `reference` must be one the function issued (`form_model::record::is_reference`); it
/// is escaped all the same.
pub fn confirmation_page(
    m: &RegistryMunicipality,
    form: &ResolvedForm,
    lang: &str,
    reference: &str,
) -> String {
    let w = words(lang);
    let form_title = text_in(&form.form.title, lang);
    // The reference is Latin letters and digits; isolated left-to-right so that it reads the
    // same on an Arabic page.
    let main = format!(
        "<h1>{title}</h1>\n<p>{form}: {form_title} – {name}</p>\n\
<p>{label}:</p>\n<p id=\"reference\"><strong dir=\"ltr\">{reference}</strong></p>\n\
<h2>{next}</h2>\n<p>{next_text}</p>\n{contact}<p>{print}</p>\n{services}",
        title = w.confirmation_title,
        form = w.form,
        form_title = escape(&form_title),
        name = escape(&m.name),
        label = w.confirmation_reference,
        reference = escape(reference),
        next = w.confirmation_next,
        next_text = w.confirmation_next_text,
        contact = contact_section(m, lang),
        print = w.print_hint,
        services = services_link(m, lang),
    );
    let title = format!("{} – {} – {}", w.confirmation_title, form_title, m.name);
    page(lang, &title, &main, &footer(Some(m), lang))
}

/// "Contact" with the municipality's office, as the static confirmation page shows it; nothing
/// when the registry has no contact (one written before contacts were added).
fn contact_section(m: &RegistryMunicipality, lang: &str) -> String {
    let Some(c) = &m.contact else {
        return String::new();
    };
    let w = words(lang);
    // Numbers and addresses isolated left-to-right: on an Arabic page "+49 5971 8040-0" would
    // otherwise read "0-8040 5971 49+".
    let phone = c.phone.as_deref().map_or(String::new(), |phone| {
        format!(
            "<br>{label}: <a href=\"tel:{tel}\" dir=\"ltr\">{phone}</a>\n",
            label = w.phone,
            tel = escape(&phone.replace(' ', "")),
            phone = escape(phone),
        )
    });
    format!(
        "<h2>{heading}</h2>\n<address>\n{place}\n{phone}\
<br>{email_label}: <a href=\"mailto:{email}\" dir=\"ltr\">{email}</a>\n</address>\n",
        heading = w.contact,
        place = in_site_language(m, lang, &contact_place(c)),
        email_label = w.email,
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
        home = words(lang).home,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_words_are_the_sites_own_texts_in_every_language() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../site-templates/strings.yaml"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let strings: std::collections::BTreeMap<
            String,
            std::collections::BTreeMap<String, String>,
        > = serde_yaml::from_str(&text).unwrap();
        for lang in crate::respond::MESSAGE_LANGUAGES {
            let w = words(lang);
            for (key, ours) in [
                ("confirmation-title", w.confirmation_title),
                ("confirmation-reference", w.confirmation_reference),
                ("confirmation-next", w.confirmation_next),
                ("confirmation-next-text", w.confirmation_next_text),
                ("contact", w.contact),
                ("phone", w.phone),
                ("email", w.email),
                ("print-hint", w.print_hint),
                ("home", w.home),
                ("skip-link", w.skip),
                ("privacy", w.privacy),
                ("accessibility", w.accessibility),
                ("legal-nav", w.legal),
            ] {
                assert_eq!(
                    Some(ours),
                    strings[key].get(lang).map(String::as_str),
                    "{key} ({lang})"
                );
            }
        }
    }

    #[test]
    fn anchors_replace_dots_with_dashes() {
        assert_eq!(field_anchor("anschrift.postcode"), "f-anschrift-postcode");
        assert_eq!(field_anchor("vorname"), "f-vorname");
    }
}
