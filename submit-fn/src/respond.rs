//! Answers: which format a client gets (JSON for scripts, HTML and redirects for browsers), in
//! which language, the answers that are not validation results (400, 403, 404, 405, 409, 413,
//! 415, 503) with their stable codes and messages, and the headers every answer carries
//! (CORS for the municipality's site, no caching, a strict Content-Security-Policy).

use bytes::Bytes;
use form_model::messages::{REFUSALS, fill};
use form_model::registry::RegistryMunicipality;
use http::{HeaderValue, Response, StatusCode, header};
use serde_json::{Value, json};

use crate::route::Endpoint;

/// The answer format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
}

/// The `q` the `Accept` header gives `media` (`type/subtype`); the most specific matching entry
/// counts. No header means `*/*`.
pub fn quality(accept: Option<&str>, media: &str) -> f32 {
    let Some(accept) = accept else {
        return 1.0;
    };
    let (major, _) = media.split_once('/').unwrap_or((media, ""));
    let mut best: Option<(u8, f32)> = None;
    for entry in accept.split(',') {
        let mut parts = entry.split(';');
        let range = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let specificity = if range == media {
            2
        } else if range.strip_suffix("/*") == Some(major) {
            1
        } else if range == "*/*" {
            0
        } else {
            continue;
        };
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// JSON or HTML. A browser form post gets HTML (and redirects) unless the request prefers JSON
/// (a script sending `FormData` with `Accept: application/json`); a JSON body gets JSON; any
/// other request gets HTML only when it prefers HTML (a browser opening the URL).
pub fn negotiate(form_post: Option<bool>, accept: Option<&str>) -> Format {
    let json = quality(accept, "application/json");
    let html = quality(accept, "text/html");
    match form_post {
        Some(false) => Format::Json,
        Some(true) if json > html => Format::Json,
        Some(true) => Format::Html,
        None if html > json => Format::Html,
        None => Format::Json,
    }
}

/// The language for an answer before the body says which: the first of `Accept-Language` that
/// the municipality offers, else its first language, else German.
pub fn pick_language(accept_language: Option<&str>, offered: &[String]) -> String {
    let offered: Vec<&str> = if offered.is_empty() {
        // the languages the function's messages are written in
        REFUSALS.languages.to_vec()
    } else {
        offered.iter().map(String::as_str).collect()
    };
    let mut ranked: Vec<(f32, String)> = accept_language
        .unwrap_or("")
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim().to_ascii_lowercase();
            let primary = tag.split('-').next()?.to_string();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((q, primary))
        })
        .filter(|(q, _)| *q > 0.0)
        .collect();
    // Stable: equal q keeps the header's order.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked
        .into_iter()
        .map(|(_, l)| l)
        .find(|l| offered.contains(&l.as_str()))
        .unwrap_or_else(|| offered.first().copied().unwrap_or("de").to_string())
}

/// An answer that is neither a stored submission nor a list of field errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoSuchEndpoint,
    UnknownMunicipality(String),
    UnknownForm {
        municipality: String,
        form: String,
    },
    /// A method the endpoint does not take.
    MethodNotAllowed(Endpoint),
    UnsupportedMediaType,
    UnsupportedCharset,
    PayloadTooLarge {
        limit: usize,
    },
    MalformedJson {
        line: usize,
        column: usize,
    },
    InvalidBody(String),
    NotUtf8,
    MalformedMultipart(String),
    FilesNeedMultipart {
        label: String,
    },
    InvalidFileName {
        label: String,
    },
    InvalidId,
    /// The confirmation page's `ref` is missing or is not a reference of this municipality;
    /// `example` is one in the right shape, `municipality` the name of whom to ask.
    InvalidReference {
        example: String,
        municipality: String,
    },
    OriginNotAllowed,
    IdConflict,
    StoreUnavailable,
    /// A JSON object with a key twice, or a form post with `_id`/`_lang` twice.
    DuplicateKey {
        name: String,
        position: Option<(usize, usize)>,
    },
    /// More names or values than the form's page can send.
    TooManyFields {
        limit: usize,
    },
    /// The body ended before it was complete (broken chunked encoding, a connection that
    /// went away).
    IncompleteBody,
    /// The body did not arrive in time (local server only; on Lambda, API Gateway's limit).
    RequestTimeout {
        seconds: u64,
    },
    /// The local server holds as many request bodies as its memory budget allows.
    Busy,
    /// A receipt request without a record, or with a record or attachment hash that is not one
    /// (says what).
    InvalidReceiptRequest(String),
    /// A receipt request whose record names another municipality or form than the address.
    ReceiptOtherForm,
    /// A receipt request for an id nobody claimed at this municipality.
    ReceiptUnknown,
    /// A receipt request whose record or attachment hashes are not what the claim vouches for.
    ReceiptMismatch,
    /// A receipt that cannot be checked or made as it was: a claim written before receipts were
    /// made on request, or a form changed since the submission.
    ReceiptUnverifiable,
    /// The receipt could not be rendered (logged).
    ReceiptFailed,
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        use Refusal as R;
        match self {
            R::NoSuchEndpoint | R::UnknownMunicipality(_) | R::UnknownForm { .. } => {
                StatusCode::NOT_FOUND
            }
            R::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            R::UnsupportedMediaType | R::UnsupportedCharset => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            R::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            R::MalformedJson { .. }
            | R::InvalidBody(_)
            | R::NotUtf8
            | R::MalformedMultipart(_)
            | R::FilesNeedMultipart { .. }
            | R::InvalidFileName { .. }
            | R::InvalidId
            | R::InvalidReference { .. }
            | R::DuplicateKey { .. }
            | R::TooManyFields { .. }
            | R::IncompleteBody
            | R::InvalidReceiptRequest(_)
            | R::ReceiptOtherForm
            | R::ReceiptMismatch => StatusCode::BAD_REQUEST,
            R::ReceiptUnknown => StatusCode::NOT_FOUND,
            R::ReceiptUnverifiable => StatusCode::GONE,
            R::ReceiptFailed => StatusCode::SERVICE_UNAVAILABLE,
            R::OriginNotAllowed => StatusCode::FORBIDDEN,
            R::IdConflict => StatusCode::CONFLICT,
            R::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            R::StoreUnavailable | R::Busy => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// Stable code (part of the API, listed in docs/submission-api.md).
    pub fn code(&self) -> &'static str {
        use Refusal as R;
        match self {
            R::NoSuchEndpoint => "not-found",
            R::UnknownMunicipality(_) => "unknown-municipality",
            R::UnknownForm { .. } => "unknown-form",
            R::MethodNotAllowed(_) => "method-not-allowed",
            R::UnsupportedMediaType => "unsupported-media-type",
            R::UnsupportedCharset => "unsupported-charset",
            R::PayloadTooLarge { .. } => "payload-too-large",
            R::MalformedJson { .. } => "malformed-json",
            R::InvalidBody(_) => "invalid-body",
            R::NotUtf8 => "not-utf8",
            R::MalformedMultipart(_) => "malformed-multipart",
            R::FilesNeedMultipart { .. } => "files-need-multipart",
            R::InvalidFileName { .. } => "invalid-file-name",
            R::InvalidId => "invalid-id",
            R::InvalidReference { .. } => "invalid-reference",
            R::OriginNotAllowed => "origin-not-allowed",
            R::IdConflict => "id-conflict",
            R::StoreUnavailable => "store-unavailable",
            R::DuplicateKey { .. } => "duplicate-key",
            R::TooManyFields { .. } => "too-many-fields",
            R::IncompleteBody => "incomplete-body",
            R::RequestTimeout { .. } => "request-timeout",
            R::Busy => "busy",
            R::InvalidReceiptRequest(_) => "invalid-receipt-request",
            R::ReceiptOtherForm => "receipt-other-form",
            R::ReceiptUnknown => "receipt-unknown",
            R::ReceiptMismatch => "receipt-mismatch",
            R::ReceiptUnverifiable => "receipt-unverifiable",
            R::ReceiptFailed => "receipt-failed",
        }
    }

    /// The heading of the HTML page.
    pub fn title(&self, lang: &str) -> &'static str {
        REFUSALS.text(self.title_key(), lang)
    }

    /// The heading's key in `refusals.yaml`.
    fn title_key(&self) -> &'static str {
        match self {
            // The confirmation page's refusals are about an address, not about a submission.
            Refusal::InvalidReference { .. } => "title-invalid-reference",
            Refusal::MethodNotAllowed(Endpoint::Confirmation) => "title-confirmation-method",
            Refusal::InvalidReceiptRequest(_)
            | Refusal::ReceiptOtherForm
            | Refusal::ReceiptUnknown
            | Refusal::ReceiptMismatch
            | Refusal::ReceiptUnverifiable
            | Refusal::ReceiptFailed => "title-receipt",
            _ => match self.status() {
                StatusCode::NOT_FOUND => "title-not-found",
                StatusCode::SERVICE_UNAVAILABLE => "title-unavailable",
                _ => "title-not-accepted",
            },
        }
    }

    /// The message's key in `refusals.yaml`: the code, but for a method the confirmation page
    /// does not take.
    fn message_key(&self) -> &'static str {
        match self {
            Refusal::MethodNotAllowed(Endpoint::Confirmation) => "confirmation-method-not-allowed",
            _ => self.code(),
        }
    }

    /// What happened and what to do, in `lang` (German when the messages are not written in
    /// it): form-model's messages, `refusals.yaml`, the key mostly the code.
    pub fn message(&self, lang: &str) -> String {
        use Refusal as R;
        let say = |key: &str, values: &[(&str, &str)]| fill(REFUSALS.text(key, lang), values);
        match self {
            R::UnknownMunicipality(m) => say(self.message_key(), &[("municipality", m)]),
            R::UnknownForm { municipality, form } => say(
                self.message_key(),
                &[("municipality", municipality), ("form", form)],
            ),
            R::PayloadTooLarge { limit } => say(self.message_key(), &[("mb", &format_mb(*limit))]),
            R::MalformedJson { line, column } => say(
                self.message_key(),
                &[("line", &line.to_string()), ("column", &column.to_string())],
            ),
            R::InvalidBody(detail)
            | R::MalformedMultipart(detail)
            | R::InvalidReceiptRequest(detail) => say(self.message_key(), &[("detail", detail)]),
            R::FilesNeedMultipart { label } | R::InvalidFileName { label } => {
                say(self.message_key(), &[("label", label)])
            }
            R::InvalidReference {
                example,
                municipality,
            } => say(
                self.message_key(),
                &[("example", example), ("municipality", municipality)],
            ),
            R::DuplicateKey { name, position } => {
                let at = position.map_or(String::new(), |(line, column)| {
                    say(
                        "duplicate-key-at",
                        &[("line", &line.to_string()), ("column", &column.to_string())],
                    )
                });
                say(self.message_key(), &[("name", name), ("at", &at)])
            }
            R::TooManyFields { limit } => say(self.message_key(), &[("limit", &limit.to_string())]),
            R::RequestTimeout { seconds } => {
                say(self.message_key(), &[("seconds", &seconds.to_string())])
            }
            R::NoSuchEndpoint
            | R::MethodNotAllowed(_)
            | R::UnsupportedMediaType
            | R::UnsupportedCharset
            | R::NotUtf8
            | R::InvalidId
            | R::OriginNotAllowed
            | R::IdConflict
            | R::StoreUnavailable
            | R::IncompleteBody
            | R::Busy
            | R::ReceiptOtherForm
            | R::ReceiptUnknown
            | R::ReceiptMismatch
            | R::ReceiptUnverifiable
            | R::ReceiptFailed => say(self.message_key(), &[]),
        }
    }

    /// `{"error": {"code", "message"}}`
    pub fn json(&self, lang: &str) -> Value {
        json!({ "error": { "code": self.code(), "message": self.message(lang) } })
    }
}

/// `6291456` → `6.3`, `6000000` → `6`.
fn format_mb(bytes: usize) -> String {
    let mb = bytes as f64 / 1_000_000.0;
    if (mb - mb.round()).abs() < 0.05 {
        format!("{}", mb.round() as u64)
    } else {
        format!("{mb:.1}")
    }
}

/// Seconds a client should wait before retrying after a 503.
pub const RETRY_AFTER_SECONDS: u32 = 30;

/// The Content-Security-Policy of every HTML answer: no script, no style, nothing loaded.
pub const HTML_CSP: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The CSP of the function's confirmation page: as every page's, except that its receipt
/// button posts to the function (`…/receipt`).
pub const CONFIRMATION_CSP: &str =
    "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A response with the headers every answer carries.
pub fn response(
    status: StatusCode,
    content_type: Option<&'static str>,
    body: Bytes,
) -> Response<Bytes> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Some(ct) = content_type {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    // Answers hold references and citizens' messages: never cache them.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if content_type == Some(HTML) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(HTML_CSP),
        );
    }
    r
}

pub const JSON: &str = "application/json";
pub const HTML: &str = "text/html; charset=utf-8";
/// The receipt's media type (`handler::receipt`).
pub const PDF: &str = "application/pdf";

pub fn json_response(status: StatusCode, value: &Value) -> Response<Bytes> {
    let body = serde_json::to_vec(value).expect("JSON values serialize");
    response(status, Some(JSON), Bytes::from(body))
}

pub fn html_response(status: StatusCode, page: String) -> Response<Bytes> {
    response(status, Some(HTML), Bytes::from(page))
}

/// `refusal` as JSON or as a message page leading on by `way_on`.
pub(crate) fn plain_refusal(
    refusal: &Refusal,
    format: Format,
    lang: &str,
    way_on: crate::html::WayOn<'_>,
) -> Response<Bytes> {
    match format {
        Format::Json => json_response(refusal.status(), &refusal.json(lang)),
        Format::Html => html_response(
            refusal.status(),
            crate::html::message_page(lang, refusal.title(lang), &refusal.message(lang), way_on),
        ),
    }
}

/// Whether pages at `origin` may read the function's answers for `m`: its `site-origin`, and
/// the origin its pages are served from (the same in production; a local address when the
/// registry was built for local use).
pub fn origin_allowed(m: &RegistryMunicipality, origin: &str) -> bool {
    origin == m.site_origin.trim_end_matches('/') || origin == view::paths::origin_of(&m.site_url)
}

/// The request's `Origin` when it is the municipality's site (the only origin the function
/// answers with CORS headers).
pub fn allowed_origin<'a>(
    m: &RegistryMunicipality,
    headers: &'a http::HeaderMap,
) -> Option<&'a str> {
    headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| origin_allowed(m, o))
}

/// Adds the CORS headers for an allowed `origin`.
pub fn add_cors(response: &mut Response<Bytes>, origin: &str) {
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.append(header::VARY, HeaderValue::from_static("Origin"));
}

#[cfg(test)]
mod tests {
    use super::*;

    const BROWSER: &str =
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";

    #[test]
    fn browsers_get_html_and_scripts_asking_for_json_get_json() {
        assert_eq!(negotiate(Some(true), Some(BROWSER)), Format::Html);
        assert_eq!(negotiate(Some(true), None), Format::Html);
        assert_eq!(
            negotiate(Some(true), Some("application/json")),
            Format::Json
        );
        assert_eq!(negotiate(Some(false), Some(BROWSER)), Format::Json);
        assert_eq!(negotiate(None, Some(BROWSER)), Format::Html);
        assert_eq!(negotiate(None, Some("*/*")), Format::Json);
        assert_eq!(negotiate(None, None), Format::Json);
    }

    #[test]
    fn the_most_specific_accept_entry_decides() {
        assert_eq!(quality(Some("*/*;q=0.1, application/json"), JSON), 1.0);
        assert_eq!(quality(Some("application/*;q=0.5, */*"), JSON), 0.5);
        assert_eq!(quality(Some("text/html"), JSON), 0.0);
    }

    #[test]
    fn language_follows_accept_language_within_what_is_offered() {
        let offered = vec!["de".to_string(), "en".to_string()];
        assert_eq!(pick_language(Some("en-GB,en;q=0.9"), &offered), "en");
        assert_eq!(pick_language(Some("fr, en;q=0.5"), &offered), "en");
        assert_eq!(pick_language(Some("ar"), &offered), "de");
        assert_eq!(pick_language(None, &offered), "de");
        assert_eq!(pick_language(Some("ar"), &[]), "ar");
    }

    /// One refusal of every kind.
    fn every_refusal() -> Vec<Refusal> {
        use Refusal as R;
        let label = || "Foto".to_string();
        vec![
            R::NoSuchEndpoint,
            R::UnknownMunicipality("x".into()),
            R::UnknownForm {
                municipality: "Musterstadt".into(),
                form: "x".into(),
            },
            R::MethodNotAllowed(Endpoint::Submit),
            R::MethodNotAllowed(Endpoint::Confirmation),
            R::UnsupportedMediaType,
            R::UnsupportedCharset,
            R::PayloadTooLarge { limit: 6_000_000 },
            R::MalformedJson { line: 1, column: 2 },
            R::InvalidBody("x".into()),
            R::NotUtf8,
            R::MalformedMultipart("x".into()),
            R::FilesNeedMultipart { label: label() },
            R::InvalidFileName { label: label() },
            R::InvalidId,
            R::InvalidReference {
                example: "MUS-2026-7K3F9Q".into(),
                municipality: "Musterstadt".into(),
            },
            R::OriginNotAllowed,
            R::IdConflict,
            R::StoreUnavailable,
            R::DuplicateKey {
                name: "x".into(),
                position: Some((1, 2)),
            },
            R::TooManyFields { limit: 10 },
            R::IncompleteBody,
            R::RequestTimeout { seconds: 10 },
            R::Busy,
            R::InvalidReceiptRequest("x".into()),
            R::ReceiptOtherForm,
            R::ReceiptUnknown,
            R::ReceiptMismatch,
            R::ReceiptUnverifiable,
            R::ReceiptFailed,
        ]
    }

    #[test]
    fn every_refusal_text_is_used_and_every_refusal_has_its_texts() {
        let mut used: Vec<&str> = every_refusal()
            .iter()
            .flat_map(|r| [r.title_key(), r.message_key()])
            .chain(["duplicate-key-at"])
            .collect();
        used.sort_unstable();
        used.dedup();
        let keys: Vec<&str> = REFUSALS.table().keys().map(String::as_str).collect();
        assert_eq!(keys, used);
        for lang in ["de", "en", "ar", "fr"] {
            for r in every_refusal() {
                let message = r.message(lang);
                assert!(
                    !message.contains("{m") && !message.contains("{l"),
                    "{message}"
                );
            }
        }
        assert_eq!(
            Refusal::DuplicateKey {
                name: "_id".into(),
                position: Some((3, 7))
            }
            .message("de"),
            "„_id“ kommt im Inhalt mehrfach vor (Zeile 3, Spalte 7); welcher Wert gilt, wäre geraten. Bitte senden Sie jeden Namen nur einmal."
        );
        assert_eq!(
            Refusal::InvalidBody("x".into()).message("fr"),
            "Der Inhalt hat nicht die erwartete Form {\"id\", \"language\", \"data\"}: x."
        );
    }

    #[test]
    fn megabytes_are_shown_with_one_decimal_at_most() {
        assert_eq!(format_mb(6_291_456), "6.3");
        assert_eq!(format_mb(6_000_000), "6");
    }
}
