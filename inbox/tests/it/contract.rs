//! The importer contract's fixtures: the example submissions of every published form version
//! (tests/fixtures/submissions, adapted to the municipality's version where needed) are valid
//! and cover both branches of each of its conditions, so an importer tested with them has
//! seen every shape its data can take.

use std::sync::Arc;

use crate::common::*;
use store::MemoryStore;

/// The day conditions are judged on (conditions relative to today; none of the fixtures
/// depends on the real date).
const FIXTURE_DAY: time::Date = time::macros::date!(2026 - 11 - 28);

#[tokio::test]
async fn the_fixtures_cover_both_branches_of_every_condition_of_every_published_form() {
    let store = Arc::new(MemoryStore::new());
    let sent = store_all(store.as_ref(), false).await;
    let registry = registry(false);
    let mut gaps = Vec::new();
    let mut checked = 0;
    for form in &registry.forms {
        let examples: Vec<&Sent> = sent
            .iter()
            .filter(|s| s.municipality == form.municipality.id && s.form == form.form.id)
            .collect();
        for step in &form.form.steps {
            let conditions =
                step.show_if
                    .iter()
                    .map(|c| (format!("step {}", step.id), c))
                    .chain(step.fields.iter().filter_map(|f| {
                        f.show_if.as_ref().map(|c| (format!("field {}", f.id), c))
                    }));
            for (what, condition) in conditions {
                checked += 1;
                let shown = examples
                    .iter()
                    .filter(|s| condition.holds(&s.data, FIXTURE_DAY))
                    .count();
                if shown == 0 || shown == examples.len() {
                    gaps.push(format!(
                        "{}/{} v{}: {what} is {} in all {} fixtures",
                        form.municipality.id,
                        form.form.id,
                        form.form.version,
                        if shown == 0 { "hidden" } else { "shown" },
                        examples.len()
                    ));
                }
            }
        }
    }
    assert!(checked >= 10, "only {checked} conditions");
    assert!(gaps.is_empty(), "{}", gaps.join("\n"));
}

#[test]
fn the_published_fixtures_are_records_valid_against_their_schema() {
    let registry = registry(false);
    let out = tempfile::tempdir().unwrap();
    let report = inbox::contract::write_fixtures(
        &registry,
        &repo().join("tests/fixtures/submissions"),
        out.path(),
        NOW.date(),
    )
    .unwrap();
    assert!(
        report.without_fixtures.is_empty(),
        "{:?}",
        report.without_fixtures
    );
    assert!(report.written >= registry.forms.len() * 2, "{report:?}");
    let mut seen = 0;
    for form in &registry.forms {
        let schema = form_model::schema::json_schema(form);
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        let dir = out.path().join(format!(
            "{}/{}/v{}.fixtures",
            form.municipality.id, form.form.id, form.form.version
        ));
        for entry in std::fs::read_dir(&dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let record: form_model::record::SubmissionRecord = serde_json::from_str(&text).unwrap();
            assert_eq!(record.form.id, form.form.id);
            let data = serde_json::Value::Object(record.data);
            let errors: Vec<String> = validator
                .iter_errors(&data)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{errors:?}");
            seen += 1;
        }
    }
    assert_eq!(seen, report.written);
}

/// The contract files made from a shared form's texts (`SharedContracts`, what the build uses)
/// are those `published` makes for each municipality on its own, byte for byte: the sample
/// municipalities share forms (the same catalog form as it is) and differ in their own.
#[test]
fn shared_contracts_are_the_contracts_made_one_by_one() {
    let report = form_model::check(&repo().join("forms"));
    assert!(report.is_ok(), "{}", report.summary());
    let shared = inbox::contract::SharedContracts::default();
    let mut compared = 0;
    // Twice: made the first time, from the kept texts the second.
    for _ in 0..2 {
        for form in &report.resolved {
            let m = report
                .project
                .municipalities
                .iter()
                .find(|m| m.config.id == form.municipality.id)
                .unwrap();
            let json = serde_json::to_string(&*form.form).unwrap();
            assert_eq!(
                shared.published(form, &m.config.contact, &json),
                inbox::contract::published(form, &m.config.contact),
                "{}/{}",
                form.municipality.id,
                form.form.id
            );
            compared += 1;
        }
    }
    let distinct: std::collections::HashSet<_> = report
        .resolved
        .iter()
        .map(|f| Arc::as_ptr(&f.form))
        .collect();
    assert!(distinct.len() < report.resolved.len(), "no form is shared");
    assert!(compared >= 20, "only {compared}");
}
