use std::collections::BTreeSet;

use efile_testkit::{catalog, samples};
use sha2::{Digest, Sha256};
use xdomea::{XdomeaError, package, package_name};

use crate::support::{handoff, receipts, submission, unzip, xmllint};

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Every example submission of every catalog form, in German and (for a second receipt) in
/// Arabic, once with the bare configuration and once with DMS identifiers and a records plan.
#[test]
fn every_catalog_form_is_handed_over_in_a_package_the_official_schema_accepts() {
    let catalog = catalog();
    let dir = tempfile::tempdir().unwrap();
    let mut messages = Vec::new();
    let mut with_attachments = BTreeSet::new();
    for form in &catalog.forms {
        for (i, lang) in ["de", "ar"].into_iter().enumerate() {
            for sample in samples(form, lang) {
                let receipts = receipts(&catalog, form, &sample);
                let s = submission(&sample, form, &receipts);
                let h = handoff(&catalog, i == 1);
                let p = package(&h, &s).unwrap();
                let id = sample.record.id.hyphenated().to_string();
                assert_eq!(p.file_name, format!("{id}_Abgabe.Abgabe.0401.zip"));
                assert_eq!(p.file_name, package_name(sample.record.id));

                // The ZIP: the message first, then exactly the primary documents it names.
                let files = unzip(&p.zip);
                assert_eq!(files[0].0, format!("{id}_Abgabe.Abgabe.0401.xml"));
                assert_eq!(files[0].1, p.message);
                let xml = String::from_utf8(p.message.clone()).unwrap();
                let doc = roxmltree::Document::parse(&xml).unwrap();
                let named: Vec<&str> = doc
                    .descendants()
                    .filter(|n| n.has_tag_name(("urn:xoev-de:xdomea:schema:3.1.0", "Dateiname")))
                    .map(|n| n.text().unwrap())
                    .collect();
                let zipped: Vec<&str> = files[1..].iter().map(|(n, _)| n.as_str()).collect();
                assert_eq!(named, zipped, "{}", sample.name);

                // Byte for byte what the record and the receipts are.
                assert_eq!(
                    files.len(),
                    1 + receipts.pdfs.len() + 1 + sample.files.len()
                );
                for (k, (_, _, pdf)) in receipts.pdfs.iter().enumerate() {
                    assert_eq!(&files[1 + k].1, pdf);
                }
                let record = &files[1 + receipts.pdfs.len()].1;
                assert_eq!(record, &sample.record_bytes);
                let attachments = &files[2 + receipts.pdfs.len()..];
                for ((_, bytes), listed) in attachments.iter().zip(&sample.record.attachments) {
                    assert_eq!(sha256(bytes), listed.sha256);
                    assert_eq!(bytes.len() as u64, listed.size);
                }
                if !sample.files.is_empty() {
                    with_attachments.insert(form.form.id.clone());
                }

                // Subject, records plan, retention.
                assert!(xml.contains(&format!("– {}</xdomea:Betreff>", sample.record.reference)));
                assert_eq!(
                    xml.contains("<xdomea:Kennzeichen>022.31</xdomea:Kennzeichen>"),
                    i == 1
                );
                assert_eq!(
                    xml.contains("<xdomea:AnzahlJahre>10</xdomea:AnzahlJahre>"),
                    i == 1
                );

                let path = dir
                    .path()
                    .join(format!("{}-{}.xml", form.form.id, sample.name));
                std::fs::write(&path, &p.message).unwrap();
                messages.push(path);
            }
        }
    }
    xmllint(&messages).unwrap_or_else(|e| panic!("xmllint: {e}"));
    // Every catalog form with file questions was handed over with attachments.
    for form in [
        "asbest-anzeige",
        "fahrerlaubnis-ersterteilung",
        "hundesteuer-anmeldung",
        "waffenbesitzkarte",
    ] {
        assert!(
            with_attachments.contains(form),
            "{form}: no package with attachments"
        );
    }
    assert!(messages.len() >= 44, "{}", messages.len());
}

#[test]
fn the_same_submission_gives_the_same_package() {
    let catalog = catalog();
    let (form, sample) = catalog.example("waffenbesitzkarte", 1, "", "en");
    let receipts = receipts(&catalog, form, &sample);
    let s = submission(&sample, form, &receipts);
    let h = handoff(&catalog, true);
    assert_eq!(package(&h, &s).unwrap(), package(&h, &s).unwrap());
}

#[test]
fn formats_and_names_follow_the_code_list_and_the_citizens_file_names_are_kept() {
    let catalog = catalog();
    let (form, sample) = catalog.example(
        "hundesteuer-anmeldung",
        3,
        "gefaehrlich-ja-ueberweisung",
        "de",
    );
    let receipts = receipts(&catalog, form, &sample);
    let p = package(
        &handoff(&catalog, false),
        &submission(&sample, form, &receipts),
    )
    .unwrap();
    let xml = String::from_utf8(p.message).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let ns = "urn:xoev-de:xdomea:schema:3.1.0";
    let documents: Vec<(String, String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ns, "Dokument")))
        .map(|d| {
            let find = |name: &str| {
                d.descendants()
                    .find(|n| n.has_tag_name((ns, name)))
                    .and_then(|n| n.text())
                    .unwrap_or_default()
                    .to_string()
            };
            let code = d
                .descendants()
                .find(|n| n.has_tag_name("code") && n.parent().unwrap().has_tag_name((ns, "Name")))
                .and_then(|n| n.text())
                .unwrap()
                .to_string();
            (find("Typ"), code, find("DateinameOriginal"))
        })
        .collect();
    assert_eq!(
        documents,
        [
            (
                "Antragsbestätigung".to_string(),
                "044".to_string(),
                String::new()
            ),
            (
                "Antragsdaten".to_string(),
                "100".to_string(),
                "submission.json".to_string()
            ),
            (
                "Anlage".to_string(),
                "018".to_string(),
                "erlaubnis.pdf".to_string()
            ),
            (
                "Anlage".to_string(),
                "011".to_string(),
                "sachkunde.jpg".to_string()
            ),
        ]
    );
    assert!(xml.contains("<xdomea:SonstigerName>json - application/json</xdomea:SonstigerName>"));
    assert!(xml.contains("<xdomea:Version>formfabrik.submission/1</xdomea:Version>"));
    assert!(xml.contains("<xdomea:Posteingangsdatum>2026-11-28</xdomea:Posteingangsdatum>"));
    assert!(xml.contains(
        "<xdomea:Erstellungszeitpunkt>2026-12-01T09:15:00+01:00</xdomea:Erstellungszeitpunkt>"
    ));
}

#[test]
fn files_that_do_not_match_the_record_and_a_missing_receipt_are_refused() {
    let catalog = catalog();
    let (form, sample) = catalog.example("waffenbesitzkarte", 1, "", "de");
    let receipts = receipts(&catalog, form, &sample);
    let h = handoff(&catalog, false);

    let mut s = submission(&sample, form, &receipts);
    let mut changed = sample.files[0].bytes.clone();
    changed[100] ^= 1;
    s.attachments[0].bytes = &changed;
    let err = package(&h, &s).unwrap_err();
    assert!(
        matches!(
            err,
            XdomeaError::AttachmentMismatch {
                what: "sha256",
                index: 0,
                ..
            }
        ),
        "{err}"
    );

    let mut s = submission(&sample, form, &receipts);
    s.attachments.pop();
    assert!(matches!(
        package(&h, &s).unwrap_err(),
        XdomeaError::AttachmentCount { .. }
    ));

    let mut s = submission(&sample, form, &receipts);
    s.receipts.clear();
    assert_eq!(
        package(&h, &s).unwrap_err().to_string(),
        format!(
            "submission {}: no receipt given (the receipt is the case's main document)",
            sample.record.id
        )
    );

    let mut long = handoff(&catalog, false);
    long.sender.address = (1..=7).map(|n| format!("Zeile {n}")).collect();
    let s = submission(&sample, form, &receipts);
    assert!(matches!(
        package(&long, &s).unwrap_err(),
        XdomeaError::AddressTooLong {
            party: "sender",
            lines: 7
        }
    ));
}
