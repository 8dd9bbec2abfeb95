//! The handler: one async function from an HTTP request to an HTTP response, with everything
//! it depends on injected (registry, store, clock, id source). Lambda, the local server and
//! `formfabrik serve` all call [`Handler::handle`]; none of them adds behaviour of its own.
//!
//! Two endpoints per form ([`crate::route`]):
//! - `POST …/v1/<municipality>/<form>` takes submissions. Order of checks: route (404),
//!   municipality and form (404), CORS preflight, method (405), size (413), content type (415),
//!   decoding (400/413/415), honeypot (dropped), submission id (400), validation by form-model
//!   (422; for a browser form post the form page itself, filled in again with the answers and
//!   the problems at their questions), storage (201 for scripts with what the receipt is made
//!   of in the JSON, 200 with the confirmation page and its receipt button for a browser form
//!   post; 409, 503).
//! - `GET …/v1/<municipality>/<form>/danke?ref=<reference>&lang=<lang>` is the confirmation page
//!   a browser form post is redirected to: without JavaScript the static confirmation page
//!   cannot read the reference from its address, so the function shows it. Route and
//!   municipality and form (404), method (405), reference (400), page (200). It reads nothing
//!   from the store and writes nothing.
//! - `POST …/v1/<municipality>/<form>/receipt`: the receipt PDF, on request ([`receipt`]).
//!
//! Here the handler itself, routing a request to its form and answering; [`pipeline`] takes a
//! submission, [`confirmation`] shows the confirmation page, [`answers`] makes the answers.

mod answers;
mod confirmation;
mod identity;
mod payment;
mod payment_pages;
mod pipeline;
mod receipt;
mod staged;
pub use staged::MAX_STAGED_BYTES;
mod uploads;

pub use uploads::PRESIGN_SEGMENT;

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use form_model::registry::{RegistryMunicipality, ServedRegistry};
use form_model::resolve::ResolvedForm;
use http::request::Parts;
use http::{HeaderValue, Method, Request, Response, header};
use store::crypto::Encryptor;
use store::exclusive::Exclusive;
use store::{FolderStore, Store};
use view::bundle::RemotePages;

use crate::clock::{Clock, IdSource, RandomIds, SystemClock};
use crate::decode::{BodyKind, DecodeError, request_body_kind};
use crate::html::WayOn;
use crate::metrics::{Counters, Outcome, Stats};
use crate::respond::{
    Format, RETRY_AFTER_SECONDS, Refusal, add_cors, negotiate, origin_allowed, pick_language,
    plain_refusal,
};
use crate::route::{Endpoint, Route, route};

/// How many problems a 422 lists (and its log line names); the answer says how many there were.
pub const MAX_REPORTED_ERRORS: usize = 50;

/// The default body limit: 6 MB, what AWS Lambda accepts in a synchronous invocation (which
/// also counts base64 encoding of binary bodies, so on Lambda the real limit for multipart
/// bodies is about 4.5 MB).
pub const DEFAULT_BODY_LIMIT: usize = 6_000_000;

/// The submission function. Cheap to share: wrap it in an `Arc`.
pub struct Handler {
    registry: Arc<ServedRegistry>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    body_limit: usize,
    /// The most bytes one submission's staged files may hold together (`staged`).
    staged_limit: u64,
    counters: Counters,
    /// Per municipality with an `encryption-key`: its encryptor, or why the key is unusable
    /// (then its submissions are refused with 503 rather than stored in plaintext).
    encryptors: std::collections::HashMap<String, Result<Arc<Encryptor>, String>>,
    /// On a store that ignores create-only writes: this process's exclusive right to write
    /// claims, and one lock per id stripe, so no two requests of this process race for an id.
    single: Option<SingleRunner>,
    /// The store is known to never replace an object (it says so, or the start-up probe
    /// showed it): the write protocol skips the reads that guard stores which do
    /// (`store::protocol`, three writes instead of three writes and three reads).
    store_refuses_overwrite: bool,
    /// The form pages of the sites (`function/theme.json`): an invalid browser post is answered
    /// with its form page filled in again. Without them, with the error summary page alone.
    pages: Option<Arc<RemotePages>>,
    /// Sign-in with BundID, for the municipalities that have a broker (`crate::auth`).
    sign_in: Option<Arc<crate::auth::SignIn>>,
    /// The payment platforms (`crate::payment`): forms that require payment are refused
    /// without them.
    payments: Option<Arc<crate::payment::Payments>>,
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
            .field("forms", &self.registry.form_count())
            .field("body_limit", &self.body_limit)
            .finish()
    }
}

impl Handler {
    /// A handler with the system clock, random ids and the default body limit.
    pub fn new(registry: impl Into<ServedRegistry>, store: Arc<dyn Store>) -> Handler {
        let registry: ServedRegistry = registry.into();
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
            store_refuses_overwrite: store.honours_create_only() == Some(true),
            store,
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
            body_limit: DEFAULT_BODY_LIMIT,
            staged_limit: staged::MAX_STAGED_BYTES,
            counters: Counters::default(),
            single: None,
            pages: None,
            sign_in: None,
            payments: None,
        }
    }

    /// Answers an invalid browser form post with the form page itself, rendered from `pages`
    /// (what `config::load_pages` reads from `function/theme.json`), as the site's page is.
    pub fn with_pages(mut self, pages: Arc<RemotePages>) -> Handler {
        self.pages = Some(pages);
        self
    }

    /// Offers sign-in with BundID (`…/v1/<municipality>/auth/…`) and checks the identity of
    /// submissions of forms with sign-in (`crate::auth`).
    pub fn with_sign_in(mut self, sign_in: Arc<crate::auth::SignIn>) -> Handler {
        self.sign_in = Some(sign_in);
        self
    }

    /// Takes payments through the municipalities' platforms (`crate::payment`): a form that
    /// requires payment reaches the back office only once paid.
    pub fn with_payments(mut self, payments: Arc<crate::payment::Payments>) -> Handler {
        self.payments = Some(payments);
        self
    }

    pub fn sign_in(&self) -> Option<&crate::auth::SignIn> {
        self.sign_in.as_deref()
    }

    /// The form pages the function renders, if it has the theme.
    pub fn pages(&self) -> Option<&RemotePages> {
        self.pages.as_deref()
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

    /// The start-up probe (`store::exclusive::write_mode`) found that the store refuses to
    /// replace objects (`If-None-Match`), although the store could not say so itself (an
    /// S3-compatible server): its claims need no guarding reads.
    pub fn with_probed_create_only_store(mut self) -> Handler {
        self.store_refuses_overwrite = true;
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
    pub fn with_folder_store(
        registry: impl Into<ServedRegistry>,
        dir: impl Into<std::path::PathBuf>,
    ) -> Handler {
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

    /// A submission whose directly uploaded files hold more than `bytes` together is refused
    /// with 413 (default [`MAX_STAGED_BYTES`]).
    pub fn with_staged_limit(mut self, bytes: u64) -> Handler {
        self.staged_limit = bytes;
        self
    }

    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    pub fn registry(&self) -> &ServedRegistry {
        &self.registry
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
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
        self.counters.count(outcome);
    }

    /// Resolves the route to a municipality and form, or answers 404.
    fn context<'a>(
        &'a self,
        parts: &'a Parts,
        outcome: &mut Outcome,
    ) -> Result<Ctx<'a>, Box<Response<Bytes>>> {
        let header =
            |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let kind = request_body_kind(&parts.headers);
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
            Endpoint::Submit | Endpoint::Receipt => format,
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
        let form = match self.registry.lookup(m_id, f_id) {
            Some(Ok(form)) => form,
            found => {
                let refusal = match found {
                    // The registry was changed after the build (a form is parsed and hashed on
                    // its first request): never served. 503 as for an unusable key; log says why.
                    Some(Err(e)) => {
                        tracing::error!(error = %e, "form refused: build and deploy the registry again");
                        outcome.outcome = "form-unusable";
                        Refusal::StoreUnavailable
                    }
                    _ => {
                        let refusal = Refusal::UnknownForm {
                            municipality: municipality.name.clone(),
                            form: f_id.to_string(),
                        };
                        outcome.outcome = refusal.code();
                        refusal
                    }
                };
                let mut r = plain_refusal(&refusal, format, &lang, WayOn::Nowhere);
                if let Some(o) = origin {
                    add_cors(&mut r, o);
                }
                return Err(Box::new(r));
            }
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
            headers: &parts.headers,
        })
    }

    async fn answer(&self, parts: &Parts, body: Bytes, outcome: &mut Outcome) -> Response<Bytes> {
        if let Some((municipality, action)) = crate::auth::route(parts.uri.path()) {
            outcome.outcome = "sign-in";
            outcome.municipality = municipality.to_string();
            let deps = crate::auth::Deps {
                registry: &self.registry,
                pages: self.pages.as_deref(),
                sign_in: self.sign_in.as_deref(),
                store: self.store.as_ref(),
                draft_days: self
                    .sign_in
                    .as_ref()
                    .map_or(store::drafts::DEFAULT_DAYS, |s| s.draft_days),
                body_limit: self.body_limit,
            };
            return crate::auth::answer(&deps, parts, municipality, action, body).await;
        }
        if let Some(r) = self.payment_request(parts, outcome).await {
            return r;
        }
        if let Some(r) = self.upload_request(parts, &body, outcome).await {
            return r;
        }
        let mut ctx = match self.context(parts, outcome) {
            Ok(ctx) => ctx,
            Err(r) => return *r,
        };
        let mut response = self.answer_form(parts, body, &mut ctx, outcome).await;
        if let Some(o) = ctx.origin {
            add_cors(&mut response, o);
            // A form with sign-in is sent with the session cookie (`credentials: "include"`).
            if ctx.form.form.identity.offers_sign_in() {
                response.headers_mut().insert(
                    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
            }
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
        match ctx.endpoint {
            Endpoint::Receipt => self.receipt(body, ctx, outcome).await,
            _ => self.submit(body, ctx, outcome).await,
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
    /// The request's headers (the session cookie of a signed-in citizen).
    headers: &'a http::HeaderMap,
}
