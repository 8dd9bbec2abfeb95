//! One scheduled run as the Lambda makes it, with the settings the SAM template gives it: the
//! report goes to a real SMTP server (aiosmtpd, STARTTLS, AUTH) and is remembered in the store
//! only once it was sent.

use std::collections::BTreeMap;

use test_support::smtp::Smtp;
use time::macros::datetime;

fn env(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
    let map: BTreeMap<&str, String> = pairs.into_iter().collect();
    move |name| map.get(name).cloned()
}

#[tokio::test]
async fn a_scheduled_run_mails_the_report_and_remembers_it_only_after_sending() {
    let smtp = Smtp::start();
    let tmp = tempfile::tempdir().unwrap();
    let ca = tmp.path().join("ca.pem");
    std::fs::write(&ca, &smtp.ca_pem).unwrap();
    let store_dir = tmp.path().join("store");
    std::fs::create_dir_all(&store_dir).unwrap();
    let settings = |port: u16| {
        vec![
            ("FORMFABRIK_STORE", format!("file:{}", store_dir.display())),
            (
                "FORMFABRIK_REPORT_MUNICIPALITIES",
                "musterstadt, gruenwiesen".to_string(),
            ),
            ("FORMFABRIK_SMTP_HOST", "127.0.0.1".into()),
            ("FORMFABRIK_SMTP_PORT", port.to_string()),
            ("FORMFABRIK_SMTP_USER", smtp.user.clone()),
            ("FORMFABRIK_SMTP_PASSWORD", smtp.password.clone()),
            ("FORMFABRIK_SMTP_FROM", "formfabrik@example.org".into()),
            ("FORMFABRIK_SMTP_TO", "buergerbuero@example.org".into()),
            ("FORMFABRIK_SMTP_CA_FILE", ca.display().to_string()),
        ]
    };
    let now = datetime!(2026-12-01 05:00 UTC);

    // The relay is not reachable: the run fails and remembers nothing.
    let closed = test_support::free_port();
    let err = report_fn::run_once(env(settings(closed)), now)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{closed}")),
        "{err}"
    );
    assert!(!store_dir.join("_reports").exists());

    let counts = report_fn::run_once(env(settings(smtp.port)), now)
        .await
        .unwrap();
    assert_eq!(
        counts["municipalities"],
        serde_json::json!(["musterstadt", "gruenwiesen"])
    );
    let mails = smtp.wait_for(1);
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["tls"], true);
    assert!(
        mails[0]["subject"]
            .as_str()
            .unwrap()
            .contains("musterstadt, gruenwiesen")
    );
    assert!(
        mails[0]["text"]
            .as_str()
            .unwrap()
            .contains("Keine Anträge im Speicher.")
    );
    for m in ["musterstadt", "gruenwiesen"] {
        assert!(
            store_dir
                .join(format!("_reports/{m}/report-1.json"))
                .exists(),
            "{m}"
        );
    }

    // A setting the template forgot is named.
    let mut missing = settings(smtp.port);
    missing.retain(|(k, _)| *k != "FORMFABRIK_REPORT_MUNICIPALITIES");
    let err = report_fn::run_once(env(missing), now).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "FORMFABRIK_REPORT_MUNICIPALITIES is not set"
    );
}
