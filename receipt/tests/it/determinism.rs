use std::process::Command;

use efile_testkit::{LANGUAGES, catalog, samples};
use receipt::render;
use sha2::{Digest, Sha256};

use crate::support::receipt_of;

/// `<form>@<version>/<sample> <sha256 of the PDF>`, one line per receipt of the catalog.
fn fingerprints() -> String {
    let catalog = catalog();
    let mut lines = String::new();
    for form in &catalog.forms {
        for lang in LANGUAGES {
            for sample in samples(form, lang) {
                let receipt = receipt_of(&catalog, form, &sample, lang);
                let first = render(&receipt).unwrap();
                let second = render(&receipt).unwrap();
                assert!(first == second, "{}: two renderings differ", sample.name);
                lines.push_str(&format!(
                    "{}@{}/{} {}\n",
                    form.form.id,
                    form.form.version,
                    sample.name,
                    hex::encode(Sha256::digest(&first))
                ));
            }
        }
    }
    lines
}

const CHILD: &str = "RECEIPT_FINGERPRINTS_OUT";

/// Renders every receipt twice here and once more in a second process (another hash seed,
/// another address layout): all bytes agree.
#[test]
fn the_same_record_gives_the_same_bytes_twice_and_in_another_process() {
    if let Ok(out) = std::env::var(CHILD) {
        std::fs::write(out, fingerprints()).unwrap();
        return;
    }
    let here = fingerprints();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fingerprints.txt");
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "determinism::the_same_record_gives_the_same_bytes_twice_and_in_another_process",
            "--test-threads=1",
        ])
        .env(CHILD, &out)
        .status()
        .unwrap();
    assert!(status.success());
    let there = std::fs::read_to_string(&out).unwrap();
    pretty_assertions::assert_eq!(here, there);
}
