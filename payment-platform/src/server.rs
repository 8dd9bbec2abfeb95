//! The platform's HTTP side: a plain listener (OAuth2, Basic, the pay page) and optionally an
//! mTLS listener (client certificates), the routing of requests to the API ([`crate::api`])
//! and to the pay page's handlers. [`start`] binds and returns a [`Platform`] handle with the
//! URLs it listens on.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION};
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
use xbezahl::{FunctionalCode, PaymentStatus};

use crate::api::problem;
use crate::config::{Config, ConfigError, Credential, MtlsListener};
use crate::ledger::{Ledger, LedgerError, Outcome};
use crate::page;
use crate::pki::fingerprint;

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

pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) ledger: Mutex<Ledger>,
    pub(crate) tokens: Mutex<HashMap<String, (usize, Instant)>>,
    pub(crate) token_requests: AtomicU64,
    pub(crate) base: Url,
    pub(crate) mtls_base: Option<Url>,
}

/// What is known about a connection before its first request.
#[derive(Clone)]
pub(crate) struct Connection {
    /// The URL of the listener it came in on.
    pub(crate) base: Url,
    /// The client account its certificate belongs to (mTLS listener only).
    pub(crate) certificate_client: Option<usize>,
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

pub(crate) type Answer = Response<Full<Bytes>>;

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

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn pay_url(&self, transaction_id: &str) -> Url {
        self.base
            .join(&format!("pay/{transaction_id}"))
            .expect("a transaction id makes a path")
    }

    fn pay_page(&self, transaction_id: &str, lang: Option<&str>) -> Answer {
        let w = page::words(lang);
        let Some(record) = lock(&self.ledger).get(transaction_id).cloned() else {
            return html(
                StatusCode::NOT_FOUND,
                page::message(w, w.unknown_title, w.unknown),
                None,
            );
        };
        if record.information.status != PaymentStatus::Initial {
            return html(StatusCode::OK, page::finished(w, &record), None);
        }
        let payee = self
            .config
            .tenant(&record.originator_id, &record.endpoint_id)
            .map_or("", |t| t.name.as_str());
        let action = self.pay_url(transaction_id);
        html(
            StatusCode::OK,
            page::pay(w, &record, payee, action.path()),
            Some(&record.request.redirect_url),
        )
    }

    /// A pay page button: ends the transaction and sends the browser back to the online
    /// service, which must then pull the status.
    fn pay(&self, transaction_id: &str, body: &[u8]) -> Answer {
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let w = page::words(form.get("lang").map(String::as_str));
        let outcome = match form.get("action").map(String::as_str) {
            Some("pay") => form
                .get("method")
                .and_then(|m| page::method(m))
                .map(Outcome::Pay),
            Some("cancel") => Some(Outcome::Cancel),
            Some("fail") => Some(Outcome::Fail),
            _ => None,
        };
        let Some(outcome) = outcome else {
            return html(
                StatusCode::BAD_REQUEST,
                page::message(w, w.bad_title, w.bad),
                None,
            );
        };
        let finished = lock(&self.ledger).finish(transaction_id, outcome);
        match finished {
            Ok(record) => {
                tracing::info!(transaction = %transaction_id, status = %record.information.status, "transaction finished");
                let mut r = Response::new(Full::new(Bytes::new()));
                *r.status_mut() = StatusCode::SEE_OTHER;
                if let Ok(v) = HeaderValue::from_str(&record.request.redirect_url) {
                    r.headers_mut().insert(LOCATION, v);
                }
                r.headers_mut()
                    .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
                r
            }
            Err(LedgerError::Final(_)) => {
                let record = lock(&self.ledger).get(transaction_id).cloned();
                let page = record.map_or_else(
                    || page::message(w, w.unknown_title, w.unknown),
                    |r| page::finished(w, &r),
                );
                html(StatusCode::CONFLICT, page, None)
            }
            Err(LedgerError::Unknown(_)) => html(
                StatusCode::NOT_FOUND,
                page::message(w, w.unknown_title, w.unknown),
                None,
            ),
            Err(e) => {
                tracing::error!(error = %e, "transaction could not be kept");
                html(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    page::message(w, w.bad_title, w.bad),
                    None,
                )
            }
        }
    }
}

/// A page. Pages run no script and load only the platform's style sheet; the pay page's form
/// may post to the platform, which redirects to the online service (`redirect`).
fn html(status: StatusCode, body: String, redirect: Option<&str>) -> Answer {
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
