//! The handler: one async function from an HTTP request to an HTTP response, with everything
//! it depends on injected (registry, store, clock, id source). Lambda, the local server and
//! `formfabrik serve` all call [`Handler::handle`]; none of them adds behaviour of its own.
//!
//! Two endpoints per form ([`route`]):
//! - `POST …/v1/<municipality>/<form>` takes submissions. Order of checks: route (404),
//!   municipality and form (404), CORS preflight, method (405), size (413), content type (415),
//!   decoding (400/413/415), honeypot (dropped), submission id (400), validation by form-model
//!   (422; for a browser form post the form page itself, filled in again with the answers and
//!   the problems at their questions), storage (201 for scripts, 303 for a browser form post;
//!   409, 503).
//! - `GET …/v1/<municipality>/<form>/danke?ref=<reference>&lang=<lang>` is the confirmation page
//!   a browser form post is redirected to: without JavaScript the static confirmation page
//!   cannot read the reference from its address, so the function shows it. Route and
//!   municipality and form (404), method (405), reference (400), page (200). It reads nothing
//!   from the store and writes nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use form_model::registry::{Registry, RegistryMunicipality};
use form_model::resolve::ResolvedForm;
use form_model::validate::{FieldError, text_in, validate};
use http::request::Parts;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::attach;
use crate::clock::{Clock, IdSource, RandomIds, SystemClock, german_date};
use crate::decode::{BodyKind, DecodeError, body_kind, decode};
use crate::html::{self, WayOn};
use crate::respond::{
    Format, RETRY_AFTER_SECONDS, Refusal, add_cors, html_response, json_response, negotiate,
    origin_allowed, pick_language, response,
};
use store::crypto::Encryptor;
use store::exclusive::Exclusive;
use store::protocol::{self, WriteError};
use store::{FolderStore, Store, StoreError};
use view::bundle::RemotePages;
use view::filled::Filled;

/// How many problems a 422 lists (and its log line names); the answer says how many there were.
pub const MAX_REPORTED_ERRORS: usize = 50;

/// Whether a path segment is a list entry's number.
fn is_index(segment: &str) -> bool {
    !segment.is_empty() && segment.len() <= 3 && segment.bytes().all(|b| b.is_ascii_digit())
}

/// The default body limit: 6 MB, what AWS Lambda accepts in a synchronous invocation (which
/// also counts base64 encoding of binary bodies, so on Lambda the real limit for multipart
/// bodies is about 4.5 MB).
pub const DEFAULT_BODY_LIMIT: usize = 6_000_000;

/// Counters since start. On Lambda each instance has its own; there the log line's `outcome`
/// field is the metric to count (`outcome = "honeypot"` for dropped bot posts).
#[derive(Debug, Default)]
struct Counters {
    stored: AtomicU64,
    duplicates: AtomicU64,
    invalid: AtomicU64,
    refused: AtomicU64,
    honeypot: AtomicU64,
    store_failures: AtomicU64,
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Submissions stored for the first time.
    pub stored: u64,
    /// Retries answered from an earlier attempt.
    pub duplicates: u64,
    /// Answered 422.
    pub invalid: u64,
    /// Answered 4xx other than 422.
    pub refused: u64,
    /// Bot posts dropped because the honeypot was filled.
    pub honeypot: u64,
    /// Answered 503.
    pub store_failures: u64,
}

/// The submission function. Cheap to share: wrap it in an `Arc`.
pub struct Handler {
    registry: Arc<Registry>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    body_limit: usize,
    counters: Counters,
    /// Per municipality with an `encryption-key`: its encryptor, or why the key is unusable
    /// (then its submissions are refused with 503 rather than stored in plaintext).
    encryptors: std::collections::HashMap<String, Result<Arc<Encryptor>, String>>,
    /// On a store that ignores create-only writes: this process's exclusive right to write
    /// claims, and one lock per id stripe, so no two requests of this process race for an id.
    single: Option<SingleRunner>,
    /// The form pages of the sites (`function/theme.json`): an invalid browser post is answered
    /// with its form page filled in again. Without them, with the error summary page alone.
    pages: Option<Arc<RemotePages>>,
}

/// Single-runner mode (see `store::exclusive`).
struct SingleRunner {
    lock: Arc<Exclusive>,
    stripes: Vec<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handler")
            .field("store", &self.store.describe())
            .field("forms", &self.registry.forms.len())
            .field("body_limit", &self.body_limit)
            .finish()
    }
}

/// What one request came to, for the log line. Holds no submitted value.
#[derive(Debug, Default)]
struct Outcome {
    outcome: &'static str,
    municipality: String,
    form: String,
    id: String,
    reference: String,
    error_codes: String,
    error_fields: String,
}

impl Handler {
    /// A handler with the system clock, random ids and the default body limit.
    pub fn new(registry: Registry, store: Arc<dyn Store>) -> Handler {
        let encryptors = registry
            .municipalities
            .iter()
            .filter_map(|m| {
                let key = m.encryption_key.as_ref()?;
                let encryptor = Encryptor::from_jwk(key)
                    .map(Arc::new)
                    .map_err(|e| format!("encryption key of {}: {e}", m.id));
                Some((m.id.clone(), encryptor))
            })
            .collect();
        Handler {
            encryptors,
            registry: Arc::new(registry),
            store,
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
            body_limit: DEFAULT_BODY_LIMIT,
            counters: Counters::default(),
            single: None,
            pages: None,
        }
    }

    /// Answers an invalid browser form post with the form page itself, rendered from `pages`
    /// (what `config::load_pages` reads from `function/theme.json`), as the site's page is.
    pub fn with_pages(mut self, pages: Arc<RemotePages>) -> Handler {
        self.pages = Some(pages);
        self
    }

    /// Single-runner mode for a store that ignores create-only writes: claims are written only
    /// while `lock` is valid (else 503), and requests of this process for one id wait for each
    /// other. `lock` comes from `store::exclusive::function_runner`.
    pub fn with_single_runner(mut self, lock: Arc<Exclusive>) -> Handler {
        self.single = Some(SingleRunner {
            lock,
            stripes: (0..64).map(|_| tokio::sync::Mutex::new(())).collect(),
        });
        self
    }

    /// Whether the handler runs in single-runner mode.
    pub fn is_single_runner(&self) -> bool {
        self.single.is_some()
    }

    /// Ends single-runner mode's right on the store (at shutdown), so the next process need
    /// not wait for the marker to expire.
    pub async fn release(&self) {
        if let Some(single) = &self.single {
            single.lock.release(self.clock.now()).await;
        }
    }

    /// A handler storing into the folder `dir` (what `formfabrik serve` uses).
    pub fn with_folder_store(registry: Registry, dir: impl Into<std::path::PathBuf>) -> Handler {
        Handler::new(registry, Arc::new(FolderStore::new(dir)))
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Handler {
        self.clock = clock;
        self
    }

    pub fn with_ids(mut self, ids: Arc<dyn IdSource>) -> Handler {
        self.ids = ids;
        self
    }

    /// Bodies above `bytes` are refused with 413.
    pub fn with_body_limit(mut self, bytes: usize) -> Handler {
        self.body_limit = bytes;
        self
    }

    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Stats {
            stored: get(&c.stored),
            duplicates: get(&c.duplicates),
            invalid: get(&c.invalid),
            refused: get(&c.refused),
            honeypot: get(&c.honeypot),
            store_failures: get(&c.store_failures),
        }
    }

    /// Answers one request. Never fails and never panics on input: every problem becomes a
    /// status and a message.
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        let started = Instant::now();
        let (parts, body) = request.into_parts();
        let mut outcome = Outcome::default();
        let response = self.answer(&parts, body, &mut outcome).await;
        self.count(outcome.outcome);
        tracing::info!(
            method = %parts.method,
            status = response.status().as_u16(),
            outcome = outcome.outcome,
            municipality = %outcome.municipality,
            form = %outcome.form,
            id = %outcome.id,
            reference = %outcome.reference,
            error_codes = %outcome.error_codes,
            error_fields = %outcome.error_fields,
            duration_ms = started.elapsed().as_millis() as u64,
            "submission request"
        );
        response
    }

    /// The answer for a request whose body was not read because it is larger than the limit
    /// (the local server stops reading at the limit and calls this).
    pub fn too_large(&self, parts: &Parts) -> Response<Bytes> {
        let limit = self.body_limit;
        self.unread(parts, Refusal::PayloadTooLarge { limit })
    }

    /// The answer for a request whose body could not be read: too large, incomplete, too slow,
    /// or no room for it (the local server calls this). Same headers, format, language, CORS,
    /// code and log line as every other answer.
    pub fn unread(&self, parts: &Parts, refusal: Refusal) -> Response<Bytes> {
        let started = Instant::now();
        let mut outcome = Outcome::default();
        let ctx = self.context(parts, &mut outcome);
        let response = match ctx {
            Ok(ctx) => {
                let retry = matches!(refusal, Refusal::Busy | Refusal::StoreUnavailable);
                let store_failed = refusal == Refusal::StoreUnavailable;
                let mut r = self.refuse(refusal, &ctx, &mut outcome);
                if store_failed {
                    outcome.outcome = "store-failed";
                }
                if retry {
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
                }
                if let Some(o) = ctx.origin {
                    add_cors(&mut r, o);
                }
                r
            }
            Err(r) => *r,
        };
        self.count(outcome.outcome);
        tracing::info!(
            method = %parts.method,
            status = response.status().as_u16(),
            outcome = outcome.outcome,
            municipality = %outcome.municipality,
            form = %outcome.form,
            duration_ms = started.elapsed().as_millis() as u64,
            "submission request"
        );
        response
    }

    fn count(&self, outcome: &str) {
        let c = &self.counters;
        let counter = match outcome {
            "stored" => &c.stored,
            "duplicate" => &c.duplicates,
            "invalid" => &c.invalid,
            "honeypot" => &c.honeypot,
            "store-failed" => &c.store_failures,
            "preflight" | "confirmation" => return,
            _ => &c.refused,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Resolves the route to a municipality and form, or answers 404.
    fn context<'a>(
        &'a self,
        parts: &'a Parts,
        outcome: &mut Outcome,
    ) -> Result<Ctx<'a>, Box<Response<Bytes>>> {
        let header =
            |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let kind = body_kind(
            parts
                .headers
                .get(header::CONTENT_TYPE)
                .map(HeaderValue::as_bytes),
        );
        let format = negotiate(
            kind.as_ref().ok().map(BodyKind::is_form_post),
            header(header::ACCEPT),
        );
        let accept_language = header(header::ACCEPT_LANGUAGE);
        let bare = |refusal: Refusal, outcome: &mut Outcome| {
            let lang = pick_language(accept_language, &[]);
            outcome.outcome = refusal.code();
            plain_refusal(&refusal, format, &lang, WayOn::Nowhere)
        };
        let Some(Route {
            municipality: m_id,
            form: f_id,
            endpoint,
        }) = route(parts.uri.path())
        else {
            return Err(Box::new(bare(Refusal::NoSuchEndpoint, outcome)));
        };
        // The confirmation is a page: whoever opens it gets HTML.
        let format = match endpoint {
            Endpoint::Submit => format,
            Endpoint::Confirmation => Format::Html,
        };
        let Some(municipality) = self.registry.municipality(m_id) else {
            return Err(Box::new(bare(
                Refusal::UnknownMunicipality(m_id.to_string()),
                outcome,
            )));
        };
        outcome.municipality = municipality.id.clone();
        let lang = pick_language(accept_language, &municipality.languages);
        let origin = header(header::ORIGIN).filter(|o| origin_allowed(municipality, o));
        let Some(form) = self.registry.form(m_id, f_id) else {
            let refusal = Refusal::UnknownForm {
                municipality: municipality.name.clone(),
                form: f_id.to_string(),
            };
            outcome.outcome = refusal.code();
            let mut r = plain_refusal(&refusal, format, &lang, WayOn::Nowhere);
            if let Some(o) = origin {
                add_cors(&mut r, o);
            }
            return Err(Box::new(r));
        };
        outcome.form = form.form.id.clone();
        Ok(Ctx {
            municipality,
            form,
            endpoint,
            path_ends_with_slash: parts.uri.path().ends_with('/'),
            format,
            lang,
            origin,
            kind,
        })
    }

    async fn answer(&self, parts: &Parts, body: Bytes, outcome: &mut Outcome) -> Response<Bytes> {
        let mut ctx = match self.context(parts, outcome) {
            Ok(ctx) => ctx,
            Err(r) => return *r,
        };
        let mut response = self.answer_form(parts, body, &mut ctx, outcome).await;
        if let Some(o) = ctx.origin {
            add_cors(&mut response, o);
        }
        response
    }

    async fn answer_form(
        &self,
        parts: &Parts,
        body: Bytes,
        ctx: &mut Ctx<'_>,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        if ctx.endpoint == Endpoint::Confirmation {
            return self.confirmation(parts, ctx, outcome);
        }
        if parts.method == Method::OPTIONS {
            return self.preflight(parts, ctx, outcome);
        }
        if parts.method != Method::POST {
            return self.method_not_allowed(ctx, outcome);
        }
        if body.len() > self.body_limit {
            let limit = self.body_limit;
            return self.refuse(Refusal::PayloadTooLarge { limit }, ctx, outcome);
        }
        let kind = match ctx.kind.clone() {
            Ok(kind) => kind,
            Err(e) => {
                return self.refuse(self.decode_refusal(e, ctx.form, &ctx.lang), ctx, outcome);
            }
        };
        let decoded = match decode(ctx.form, &kind, body, self.body_limit).await {
            Ok(d) => d,
            Err(e) => {
                return self.refuse(self.decode_refusal(e, ctx.form, &ctx.lang), ctx, outcome);
            }
        };
        // From here on, answers are in the language of the page the citizen used.
        if ctx.form.languages.contains(&decoded.submission.language) {
            ctx.lang = decoded.submission.language.clone();
        }
        let now = self.clock.now();
        if decoded.honeypot {
            // Looks like success to the bot; nothing is stored.
            outcome.outcome = "honeypot";
            let fake = self.ids.new_id();
            let reference =
                form_model::record::reference(&ctx.form.municipality.id, now.year(), fake);
            return self.accepted(ctx, fake, &reference, now);
        }
        let id = match decoded.id.as_deref() {
            Some(raw) => match Uuid::try_parse(raw.trim()) {
                Ok(id) if id.get_version() == Some(uuid::Version::Random) => id,
                _ => return self.refuse(Refusal::InvalidId, ctx, outcome),
            },
            None => self.ids.new_id(),
        };
        outcome.id = id.to_string();
        // Files whose bytes are not what they were sent as are refused together with any other
        // problem; only files that answer a validated file question are stored (crate::attach).
        let wrong_contents = attach::check_contents(ctx.form, &decoded.uploads, &ctx.lang);
        let (clean, uploads) = match validate(ctx.form, &decoded.submission, german_date(now)) {
            Ok(clean) if wrong_contents.is_empty() => {
                match attach::attach(ctx.form, &clean, decoded.uploads, &ctx.lang) {
                    Ok(uploads) => (clean, uploads),
                    Err(errors) => {
                        return self.invalid(ctx, &errors, &decoded.submission.data, outcome);
                    }
                }
            }
            Ok(_) => {
                return self.invalid(ctx, &wrong_contents, &decoded.submission.data, outcome);
            }
            Err(mut errors) => {
                errors.extend(wrong_contents);
                return self.invalid(ctx, &errors, &decoded.submission.data, outcome);
            }
        };
        let encryption = match self.encryptors.get(&ctx.municipality.id) {
            None => Ok(None),
            Some(Ok(e)) => Ok(Some(e.as_ref())),
            Some(Err(reason)) => Err(WriteError::Store(StoreError::Unavailable(reason.clone()))),
        };
        // Single-runner mode: only while this process holds the store, one request per id.
        let _serialised = match &self.single {
            None => None,
            Some(single) => {
                if !single.lock.valid_at(self.clock.now()) {
                    tracing::error!(
                        "single-runner mode: the runner marker expired; refusing to write"
                    );
                    let mut r = self.refuse(Refusal::StoreUnavailable, ctx, outcome);
                    outcome.outcome = "store-failed";
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
                    return r;
                }
                let stripe = id.as_u128() as usize % single.stripes.len();
                Some(single.stripes[stripe].lock().await)
            }
        };
        let written = match encryption {
            Ok(encryption) => {
                let submission = protocol::Submission {
                    form: ctx.form,
                    id,
                    language: &decoded.submission.language,
                    data: clean,
                    uploads,
                    encryption,
                };
                protocol::write(self.store.as_ref(), submission, now).await
            }
            Err(e) => Err(e),
        };
        match written {
            Ok(stored) => {
                outcome.outcome = if stored.first { "stored" } else { "duplicate" };
                outcome.reference = stored.reference.clone();
                self.accepted(ctx, stored.id, &stored.reference, stored.received_at)
            }
            Err(WriteError::Conflict(_)) => self.refuse(Refusal::IdConflict, ctx, outcome),
            Err(WriteError::Store(e)) => {
                tracing::error!(
                    error = %e,
                    store = %self.store.describe(),
                    municipality = %ctx.municipality.id,
                    form = %ctx.form.form.id,
                    id = %id,
                    "store failed; nothing acknowledged"
                );
                let mut r = self.refuse(Refusal::StoreUnavailable, ctx, outcome);
                outcome.outcome = "store-failed";
                r.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
                r
            }
        }
    }

    /// The confirmation page for `?ref=<reference>` in `?lang=<lang>` (the form's first
    /// language when it does not offer that one).
    fn confirmation(
        &self,
        parts: &Parts,
        ctx: &mut Ctx<'_>,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        let query = parts.uri.query();
        ctx.lang = query_param(query, "lang")
            .filter(|l| ctx.form.languages.contains(l))
            .or_else(|| ctx.form.languages.first().cloned())
            .unwrap_or_else(|| ctx.lang.clone());
        if parts.method != Method::GET {
            return self.method_not_allowed(ctx, outcome);
        }
        let m = ctx.municipality;
        let Some(reference) =
            query_param(query, "ref").filter(|r| form_model::record::is_reference(&m.id, r))
        else {
            let example = form_model::record::reference(&m.id, self.clock.now().year(), EXAMPLE_ID);
            let refusal = Refusal::InvalidReference {
                example,
                municipality: m.name.clone(),
            };
            return self.refuse(refusal, ctx, outcome);
        };
        outcome.outcome = "confirmation";
        outcome.reference = reference.clone();
        html_response(
            StatusCode::OK,
            html::confirmation_page(m, ctx.form, &ctx.lang, &reference),
        )
    }

    /// 405 with the methods the endpoint takes.
    fn method_not_allowed(&self, ctx: &Ctx<'_>, outcome: &mut Outcome) -> Response<Bytes> {
        let mut r = self.refuse(Refusal::MethodNotAllowed(ctx.endpoint), ctx, outcome);
        r.headers_mut().insert(
            header::ALLOW,
            HeaderValue::from_static(ctx.endpoint.allow()),
        );
        r
    }

    fn preflight(&self, parts: &Parts, ctx: &Ctx<'_>, outcome: &mut Outcome) -> Response<Bytes> {
        let origin = parts
            .headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        if origin.is_some() && ctx.origin.is_none() {
            return self.refuse(Refusal::OriginNotAllowed, ctx, outcome);
        }
        outcome.outcome = "preflight";
        let mut r = response(StatusCode::NO_CONTENT, None, Bytes::new());
        let h = r.headers_mut();
        h.insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
        if ctx.origin.is_some() {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("Content-Type, Accept, Accept-Language"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        }
        r
    }

    fn decode_refusal(&self, e: DecodeError, form: &ResolvedForm, lang: &str) -> Refusal {
        let label = |field: &str| {
            form.field(field)
                .map_or_else(|| field.to_string(), |f| text_in(&f.label, lang))
        };
        match e {
            DecodeError::UnsupportedMediaType => Refusal::UnsupportedMediaType,
            DecodeError::UnsupportedCharset => Refusal::UnsupportedCharset,
            DecodeError::MalformedJson { line, column } => Refusal::MalformedJson { line, column },
            DecodeError::JsonShape(detail) => Refusal::InvalidBody(detail),
            DecodeError::NotUtf8 => Refusal::NotUtf8,
            DecodeError::MalformedMultipart(detail) => Refusal::MalformedMultipart(detail),
            DecodeError::TooLarge => Refusal::PayloadTooLarge {
                limit: self.body_limit,
            },
            DecodeError::FileInJson { field } => Refusal::FilesNeedMultipart {
                label: label(&field),
            },
            DecodeError::BadFileName { field } => Refusal::InvalidFileName {
                label: label(&field),
            },
            DecodeError::Duplicate { name, position } => Refusal::DuplicateKey { name, position },
            DecodeError::TooManyFields { limit } => Refusal::TooManyFields { limit },
        }
    }

    fn refuse(&self, refusal: Refusal, ctx: &Ctx<'_>, outcome: &mut Outcome) -> Response<Bytes> {
        outcome.outcome = refusal.code();
        let way_on = match ctx.endpoint {
            Endpoint::Submit => WayOn::Form(ctx.municipality, &ctx.form.form.id),
            Endpoint::Confirmation => WayOn::Services(ctx.municipality),
        };
        plain_refusal(&refusal, ctx.format, &ctx.lang, way_on)
    }

    /// 422 for `errors` in the answers sent (`answers`, as decoded).
    fn invalid(
        &self,
        ctx: &Ctx<'_>,
        errors: &[FieldError],
        answers: &Map<String, Value>,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        outcome.outcome = "invalid";
        // However many problems a body has, the answer and the log line stay small: the first
        // MAX_REPORTED_ERRORS, and how many there were.
        let total = errors.len();
        let shown = &errors[..total.min(MAX_REPORTED_ERRORS)];
        let more = |list: Vec<String>| {
            let mut joined = list.join(",");
            if total > shown.len() {
                joined.push_str(&format!(",+{}", total - shown.len()));
            }
            joined
        };
        outcome.error_codes = more(
            shown
                .iter()
                .map(|e| {
                    serde_json::to_value(e.code)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default()
                })
                .collect(),
        );
        // Field ids are part of the form, not of the answer; unknown names sent by a client
        // could be anything, so they are not logged.
        outcome.error_fields = more(
            shown
                .iter()
                .map(|e| {
                    let base = e.field.split('.').next().unwrap_or("");
                    let known = (ctx.form.field(base).is_some()
                        && e.field
                            .split('.')
                            .all(|s| ctx.form.form.find(s).is_some() || is_index(s)))
                        || e.field == "language";
                    if known { e.field.clone() } else { "?".into() }
                })
                .collect(),
        );
        match ctx.format {
            Format::Json => json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!({ "errors": shown, "error_count": total }),
            ),
            Format::Html => self
                .form_page_again(ctx, answers, shown)
                .unwrap_or_else(|| {
                    html_response(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        html::error_summary(ctx.municipality, ctx.form, &ctx.lang, shown, total),
                    )
                }),
        }
    }

    /// The form page filled in again with `answers`, the summary of `errors` on top and each
    /// at its question (GOV.UK's answer to an invalid post), with the page's own CSP, which
    /// lets it load its stylesheet and script from the site's origin. `None` without pages, or
    /// when they cannot render this form (then the error summary page answers).
    fn form_page_again(
        &self,
        ctx: &Ctx<'_>,
        answers: &Map<String, Value>,
        errors: &[FieldError],
    ) -> Option<Response<Bytes>> {
        let pages = self.pages.as_ref()?;
        let filled = Filled { answers, errors };
        let page = match pages.form_page(ctx.form, &ctx.lang, Some(&filled)) {
            Some(Ok(page)) => page,
            Some(Err(e)) => {
                tracing::error!(error = %e, "the form page cannot be rendered; answering with the error summary page");
                return None;
            }
            None => {
                tracing::error!(
                    "the theme has no page for this form; answering with the error summary page"
                );
                return None;
            }
        };
        let mut r = html_response(StatusCode::UNPROCESSABLE_ENTITY, page.html);
        // A `<meta>` policy cannot forbid framing; the header adds that to the page's own.
        let csp = format!("{}; frame-ancestors 'none'", page.csp);
        if let Ok(v) = HeaderValue::from_str(&csp) {
            r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
        }
        Some(r)
    }

    fn accepted(
        &self,
        ctx: &Ctx<'_>,
        id: Uuid,
        reference: &str,
        received_at: OffsetDateTime,
    ) -> Response<Bytes> {
        match ctx.format {
            Format::Json => json_response(
                StatusCode::CREATED,
                &json!({
                    "id": id,
                    "reference": reference,
                    "received_at": received_at.format(&Rfc3339).expect("UTC times format"),
                }),
            ),
            Format::Html => {
                let url = confirmation_location(
                    ctx.path_ends_with_slash,
                    &ctx.form.form.id,
                    reference,
                    &ctx.lang,
                );
                let mut r = response(StatusCode::SEE_OTHER, None, Bytes::new());
                if let Ok(v) = HeaderValue::from_str(&url) {
                    r.headers_mut().insert(header::LOCATION, v);
                }
                r
            }
        }
    }
}

/// What the route resolved to, and how to answer.
struct Ctx<'a> {
    municipality: &'a RegistryMunicipality,
    form: &'a ResolvedForm,
    endpoint: Endpoint,
    /// Whether the request's path ended in `/` (`…/<form>/`): relative redirects depend on it.
    path_ends_with_slash: bool,
    format: Format,
    lang: String,
    /// The request's `Origin` when it is allowed to read answers.
    origin: Option<&'a str>,
    kind: Result<BodyKind, DecodeError>,
}

fn plain_refusal(
    refusal: &Refusal,
    format: Format,
    lang: &str,
    way_on: WayOn<'_>,
) -> Response<Bytes> {
    match format {
        Format::Json => json_response(refusal.status(), &refusal.json(lang)),
        Format::Html => html_response(
            refusal.status(),
            html::message_page(lang, refusal.title(lang), &refusal.message(lang), way_on),
        ),
    }
}

/// The last path segment of the confirmation page, as on the static site (`<form>/danke/`).
pub const CONFIRMATION_SEGMENT: &str = "danke";

/// The id the example reference on the invalid-reference page is made from (its code reads
/// `7K3F9Q`, the example the docs use).
const EXAMPLE_ID: Uuid =
    Uuid::from_u128(7 | (19 << 5) | (3 << 10) | (15 << 15) | (9 << 20) | (23 << 25));

/// The confirmation page of the form a browser posted to, as a Location relative to the URL
/// of that post (`./<form>/danke?…` after `…/<form>`, `./danke?…` after `…/<form>/`). Relative,
/// because the function does not know under which prefix the client reached it: an API
/// Gateway stage, a custom domain's base path, `formfabrik serve`'s `/v1` mount.
pub fn confirmation_location(
    path_ends_with_slash: bool,
    form: &str,
    reference: &str,
    lang: &str,
) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // Everything but RFC 3986's unreserved characters.
    const VALUE: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let base = if path_ends_with_slash {
        String::new()
    } else {
        format!("{form}/")
    };
    format!(
        "./{base}{CONFIRMATION_SEGMENT}?ref={}&lang={}",
        utf8_percent_encode(reference, VALUE),
        utf8_percent_encode(lang, VALUE),
    )
}

/// The first value of `name` in a query string (`application/x-www-form-urlencoded`: `+` is a
/// space, `%XX` a byte); `None` when it is missing or not UTF-8.
fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        };
        (decode(key)? == name).then(|| decode(value)).flatten()
    })
}

/// Which of a form's endpoints a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `…/v1/<municipality>/<form>`: submissions.
    Submit,
    /// `…/v1/<municipality>/<form>/danke`: the confirmation page.
    Confirmation,
}

impl Endpoint {
    /// The `Allow` header of a 405.
    pub fn allow(self) -> &'static str {
        match self {
            Endpoint::Submit => "POST, OPTIONS",
            Endpoint::Confirmation => "GET",
        }
    }
}

/// What a path resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route<'a> {
    pub municipality: &'a str,
    pub form: &'a str,
    pub endpoint: Endpoint,
}

/// The endpoint a path names: `…/v1/<municipality>/<form>[/]` or
/// `…/v1/<municipality>/<form>/danke[/]`. Anything before `/v1` (an API Gateway stage, a mount
/// point) must be plain path segments. A path that could be read both ways (only with a prefix
/// ending in a segment `v1` and a form called `danke`) is the confirmation page.
pub fn route(path: &str) -> Option<Route<'_>> {
    let path = path.strip_suffix('/').unwrap_or(path);
    if let Some(form_path) = path
        .strip_suffix(CONFIRMATION_SEGMENT)
        .and_then(|p| p.strip_suffix('/'))
        && let Some((municipality, form)) = submit_route(form_path)
    {
        return Some(Route {
            municipality,
            form,
            endpoint: Endpoint::Confirmation,
        });
    }
    let (municipality, form) = submit_route(path)?;
    Some(Route {
        municipality,
        form,
        endpoint: Endpoint::Submit,
    })
}

/// Municipality and form from `…/v1/<municipality>/<form>` (no trailing slash).
fn submit_route(path: &str) -> Option<(&str, &str)> {
    let mut parts = path.rsplitn(4, '/');
    let form = parts.next()?;
    let municipality = parts.next()?;
    let version = parts.next()?;
    let before = parts.next()?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    };
    let before_ok =
        before.is_empty() || (before.starts_with('/') && before[1..].split('/').all(plain));
    (version == "v1" && before_ok && is_slug(municipality) && is_slug(form))
        .then_some((municipality, form))
}

/// Ids of municipalities and forms: `[a-z][a-z0-9-]*` (as form-model's lint requires).
fn is_slug(s: &str) -> bool {
    s.len() <= 100
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submit(path: &str) -> Option<(&str, &str)> {
        route(path)
            .filter(|r| r.endpoint == Endpoint::Submit)
            .map(|r| (r.municipality, r.form))
    }

    fn confirmation(path: &str) -> Option<(&str, &str)> {
        route(path)
            .filter(|r| r.endpoint == Endpoint::Confirmation)
            .map(|r| (r.municipality, r.form))
    }

    #[test]
    fn routes_accept_only_slugs_after_v1() {
        assert_eq!(
            submit("/v1/musterstadt/hundesteuer-anmeldung"),
            Some(("musterstadt", "hundesteuer-anmeldung"))
        );
        assert_eq!(submit("/v1/m/f/"), Some(("m", "f")));
        assert_eq!(submit("/prod/v1/m/f"), Some(("m", "f")));
        for bad in [
            "/v1/m",
            "/v2/m/f",
            "/v1/../f",
            "/v1/m/..",
            "/v1/M/f",
            "/v1/m%2e/f",
            "/../v1/m/f",
            "v1/m/f",
            "/v1/m/f/x",
            "",
            "/",
        ] {
            assert_eq!(route(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_confirmation_page_is_danke_below_the_form() {
        assert_eq!(
            confirmation("/v1/musterstadt/sperrmuell-anmeldung/danke"),
            Some(("musterstadt", "sperrmuell-anmeldung"))
        );
        assert_eq!(confirmation("/v1/m/f/danke/"), Some(("m", "f")));
        assert_eq!(confirmation("/prod/v1/m/f/danke"), Some(("m", "f")));
        // A form called "danke" is still a form.
        assert_eq!(submit("/v1/m/danke"), Some(("m", "danke")));
        for bad in [
            "/v1/m/danke/danke/x",
            "/v1/m/f/danke/x",
            "/v1/m/f/dankeschoen",
            "/v1/m/fdanke",
            "/v1/m/f//danke",
            "/v1/m/f/DANKE",
            "/v1/m/../danke",
            "/v2/m/f/danke",
            "/v1/danke",
        ] {
            assert_eq!(confirmation(bad), None, "{bad}");
        }
        assert_eq!(route("/v1/m/f/danke/x"), None);
    }

    #[test]
    fn the_redirect_after_a_post_is_relative_to_the_posts_url() {
        assert_eq!(
            confirmation_location(false, "sperrmuell-anmeldung", "MUS-2026-7K3F9Q", "en"),
            "./sperrmuell-anmeldung/danke?ref=MUS-2026-7K3F9Q&lang=en"
        );
        assert_eq!(
            confirmation_location(true, "f", "MUS-2026-7K3F9Q", "de"),
            "./danke?ref=MUS-2026-7K3F9Q&lang=de"
        );
        let example = form_model::record::reference("musterstadt", 2026, EXAMPLE_ID);
        assert_eq!(example, "MUS-2026-7K3F9Q");
    }

    #[test]
    fn query_parameters_are_decoded_and_the_first_one_counts() {
        let q = Some("lang=en&ref=MUS-2026-7K3F9Q&ref=other&x=%3Cb%3E+c&bad=%FF");
        assert_eq!(query_param(q, "ref").as_deref(), Some("MUS-2026-7K3F9Q"));
        assert_eq!(query_param(q, "lang").as_deref(), Some("en"));
        assert_eq!(query_param(q, "x").as_deref(), Some("<b> c"));
        assert_eq!(query_param(q, "bad"), None);
        assert_eq!(query_param(q, "missing"), None);
        assert_eq!(query_param(None, "ref"), None);
        assert_eq!(query_param(Some("ref"), "ref").as_deref(), Some(""));
    }
}
