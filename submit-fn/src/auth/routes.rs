//! The sign-in routes: `login` sends the browser to the broker with the flow cookie,
//! `callback` checks state, issuer, code, PKCE and the ID token through `identity`, sets the
//! session cookie and goes back to the form page (or, for a browser without JavaScript, answers
//! with the form page itself, prefilled), `prefill` gives the page script the prefilled
//! answers with a signed token, `logout` ends the session. Logs name outcomes, never claims.

use std::collections::BTreeMap;

use bytes::Bytes;
use form_model::messages::SIGN_IN;
use form_model::registry::RegistryMunicipality;
use http::request::Parts;
use http::{HeaderValue, Method, Response, StatusCode, header};
use identity::{Callback, IdentityError, PrefillAnswer, TrustLevel};
use serde_json::json;

use super::deps::{Deps, page};
use super::prefilled::{prefilled, prefilled_page, return_target, statement};
use super::{Action, MunicipalSignIn};

use crate::html::{self, WayOn};
use crate::respond::{
    add_cors, allowed_origin, html_response, json_response, pick_language, response,
};
use crate::route::query_param;

/// The context keys the flow cookie carries from login to callback.
const FORM: &str = "form";
const LANG: &str = "lang";
const VIEW: &str = "view";
/// `view=page`: the browser has no script, so the callback answers with the prefilled page.
const PAGE: &str = "page";

/// Answers a request to `…/v1/<municipality>/auth/<action>`.
pub(crate) async fn answer(
    handler: &Deps<'_>,
    parts: &Parts,
    municipality: &str,
    action: Action,
    body: Bytes,
) -> Response<Bytes> {
    let accept_language = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let Some(m) = handler.registry().municipality(municipality) else {
        let lang = pick_language(accept_language, &[]);
        return page(
            StatusCode::NOT_FOUND,
            &lang,
            "sign-in-not-offered",
            &[],
            WayOn::Nowhere,
        );
    };
    let lang = pick_language(accept_language, &m.languages);
    let Some(sign_in) = handler.sign_in().and_then(|s| s.municipality(&m.id)) else {
        return page(
            StatusCode::NOT_FOUND,
            &lang,
            "sign-in-not-offered",
            &[],
            WayOn::Services(m),
        );
    };
    let query = parts.uri.query();
    let mut r = match (action, &parts.method) {
        (Action::Login, &Method::GET) => login(handler, m, sign_in, query, &lang),
        (Action::Callback, &Method::GET) => callback(handler, m, sign_in, parts, &lang).await,
        (Action::Prefill, &Method::GET) => prefill(handler, m, sign_in, parts).await,
        (Action::Registry, &Method::POST) => {
            super::registry::answer(handler, m, sign_in, parts, body, &lang).await
        }
        (Action::Draft, &Method::GET | &Method::POST) => {
            super::drafts::answer(handler, m, sign_in, parts, body, &lang).await
        }
        (Action::Logout, &Method::GET | &Method::POST) => {
            let target = return_target(handler, m, query).map(|(t, _, _)| t);
            let mut r = see_other(
                target
                    .as_ref()
                    .map_or(m.services_url(&lang), |t| t.as_str().to_string()),
            );
            r.headers_mut()
                .append(header::SET_COOKIE, sign_in.sessions.clear_session_cookie());
            r.headers_mut()
                .append(header::SET_COOKIE, sign_in.sessions.clear_registry_cookie());
            tracing::info!(municipality = %m.id, "signed out");
            r
        }
        _ => {
            let mut r = response(StatusCode::METHOD_NOT_ALLOWED, None, Bytes::new());
            let allow = if action == Action::Registry {
                "POST"
            } else {
                "GET"
            };
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
            r
        }
    };
    r.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

fn login(
    handler: &Deps<'_>,
    m: &RegistryMunicipality,
    sign_in: &MunicipalSignIn,
    query: Option<&str>,
    lang: &str,
) -> Response<Bytes> {
    let Some((target, form, page_lang)) = return_target(handler, m, query) else {
        return page(
            StatusCode::BAD_REQUEST,
            lang,
            "sign-in-bad-return",
            &[],
            WayOn::Services(m),
        );
    };
    let mut context = BTreeMap::new();
    context.insert(FORM.to_string(), form.form.id.clone());
    context.insert(LANG.to_string(), page_lang);
    if query_param(query, VIEW).as_deref() == Some(PAGE) {
        context.insert(VIEW.to_string(), PAGE.to_string());
    }
    let required = form.form.identity.required().map(TrustLevel::from);
    let start = sign_in.rp.begin(target, required, context);
    let cookie = match sign_in.sessions.flow_cookie(&start.flow) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "the flow cookie cannot be written");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "sign-in-unavailable",
                &[],
                WayOn::Form(m, &form.form.id),
            );
        }
    };
    tracing::info!(municipality = %m.id, form = %form.form.id, "sign-in started");
    let mut r = see_other(start.authorization_url.to_string());
    r.headers_mut().append(header::SET_COOKIE, cookie);
    r
}

async fn callback(
    handler: &Deps<'_>,
    m: &RegistryMunicipality,
    sign_in: &MunicipalSignIn,
    parts: &Parts,
    lang: &str,
) -> Response<Bytes> {
    let clear_flow = sign_in.sessions.clear_flow_cookie();
    let with_clear = |mut r: Response<Bytes>| {
        r.headers_mut()
            .append(header::SET_COOKIE, clear_flow.clone());
        r
    };
    let flow = match sign_in.sessions.flow(&parts.headers) {
        Ok(flow) => flow,
        Err(e) => {
            tracing::info!(municipality = %m.id, reason = %e, "sign-in callback without a valid flow");
            return with_clear(page(
                StatusCode::BAD_REQUEST,
                lang,
                "sign-in-expired",
                &[],
                WayOn::Services(m),
            ));
        }
    };
    let form_id = flow.context.get(FORM).cloned().unwrap_or_default();
    let lang = flow.context.get(LANG).cloned().unwrap_or(lang.to_string());
    let way_on = WayOn::Form(m, &form_id);
    let finished = match Callback::from_query(parts.uri.query().unwrap_or("")) {
        Ok(cb) => sign_in.rp.finish(&flow, &cb).await,
        Err(e) => Err(e),
    };
    let identity = match finished {
        Ok(identity) => identity,
        Err(IdentityError::Cancelled) => {
            // A page that says so, rather than the form page as if nothing happened: the
            // citizen should know they are not signed in (and, for a form that requires it,
            // that it cannot be sent so).
            tracing::info!(municipality = %m.id, form = %form_id, "sign-in cancelled");
            let key = match handler.registry().form(&m.id, &form_id) {
                Some(f) if f.form.identity.required().is_some() => "sign-in-cancelled-required",
                _ => "sign-in-cancelled",
            };
            let message = SIGN_IN.text(key, &lang);
            return with_clear(html_response(
                StatusCode::OK,
                html::message_page(
                    &lang,
                    SIGN_IN.text("title-cancelled", &lang),
                    message,
                    way_on,
                ),
            ));
        }
        Err(IdentityError::TrustLevelTooLow { required, got }) => {
            tracing::info!(municipality = %m.id, form = %form_id, %required, %got, "sign-in refused: trust level too low");
            let level = level_words(required, &lang);
            return with_clear(page(
                StatusCode::FORBIDDEN,
                &lang,
                "trust-level-too-low",
                &[("level", &level)],
                way_on,
            ));
        }
        Err(IdentityError::Transport(e)) => {
            tracing::error!(municipality = %m.id, error = %e, "the broker cannot be reached");
            return with_clear(page(
                StatusCode::SERVICE_UNAVAILABLE,
                &lang,
                "sign-in-unavailable",
                &[],
                way_on,
            ));
        }
        Err(e) => {
            tracing::warn!(municipality = %m.id, form = %form_id, reason = %e, "sign-in refused");
            return with_clear(page(
                StatusCode::BAD_REQUEST,
                &lang,
                "sign-in-failed",
                &[],
                way_on,
            ));
        }
    };
    let session = match sign_in.sessions.session_cookie(&identity) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "the session cookie cannot be written");
            return with_clear(page(
                StatusCode::SERVICE_UNAVAILABLE,
                &lang,
                "sign-in-unavailable",
                &[],
                way_on,
            ));
        }
    };
    tracing::info!(municipality = %m.id, form = %form_id, trust_level = %identity.trust_level, "signed in");
    let form = handler.registry().form(&m.id, &form_id);
    let prefilled = match (flow.context.get(VIEW).map(String::as_str), form) {
        (Some(PAGE), Some(form)) => {
            let draft = super::drafts::saved(handler.store, sign_in, form, &identity).await;
            prefilled_page(handler, form, &lang, &identity, draft, None, None)
        }
        _ => None,
    };
    let mut r = prefilled.unwrap_or_else(|| see_other(flow.return_to.as_str().to_string()));
    r.headers_mut().append(header::SET_COOKIE, session);
    with_clear(r)
}

/// `GET …/auth/prefill?form=<form>`: the page script's prefill answer (JSON), with the
/// session cookie; readable by the municipality's site with credentials (CORS).
async fn prefill(
    handler: &Deps<'_>,
    m: &RegistryMunicipality,
    sign_in: &MunicipalSignIn,
    parts: &Parts,
) -> Response<Bytes> {
    let origin = allowed_origin(m, &parts.headers);
    let error = |status: StatusCode, code: &str| {
        json_response(status, &json!({ "error": { "code": code } }))
    };
    let form = query_param(parts.uri.query(), FORM)
        .and_then(|f| handler.registry().form(&m.id, &f))
        .filter(|f| f.form.identity.offers_sign_in());
    let mut r = match (form, sign_in.sessions.session(&parts.headers)) {
        (None, _) => error(StatusCode::NOT_FOUND, "unknown-form"),
        (Some(_), Err(_)) => error(StatusCode::UNAUTHORIZED, "sign-in-needed"),
        (Some(form), Ok(session)) => {
            let identity = session.value.identity;
            let required = form.form.identity.required().map(TrustLevel::from);
            if required.is_some_and(|r| identity.trust_level < r) {
                error(StatusCode::FORBIDDEN, "trust-level-too-low")
            } else {
                // After a look-up in this session, the registry's address again.
                let statement = statement(sign_in, &parts.headers, &identity);
                let p = prefilled(form, &identity, statement.as_ref());
                let answer = PrefillAnswer {
                    form: form.form.id.clone(),
                    answers: p.answers,
                    locked: p.locked,
                    trust_level: identity.trust_level,
                };
                // The saved draft comes along, so the page continues where the citizen left.
                let draft = super::drafts::saved(handler.store, sign_in, form, &identity).await;
                match sign_in.sessions.prefill_token(&answer) {
                    Ok(token) => json_response(
                        StatusCode::OK,
                        &json!({
                            "token": token,
                            "answers": answer.answers,
                            "locked": answer.locked,
                            "trust-level": answer.trust_level,
                            "name": format!("{} {}", identity.given_names, identity.family_name),
                            "draft": draft,
                            "from-registry": p.from_registry,
                        }),
                    ),
                    Err(e) => {
                        tracing::error!(error = %e, "the prefill answer cannot be signed");
                        error(StatusCode::SERVICE_UNAVAILABLE, "sign-in-unavailable")
                    }
                }
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

/// The words for a trust level (`level-substantial`, `level-high`).
pub(crate) fn level_words(level: TrustLevel, lang: &str) -> String {
    let key = match level {
        TrustLevel::High => "level-high",
        _ => "level-substantial",
    };
    form_model::messages::SITE.text(key, lang).to_string()
}

fn see_other(location: String) -> Response<Bytes> {
    let mut r = response(StatusCode::SEE_OTHER, None, Bytes::new());
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}
