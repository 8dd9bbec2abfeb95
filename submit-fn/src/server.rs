//! The local front door: a small HTTP/1.1 server (hyper) that reads each body up to the limit
//! and hands the request to the same [`Handler`] that runs on Lambda. For one box and for
//! development; put TLS in front of it (a reverse proxy) when it faces the internet.
//!
//! Every request ends: headers must arrive within [`ServerOptions::header_timeout`], the whole
//! body within [`ServerOptions::body_timeout`], and the answer is sent by
//! [`ServerOptions::request_timeout`]. At most [`ServerOptions::max_connections`] connections
//! are served at once (more wait in the listen queue), and the bodies held in memory at once
//! never exceed [`ServerOptions::body_memory`] bytes: a request that finds no room is answered
//! 503 `busy` instead of growing the process. On Lambda, API Gateway does all of this.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{HeaderValue, Request, Response, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::handler::Handler;
use crate::respond::Refusal;

/// Limits of the local server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerOptions {
    /// A client must send its request headers within this.
    pub header_timeout: Duration,
    /// The whole body must have arrived this long after the headers (else 408).
    pub body_timeout: Duration,
    /// The answer must be ready this long after the headers (else 503 with `Retry-After`;
    /// nothing was acknowledged, and a retry with the same id completes what was begun).
    pub request_timeout: Duration,
    /// Connections served at once; more wait in the operating system's listen queue.
    pub max_connections: usize,
    /// Bytes of request bodies held in memory at once, over all connections.
    pub body_memory: usize,
}

impl Default for ServerOptions {
    fn default() -> ServerOptions {
        ServerOptions {
            header_timeout: Duration::from_secs(10),
            // 6 MB at 0.5 Mbit/s (a poor mobile connection) take 96 s.
            body_timeout: Duration::from_secs(120),
            request_timeout: Duration::from_secs(150),
            max_connections: 1024,
            body_memory: 256 * 1024 * 1024,
        }
    }
}

/// The unit in which body memory is counted (semaphore permits are `u32`).
const MEMORY_UNIT: usize = 1024;

/// Serves `handler` on `listener` with the default [`ServerOptions`] until `shutdown`
/// completes; connections that are open then finish their current request.
pub async fn serve(
    listener: TcpListener,
    handler: Arc<Handler>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    serve_with(listener, handler, ServerOptions::default(), shutdown).await
}

/// Serves `handler` on `listener` with `options` until `shutdown` completes.
pub async fn serve_with(
    listener: TcpListener,
    handler: Arc<Handler>,
    options: ServerOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    tokio::pin!(shutdown);
    let connections = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let memory = Arc::new(Semaphore::new(
        (options.body_memory / MEMORY_UNIT).clamp(1, Semaphore::MAX_PERMITS),
    ));
    loop {
        // A free connection slot first: past the limit, clients wait in the listen queue
        // instead of costing memory here.
        let slot = tokio::select! {
            slot = connections.clone().acquire_owned() => slot.expect("never closed"),
            () = &mut shutdown => return Ok(()),
        };
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => accepted?,
            () = &mut shutdown => return Ok(()),
        };
        let handler = handler.clone();
        let memory = memory.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let service = service_fn(move |request: Request<Incoming>| {
                let handler = handler.clone();
                let memory = memory.clone();
                async move {
                    Ok::<_, std::convert::Infallible>(
                        answer_within(&handler, request, &options, &memory).await,
                    )
                }
            });
            let served = http1::Builder::new()
                .timer(TokioTimer::new())
                // A client that never finishes its headers must not hold a connection forever.
                .header_read_timeout(options.header_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(e) = served {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
}

/// How much of an oversized body the server still reads (and throws away) before answering
/// 413, so that the client, which is still sending, gets to see the answer instead of a reset
/// connection. Larger bodies are cut off.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// Reads the body (at most the handler's limit) and answers, with the default options and no
/// memory budget shared with other requests.
pub async fn answer(handler: &Handler, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let options = ServerOptions::default();
    let memory = Semaphore::new(options.body_memory / MEMORY_UNIT);
    answer_within(handler, request, &options, &memory).await
}

/// Reads the body within the body deadline and the memory budget, and answers by the request
/// deadline. Every way this can go wrong is answered by the handler (same headers, code and
/// log line as any other answer), with `Connection: close`.
async fn answer_within(
    handler: &Handler,
    request: Request<Incoming>,
    options: &ServerOptions,
    memory: &Semaphore,
) -> Response<Full<Bytes>> {
    let started = Instant::now();
    let limit = handler.body_limit();
    let (parts, mut body) = request.into_parts();
    let closing = |mut r: Response<Bytes>| {
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        r.map(Full::new)
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let body_deadline = started + options.body_timeout;
    if declared.is_some_and(|n| n > limit as u64) {
        if declared.is_some_and(|n| n <= DRAIN_LIMIT) {
            let _ = tokio::time::timeout_at(body_deadline, drain(&mut body, DRAIN_LIMIT)).await;
        }
        return closing(handler.too_large(&parts));
    }
    let mut bytes = BytesMut::new();
    let mut held: Option<tokio::sync::SemaphorePermit<'_>> = None;
    loop {
        let frame = match tokio::time::timeout_at(body_deadline, body.frame()).await {
            Err(_) => {
                let seconds = options.body_timeout.as_secs();
                return closing(handler.unread(&parts, Refusal::RequestTimeout { seconds }));
            }
            Ok(None) => break,
            Ok(Some(Ok(frame))) => frame,
            Ok(Some(Err(e))) => {
                // Broken chunked encoding or a client that went away mid-body.
                tracing::debug!(error = %e, "request body could not be read");
                return closing(handler.unread(&parts, Refusal::IncompleteBody));
            }
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if bytes.len() + data.len() > limit {
            let _ = tokio::time::timeout_at(body_deadline, drain(&mut body, DRAIN_LIMIT)).await;
            return closing(handler.too_large(&parts));
        }
        // Room in the memory budget for what arrived, or 503: never more bodies in memory
        // than the budget, however many clients send at once.
        let units = (bytes.len() + data.len()).div_ceil(MEMORY_UNIT)
            - held.as_ref().map_or(0, |h| h.num_permits());
        if units > 0 {
            let Ok(more) = memory.try_acquire_many(units as u32) else {
                return closing(handler.unread(&parts, Refusal::Busy));
            };
            match &mut held {
                Some(h) => h.merge(more),
                None => held = Some(more),
            }
        }
        bytes.extend_from_slice(&data);
    }
    let request_deadline = started + options.request_timeout;
    let request = Request::from_parts(parts.clone(), bytes.freeze());
    let answered = tokio::time::timeout_at(request_deadline, handler.handle(request)).await;
    drop(held);
    match answered {
        Ok(response) => response.map(Full::new),
        Err(_) => {
            tracing::error!(
                seconds = options.request_timeout.as_secs(),
                "request took too long; nothing acknowledged"
            );
            closing(handler.unread(&parts, Refusal::StoreUnavailable))
        }
    }
}

/// Reads and discards up to `cap` bytes of what is left of `body`.
async fn drain(body: &mut Incoming, cap: u64) {
    let mut seen: u64 = 0;
    while let Some(Ok(frame)) = body.frame().await {
        if let Some(data) = frame.data_ref() {
            seen += data.len() as u64;
            if seen > cap {
                break;
            }
        }
    }
}
