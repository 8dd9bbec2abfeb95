//! The authorization code flow end to end over real HTTP: discovery, the authorization request,
//! the provider's sign-in page, the callback, the code exchange and the ID token check.

use std::collections::BTreeMap;
use std::sync::Arc;

use identity::transport::HttpsTransport;
use identity::{
    ClientAuth, ClientCredentials, IdentityError, RelyingParty, TrustLevel, VerifiedIdentity,
};
use secrecy::SecretString;
use time::macros::date;
use url::Url;

use crate::support::*;

#[tokio::test]
async fn the_authorization_request_carries_pkce_state_nonce_and_the_acceptable_levels() {
    let provider = Provider::start();
    let rp = provider.direct_relying_party().await;
    let start = rp.begin(
        return_to("/waffenschein/"),
        Some(TrustLevel::Substantial),
        BTreeMap::new(),
    );
    let url = &start.authorization_url;
    assert!(
        url.as_str()
            .starts_with(&format!("{}/auth?", provider.issuer))
    );
    let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT);
    assert_eq!(q["redirect_uri"], REDIRECT);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["scope"], "openid profile email address bundid");
    assert_eq!(q["prompt"], "login");
    assert_eq!(q["state"], start.flow.state);
    assert_eq!(q["nonce"], start.flow.nonce);
    let acr: Vec<&str> = q["acr_values"].split(' ').collect();
    assert!(acr.contains(&"STORK-QAA-Level-3") && acr.contains(&"STORK-QAA-Level-4"));
    assert!(!acr.contains(&"STORK-QAA-Level-1"));
    // The verifier stays in the sealed flow state; only its hash travels.
    assert!(!url.as_str().contains(&start.flow.pkce_verifier));
    assert!(start.flow.state.len() >= 22 && start.flow.nonce.len() >= 22);
    // Each sign-in gets its own values.
    let again = rp.begin(return_to("/waffenschein/"), None, BTreeMap::new());
    assert_ne!(again.flow.state, start.flow.state);
    assert_ne!(again.flow.nonce, start.flow.nonce);
    assert_ne!(again.flow.pkce_verifier, start.flow.pkce_verifier);
}

#[tokio::test]
async fn a_citizen_signs_in_and_the_broker_s_claims_become_a_verified_identity() {
    let provider = Provider::start();
    let rp = provider.direct_relying_party().await;
    let sealer = sealer();
    let sessions = sessions(&sealer, system_clock());
    let max = sign_in_as(&rp, &sessions, "max", Some(TrustLevel::Substantial))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", provider.log()));
    assert_eq!(max.given_names, "Max Erich");
    assert_eq!(max.family_name, "Mustermann");
    assert_eq!(
        max.birth_date.as_ref().and_then(|b| b.date()),
        Some(date!(1988 - 02 - 29))
    );
    let address = max.address.clone().unwrap();
    assert_eq!(
        (
            address.street.as_str(),
            address.house_number.as_str(),
            address.postcode.as_str(),
            address.city.as_str()
        ),
        ("Lindenweg", "4a", "35399", "Musterstadt")
    );
    assert_eq!(max.email.as_deref(), Some("max.mustermann@example.org"));
    assert_eq!(max.bpk2, "TWF4TXVzdGVybWFubjE5ODgwMjI5TXVzdGVyc3RhZHQ=");
    assert_eq!(max.trust_level, TrustLevel::Substantial);
    assert_eq!(max.trust_level_claim, "STORK-QAA-Level-3");
    assert_eq!(max.provider, provider.issuer);
    assert_eq!(max.subject, "max");
    assert!(max.authenticated_at <= max.verified_at);

    // The session cookie carries exactly this identity back on the next request.
    let cookie = sessions.session_cookie(&max).unwrap();
    let back = sessions.session(&cookie_request(&cookie)).unwrap();
    assert_eq!(back.value.identity, max);
}

#[tokio::test]
async fn every_test_person_maps_to_its_trust_level_with_or_without_address() {
    let provider = Provider::start();
    let rp = provider.direct_relying_party().await;
    let sessions = sessions(&sealer(), system_clock());
    let mut seen: Vec<(String, TrustLevel, bool)> = Vec::new();
    for person in ["erika", "max", "jonas", "ayse"] {
        let id: VerifiedIdentity = sign_in_as(&rp, &sessions, person, None)
            .await
            .unwrap_or_else(|e| panic!("{person}: {e}\n{}", provider.log()));
        seen.push((id.family_name.clone(), id.trust_level, id.address.is_some()));
    }
    assert_eq!(
        seen,
        [
            ("Mustermann".to_string(), TrustLevel::High, true),
            ("Mustermann".to_string(), TrustLevel::Substantial, true),
            ("Beispiel".to_string(), TrustLevel::Low, true),
            ("Yılmaz-Schäfer".to_string(), TrustLevel::High, false),
        ]
    );
}

#[tokio::test]
async fn a_client_with_private_key_jwt_signs_in_without_a_shared_secret() {
    let provider = Provider::start();
    let rp = provider
        .discover(
            JWT_CLIENT,
            ClientCredentials::private_key(&provider.jwt_client_key).unwrap(),
            Arc::new(HttpsTransport::new().unwrap()),
            system_clock(),
        )
        .await
        .unwrap();
    let sessions = sessions(&sealer(), system_clock());
    let erika = sign_in_as(&rp, &sessions, "erika", Some(TrustLevel::High))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", provider.log()));
    assert_eq!(erika.given_names, "Erika");

    // A key the provider does not know for the client is refused at the token endpoint.
    let stranger = include_str!("../fixtures/TEST-ONLY-stranger-rsa2048.private.jwk.json");
    let rp = provider
        .discover(
            JWT_CLIENT,
            ClientCredentials::private_key(stranger).unwrap(),
            Arc::new(HttpsTransport::new().unwrap()),
            system_clock(),
        )
        .await
        .unwrap();
    let result = sign_in_as(&rp, &sessions, "erika", None).await;
    assert_eq!(token_endpoint_error(result), "invalid_client");
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused_at_the_token_endpoint() {
    let provider = Provider::start();
    let rp = provider
        .discover(
            CLIENT,
            ClientCredentials::Secret(SecretString::from("wrong".to_string())),
            Arc::new(HttpsTransport::new().unwrap()),
            system_clock(),
        )
        .await
        .unwrap();
    let result = sign_in_as(&rp, &sessions(&sealer(), system_clock()), "max", None).await;
    assert_eq!(token_endpoint_error(result), "invalid_client");
}

#[tokio::test]
async fn cancelling_at_the_provider_is_reported_as_cancelled_and_keeps_the_return_target() {
    let provider = Provider::start();
    let rp = provider.direct_relying_party().await;
    let sessions = sessions(&sealer(), system_clock());
    let Answered {
        flow_cookie,
        callback,
    } = begin_and_answer(&rp, &sessions, "/en/meldebescheinigung/", None, None).await;
    let query: BTreeMap<String, String> = callback.query_pairs().into_owned().collect();
    assert_eq!(query["error"], "access_denied");
    let err = complete(&rp, &sessions, &flow_cookie, &callback)
        .await
        .unwrap_err();
    assert!(matches!(err, IdentityError::Cancelled), "{err}");
    // Where the function sends the citizen back: the page the sign-in started on.
    let flow = sessions.flow(&cookie_request(&flow_cookie)).unwrap();
    assert_eq!(
        flow.return_to.as_str(),
        "https://formulare.musterstadt.example/en/meldebescheinigung/"
    );
}

#[tokio::test]
async fn a_sign_in_below_the_form_s_level_is_refused_with_both_levels_named() {
    let provider = Provider::start();
    let rp = provider.direct_relying_party().await;
    let sessions = sessions(&sealer(), system_clock());
    let err = sign_in_as(&rp, &sessions, "jonas", Some(TrustLevel::Substantial))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            IdentityError::TrustLevelTooLow {
                required: TrustLevel::Substantial,
                got: TrustLevel::Low
            }
        ),
        "{err}"
    );
    let err = sign_in_as(&rp, &sessions, "max", Some(TrustLevel::High))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            IdentityError::TrustLevelTooLow {
                required: TrustLevel::High,
                got: TrustLevel::Substantial
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn discovery_refuses_a_plain_http_issuer_that_is_not_loopback() {
    let provider = Provider::start();
    let mut settings = provider.settings(CLIENT, ClientAuth::ClientSecretBasic);
    settings.issuer = "http://id.musterstadt.example/realms/bundid".into();
    let err = RelyingParty::discover(
        settings,
        provider.secret(),
        Arc::new(HttpsTransport::new().unwrap()),
        system_clock(),
    )
    .await
    .err()
    .unwrap();
    assert!(matches!(err, IdentityError::Config(_)), "{err}");
    // The issuer in the discovery document must be the one configured.
    let mut settings = provider.settings(CLIENT, ClientAuth::ClientSecretBasic);
    let url = Url::parse(&provider.issuer).unwrap();
    settings.issuer = format!("http://localhost:{}", url.port().unwrap());
    let err = RelyingParty::discover(
        settings,
        provider.secret(),
        Arc::new(HttpsTransport::new().unwrap()),
        system_clock(),
    )
    .await
    .err()
    .unwrap();
    assert!(matches!(err, IdentityError::Discovery { .. }), "{err}");
}
