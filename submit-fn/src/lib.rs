//! The Formfabrik submission function: the one moving part of the system. Citizens' data
//! passes through it once: it validates a submission with `form-model` (it has no rules of its
//! own), stores it durably and idempotently, and answers every bad input with a clear status
//! and message.
//!
//! One handler, several front doors:
//! - AWS Lambda behind an API Gateway HTTP API or a Function URL ([`lambda`], binary
//!   `submit-fn` without arguments),
//! - a local HTTP server ([`server`], `submit-fn serve`),
//! - any other server that can hand over an `http::Request<Bytes>`, such as the generator's
//!   `formfabrik serve`:
//!
//! ```no_run
//! # async fn example(registry: form_model::registry::Registry, request: http::Request<bytes::Bytes>) {
//! // Mount under /v1: pass every request below /v1/ through unchanged (the submissions to
//! // /v1/<municipality>/<form> and the confirmation pages at /v1/<municipality>/<form>/danke).
//! let handler = submit_fn::Handler::with_folder_store(registry, "./data");
//! let response: http::Response<bytes::Bytes> = handler.handle(request).await;
//! # }
//! ```
//!
//! The contract with the pages (paths, bodies, answers, error codes, CORS, idempotency) is in
//! `docs/submission-api.md`; the storage layout and what each store guarantees in
//! `docs/storage.md`.

pub mod attach;
pub mod auth;
pub mod clock;
pub mod config;
pub mod decode;
pub mod handler;
pub mod html;
pub mod lambda;
pub mod metrics;
pub mod payment;
pub mod respond;
pub mod route;
pub mod sam_reconcile;
pub mod sam_report;
pub mod sam_secrets;
pub mod sam_template;
pub mod secrets;
pub mod server;

pub use clock::{Clock, FixedClock, IdSource, RandomIds, SystemClock};
pub use handler::{DEFAULT_BODY_LIMIT, Handler, MAX_STAGED_BYTES};
pub use metrics::Stats;
