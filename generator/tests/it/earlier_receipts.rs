//! The receipt of a submission whose form version the municipality no longer publishes: sent
//! under version 1, imported after the catalog form moved on to version 2 and the site was
//! rebuilt. `inbox pull` still writes its receipt — the citizen's copy byte for byte, with
//! version 1's labels — and `inbox export --xdomea` hands it over, from the form as published
//! that the build keeps in `dist/schemas` (`v1.form.json`).

use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use bytes::Bytes;
use generator::site::{BuildOptions, build};
use http::{Request, header};
use serde_json::json;
use time::macros::datetime;

use crate::common::{copy_dir, repo};

const M: &str = "neustadt-am-see";
const FORM: &str = "sperrmuell-anmeldung";
const NOW: time::OffsetDateTime = datetime!(2026-12-01 08:15:00 UTC);
/// Version 1's German label of the collection address, and version 2's.
const OLD_LABEL: &str = "Abholadresse";
const NEW_LABEL: &str = "Anschrift für die Abholung";

fn build_site(forms: &Path, out: &Path) {
    build(&BuildOptions {
        forms_dir: forms.to_path_buf(),
        templates_dir: repo().join("site-templates"),
        out_dir: out.to_path_buf(),
        local_base: None,
        progress: false,
        dev_reload: false,
    })
    .unwrap();
}

/// The catalog form moves on to version 2 (version 1 goes to the archive as it was; version 2
/// words the collection address's label differently) and Neustadt am See publishes it.
fn bump(forms: &Path) {
    let catalog = forms.join(format!("catalog/{FORM}.yaml"));
    let v1 = fs::read_to_string(&catalog).unwrap();
    fs::write(forms.join(format!("catalog/archive/{FORM}@1.yaml")), &v1).unwrap();
    let v2 = v1.replacen("\nversion: 1\n", "\nversion: 2\n", 1).replacen(
        &format!("label: {{ de: {OLD_LABEL},"),
        &format!("label: {{ de: {NEW_LABEL},"),
        1,
    );
    assert!(v2.contains("version: 2") && v2.contains(NEW_LABEL));
    fs::write(&catalog, v2).unwrap();
    let config = forms.join(format!("municipalities/{M}/municipality.yaml"));
    let text = fs::read_to_string(&config).unwrap();
    let bumped = text.replacen(&format!("use: {FORM}@1"), &format!("use: {FORM}@2"), 1);
    assert_ne!(text, bumped);
    fs::write(&config, bumped).unwrap();
}

fn formfabrik<S: AsRef<OsStr>>(args: &[S]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_formfabrik"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "formfabrik {:?}: {}{}",
        args.iter().map(|a| a.as_ref()).collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The text poppler's `pdftotext` extracts (installed by `scripts/test`, as for the receipt's
/// own tests).
fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args([OsStr::new("-enc"), OsStr::new("UTF-8"), pdf.as_os_str()])
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn zips(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_submission_of_an_earlier_form_version_gets_its_receipt_at_pull_and_in_the_xdomea_hand_off_after_the_form_moved_on()
 {
    let tmp = tempfile::tempdir().unwrap();
    let (forms, dist, data) = (
        tmp.path().join("forms"),
        tmp.path().join("dist"),
        tmp.path().join("data"),
    );
    copy_dir(&repo().join("forms"), &forms);
    build_site(&forms, &dist);

    // The citizen sends under version 1 and gets the receipt in the answer.
    let registry = submit_fn::config::load_registry(&dist.join("function/registry.json")).unwrap();
    let handler = submit_fn::Handler::with_folder_store(registry, &data)
        .with_clock(Arc::new(submit_fn::FixedClock(NOW)));
    let example = fs::read_to_string(repo().join(format!(
        "tests/fixtures/submissions/{FORM}@1/moebel-mit-abstellort.json"
    )))
    .unwrap();
    let request = Request::post(format!("/v1/{M}/{FORM}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json")
        .body(Bytes::from(example))
        .unwrap();
    let response = handler.handle(request).await;
    assert_eq!(response.status(), 201, "{:?}", response.body());
    let answer: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    let reference = answer["reference"].as_str().unwrap().to_string();
    // The confirmation page's button asks for the receipt with what the answer held.
    let asked = json!({
        "record": answer["receipt"]["record"],
        "attachments_sha512": answer["receipt"]["attachments_sha512"],
    });
    let request = Request::post(format!("/v1/{M}/{FORM}/receipt"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(serde_json::to_vec(&asked).unwrap()))
        .unwrap();
    let response = handler.handle(request).await;
    assert_eq!(response.status(), 200, "{:?}", response.body());
    let citizens_copy = response.body().to_vec();

    // The form moves on before the back office imports.
    bump(&forms);
    build_site(&forms, &dist);
    let registry = submit_fn::config::load_registry(&dist.join("function/registry.json")).unwrap();
    assert_eq!(registry.form(M, FORM).unwrap().form.version, 2);

    let schemas = dist.join("schemas");
    let pulled = tmp.path().join("pulled");
    let pull = formfabrik(&[
        OsStr::new("inbox"),
        OsStr::new("pull"),
        OsStr::new("--store"),
        OsStr::new(&format!("file:{}", data.display())),
        OsStr::new("--municipality"),
        OsStr::new(M),
        OsStr::new("--schemas"),
        schemas.as_os_str(),
        OsStr::new("--out"),
        pulled.as_os_str(),
    ]);
    // The line for a scheduler's log names the submission as the clerks know it.
    let printed = String::from_utf8_lossy(&pull.stdout);
    assert!(
        printed
            .lines()
            .any(|l| l.starts_with(&format!("imported\t{reference}\t"))),
        "{printed}"
    );
    let folder = pulled.join(format!("{M}/{FORM}/v1/{reference}"));
    let receipt = folder.join("receipt.pdf");
    let pdf = fs::read(&receipt).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; the folder holds {:?}",
            receipt.display(),
            fs::read_dir(&folder)
                .map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>())
                .unwrap_or_default()
        )
    });
    assert!(
        pdf == citizens_copy,
        "the back office's receipt is not the citizen's copy"
    );
    let text = pdftotext(&receipt);
    assert!(text.contains(OLD_LABEL), "{text}");
    assert!(!text.contains(NEW_LABEL), "{text}");
    assert!(
        text.contains(&reference) && text.contains("Lindenweg"),
        "{text}"
    );
    // What made it possible: version 1 as published, kept beside its schema.
    assert!(schemas.join(format!("{M}/{FORM}/v1.form.json")).is_file());
    assert!(schemas.join(format!("{M}/{FORM}/v2.form.json")).is_file());

    // The e-file hand-off takes it as the case's main document.
    let transfer = tmp.path().join("transfer");
    formfabrik(&[
        OsStr::new("inbox"),
        OsStr::new("export"),
        OsStr::new("--xdomea"),
        transfer.as_os_str(),
        OsStr::new("--pulled"),
        pulled.as_os_str(),
        OsStr::new("--municipality"),
        OsStr::new(M),
        OsStr::new("--registry"),
        dist.join("function/registry.json").as_os_str(),
        OsStr::new("--schemas"),
        schemas.as_os_str(),
    ]);
    let packages = zips(&transfer);
    assert_eq!(packages.len(), 1, "{packages:?}");
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(fs::read(&packages[0]).unwrap())).unwrap();
    let mut packed = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        if file.name().unwrap().ends_with("_Antragsbestaetigung.pdf") {
            file.read_to_end(&mut packed).unwrap();
        }
    }
    assert!(packed == pdf, "the package's receipt is not the pulled one");
}
