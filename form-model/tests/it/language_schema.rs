//! The form language's JSON Schema (for editors): the repository's forms and the valid fixture
//! follow it, fixtures with a wrong key or value do not, every YAML file under `forms/` points
//! at its schema, and the committed schema files are what the model types give today.

use std::fs;
use std::path::{Path, PathBuf};

use form_model::language_schema::{language_schemas, modeline, schema_for_path};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every YAML file under `forms` with its path relative to `forms`.
fn yaml_files(forms: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut out = Vec::new();
    let mut dirs = vec![forms.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let relative = path.strip_prefix(forms).unwrap().to_path_buf();
                out.push((path, relative));
            }
        }
    }
    out.sort();
    out
}

/// The schema errors of the YAML file at `relative` (to its `forms/`), or `None` when no
/// schema applies to it.
fn schema_errors(path: &Path, relative: &Path) -> Option<Vec<String>> {
    let (file, _) = schema_for_path(relative)?;
    let schema = language_schemas()
        .into_iter()
        .find(|s| s.file == file)
        .unwrap()
        .schema;
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let text = fs::read_to_string(path).unwrap();
    let Ok(instance) = serde_yaml::from_str::<Value>(&text) else {
        return Some(vec!["not YAML".into()]);
    };
    Some(
        validator
            .iter_errors(&instance)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect(),
    )
}

#[test]
fn every_yaml_file_in_forms_and_the_valid_fixture_follows_the_language_schema() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for forms in [
        repo().join("forms"),
        repo().join("tests/fixtures/valid/minimal/forms"),
    ] {
        for (path, relative) in yaml_files(&forms) {
            let errors = schema_errors(&path, &relative)
                .unwrap_or_else(|| panic!("{}: no schema for it", path.display()));
            checked += 1;
            if !errors.is_empty() {
                failures.push(format!("{}: {errors:#?}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 15, "only {checked} files");
}

#[test]
fn every_fixture_with_a_wrong_key_or_value_breaks_the_language_schema() {
    // The fixtures whose mistake is a key or value serde refuses (the schema's territory);
    // found by what `check` says about them, not by a list that could fall behind.
    let said_by_serde = [
        "unknown key",
        "unknown value",
        "is missing here",
        "is a rule of the question",
        "expected a whole number",
        "is not a language code, and a text takes only languages",
    ];
    let mut cases = 0;
    let mut failures = Vec::new();
    for entry in fs::read_dir(repo().join("tests/fixtures/invalid")).unwrap() {
        let case = entry.unwrap().path();
        let expected = fs::read_to_string(case.join("expected.en.txt")).unwrap();
        if !said_by_serde.iter().any(|s| expected.contains(s)) {
            continue;
        }
        // The file of the finding serde would make.
        let line = expected
            .lines()
            .find(|l| said_by_serde.iter().any(|s| l.contains(s)))
            .unwrap();
        let file = case.join(line.split(':').next().unwrap());
        let forms = case.join("forms");
        let relative = file.strip_prefix(&forms).unwrap();
        let errors = schema_errors(&file, relative).unwrap();
        cases += 1;
        if errors.is_empty() {
            failures.push(format!("{}: follows the schema", case.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(cases >= 6, "only {cases} cases");
}

#[test]
fn every_yaml_file_in_forms_names_its_schema_on_its_first_line() {
    let forms = repo().join("forms");
    let mut failures = Vec::new();
    for (path, relative) in yaml_files(&forms) {
        let expected = modeline(&relative).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        if text.lines().next() != Some(expected.as_str()) {
            failures.push(format!(
                "{}: first line should be {expected}",
                path.display()
            ));
        }
        // The reference resolves from the file's own folder.
        let (_, reference) = schema_for_path(&relative).unwrap();
        assert!(
            path.parent().unwrap().join(&reference).is_file(),
            "{reference}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_committed_schema_files_are_what_the_model_types_give() {
    for s in language_schemas() {
        let path = repo().join("forms/schema").join(s.file);
        let committed: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            committed,
            s.schema,
            "{} is stale: run formfabrik schema --out forms/schema",
            path.display()
        );
    }
}

#[test]
fn the_schema_knows_the_keys_and_field_types_a_designer_writes() {
    let catalog = &language_schemas()[0].schema;
    let text = catalog.to_string();
    for word in [
        "\"required-if\"",
        "\"show-if\"",
        "\"max-size-mb\"",
        "\"checkboxes\"",
        "\"group\"",
    ] {
        assert!(text.contains(word), "{word} missing");
    }
    assert_eq!(catalog["additionalProperties"], Value::Bool(false));
    // A text takes language codes only, as check says.
    assert!(
        text.contains("\"propertyNames\":{\"enum\":[\"de\",\"en\""),
        "{text}"
    );
}
