//! The local front door: a small HTTP/1.1 server (hyper) that reads each body up to the limit
//! and hands the request to the same [`Handler`] that runs on Lambda. For one box and for
//! development; put TLS in front of it (a reverse proxy) when it faces the internet.

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

use crate::handler::Handler;

/// Serves `handler` on `listener` until `shutdown` completes; connections that are open then
/// finish their current request.
pub async fn serve(
    listener: TcpListener,
    handler: Arc<Handler>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => accepted?,
            () = &mut shutdown => return Ok(()),
        };
        let handler = handler.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let handler = handler.clone();
                async move { Ok::<_, std::convert::Infallible>(answer(&handler, request).await) }
            });
            let served = http1::Builder::new()
                .timer(TokioTimer::new())
                // A client that never finishes its headers must not hold a connection forever.
                .header_read_timeout(Duration::from_secs(10))
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

/// Reads the body (at most the handler's limit) and answers.
pub async fn answer(handler: &Handler, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let limit = handler.body_limit();
    let (parts, mut body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = |parts: &http::request::Parts| {
        let mut r = handler.too_large(parts);
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        r.map(Full::new)
    };
    if declared.is_some_and(|n| n > limit as u64) {
        if declared.is_some_and(|n| n <= DRAIN_LIMIT) {
            drain(&mut body, DRAIN_LIMIT).await;
        }
        return too_large(&parts);
    }
    let mut bytes = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                tracing::debug!(error = %e, "request body could not be read");
                // Broken chunked encoding or a client that went away mid-body.
                let mut r = Response::new(Full::new(Bytes::from_static(
                    b"The request body could not be read completely. Please send it again.\n",
                )));
                *r.status_mut() = http::StatusCode::BAD_REQUEST;
                let h = r.headers_mut();
                h.insert(header::CONNECTION, HeaderValue::from_static("close"));
                h.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                return r;
            }
        };
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > limit {
                drain(&mut body, DRAIN_LIMIT).await;
                return too_large(&parts);
            }
            bytes.extend_from_slice(&data);
        }
    }
    handler
        .handle(Request::from_parts(parts, bytes.freeze()))
        .await
        .map(Full::new)
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
