//! Attacks on the sign-in, each refused with a typed error: replayed state and nonce, tokens
//! signed by another key, for another audience, by another issuer, expired or unsigned,
//! mix-up of issuers, tampered or expired cookies. The provider is real; where an attacker
//! would present a token of their choosing, the tampering transport swaps it into the token
//! endpoint's answer.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use identity::seal::SealError;
use identity::transport::HttpsTransport;
use identity::{Callback, Clock, IdTokenError, IdentityError, SessionError, TrustLevel};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::support::*;

/// The system clock, moved by an offset: "later" without waiting.
struct Later(Duration);

impl Clock for Later {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.0
    }
}

#[tokio::test]
async fn a_callback_replayed_after_the_sign_in_is_refused() {
    let provider = Provider::start();
    let rp = provider.direct_relying_party().await;
    let sessions = sessions(&sealer(), system_clock());
    let Answered {
        flow_cookie,
        callback,
    } = begin_and_answer(&rp, &sessions, "/meldebescheinigung/", None, Some("max")).await;
    complete(&rp, &sessions, &flow_cookie, &callback)
        .await
        .unwrap();
    // The same cookie and the same callback again (a copied URL, a replaying proxy).
    let result = complete(&rp, &sessions, &flow_cookie, &callback).await;
    assert_eq!(token_endpoint_error(result), "invalid_grant");
}

#[tokio::test]
async fn a_callback_whose_state_belongs_to_another_sign_in_is_refused() {
    let provider = Provider::start();
    let rp = provider.direct_relying_party().await;
    let sessions = sessions(&sealer(), system_clock());
    // The victim's browser starts a sign-in; the attacker completes their own and sends the
    // victim to their callback (login CSRF).
    let victim = rp.begin(return_to("/meldebescheinigung/"), None, BTreeMap::new());
    let victim_cookie = sessions.flow_cookie(&victim.flow).unwrap();
    let attacker =
        begin_and_answer(&rp, &sessions, "/meldebescheinigung/", None, Some("jonas")).await;
    let err = complete(&rp, &sessions, &victim_cookie, &attacker.callback)
        .await
        .unwrap_err();
    assert!(matches!(err, IdentityError::StateMismatch), "{err}");

    // Without a state, and an error response with a state that is not this browser's: the
    // same refusal, not "cancelled".
    let flow = sessions.flow(&cookie_request(&victim_cookie)).unwrap();
    for query in [
        "code=x".to_string(),
        format!("error=access_denied&state=x&iss={}", provider.issuer),
    ] {
        let err = rp
            .finish(&flow, &Callback::from_query(&query).unwrap())
            .await
            .unwrap_err();
        assert!(
            matches!(err, IdentityError::StateMismatch),
            "{query}: {err}"
        );
    }
}

#[tokio::test]
async fn a_callback_from_another_issuer_or_without_one_is_refused() {
    let provider = Provider::start();
    let rp = provider.direct_relying_party().await;
    let sessions = sessions(&sealer(), system_clock());
    let Answered {
        flow_cookie,
        callback,
    } = begin_and_answer(&rp, &sessions, "/meldebescheinigung/", None, Some("max")).await;
    let flow = sessions.flow(&cookie_request(&flow_cookie)).unwrap();
    let mut real = Callback::from_query(callback.query().unwrap()).unwrap();
    assert_eq!(real.iss.as_deref(), Some(provider.issuer.as_str()));
    for iss in [Some("https://evil.example".to_string()), None] {
        real.iss = iss.clone();
        let err = rp.finish(&flow, &real).await.unwrap_err();
        assert!(
            matches!(&err, IdentityError::IssuerMismatch { got, .. } if *got == iss),
            "{err}"
        );
    }
}

#[tokio::test]
async fn an_id_token_of_an_earlier_sign_in_is_refused_by_its_nonce() {
    let provider = Provider::start();
    let tamper = Tamper::new(&provider);
    let rp = provider.relying_party(tamper.clone(), system_clock()).await;
    let sessions = sessions(&sealer(), system_clock());
    sign_in_as(&rp, &sessions, "erika", None).await.unwrap();
    let earlier = tamper.last_id_token();
    let err = tamper
        .attempt(&rp, &sessions, "erika", Swap::With(earlier))
        .await;
    assert!(matches!(err, IdTokenError::NonceMismatch(_)), "{err}");
}

#[tokio::test]
async fn an_id_token_issued_to_another_client_is_refused() {
    let provider = Provider::start();
    // Another service at the same provider gets a token for Erika...
    let other_transport = Tamper::new(&provider);
    let other = provider
        .discover(
            OTHER_CLIENT,
            identity::ClientCredentials::Secret(secrecy::SecretString::from(
                provider.other_secret.clone(),
            )),
            other_transport.clone(),
            system_clock(),
        )
        .await
        .unwrap();
    let sessions = sessions(&sealer(), system_clock());
    sign_in_as(&other, &sessions, "erika", None).await.unwrap();
    let foreign = other_transport.last_id_token();
    assert_eq!(payload_of(&foreign)["aud"], json!(OTHER_CLIENT));
    // ...and presents it to Formfabrik.
    let tamper = Tamper::new(&provider);
    let rp = provider.relying_party(tamper.clone(), system_clock()).await;
    let err = tamper
        .attempt(&rp, &sessions, "erika", Swap::With(foreign))
        .await;
    assert!(matches!(err, IdTokenError::WrongAudience(_)), "{err}");

    // A token listing Formfabrik next to an audience it does not trust is refused too.
    let err = tamper
        .attempt(
            &rp,
            &sessions,
            "erika",
            Swap::resigned(|c| {
                c.insert("aud".into(), json!([CLIENT, OTHER_CLIENT]));
            }),
        )
        .await;
    assert!(matches!(err, IdTokenError::WrongAudience(_)), "{err}");
}

#[tokio::test]
async fn an_id_token_signed_by_a_key_the_provider_never_published_is_refused() {
    let provider = Provider::start();
    let tamper = Tamper::new(&provider);
    let rp = provider.relying_party(tamper.clone(), system_clock()).await;
    let sessions = sessions(&sealer(), system_clock());
    let keys = provider.keys().await;

    // The spare key under its own key id: unknown even after fetching the JWKS again.
    let jwks_before = tamper.count("/jwks");
    let err = tamper
        .attempt(
            &rp,
            &sessions,
            "max",
            Swap::Resign {
                key: "spare",
                kid: None,
                edit: |_| {},
            },
        )
        .await;
    assert_eq!(err, IdTokenError::UnknownKey);
    assert_eq!(
        tamper.count("/jwks"),
        jwks_before + 1,
        "the JWKS is fetched once more"
    );

    // The spare key claiming to be the published one.
    let err = tamper
        .attempt(
            &rp,
            &sessions,
            "max",
            Swap::Resign {
                key: "spare",
                kid: Some(keys["active"].as_str().unwrap().to_string()),
                edit: |_| {},
            },
        )
        .await;
    assert!(matches!(err, IdTokenError::BadSignature(_)), "{err}");

    // The provider's own key, but claims changed after signing.
    *tamper.swap.lock().unwrap() = Swap::None;
    sign_in_as(&rp, &sessions, "jonas", None).await.unwrap();
    let real = tamper.last_id_token();
    let parts: Vec<&str> = real.split('.').collect();
    let mut claims = payload_of(&real);
    claims.insert("acr".into(), json!("STORK-QAA-Level-4"));
    let changed = format!(
        "{}.{}.{}",
        parts[0],
        B64.encode(Value::Object(claims).to_string()),
        parts[2]
    );
    let err = tamper
        .attempt(&rp, &sessions, "jonas", Swap::With(changed))
        .await;
    assert!(matches!(err, IdTokenError::BadSignature(_)), "{err}");
}

#[tokio::test]
async fn an_unsigned_id_token_is_refused() {
    let provider = Provider::start();
    let tamper = Tamper::new(&provider);
    let rp = provider.relying_party(tamper.clone(), system_clock()).await;
    let sessions = sessions(&sealer(), system_clock());
    sign_in_as(&rp, &sessions, "max", None).await.unwrap();
    let claims = payload_of(&tamper.last_id_token());
    let header = B64.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!(
        "{header}.{}.",
        B64.encode(Value::Object(claims).to_string())
    );
    let err = tamper
        .attempt(&rp, &sessions, "max", Swap::With(unsigned))
        .await;
    assert!(matches!(err, IdTokenError::DisallowedAlgorithm(_)), "{err}");
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    let provider = Provider::start();
    // A real token, checked after its lifetime (the provider issues them for 5 minutes).
    let rp = provider
        .relying_party(
            Arc::new(HttpsTransport::new().unwrap()),
            Arc::new(Later(Duration::minutes(6))),
        )
        .await;
    let sessions = sessions(&sealer(), system_clock());
    let err = id_token_error(sign_in_as(&rp, &sessions, "erika", None).await);
    assert!(matches!(err, IdTokenError::Expired(_)), "{err}");

    // A token signed by the provider's key whose expiry has passed.
    let tamper = Tamper::new(&provider);
    let rp = provider.relying_party(tamper.clone(), system_clock()).await;
    let err = tamper
        .attempt(
            &rp,
            &sessions,
            "erika",
            Swap::resigned(|c| {
                let iat = c["iat"].as_i64().unwrap();
                c.insert("exp".into(), json!(iat - 1));
            }),
        )
        .await;
    assert!(matches!(err, IdTokenError::Expired(_)), "{err}");

    // A token issued long before this sign-in (still unexpired) is refused as stale.
    let err = tamper
        .attempt(
            &rp,
            &sessions,
            "erika",
            Swap::resigned(|c| {
                let iat = c["iat"].as_i64().unwrap();
                c.insert("iat".into(), json!(iat - 3600));
                c.insert("exp".into(), json!(iat + 3600));
            }),
        )
        .await;
    assert!(matches!(err, IdTokenError::Expired(_)), "{err}");
}

#[tokio::test]
async fn an_id_token_naming_another_issuer_is_refused() {
    let provider = Provider::start();
    let tamper = Tamper::new(&provider);
    let rp = provider.relying_party(tamper.clone(), system_clock()).await;
    let sessions = sessions(&sealer(), system_clock());
    let err = tamper
        .attempt(
            &rp,
            &sessions,
            "max",
            Swap::resigned(|c| {
                c.insert("iss".into(), json!("https://id.evil.example"));
            }),
        )
        .await;
    assert!(matches!(err, IdTokenError::WrongIssuer(_)), "{err}");
}

#[tokio::test]
async fn after_the_provider_rotates_its_key_the_jwks_is_fetched_again_and_sign_in_works() {
    let provider = Provider::start();
    let tamper = Tamper::new(&provider);
    let rp = provider.relying_party(tamper.clone(), system_clock()).await;
    let sessions = sessions(&sealer(), system_clock());
    sign_in_as(&rp, &sessions, "max", None).await.unwrap();
    assert_eq!(tamper.count("/jwks"), 1);
    let keys = provider.rotate().await;
    sign_in_as(&rp, &sessions, "max", None)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", provider.log()));
    let token = tamper.last_id_token();
    let header: Value =
        serde_json::from_slice(&B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["kid"], keys["active"]);
    assert_eq!(
        tamper.count("/jwks"),
        2,
        "fetched once more, for the new key"
    );
    // The new key is known from now on.
    sign_in_as(&rp, &sessions, "max", None).await.unwrap();
    assert_eq!(tamper.count("/jwks"), 2);
}

#[tokio::test]
async fn a_tampered_or_expired_flow_or_session_cookie_is_refused() {
    let provider = Provider::start();
    let rp = provider.direct_relying_party().await;
    let sealer = sealer();
    let now = sessions(&sealer, system_clock());
    let start = rp.begin(
        return_to("/meldebescheinigung/"),
        Some(TrustLevel::High),
        BTreeMap::new(),
    );
    let flow_cookie = now.flow_cookie(&start.flow).unwrap();

    // A flow cookie changed by one character (say, to lower the required level), and the
    // same flow cookie eleven minutes later.
    assert_eq!(
        refusal(now.flow(&cookie_request(&changed(&flow_cookie, 5)))),
        SealError::Forged
    );
    let later = sessions(&sealer, Arc::new(Later(Duration::minutes(11))));
    assert!(matches!(
        refusal(later.flow(&cookie_request(&flow_cookie))),
        SealError::Expired { .. }
    ));

    // A session cookie of a real sign-in: changed, expired, from another key ring.
    let callback = Browser::default()
        .sign_in(&start.authorization_url, Some("erika"))
        .await;
    let erika = complete(&rp, &now, &flow_cookie, &callback).await.unwrap();
    let session = now.session_cookie(&erika).unwrap();
    assert_eq!(
        refusal(now.session(&cookie_request(&changed(&session, 20)))),
        SealError::Forged
    );
    let after = sessions(&sealer, Arc::new(Later(Duration::minutes(31))));
    assert!(matches!(
        refusal(after.session(&cookie_request(&session))),
        SealError::Expired { .. }
    ));
    let other_ring = sessions(&crate::support::sealer(), system_clock());
    assert_eq!(
        refusal(other_ring.session(&cookie_request(&session))),
        SealError::Forged
    );
}

/// A `Set-Cookie` value with the character `back` places before the end of its value changed.
fn changed(set_cookie: &http::HeaderValue, back: usize) -> http::HeaderValue {
    let text = set_cookie.to_str().unwrap();
    let i = text.find(';').unwrap() - back;
    let mut bytes = text.as_bytes().to_vec();
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    http::HeaderValue::from_bytes(&bytes).unwrap()
}

/// Why a cookie was refused.
fn refusal<T: std::fmt::Debug>(result: Result<T, SessionError>) -> SealError {
    match result {
        Err(SessionError::Refused { source, .. }) => source,
        other => panic!("expected a refused cookie, got {other:?}"),
    }
}
