//! Every folder in `tests/fixtures/invalid/` holds a small `forms/` project with one mistake and
//! the exact `file:line:col: message` lines a process designer sees: `expected.txt` in German
//! (`check`'s default), `expected.en.txt` in English (`check --lang en`).
//!
//! `FORMFABRIK_BLESS=1` writes the files from what `check` says now instead of comparing (for a
//! deliberate change of wording; read the diff before committing it).

use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// Headlines of `check` on `case/forms` in `lang`, with paths relative to `case`.
fn headlines(case: &Path, lang: &str) -> Vec<String> {
    let report = form_model::check(&case.join("forms"));
    let prefix = format!("{}/", case.display());
    report
        .diagnostics
        .items
        .iter()
        .map(|d| d.headline_in(lang).replacen(&prefix, "", 1))
        .collect()
}

#[test]
fn every_invalid_case_reports_exactly_its_expected_diagnostics_in_german_and_english() {
    let mut cases: Vec<PathBuf> = fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "only {} invalid cases", cases.len());
    let bless = std::env::var_os("FORMFABRIK_BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        for (lang, file) in [("de", "expected.txt"), ("en", "expected.en.txt")] {
            let actual = headlines(case, lang);
            if bless {
                fs::write(case.join(file), actual.join("\n") + "\n").unwrap();
                continue;
            }
            let expected: Vec<String> = fs::read_to_string(case.join(file))
                .unwrap_or_else(|e| panic!("{}/{file}: {e}", case.display()))
                .lines()
                .map(str::to_string)
                .collect();
            if actual != expected {
                failures.push(format!(
                    "{} ({file})\n  expected: {expected:#?}\n  actual:   {actual:#?}",
                    case.file_name().unwrap().to_string_lossy()
                ));
            }
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
fn renders_the_source_line_with_a_caret_and_help_in_german_by_default_and_in_english() {
    let case = fixtures().join("invalid/unknown-key-typo");
    let report = form_model::check(&case.join("forms"));
    let prefix = format!("{}/", case.display());
    let german = report.diagnostics.items[0]
        .to_string()
        .replacen(&prefix, "", 1);
    let expected = "forms/catalog/hundesteuer-anmeldung.yaml:16:9: Unbekannter Schlüssel „requried“; meinten Sie „required“?\n   |\n16 |         requried: true\n   |         ^^^^^^^^\n";
    assert!(german.starts_with(expected), "{german}");
    assert!(
        german.contains("= Hilfe: erlaubt sind hier: \"id\", \"type\""),
        "{german}"
    );
    let english = report.diagnostics.items[0]
        .render("en")
        .replacen(&prefix, "", 1);
    let expected = "forms/catalog/hundesteuer-anmeldung.yaml:16:9: unknown key \"requried\"; did you mean \"required\"?\n   |\n16 |         requried: true\n   |         ^^^^^^^^\n";
    assert!(english.starts_with(expected), "{english}");
    assert!(
        english.contains("= help: allowed here: \"id\", \"type\""),
        "{english}"
    );
}

#[test]
fn a_yaml_syntax_error_says_what_is_probably_wrong_and_shows_the_parsers_words_below() {
    let case = fixtures().join("invalid/yaml-syntax-unclosed-brace");
    let report = form_model::check(&case.join("forms"));
    let english = report.diagnostics.items[0].render("en");
    assert!(
        english.contains(": a mapping in { ... } is not closed"),
        "{english}"
    );
    assert!(
        english.contains(
            "  = the YAML parser says: did not find expected ',' or '}', while parsing a flow mapping\n"
        ),
        "{english}"
    );
    let german = report.diagnostics.items[0].to_string();
    assert!(
        german.contains(": Eine Zuordnung in { ... } ist nicht geschlossen"),
        "{german}"
    );
    assert!(
        german.contains("  = Meldung des YAML-Parsers: did not find expected ','"),
        "{german}"
    );
    // Plain words first, the parser's words only below them.
    let headline = english.lines().next().unwrap();
    assert!(!headline.contains("did not find"), "{headline}");

    // The example: a key written in the column of a list's dashes.
    let case = fixtures().join("invalid/yaml-syntax-list-entry-out-of-line");
    let report = form_model::check(&case.join("forms"));
    let english = report.diagnostics.items[0].render("en");
    assert!(
        english.contains(": this line stands in the column of the list's dashes"),
        "{english}"
    );
    assert!(
        english.contains(
            "  = the YAML parser says: did not find expected '-' indicator, while parsing a block collection\n"
        ),
        "{english}"
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
        let rendered = report.diagnostics.items[0].render("en").replacen(
            &format!("{}/", case.display()),
            "",
            1,
        );
        assert!(rendered.starts_with(expected), "{rendered}");
    }
}

/// The `msg!("key", …)` keys written in form-model's and the generator's code.
fn keys_in_code() -> std::collections::BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut keys = std::collections::BTreeSet::new();
    let mut dirs = vec![root.join("form-model/src"), root.join("generator/src")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                // The macro's own file names a key only as an example.
                && !path.ends_with("form-model/src/msg.rs")
            {
                let text = fs::read_to_string(&path).unwrap();
                for part in text.split("msg!(").skip(1) {
                    let part = part.trim_start();
                    if let Some(rest) = part.strip_prefix('"') {
                        let key = rest.split('"').next().unwrap();
                        keys.insert(key.to_string());
                    }
                }
            }
        }
    }
    keys
}

#[test]
fn every_message_check_writes_is_in_the_designer_area_and_every_text_there_is_used() {
    let table = form_model::messages::DESIGNER.table();
    let used = keys_in_code();
    let missing: Vec<&String> = used.iter().filter(|k| !table.contains_key(*k)).collect();
    assert!(missing.is_empty(), "not in designer.yaml: {missing:?}");
    let unused: Vec<&String> = table.keys().filter(|k| !used.contains(*k)).collect();
    assert!(unused.is_empty(), "never used: {unused:?}");
    assert!(used.len() > 100, "only {} keys found", used.len());
}
