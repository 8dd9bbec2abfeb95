//! `inbox report`: the counts per municipality and form (new since the last report, imported,
//! failed, stuck in a lease, waiting longest) from what the store holds in plaintext, without
//! the key; remembered only when delivered; sent by SMTP with STARTTLS and AUTH to a real
//! server (aiosmtpd on 127.0.0.1), carrying references and never an answer.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::common::*;
use inbox::import::{self, FolderSink, RunOptions};
use inbox::report::{self, FormSummary, Report, mail};
use inbox::{Filter, Inbox, Schemas};
use store::{FolderStore, Store};
use test_support::smtp::Smtp;
use time::{Duration, OffsetDateTime};

/// The back office's view without any key: all the report may use.
pub fn keyless(store: Arc<dyn Store>) -> Inbox {
    Inbox::new(store, None, Schemas::from_registry(&registry(false)))
}

pub async fn pull(
    inbox: &Inbox,
    m: &str,
    now: OffsetDateTime,
    out: &std::path::Path,
) -> import::RunReport {
    let clock = move || now;
    let opts = RunOptions {
        owner: format!("night-run-{now}"),
        lease: Duration::minutes(15),
        now: &clock,
    };
    let filter = Filter {
        municipality: m.into(),
        ..Filter::default()
    };
    import::run(inbox, &filter, &opts, &mut FolderSink::new(out))
        .await
        .unwrap()
}

/// reference → form of every submission of `m` in the store.
pub async fn references(inbox: &Inbox, m: &str) -> BTreeMap<String, String> {
    let all = inbox
        .list(&Filter {
            municipality: m.into(),
            include_acked: true,
            ..Filter::default()
        })
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for e in &all {
        out.insert(inbox.reference(e).await.unwrap().unwrap(), e.form.clone());
    }
    out
}

fn form<'a>(report: &'a Report, f: &str) -> &'a FormSummary {
    report.municipalities[0]
        .forms
        .iter()
        .find(|x| x.form == f)
        .unwrap_or_else(|| panic!("no line for {f}"))
}

fn per_form(sent: &[Sent], m: &str) -> BTreeMap<String, usize> {
    let mut n = BTreeMap::new();
    for s in sent.iter().filter(|s| s.municipality == m) {
        *n.entry(s.form.clone()).or_default() += 1;
    }
    n
}

/// The mail settings for `smtp`, as the environment would give them.
pub fn settings(smtp: &Smtp, dir: &std::path::Path) -> mail::Settings {
    let ca = dir.join("mail-ca.pem");
    std::fs::write(&ca, &smtp.ca_pem).unwrap();
    let env: BTreeMap<&str, String> = [
        (mail::HOST, "127.0.0.1".to_string()),
        (mail::PORT, smtp.port.to_string()),
        (mail::USER, smtp.user.clone()),
        (mail::PASSWORD, smtp.password.clone()),
        (
            mail::FROM,
            "Formfabrik <formfabrik@musterstadt.example>".into(),
        ),
        (
            mail::TO,
            "buergerbuero@musterstadt.example, it@musterstadt.example".into(),
        ),
        (mail::CA_FILE, ca.display().to_string()),
    ]
    .into_iter()
    .collect();
    mail::Settings::from_env(|name| env.get(name).cloned()).unwrap()
}

#[tokio::test]
async fn the_report_counts_new_imported_failed_stuck_and_waiting_per_form_without_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(FolderStore::new(tmp.path()));
    let sent = store_all(store.as_ref(), true).await;
    let expected = per_form(&sent, "musterstadt");
    let reporter = keyless(store.clone());
    let m = vec!["musterstadt".to_string()];
    let out = tempfile::tempdir().unwrap();

    // The first report: everything is new and waiting; nothing imported, failed or leased.
    let first = report::gather(&reporter, &m, NOW + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(first.municipalities[0].since, None);
    let lines: BTreeMap<String, usize> = first.municipalities[0]
        .forms
        .iter()
        .map(|f| (f.form.clone(), f.new.len()))
        .collect();
    assert_eq!(lines, expected);
    for f in &first.municipalities[0].forms {
        assert_eq!(
            (f.imported, f.failed.len(), f.leased.len(), f.waiting),
            (0, 0, 0, f.new.len())
        );
        // The oldest waiting is the first received (the examples are spread over two days).
        let oldest = f.oldest_waiting.as_ref().unwrap();
        assert!(f.new.iter().all(|i| i.received_at >= oldest.received_at));
        assert_eq!(oldest.received_at, NOW);
    }
    // A report not remembered changes nothing: the same report again.
    let again = report::gather(&reporter, &m, NOW + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(again, first);
    assert!(first.remember(reporter.store()).await.unwrap().is_empty());

    // A run without the key fails every submission: the next report says so, nothing is new.
    pull(
        &reporter,
        "musterstadt",
        NOW + Duration::hours(2),
        out.path(),
    )
    .await;
    let second = report::gather(&reporter, &m, NOW + Duration::hours(3))
        .await
        .unwrap();
    assert_eq!(
        second.municipalities[0].since,
        Some(NOW + Duration::hours(1))
    );
    for (f, n) in &expected {
        let line = form(&second, f);
        assert_eq!(line.new.len(), 0, "{f}");
        assert_eq!(line.failed.len(), *n, "{f}");
        assert_eq!(
            (line.imported, line.leased.len(), line.waiting),
            (0, 0, *n),
            "{f}"
        );
    }
    second.remember(reporter.store()).await.unwrap();

    // A run that crashed holding one submission's lease, then the corrected run: everything
    // else is imported, the one is stuck in the lease and waits longest.
    let all = reporter
        .list(&Filter {
            municipality: "musterstadt".into(),
            ..Filter::default()
        })
        .await
        .unwrap();
    let stuck = &all[0];
    let taken = store::lease::acquire(
        reporter.store(),
        stuck.imported(),
        "crashed-run:1",
        NOW + Duration::hours(4),
        Duration::minutes(15),
    )
    .await
    .unwrap();
    assert!(
        matches!(taken, store::lease::Acquired::Mine(_)),
        "{taken:?}"
    );
    let run = pull(
        &inbox(store.clone()),
        "musterstadt",
        NOW + Duration::hours(4),
        out.path(),
    )
    .await;
    assert_eq!(run.busy.len(), 1);
    let third = report::gather(&reporter, &m, NOW + Duration::hours(5))
        .await
        .unwrap();
    let stuck_reference = reporter.reference(stuck).await.unwrap().unwrap();
    for (f, n) in &expected {
        let line = form(&third, f);
        let here = usize::from(*f == stuck.form);
        assert_eq!(line.imported, n - here, "{f}");
        assert_eq!((line.new.len(), line.failed.len()), (0, 0), "{f}");
        assert_eq!((line.leased.len(), line.waiting), (here, here), "{f}");
        if here == 1 {
            assert_eq!(line.leased[0].reference, stuck_reference);
            assert_eq!(
                line.oldest_waiting.as_ref().unwrap().reference,
                stuck_reference
            );
        } else {
            assert_eq!(line.oldest_waiting, None);
        }
    }

    // In words: references and counts, never an answer.
    let rendered = report::render(&third, "de");
    assert!(
        rendered.text.contains(&stuck_reference),
        "{}",
        rendered.text
    );
    assert!(rendered.html.contains(&stuck_reference));
    assert!(
        rendered
            .text
            .contains("In Arbeit oder hängengeblieben (Sperre eines Laufs): 1"),
        "{}",
        rendered.text
    );
    assert!(
        rendered
            .subject
            .contains("musterstadt: 0 neu, 0 fehlgeschlagen, 1 wartend"),
        "{}",
        rendered.subject
    );
    let english = report::render(&third, "en");
    assert!(
        english.text.contains("Inbox report musterstadt"),
        "{}",
        english.text
    );
    assert!(english.text.contains("Imported since the last report"));
}

#[tokio::test]
async fn the_report_goes_out_by_smtp_with_starttls_and_auth_and_carries_references_never_answers() {
    let smtp = Smtp::start();
    let tmp = tempfile::tempdir().unwrap();
    // A plaintext store: the answers are readable in it, and still none reaches the mail.
    let store: Arc<dyn Store> = Arc::new(FolderStore::new(tmp.path().join("store")));
    let sent = store_all(store.as_ref(), false).await;
    let reporter = keyless(store.clone());
    let m = vec!["musterstadt".to_string()];
    let settings = settings(&smtp, tmp.path());

    let gathered = report::gather(&reporter, &m, NOW + Duration::days(2))
        .await
        .unwrap();
    let rendered = report::render(&gathered, "de");
    mail::send(&settings, &rendered).await.unwrap();
    gathered.remember(reporter.store()).await.unwrap();

    let mails = smtp.wait_for(1);
    assert_eq!(mails.len(), 1);
    let got = &mails[0];
    assert_eq!(got["tls"], true, "STARTTLS before the mail");
    assert_eq!(got["auth-user"], smtp.user.as_str());
    assert_eq!(got["mail-from"], "formfabrik@musterstadt.example");
    assert_eq!(
        got["rcpt-tos"],
        serde_json::json!(["buergerbuero@musterstadt.example", "it@musterstadt.example"])
    );
    let n = sent
        .iter()
        .filter(|s| s.municipality == "musterstadt")
        .count();
    assert_eq!(
        got["subject"],
        format!("Formfabrik-Eingangsbericht musterstadt: {n} neu, 0 fehlgeschlagen, {n} wartend")
    );
    let text = got["text"].as_str().unwrap();
    let html = got["html"].as_str().unwrap();
    assert!(text.contains("Eingangsbericht musterstadt"), "{text}");
    assert!(html.contains("<table"), "{html}");
    assert!(
        html.contains("Wartet am längsten"),
        "umlauts intact: {html}"
    );
    for (reference, form) in references(&reporter, "musterstadt").await {
        assert!(text.contains(&reference), "{reference} in the text part");
        assert!(html.contains(&reference), "{reference} in the HTML part");
        assert!(text.contains(&form));
    }
    let raw = got["raw"].as_str().unwrap();
    for s in &sent {
        for secret in s.secrets() {
            for part in [text, html, raw] {
                assert!(!part.contains(&secret), "an answer ({secret}) in the mail");
            }
        }
    }
    // The next report counts from this one.
    let next = report::gather(&reporter, &m, NOW + Duration::days(3))
        .await
        .unwrap();
    assert_eq!(next.new_count(), 0);
    assert_eq!(next.municipalities[0].since, Some(NOW + Duration::days(2)));
}

#[tokio::test]
async fn a_report_that_could_not_be_sent_is_not_remembered_and_an_unknown_certificate_is_refused() {
    let smtp = Smtp::start();
    let tmp = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(FolderStore::new(tmp.path().join("store")));
    store_all(store.as_ref(), true).await;
    let reporter = keyless(store.clone());
    let mut settings = settings(&smtp, tmp.path());
    // Without the test CA the server's certificate is not trusted: no mail, no session.
    settings.ca = None;
    let gathered = report::gather(&reporter, &["musterstadt".into()], NOW)
        .await
        .unwrap();
    let err = mail::send(&settings, &report::render(&gathered, "de"))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("127.0.0.1:{}", smtp.port)),
        "{err}"
    );
    assert!(smtp.messages().is_empty());
    // Nothing delivered, nothing remembered: the next report still counts everything as new.
    assert_eq!(
        report::last_state(reporter.store(), "musterstadt")
            .await
            .unwrap(),
        None
    );

    // A wrong password is refused by the server.
    let mut wrong = self::settings(&smtp, tmp.path());
    wrong.credentials = Some((smtp.user.clone(), "not-the-password".into()));
    assert!(
        mail::send(&wrong, &report::render(&gathered, "de"))
            .await
            .is_err()
    );
    assert!(smtp.messages().is_empty());
}

#[test]
fn mail_settings_name_the_variable_that_is_missing_or_wrong() {
    let env = |pairs: &[(&str, &str)]| {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        mail::Settings::from_env(move |n| map.get(n).cloned())
    };
    let err = env(&[]).unwrap_err().to_string();
    assert!(err.contains("FORMFABRIK_SMTP_HOST is not set"), "{err}");
    let base = [
        ("FORMFABRIK_SMTP_HOST", "mail.example"),
        ("FORMFABRIK_SMTP_FROM", "a@example.org"),
        ("FORMFABRIK_SMTP_TO", "b@example.org"),
    ];
    let ok = env(&base).unwrap();
    assert_eq!((ok.port, ok.credentials.is_none()), (587, true));
    let mut half = base.to_vec();
    half.push(("FORMFABRIK_SMTP_USER", "u"));
    assert!(
        env(&half)
            .unwrap_err()
            .to_string()
            .contains("set both or neither")
    );
    let mut port = base.to_vec();
    port.push(("FORMFABRIK_SMTP_PORT", "smtp"));
    assert!(
        env(&port)
            .unwrap_err()
            .to_string()
            .contains("FORMFABRIK_SMTP_PORT=\"smtp\"")
    );
    let mut to = base.to_vec();
    to[2] = ("FORMFABRIK_SMTP_TO", "not an address");
    assert!(
        env(&to)
            .unwrap_err()
            .to_string()
            .contains("FORMFABRIK_SMTP_TO")
    );
    // The password never prints.
    let mut full = base.to_vec();
    full.extend([
        ("FORMFABRIK_SMTP_USER", "u"),
        ("FORMFABRIK_SMTP_PASSWORD", "hunter22secret"),
    ]);
    assert!(!format!("{:?}", env(&full).unwrap()).contains("hunter22secret"));
}

#[test]
fn a_long_list_names_its_first_references_and_how_many_more_there_are() {
    let at = time::macros::datetime!(2026-11-28 10:15 UTC);
    let items: Vec<report::Item> = (0..report::LISTED + 70)
        .map(|n| report::Item {
            reference: format!("MUS-2026-{n:06}"),
            id: uuid::Uuid::from_u128(n as u128),
            version: 1,
            received_at: at,
        })
        .collect();
    let report = Report {
        made_at: at,
        municipalities: vec![report::MunicipalityReport {
            municipality: "musterstadt".into(),
            since: None,
            forms: vec![FormSummary {
                form: "sperrmuell-anmeldung".into(),
                new: items.clone(),
                imported: 0,
                failed: Vec::new(),
                leased: Vec::new(),
                waiting: items.len(),
                oldest_waiting: items.first().cloned(),
            }],
            state: report::State {
                format: report::REPORT_FORMAT.into(),
                municipality: "musterstadt".into(),
                n: 1,
                reported_at: at,
                complete: Default::default(),
                imported: Default::default(),
            },
        }],
    };
    let r = report::render(&report, "de");
    let last_listed = &items[report::LISTED - 1].reference;
    let first_left_out = &items[report::LISTED].reference;
    for part in [&r.text, &r.html] {
        assert!(part.contains(last_listed), "{part}");
        assert!(!part.contains(first_left_out), "{part}");
        assert!(
            part.contains("… und 70 weitere (alle: formfabrik inbox list)"),
            "{part}"
        );
    }
    // The count is the whole count.
    assert!(
        r.text
            .contains(&format!(": {}: MUS-2026-000000", items.len())),
        "{}",
        r.text
    );
}
