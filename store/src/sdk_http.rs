//! The AWS SDK's HTTP client for the store and the function: HTTP/1.1 over hyper and rustls
//! (the system's root certificates; plain HTTP for a local S3-protocol server), no HTTP/2.
//!
//! Why not the SDK's default client: it always builds hyper with HTTP/2 (the `h2` crate and
//! hyper's HTTP/2 half, about 0.6 MB of the function's code) although S3, STS and the credential
//! endpoints are all spoken over HTTP/1.1 here. Issue 17's artifact goal is a zipped `bootstrap`
//! of at most 8 MB; this client is what lets `aws-config` and `aws-sdk-s3` go without their
//! `default-https-client` feature. The certificates are loaded on the first request, not at
//! start: most cold starts never talk HTTPS (a folder store, credentials from the environment).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::Response;
use aws_smithy_types::body::SdkBody;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::rt::TokioExecutor;

/// The client to give `aws_config::defaults(…).http_client(…)`.
pub fn http_client() -> SharedHttpClient {
    SharedHttpClient::new(Http1Client::default())
}

/// One connector (and so one connection pool) per distinct timeout setting, as the SDK asks of
/// an [`HttpClient`]: in practice one, for all the SDK clients of a process.
#[derive(Debug, Default)]
struct Http1Client {
    connectors: Mutex<Vec<(Timeouts, SharedHttpConnector)>>,
}

type Timeouts = (Option<Duration>, Option<Duration>);

impl HttpClient for Http1Client {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let timeouts = (settings.connect_timeout(), settings.read_timeout());
        let mut connectors = self.connectors.lock().expect("connector cache lock");
        if let Some((_, c)) = connectors.iter().find(|(t, _)| *t == timeouts) {
            return c.clone();
        }
        let connector = SharedHttpConnector::new(Http1Connector {
            timeouts,
            client: Arc::new(OnceLock::new()),
        });
        connectors.push((timeouts, connector.clone()));
        connector
    }
}

type Pool = Client<HttpsConnector<TcpConnector>, SdkBody>;

#[derive(Debug, Clone)]
struct Http1Connector {
    timeouts: Timeouts,
    /// Built on the first request (the root certificates are read then), or why it cannot be.
    client: Arc<OnceLock<Result<Pool, String>>>,
}

impl Http1Connector {
    fn pool(&self) -> Result<&Pool, ConnectorError> {
        let (connect_timeout, _) = self.timeouts;
        self.client
            .get_or_init(|| {
                let mut tcp = TcpConnector::new();
                tcp.enforce_http(false);
                tcp.set_connect_timeout(connect_timeout);
                tcp.set_nodelay(true);
                let tls = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_native_roots()
                    .map_err(|e| format!("no root certificates for HTTPS to AWS: {e}"))?
                    .https_or_http()
                    .enable_http1()
                    .wrap_connector(tcp);
                Ok(Client::builder(TokioExecutor::new()).build(tls))
            })
            .as_ref()
            .map_err(|e| ConnectorError::other(e.clone().into(), None))
    }
}

impl HttpConnector for Http1Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let pool = match self.pool() {
            Ok(pool) => pool.clone(),
            Err(e) => return HttpConnectorFuture::ready(Err(e)),
        };
        let read_timeout = self.timeouts.1;
        HttpConnectorFuture::new(async move {
            let request = request
                .try_into_http1x()
                .map_err(|e| ConnectorError::user(e.into()))?;
            let sent = pool.request(request);
            let response = match read_timeout {
                None => sent.await,
                Some(limit) => tokio::time::timeout(limit, sent).await.map_err(|_| {
                    ConnectorError::timeout(format!("no answer within {limit:?}").into())
                })?,
            }
            .map_err(|e| match e.is_connect() {
                true => ConnectorError::io(e.into()),
                false => ConnectorError::other(e.into(), None),
            })?;
            let response = response.map(SdkBody::from_body_1_x);
            Response::try_from(response).map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}
