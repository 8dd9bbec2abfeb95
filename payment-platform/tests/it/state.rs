//! A state file keeps transactions across a restart of `serve`.

use xbezahl::PaymentStatus;

use crate::common::{self, Variant};

#[tokio::test]
async fn transactions_survive_a_restart_with_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("payment-platform.json");
    let s = common::setup_with_state(Some(file.clone())).await;
    let client = common::client(&s, Variant::Basic).await;
    let created = client.create(&common::request("restart")).await.unwrap();
    let id = created.payment_information.transaction_id.clone();
    s.platform.stop().await;
    assert!(file.exists());

    let s = common::setup_with_state(Some(file.clone())).await;
    let client = common::client(&s, Variant::OAuth2).await;
    let pulled = client.transaction(&id).await.unwrap();
    assert_eq!(pulled.payment_information.status, PaymentStatus::Initial);
    // The pay page lives on the new listener.
    let pay = pulled.payment_information.transaction_redirect_url.unwrap();
    assert!(pay.starts_with(s.platform.base_url().as_str()), "{pay}");
    // The same request after the restart is still the same transaction.
    let again = client.create(&common::request("restart")).await.unwrap();
    assert_eq!(again.payment_information.transaction_id, id);
}

#[tokio::test]
async fn a_state_file_that_cannot_be_read_stops_the_start_with_its_name_and_position() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(&file, "{\"version\": 1, \"transactions\": [}").unwrap();
    let ca = payment_platform::pki::Authority::new("ca").unwrap();
    let cert = ca.client("c").unwrap();
    let e = payment_platform::start(common::config(&ca, &cert, Some(file)))
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("broken.json cannot be read: expected value at line 1 column 33"),
        "{e}"
    );
}
