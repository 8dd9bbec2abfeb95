//! Sign-in with BundID through the function, against the real test OpenID provider
//! (tests/oidc-provider) on 127.0.0.1: login → the provider's sign-in page → callback →
//! session → prefill → submission with the verified identity in the record and the metadata;
//! and the refusals: cancel, a level too low, a forged or expired session, a changed locked
//! answer, a replayed callback, open-redirect attempts.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, header};
use identity::Clock as IdentityClock;
use identity::secrets::MemorySecrets;
use identity::transport::{HttpsTransport, Transport};
use identity::{ClaimMapping, ClientAuth, KeyRing, ProviderSettings};
use serde_json::{Value, json};
use store::{MemoryStore, Store};
use submit_fn::Handler;
use submit_fn::auth::{MunicipalSettings, RegistrySettings, SignIn, SignInSettings};
use test_support::oidc::OidcProvider;
use time::OffsetDateTime;
use url::Url;

use crate::common::{pages, registry, stored_metadata, stored_record_json};

const CALLBACK: &str = "https://formulare-api.musterstadt.example/v1/musterstadt/auth/callback";
const SITE: &str = "https://formulare.musterstadt.example";

/// A clock the test moves forward (sessions expire).
#[derive(Default)]
struct MovingClock(AtomicI64);

impl IdentityClock for MovingClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(self.0.load(Ordering::SeqCst))
    }
}

struct Setup {
    _provider: OidcProvider,
    /// Musterstadt's local registry (tests/melderegister/musterstadt.yaml).
    registry: identity::registry::local::RunningRegistry,
    handler: Handler,
    store: Arc<MemoryStore>,
    clock: Arc<MovingClock>,
}

async fn setup() -> Setup {
    let provider = OidcProvider::start("formfabrik-musterstadt", CALLBACK);
    let residents = identity::registry::local::Residents::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/melderegister/musterstadt.yaml"),
    )
    .unwrap();
    let local_registry = identity::registry::local::start(
        residents,
        "registry-token".to_string().into(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let settings = SignInSettings {
        municipalities: [(
            "musterstadt".to_string(),
            MunicipalSettings {
                provider: ProviderSettings {
                    issuer: provider.issuer.clone(),
                    client_id: provider.client_id.clone(),
                    client_auth: ClientAuth::ClientSecretBasic,
                    redirect_url: CALLBACK.into(),
                    scopes: ["profile", "email", "address", "bundid"]
                        .map(String::from)
                        .to_vec(),
                    claims: ClaimMapping::default(),
                    force_login: true,
                },
                cookie_path: None,
                secure_cookies: true,
                secret_prefix: String::new(),
                registry: Some(RegistrySettings {
                    url: local_registry.url().to_string(),
                }),
            },
        )]
        .into_iter()
        .collect(),
    };
    let ring = KeyRing::generate("k1").unwrap();
    let secrets = MemorySecrets::new()
        .with("oidc-client-secret", provider.client_secret.clone())
        .with("registry-token", "registry-token")
        .with(
            "session-keys",
            secrecy::ExposeSecret::expose_secret(&ring.to_spec()).to_string(),
        );
    let clock = Arc::new(MovingClock::default());
    let registry = registry();
    let sign_in = SignIn::load(
        &settings,
        &registry,
        &secrets,
        Arc::new(HttpsTransport::new().unwrap()),
        clock.clone(),
    )
    .await
    .unwrap_or_else(|e| panic!("sign-in settings: {e}"));
    let store = Arc::new(MemoryStore::new());
    let handler = Handler::new(registry, store.clone())
        .with_pages(pages())
        .with_sign_in(Arc::new(sign_in));
    Setup {
        _provider: provider,
        registry: local_registry,
        handler,
        store,
        clock,
    }
}

/// A browser: keeps the provider's cookies and the function's (by name; one host each).
#[derive(Default)]
struct Browser {
    provider: Mutex<Vec<(String, String)>>,
    function: Mutex<Vec<(String, String)>>,
}

fn take_cookies(jar: &Mutex<Vec<(String, String)>>, headers: &http::HeaderMap) {
    let mut jar = jar.lock().unwrap();
    for set in headers.get_all(header::SET_COOKIE) {
        let text = set.to_str().unwrap();
        let (name, value) = text.split(';').next().unwrap().split_once('=').unwrap();
        jar.retain(|(n, _)| n != name);
        if !value.is_empty() && !text.contains("Max-Age=0") {
            jar.push((name.to_string(), value.to_string()));
        }
    }
}

fn cookie_header(jar: &Mutex<Vec<(String, String)>>) -> String {
    let jar = jar.lock().unwrap();
    jar.iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Browser {
    /// A request to the function, with the function's cookies.
    async fn function(&self, handler: &Handler, request: Request<Bytes>) -> Response<Bytes> {
        let (mut parts, body) = request.into_parts();
        let cookies = cookie_header(&self.function);
        if !cookies.is_empty() {
            parts
                .headers
                .insert(header::COOKIE, cookies.parse().unwrap());
        }
        let response = handler.handle(Request::from_parts(parts, body)).await;
        take_cookies(&self.function, response.headers());
        response
    }

    async fn provider(&self, method: &str, url: &Url, form: Option<String>) -> Response<Vec<u8>> {
        let mut request = Request::builder().method(method).uri(url.as_str());
        let cookies = cookie_header(&self.provider);
        if !cookies.is_empty() {
            request = request.header(header::COOKIE, cookies);
        }
        if form.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let response = HttpsTransport::new()
            .unwrap()
            .send(request.body(form.unwrap_or_default().into_bytes()).unwrap())
            .await
            .unwrap();
        take_cookies(&self.provider, response.headers());
        response
    }

    /// At the provider from `url`: signs in as `person` (or cancels) and returns the callback
    /// URL the provider redirects to.
    async fn at_provider(&self, mut url: Url, person: Option<&str>) -> Url {
        let mut form: Option<String> = None;
        let mut method = "GET";
        let form_action = regex::Regex::new(r#"<form method="post" action="([^"]+)""#).unwrap();
        for _ in 0..12 {
            let response = self.provider(method, &url, form.take()).await;
            if response.status().is_redirection() {
                let location = response.headers()[header::LOCATION].to_str().unwrap();
                url = url.join(location).unwrap();
                method = "GET";
                if url.as_str().starts_with(CALLBACK) {
                    return url;
                }
                continue;
            }
            let page = String::from_utf8_lossy(response.body()).into_owned();
            let action = form_action
                .captures(&page)
                .unwrap_or_else(|| panic!("no sign-in form at {url}:\n{page}"))[1]
                .to_string();
            url = url.join(&action).unwrap();
            method = "POST";
            form = Some(match person {
                Some(p) => format!("person={p}&action=login"),
                None => "action=cancel".into(),
            });
        }
        panic!("the provider did not redirect back");
    }
}

fn get(path: &str) -> Request<Bytes> {
    Request::get(path)
        .header(header::ACCEPT, "text/html")
        .header(header::ACCEPT_LANGUAGE, "de")
        .body(Bytes::new())
        .unwrap()
}

fn location(r: &Response<Bytes>) -> String {
    r.headers()[header::LOCATION].to_str().unwrap().to_string()
}

fn body(r: &Response<Bytes>) -> String {
    String::from_utf8_lossy(r.body()).into_owned()
}

/// Signs in from `form`'s page as `person`; the callback's answer.
async fn sign_in(
    s: &Setup,
    browser: &Browser,
    form: &str,
    person: Option<&str>,
    view: &str,
) -> Response<Bytes> {
    let login = browser
        .function(
            &s.handler,
            get(&format!(
                "/v1/musterstadt/auth/login?return={SITE}/{form}/{view}"
            )),
        )
        .await;
    assert_eq!(login.status(), 303, "{}", body(&login));
    let to_provider = Url::parse(&location(&login)).unwrap();
    let callback = browser.at_provider(to_provider, person).await;
    let path = format!(
        "/v1/musterstadt/auth/callback?{}",
        callback.query().unwrap()
    );
    browser.function(&s.handler, get(&path)).await
}

fn meldebescheinigung(answers: &serde_json::Map<String, Value>) -> Value {
    let mut data = answers.clone();
    data.insert("art".into(), json!("einfach"));
    json!({ "language": "de", "data": data })
}

fn json_post(path: &str, body: &Value) -> Request<Bytes> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .body(Bytes::from(body.to_string()))
        .unwrap()
}

async fn stored_records(store: &MemoryStore) -> Vec<Value> {
    let mut out = Vec::new();
    for key in store.list("").await.unwrap() {
        if key.ends_with("submission.json") {
            let bytes = store.get(&key).await.unwrap().unwrap();
            out.push(stored_record_json(&bytes));
        }
    }
    out
}

#[tokio::test]
async fn a_citizen_signs_in_is_prefilled_and_the_record_carries_the_verified_identity() {
    let s = setup().await;
    let browser = Browser::default();
    let back = sign_in(&s, &browser, "meldebescheinigung", Some("erika"), "").await;
    assert_eq!(back.status(), 303, "{}", body(&back));
    assert_eq!(location(&back), format!("{SITE}/meldebescheinigung/"));
    let set: Vec<&str> = back
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        set.iter().any(|c| c.starts_with("__Secure-ff-session=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Strict")
            && c.contains("Secure")),
        "{set:?}"
    );
    assert!(
        set.iter()
            .any(|c| c.starts_with("__Secure-ff-flow=;") && c.contains("Max-Age=0")),
        "{set:?}"
    );

    let prefill = browser
        .function(
            &s.handler,
            Request::get("/v1/musterstadt/auth/prefill?form=meldebescheinigung")
                .header(header::ORIGIN, SITE)
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    assert_eq!(prefill.status(), 200, "{}", body(&prefill));
    assert_eq!(
        prefill.headers()[header::ACCESS_CONTROL_ALLOW_CREDENTIALS],
        "true"
    );
    let answer: Value = serde_json::from_slice(prefill.body()).unwrap();
    assert_eq!(answer["answers"]["vorname"], "Erika");
    assert_eq!(answer["answers"]["nachname"], "Mustermann");
    assert_eq!(answer["trust-level"], "high");
    let mut locked: Vec<&str> = answer["locked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    locked.sort();
    // All prefilled answers are locked but the address: the account's may be outdated (the
    // registry's, once looked up, is locked).
    let mut prefilled: Vec<&String> = answer["answers"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "anschrift")
        .collect();
    prefilled.sort();
    assert_eq!(locked, prefilled);
    assert!(answer["token"].as_str().unwrap().starts_with("1.k1."));

    let answers = answer["answers"].as_object().unwrap();
    let sent = browser
        .function(
            &s.handler,
            json_post(
                "/v1/musterstadt/meldebescheinigung",
                &meldebescheinigung(answers),
            ),
        )
        .await;
    assert_eq!(sent.status(), 201, "{}", body(&sent));
    // The session ends with the submission.
    assert!(
        sent.headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("__Secure-ff-session=;"))
    );
    let records = stored_records(&s.store).await;
    assert_eq!(records.len(), 1);
    let identity = &records[0]["identity"];
    assert_eq!(identity["family-name"], "Mustermann");
    assert_eq!(identity["trust-level"], "high");
    assert_eq!(identity["trust-level-claim"], "STORK-QAA-Level-4");
    assert!(
        identity["provider"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert!(!identity["bpk2"].as_str().unwrap().is_empty());
    // And in the FIT-Connect metadata's authentication information.
    let meta_key = s
        .store
        .list("")
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.ends_with("submission.json"))
        .unwrap();
    let meta: Value = stored_metadata(&s.store.get(&meta_key).await.unwrap().unwrap());
    let auth = &meta["authenticationInformation"][0];
    assert_eq!(auth["type"], "identificationReport");
    use base64::Engine;
    let report: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(auth["content"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(&report, identity);
}

#[tokio::test]
async fn without_javascript_the_callback_answers_with_the_prefilled_form_page() {
    let s = setup().await;
    let browser = Browser::default();
    let login_view = "?view=page";
    // `view=page` travels in the login link's query, after the return URL's own parameter.
    let login = browser
        .function(
            &s.handler,
            get(&format!(
                "/v1/musterstadt/auth/login?return={SITE}/fahrerlaubnis-ersterteilung/&view=page"
            )),
        )
        .await;
    assert_eq!(login.status(), 303, "{login_view}: {}", body(&login));
    let callback = browser
        .at_provider(Url::parse(&location(&login)).unwrap(), Some("max"))
        .await;
    let page = browser
        .function(
            &s.handler,
            get(&format!(
                "/v1/musterstadt/auth/callback?{}",
                callback.query().unwrap()
            )),
        )
        .await;
    assert_eq!(page.status(), 200, "{}", body(&page));
    let html = body(&page);
    assert!(html.contains(r#"value="Max Erich""#), "{html}");
    assert!(
        html.contains(r#"value="Lindenweg""#) || html.contains("Musterstadt"),
        "{html}"
    );
}

#[tokio::test]
async fn sign_in_refusals_are_clear_and_store_nothing() {
    let s = setup().await;
    // Cancel at the provider: a page that says so and leads back to the form, no session.
    let browser = Browser::default();
    let cancelled = sign_in(&s, &browser, "meldebescheinigung", None, "").await;
    assert_eq!(cancelled.status(), 200);
    let page = body(&cancelled);
    assert!(page.contains("Anmeldung abgebrochen"), "{page}");
    assert!(page.contains("nur nach einer Anmeldung"), "{page}");
    assert!(
        page.contains(&format!("{SITE}/meldebescheinigung/")),
        "{page}"
    );
    assert!(browser.function.lock().unwrap().is_empty());

    // A level too low (ELSTER, "substantial", for a form requiring "high").
    let browser = Browser::default();
    let low = sign_in(&s, &browser, "meldebescheinigung", Some("max"), "").await;
    assert_eq!(low.status(), 403);
    assert!(body(&low).contains("Online-Ausweis"), "{}", body(&low));

    // A session of "substantial" (from the weapons permit) presented at a "high" form.
    let browser = Browser::default();
    let ok = sign_in(&s, &browser, "waffenbesitzkarte", Some("max"), "").await;
    assert_eq!(ok.status(), 303, "{}", body(&ok));
    let answers = serde_json::Map::from_iter([
        ("vorname".to_string(), json!("Max Erich")),
        ("nachname".to_string(), json!("Mustermann")),
        ("geburtsdatum".to_string(), json!("1988-02-29")),
        (
            "anschrift".to_string(),
            json!({"street": "Lindenweg", "house-number": "4a", "postcode": "35399", "city": "Musterstadt"}),
        ),
    ]);
    let r = browser
        .function(
            &s.handler,
            json_post(
                "/v1/musterstadt/meldebescheinigung",
                &meldebescheinigung(&answers),
            ),
        )
        .await;
    assert_eq!(r.status(), 403, "{}", body(&r));
    assert_eq!(
        serde_json::from_slice::<Value>(r.body()).unwrap()["error"]["code"],
        "trust-level-too-low"
    );

    // Erika, signed in, changes a locked answer.
    let browser = Browser::default();
    sign_in(&s, &browser, "meldebescheinigung", Some("erika"), "").await;
    let prefill = browser
        .function(
            &s.handler,
            get("/v1/musterstadt/auth/prefill?form=meldebescheinigung"),
        )
        .await;
    let answer: Value = serde_json::from_slice(prefill.body()).unwrap();
    let mut answers = answer["answers"].as_object().unwrap().clone();
    answers.insert("nachname".into(), json!("Musterfrau"));
    let r = browser
        .function(
            &s.handler,
            json_post(
                "/v1/musterstadt/meldebescheinigung",
                &meldebescheinigung(&answers),
            ),
        )
        .await;
    assert_eq!(r.status(), 403, "{}", body(&r));
    let error: Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(error["error"]["code"], "locked-answer-changed");

    // A forged session cookie.
    let forged = Browser::default();
    forged.function.lock().unwrap().push((
        "__Secure-ff-session".into(),
        "1.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into(),
    ));
    let answers = answer["answers"].as_object().unwrap().clone();
    let r = forged
        .function(
            &s.handler,
            json_post(
                "/v1/musterstadt/meldebescheinigung",
                &meldebescheinigung(&answers),
            ),
        )
        .await;
    assert_eq!(r.status(), 401, "{}", body(&r));
    assert_eq!(
        serde_json::from_slice::<Value>(r.body()).unwrap()["error"]["code"],
        "session-refused"
    );

    // No session at all.
    let r = Browser::default()
        .function(
            &s.handler,
            json_post(
                "/v1/musterstadt/meldebescheinigung",
                &meldebescheinigung(&answers),
            ),
        )
        .await;
    assert_eq!(r.status(), 401, "{}", body(&r));

    // An expired session (31 minutes later).
    s.clock.0.store(31 * 60, Ordering::SeqCst);
    let r = browser
        .function(
            &s.handler,
            json_post(
                "/v1/musterstadt/meldebescheinigung",
                &meldebescheinigung(&answers),
            ),
        )
        .await;
    assert_eq!(r.status(), 401, "{}", body(&r));
    assert_eq!(
        serde_json::from_slice::<Value>(r.body()).unwrap()["error"]["code"],
        "sign-in-needed"
    );

    assert!(
        stored_records(&s.store).await.is_empty(),
        "nothing is stored"
    );
}

#[tokio::test]
async fn a_callback_is_used_once_and_needs_its_own_flow_cookie() {
    let s = setup().await;
    let browser = Browser::default();
    let login = browser
        .function(
            &s.handler,
            get(&format!(
                "/v1/musterstadt/auth/login?return={SITE}/meldebescheinigung/"
            )),
        )
        .await;
    let flow = browser.function.lock().unwrap().clone();
    let callback = browser
        .at_provider(Url::parse(&location(&login)).unwrap(), Some("erika"))
        .await;
    let path = format!(
        "/v1/musterstadt/auth/callback?{}",
        callback.query().unwrap()
    );
    // Another browser (no flow cookie) presenting the callback: refused.
    let other = Browser::default();
    let r = other.function(&s.handler, get(&path)).await;
    assert_eq!(r.status(), 400, "{}", body(&r));
    // The right browser: signed in.
    let r = browser.function(&s.handler, get(&path)).await;
    assert_eq!(r.status(), 303, "{}", body(&r));
    // Replayed with the old flow cookie: the state matches, but the code is spent.
    let replay = Browser::default();
    *replay.function.lock().unwrap() = flow;
    let r = replay.function(&s.handler, get(&path)).await;
    assert_eq!(r.status(), 400, "{}", body(&r));
    assert!(
        !replay
            .function
            .lock()
            .unwrap()
            .iter()
            .any(|(n, _)| n.contains("session"))
    );
}

#[tokio::test]
async fn the_return_url_must_be_a_form_page_with_sign_in_of_this_site() {
    let s = setup().await;
    for bad in [
        "https://evil.example/meldebescheinigung/".to_string(),
        "//evil.example/meldebescheinigung/".to_string(),
        format!("{SITE}/hundesteuer-anmeldung/"),
        format!("{SITE}/meldebescheinigung/../../x"),
        format!("{SITE}/meldebescheinigung/%2e%2e/"),
        format!("{SITE}@evil.example/meldebescheinigung/"),
        "javascript:alert(1)".to_string(),
        String::new(),
    ] {
        let encoded = url::form_urlencoded::byte_serialize(bad.as_bytes()).collect::<String>();
        let r = s
            .handler
            .handle(get(&format!("/v1/musterstadt/auth/login?return={encoded}")))
            .await;
        assert_eq!(r.status(), 400, "{bad}");
        assert!(r.headers().get(header::LOCATION).is_none(), "{bad}");
        assert!(r.headers().get(header::SET_COOKIE).is_none(), "{bad}");
    }
    let en = s
        .handler
        .handle(get(&format!(
            "/v1/musterstadt/auth/login?return={SITE}/en/meldebescheinigung/"
        )))
        .await;
    assert_eq!(en.status(), 303);
    // A municipality without a broker offers no sign-in.
    let r = s
        .handler
        .handle(get("/v1/beispieldorf/auth/login?return=x"))
        .await;
    assert_eq!(r.status(), 404);
}

async fn draft_keys(store: &MemoryStore) -> Vec<String> {
    store.list("_drafts/").await.unwrap()
}

#[tokio::test]
async fn a_draft_is_kept_sealed_for_the_signed_in_person_only_and_removed_by_sending() {
    let s = setup().await;
    let draft = "/v1/musterstadt/auth/draft?form=meldebescheinigung";
    let saved = json!({ "language": "de", "data": { "art": "einfach", "vorname": "Erika", "nonsense": 1 } });

    // Without a session: nothing kept.
    let anonymous = Browser::default();
    let refused = anonymous
        .function(&s.handler, json_post(draft, &saved))
        .await;
    assert_eq!(refused.status(), 401, "{}", body(&refused));
    assert!(draft_keys(&s.store).await.is_empty());

    let erika = Browser::default();
    let back = sign_in(&s, &erika, "meldebescheinigung", Some("erika"), "").await;
    assert_eq!(back.status(), 303, "{}", body(&back));
    let ok = erika.function(&s.handler, json_post(draft, &saved)).await;
    assert_eq!(ok.status(), 200, "{}", body(&ok));
    assert!(
        body(&ok).contains("Entwurf ist gespeichert"),
        "{}",
        body(&ok)
    );
    // Under a keyed hash, sealed: neither the bPK2 nor an answer readable in the store.
    let keys = draft_keys(&s.store).await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    let name = keys[0]
        .strip_prefix("_drafts/musterstadt/meldebescheinigung/")
        .and_then(|n| n.strip_suffix(".draft"))
        .unwrap();
    assert!(
        name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()),
        "{name}"
    );
    let sealed = String::from_utf8(s.store.get(&keys[0]).await.unwrap().unwrap().to_vec()).unwrap();
    assert!(
        !sealed.contains("einfach") && !sealed.contains("Erika"),
        "{sealed}"
    );
    assert!(!sealed.contains("Qm9vb0VyaWth") && !keys[0].contains("Qm9vb0VyaWth"));

    // Read back with the session: the form's own answers only.
    let read = erika.function(&s.handler, get(draft)).await;
    assert_eq!(read.status(), 200, "{}", body(&read));
    let read: Value = serde_json::from_slice(read.body()).unwrap();
    assert_eq!(
        read["answers"],
        json!({ "art": "einfach", "vorname": "Erika" })
    );
    // The prefill answer brings it along.
    let prefill = erika
        .function(
            &s.handler,
            get("/v1/musterstadt/auth/prefill?form=meldebescheinigung"),
        )
        .await;
    let prefill: Value = serde_json::from_slice(prefill.body()).unwrap();
    assert_eq!(prefill["draft"]["art"], "einfach");

    // Another person signed in finds no draft (and cannot reach Erika's).
    let ayse = Browser::default();
    let back = sign_in(&s, &ayse, "meldebescheinigung", Some("ayse"), "").await;
    assert_eq!(back.status(), 303, "{}", body(&back));
    let none = ayse.function(&s.handler, get(draft)).await;
    assert_eq!(none.status(), 404, "{}", body(&none));

    // Sending the form removes the draft.
    let answers = prefill["answers"].as_object().unwrap();
    let sent = erika
        .function(
            &s.handler,
            json_post(
                "/v1/musterstadt/meldebescheinigung",
                &meldebescheinigung(answers),
            ),
        )
        .await;
    assert_eq!(sent.status(), 201, "{}", body(&sent));
    assert!(draft_keys(&s.store).await.is_empty());
}

fn registry_post(return_to: &str, body: &str, script: bool) -> Request<Bytes> {
    Request::post(format!("/v1/musterstadt/auth/registry?return={return_to}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, SITE)
        .header(header::ACCEPT_LANGUAGE, "de")
        .header(
            header::ACCEPT,
            if script {
                "application/json"
            } else {
                "text/html"
            },
        )
        .body(Bytes::from(body.to_string()))
        .unwrap()
}

/// Signs in to the Meldebescheinigung as `person` and asks for the look-up with consent.
async fn look_up(s: &Setup, person: &str, script: bool) -> (Browser, Response<Bytes>) {
    let browser = Browser::default();
    sign_in(s, &browser, "meldebescheinigung", Some(person), "").await;
    let page = format!("{SITE}/meldebescheinigung/");
    let r = browser
        .function(&s.handler, registry_post(&page, "consent=yes", script))
        .await;
    (browser, r)
}

const REGISTERED: &str =
    r#"{"street":"Am Rathausplatz","house-number":"3","postcode":"35399","city":"Musterstadt"}"#;

#[tokio::test]
async fn the_registry_look_up_needs_a_session_consent_and_a_return_page_of_this_site() {
    let s = setup().await;
    let page = format!("{SITE}/meldebescheinigung/");
    // No session: 401, the registry not asked.
    let anonymous = Browser::default();
    let r = anonymous
        .function(&s.handler, registry_post(&page, "consent=yes", true))
        .await;
    assert_eq!(r.status(), 401, "{}", body(&r));
    let browser = Browser::default();
    let back = sign_in(&s, &browser, "meldebescheinigung", Some("erika"), "").await;
    assert_eq!(back.status(), 303, "{}", body(&back));
    // Signed in, but no consent: 400, nothing asked, no registry cookie.
    for no in ["", "consent=no", "consent="] {
        let r = browser
            .function(&s.handler, registry_post(&page, no, true))
            .await;
        assert_eq!(r.status(), 400, "{no}: {}", body(&r));
        let answer: Value = serde_json::from_slice(r.body()).unwrap();
        assert_eq!(answer["error"]["code"], "consent-needed");
        assert!(r.headers().get(header::SET_COOKIE).is_none());
    }
    // Open-redirect attempts and pages of forms without the look-up: 400, nothing asked.
    for bad in [
        "https://evil.example/meldebescheinigung/".to_string(),
        format!("{SITE}/meldebescheinigung/../evil"),
        format!("{SITE}.evil.example/meldebescheinigung/"),
        format!("//evil.example/{SITE}/meldebescheinigung/"),
        format!("{SITE}/fahrerlaubnis-ersterteilung/"),
    ] {
        let r = browser
            .function(&s.handler, registry_post(&bad, "consent=yes", false))
            .await;
        assert_eq!(r.status(), 400, "{bad}: {}", body(&r));
        assert!(r.headers().get(header::LOCATION).is_none(), "{bad}");
    }
    // GET is not a look-up.
    let r = browser
        .function(
            &s.handler,
            get(&format!("/v1/musterstadt/auth/registry?return={page}")),
        )
        .await;
    assert_eq!(r.status(), 405);
    assert_eq!(
        s.registry.look_ups(),
        0,
        "the registry was asked without consent"
    );
}

#[tokio::test]
async fn the_registry_address_is_filled_in_locked_enforced_and_its_source_recorded() {
    let s = setup().await;
    let (browser, r) = look_up(&s, "erika", true).await;
    assert_eq!(r.status(), 200, "{}", body(&r));
    assert_eq!(
        r.headers()[header::ACCESS_CONTROL_ALLOW_CREDENTIALS],
        "true"
    );
    let set = r.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(
        set.starts_with("__Secure-ff-registry=") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let answer: Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(answer["result"], "found");
    let registered: Value = serde_json::from_str(REGISTERED).unwrap();
    assert_eq!(answer["answers"]["anschrift"], registered);
    assert_eq!(answer["locked"], json!(["anschrift"]));
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("Stadt Musterstadt")
    );
    assert_eq!(s.registry.look_ups(), 1);
    // The prefill answer now has the registry's address, locked.
    let prefill = browser
        .function(
            &s.handler,
            get("/v1/musterstadt/auth/prefill?form=meldebescheinigung"),
        )
        .await;
    let prefill: Value = serde_json::from_slice(prefill.body()).unwrap();
    assert_eq!(prefill["answers"]["anschrift"], registered);
    assert!(
        prefill["locked"]
            .as_array()
            .unwrap()
            .contains(&json!("anschrift"))
    );
    let answers = prefill["answers"].as_object().unwrap().clone();
    // A changed address (the account's old one, or any other) is refused; nothing stored.
    let mut changed = answers.clone();
    changed["anschrift"]["house-number"] = json!("5");
    let refused = browser
        .function(
            &s.handler,
            json_post(
                "/v1/musterstadt/meldebescheinigung",
                &meldebescheinigung(&changed),
            ),
        )
        .await;
    assert_eq!(refused.status(), 403, "{}", body(&refused));
    let refusal: Value = serde_json::from_slice(refused.body()).unwrap();
    assert_eq!(refusal["error"]["code"], "registry-answer-changed");
    assert!(stored_records(&s.store).await.is_empty());
    // The registry's address: accepted, the record says where each answer came from.
    let sent = browser
        .function(
            &s.handler,
            json_post(
                "/v1/musterstadt/meldebescheinigung",
                &meldebescheinigung(&answers),
            ),
        )
        .await;
    assert_eq!(sent.status(), 201, "{}", body(&sent));
    let cleared: Vec<&str> = sent
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("__Secure-ff-registry=;") && c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    let records = stored_records(&s.store).await;
    assert_eq!(records.len(), 1);
    let identity = &records[0]["identity"];
    assert_eq!(identity["answer-sources"]["anschrift"], "registry");
    assert_eq!(identity["answer-sources"]["vorname"], "account");
    assert_eq!(identity["registry"]["address"]["street"], "Am Rathausplatz");
    assert_eq!(identity["registry"]["registered-since"], "2026-10-01");
    assert!(identity["registry"]["consent-given-at"].is_string());
}

#[tokio::test]
async fn without_a_registry_statement_the_address_is_typed_and_a_forged_one_counts_for_nothing() {
    let s = setup().await;
    let browser = Browser::default();
    sign_in(&s, &browser, "meldebescheinigung", Some("erika"), "").await;
    let prefill = browser
        .function(
            &s.handler,
            get("/v1/musterstadt/auth/prefill?form=meldebescheinigung"),
        )
        .await;
    let prefill: Value = serde_json::from_slice(prefill.body()).unwrap();
    let mut answers = prefill["answers"].as_object().unwrap().clone();
    // The account's (old) address can be corrected without the look-up.
    answers["anschrift"] = serde_json::from_str(REGISTERED).unwrap();
    browser
        .function
        .lock()
        .unwrap()
        .push(("__Secure-ff-registry".into(), "1.k1.AAAAforged".into()));
    let sent = browser
        .function(
            &s.handler,
            json_post(
                "/v1/musterstadt/meldebescheinigung",
                &meldebescheinigung(&answers),
            ),
        )
        .await;
    assert_eq!(sent.status(), 201, "{}", body(&sent));
    let records = stored_records(&s.store).await;
    assert_eq!(
        records[0]["identity"]["answer-sources"]["anschrift"],
        "typed"
    );
    assert!(records[0]["identity"].get("registry").is_none());
}

#[tokio::test]
async fn without_javascript_the_registry_look_up_answers_with_the_prefilled_page_or_says_why_not() {
    let s = setup().await;
    // Erika: the page with the registry's address as text (locked) and the message.
    let (_, r) = look_up(&s, "erika", false).await;
    assert_eq!(r.status(), 200, "{}", body(&r));
    let html = body(&r);
    assert!(
        html.contains("Am Rathausplatz 3, 35399 Musterstadt"),
        "{html}"
    );
    assert!(html.contains(r#"data-field="anschrift" data-locked="true""#));
    assert!(
        html.contains(r#"<p class="hint">Aus dem Melderegister; in diesem Antrag nicht änderbar."#)
    );
    assert!(html.contains("ist eingetragen"), "{html}");
    // Sent as hidden inputs.
    assert!(html.contains(r#"type="hidden""#) && html.contains(r#"value="Am Rathausplatz""#));
    // Ayşe is not registered in Musterstadt: the page says so, the address stays typeable.
    let (other, r) = look_up(&s, "ayse", false).await;
    assert_eq!(r.status(), 200, "{}", body(&r));
    let html = body(&r);
    assert!(html.contains("keine eindeutige Meldeadresse"), "{html}");
    assert!(
        !html.contains(r#"data-field="anschrift" data-locked="true""#),
        "{html}"
    );
    assert!(
        other
            .function
            .lock()
            .unwrap()
            .iter()
            .all(|(n, _)| n != "__Secure-ff-registry")
    );
    assert_eq!(s.registry.look_ups(), 2);
}

#[tokio::test]
async fn a_registry_that_cannot_be_reached_gives_a_clear_message() {
    let mut s = setup().await;
    let page = format!("{SITE}/meldebescheinigung/");
    let browser = Browser::default();
    sign_in(&s, &browser, "meldebescheinigung", Some("erika"), "").await;
    // The registry goes away.
    let registry = std::mem::replace(
        &mut s.registry,
        identity::registry::local::start(
            identity::registry::local::Residents::parse(
                "municipality: { ags: \"1\", name: x }\nresidents: []\n",
                "empty",
            )
            .unwrap(),
            "other".to_string().into(),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap(),
    );
    registry.stop().await;
    let r = browser
        .function(&s.handler, registry_post(&page, "consent=yes", true))
        .await;
    assert_eq!(r.status(), 503, "{}", body(&r));
    let answer: Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(answer["result"], "unavailable");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("nicht erreichbar")
    );
}
