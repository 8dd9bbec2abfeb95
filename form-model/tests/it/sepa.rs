//! The SEPA direct-debit mandate (issue 12) in the repository's forms: every municipality that
//! publishes the dog tax publishes it with a mandate naming its own valid creditor identifier,
//! and the record carries the mandate exactly when the consent was given.

use std::path::Path;

use form_model::model::check_creditor_id;
use form_model::record::SubmissionRecord;
use serde_json::json;
use time::macros::datetime;
use uuid::Uuid;

#[test]
fn every_municipality_publishing_the_dog_tax_takes_the_mandate_as_its_own_creditor() {
    let report = form_model::check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms"));
    assert!(report.is_ok(), "{}", report.summary_in("en"));
    let dog_tax: Vec<_> = report
        .resolved
        .iter()
        .filter(|r| r.form.id == "hundesteuer-anmeldung")
        .collect();
    assert!(dog_tax.len() >= 3, "musterstadt, beispieldorf, gruenwiesen");
    let mut ids = Vec::new();
    for r in dog_tax {
        let mandate = r.form.sepa_mandate.as_ref().expect("a mandate");
        let creditor = mandate
            .creditor
            .as_ref()
            .expect("the municipality's creditor");
        assert_eq!(
            check_creditor_id(&creditor.id),
            Ok(()),
            "{}",
            r.municipality.id
        );
        assert_eq!(creditor.name, r.municipality.name);
        assert!(mandate.recurring);
        ids.push(creditor.id.clone());
    }
    ids.sort();
    ids.dedup();
    assert!(
        ids.len() >= 3,
        "each municipality its own creditor id: {ids:?}"
    );
}

#[test]
fn the_record_carries_the_mandate_only_when_the_consent_is_given() {
    let report = form_model::check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms"));
    let form = report
        .resolved
        .iter()
        .find(|r| r.municipality.id == "gruenwiesen" && r.form.id == "hundesteuer-anmeldung")
        .unwrap();
    let id = Uuid::parse_str("7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c").unwrap();
    let at = datetime!(2026-11-28 14:03:11 UTC);
    let data = json!({ "zahlungsart": "lastschrift", "kontoinhaber": "Erika Muster",
        "iban": "DE89370400440532013000", "sepa-mandat": ["erteilt"] });
    let record = |data: &serde_json::Value| {
        SubmissionRecord::new(
            form,
            id,
            at,
            "de",
            data.as_object().unwrap().clone(),
            vec![],
        )
    };
    let given = record(&data);
    let mandate = given.sepa_mandate.as_ref().unwrap();
    assert_eq!(mandate.reference, given.reference);
    assert!(mandate.reference.starts_with("GRU-2026-"));
    assert_eq!(mandate.signed_at, at);
    assert_eq!(mandate.creditor_id, "DE28ZZZ09999999998");
    assert_eq!(mandate.creditor_name, "Markt Grünwiesen");
    assert_eq!(mandate.debtor_name, "Erika Muster");
    assert_eq!(mandate.iban, "DE89370400440532013000");
    assert_eq!(mandate.sequence_type, "RCUR");
    let text = serde_json::to_string(&given).unwrap();
    assert_eq!(
        serde_json::from_str::<SubmissionRecord>(&text).unwrap(),
        given
    );

    let transfer = json!({ "zahlungsart": "ueberweisung" });
    assert!(record(&transfer).sepa_mandate.is_none());
    assert!(
        !serde_json::to_string(&record(&transfer))
            .unwrap()
            .contains("sepa_mandate")
    );
}
