//! The back office's e-file hand-off (`inbox export --xdomea`): the receipts `pull` writes,
//! one package per submission that the official xdomea 3.1.0 schema accepts and that holds
//! the record's files byte for byte, and exactly once across repeated, crashed and concurrent
//! runs.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use efile_testkit::{Catalog, Sample, catalog, samples};
use form_model::registry::{REGISTRY_FORMAT, Registry, RegistryMunicipality};
use form_model::resolve::ResolvedForm;
use inbox::import::{FolderSink, Sink};
use inbox::receipts::ReceiptMaker;
use inbox::xdomea_export::{JOURNAL, Journal, Which, export};
use inbox::{Entry, Pulled, PulledFile};
use sha2::{Digest, Sha256};
use time::macros::datetime;
use uuid::Uuid;

pub(crate) const NOW: time::OffsetDateTime = datetime!(2026-12-01 08:15:00 UTC);

/// A registry that publishes `form` for the sample municipality, with DMS identifiers.
pub(crate) fn registry(catalog: &Catalog, form: &ResolvedForm) -> Registry {
    let m = &catalog.municipality;
    Registry {
        format: REGISTRY_FORMAT.into(),
        municipalities: vec![RegistryMunicipality {
            id: m.id.clone(),
            name: m.name.clone(),
            ags: m.ags.clone(),
            languages: m.languages.clone(),
            site_origin: m.site_origin.clone(),
            site_url: m.site_origin.clone(),
            encryption_key: None,
            contact: Some(m.contact.clone()),
            xdomea: m.xdomea.clone(),
            payment: None,
        }],
        forms: vec![form.clone()],
        earlier_versions: Vec::new(),
    }
}

pub(crate) fn pulled(sample: &Sample) -> Pulled {
    let r = &sample.record;
    let dir = {
        let key = r
            .attachments
            .first()
            .map(|a| a.key.clone())
            .unwrap_or_default();
        key.rsplit_once('/')
            .map(|(d, _)| format!("{d}/"))
            .unwrap_or_default()
    };
    Pulled {
        entry: Entry {
            municipality: r.municipality.id.clone(),
            form: r.form.id.clone(),
            version: r.form.version,
            date: r.received_at.date(),
            id: r.id,
            dir,
            encrypted: false,
            acked: false,
        },
        record: r.clone(),
        record_bytes: sample.record_bytes.clone().into(),
        metadata: serde_json::Value::Null,
        payment: None,
        files: sample
            .files
            .iter()
            .map(|f| PulledFile {
                attachment: f.attachment.clone(),
                name: f.name.clone(),
                bytes: f.bytes.clone().into(),
            })
            .collect(),
    }
}

pub(crate) fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut out = Vec::new();
            file.read_to_end(&mut out).unwrap();
            (file.name().unwrap().to_string(), out)
        })
        .collect()
}

pub(crate) fn xmllint(files: &[PathBuf]) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../xdomea/schema/3.1.0/xdomea.xsd");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .args(files)
        .output()
        .expect("xmllint (Debian's libxml2-utils, installed by scripts/test)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn zips(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    out.sort();
    out
}

pub(crate) fn which(catalog: &Catalog) -> Which {
    Which {
        municipality: catalog.municipality.id.clone(),
        ..Which::default()
    }
}

/// Pulls every example of `form` in German and Arabic into `out` (with receipts).
fn pull_examples(catalog: &Catalog, form: &ResolvedForm, out: &Path) -> Vec<Sample> {
    let mut sink = FolderSink::new(out).with_receipts(ReceiptMaker::new(registry(catalog, form)));
    let mut all = Vec::new();
    for lang in ["de", "ar"] {
        for sample in samples(form, lang) {
            sink.deliver(&pulled(&sample)).unwrap();
            all.push(sample);
        }
    }
    all
}

#[test]
fn every_catalog_form_is_handed_over_with_its_receipts_record_and_attachments_in_a_package_the_schema_accepts()
 {
    let catalog = catalog();
    let work = tempfile::tempdir().unwrap();
    let mut messages = Vec::new();
    let mut with_attachments = 0;
    for (n, form) in catalog.forms.iter().enumerate() {
        let out = work.path().join(format!("pulled-{n}"));
        let dir = work.path().join(format!("transfer-{n}"));
        let samples = pull_examples(&catalog, form, &out);
        let maker = ReceiptMaker::new(registry(&catalog, form));
        let report = export(&out, &which(&catalog), &maker, &dir, NOW).unwrap();
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        assert_eq!(report.written.len(), samples.len(), "{}", form.form.id);

        for sample in &samples {
            let id = sample.record.id;
            let folder =
                FolderSink::new(&out).folder(&pulled(sample).entry, &sample.record.reference);
            let zip = dir.join(xdomea::package_name(id));
            let files = unzip(&zip);
            let xml_name = format!("{}_Abgabe.Abgabe.0401.xml", id.hyphenated());
            assert_eq!(files[0].0, xml_name);
            let xml_path = work.path().join(&xml_name);
            std::fs::write(&xml_path, &files[0].1).unwrap();
            messages.push(xml_path);
            let by_suffix = |suffix: &str| -> &Vec<u8> {
                &files
                    .iter()
                    .find(|(name, _)| name.ends_with(suffix))
                    .unwrap_or_else(|| {
                        panic!(
                            "{}: no {suffix} in {:?}",
                            sample.name,
                            files.iter().map(|f| &f.0).collect::<Vec<_>>()
                        )
                    })
                    .1
            };
            // The receipts are the ones `pull` wrote, the German one first.
            assert!(files[1].0.ends_with("_Antragsbestaetigung.pdf"));
            assert_eq!(
                &files[1].1,
                &std::fs::read(folder.join("receipt.pdf")).unwrap()
            );
            if sample.record.language != "de" {
                let own =
                    std::fs::read(folder.join(format!("receipt-{}.pdf", sample.record.language)))
                        .unwrap();
                assert_eq!(
                    by_suffix(&format!(
                        "_Antragsbestaetigung-{}.pdf",
                        sample.record.language
                    )),
                    &own
                );
            }
            // The record byte for byte, each attachment with the record's sha256 and size.
            assert_eq!(by_suffix("_Antragsdaten.json"), &sample.record_bytes);
            for a in &sample.record.attachments {
                let stored = a.key.rsplit('/').next().unwrap();
                let bytes = by_suffix(&format!("_{stored}"));
                assert_eq!(hex::encode(Sha256::digest(bytes)), a.sha256);
                assert_eq!(bytes.len() as u64, a.size);
            }
            assert_eq!(
                files.len(),
                1 + 1 + usize::from(sample.record.language != "de") + 1 + sample.files.len()
            );
            with_attachments += usize::from(!sample.files.is_empty());
            // Sender and recipient from the registry, records plan from the form.
            let xml = String::from_utf8(files[0].1.clone()).unwrap();
            assert!(xml.contains(&format!(
                "<xdomea:Name>{}</xdomea:Name>",
                catalog.municipality.name
            )));
            if let Some(key) = form.form.records.as_ref().and_then(|r| r.plan_key.as_ref()) {
                assert!(xml.contains(&format!("<xdomea:Kennzeichen>{key}</xdomea:Kennzeichen>")));
            }
            let journal: Journal =
                serde_json::from_slice(&std::fs::read(folder.join(JOURNAL)).unwrap()).unwrap();
            assert_eq!(journal.package, xdomea::package_name(id));
            assert_eq!(
                journal.sha256,
                hex::encode(Sha256::digest(std::fs::read(&zip).unwrap()))
            );
        }
    }
    assert!(
        with_attachments >= 4,
        "only {with_attachments} examples with attachments"
    );
    xmllint(&messages);
}

/// The hundesteuer form as musterstadt publishes it (with its records plan) and its pulled
/// examples.
fn hundesteuer(work: &Path) -> (Catalog, ResolvedForm, PathBuf, usize) {
    let catalog = catalog();
    let mut form = catalog
        .forms
        .iter()
        .find(|f| f.form.id == "hundesteuer-anmeldung" && f.form.version == 2)
        .unwrap()
        .clone();
    std::sync::Arc::make_mut(&mut form.form).records = Some(form_model::model::Records {
        plan_key: Some("022.31".into()),
        retention_years: Some(10),
    });
    let out = work.join("pulled");
    let n = pull_examples(&catalog, &form, &out).len();
    (catalog, form, out, n)
}

#[test]
fn a_second_run_writes_nothing_again_even_after_the_dms_took_the_packages_away() {
    let work = tempfile::tempdir().unwrap();
    let (catalog, form, out, n) = hundesteuer(work.path());
    let maker = ReceiptMaker::new(registry(&catalog, &form));
    let dir = work.path().join("transfer");
    let first = export(&out, &which(&catalog), &maker, &dir, NOW).unwrap();
    assert_eq!(first.written.len(), n);
    let xml = String::from_utf8(unzip(&first.written[0].1)[0].1.clone()).unwrap();
    assert!(
        xml.contains("<xdomea:Kennzeichen>022.31</xdomea:Kennzeichen>"),
        "{xml}"
    );
    assert!(xml.contains("<xdomea:AnzahlJahre>10</xdomea:AnzahlJahre>"));
    assert!(
        xml.contains("<code>06531019</code>"),
        "the recipient's key from municipality.yaml: {xml}"
    );

    let again = export(&out, &which(&catalog), &maker, &dir, NOW).unwrap();
    assert!(again.written.is_empty());
    assert_eq!(again.already.len(), n);
    // The DMS imports and removes them; the next run hands nothing over twice.
    for z in zips(&dir) {
        std::fs::remove_file(z).unwrap();
    }
    let after = export(&out, &which(&catalog), &maker, &dir, NOW).unwrap();
    assert!(after.written.is_empty() && after.failed.is_empty());
    assert!(zips(&dir).is_empty());
}

#[test]
fn a_run_that_died_before_or_after_its_journal_leaves_no_submission_skipped_and_none_twice() {
    let work = tempfile::tempdir().unwrap();
    let (catalog, form, out, n) = hundesteuer(work.path());
    let maker = ReceiptMaker::new(registry(&catalog, &form));
    let dir = work.path().join("transfer");
    let first = export(&out, &which(&catalog), &maker, &dir, NOW).unwrap();
    assert_eq!(first.written.len(), n);
    let (id, zip) = first.written[0].clone();
    let (other, _) = first.written[1].clone();
    // Pulled folders are named by reference: find the one holding this submission.
    let folder_of = |id: Uuid| -> PathBuf {
        walk(&out)
            .into_iter()
            .find(|p| {
                std::fs::read_to_string(p.join("submission.json"))
                    .is_ok_and(|s| s.contains(&id.to_string()))
            })
            .unwrap()
    };
    // Died after the journal, before the rename: the package is still under its temporary
    // name.
    let journal: Journal =
        serde_json::from_slice(&std::fs::read(folder_of(id).join(JOURNAL)).unwrap()).unwrap();
    std::fs::rename(&zip, dir.join(&journal.temporary)).unwrap();
    // Died before the journal: a temporary file and no journal.
    let other_zip = dir.join(xdomea::package_name(other));
    std::fs::rename(
        &other_zip,
        dir.join(format!(".{}.dead.tmp", xdomea::package_name(other))),
    )
    .unwrap();
    std::fs::remove_file(folder_of(other).join(JOURNAL)).unwrap();

    let next = export(&out, &which(&catalog), &maker, &dir, NOW).unwrap();
    assert!(next.failed.is_empty(), "{:?}", next.failed);
    // Both missing packages are put in place (one finished, one written), nothing else.
    let mut written: Vec<Uuid> = next.written.iter().map(|w| w.0).collect();
    written.sort();
    let mut expected = vec![id, other];
    expected.sort();
    assert_eq!(written, expected);
    assert_eq!(next.already.len(), n - 2);
    assert!(zip.exists(), "the dead run's package was finished");
    assert!(other_zip.exists());
    assert_eq!(zips(&dir).len(), n);
}

#[test]
fn two_runs_at_once_write_each_package_exactly_once() {
    let work = tempfile::tempdir().unwrap();
    let (catalog, form, out, n) = hundesteuer(work.path());
    let maker = ReceiptMaker::new(registry(&catalog, &form));
    let dir = work.path().join("transfer");
    let reports: Vec<_> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2)
            .map(|_| s.spawn(|| export(&out, &which(&catalog), &maker, &dir, NOW).unwrap()))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let mut written: BTreeMap<Uuid, usize> = BTreeMap::new();
    for r in &reports {
        assert!(r.failed.is_empty(), "{:?}", r.failed);
        for (id, _) in &r.written {
            *written.entry(*id).or_default() += 1;
        }
    }
    assert_eq!(written.len(), n);
    assert!(written.values().all(|&c| c == 1), "{written:?}");
    assert_eq!(zips(&dir).len(), n);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                out.push(e.path());
                todo.push(e.path());
            }
        }
    }
    out
}

/// The citizen's download and the authority's copy are one PDF: the function's answer to an
/// encrypted submission carries what the receipt is made of, its receipt endpoint makes the PDF
/// from that (checked against the plaintext claim), and `pull` (decrypting, verifying) writes
/// the same bytes beside the imported submission.
#[tokio::test]
async fn the_receipt_the_function_makes_on_request_is_byte_for_byte_the_one_pull_writes() {
    use crate::common::{NOW, inbox, registry, repo};
    use http::{Request, header};
    use std::sync::Arc;
    use submit_fn::{FixedClock, Handler};

    let store: Arc<dyn store::Store> = Arc::new(store::MemoryStore::new());
    let handler = Handler::new(registry(true), store.clone()).with_clock(Arc::new(FixedClock(NOW)));
    let example: serde_json::Value =
        serde_json::from_str(
            &std::fs::read_to_string(repo().join(
                "tests/fixtures/submissions/sperrmuell-anmeldung@1/moebel-mit-abstellort.json",
            ))
            .unwrap(),
        )
        .unwrap();
    let body = serde_json::json!({ "language": "en", "data": example["data"] });
    let request = Request::post("/v1/musterstadt/sperrmuell-anmeldung")
        .header(header::CONTENT_TYPE, "application/json")
        .body(bytes::Bytes::from(serde_json::to_vec(&body).unwrap()))
        .unwrap();
    let response = handler.handle(request).await;
    assert_eq!(
        response.status(),
        201,
        "{}",
        String::from_utf8_lossy(response.body())
    );
    let answer: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    let reference = answer["reference"].as_str().unwrap();
    assert_eq!(
        answer["receipt"]["file_name"],
        format!("Application-receipt-{reference}.pdf")
    );
    let asked = serde_json::json!({
        "record": answer["receipt"]["record"],
        "attachments_sha512": answer["receipt"]["attachments_sha512"],
    });
    let request = Request::post("/v1/musterstadt/sperrmuell-anmeldung/receipt")
        .header(header::CONTENT_TYPE, "application/json")
        .body(bytes::Bytes::from(serde_json::to_vec(&asked).unwrap()))
        .unwrap();
    let response = handler.handle(request).await;
    assert_eq!(
        response.status(),
        200,
        "{}",
        String::from_utf8_lossy(response.body())
    );
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/pdf");
    let sent = response.body().to_vec();

    let out = tempfile::tempdir().unwrap();
    let now = || NOW;
    let opts = inbox::import::RunOptions {
        owner: "test".into(),
        lease: time::Duration::minutes(15),
        now: &now,
    };
    let filter = inbox::Filter {
        municipality: "musterstadt".into(),
        ..inbox::Filter::default()
    };
    let mut sink = FolderSink::new(out.path()).with_receipts(ReceiptMaker::new(registry(true)));
    let report = inbox::import::run(&inbox(store), &filter, &opts, &mut sink)
        .await
        .unwrap();
    assert_eq!(report.imported.len(), 1, "{:?}", report.failed);
    let folder = walk(out.path())
        .into_iter()
        .find(|p| p.join("submission.json").is_file())
        .unwrap();
    assert_eq!(std::fs::read(folder.join("receipt-en.pdf")).unwrap(), sent);
    // And the e-file's German one beside it.
    let german = std::fs::read(folder.join("receipt.pdf")).unwrap();
    assert!(String::from_utf8_lossy(&german).contains("/Lang(de)"));
}

/// Writes what the build publishes for `form` (`contract::published`) below `schemas`.
fn publish(catalog: &Catalog, form: &ResolvedForm, schemas: &Path) {
    for (file, bytes) in inbox::contract::published(form, &catalog.municipality.contact) {
        let path = schemas.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

#[test]
fn an_earlier_form_versions_receipt_comes_from_the_version_kept_as_published_and_only_with_the_records_content_hash()
 {
    let catalog = catalog();
    let (v1, sample) = catalog.example("hundesteuer-anmeldung", 1, "", "de");
    let v3 = catalog
        .forms
        .iter()
        .find(|f| f.form.id == "hundesteuer-anmeldung" && f.form.version == 3)
        .unwrap();
    let files: Vec<&[u8]> = sample.files.iter().map(|f| f.bytes.as_slice()).collect();
    // What the function gave the citizen while version 1 was published.
    let citizens = ReceiptMaker::new(registry(&catalog, v1))
        .render(&sample.record, &sample.record_bytes, &files)
        .unwrap();

    // The registry has moved on to version 3; the build kept version 1 as published.
    let schemas = tempfile::tempdir().unwrap();
    publish(&catalog, v1, schemas.path());
    publish(&catalog, v3, schemas.path());
    let moved_on = ReceiptMaker::new(registry(&catalog, v3));
    let why = moved_on.form_of(&sample.record).unwrap_err();
    assert!(why.contains("hundesteuer-anmeldung@3"), "{why}");
    let maker = moved_on.with_earlier_versions(schemas.path());
    assert_eq!(*maker.form_of(&sample.record).unwrap(), *v1);
    let made = maker
        .render(&sample.record, &sample.record_bytes, &files)
        .unwrap();
    assert_eq!(made.len(), citizens.len());
    for (a, b) in made.iter().zip(&citizens) {
        assert!(
            a.file_name == b.file_name && a.pdf == b.pdf,
            "{}",
            a.file_name
        );
    }

    // Version 1 published again with other content (another municipality name): the file
    // holds that, which is not the form the record was validated against.
    let mut renamed = v1.municipality.clone();
    renamed.name = format!("{} (neu)", renamed.name);
    let changed = ResolvedForm::new(renamed, v1.languages.clone(), v1.form.clone());
    publish(&catalog, &changed, schemas.path());
    let why = maker.form_of(&sample.record).unwrap_err();
    assert!(why.contains(changed.sha256.as_str()), "{why}");

    // A file edited by hand is refused by its content hash.
    let name = inbox::contract::name_of(v1);
    let path = schemas.path().join(inbox::contract::form_file(&name));
    publish(&catalog, v1, schemas.path());
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("Hund", "Katze", 1)).unwrap();
    let why = maker.form_of(&sample.record).unwrap_err();
    assert!(why.contains("content hash does not match"), "{why}");
}
