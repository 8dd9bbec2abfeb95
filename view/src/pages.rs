//! The pages of a site in one language, besides the legal ones: the services index, a form
//! page and its confirmation page per form, and the feedback page.

use std::collections::BTreeMap;
use std::sync::Arc;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;

use form_model::model::FieldType;
use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;

use crate::escape::json_for_script;
use crate::filled::{Filled, fill};
use crate::form_body::FormBody;
use crate::frame::{Frame, Head};
use crate::legal::privacy_notice;
use crate::paths::{CONFIRMATION, FEEDBACK};
use crate::script::{SCRIPT_WORDS, form_parts};
use crate::script_data::script_data;
use crate::theme::{Page, ViewError, template_error};
use crate::{form, markdown, seo};

/// The list of services: every form the site offers, with a filter (`script`).
pub fn index(frame: &Frame, forms: &[&ResolvedForm], script: Option<&str>) -> Page {
    let lang = frame.lang();
    let services: Vec<_> = forms
        .iter()
        .map(|f| {
            let title = text_in(&f.form.title, lang);
            let summary = f
                .form
                .intro
                .as_ref()
                .map(|i| first_sentence(&text_in(i, lang)));
            json!({
                "href": format!("{}/", f.form.id),
                "search": format!("{} {}", title, summary.clone().unwrap_or_default()).to_lowercase(),
                "title": title,
                "summary": summary,
            })
        })
        .collect();
    let head = Head {
        title: frame.t("services-title"),
        description: seo::description(&frame.t("services-intro")),
        indexed: true,
    };
    frame.page(
        "",
        "pages/index.html",
        head,
        script,
        json!({ "services": services, "styles": [frame.site().assets.index] }),
    )
}

/// The page of `form`: every step, the fees, the privacy notice and the data its script
/// (`script`, a variant with the parts [`form_parts`] names) works from. `filled`: what the
/// citizen sent, to show again with the problems found (see [`filled`](crate::filled)).
pub fn form(
    frame: &Frame,
    form: &ResolvedForm,
    script: Option<&str>,
    filled: Option<&Filled>,
) -> Result<Page, ViewError> {
    form_signed_in(frame, form, script, filled, None)
}

/// [`form`] for a citizen signed in with BundID (`account`, see [`crate::account`]): the page
/// says who is signed in, and the answers the account locks are text, not inputs.
pub fn form_signed_in(
    frame: &Frame,
    form: &ResolvedForm,
    script: Option<&str>,
    filled: Option<&Filled>,
    account: Option<&crate::account::Account>,
) -> Result<Page, ViewError> {
    let site = frame.site();
    let lang = frame.lang();
    let t = |k: &str| frame.t(k);
    let f = &form.form;
    let title = text_in(&f.title, lang);
    let rel = format!("{}/", f.id);
    let render = |steps: &[form::StepView]| render_body(frame, steps, &script_data(form, lang));
    let (body, errors) = match filled {
        // The same for every site that publishes this form: rendered once.
        None => (
            frame
                .theme()
                .bodies
                .get_or_render(f, lang, || render(&form::steps(f, lang, &t)))?,
            Vec::new(),
        ),
        Some(filled) => {
            let mut steps = form::steps(f, lang, &t);
            let errors = fill(&mut steps, filled, &t);
            if let Some(account) = account {
                crate::account::lock(&mut steps, account, lang);
            }
            (Arc::new(render(&steps)?), errors)
        }
    };
    // A page with problems says so first in its title, as GOV.UK's pages do.
    let page_title = match errors.is_empty() {
        true => title.clone(),
        false => format!("{} {title}", t("error-prefix")),
    };
    let action = format!("{}/{}/{}", site.endpoint, site.municipality.id, f.id);
    let has_files = f.fields().any(|x| x.kind == FieldType::File);
    let parts = form_parts(f);
    // The words the script shows, of the parts this page's script has.
    let ui: BTreeMap<&str, String> = SCRIPT_WORDS
        .iter()
        .filter(|(part, _)| parts.contains(part))
        .flat_map(|(_, keys)| keys.iter())
        .map(|k| (*k, t(k)))
        .collect();
    let pay_notice = crate::fees::pay_notice(
        f,
        filled.and_then(|x| x.due),
        &site.municipality.name,
        lang,
        &t,
    );
    let description = seo::form_description(f, lang);
    let json_ld = seo::government_service(frame, form, &description);
    let head = Head {
        title: page_title,
        description,
        indexed: true,
    };
    Ok(frame.page(
        &rel,
        "pages/form.html",
        head,
        script,
        json!({
            "form": {
                "id": f.id,
                "title": title,
                "intro_html": f.intro.as_ref().map(|i| markdown::to_html(&text_in(i, lang), 1)),
                "action": action,
                "enctype": if has_files { "multipart/form-data" } else { "application/x-www-form-urlencoded" },
                // Without the script, files go in the post itself: the limit of all of them.
                "files_note": has_files.then(|| t("files-no-script-limit")),
                "confirmation": frame.link_below(&rel, &format!("{CONFIRMATION}/")),
            },
            "step_nav_html": body.step_nav,
            "steps_html": body.steps,
            "errors": errors,
            "fees": crate::fees::table(f, lang, &t),
            "due": filled.and_then(|x| x.due).map(|d| crate::fees::due(f, d, lang)),
            // Paid online before it is passed on (or offered): said at the start and beside the
            // send button; offered, two buttons: pay online after sending, or await a fee notice.
            "pay_notice": pay_notice,
            "pay_choice": pay_notice.is_some() && f.payment == form_model::model::PaymentMode::Optional,
            // The page script shows the amount due (see script::form_parts).
            "due_live": parts.contains("fees"),
            "sign_in": crate::sign_in::sign_in_box(frame, form),
            "account": account.map(crate::account::signed_in),
            "privacy": privacy_notice(site.municipality, form, lang, &t),
            "script_data": body.script_data,
            "ui_data": json_for_script(&json!(ui)),
            "json_ld": json_for_script(&json_ld),
            // Further stylesheets: the search box's, where there is a long list.
            "styles": if parts.contains("combobox") { vec![site.assets.combobox.clone()] } else { vec![] },
        }),
    ))
}

/// Renders `steps` with the fragments `pages/form-step-nav.html` and `pages/form-steps.html`.
fn render_body(
    frame: &Frame,
    steps: &[form::StepView],
    script_data: &serde_json::Value,
) -> Result<FormBody, ViewError> {
    let mut context = tera::Context::new();
    context.insert("steps", steps);
    context.insert("t", frame.strings());
    let render = |name: &str| {
        frame
            .theme()
            .tera()?
            .render(name, &context)
            .map_err(template_error)
    };
    Ok(FormBody {
        step_nav: render("pages/form-step-nav.html")?,
        steps: render("pages/form-steps.html")?,
        script_data: json_for_script(script_data),
    })
}

/// The page a form's script goes to after the function accepted the answers: the reference
/// (which the script reads from the address) and whom to contact.
pub fn confirmation(frame: &Frame, form: &ResolvedForm, script: Option<&str>) -> Page {
    let m = frame.municipality();
    // Only meaningful after sending: not for search results.
    let head = Head {
        title: frame.t("confirmation-title"),
        description: seo::description(&frame.t("confirmation-next-text")),
        indexed: false,
    };
    frame.page(
        &format!("{}/{CONFIRMATION}/", form.form.id),
        "pages/confirmation.html",
        head,
        script,
        json!({
            "form": { "title": text_in(&form.form.title, frame.lang()) },
            "reference_pattern": form_model::record::reference_pattern(&m.id),
            // Where the receipt's button posts what the function answered (docs/receipt.md).
            "receipt_action": format!("{}/{}/{}/receipt", frame.site().endpoint, m.id, form.form.id),
            "styles": [frame.site().assets.confirmation],
        }),
    )
}

/// A message about a submission that is not a form page: the function's pages around a
/// payment (cancelled, failed, not finished, withdrawn). The words come from the caller.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notice {
    pub title: String,
    pub message: String,
    /// The ways on, as buttons.
    pub actions: Vec<NoticeAction>,
    /// Said below the buttons.
    pub note: Option<String>,
}

/// A button of a notice: a form posting to `url`, or a link to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NoticeAction {
    pub label: String,
    pub url: String,
    pub post: bool,
    /// The main way on; the others look secondary.
    pub primary: bool,
}

/// A notice about a submission of `form` (never indexed, no script).
pub fn notice(frame: &Frame, form: &ResolvedForm, notice: &Notice) -> Page {
    let head = Head {
        title: notice.title.clone(),
        description: seo::description(&notice.message),
        indexed: false,
    };
    frame.page(
        &format!("{}/", form.form.id),
        "pages/notice.html",
        head,
        None,
        json!({
            "form": { "title": text_in(&form.form.title, frame.lang()) },
            "notice": notice,
            "styles": [frame.site().assets.confirmation],
        }),
    )
}

/// Characters a `mailto:` subject keeps as they are (RFC 3986's unreserved).
const SUBJECT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How to tell the municipality about a barrier or a problem: a prepared e-mail.
pub fn feedback(frame: &Frame) -> Page {
    let m = frame.municipality();
    let mailto = format!(
        "mailto:{}?subject={}",
        m.contact.email,
        utf8_percent_encode(&frame.t("feedback-email-subject"), SUBJECT)
    );
    let head = Head {
        title: frame.t("feedback"),
        description: seo::description(&frame.t("feedback-intro")),
        indexed: true,
    };
    frame.page(
        &format!("{FEEDBACK}/"),
        "pages/feedback.html",
        head,
        None,
        json!({ "feedback_mailto": mailto }),
    )
}

/// The first sentence of a Markdown text, as plain text, for the services list.
fn first_sentence(markdown: &str) -> String {
    let plain: String = markdown
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace("**", "")
        .replace('*', "");
    match plain.find(". ") {
        Some(i) => plain[..=i].to_string(),
        None => plain,
    }
}
