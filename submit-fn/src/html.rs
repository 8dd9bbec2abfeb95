//! The HTML pages a browser form post (without JavaScript) can get back: the error summary for
//! invalid answers, following the GOV.UK error summary pattern, and a plain message page for
//! everything else. Plain HTML5 with `lang` (and `dir="rtl"` for Arabic), one `h1`, landmarks,
//! no script and no style, so they work under a Content-Security-Policy of `default-src 'none'`.

use form_model::registry::RegistryMunicipality;
use form_model::resolve::ResolvedForm;
use form_model::validate::{FieldError, text_in};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

struct Words {
    skip: &'static str,
    check: &'static str,
    problem: &'static str,
    next: &'static str,
    back: &'static str,
    back_short: &'static str,
    reopen: &'static str,
    reopen_note: &'static str,
    form: &'static str,
    error_prefix: &'static str,
    imprint: &'static str,
    privacy: &'static str,
    accessibility: &'static str,
    legal: &'static str,
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
            form: "Form",
            error_prefix: "Error",
            imprint: "Legal notice",
            privacy: "Privacy",
            accessibility: "Accessibility",
            legal: "Legal information",
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
            form: "النموذج",
            error_prefix: "خطأ",
            imprint: "بيانات الناشر",
            privacy: "حماية البيانات",
            accessibility: "إمكانية الوصول",
            legal: "معلومات قانونية",
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
            form: "Formular",
            error_prefix: "Fehler",
            imprint: "Impressum",
            privacy: "Datenschutz",
            accessibility: "Barrierefreiheit",
            legal: "Rechtliches",
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
    format!("f-{}", field.replace('.', "-"))
}

/// The page for invalid answers: an error summary whose entries link to the fields on the form
/// page, and the way back that keeps the citizen's input (the browser's Back button).
pub fn error_summary(
    m: &RegistryMunicipality,
    form: &ResolvedForm,
    lang: &str,
    errors: &[FieldError],
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

/// A page with a heading, a message and, when the form is known, the way back to it.
pub fn message_page(
    lang: &str,
    heading: &str,
    message: &str,
    back: Option<(&RegistryMunicipality, &str)>,
) -> String {
    let w = words(lang);
    let mut main = format!("<h1>{}</h1>\n<p>{}</p>\n", escape(heading), escape(message));
    if let Some((m, form)) = back {
        let url = m.form_url(form, lang);
        main.push_str(&format!(
            "<p>{back}</p>\n<p><a href=\"{url}\">{reopen}</a> {note}</p>\n",
            back = w.back_short,
            url = escape(&url),
            reopen = w.reopen,
            note = w.reopen_note,
        ));
    }
    page(lang, heading, &main, &footer(back.map(|(m, _)| m), lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape("<script>\"&'"), "&lt;script&gt;&quot;&amp;&#39;");
    }

    #[test]
    fn anchors_replace_dots_with_dashes() {
        assert_eq!(field_anchor("anschrift.postcode"), "f-anschrift-postcode");
        assert_eq!(field_anchor("vorname"), "f-vorname");
    }
}
