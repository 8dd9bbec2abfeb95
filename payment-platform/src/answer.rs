//! The platform's answers: JSON bodies, the standard's problem answers and pages, each with the
//! headers its kind needs.

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use http::{HeaderValue, Response, StatusCode};
use http_body_util::Full;
use url::Url;
use xbezahl::limits::DETAIL_MAX;
use xbezahl::{FunctionalCode, Problem};

/// An HTTP answer with its whole body.
pub(crate) type Answer = Response<Full<Bytes>>;

/// `body` as JSON, labelled `content_type` (`application/json` or `application/problem+json`).
pub(crate) fn json<T: serde::Serialize>(
    status: StatusCode,
    content_type: &'static str,
    body: &T,
) -> Answer {
    let bytes = serde_json::to_vec(body).expect("answers serialise");
    let mut r = Response::new(Full::new(Bytes::from(bytes)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A problem answer within the standard's constraints (the detail brought into its class).
pub(crate) fn problem(status: StatusCode, code: FunctionalCode, detail: &str) -> Answer {
    let p = Problem {
        kind: Some("about:blank".into()),
        status: Some(status.as_u16()),
        title: Some(status.canonical_reason().unwrap_or("Error").into()),
        detail: Some(xbezahl::text::text(detail, DETAIL_MAX)),
        functional_code: Some(code),
    };
    json(status, "application/problem+json", &p)
}

/// A page. Pages run no script and load only the platform's style sheet; the pay page's form
/// may post to the platform, which redirects to the online service (`redirect`).
pub(crate) fn html(status: StatusCode, body: String, redirect: Option<&str>) -> Answer {
    let mut form_action = "'self'".to_owned();
    if let Some(origin) = redirect
        .and_then(|u| Url::parse(u).ok())
        .map(|u| u.origin())
        && origin.is_tuple()
    {
        form_action.push(' ');
        form_action.push_str(&origin.ascii_serialization());
    }
    let csp = format!(
        "default-src 'none'; style-src 'self'; form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    );
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(CONTENT_SECURITY_POLICY, v);
    }
    r
}
