//! The submission record is the back office's contract: it round-trips through JSON unchanged
//! and has the shape DESIGN §4 documents.

use form_model::model::Form;
use form_model::record::{Attachment, RECORD_FORMAT, SubmissionRecord, is_reference, reference};
use form_model::resolve::{MunicipalityRef, ResolvedForm};
use serde_json::json;
use time::macros::datetime;
use uuid::Uuid;

fn form() -> ResolvedForm {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/valid/minimal/forms/catalog/hundesteuer-anmeldung.yaml"
    ))
    .unwrap();
    let form: Form = serde_yaml::from_str(&text).unwrap();
    ResolvedForm::new(
        MunicipalityRef {
            id: "musterstadt".into(),
            name: "Stadt Musterstadt".into(),
            ags: "06412000".into(),
        },
        vec!["de".into(), "en".into()],
        form,
    )
}

#[test]
fn record_round_trips_through_json_with_the_documented_shape() {
    let id = Uuid::parse_str("7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c").unwrap();
    let data = json!({ "vorname": "Erika", "anzahl-hunde": 1, "gefaehrlich": "ja",
        "erlaubnis": { "name": "erlaubnis.pdf", "type": "application/pdf", "size": 1234 } });
    let record = SubmissionRecord::new(
        &form(),
        id,
        datetime!(2026-11-28 14:03:11 UTC),
        "de",
        data.as_object().unwrap().clone(),
        vec![Attachment {
            field: "erlaubnis".into(),
            key: "musterstadt/hundesteuer-anmeldung/v1/2026/11/28/7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c/erlaubnis-1.pdf".into(),
            sha256: "a".repeat(64),
            size: 1234,
            media_type: "application/pdf".into(),
        }],
    );
    let text = serde_json::to_string_pretty(&record).unwrap();
    let back: SubmissionRecord = serde_json::from_str(&text).unwrap();
    assert_eq!(back, record);

    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["format"], RECORD_FORMAT);
    assert_eq!(value["id"], "7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c");
    assert_eq!(value["received_at"], "2026-11-28T14:03:11Z");
    assert_eq!(
        value["municipality"],
        json!({ "id": "musterstadt", "ags": "06412000" })
    );
    assert_eq!(value["form"]["id"], "hundesteuer-anmeldung");
    assert_eq!(value["form"]["version"], 1);
    assert_eq!(value["form"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        value["form"]["service"],
        "urn:de:fim:leika:leistung:99108008000000"
    );
    assert_eq!(value["attachments"][0]["type"], "application/pdf");
    assert!(
        value["reference"]
            .as_str()
            .unwrap()
            .starts_with("MUS-2026-")
    );
}

#[test]
fn records_with_unknown_keys_are_rejected() {
    let text = r#"{"format":"formfabrik.submission/1","id":"7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c","reference":"MUS-2026-000000","received_at":"2026-11-28T14:03:11Z","municipality":{"id":"m","ags":"06412000"},"form":{"id":"f","version":1,"sha256":"x"},"language":"de","data":{},"attachments":[],"extra":1}"#;
    assert!(serde_json::from_str::<SubmissionRecord>(text).is_err());
}

#[test]
fn reference_is_stable_per_id_and_readable_over_the_phone() {
    let id = Uuid::new_v4();
    let a = reference("musterstadt", 2026, id);
    assert_eq!(a, reference("musterstadt", 2026, id));
    assert_eq!(a.len(), "MUS-2026-7K3F9Q".len());
    let code = &a[9..];
    assert!(
        code.chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    );
    assert!(!code.contains(['I', 'L', 'O', 'U']));
    assert_ne!(a, reference("musterstadt", 2026, Uuid::new_v4()));
}

#[test]
fn every_reference_the_function_issues_is_recognised_as_one_of_its_municipality() {
    for year in [999, 2026, 2099, 10000] {
        for _ in 0..200 {
            let r = reference("neustadt-am-see", year, Uuid::new_v4());
            assert!(is_reference("neustadt-am-see", &r), "{r}");
            assert!(
                !is_reference("musterstadt", &r),
                "{r} is Neustadt's, not Musterstadt's"
            );
        }
    }
    // A municipality id with fewer than three letters before the digits.
    let r = reference("a1-b", 2026, Uuid::new_v4());
    assert!(r.starts_with("AB-2026-"), "{r}");
    assert!(is_reference("a1-b", &r), "{r}");
}

#[test]
fn anything_else_is_not_a_reference() {
    for bad in [
        "",
        "MUS",
        "MUS-2026",
        "MUS-2026-",
        "MUS-2026-7K3F9",
        "MUS-2026-7K3F9QQ",
        "mus-2026-7K3F9Q",
        "MUS-2026-7k3f9q",
        "MUS-2026-7K3F9I",
        "MUS-2026-7K3F9L",
        "MUS-2026-7K3F9O",
        "MUS-2026-7K3F9U",
        "MU-2026-7K3F9Q",
        "MUSX-2026-7K3F9Q",
        "MUS-02026-7K3F9Q",
        "MUS-+2026-7K3F9Q",
        "MUS--2026-7K3F9Q",
        "MUS-20x6-7K3F9Q",
        "MUS-99999999999-7K3F9Q",
        "MUS-2026-7K3F9Q ",
        " MUS-2026-7K3F9Q",
        "MUS-2026-7K3-9Q",
        "MUS-2026-<b>9Q",
        "MÜS-2026-7K3F9Q",
    ] {
        assert!(!is_reference("musterstadt", bad), "{bad:?}");
    }
    assert!(is_reference("musterstadt", "MUS-2026-7K3F9Q"));
}

#[test]
fn the_content_hash_is_the_sha256_of_the_canonical_json_of_municipality_languages_form_and_service()
{
    use sha2::{Digest, Sha256};
    let a = form();
    let canonical =
        serde_json::to_vec(&(&a.municipality, &a.languages, &*a.form, &a.service)).unwrap();
    assert_eq!(a.sha256, hex::encode(Sha256::digest(canonical)));
    assert_eq!(a.content_hash(), a.sha256);
}

#[test]
fn forms_resolved_for_a_whole_project_carry_their_own_content_hash() {
    // check() shares a catalog form between the municipalities that publish it as it is; each
    // resolved form's hash must still be its own (municipality and languages included).
    let report = form_model::check(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../forms"
    )));
    assert!(report.resolved.len() > 4);
    for r in &report.resolved {
        assert_eq!(
            r.sha256,
            r.content_hash(),
            "{}/{}",
            r.municipality.id,
            r.form.id
        );
    }
}

#[test]
fn content_hash_changes_when_the_form_changes() {
    let a = form();
    let mut changed = (*a.form).clone();
    changed.retention_days += 1;
    let b = ResolvedForm::new(a.municipality.clone(), a.languages.clone(), changed);
    assert_ne!(a.sha256, b.sha256);
    assert_eq!(a.sha256, a.content_hash());
}
