//! "Save and come back" for signed-in citizens (docs/identity.md): `…/auth/draft?form=<form>`.
//! `POST` saves the answers so far — JSON `{"data": {…}}` from the page script, or the form
//! itself posted by its "save draft" button without JavaScript (`formaction`) — sealed and
//! stored under a keyed hash of the session's bPK2 and the form (`identity::draft`,
//! `store::drafts`); `GET` gives them back to the page script. Both need a valid session; the
//! prefilled page and the prefill answer carry the draft too, and an accepted submission
//! removes it ([`remove_after_sending`]). Files are not kept in drafts.

use bytes::Bytes;
use form_model::messages::SIGN_IN;
use form_model::registry::RegistryMunicipality;
use form_model::resolve::ResolvedForm;
use http::request::Parts;
use http::{HeaderValue, Method, Response, StatusCode, header};
use identity::VerifiedIdentity;
use serde_json::{Map, Value, json};
use store::Store;
use store::drafts;

use super::MunicipalSignIn;
use super::deps::{Deps, page};
use crate::decode::{BodyKind, decode, request_body_kind};
use crate::html::{self, WayOn};
use crate::respond::{add_cors, allowed_origin, html_response, json_response};
use crate::route::query_param;

/// The store keys the draft of `identity` for `form` may be under (current key first).
fn keys(
    sign_in: &MunicipalSignIn,
    form: &ResolvedForm,
    identity: &VerifiedIdentity,
) -> Vec<String> {
    sign_in
        .sessions
        .draft_names(&form.form.id, &identity.bpk2)
        .iter()
        .map(|name| drafts::draft_key(&form.municipality.id, &form.form.id, name))
        .collect()
}

/// The saved answers of `identity` for `form`, if there is a draft that opens.
pub(crate) async fn saved(
    store: &dyn Store,
    sign_in: &MunicipalSignIn,
    form: &ResolvedForm,
    identity: &VerifiedIdentity,
) -> Option<Map<String, Value>> {
    let found = drafts::load(store, &keys(sign_in, form, identity))
        .await
        .map_err(|e| tracing::error!(error = %e, "a draft cannot be read"))
        .ok()??;
    sign_in
        .sessions
        .open_draft(&form.form.id, &identity.bpk2, &found.1)
        .map_err(|e| tracing::warn!(reason = %e, "a stored draft does not open"))
        .ok()
        .map(|d| d.answers)
}

/// After an accepted submission of `form` by `identity`: its draft is no longer needed.
pub(crate) async fn remove_after_sending(
    store: &dyn Store,
    sign_in: &MunicipalSignIn,
    form: &ResolvedForm,
    identity: &VerifiedIdentity,
) {
    match drafts::remove(store, &keys(sign_in, form, identity)).await {
        Ok(0) => {}
        Ok(_) => tracing::info!(form = %form.form.id, "draft removed after sending"),
        Err(e) => tracing::error!(error = %e, "a draft could not be removed after sending"),
    }
}

/// The answers worth keeping: the form's own questions, no files.
fn keepable(form: &ResolvedForm, data: Map<String, Value>) -> Map<String, Value> {
    data.into_iter()
        .filter(|(id, _)| {
            form.form
                .top_level_field(id)
                .is_some_and(|f| f.kind != form_model::model::FieldType::File)
        })
        .collect()
}

/// Answers `GET` and `POST …/auth/draft?form=<form>`.
pub(crate) async fn answer(
    deps: &Deps<'_>,
    m: &RegistryMunicipality,
    sign_in: &MunicipalSignIn,
    parts: &Parts,
    body: Bytes,
    lang: &str,
) -> Response<Bytes> {
    let origin = allowed_origin(m, &parts.headers);
    let kind = request_body_kind(&parts.headers);
    let browser_post =
        parts.method == Method::POST && kind.as_ref().is_ok_and(BodyKind::is_form_post);
    let error = |status: StatusCode, code: &str| {
        json_response(status, &json!({ "error": { "code": code } }))
    };
    let form = query_param(parts.uri.query(), "form")
        .and_then(|f| deps.registry.form(&m.id, &f))
        .filter(|f| f.form.identity.offers_sign_in());
    let session = sign_in.sessions.session(&parts.headers);
    let mut r = match (form, session) {
        (None, _) => error(StatusCode::NOT_FOUND, "unknown-form"),
        (Some(form), Err(_)) if browser_post => page(
            StatusCode::UNAUTHORIZED,
            lang,
            "sign-in-needed",
            &[],
            WayOn::Form(m, &form.form.id),
        ),
        (Some(_), Err(_)) => error(StatusCode::UNAUTHORIZED, "sign-in-needed"),
        (Some(form), Ok(session)) => {
            let identity = session.value.identity;
            if parts.method == Method::GET {
                match saved(deps.store, sign_in, form, &identity).await {
                    Some(answers) => json_response(StatusCode::OK, &json!({ "answers": answers })),
                    None => error(StatusCode::NOT_FOUND, "no-draft"),
                }
            } else if parts.method == Method::POST {
                save(
                    deps,
                    m,
                    sign_in,
                    form,
                    &identity,
                    kind,
                    body,
                    browser_post,
                    lang,
                )
                .await
            } else {
                let mut r = error(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
                r.headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
                r
            }
        }
    };
    if let Some(o) = origin {
        add_cors(&mut r, o);
        r.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    r
}

#[allow(clippy::too_many_arguments)]
async fn save(
    deps: &Deps<'_>,
    m: &RegistryMunicipality,
    sign_in: &MunicipalSignIn,
    form: &ResolvedForm,
    identity: &VerifiedIdentity,
    kind: Result<BodyKind, crate::decode::DecodeError>,
    body: Bytes,
    browser_post: bool,
    lang: &str,
) -> Response<Bytes> {
    let bad = |code: &str| {
        json_response(
            StatusCode::BAD_REQUEST,
            &json!({ "error": { "code": code } }),
        )
    };
    // The answers, and the page's language (the words of the answer follow the page).
    let (data, page_lang) = match kind {
        Ok(BodyKind::Json) => match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(mut o)) => match o.remove("data") {
                Some(Value::Object(d)) => {
                    let l = o.get("language").and_then(Value::as_str).map(String::from);
                    (d, l)
                }
                _ => return bad("malformed-draft"),
            },
            _ => return bad("malformed-draft"),
        },
        Ok(kind) => match decode(form, &kind, body, deps.body_limit).await {
            Ok(decoded) => (decoded.submission.data, Some(decoded.submission.language)),
            Err(_) => return bad("malformed-draft"),
        },
        Err(_) => return bad("unsupported-media-type"),
    };
    let lang = page_lang
        .filter(|l| m.languages.contains(l))
        .unwrap_or_else(|| lang.to_string());
    let lang = lang.as_str();
    let answers = keepable(form, data);
    let stored =
        match sign_in
            .sessions
            .seal_draft(&form.form.id, &identity.bpk2, answers, deps.draft_days)
        {
            Ok(sealed) => {
                let key = keys(sign_in, form, identity).remove(0);
                drafts::save(deps.store, &key, &sealed)
                    .await
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
    if let Err(e) = stored {
        tracing::error!(error = %e, "a draft cannot be saved");
        return json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "error": { "code": "draft-not-saved" } }),
        );
    }
    tracing::info!(form = %form.form.id, "draft saved");
    let days = deps.draft_days.to_string();
    let message = form_model::messages::fill(SIGN_IN.text("draft-saved", lang), &[("days", &days)]);
    if browser_post {
        html_response(
            StatusCode::OK,
            html::message_page(
                lang,
                SIGN_IN.text("title-draft-saved", lang),
                &message,
                WayOn::Form(m, &form.form.id),
            ),
        )
    } else {
        json_response(
            StatusCode::OK,
            &json!({ "saved": true, "message": message }),
        )
    }
}
