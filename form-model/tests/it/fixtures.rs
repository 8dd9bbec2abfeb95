//! Every folder in `tests/fixtures/invalid/` holds a small `forms/` project with one mistake and
//! `expected.txt`: exactly the `file:line:col: message` lines a process designer sees.

use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// Headlines of `check` on `case/forms`, with paths relative to `case`.
fn headlines(case: &Path) -> Vec<String> {
    let report = form_model::check(&case.join("forms"));
    let prefix = format!("{}/", case.display());
    report
        .diagnostics
        .items
        .iter()
        .map(|d| d.headline().replacen(&prefix, "", 1))
        .collect()
}

#[test]
fn every_invalid_case_reports_exactly_its_expected_diagnostics() {
    let mut cases: Vec<PathBuf> = fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "only {} invalid cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let expected: Vec<String> = fs::read_to_string(case.join("expected.txt"))
            .unwrap_or_else(|e| panic!("{}: {e}", case.display()))
            .lines()
            .map(str::to_string)
            .collect();
        let actual = headlines(case);
        if actual != expected {
            failures.push(format!(
                "{}\n  expected: {expected:#?}\n  actual:   {actual:#?}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
        let report = form_model::check(&case.join("forms"));
        assert!(!report.is_ok(), "{} must fail the check", case.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_minimal_valid_project_has_no_problems() {
    let report = form_model::check(&fixtures().join("valid/minimal/forms"));
    assert_eq!(report.diagnostics.items, vec![]);
    assert_eq!(report.resolved.len(), 1);
}

#[test]
fn the_repository_catalog_and_municipalities_pass_the_check() {
    let forms = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms");
    let report = form_model::check(&forms);
    let rendered: Vec<String> = report
        .diagnostics
        .items
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert!(report.is_ok(), "{}", rendered.join("\n"));
    assert!(report.project.form_ids().len() >= 4);
    assert!(report.project.municipalities.len() >= 3);
}

#[test]
fn renders_the_source_line_with_a_caret_and_help() {
    let case = fixtures().join("invalid/unknown-key-typo");
    let report = form_model::check(&case.join("forms"));
    let rendered = report.diagnostics.items[0].to_string();
    let prefix = format!("{}/", case.display());
    let rendered = rendered.replacen(&prefix, "", 1);
    let expected = "forms/catalog/hundesteuer-anmeldung.yaml:16:9: unknown key \"requried\"; did you mean \"required\"?\n   |\n16 |         requried: true\n   |         ^^^^^^^^\n";
    assert!(rendered.starts_with(expected), "{rendered}");
    assert!(
        rendered.contains("= help: allowed here: \"id\", \"type\""),
        "{rendered}"
    );
}

#[test]
fn a_key_written_twice_is_shown_where_it_is_written_again_and_the_help_names_the_first() {
    for (case, expected) in [
        (
            "duplicate-yaml-key",
            "forms/catalog/hundesteuer-anmeldung.yaml:18:9: key \"max-length\" is written twice\n   |\n18 |         max-length: 80\n   |         ^^^^^^^^^^\n  = help: \"max-length\" is first written at line 17, column 9; keep only one of them",
        ),
        (
            // In a map of texts serde_yaml would silently keep the last one.
            "duplicate-yaml-key-in-text",
            "forms/catalog/hundesteuer-anmeldung.yaml:17:11: key \"de\" is written twice\n   |\n17 |           de: Rufname\n   |           ^^\n  = help: \"de\" is first written at line 15, column 11; keep only one of them",
        ),
    ] {
        let case = fixtures().join("invalid").join(case);
        let report = form_model::check(&case.join("forms"));
        let rendered = report.diagnostics.items[0].to_string().replacen(
            &format!("{}/", case.display()),
            "",
            1,
        );
        assert!(rendered.starts_with(expected), "{rendered}");
    }
}
