//! The registry look-up from the form page (docs/identity.md, *Registry look-up*):
//! `POST …/auth/registry?return=<form page>` with the session cookie and the citizen's consent
//! (`consent=yes`, posted by the page's consent form, or by the page script with `Accept:
//! application/json`; a JSON body `{"consent": true}` is read too). The function asks the municipality's registry for the person of the
//! session (family name, given names, complete birth date; the consent time goes along), and
//! keeps what it answered in the sealed registry cookie for the rest of the session. The script
//! gets the address as JSON; a browser without script the form page itself, prefilled.

use bytes::Bytes;
use form_model::messages::{SIGN_IN, fill};
use form_model::registry::RegistryMunicipality;
use http::request::Parts;
use http::{HeaderValue, Response, StatusCode, header};
use identity::registry::{Consent, LookUp, ResidentQuery};
use identity::{RegistryStatement, TrustLevel};
use serde_json::{Map, Value, json};

use super::MunicipalSignIn;
use super::deps::{Deps, page};
use super::prefilled::{prefilled, prefilled_page, return_target};
use crate::decode::{BodyKind, request_body_kind};
use crate::html::WayOn;
use crate::respond::{add_cors, allowed_origin, json_response};
use crate::route::query_param;

/// How a look-up ended, for the page and the logs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Found,
    NotFound,
    Unavailable,
}

impl Outcome {
    fn code(self) -> &'static str {
        match self {
            Outcome::Found => "found",
            Outcome::NotFound => "not-found",
            Outcome::Unavailable => "unavailable",
        }
    }

    fn message_key(self) -> &'static str {
        match self {
            Outcome::Found => "registry-found",
            Outcome::NotFound => "registry-not-found",
            Outcome::Unavailable => "registry-unavailable",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Outcome::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::OK,
        }
    }
}

/// Whether the body says the citizen agreed: `{"consent": true}` or `consent=yes`.
fn consented(kind: &BodyKind, body: &[u8]) -> bool {
    match kind {
        BodyKind::Json => serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.get("consent").and_then(Value::as_bool))
            .unwrap_or(false),
        BodyKind::UrlEncoded => std::str::from_utf8(body)
            .ok()
            .and_then(|b| query_param(Some(b), "consent"))
            .is_some_and(|v| v == "yes"),
        BodyKind::Multipart(_) => false,
    }
}

/// Answers `POST …/auth/registry?return=<form page>`.
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
    // The page script asks for JSON (and posts `consent=yes` as a form, a request that needs no
    // CORS preflight); a browser without script posts the consent form and gets a page.
    let script = matches!(kind, Ok(BodyKind::Json))
        || parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json"));
    let error = |status: StatusCode, code: &str, key: &str, lang: &str, way: WayOn<'_>| {
        if script {
            let message = SIGN_IN.text(key, lang);
            json_response(
                status,
                &json!({ "error": { "code": code, "message": message }, "message": message }),
            )
        } else {
            page(status, lang, key, &[], way)
        }
    };
    let mut r = 'answer: {
        // The page (and so the form and its language) only from the allowlist of published
        // pages; nothing of the input is used but the choice among them.
        let Some((_, form, page_lang)) = return_target(deps, m, parts.uri.query())
            .filter(|(_, f, _)| f.form.registry_questions().next().is_some())
        else {
            break 'answer error(
                StatusCode::BAD_REQUEST,
                "bad-return",
                "sign-in-bad-return",
                lang,
                WayOn::Services(m),
            );
        };
        let lang = page_lang.as_str();
        let way = WayOn::Form(m, &form.form.id);
        let identity = match sign_in.sessions.session(&parts.headers) {
            Ok(s) => s.value.identity,
            Err(_) => {
                break 'answer error(
                    StatusCode::UNAUTHORIZED,
                    "sign-in-needed",
                    "sign-in-needed",
                    lang,
                    way,
                );
            }
        };
        let required = form.form.identity.required().map(TrustLevel::from);
        if required.is_some_and(|r| identity.trust_level < r) {
            break 'answer error(
                StatusCode::FORBIDDEN,
                "trust-level-too-low",
                "sign-in-failed",
                lang,
                way,
            );
        }
        if !kind.as_ref().is_ok_and(|k| consented(k, &body)) {
            tracing::info!(municipality = %m.id, form = %form.form.id, "registry look-up refused: no consent");
            break 'answer error(
                StatusCode::BAD_REQUEST,
                "consent-needed",
                "registry-consent-needed",
                lang,
                way,
            );
        }
        let consent = Consent {
            given_at: sign_in.sessions.now(),
        };
        let found = match (&sign_in.registry, ResidentQuery::for_identity(&identity)) {
            (None, _) => {
                tracing::warn!(municipality = %m.id, "registry look-up asked, but no registry is configured");
                Err(Outcome::Unavailable)
            }
            (Some(_), Err(e)) => {
                tracing::info!(municipality = %m.id, reason = %e, "registry look-up not possible");
                Err(Outcome::NotFound)
            }
            (Some(registry), Ok(query)) => match registry.look_up(&query, consent).await {
                Ok(LookUp::Found {
                    address,
                    registered_since,
                }) => Ok(RegistryStatement {
                    provider: identity.provider.clone(),
                    subject: identity.subject.clone(),
                    address,
                    registered_since,
                    consent_given_at: consent.given_at,
                    looked_up_at: sign_in.sessions.now(),
                }),
                Ok(LookUp::NotFound | LookUp::Ambiguous) => Err(Outcome::NotFound),
                Err(e) => {
                    tracing::error!(municipality = %m.id, error = %e, "the registry cannot be reached");
                    Err(Outcome::Unavailable)
                }
            },
        };
        let outcome = found.as_ref().map_or_else(|o| *o, |_| Outcome::Found);
        tracing::info!(municipality = %m.id, form = %form.form.id, outcome = outcome.code(), "registry looked up");
        let cookie = match &found {
            Ok(statement) => match sign_in.sessions.registry_cookie(statement) {
                Ok(c) => Some(c),
                Err(e) => {
                    tracing::error!(error = %e, "the registry cookie cannot be written");
                    break 'answer error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "registry-unavailable",
                        "registry-unavailable",
                        lang,
                        way,
                    );
                }
            },
            Err(_) => None,
        };
        let message = fill(
            SIGN_IN.text(outcome.message_key(), lang),
            &[("municipality", &m.name)],
        );
        let statement = found.ok();
        let mut r = if script {
            let p = prefilled(form, &identity, statement.as_ref());
            let registry_answers: Map<String, Value> = p
                .answers
                .iter()
                .filter(|(q, _)| p.from_registry.contains(q))
                .map(|(q, v)| (q.clone(), v.clone()))
                .collect();
            let locked: Vec<&String> = p
                .locked
                .iter()
                .filter(|q| p.from_registry.contains(q))
                .collect();
            json_response(
                outcome.status(),
                &json!({
                    "result": outcome.code(),
                    "message": message,
                    "answers": registry_answers,
                    "locked": locked,
                }),
            )
        } else {
            let draft = super::drafts::saved(deps.store, sign_in, form, &identity).await;
            match prefilled_page(
                deps,
                form,
                lang,
                &identity,
                draft,
                statement.as_ref(),
                Some(&message),
            ) {
                Some(mut r) => {
                    *r.status_mut() = outcome.status();
                    r
                }
                None => page(
                    outcome.status(),
                    lang,
                    outcome.message_key(),
                    &[("municipality", &m.name)],
                    way,
                ),
            }
        };
        if let Some(c) = cookie {
            r.headers_mut().append(header::SET_COOKIE, c);
        }
        r
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
