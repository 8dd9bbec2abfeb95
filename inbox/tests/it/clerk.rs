//! What reaches the clerks: the CSV German Excel opens by double-click (checked by reading it
//! as Excel does), and `export --since last` (only what is new).

use std::sync::Arc;

use crate::common::*;
use form_model::FieldType;
use form_model::texts::text_in;
use form_model::validate::ADDRESS_PARTS;
use inbox::clerk::to_clerk_csv;
use inbox::import::{self, FolderSink, RunOptions};
use inbox::since::{ExportLog, Since, log_path, select};
use inbox::{Filter, Inbox};
use serde_json::Value;
use store::FolderStore;
use time::{Duration, OffsetDateTime};

pub(crate) async fn pull_all(inbox: &Inbox, m: &str, out: &std::path::Path, now: OffsetDateTime) {
    let clock = move || now;
    let opts = RunOptions {
        owner: "test".into(),
        lease: Duration::minutes(15),
        now: &clock,
    };
    let filter = Filter {
        municipality: m.into(),
        ..Filter::default()
    };
    let report = import::run(inbox, &filter, &opts, &mut FolderSink::new(out))
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
}

/// Reads a CSV file as German Excel does on double-click: UTF-8 only when the file starts
/// with the byte order mark (else cp1252, which would garble every umlaut), `;` between
/// fields (`read_csv`).
pub(crate) fn open_like_german_excel(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(
        bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .expect("without a BOM Excel reads cp1252"),
    )
    .unwrap();
    read_csv(text, ';')
}

/// The rows of a CSV text: `delimiter` between fields, `"` quoting with `""` inside, CRLF
/// between rows (the last row ends with one too).
pub(crate) fn read_csv(text: &str, delimiter: char) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, c) if c == delimiter => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "the last row ends with CRLF"
    );
    rows
}

/// A number as German Excel reads a cell: digits with a decimal comma.
fn german_number(cell: &str) -> Option<f64> {
    let ok = !cell.is_empty()
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '-')
        && cell.matches(',').count() <= 1;
    ok.then(|| cell.replace(',', ".").parse().ok()).flatten()
}

#[tokio::test]
async fn the_clerks_csv_opens_in_german_excel_with_labels_local_time_decimal_commas_and_umlauts() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    let sent = store_all(store.as_ref(), true).await;
    let inbox = inbox(store.clone());
    let out = tempfile::tempdir().unwrap();
    pull_all(&inbox, "musterstadt", out.path(), NOW).await;
    let registry = registry(false);
    let mut checked_fee = false;
    let mut checked_option = false;
    let mut checked_address = false;
    for form in registry
        .forms
        .iter()
        .filter(|f| f.municipality.id == "musterstadt")
    {
        let rows =
            inbox::export::read_pulled(out.path(), "musterstadt", &form.form.id, form.form.version)
                .unwrap();
        assert!(!rows.is_empty());
        let csv = to_clerk_csv(form, &rows, true);
        let table = open_like_german_excel(csv.as_bytes());
        let header = &table[0];
        assert_eq!(table.len(), rows.len() + 1);
        let col = |title: &str| {
            header
                .iter()
                .position(|h| h == title)
                .unwrap_or_else(|| panic!("no column {title:?} in {header:?}"))
        };
        for (row, delivered) in table[1..].iter().zip(&rows) {
            assert_eq!(row.len(), header.len());
            let r = &delivered.record;
            assert_eq!(row[col("Aktenzeichen")], r.reference);
            assert_eq!(row[col("Vorgangs-ID")], r.id.to_string());
            // Received at 10:15 UTC on 28 or 29 November: 11:15 in Germany (CET).
            let day = if r.received_at.date() == NOW.date() {
                "28"
            } else {
                "29"
            };
            assert_eq!(
                row[col("Eingang (Ortszeit)")],
                format!("{day}.11.2026 11:15")
            );
            assert_eq!(row[col("Eingang (UTC)")], format!("{day}.11.2026 10:15"));
            let data = &sent.iter().find(|s| s.id == r.id).unwrap().data;
            for field in form.form.fields() {
                let label = text_in(&field.label, "de");
                let Some(value) = data.get(&field.id) else {
                    continue;
                };
                match field.kind {
                    FieldType::Radios | FieldType::Select => {
                        let option = field
                            .options
                            .iter()
                            .find(|o| Some(o.value.as_str()) == value.as_str())
                            .unwrap();
                        assert_eq!(row[col(&label)], text_in(&option.label, "de"));
                        assert_eq!(row[col(&format!("{label} (Code)"))], option.value);
                        checked_option = true;
                    }
                    FieldType::Address => {
                        for part in &ADDRESS_PARTS {
                            let title = format!("{label}: {}", part.label("de"));
                            assert_eq!(row[col(&title)], value[part.key].as_str().unwrap());
                        }
                        checked_address = true;
                    }
                    FieldType::Number => {
                        let n = german_number(&row[col(&label)]).unwrap();
                        assert_eq!(n, value.as_f64().unwrap());
                    }
                    FieldType::Date => {
                        let iso = value.as_str().unwrap();
                        let german = format!("{}.{}.{}", &iso[8..10], &iso[5..7], &iso[..4]);
                        assert_eq!(row[col(&label)], german);
                    }
                    _ => {}
                }
            }
            if !form.form.fees.is_empty() {
                let meta = delivered.metadata.as_ref().unwrap();
                let amount = meta["paymentInformation"]["grossAmount"].as_f64().unwrap();
                let cell = &row[col("Gebühr (EUR)")];
                assert!(cell.ends_with(&format!("{:02}", (amount * 100.0).round() as i64 % 100)));
                assert_eq!(german_number(cell), Some(amount), "{cell}");
                assert_eq!(
                    row[col("Verwendungszweck")],
                    meta["paymentInformation"]["transactionReference"]
                        .as_str()
                        .unwrap()
                );
                checked_fee = true;
            }
        }
        // Umlauts intact: the titles are the form's German labels, byte for byte.
        assert!(
            header.iter().any(|h| h.contains('ä')
                || h.contains('ß')
                || h.contains('ü')
                || h.contains('ö')
                || h.contains('Ü')),
            "{header:?}"
        );
    }
    assert!(checked_fee && checked_option && checked_address);
}

#[tokio::test]
async fn export_since_last_holds_each_pulled_submission_in_exactly_one_export() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    store_all(store.as_ref(), true).await;
    let inbox = inbox(store.clone());
    let out = tempfile::tempdir().unwrap();
    let form = "sperrmuell-anmeldung";
    // Night 1 pulls the first submission only; its export holds it.
    let all = inbox
        .list(&Filter {
            municipality: "musterstadt".into(),
            form: Some(form.into()),
            ..Filter::default()
        })
        .await
        .unwrap();
    assert!(all.len() >= 2, "needs two submissions");
    let clock = || NOW;
    let opts = RunOptions {
        owner: "night-1".into(),
        lease: Duration::minutes(15),
        now: &clock,
    };
    let first = Filter {
        municipality: "musterstadt".into(),
        form: Some(form.into()),
        to: Some(all[0].date),
        ..Filter::default()
    };
    import::run(&inbox, &first, &opts, &mut FolderSink::new(out.path()))
        .await
        .unwrap();
    let log_file = log_path(out.path(), "musterstadt", form);
    let export = |now: OffsetDateTime| {
        let rows = inbox::export::read_pulled(out.path(), "musterstadt", form, 1).unwrap();
        let mut log = ExportLog::read(&log_file).unwrap();
        let new = select(rows, Some(&Since::Last), &log);
        log.record(&log_file, &new, now).unwrap();
        new.iter().map(|d| d.record.id).collect::<Vec<_>>()
    };
    let night1 = export(NOW + Duration::hours(20));
    assert!(!night1.is_empty());
    // Night 2 pulls the rest (some received before night 1's export): exactly those, once.
    pull_all(&inbox, "musterstadt", out.path(), NOW + Duration::days(2)).await;
    let night2 = export(NOW + Duration::days(2));
    let mut both: Vec<_> = night1.iter().chain(&night2).copied().collect();
    both.sort();
    let mut expected: Vec<_> = all.iter().map(|e| e.id).collect();
    expected.sort();
    assert_eq!(both, expected, "every submission in exactly one export");
    assert!(
        export(NOW + Duration::days(3)).is_empty(),
        "nothing new, nothing exported"
    );
    // `--since <day>` goes by the time received (midnight in Germany) and remembers nothing.
    let day: Since = "2026-11-29".parse().unwrap();
    let rows = inbox::export::read_pulled(out.path(), "musterstadt", form, 1).unwrap();
    let log = ExportLog::read(&log_file).unwrap();
    let since_day = select(rows, Some(&day), &log);
    assert!(
        since_day
            .iter()
            .all(|d| d.record.received_at.date() >= NOW.date() + Duration::days(1))
    );
    assert_eq!(
        day,
        Since::Time(time::macros::datetime!(2026-11-28 23:00 UTC))
    );
    let _: Value = serde_json::from_str(&std::fs::read_to_string(&log_file).unwrap()).unwrap();
}

#[tokio::test]
async fn a_clerk_names_a_submission_by_its_reference_and_the_list_shows_it_without_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    store_all(store.as_ref(), true).await;
    // No private key: the reference comes from the plaintext claim.
    let keyless = Inbox::new(
        store.clone(),
        None,
        inbox::Schemas::from_registry(&registry(false)),
    );
    let filter = Filter {
        municipality: "musterstadt".into(),
        ..Filter::default()
    };
    let entries = keyless.list(&filter).await.unwrap();
    let pulled = inbox(store.clone()).pull(&entries[1]).await.unwrap();
    let reference = keyless.reference(&entries[1]).await.unwrap().unwrap();
    assert_eq!(reference, pulled.record.reference);
    let found = keyless
        .find(&entries, &reference.to_lowercase())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, entries[1].id);
    let by_id = keyless
        .find(&entries, &entries[1].id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_id.id, entries[1].id);
    assert!(
        keyless
            .find(&entries, "MUS-2026-NICHTDA")
            .await
            .unwrap()
            .is_none()
    );
}

#[test]
fn the_clerks_csv_of_a_form_whose_payment_is_optional_says_whether_it_was_paid_or_declined() {
    // Musterstadt's Meldebescheinigung: payment optional (its municipality.yaml).
    let registry = registry(false);
    let form = registry.form("musterstadt", "meldebescheinigung").unwrap();
    assert_eq!(form.form.payment, form_model::model::PaymentMode::Optional);
    let record = |n: u8| {
        form_model::record::SubmissionRecord::new(
            form,
            uuid::Uuid::from_bytes([n; 16]),
            time::macros::datetime!(2026-11-28 10:15 UTC),
            "de",
            serde_json::Map::new(),
            Vec::new(),
        )
    };
    let invoice = |detail: Option<&str>| {
        let mut info = serde_json::json!({
            "transactionReference": "MUS-2026-X", "paymentMethod": "INVOICE",
            "status": "INITIAL", "grossAmount": 10.0,
        });
        if let Some(d) = detail {
            info["paymentMethodDetail"] = serde_json::json!(d);
        }
        Some(serde_json::json!({ "paymentInformation": info }))
    };
    let rows = [
        inbox::clerk::Delivered {
            record: record(1),
            metadata: Some(serde_json::json!({ "paymentInformation": {
                "transactionReference": "KZ-1", "status": "PAYED", "grossAmount": 10.0,
            }})),
            payment: None,
        },
        inbox::clerk::Delivered {
            record: record(2),
            metadata: invoice(Some(store::metadata::PAYMENT_DECLINED)),
            payment: None,
        },
        inbox::clerk::Delivered {
            record: record(3),
            metadata: invoice(None),
            payment: None,
        },
    ];
    let csv = to_clerk_csv(form, &rows, false);
    let table = open_like_german_excel(csv.as_bytes());
    let col = |title: &str| table[0].iter().position(|h| h == title).unwrap();
    let online = col("Online-Zahlung");
    let said: Vec<&str> = table[1..].iter().map(|r| r[online].as_str()).collect();
    assert_eq!(said, ["bezahlt", "abgelehnt – Gebührenbescheid senden", ""]);
    // A form that requires payment has no such column: it is always paid.
    let licence = registry
        .form("musterstadt", "fahrerlaubnis-ersterteilung")
        .unwrap();
    let csv = to_clerk_csv(licence, &[], false);
    assert!(!csv.contains("Online-Zahlung"), "{csv}");
}
