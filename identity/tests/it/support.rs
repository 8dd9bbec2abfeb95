//! What the integration tests share: the real OpenID provider (tests/oidc-provider, panva's
//! oidc-provider under Node.js, started by `test_support::oidc`) per test on 127.0.0.1, a headless "browser" that keeps
//! cookies and walks the provider's sign-in page over real HTTP, a transport that counts
//! requests and can swap the ID token in the token endpoint's answer (to play an attacker who
//! presents another token), and the relying party's settings.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use http::{HeaderMap, HeaderValue, Request, header};
use identity::transport::{HttpRequest, HttpsTransport, Transport, TransportFuture};
use identity::{
    Callback, ClaimMapping, ClientAuth, ClientCredentials, Clock, CookieSettings, FlowState,
    IdTokenError, IdentityError, KeyRing, ProviderSettings, RelyingParty, ReturnPolicy,
    ReturnTarget, Sealer, Sessions, SystemClock,
};
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use test_support::oidc::ProviderProcess;
use url::Url;

/// The function's callback URL as registered at the provider. Never fetched: the browser stops
/// at the provider's redirect to it and hands its query to the relying party.
pub const REDIRECT: &str = "https://api.musterstadt.example/v1/musterstadt/auth/callback";
pub const CLIENT: &str = "formfabrik-musterstadt";
pub const OTHER_CLIENT: &str = "another-service";
pub const JWT_CLIENT: &str = "formfabrik-jwt";
pub const SITE: &str = "https://formulare.musterstadt.example";

/// The test OpenID provider (`test_support::oidc`), running until dropped.
pub struct Provider {
    pub issuer: String,
    pub client_secret: String,
    pub other_secret: String,
    /// The private key of [`JWT_CLIENT`] (its public half is registered at the provider).
    pub jwt_client_key: String,
    process: ProviderProcess,
}

impl Provider {
    /// Starts the provider with its test endpoints and three clients: [`CLIENT`] and
    /// [`OTHER_CLIENT`] (`client_secret_basic`) and [`JWT_CLIENT`] (`private_key_jwt`).
    pub fn start() -> Provider {
        let client_secret = random_text();
        let other_secret = random_text();
        // A fixed test key (RSA 2048): generating one per run is slow in debug builds.
        let mut private: Value = serde_json::from_str(include_str!(
            "../fixtures/TEST-ONLY-client-rsa2048.private.jwk.json"
        ))
        .unwrap();
        private["kid"] = "formfabrik-jwt-1".into();
        let mut public = private.clone();
        for part in ["d", "p", "q", "dp", "dq", "qi"] {
            public.as_object_mut().unwrap().remove(part);
        }
        let client = |id: &str, auth: &str| {
            json!({
                "client_id": id,
                "redirect_uris": [REDIRECT],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": auth,
            })
        };
        let mut secret_client = client(CLIENT, "client_secret_basic");
        secret_client["client_secret"] = json!(client_secret);
        secret_client["client_name"] = json!("Stadt Musterstadt (Formfabrik)");
        let mut other = client(OTHER_CLIENT, "client_secret_basic");
        other["client_secret"] = json!(other_secret);
        let mut jwt = client(JWT_CLIENT, "private_key_jwt");
        jwt["jwks"] = json!({ "keys": [public] });
        let process = ProviderProcess::launch(vec![secret_client, other, jwt], true);
        Provider {
            issuer: process.issuer.clone(),
            client_secret,
            other_secret,
            jwt_client_key: private.to_string(),
            process,
        }
    }

    /// The provider's log so far (for assertion messages).
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// The key ids: `{"active", "published", "spare"}`.
    pub async fn keys(&self) -> Value {
        let response = send(
            Request::get(format!("{}/test/keys", self.issuer))
                .body(Vec::new())
                .unwrap(),
        )
        .await;
        serde_json::from_slice(response.body()).unwrap()
    }

    /// Makes the spare key the signing key (the old one stays published).
    pub async fn rotate(&self) -> Value {
        let response = send(
            Request::post(format!("{}/test/rotate", self.issuer))
                .body(Vec::new())
                .unwrap(),
        )
        .await;
        assert_eq!(response.status(), 200, "{}", self.log());
        serde_json::from_slice(response.body()).unwrap()
    }

    /// The settings of a relying party for `client_id`.
    pub fn settings(&self, client_id: &str, auth: ClientAuth) -> ProviderSettings {
        ProviderSettings {
            issuer: self.issuer.clone(),
            client_id: client_id.into(),
            client_auth: auth,
            redirect_url: REDIRECT.into(),
            scopes: ["profile", "email", "address", "bundid"]
                .map(String::from)
                .to_vec(),
            claims: ClaimMapping::default(),
            force_login: true,
        }
    }

    /// A relying party of `client_id` with `credentials`, over `transport`, checking tokens
    /// at `clock`'s time.
    pub async fn discover(
        &self,
        client_id: &str,
        credentials: ClientCredentials,
        transport: Arc<dyn Transport>,
        clock: Arc<dyn Clock>,
    ) -> Result<RelyingParty, IdentityError> {
        let auth = match credentials {
            ClientCredentials::Secret(_) => ClientAuth::ClientSecretBasic,
            ClientCredentials::PrivateKey { .. } => ClientAuth::PrivateKeyJwt,
        };
        RelyingParty::discover(
            self.settings(client_id, auth),
            credentials,
            transport,
            clock,
        )
        .await
    }

    /// The relying party of [`CLIENT`] over `transport`, checking tokens at `clock`'s time.
    pub async fn relying_party(
        &self,
        transport: Arc<dyn Transport>,
        clock: Arc<dyn Clock>,
    ) -> RelyingParty {
        self.discover(CLIENT, self.secret(), transport, clock)
            .await
            .unwrap_or_else(|e| panic!("discovery: {e}\n{}", self.log()))
    }

    /// The relying party of [`CLIENT`] over plain HTTP(S), at the system's time.
    pub async fn direct_relying_party(&self) -> RelyingParty {
        self.relying_party(Arc::new(HttpsTransport::new().unwrap()), system_clock())
            .await
    }

    /// The credentials of [`CLIENT`].
    pub fn secret(&self) -> ClientCredentials {
        ClientCredentials::Secret(SecretString::from(self.client_secret.clone()))
    }
}

fn random_text() -> String {
    let mut bytes = [0u8; 24];
    aws_lc_rs::rand::fill(&mut bytes).unwrap();
    B64.encode(bytes)
}

async fn send(request: HttpRequest) -> http::Response<Vec<u8>> {
    HttpsTransport::new().unwrap().send(request).await.unwrap()
}

/// The site's pages a sign-in may return to.
pub fn return_policy() -> ReturnPolicy {
    ReturnPolicy::new(
        SITE,
        [
            "meldebescheinigung/",
            "en/meldebescheinigung/",
            "waffenschein/",
        ],
    )
    .unwrap()
}

pub fn return_to(page: &str) -> ReturnTarget {
    return_policy().check(page).unwrap()
}

/// Sessions of Musterstadt at `clock`'s time, sealing with `sealer`.
pub fn sessions(sealer: &Arc<Sealer>, clock: Arc<dyn Clock>) -> Sessions {
    Sessions::new(
        sealer.clone(),
        clock,
        "musterstadt",
        CookieSettings::new("/v1/musterstadt/", true).unwrap(),
    )
}

pub fn sealer() -> Arc<Sealer> {
    Arc::new(Sealer::new(KeyRing::generate("k1").unwrap()))
}

pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// The request headers a browser sends back for a `Set-Cookie` value.
pub fn cookie_request(set_cookie: &HeaderValue) -> HeaderMap {
    let pair = set_cookie.to_str().unwrap().split(';').next().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, HeaderValue::from_str(pair).unwrap());
    headers
}

/// A headless browser: follows the provider's redirects, keeps its cookies (by host and path,
/// as browsers do) and fills in its sign-in form.
#[derive(Default)]
pub struct Browser {
    jar: Mutex<Vec<(String, String, String, String)>>,
}

impl Browser {
    async fn request(
        &self,
        method: &str,
        url: &Url,
        form: Option<&str>,
    ) -> http::Response<Vec<u8>> {
        let host = url.host_str().unwrap().to_string();
        let cookies: Vec<String> = self
            .jar
            .lock()
            .unwrap()
            .iter()
            .filter(|(h, p, _, _)| *h == host && url.path().starts_with(p.as_str()))
            .map(|(_, _, n, v)| format!("{n}={v}"))
            .collect();
        let mut request = Request::builder().method(method).uri(url.as_str());
        if !cookies.is_empty() {
            request = request.header(header::COOKIE, cookies.join("; "));
        }
        if form.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let response = send(
            request
                .body(form.unwrap_or("").as_bytes().to_vec())
                .unwrap(),
        )
        .await;
        let mut jar = self.jar.lock().unwrap();
        for set in response.headers().get_all(header::SET_COOKIE) {
            let text = set.to_str().unwrap();
            let mut parts = text.split(';').map(str::trim);
            let (name, value) = parts.next().unwrap().split_once('=').unwrap();
            let mut path = "/".to_string();
            let mut gone = value.is_empty();
            for attribute in parts {
                let lower = attribute.to_ascii_lowercase();
                if let Some(p) = lower.strip_prefix("path=") {
                    path = attribute[5..5 + p.len()].to_string();
                }
                gone |= lower == "max-age=0" || lower.starts_with("expires=thu, 01 jan 1970");
            }
            jar.retain(|(h, p, n, _)| !(*h == host && *p == path && n == name));
            if !gone {
                jar.push((host.clone(), path, name.to_string(), value.to_string()));
            }
        }
        response
    }

    /// Follows redirects from `url` until the provider sends the browser to the relying
    /// party's callback (returned, not fetched) or a page is shown (returned as text).
    async fn follow(
        &self,
        mut response: http::Response<Vec<u8>>,
        mut url: Url,
    ) -> Result<Url, (Url, String)> {
        for _ in 0..10 {
            if !response.status().is_redirection() {
                return Err((url, String::from_utf8_lossy(response.body()).into_owned()));
            }
            let location = response.headers()[header::LOCATION].to_str().unwrap();
            url = url.join(location).unwrap();
            if url.as_str().starts_with(REDIRECT) {
                return Ok(url);
            }
            response = self.request("GET", &url, None).await;
        }
        panic!("more than 10 redirects");
    }

    /// Opens the authorization URL and answers the provider's sign-in page with `action`
    /// (`login` with a person, or `cancel`); returns the callback URL the provider redirects
    /// to.
    pub async fn sign_in(&self, authorization_url: &Url, person: Option<&str>) -> Url {
        let first = self.request("GET", authorization_url, None).await;
        let (page_url, page) = match self.follow(first, authorization_url.clone()).await {
            Ok(callback) => return callback,
            Err(page) => page,
        };
        let action = regex::Regex::new(r#"<form method="post" action="([^"]+)""#)
            .unwrap()
            .captures(&page)
            .unwrap_or_else(|| panic!("no sign-in form on {page_url}:\n{page}"))[1]
            .to_string();
        let form = match person {
            Some(p) => {
                assert!(
                    page.contains(&format!(r#"value="{p}""#)),
                    "no person {p}:\n{page}"
                );
                format!("person={p}&action=login")
            }
            None => "action=cancel".to_string(),
        };
        let target = page_url.join(&action).unwrap();
        let answer = self.request("POST", &target, Some(&form)).await;
        self.follow(answer, target)
            .await
            .unwrap_or_else(|(url, page)| {
                panic!("the provider showed {url} instead of redirecting back:\n{page}")
            })
    }
}

/// The relying party's part of the callback, as the function does it: read the flow cookie
/// the browser sends back, and finish the sign-in with the callback's query.
pub async fn complete(
    rp: &RelyingParty,
    sessions: &Sessions,
    flow_cookie: &HeaderValue,
    callback: &Url,
) -> Result<identity::VerifiedIdentity, IdentityError> {
    let flow: FlowState = sessions.flow(&cookie_request(flow_cookie)).unwrap();
    let callback = Callback::from_query(callback.query().unwrap_or(""))?;
    rp.finish(&flow, &callback).await
}

/// A sign-in begun on `page` and answered at the provider by `person` (`None`: cancelled):
/// the flow cookie the browser holds and the callback URL the provider sent it to.
pub struct Answered {
    pub flow_cookie: HeaderValue,
    pub callback: Url,
}

pub async fn begin_and_answer(
    rp: &RelyingParty,
    sessions: &Sessions,
    page: &str,
    required: Option<identity::TrustLevel>,
    person: Option<&str>,
) -> Answered {
    let start = rp.begin(return_to(page), required, BTreeMap::new());
    let flow_cookie = sessions.flow_cookie(&start.flow).unwrap();
    let callback = Browser::default()
        .sign_in(&start.authorization_url, person)
        .await;
    Answered {
        flow_cookie,
        callback,
    }
}

/// One whole sign-in as `person`: begin, the browser at the provider, the callback.
pub async fn sign_in_as(
    rp: &RelyingParty,
    sessions: &Sessions,
    person: &str,
    required: Option<identity::TrustLevel>,
) -> Result<identity::VerifiedIdentity, IdentityError> {
    let answered =
        begin_and_answer(rp, sessions, "/meldebescheinigung/", required, Some(person)).await;
    complete(rp, sessions, &answered.flow_cookie, &answered.callback).await
}

/// Why the ID token was refused.
pub fn id_token_error(result: Result<identity::VerifiedIdentity, IdentityError>) -> IdTokenError {
    match result {
        Err(IdentityError::IdToken(e)) => e,
        Err(other) => panic!("expected an ID token error, got {other}"),
        Ok(id) => panic!("expected a refusal, signed in as {}", id.family_name),
    }
}

/// The OAuth error code of a refusal at the token endpoint.
pub fn token_endpoint_error(result: Result<identity::VerifiedIdentity, IdentityError>) -> String {
    match result {
        Err(IdentityError::CodeRejected { error, .. }) => error,
        Err(other) => panic!("expected a refusal at the token endpoint, got {other}"),
        Ok(id) => panic!("expected a refusal, signed in as {}", id.family_name),
    }
}

/// What the tampering transport does with the token endpoint's answer.
pub enum Swap {
    /// Pass it on unchanged.
    None,
    /// Replace the ID token with this one.
    With(String),
    /// Take the real ID token's claims, change them, and have the provider sign them with
    /// `key` (`active` or `spare`), optionally naming `kid` in the header.
    Resign {
        key: &'static str,
        kid: Option<String>,
        edit: fn(&mut Map<String, Value>),
    },
}

impl Swap {
    /// The real ID token's claims changed by `edit`, signed with the provider's own key.
    pub fn resigned(edit: fn(&mut Map<String, Value>)) -> Swap {
        Swap::Resign {
            key: "active",
            kid: None,
            edit,
        }
    }
}

/// A transport that counts requests by path and can swap the ID token the token endpoint
/// answers with: an attacker presenting a token of their choosing at the callback.
pub struct Tamper {
    inner: HttpsTransport,
    pub swap: Mutex<Swap>,
    /// Every real ID token the token endpoint answered with.
    pub id_tokens: Mutex<Vec<String>>,
    pub requests: Mutex<HashMap<String, usize>>,
    issuer: String,
}

impl Tamper {
    pub fn new(provider: &Provider) -> Arc<Tamper> {
        Arc::new(Tamper {
            inner: HttpsTransport::new().unwrap(),
            swap: Mutex::new(Swap::None),
            id_tokens: Mutex::new(Vec::new()),
            requests: Mutex::new(HashMap::new()),
            issuer: provider.issuer.clone(),
        })
    }

    pub fn count(&self, path: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// Signs in as `person` with `swap` applied to the token endpoint's answer, and returns
    /// why the ID token was refused.
    pub async fn attempt(
        &self,
        rp: &RelyingParty,
        sessions: &Sessions,
        person: &str,
        swap: Swap,
    ) -> IdTokenError {
        *self.swap.lock().unwrap() = swap;
        id_token_error(sign_in_as(rp, sessions, person, None).await)
    }

    pub fn last_id_token(&self) -> String {
        self.id_tokens
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("an ID token was issued")
    }
}

/// The claims of a compact JWS (not checked).
pub fn payload_of(jws: &str) -> Map<String, Value> {
    let part = jws.split('.').nth(1).unwrap();
    serde_json::from_slice(&B64.decode(part).unwrap()).unwrap()
}

impl Transport for Tamper {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_> {
        Box::pin(async move {
            let path = request.uri().path().to_string();
            *self
                .requests
                .lock()
                .unwrap()
                .entry(path.clone())
                .or_default() += 1;
            let response = self.inner.send(request).await?;
            if path != "/token" || response.status() != 200 {
                return Ok(response);
            }
            let (parts, body) = response.into_parts();
            let mut json: Value = serde_json::from_slice(&body).unwrap();
            let real = json["id_token"].as_str().unwrap().to_string();
            self.id_tokens.lock().unwrap().push(real.clone());
            let replacement = match &*self.swap.lock().unwrap() {
                Swap::None => None,
                Swap::With(token) => Some(Ok(token.clone())),
                Swap::Resign { key, kid, edit } => {
                    let mut claims = payload_of(&real);
                    edit(&mut claims);
                    Some(Err((claims, *key, kid.clone())))
                }
            };
            let replacement = match replacement {
                None => None,
                Some(Ok(token)) => Some(token),
                Some(Err((claims, key, kid))) => {
                    let mut body = json!({ "payload": claims, "key": key });
                    if let Some(kid) = kid {
                        body["kid"] = json!(kid);
                    }
                    let signed = self
                        .inner
                        .send(
                            Request::post(format!("{}/test/sign", self.issuer))
                                .header(header::CONTENT_TYPE, "application/json")
                                .body(body.to_string().into_bytes())
                                .unwrap(),
                        )
                        .await?;
                    Some(String::from_utf8(signed.into_body()).unwrap())
                }
            };
            if let Some(token) = replacement {
                json["id_token"] = json!(token);
            }
            Ok(http::Response::from_parts(
                parts,
                json.to_string().into_bytes(),
            ))
        })
    }
}
