//! Building hand-overs of the testkit's samples, reading packages back, and xmllint.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use efile_testkit::{Catalog, Sample};
use form_model::resolve::ResolvedForm;
use receipt::from_record::value_at;
use receipt::{Checksums, authority, from_record, render};
use time::macros::datetime;
use xdomea::{Code, Handoff, Made, Party, RecordsPolicy, Sent, Submission};

/// The sample municipality as sender and recipient; with DMS identifiers and a records plan
/// when `full`.
pub fn handoff(catalog: &Catalog, full: bool) -> Handoff {
    let m = &catalog.municipality;
    let party = Party {
        institution: m.name.clone(),
        unit: Some(m.contact.name.clone()),
        authority_key: full.then(|| Code {
            code: "dms-musterstadt".into(),
            list_uri: None,
            list_version: None,
            name: Some(format!("{} (DMS)", m.name)),
        }),
        authority_prefix: None,
        address: m.contact.address.clone(),
    };
    Handoff {
        sender: party.clone(),
        recipient: party,
        records: if full {
            RecordsPolicy {
                plan_key: Some("022.31".into()),
                retention_years: Some(10),
            }
        } else {
            RecordsPolicy::default()
        },
        created_at: datetime!(2026-12-01 09:15:00 +01:00),
    }
}

/// A sample's receipts: German (the main document) and, when the citizen wrote in another
/// language, theirs.
pub struct Receipts {
    pub pdfs: Vec<(String, String, Vec<u8>)>,
    pub german: receipt::Receipt,
}

pub fn receipts(catalog: &Catalog, form: &ResolvedForm, sample: &Sample) -> Receipts {
    let m = &catalog.municipality;
    let data = sample.data_sha512();
    let files = sample.attachments_sha512();
    let make = |lang: &str| {
        from_record(
            &sample.record,
            form,
            authority(&m.name, &m.ags, &m.contact),
            Checksums {
                data_sha512: &data,
                attachments_sha512: &files,
            },
            lang,
        )
        .unwrap()
    };
    let german = make("de");
    let mut langs = vec!["de".to_string()];
    if sample.record.language != "de" {
        langs.push(sample.record.language.clone());
    }
    let pdfs = langs
        .iter()
        .map(|lang| {
            let r = make(lang);
            let title = format!(
                "{} {} ({lang})",
                german.words.title, sample.record.reference
            );
            (lang.clone(), title, render(&r).unwrap())
        })
        .collect();
    Receipts { pdfs, german }
}

/// The hand-over of `sample`.
pub fn submission<'a>(
    sample: &'a Sample,
    form: &'a ResolvedForm,
    receipts: &'a Receipts,
) -> Submission<'a> {
    Submission {
        record: &sample.record,
        record_bytes: &sample.record_bytes,
        service: form
            .form
            .title
            .get("de")
            .map(String::as_str)
            .unwrap_or_default(),
        received_at: receipts.german.received_at,
        receipts: receipts
            .pdfs
            .iter()
            .map(|(lang, title, pdf)| Made {
                title,
                language: lang,
                pdf,
            })
            .collect(),
        attachments: sample
            .files
            .iter()
            .zip(&receipts.german.attachments)
            .map(|(file, facts)| Sent {
                attachment: &file.attachment,
                stored_name: &file.name,
                original_name: value_at(&sample.record.data, &file.attachment.field)
                    .and_then(|v| v.get("name"))
                    .and_then(|v| v.as_str())
                    .unwrap(),
                title: &facts.question.text,
                bytes: &file.bytes,
            })
            .collect(),
        applicant: None,
    }
}

/// Every entry of a ZIP: name and bytes, in the ZIP's order.
pub fn unzip(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().expect("a UTF-8 name").to_string(), bytes)
        })
        .collect()
}

/// `xmllint --noout --schema xdomea.xsd` over `files` (one run, one schema load): Ok, or what
/// xmllint says.
pub fn xmllint(files: &[std::path::PathBuf]) -> Result<(), String> {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/3.1.0/xdomea.xsd");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run xmllint ({e}); scripts/test installs it (Debian package libxml2-utils)"
            )
        });
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
