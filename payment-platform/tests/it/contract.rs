//! The adapter against the local platform, for each authentication variant: create, pull, ask
//! for the service status; and what each variant does with wrong credentials.

use xbezahl::{ClientError, FunctionalCode, PaymentStatus};

use crate::common::{self, Variant};

async fn create_and_pull(variant: Variant) {
    let s = common::setup().await;
    let client = common::client(&s, variant).await;
    let request = common::request(&format!("contract-{variant:?}").to_lowercase());
    let created = client.create(&request).await.unwrap();
    let info = &created.payment_information;
    assert_eq!(info.status, PaymentStatus::Initial);
    let pay = info.transaction_redirect_url.as_deref().unwrap();
    assert!(pay.starts_with(s.platform.base_url().as_str()), "{pay}");
    let pulled = client.transaction(&info.transaction_id).await.unwrap();
    assert_eq!(pulled.payment_information, created.payment_information);
    let echoed: xbezahl::PaymentRequest =
        serde_json::from_value(pulled.payment_request.unwrap()).unwrap();
    assert_eq!(echoed, request);
    let status = client.service_status().await.unwrap();
    assert_eq!(status.status, Some(200));
    assert!(status.check().is_ok());
}

#[tokio::test]
async fn the_adapter_creates_and_pulls_with_oauth2_client_credentials() {
    create_and_pull(Variant::OAuth2).await;
}

#[tokio::test]
async fn the_adapter_creates_and_pulls_with_oauth2_credentials_in_a_basic_header() {
    create_and_pull(Variant::OAuth2BasicHeader).await;
}

#[tokio::test]
async fn the_adapter_creates_and_pulls_with_http_basic() {
    create_and_pull(Variant::Basic).await;
}

#[tokio::test]
async fn the_adapter_creates_and_pulls_with_a_client_certificate() {
    create_and_pull(Variant::Mtls).await;
}

#[tokio::test]
async fn over_mtls_the_transaction_url_points_at_the_mtls_listener() {
    let s = common::setup().await;
    let client = common::client(&s, Variant::Mtls).await;
    let created = client.create(&common::request("mtls-url")).await.unwrap();
    let url = created.payment_information.transaction_url.unwrap();
    assert!(
        url.starts_with(s.platform.mtls_base_url().unwrap().as_str()),
        "{url}"
    );
}

#[tokio::test]
async fn an_oauth2_token_is_fetched_once_and_reused() {
    let s = common::setup().await;
    let client = common::client(&s, Variant::OAuth2).await;
    let created = client
        .create(&common::request("token-reuse"))
        .await
        .unwrap();
    let id = &created.payment_information.transaction_id;
    client.transaction(id).await.unwrap();
    client.transaction(id).await.unwrap();
    client.service_status().await.unwrap();
    assert_eq!(s.platform.token_requests(), 1);
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once_and_the_call_succeeds() {
    let s = common::setup().await;
    let client = common::client(&s, Variant::OAuth2).await;
    let created = client
        .create(&common::request("token-revoked"))
        .await
        .unwrap();
    s.platform.revoke_tokens();
    let pulled = client
        .transaction(&created.payment_information.transaction_id)
        .await
        .unwrap();
    assert_eq!(pulled.payment_information.status, PaymentStatus::Initial);
    assert_eq!(s.platform.token_requests(), 2);
}

#[tokio::test]
async fn a_wrong_oauth2_secret_is_refused_by_the_token_endpoint_with_401() {
    let s = common::setup().await;
    let client = common::client(&s, Variant::WrongOAuth2Secret).await;
    let e = client
        .create(&common::request("wrong-secret"))
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Token { status: 401, .. }), "{e}");
}

#[tokio::test]
async fn a_wrong_basic_password_is_forbidden_with_403() {
    let s = common::setup().await;
    let client = common::client(&s, Variant::WrongBasicPassword).await;
    let e = client
        .create(&common::request("wrong-password"))
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Problem { status: 403, .. }), "{e}");
    assert_eq!(e.functional_code(), Some(&FunctionalCode::Forbidden));
}

#[tokio::test]
async fn a_certificate_of_the_platforms_ca_that_is_not_registered_is_forbidden() {
    let s = common::setup().await;
    let client = common::client(&s, Variant::UnregisteredCertificate).await;
    let e = client.service_status().await.unwrap_err();
    assert_eq!(e.functional_code(), Some(&FunctionalCode::Forbidden), "{e}");
}

#[tokio::test]
async fn a_certificate_of_another_ca_does_not_get_through_the_handshake() {
    let s = common::setup().await;
    let client = common::client(&s, Variant::ForeignCertificate).await;
    let e = client.service_status().await.unwrap_err();
    assert!(matches!(e, ClientError::Transport { .. }), "{e}");
}

#[tokio::test]
async fn the_mtls_listener_refuses_a_caller_without_a_certificate() {
    let s = common::setup().await;
    let mut config = common::platform_config(&s, Variant::Basic, common::ENDPOINT);
    config.base_url = s.platform.mtls_base_url().unwrap().to_string();
    config.ca_certificate = Some(xbezahl::SecretRef::Env("PLATFORM_CA".into()));
    let client = xbezahl::Client::new(&config, common::secrets(&s))
        .await
        .unwrap();
    let e = client.service_status().await.unwrap_err();
    assert!(matches!(e, ClientError::Transport { .. }), "{e}");
}

#[tokio::test]
async fn a_missing_secret_is_named_before_anything_is_sent() {
    let s = common::setup().await;
    let mut config = common::platform_config(&s, Variant::Basic, common::ENDPOINT);
    config.auth = xbezahl::AuthConfig::Basic(xbezahl::config::BasicConfig {
        username: common::BASIC_USER.into(),
        password: xbezahl::SecretRef::Env("FORMFABRIK_PAYMENT_NOWHERE_PASSWORD".into()),
    });
    let e = xbezahl::Client::new(&config, common::secrets(&s))
        .await
        .err()
        .unwrap();
    assert_eq!(
        e.to_string(),
        "a payment secret is missing: the environment variable FORMFABRIK_PAYMENT_NOWHERE_PASSWORD is not set"
    );
}
