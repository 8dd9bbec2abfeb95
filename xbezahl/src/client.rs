//! The adapter: creates a transaction, pulls its status, asks whether the platform serves the
//! tenant. One [`Client`] per platform configuration; it keeps its connections and (for OAuth2)
//! its token, so build it once and share it.
//!
//! Creating is safe to repeat: the platform keys a transaction on `requestId`, and the same
//! request with the same content returns the existing transaction. So a caller that does not
//! know whether its create arrived sends the same request again (the very same, stored, not
//! rebuilt with a new timestamp).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::config::{AuthConfig, ClientAuthentication, ConfigError, OAuth2Config, PlatformConfig};
use crate::model::{FunctionalCode, PaymentRequest, PaymentTransaction, Problem};
use crate::secret::{Secret, SecretError, SecretSource};
use crate::validate::Violations;

/// How much of an unexpected answer an error keeps.
const BODY_EXCERPT: usize = 500;
/// The lifetime assumed when a token answer does not say.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(300);
/// A token is replaced this long before it expires (at most half its lifetime), so that it
/// does not expire on its way to the platform.
const TOKEN_MARGIN: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the payment platform configuration is invalid: {0}")]
    Config(#[from] ConfigError),
    #[error("a payment secret is missing: {0}")]
    Secret(#[from] SecretError),
    #[error("the mTLS client certificate or the CA certificate cannot be used: {0}")]
    Tls(String),
    #[error("the payment request breaks XBezahldienste v1.0.0: {0}")]
    Invalid(#[from] Violations),
    #[error("the payment platform at {url} cannot be reached: {source}")]
    Transport {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the token endpoint {url} refused the client credentials ({status}): {body}")]
    Token {
        url: String,
        status: u16,
        body: String,
    },
    #[error("the payment platform answered {status} {}: {}", code_of(.problem), .problem.detail.as_deref().unwrap_or("(no detail)"))]
    Problem { status: u16, problem: Problem },
    #[error("the payment platform answered {status} without a problem document: {body}")]
    Status { status: u16, body: String },
    #[error("the payment platform's answer from {url} cannot be read at {path}: {message}")]
    Decode {
        url: String,
        path: String,
        message: String,
    },
}

fn code_of(p: &Problem) -> &str {
    p.functional_code
        .as_ref()
        .map_or("(no functionalCode)", FunctionalCode::as_str)
}

impl ClientError {
    /// The functional code of a problem answer.
    pub fn functional_code(&self) -> Option<&FunctionalCode> {
        match self {
            Self::Problem { problem, .. } => problem.functional_code.as_ref(),
            _ => None,
        }
    }
}

/// A client for one tenant (originator and endpoint) of one platform.
pub struct Client {
    http: reqwest::Client,
    base: Url,
    originator_id: String,
    endpoint_id: String,
    auth: Auth,
    secrets: Arc<dyn SecretSource>,
}

enum Auth {
    OAuth2(Box<OAuth2>),
    Basic {
        username: String,
        password: Secret,
    },
    /// The certificate is part of the HTTP client's TLS configuration.
    Mtls,
}

struct OAuth2 {
    config: OAuth2Config,
    token_url: Url,
    token: tokio::sync::Mutex<Option<Token>>,
}

struct Token {
    value: Secret,
    refresh_at: Instant,
}

impl Token {
    fn new(value: Secret, lifetime: Duration, now: Instant) -> Self {
        let margin = TOKEN_MARGIN.min(lifetime / 2);
        Self {
            value,
            refresh_at: now + lifetime - margin,
        }
    }

    fn is_fresh(&self, now: Instant) -> bool {
        now < self.refresh_at
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl Client {
    /// Checks the configuration and reads the secrets the connection needs (the mTLS
    /// certificate and key, the Basic password, a CA certificate). An OAuth2 secret is read
    /// when a token is fetched.
    pub async fn new(
        config: &PlatformConfig,
        secrets: Arc<dyn SecretSource>,
    ) -> Result<Self, ClientError> {
        config.check()?;
        let base = config.base()?;
        let mut http = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_seconds))
            .user_agent(concat!("formfabrik-xbezahl/", env!("CARGO_PKG_VERSION")))
            // The answers are JSON; a redirect would carry the credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(ca) = &config.ca_certificate {
            let pem = secrets.resolve(ca).await?;
            let certs = reqwest::Certificate::from_pem_bundle(pem.expose().as_bytes())
                .map_err(|e| ClientError::Tls(format!("ca-certificate ({ca}): {e}")))?;
            http = http.tls_certs_merge(certs);
        }
        let auth = match &config.auth {
            AuthConfig::Oauth2(o) => Auth::OAuth2(Box::new(OAuth2 {
                token_url: Url::parse(&o.token_url).map_err(|e| ConfigError {
                    key: "auth.oauth2.token-url",
                    message: e.to_string(),
                })?,
                config: o.clone(),
                token: tokio::sync::Mutex::new(None),
            })),
            AuthConfig::Basic(b) => Auth::Basic {
                username: b.username.clone(),
                password: secrets.resolve(&b.password).await?,
            },
            AuthConfig::Mtls(m) => {
                let certificate = secrets.resolve(&m.certificate).await?;
                let key = secrets.resolve(&m.private_key).await?;
                let pem = format!("{}\n{}", certificate.expose(), key.expose());
                let identity = reqwest::Identity::from_pem(pem.as_bytes()).map_err(|e| {
                    ClientError::Tls(format!(
                        "auth.mtls ({} and {}): {e}",
                        m.certificate, m.private_key
                    ))
                })?;
                http = http.identity(identity);
                Auth::Mtls
            }
        };
        let http = http.build().map_err(|e| ClientError::Tls(e.to_string()))?;
        Ok(Self {
            http,
            base,
            originator_id: config.originator_id.clone(),
            endpoint_id: config.endpoint_id.clone(),
            auth,
            secrets,
        })
    }

    /// `POST paymenttransaction/{originatorId}/{endPointId}`: creates the transaction (or, for
    /// a request id the platform knows with the same content, returns the existing one). The
    /// request is checked first; one the platform would refuse is not sent.
    pub async fn create(
        &self,
        request: &PaymentRequest,
    ) -> Result<PaymentTransaction, ClientError> {
        request.check()?;
        let url = self.url(&["paymenttransaction", &self.originator_id, &self.endpoint_id]);
        let body = serde_json::to_vec(request).expect("a payment request serialises");
        let response = self
            .send(Method::POST, &url, |r| {
                r.header(CONTENT_TYPE, "application/json")
                    .body(body.clone())
            })
            .await?;
        read(&url, response).await
    }

    /// `GET paymenttransaction/{originatorId}/{endPointId}/{transactionId}`: the transaction
    /// as it is now. The only way to learn the outcome: v1.0.0 has no push.
    pub async fn transaction(
        &self,
        transaction_id: &str,
    ) -> Result<PaymentTransaction, ClientError> {
        let url = self.url(&[
            "paymenttransaction",
            &self.originator_id,
            &self.endpoint_id,
            transaction_id,
        ]);
        let response = self.send(Method::GET, &url, |r| r).await?;
        read(&url, response).await
    }

    /// `GET status/{originatorId}/{endPointId}`: whether the platform serves this tenant with
    /// these credentials (a health check for deployment and monitoring).
    pub async fn service_status(&self) -> Result<Problem, ClientError> {
        let url = self.url(&["status", &self.originator_id, &self.endpoint_id]);
        let response = self.send(Method::GET, &url, |r| r).await?;
        read(&url, response).await
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("the base URL is an http(s) URL")
            .pop_if_empty()
            .extend(segments);
        url
    }

    /// Sends with credentials. With OAuth2, a 401 or 403 answer to a cached token (revoked,
    /// or the platform restarted) fetches a new token and sends once more.
    async fn send(
        &self,
        method: Method,
        url: &Url,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<Response, ClientError> {
        let attempt = |bearer: Option<&Secret>| {
            let mut r = build(self.http.request(method.clone(), url.clone()))
                .header(ACCEPT, "application/json, application/problem+json");
            match (&self.auth, bearer) {
                (_, Some(token)) => r = r.bearer_auth(token.expose()),
                (Auth::Basic { username, password }, None) => {
                    r = r.basic_auth(username, Some(password.expose()));
                }
                _ => {}
            }
            r.send()
        };
        let transport = |source| ClientError::Transport {
            url: url.to_string(),
            source,
        };
        let Auth::OAuth2(_) = &self.auth else {
            return attempt(None).await.map_err(transport);
        };
        let (token, fresh) = self.token(false).await?;
        let response = attempt(Some(&token)).await.map_err(transport)?;
        let refused = matches!(
            response.status(),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        );
        if !refused || fresh {
            return Ok(response);
        }
        tracing::info!(url = %url, "payment platform refused the cached token; fetching a new one");
        let (token, _) = self.token(true).await?;
        attempt(Some(&token)).await.map_err(transport)
    }

    /// The cached token, or a new one (`renew`, or none cached, or about to expire). Also says
    /// whether it was fetched just now. One fetch at a time: callers that find no token wait
    /// for the one being fetched.
    async fn token(&self, renew: bool) -> Result<(Secret, bool), ClientError> {
        let Auth::OAuth2(oauth) = &self.auth else {
            unreachable!("only OAuth2 has tokens");
        };
        let OAuth2 {
            config,
            token_url,
            token,
        } = oauth.as_ref();
        let mut cached = token.lock().await;
        if !renew
            && let Some(t) = cached.as_ref()
            && t.is_fresh(Instant::now())
        {
            return Ok((t.value.clone(), false));
        }
        let secret = self.secrets.resolve(&config.client_secret).await?;
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(scope) = &config.scope {
            form.push(("scope", scope));
        }
        let mut request = self.http.post(token_url.clone());
        match config.client_authentication {
            ClientAuthentication::Body => {
                form.push(("client_id", &config.client_id));
                form.push(("client_secret", secret.expose()));
            }
            ClientAuthentication::Basic => {
                request = request.basic_auth(&config.client_id, Some(secret.expose()));
            }
        }
        let asked = Instant::now();
        let response = request
            .header(ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|source| ClientError::Transport {
                url: token_url.to_string(),
                source,
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(ClientError::Token {
                url: token_url.to_string(),
                status: status.as_u16(),
                body: excerpt(&response.text().await.unwrap_or_default()),
            });
        }
        let answer: TokenAnswer = read(token_url, response).await?;
        if let Some(kind) = &answer.token_type
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(ClientError::Token {
                url: token_url.to_string(),
                status: status.as_u16(),
                body: format!("token_type {kind} is not Bearer"),
            });
        }
        let lifetime = answer
            .expires_in
            .map_or(DEFAULT_TOKEN_LIFETIME, Duration::from_secs);
        let t = Token::new(Secret::new(answer.access_token), lifetime, asked);
        let value = t.value.clone();
        *cached = Some(t);
        Ok((value, true))
    }
}

/// A success answer as `T`; anything else as the error it is.
async fn read<T: DeserializeOwned>(url: &Url, response: Response) -> Result<T, ClientError> {
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let body = response
        .bytes()
        .await
        .map_err(|source| ClientError::Transport {
            url: url.to_string(),
            source,
        })?;
    if !status.is_success() {
        if is_json && let Ok(problem) = serde_json::from_slice::<Problem>(&body) {
            return Err(ClientError::Problem {
                status: status.as_u16(),
                problem,
            });
        }
        return Err(ClientError::Status {
            status: status.as_u16(),
            body: excerpt(&String::from_utf8_lossy(&body)),
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(&body);
    serde_path_to_error::deserialize(de).map_err(|e| ClientError::Decode {
        url: url.to_string(),
        path: e.path().to_string(),
        message: e.into_inner().to_string(),
    })
}

fn excerpt(body: &str) -> String {
    match body.char_indices().nth(BODY_EXCERPT) {
        Some((cut, _)) => format!("{}…", &body[..cut]),
        None => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_renewed_before_it_expires() {
        let t0 = Instant::now();
        let t = Token::new(Secret::new("a"), Duration::from_secs(300), t0);
        assert!(t.is_fresh(t0 + Duration::from_secs(269)));
        assert!(!t.is_fresh(t0 + Duration::from_secs(270)));
        // A short-lived token is kept for half its lifetime.
        let t = Token::new(Secret::new("a"), Duration::from_secs(10), t0);
        assert!(t.is_fresh(t0 + Duration::from_secs(4)));
        assert!(!t.is_fresh(t0 + Duration::from_secs(5)));
        let t = Token::new(Secret::new("a"), Duration::ZERO, t0);
        assert!(!t.is_fresh(t0));
    }

    #[test]
    fn long_answers_are_cut_in_errors() {
        let long = "ä".repeat(BODY_EXCERPT + 10);
        assert_eq!(excerpt(&long).chars().count(), BODY_EXCERPT + 1);
        assert_eq!(excerpt("short"), "short");
    }
}
