//! The form page's sign-in box for forms with `identity:` (docs/identity.md): what sign-in
//! gives, the level a form requires, and the link to the function's `auth/login`. The link
//! asks for the prefilled page itself (`view=page`), which a browser without JavaScript needs;
//! the page script turns it into a plain return to this page and fetches the prefill answer
//! from `auth/prefill` instead.

use form_model::model::RequiredLevel;
use form_model::resolve::ResolvedForm;
use serde_json::{Value, json};

use crate::frame::{Frame, page_url};

/// The sign-in box's data for the template, or `None` for a form without sign-in.
pub fn sign_in_box(frame: &Frame, form: &ResolvedForm) -> Option<Value> {
    let f = &form.form;
    if !f.identity.offers_sign_in() {
        return None;
    }
    let site = frame.site();
    let m = frame.municipality();
    let lang = frame.lang();
    let page = page_url(&site.address.url, m, lang, &format!("{}/", f.id));
    let auth = format!("{}/{}/auth", site.endpoint, m.id);
    let text = match f.identity.required() {
        None => frame.t("sign-in-optional"),
        Some(level) => {
            let words = frame.t(match level {
                RequiredLevel::Substantial => "level-substantial",
                RequiredLevel::High => "level-high",
            });
            form_model::messages::fill(&frame.t("sign-in-required"), &[("level", &words)])
        }
    };
    Some(json!({
        "login": format!("{auth}/login?return={page}&view=page"),
        "prefill": format!("{auth}/prefill?form={}", f.id),
        "logout": format!("{auth}/logout?return={page}"),
        "draft": format!("{auth}/draft?form={}", f.id),
        "text": text,
        "required": f.identity.required().is_some(),
        // The look-up of the registered address, with the citizen's consent (`registry-address`).
        "registry": f.registry_questions().next().is_some().then(|| json!({
            "action": format!("{auth}/registry?return={page}"),
            "consent": form_model::messages::fill(&frame.t("registry-consent"), &[("municipality", &m.name)]),
        })),
    }))
}
