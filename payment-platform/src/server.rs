//! The platform's HTTP side: a plain listener (OAuth2, Basic, the pay page) and optionally an
//! mTLS listener (client certificates), and the routing of requests to the API ([`crate::api`])
//! and to the pay page's handlers ([`crate::pay`]). [`start`] binds and returns a [`Platform`]
//! handle with the URLs it listens on.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;
use xbezahl::FunctionalCode;

use crate::answer::{Answer, problem};
use crate::config::{Config, ConfigError, Credential, MtlsListener};
use crate::ledger::{Ledger, LedgerError};
use crate::page;
use crate::pki::fingerprint;
use crate::state::{Connection, Shared, lock};

/// Requests larger than this are refused; a payment request of 99 items is far smaller.
const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the payment platform configuration is invalid: {0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("the payment platform cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the mTLS listener cannot be set up: {0}")]
    Tls(String),
}

/// A running platform. Dropping it stops the listeners; [`Platform::stop`] also waits for them.
pub struct Platform {
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Binds the listeners (port 0 picks free ports) and serves until the handle is stopped or
/// dropped.
pub async fn start(config: Config) -> Result<Platform, StartError> {
    config.check()?;
    let ledger = Ledger::open(config.state_file.as_deref())?;
    let bind = |addr: SocketAddr| async move {
        TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })
    };
    let plain = bind(config.listen).await?;
    let base = listener_url("http", &plain)?;
    let mut tls = None;
    if let Some(m) = &config.mtls {
        let listener = bind(m.listen).await?;
        let url = listener_url("https", &listener)?;
        tls = Some((listener, tls_acceptor(m)?, url));
    }
    let (shutdown, stopped) = watch::channel(false);
    let shared = Arc::new(Shared {
        config,
        ledger: Mutex::new(ledger),
        tokens: Mutex::default(),
        token_requests: AtomicU64::new(0),
        base: base.clone(),
        mtls_base: tls.as_ref().map(|t| t.2.clone()),
    });
    let mut tasks = vec![tokio::spawn(accept_plain(
        plain,
        shared.clone(),
        stopped.clone(),
    ))];
    if let Some((listener, acceptor, _)) = tls {
        tasks.push(tokio::spawn(accept_tls(
            listener,
            acceptor,
            shared.clone(),
            stopped,
        )));
    }
    tracing::info!(url = %base, mtls = ?shared.mtls_base.as_ref().map(Url::as_str), "payment platform listening");
    Ok(Platform {
        shared,
        shutdown,
        tasks,
    })
}

impl Platform {
    /// Where the API, the token endpoint (`oauth/token`) and the pay pages are.
    pub fn base_url(&self) -> &Url {
        &self.shared.base
    }

    /// Where the mTLS listener is, if configured.
    pub fn mtls_base_url(&self) -> Option<&Url> {
        self.shared.mtls_base.as_ref()
    }

    /// How many token requests arrived (answered or refused).
    pub fn token_requests(&self) -> u64 {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    /// Forgets every issued access token, as a platform restart or a revocation would.
    pub fn revoke_tokens(&self) {
        lock(&self.shared.tokens).clear();
    }

    /// Stops listening and waits until the listeners are closed.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        for task in std::mem::take(&mut self.tasks) {
            let _ = task.await;
        }
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

fn listener_url(scheme: &str, listener: &TcpListener) -> Result<Url, StartError> {
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        source,
    })?;
    Ok(Url::parse(&format!("{scheme}://{addr}/")).expect("a socket address makes a URL"))
}

fn tls_acceptor(m: &MtlsListener) -> Result<tokio_rustls::TlsAcceptor, StartError> {
    let tls = |what: &str, e: &dyn std::fmt::Display| StartError::Tls(format!("{what}: {e}"));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(m.client_ca.read()?.as_bytes()) {
        let cert = cert.map_err(|e| tls("client-ca", &e))?;
        roots.add(cert).map_err(|e| tls("client-ca", &e))?;
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .map_err(|e| tls("client-ca", &e))?;
    let chain = CertificateDer::pem_slice_iter(m.certificate.read()?.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls("certificate", &e))?;
    let key = PrivateKeyDer::from_pem_slice(m.private_key.read()?.as_bytes())
        .map_err(|e| tls("private-key", &e))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls("protocol versions", &e))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| tls("certificate", &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Accepts connections until `stop` changes and hands each to `on_connection`.
async fn accept(
    listener: TcpListener,
    mut stop: watch::Receiver<bool>,
    on_connection: impl Fn(tokio::net::TcpStream),
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => on_connection(stream),
                Err(e) => tracing::warn!(error = %e, "accept failed"),
            },
            _ = stop.changed() => return,
        }
    }
}

async fn accept_plain(listener: TcpListener, shared: Arc<Shared>, stop: watch::Receiver<bool>) {
    accept(listener, stop, |stream| {
        let connection = Connection {
            base: shared.base.clone(),
            certificate_client: None,
        };
        tokio::spawn(serve(stream, shared.clone(), connection));
    })
    .await;
}

async fn accept_tls(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) {
    accept(listener, stop, |stream| {
        let acceptor = acceptor.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            let handshake = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
            let tls = match handshake.await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::info!(error = %e, "TLS handshake refused");
                    return;
                }
                Err(_) => return,
            };
            let presented = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .map(|c| fingerprint(c.as_ref()));
            let certificate_client = presented.as_deref().and_then(|sha| {
                shared.config.clients.iter().position(|c| {
                    matches!(&c.credential, Credential::Certificate { sha256 } if sha256.eq_ignore_ascii_case(sha))
                })
            });
            let connection = Connection {
                base: shared.mtls_base.clone().expect("an mTLS listener has a URL"),
                certificate_client,
            };
            serve(tls, shared, connection).await;
        });
    })
    .await;
}

async fn serve<I>(io: I, shared: Arc<Shared>, connection: Connection)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request: Request<Incoming>| {
        let shared = shared.clone();
        let connection = connection.clone();
        async move { Ok::<_, Infallible>(handle(&shared, &connection, request).await) }
    });
    let served = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .serve_connection(TokioIo::new(io), service)
        .await;
    if let Err(e) = served {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

async fn handle(shared: &Shared, connection: &Connection, request: Request<Incoming>) -> Answer {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                FunctionalCode::ValidationError,
                "The request body is larger than 1 MiB or could not be read",
            );
        }
    };
    let path = parts.uri.path().trim_start_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let query = parts.uri.query().unwrap_or("");
    match (&parts.method, segments.as_slice()) {
        (&Method::POST, ["oauth", "token"]) => shared.token(&parts.headers, &body),
        (&Method::POST, ["paymenttransaction", o, e]) => {
            shared.create(connection, &parts.headers, o, e, &body)
        }
        (&Method::GET, ["paymenttransaction", o, e, t]) => {
            shared.pull(connection, &parts.headers, o, e, t)
        }
        (&Method::GET, ["status", o, e]) => shared.service_status(connection, &parts.headers, o, e),
        (&Method::GET, ["pay", t]) => shared.pay_page(t, query_value(query, "lang").as_deref()),
        (&Method::POST, ["pay", t]) => shared.pay(t, &body),
        (&Method::GET, ["pay.css"]) => {
            let mut r = Response::new(Full::new(Bytes::from_static(page::CSS.as_bytes())));
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            );
            r
        }
        _ => problem(
            StatusCode::NOT_FOUND,
            FunctionalCode::Unspecified,
            "There is no such resource on this payment platform",
        ),
    }
}

fn query_value(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
