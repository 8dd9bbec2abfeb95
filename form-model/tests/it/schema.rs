//! The JSON Schema of each catalog form agrees with `validate`: every example submission in
//! `tests/fixtures/submissions/<form>@<version>/` passes both, and every mutation that breaks a
//! rule (missing required answer, unknown field, hidden-but-filled, unknown option) fails both.

use std::fs;
use std::path::{Path, PathBuf};

use form_model::model::FieldType;
use form_model::resolve::{MunicipalityRef, ResolvedForm};
use form_model::schema::json_schema;
use form_model::{Submission, validate};
use serde_json::{Value, json};
use time::macros::date;

const TODAY: time::Date = date!(2026 - 11 - 28);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every catalog form as published unchanged, in all languages its texts have; a form that
/// leaves option lists or areas to the municipality as the first municipality publishing it
/// resolves it (its examples use that municipality's values).
fn catalog_forms() -> Vec<ResolvedForm> {
    let report = form_model::check(&repo().join("forms"));
    report
        .project
        .catalog
        .iter()
        .map(|c| {
            let with_parameters = c
                .form
                .all_fields()
                .any(|f| form_model::model::ParameterUse::of(f).is_some());
            if with_parameters {
                return report
                    .resolved
                    .iter()
                    .find(|r| r.form.id == c.form.id && r.form.version == c.form.version)
                    .expect("a form with parameters is published somewhere")
                    .clone();
            }
            ResolvedForm::new(
                MunicipalityRef {
                    id: "katalog".into(),
                    name: "Katalog".into(),
                    ags: "00000000".into(),
                },
                c.form.title.keys().cloned().collect(),
                c.form.clone(),
            )
        })
        .collect()
}

fn examples(form: &ResolvedForm) -> Vec<(String, Submission)> {
    let dir = repo().join(format!(
        "tests/fixtures/submissions/{}@{}",
        form.form.id, form.form.version
    ));
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            let submission: Submission =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                submission,
            )
        })
        .collect()
}

struct Judges {
    form: ResolvedForm,
    schema: jsonschema::Validator,
}

impl Judges {
    fn new(form: ResolvedForm) -> Judges {
        let schema = jsonschema::draft202012::new(&json_schema(&form)).expect("schema compiles");
        Judges { form, schema }
    }

    /// (validate accepts, schema accepts the data `validate` would store or the raw data).
    fn verdicts(&self, language: &str, data: &Value) -> (bool, bool) {
        let submission = Submission {
            language: language.into(),
            data: data.as_object().unwrap().clone(),
        };
        match validate(&self.form, &submission, TODAY) {
            Ok(clean) => (true, self.schema.is_valid(&Value::Object(clean))),
            Err(_) => (false, self.schema.is_valid(data)),
        }
    }
}

#[test]
fn every_catalog_form_has_examples_and_they_pass_validation_and_schema() {
    let forms = catalog_forms();
    assert!(forms.len() >= 5);
    for form in forms {
        let judges = Judges::new(form.clone());
        let examples = examples(&form);
        assert!(examples.len() >= 2, "{}: needs examples", form.form.id);
        for (name, submission) in examples {
            let result = validate(&form, &submission, TODAY);
            let clean = result.unwrap_or_else(|e| panic!("{}/{name}: {e:#?}", form.form.id));
            let errors: Vec<String> = judges
                .schema
                .iter_errors(&Value::Object(clean))
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}/{name}: {errors:#?}", form.form.id);
        }
    }
}

#[test]
fn mutated_examples_fail_validation_and_schema_alike() {
    for form in catalog_forms() {
        let judges = Judges::new(form.clone());
        for (name, submission) in examples(&form) {
            let data = Value::Object(submission.data.clone());
            let lang = submission.language.as_str();
            let clean = validate(&form, &submission, TODAY).expect("examples are valid");
            let mut mutations: Vec<(String, Value)> = Vec::new();
            for step in &form.form.steps {
                for field in &step.fields {
                    let present = data.get(&field.id).is_some();
                    if present && field.required {
                        let mut m = data.clone();
                        m.as_object_mut().unwrap().remove(&field.id);
                        mutations.push((format!("without {}", field.id), m));
                    }
                    if present && matches!(field.kind, FieldType::Radios | FieldType::Select) {
                        let mut m = data.clone();
                        m[&field.id] = json!("kein-wert");
                        mutations.push((format!("{} = unknown option", field.id), m));
                    }
                    let shown = step.show_if.as_ref().is_none_or(|c| c.holds(&clean, TODAY))
                        && field
                            .show_if
                            .as_ref()
                            .is_none_or(|c| c.holds(&clean, TODAY));
                    if !shown {
                        let mut m = data.clone();
                        m[&field.id] = json!("x");
                        mutations.push((format!("{} filled", field.id), m));
                    }
                }
            }
            let mut unknown = data.clone();
            unknown["feld-gibt-es-nicht"] = json!("x");
            mutations.push(("unknown field".into(), unknown));
            for (what, mutated) in mutations {
                let (valid, schema_valid) = judges.verdicts(lang, &mutated);
                assert!(
                    !valid,
                    "{}/{name} {what}: validate must reject",
                    form.form.id
                );
                assert!(
                    !schema_valid,
                    "{}/{name} {what}: the schema must reject what validate rejects",
                    form.form.id
                );
            }
        }
    }
}

#[test]
fn schema_states_the_conditional_requirement_of_the_dangerous_dog_permit() {
    let form = catalog_forms()
        .into_iter()
        .find(|f| f.form.id == "hundesteuer-anmeldung" && f.form.version == 2)
        .unwrap();
    let schema = json_schema(&form);
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["additionalProperties"], false);
    let rules = schema["allOf"].as_array().unwrap();
    let erlaubnis = rules
        .iter()
        .find(|r| r["then"]["required"] == json!(["erlaubnis"]))
        .expect("a rule requires erlaubnis when shown");
    assert_eq!(
        erlaubnis["if"],
        json!({ "properties": { "gefaehrlich": { "const": "ja" } }, "required": ["gefaehrlich"] })
    );
    assert_eq!(
        erlaubnis["else"],
        json!({ "not": { "required": ["erlaubnis"] } })
    );
}
