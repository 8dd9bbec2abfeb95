//! Which answers a signed-in citizen's form page is prefilled with ([`prefilled`]: the
//! account's, and the registry's for `registry-address` questions once looked up), which of
//! them are locked, where each submitted one came from ([`sources`]), and the prefilled page
//! for a browser without JavaScript ([`prefilled_page`]) on a page the return URL names
//! ([`return_target`]). Shared by the routes, the registry look-up and the submission check.

use bytes::Bytes;
use form_model::model::ClaimKey;
use form_model::registry::{RegistryIndex, RegistryMunicipality};
use form_model::resolve::ResolvedForm;
use http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use identity::{RegistryStatement, ReturnPolicy, ReturnTarget, VerifiedIdentity};
use serde_json::{Map, Value};
use view::filled::Filled;

use super::MunicipalSignIn;
use super::deps::Deps;
use crate::respond::html_response;
use crate::route::query_param;

/// The answers a form page is prefilled with for a signed-in citizen.
#[derive(Debug, Default)]
pub(crate) struct Prefilled {
    /// Question id → answer.
    pub answers: Map<String, Value>,
    /// The questions the citizen cannot change (a form that requires a level).
    pub locked: Vec<String>,
    /// The questions whose answer is the registry's.
    pub from_registry: Vec<String>,
}

/// What `form`'s `prefill:` takes from `identity`, and from the registry's `statement` when
/// there is one. The registry's address wins over the account's: it is the authority's current
/// record, the account holds what BundID had. The account's address in a `registry-address`
/// question is never locked (it may be outdated, and the citizen may correct it); the
/// registry's is, like every account answer, on a form that requires a level.
pub(crate) fn prefilled(
    form: &ResolvedForm,
    identity: &VerifiedIdentity,
    statement: Option<&RegistryStatement>,
) -> Prefilled {
    let required = form.form.identity.required().is_some();
    let mut p = Prefilled::default();
    for (question, claim) in &form.form.prefill {
        let (value, lockable) = match (claim, statement) {
            (ClaimKey::RegistryAddress, Some(s)) => {
                p.from_registry.push(question.clone());
                (Some(s.address.answer()), true)
            }
            (ClaimKey::RegistryAddress, None) => (identity.prefill_value(*claim), false),
            _ => (identity.prefill_value(*claim), true),
        };
        if let Some(value) = value {
            p.answers.insert(question.clone(), value);
            if required && lockable {
                p.locked.push(question.clone());
            }
        }
    }
    p
}

/// The registry statement the request carries for `identity`'s person (another person's, or
/// one the function did not seal, counts as none).
pub(crate) fn statement(
    sign_in: &MunicipalSignIn,
    headers: &HeaderMap,
    identity: &VerifiedIdentity,
) -> Option<RegistryStatement> {
    sign_in
        .sessions
        .registry_statement(headers)
        .ok()
        .filter(|s| s.is_about(identity))
}

/// Where each prefilled question's submitted answer came from: `registry` (the registry's
/// address, as sealed in the statement), `account` (the account's value), or `typed`.
pub(crate) fn sources(
    form: &ResolvedForm,
    identity: &VerifiedIdentity,
    statement: Option<&RegistryStatement>,
    clean: &Map<String, Value>,
) -> Map<String, Value> {
    let from_registry = prefilled(form, identity, statement);
    form.form
        .prefill
        .iter()
        .filter_map(|(question, claim)| {
            let answer = clean.get(question)?;
            let registry = from_registry.from_registry.contains(question)
                && from_registry
                    .answers
                    .get(question)
                    .is_some_and(|v| same_answer(Some(answer), v));
            let account = identity
                .prefill_value(*claim)
                .is_some_and(|v| same_answer(Some(answer), &v));
            let source = if registry {
                "registry"
            } else if account {
                "account"
            } else {
                "typed"
            };
            Some((question.clone(), Value::String(source.into())))
        })
        .collect()
}

/// Whether a validated answer is the prefilled value: strings as they are, an address by its
/// four parts (validation may add others, such as a country).
pub(crate) fn same_answer(answer: Option<&Value>, prefilled: &Value) -> bool {
    match (answer, prefilled) {
        (Some(Value::Object(a)), Value::Object(b)) => b
            .iter()
            .all(|(k, v)| a.get(k).unwrap_or(&Value::String(String::new())) == v),
        (Some(a), b) => a == b,
        (None, _) => false,
    }
}

/// The published form pages of `m` that offer sign-in, and which one `return=` names.
pub(crate) fn return_target<'a>(
    handler: &'a Deps<'_>,
    m: &RegistryMunicipality,
    query: Option<&str>,
) -> Option<(ReturnTarget, &'a ResolvedForm, String)> {
    let candidate = query_param(query, "return")?;
    let registry = handler.registry();
    // The municipality's forms are parsed here if they were not yet (a few: one municipality's).
    let pages: Vec<(&ResolvedForm, &String, String)> = registry
        .published_forms()
        .filter(|(municipality, _)| *municipality == m.id)
        .filter_map(|(municipality, form)| registry.form(municipality, form))
        .filter(|f| f.form.identity.offers_sign_in())
        .flat_map(|f| {
            f.languages
                .iter()
                .map(move |l| (f, l, m.form_url(&f.form.id, l)))
        })
        .collect();
    let relative = pages
        .iter()
        .filter_map(|(_, _, url)| url.strip_prefix(&m.site_url).map(str::to_string));
    let policy = ReturnPolicy::new(&m.site_url, relative).ok()?;
    let target = policy
        .check(&candidate)
        .map_err(|e| tracing::info!(municipality = %m.id, reason = %e, "return URL refused"))
        .ok()?;
    let (form, lang, _) = pages.into_iter().find(|(_, _, u)| u == target.as_str())?;
    Some((target, form, lang.clone()))
}

/// The form page, prefilled from the account (and the registry's `statement`, with the
/// look-up's `message`), for a browser without JavaScript.
pub(crate) fn prefilled_page(
    handler: &Deps<'_>,
    form: &ResolvedForm,
    lang: &str,
    identity: &VerifiedIdentity,
    draft: Option<Map<String, Value>>,
    statement: Option<&RegistryStatement>,
    message: Option<&str>,
) -> Option<Response<Bytes>> {
    let pages = handler.pages()?;
    // A saved draft first, the account's answers over it (locked ones must be the account's).
    let prefilled = prefilled(form, identity, statement);
    let mut answers = draft.unwrap_or_default();
    answers.extend(prefilled.answers.clone());
    let filled = Filled {
        answers: &answers,
        errors: &[],
        // Nothing answered but the account's data yet: the amount due shows once sent.
        due: None,
    };
    let name = format!("{} {}", identity.given_names, identity.family_name);
    let account = view::account::Account {
        name: &name,
        locked: &prefilled.locked,
        from_registry: &prefilled.from_registry,
        registry_message: message,
    };
    let page = match pages.form_page_signed_in(form, lang, Some(&filled), Some(&account))? {
        Ok(page) => page,
        Err(e) => {
            tracing::error!(error = %e, "the prefilled form page cannot be rendered");
            return None;
        }
    };
    let mut r = html_response(StatusCode::OK, page.html);
    let csp = format!("{}; frame-ancestors 'none'", page.csp);
    if let Ok(v) = HeaderValue::from_str(&csp) {
        r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
    Some(r)
}
