//! The SEPA direct-debit mandate reaches the back office (issue 12): the function seals it into
//! the record of a submission that chose direct debit, `inbox pull` brings it (decrypted) into
//! the pulled folder, and `inbox export --bookings --mandates` lists one row per mandate in the
//! profile's format.

use std::sync::Arc;

use inbox::bookings::{Profile, read_all_pulled, to_mandate_file};
use store::FolderStore;
use time::Duration;

use crate::clerk::{open_like_german_excel, pull_all, read_csv};
use crate::common::*;

const M: &str = "musterstadt";

#[tokio::test]
async fn the_pulled_records_carry_the_mandate_and_the_mandate_file_lists_each_one() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Arc::new(FolderStore::new(tmp.path()));
    // Every example of every form, sealed with the back office's key.
    let sent = store_all(store.as_ref(), true).await;
    let out = tempfile::tempdir().unwrap();
    pull_all(&inbox(store), M, out.path(), NOW + Duration::hours(1)).await;

    let rows = read_all_pulled(out.path(), M, None, None).unwrap();
    let direct_debit: Vec<_> = sent
        .iter()
        .filter(|s| {
            s.municipality == M
                && s.data
                    .get("zahlungsart")
                    .is_some_and(|z| z == "lastschrift")
        })
        .collect();
    assert!(
        !direct_debit.is_empty(),
        "the dog tax examples choose direct debit"
    );
    for s in &sent {
        let Some(pulled) = rows.iter().find(|r| r.record.id == s.id) else {
            continue;
        };
        let wants = direct_debit.iter().any(|d| d.id == s.id);
        assert_eq!(pulled.record.sepa_mandate.is_some(), wants, "{}", s.form);
        if let Some(m) = &pulled.record.sepa_mandate {
            assert_eq!(m.reference, pulled.record.reference);
            assert!(form_model::model::is_sepa_reference(&m.reference));
            assert_eq!(m.signed_at, pulled.record.received_at);
            assert_eq!(m.creditor_id, "DE98ZZZ09999999999");
            assert_eq!(m.creditor_name, "Stadt Musterstadt");
            assert_eq!(Some(&serde_json::json!(m.iban)), s.data.get("iban"));
            assert_eq!(
                Some(&serde_json::json!(m.debtor_name)),
                s.data.get("kontoinhaber")
            );
            assert_eq!(m.sequence_type, "RCUR");
        }
    }

    let (bytes, n) = to_mandate_file(&Profile::load("kommunal").unwrap(), &rows).unwrap();
    assert_eq!(n, direct_debit.len());
    let table = open_like_german_excel(&bytes);
    assert_eq!(
        table[0],
        [
            "Mandatsreferenz",
            "Datum der Unterschrift",
            "Gläubiger-ID",
            "Zahlungsempfänger",
            "Kontoinhaber",
            "IBAN",
            "Lastschriftart",
            "Aktenzeichen",
            "Formular",
            "Vorgangs-ID"
        ]
    );
    assert_eq!(table.len(), n + 1);
    for row in &table[1..] {
        let pulled = rows
            .iter()
            .find(|r| r.record.id.to_string() == row[9])
            .unwrap();
        assert_eq!(row[0], pulled.record.reference);
        // Received in the morning (UTC): the same day in Germany.
        let day = pulled.record.received_at.date();
        assert_eq!(
            row[1],
            format!(
                "{:02}.{:02}.{}",
                day.day(),
                u8::from(day.month()),
                day.year()
            )
        );
        assert_eq!(row[2], "DE98ZZZ09999999999");
        assert_eq!(row[5], pulled.record.data["iban"].as_str().unwrap());
        assert_eq!(row[6], "RCUR");
        assert_eq!(row[8], "hundesteuer-anmeldung");
    }

    // Another finance system: its own columns and titles, `,`, ISO dates, Windows-1252.
    let profile = Profile::from_yaml(
        "delimiter: \",\"\ndecimal-separator: \".\"\nencoding: windows-1252\ndate-format: yyyy-mm-dd\ncolumns: [{ field: amount }]\nmandate-columns:\n  - { field: iban, title: IBAN_ZAHLER }\n  - field: signed-on\n  - field: sequence-type\n",
        "fibu.yaml",
    )
    .unwrap();
    let (bytes, _) = to_mandate_file(&profile, &rows).unwrap();
    let text: String = bytes.iter().map(|&b| b as char).collect();
    let table = read_csv(&text, ',');
    assert_eq!(
        table[0],
        ["IBAN_ZAHLER", "Datum der Unterschrift", "Lastschriftart"]
    );
    assert!(table[1][1].starts_with("2026-11-"), "{table:?}");
}
