//! The registry look-up over HTTP: the JSON adapter against the local registry service with
//! the repository's test residents, and after a real sign-in.

use std::path::Path;
use std::sync::Arc;

use identity::registry::http::HttpRegistry;
use identity::registry::local::{self, Residents};
use identity::registry::{Consent, LookUp, Melderegister, RegistryError, ResidentQuery};
use identity::transport::HttpsTransport;
use secrecy::SecretString;
use time::OffsetDateTime;
use time::macros::date;

use crate::support::*;

fn residents() -> Residents {
    Residents::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/melderegister/musterstadt.yaml"),
    )
    .unwrap()
}

async fn start_registry(token: &str) -> local::RunningRegistry {
    local::start(
        residents(),
        SecretString::from(token.to_string()),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

fn adapter(url: &str, token: &str) -> HttpRegistry {
    HttpRegistry::new(
        url,
        SecretString::from(token.to_string()),
        Arc::new(HttpsTransport::new().unwrap()),
    )
    .unwrap()
}

fn consent() -> Consent {
    Consent {
        given_at: OffsetDateTime::now_utc(),
    }
}

fn query(family: &str, given: &str, birth: time::Date) -> ResidentQuery {
    ResidentQuery {
        family_name: family.into(),
        given_names: given.into(),
        birth_date: birth,
    }
}

#[tokio::test]
async fn the_http_adapter_finds_a_registered_address_and_nothing_for_others() {
    let service = start_registry("registry-token").await;
    let registry = adapter(service.url(), "registry-token");
    let found = registry
        .look_up(
            &query("Mustermann", "Max Erich", date!(1988 - 02 - 29)),
            consent(),
        )
        .await
        .unwrap();
    assert!(
        matches!(&found, LookUp::Found { address, registered_since: Some(d) }
            if address.street == "Lindenweg" && address.house_number == "4a" && *d == date!(2014 - 06 - 15)),
        "{found:?}"
    );
    assert_eq!(
        registry
            .look_up(
                &query("Yılmaz-Schäfer", "Ayşe", date!(1979 - 05 - 01)),
                consent()
            )
            .await
            .unwrap(),
        LookUp::NotFound
    );
    assert_eq!(
        registry
            .look_up(&query("Schmidt", "Anna", date!(1990 - 01 - 01)), consent())
            .await
            .unwrap(),
        LookUp::Ambiguous
    );
    service.stop().await;
}

#[tokio::test]
async fn a_wrong_registry_token_is_refused() {
    let service = start_registry("registry-token").await;
    let err = adapter(service.url(), "guessed")
        .look_up(
            &query("Mustermann", "Max Erich", date!(1988 - 02 - 29)),
            consent(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, RegistryError::Unauthorized { status: 401 }),
        "{err}"
    );
}

#[test]
fn the_adapter_refuses_plain_http_to_another_host() {
    let err = HttpRegistry::new(
        "http://melderegister.example/",
        SecretString::from("t".to_string()),
        Arc::new(HttpsTransport::new().unwrap()),
    )
    .err()
    .unwrap();
    assert!(matches!(err, RegistryError::BadUrl(_)), "{err}");
}

#[tokio::test]
async fn after_sign_in_the_registry_knows_a_newer_address_than_the_account() {
    let provider = Provider::start();
    let rp = provider.direct_relying_party().await;
    let erika = sign_in_as(&rp, &sessions(&sealer(), system_clock()), "erika", None)
        .await
        .unwrap();
    assert_eq!(erika.address.as_ref().unwrap().city, "Köln");
    let service = start_registry("registry-token").await;
    let answer = adapter(service.url(), "registry-token")
        .look_up(&ResidentQuery::for_identity(&erika).unwrap(), consent())
        .await
        .unwrap();
    let LookUp::Found { address, .. } = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(
        (
            address.street.as_str(),
            address.house_number.as_str(),
            address.city.as_str()
        ),
        ("Am Rathausplatz", "3", "Musterstadt")
    );
}
