//! The function's secrets from SSM Parameter Store and Secrets Manager, against moto's server
//! (the one the S3 tests use): the payment platform's credentials the registry names, sign-in's
//! secrets below a path, the time-to-live of the cache, and errors that name the secret and
//! the store.

use std::sync::Arc;
use std::time::Duration;

use identity::secrets::{self as id_secrets, SecretSource as _};
use secrecy::ExposeSecret;
use submit_fn::payment::Payments;
use submit_fn::secrets::{AwsSecrets, SecretLocation};
use test_support::moto;
use test_support::payment as platform;
use uuid::Uuid;
use xbezahl::secret::{SecretError, SecretRef};

/// A path of its own per test (tests share one moto).
fn path() -> String {
    format!("/ff-{}", Uuid::new_v4().simple())
}

async fn put_parameter(name: &str, value: &str) {
    aws_sdk_ssm::Client::new(&moto::sdk_config())
        .put_parameter()
        .name(name)
        .value(value)
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .overwrite(true)
        .send()
        .await
        .expect("put the parameter into moto");
}

async fn create_secret(name: &str, value: &str) {
    aws_sdk_secretsmanager::Client::new(&moto::sdk_config())
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .expect("create the secret in moto");
}

fn source(location: SecretLocation, ttl: Duration) -> AwsSecrets {
    AwsSecrets::new(&moto::sdk_config(), location, ttl)
}

#[tokio::test]
async fn payment_secrets_named_in_the_registry_come_from_ssm_and_secrets_manager() {
    let path = path();
    put_parameter(&format!("{path}/password"), "from-ssm").await;
    let secret_name = format!("{}/certificate", &path[1..]);
    create_secret(&secret_name, "from-secrets-manager").await;
    let secrets = source(SecretLocation::Env, Duration::from_secs(300));
    let ssm = SecretRef::AwsSsmParameter(format!("{path}/password"));
    let sm = SecretRef::AwsSecretsManager(secret_name.clone());
    use xbezahl::SecretSource as _;
    assert_eq!(secrets.resolve(&ssm).await.unwrap().expose(), "from-ssm");
    assert_eq!(
        secrets.resolve(&sm).await.unwrap().expose(),
        "from-secrets-manager"
    );

    // Missing: the error names the store and the secret, as the start-up log shows it.
    let missing = SecretRef::AwsSsmParameter(format!("{path}/nope"));
    let e = secrets.resolve(&missing).await.unwrap_err();
    assert!(matches!(e, SecretError::Missing(_)), "{e}");
    assert_eq!(
        e.to_string(),
        format!("the AWS SSM parameter {path}/nope is not set")
    );
    let e = secrets
        .resolve(&SecretRef::AwsSecretsManager(format!("{secret_name}-nope")))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("AWS Secrets Manager secret {secret_name}-nope")),
        "{e}"
    );
}

#[tokio::test]
async fn a_value_is_kept_for_its_time_to_live_and_then_read_again() {
    let path = path();
    let name = format!("{path}/client-secret");
    put_parameter(&name, "first").await;
    let reference = SecretRef::AwsSsmParameter(name.clone());
    let kept = source(SecretLocation::Env, Duration::from_secs(300));
    let fresh = source(SecretLocation::Env, Duration::ZERO);
    assert_eq!(
        kept.value(&reference).await.unwrap().expose_secret(),
        "first"
    );
    assert_eq!(
        fresh.value(&reference).await.unwrap().expose_secret(),
        "first"
    );
    put_parameter(&name, "rotated").await;
    assert_eq!(
        kept.value(&reference).await.unwrap().expose_secret(),
        "first"
    );
    assert_eq!(
        fresh.value(&reference).await.unwrap().expose_secret(),
        "rotated"
    );
}

#[tokio::test]
async fn a_store_that_cannot_be_reached_is_named_with_the_secret() {
    let config = moto::sdk_config()
        .into_builder()
        .endpoint_url(format!("http://127.0.0.1:{}", test_support::free_port()))
        .build();
    let secrets = AwsSecrets::new(
        &config,
        SecretLocation::Ssm("/formfabrik".into()),
        Duration::from_secs(300),
    );
    let e = id_secrets::require(&secrets, id_secrets::SESSION_KEYS)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(
            "secret session-keys could not be read: the AWS SSM parameter /formfabrik/session-keys cannot be read: "
        ),
        "{e}"
    );
}

#[tokio::test]
async fn sign_in_secrets_are_read_below_a_parameter_path_or_a_secret_name_prefix() {
    let path = path();
    put_parameter(&format!("{path}/session-keys"), "k1:c2VjcmV0").await;
    put_parameter(&format!("{path}/musterstadt/oidc-client-secret"), "oidc").await;
    let ssm = source(SecretLocation::Ssm(path.clone()), Duration::from_secs(300));
    let keys = id_secrets::require(&ssm, id_secrets::SESSION_KEYS)
        .await
        .unwrap();
    assert_eq!(keys.expose_secret(), "k1:c2VjcmV0");
    let client = ssm
        .get("musterstadt/oidc-client-secret")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(client.expose_secret(), "oidc");
    // Not there: `None`, so sign-in's start names what to set.
    assert!(ssm.get(id_secrets::REGISTRY_TOKEN).await.unwrap().is_none());

    let prefix = format!("{}/", &path[1..]);
    create_secret(&format!("{prefix}session-keys"), "k2:c2VjcmV0").await;
    let sm = source(
        SecretLocation::SecretsManager(prefix),
        Duration::from_secs(300),
    );
    let keys = id_secrets::require(&sm, id_secrets::SESSION_KEYS)
        .await
        .unwrap();
    assert_eq!(keys.expose_secret(), "k2:c2VjcmV0");
}

#[tokio::test]
async fn the_payment_platform_is_reached_with_a_client_secret_from_ssm() {
    let platform = platform::start().await;
    let mut registry = crate::common::registry();
    platform::use_platform(&mut registry, &platform);
    let path = path();
    let name = format!("{path}/testheim/payment-client-secret");
    for m in &mut registry.municipalities {
        if let Some(o) = m
            .payment
            .as_mut()
            .and_then(|p| p.platform.auth.oauth2.as_mut())
        {
            o.client_secret.env = None;
            o.client_secret.aws_ssm_parameter = Some(name.clone());
        }
    }
    put_parameter(&name, platform::SECRET).await;
    let secrets = Arc::new(source(SecretLocation::Env, Duration::from_secs(300)));
    let payments = Payments::if_any(&registry, secrets).unwrap();
    let client = payments.client("testheim").await.unwrap();
    client
        .service_status()
        .await
        .expect("the platform takes the token fetched with the secret from SSM");
}
