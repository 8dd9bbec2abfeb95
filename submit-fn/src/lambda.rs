//! The Lambda front door: API Gateway HTTP API (payload 2.0) and Lambda Function URL events,
//! through `lambda_http`, into the same [`Handler`]. Nothing here decides anything; it only
//! converts bodies.
//!
//! `lambda_http` builds the request's URI from the event's `rawPath`, with a named API Gateway
//! stage in front (`/prod/v1/…`; the handler's routes ignore what comes before `/v1`), and its
//! `rawQueryString` unchanged, from which the confirmation page reads `ref` and `lang`. The
//! redirect to that page is relative to the URL the browser posted to, so it needs neither the
//! stage nor the host.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use lambda_http::{Body, Request, Response, service_fn};

use crate::handler::Handler;

/// Answers one Lambda HTTP request.
pub async fn handle(handler: &Handler, request: Request) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let bytes = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bin) => Bytes::from(bin),
        // `Body` is non-exhaustive; a future kind of body is refused as empty input.
        _ => Bytes::new(),
    };
    let response = handler
        .handle(http::Request::from_parts(parts, bytes))
        .await;
    let (parts, body) = response.into_parts();
    // Every answer is UTF-8 text (JSON or HTML), empty, or the receipt's PDF; text bodies reach
    // the client without base64, the PDF always as binary (whatever its bytes happen to be).
    let pdf = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .map(|v| v.as_bytes())
        == Some(crate::respond::PDF.as_bytes());
    let body = if body.is_empty() {
        Body::Empty
    } else if pdf {
        Body::Binary(body.to_vec())
    } else {
        match String::from_utf8(body.to_vec()) {
            Ok(text) => Body::Text(text),
            Err(e) => Body::Binary(e.into_bytes()),
        }
    };
    Response::from_parts(parts, body)
}

/// Runs the Lambda runtime loop until the runtime stops it.
pub async fn run(handler: Arc<Handler>) -> Result<(), lambda_http::Error> {
    lambda_http::run(service_fn(move |request: Request| {
        let handler = handler.clone();
        async move { Ok::<_, Infallible>(handle(&handler, request).await) }
    }))
    .await
}
