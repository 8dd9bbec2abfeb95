//! Outgoing HTTP for the identity code: discovery, JWKS, the token endpoint, the registry.
//!
//! One small [`Transport`] trait, implemented over the hyper + hyper-rustls (aws-lc-rs, system
//! roots) stack the workspace already links for the AWS SDK, rather than a second HTTP client.
//! It follows no redirects (an OpenID provider's endpoints never need them, and following one
//! could carry a code or secret elsewhere), stops after a timeout, reads at most
//! [`MAX_BODY`] bytes, and speaks plain HTTP only to loopback addresses (the local test
//! provider and registry). Tests wrap it to see or change what goes over the wire.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use thiserror::Error;
use url::Url;

/// Largest response body read (discovery documents and JWKS are a few kilobytes).
pub const MAX_BODY: usize = 512 * 1024;

pub type HttpRequest = Request<Vec<u8>>;
pub type HttpResponse = Response<Vec<u8>>;
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'a>>;

/// Sends one HTTP request and reads the whole response.
pub trait Transport: Send + Sync {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_>;
}

/// Why a request got no response.
#[derive(Debug, Error)]
pub enum TransportError {
    #[error("{url}: plain HTTP is only allowed to loopback addresses")]
    Insecure { url: String },
    #[error("{url}: not an absolute http(s) URL")]
    BadUrl { url: String },
    #[error("{url}: no response within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    #[error("{url}: {message}")]
    Failed { url: String, message: String },
    #[error("{url}: the response is larger than {MAX_BODY} bytes")]
    TooLarge { url: String },
    #[error("the system's TLS root certificates could not be loaded: {0}")]
    Roots(String),
}

/// Whether `url` may be fetched over plain HTTP.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// HTTPS (and loopback HTTP) over hyper and rustls.
#[derive(Clone)]
pub struct HttpsTransport {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl HttpsTransport {
    /// A transport that trusts the system's root certificates.
    pub fn new() -> Result<Self, TransportError> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| TransportError::Roots(e.to_string()))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(HttpsTransport {
            client: Client::builder(TokioExecutor::new()).build(connector),
            timeout: Duration::from_secs(10),
        })
    }

    /// The same with another timeout per request.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl Transport for HttpsTransport {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_> {
        Box::pin(async move {
            let url = request.uri().to_string();
            let parsed =
                Url::parse(&url).map_err(|_| TransportError::BadUrl { url: url.clone() })?;
            match parsed.scheme() {
                "https" => {}
                "http" if is_loopback(&parsed) => {}
                "http" => return Err(TransportError::Insecure { url }),
                _ => return Err(TransportError::BadUrl { url }),
            }
            let (parts, body) = request.into_parts();
            let request = Request::from_parts(parts, Full::new(Bytes::from(body)));
            let exchange = async {
                let response =
                    self.client
                        .request(request)
                        .await
                        .map_err(|e| TransportError::Failed {
                            url: url.clone(),
                            message: error_chain(&e),
                        })?;
                let (parts, body) = response.into_parts();
                let body = Limited::new(body, MAX_BODY)
                    .collect()
                    .await
                    .map_err(|e| {
                        if e.is::<http_body_util::LengthLimitError>() {
                            TransportError::TooLarge { url: url.clone() }
                        } else {
                            TransportError::Failed {
                                url: url.clone(),
                                message: e.to_string(),
                            }
                        }
                    })?
                    .to_bytes();
                Ok(Response::from_parts(parts, body.to_vec()))
            };
            tokio::time::timeout(self.timeout, exchange)
                .await
                .map_err(|_| TransportError::Timeout {
                    url: url.clone(),
                    seconds: self.timeout.as_secs(),
                })?
        })
    }
}

/// An error in words with its causes, outermost first (`a: b: c`).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_count_as_loopback() {
        for (url, want) in [
            ("http://127.0.0.1:8080/", true),
            ("http://127.8.9.1/", true),
            ("http://[::1]:9/", true),
            ("http://localhost/", true),
            ("http://localhost.evil.example/", false),
            ("http://10.0.0.1/", false),
            ("http://id.example/", false),
        ] {
            assert_eq!(is_loopback(&Url::parse(url).unwrap()), want, "{url}");
        }
    }

    #[tokio::test]
    async fn plain_http_to_another_host_is_refused_before_connecting() {
        let t = HttpsTransport::new().unwrap();
        let err = t
            .send(
                Request::get("http://id.example/.well-known/openid-configuration")
                    .body(Vec::new())
                    .unwrap(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, TransportError::Insecure { .. }), "{err}");
    }
}
