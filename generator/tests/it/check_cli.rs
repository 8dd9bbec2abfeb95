//! `formfabrik check` as designers run it: real process, real exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn check(dir: &Path, lang: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_formfabrik"))
        .args(["check", "--forms", "forms"])
        .args(lang)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn check_passes_on_the_repository_and_prints_summary_and_drift_report_in_german() {
    let (code, out) = check(&repo(), &[]);
    assert_eq!(code, 0, "{out}");
    let summary = out.lines().last().unwrap();
    assert!(
        summary.starts_with("check: 8 Katalogformulare (12 Versionen), 4 Kommunen, "),
        "{summary}"
    );
    // The sample forms without a LeiKa key (seven) or intro (one): tests/findability.rs.
    assert!(summary.ends_with(": 0 Fehler, 8 Warnungen"), "{summary}");
    assert!(out.contains("Abweichungen vom Katalog:\n"), "{out}");
    assert!(
        out.contains(
            "    hundesteuer-anmeldung: verwendet Version 1, die neueste im Katalog ist 3"
        ),
        "{out}"
    );
    assert!(
        out.contains("Unbekanntes Feld „telefonnummer“ in set; meinten Sie „telefon“?"),
        "{out}"
    );
    assert!(out.contains(": Warnung: "), "{out}");
}

#[test]
fn check_lang_en_prints_the_same_report_in_english() {
    let (code, out) = check(&repo(), &["--lang", "en"]);
    assert_eq!(code, 0, "{out}");
    let summary = out.lines().last().unwrap();
    assert!(
        summary.starts_with("check: 8 catalog forms (12 versions), 4 municipalities, "),
        "{summary}"
    );
    assert!(summary.ends_with(": 0 errors, 8 warnings"), "{summary}");
    assert!(out.contains("drift report:\n"), "{out}");
    assert!(
        out.contains("    hundesteuer-anmeldung: pins version 1, the catalog's newest is 3"),
        "{out}"
    );
    assert!(
        out.contains("unknown field \"telefonnummer\" in set; did you mean \"telefon\"?"),
        "{out}"
    );
    // Musterstadt's adaptations (one adds a question after one now inside the dog list)
    // carry over to the new version.
    assert!(
        out.contains("    hundesteuer-anmeldung: pins version 2, the catalog's newest is 3 (9 adaptations)\n      at forms/municipalities/musterstadt/municipality.yaml:124:10\n      its adaptations apply to version 3 unchanged"),
        "{out}"
    );
}

#[test]
fn check_refuses_a_language_it_does_not_speak() {
    let (code, _) = check(&repo(), &["--lang", "fr"]);
    assert_eq!(code, 2, "clap refuses the value");
}

#[test]
fn check_exits_1_and_shows_the_source_line_on_an_error() {
    let case = repo().join("tests/fixtures/invalid/condition-unknown-field");
    let (code, out) = check(&case, &[]);
    assert_eq!(code, 1);
    assert!(out.starts_with(
        "forms/catalog/hundesteuer-anmeldung.yaml:45:27: Unbekanntes Feld „gefährlich“ in der Bedingung; meinten Sie „gefaehrlich“?\n"
    ), "{out}");
    assert!(out.contains("^^^^^^^^^^"), "{out}");
    assert!(out.trim_end().ends_with(": 1 Fehler, 0 Warnungen"), "{out}");
    // The drift report does not call a form with errors up to date.
    assert!(
        out.contains(
            "    hundesteuer-anmeldung@1: nicht veröffentlicht, es hat Fehler (siehe oben)\n"
        ),
        "{out}"
    );
    assert!(!out.contains("aktuell"), "{out}");
    let (code, out) = check(&case, &["--lang", "en"]);
    assert_eq!(code, 1);
    assert!(out.starts_with(
        "forms/catalog/hundesteuer-anmeldung.yaml:45:27: unknown field \"gefährlich\" in condition; did you mean \"gefaehrlich\"?\n"
    ), "{out}");
    assert!(out.trim_end().ends_with(": 1 error, 0 warnings"), "{out}");
    assert!(
        out.contains("    hundesteuer-anmeldung@1: not published, it has errors (see above)\n"),
        "{out}"
    );
}

#[test]
fn check_reports_a_missing_forms_folder() {
    let dir = std::env::temp_dir().join(format!("formfabrik-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (code, out) = check(&dir, &[]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("forms/catalog:1:1: Ordner nicht gefunden"),
        "{out}"
    );
}
