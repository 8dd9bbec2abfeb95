//! The two real Stammdatenschemas (copies in tests/fixtures): the import writes a form that
//! `formfabrik check` accepts, keeps every FIM id, lists every rule and every field it could
//! not map fully, and a filled-in submission passes the function's validation and the JSON
//! Schema.

use std::collections::BTreeSet;

use crate::common::*;
use fim_import::Imported;
use fim_import::report::{Conversion, Kind};
use form_model::model::{Bound, FieldType, Form};
use form_model::{Field, Submission};
use serde_json::{Map, Value, json};

const TODAY: time::Date = time::macros::date!(2026 - 03 - 02);

fn raw(dir: &str) -> String {
    std::fs::read_to_string(schema_file(dir)).unwrap()
}

/// FIM ids of the datenfeld elements of a schema, and the number of regel elements.
fn census(xml: &str) -> (BTreeSet<String>, usize) {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let mut fields = BTreeSet::new();
    let mut rules = 0;
    for n in doc.descendants().filter(|n| n.is_element()) {
        match n.tag_name().name() {
            "datenfeld" => {
                let id = n
                    .descendants()
                    .find(|d| d.tag_name().name() == "id")
                    .and_then(|d| d.text())
                    .unwrap();
                fields.insert(id.to_string());
            }
            "regel" => rules += 1,
            _ => {}
        }
    }
    (fields, rules)
}

fn every_rule_and_every_field_is_accounted_for(imported: &Imported, xml: &str) {
    let (fields, rules) = census(xml);
    assert_eq!(
        imported.report.rules.len(),
        rules,
        "every regel is in the report"
    );
    for r in &imported.report.rules {
        assert!(
            imported
                .yaml
                .contains(&format!("# FIM-Regel {} {}", r.id, r.version)),
            "{} is a comment in the YAML",
            r.id
        );
    }
    let in_form: BTreeSet<String> = all_fields(&imported.form)
        .iter()
        .filter(|f| f.kind != FieldType::Group)
        .map(|f| {
            f.fim
                .as_ref()
                .expect("every question has its FIM id")
                .id
                .clone()
        })
        .collect();
    let not_mapped: BTreeSet<String> = imported
        .report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::NotMapped)
        .map(|f| f.fim.split(' ').next().unwrap().to_string())
        .collect();
    for id in &fields {
        assert!(
            in_form.contains(id) || not_mapped.contains(id),
            "{id} is neither in the form nor reported as not mapped"
        );
    }
    // What the report says a converted rule changed is in the form.
    for r in &imported.report.rules {
        let Conversion::Converted(done) = &r.conversion else {
            continue;
        };
        for d in done {
            let (whats, change) = d.split_once(": ").unwrap();
            for what in whats.split(", ") {
                let id = what.trim_start_matches("step ").trim_matches('`');
                let step = what
                    .starts_with("step ")
                    .then(|| imported.form.steps.iter().find(|s| s.id == id).unwrap());
                let ok = match (step, change.split(' ').next().unwrap()) {
                    (Some(s), "show-if") => s.show_if.is_some(),
                    (None, "show-if") => find(&imported.form, id).show_if.is_some(),
                    (None, "required") => find(&imported.form, id).required,
                    (None, "required-if") => {
                        let f = find(&imported.form, id);
                        f.required || f.required_if.is_some()
                    }
                    (None, "max-selected") => find(&imported.form, id).max_selected.is_some(),
                    other => panic!("{} changed {other:?}", r.id),
                };
                assert!(ok, "{}: {what} {change}", r.id);
            }
        }
    }
}

/// Answers, in the order of the form, for the questions shown under the answers before them and
/// kept by `keep` (the question, and the answers known: all of the last round's).
fn fill(form: &Form, keep: &dyn Fn(&Field, &Map<String, Value>) -> bool) -> Map<String, Value> {
    let mut answers = Map::new();
    for step in &form.steps {
        if step
            .show_if
            .as_ref()
            .is_some_and(|c| !c.holds(&answers, TODAY))
        {
            continue;
        }
        for f in &step.fields {
            if f.show_if
                .as_ref()
                .is_some_and(|c| !c.holds(&answers, TODAY))
            {
                continue;
            }
            let group_kept = keep(f, &answers);
            if let Some(v) = answer(f, &answers, keep) {
                let empty_group = v.as_object().is_some_and(|o| o.is_empty());
                if group_kept || (f.kind == FieldType::Group && !empty_group) {
                    answers.insert(f.id.clone(), v);
                }
            }
        }
    }
    answers
}

/// Every question shown.
fn everything(_: &Field, _: &Map<String, Value>) -> bool {
    true
}

/// An answer for `f` (a group: for each of its questions shown and kept) that fits its
/// constraints; `outer` are the answers before it.
fn answer(
    f: &Field,
    outer: &Map<String, Value>,
    keep: &dyn Fn(&Field, &Map<String, Value>) -> bool,
) -> Option<Value> {
    Some(match f.kind {
        FieldType::Group => {
            let mut entry: Map<String, Value> = Map::new();
            for c in &f.fields {
                let mut seen = outer.clone();
                seen.extend(entry.clone());
                if c.show_if.as_ref().is_some_and(|x| !x.holds(&seen, TODAY)) || !keep(c, &seen) {
                    continue;
                }
                if let Some(v) = answer(c, &seen, keep) {
                    entry.insert(c.id.clone(), v);
                }
            }
            match f.repeat {
                Some(r) => Value::Array(vec![Value::Object(entry); r.min.max(1) as usize]),
                None => Value::Object(entry),
            }
        }
        FieldType::Text | FieldType::Textarea => {
            let s = match f.pattern.as_deref() {
                Some(p) if p.contains('@') => "post@example.de".to_string(),
                Some(p) if p.contains("[0-9]{3}") => "10115".to_string(),
                Some(p) if p.contains("\\p{L}") => "a".to_string(),
                Some(_) => return None,
                None => "Angabe".to_string(),
            };
            let min = f.min_length.unwrap_or(1) as usize;
            let max = f.max_length.unwrap_or(1000) as usize;
            let mut s = s;
            while s.chars().count() < min {
                s.push('x');
            }
            json!(s.chars().take(max).collect::<String>())
        }
        FieldType::Number => {
            let min = match f.min {
                Some(Bound::Number(n)) => n,
                _ => 1.0,
            };
            json!(min)
        }
        FieldType::Date => json!("2025-06-01"),
        FieldType::Email => json!("post@example.de"),
        FieldType::Radios | FieldType::Select => json!(f.options[0].value),
        FieldType::Checkboxes => json!([f.options[0].value]),
        FieldType::File => {
            // As the function stores a file answer: with the sha256 of its bytes.
            json!({ "name": "nachweis.pdf", "type": "application/pdf", "size": 48213, "sha256": "b58b19dd0d5e48a0fc2ffef0fad8555aa7c4dfe26a2dc1f05563df7ddcd72b77" })
        }
        _ => return None,
    })
}

fn a_filled_in_submission_passes_validation_and_the_json_schema(form: &Form) {
    let resolved = resolved(form);
    let data = fill(form, &everything);
    let submission = Submission {
        language: "de".into(),
        data,
    };
    let clean = form_model::validate(&resolved, &submission, TODAY)
        .unwrap_or_else(|e| panic!("the function rejects the submission: {e:#?}"));
    let schema = form_model::schema::json_schema(&resolved);
    let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&Value::Object(clean))
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A submission with only the required answers passes too: those required always, and
    // those a `required-if` asks for under the answers given (found round by round, as a
    // required-if may name later questions).
    let mut required = Map::new();
    for _ in 0..8 {
        let known = required.clone();
        let keep = |f: &Field, seen: &Map<String, Value>| {
            let mut all = known.clone();
            all.extend(seen.clone());
            f.required
                || f.repeat.is_some_and(|r| r.min > 0)
                || f.required_if.as_ref().is_some_and(|c| c.holds(&all, TODAY))
        };
        required = fill(form, &keep);
        if required == known {
            break;
        }
    }
    form_model::validate(
        &resolved,
        &Submission {
            language: "de".into(),
            data: required,
        },
        TODAY,
    )
    .unwrap_or_else(|e| panic!("required answers only: {e:#?}"));
}

#[test]
fn s00000094_mutterschutz_imports_into_a_form_the_check_accepts() {
    let i = import_fixture("S00000094", "mutterschutz-benachrichtigung");
    every_rule_and_every_field_is_accounted_for(&i, &raw("S00000094"));
    a_filled_in_submission_passes_validation_and_the_json_schema(&i.form);
    assert_eq!(i.report.rules.len(), 13);
    assert_eq!(i.form.steps.len(), 4);
    assert_eq!(
        i.form.legal_basis["de"],
        "§§ 1, 3-6, 11-12, 15, 27-28 MuSchG v. 12.12.2019; § 10 ArbZG v. 22.12.2020; § 2 MuSchEltZV v. 15.2.2021"
    );
    // The code lists come from the genericode files next to the schema.
    let staat = find(&i.form, "staat");
    assert_eq!(staat.kind, FieldType::Select);
    assert_eq!(staat.options.len(), 197);
    let art = find(&i.form, "beschaeftigungsverhaeltnis-frau");
    assert_eq!(art.options.last().unwrap().value, "999");
    // The birth date (day and month may be unknown) is a date: real, and not in the future.
    let born = find(&i.form, "geburtsdatum");
    assert_eq!(
        born.date_parts,
        Some(form_model::model::DateParts {
            day: Some("tag".into()),
            month: Some("monat".into()),
            year: "jahr".into()
        })
    );
    assert_eq!(born.max, Some(Bound::Text("today".into())));
    // FIM's ASCII-only e-mail pattern gives way to the e-mail type.
    assert_eq!(find(&i.form, "e-mail").kind, FieldType::Email);
}

#[test]
fn s00000186_asbest_imports_into_a_form_the_check_accepts() {
    let i = import_fixture("S00000186", "asbest-anzeige");
    every_rule_and_every_field_is_accounted_for(&i, &raw("S00000186"));
    a_filled_in_submission_passes_validation_and_the_json_schema(&i.form);
    assert_eq!(i.report.rules.len(), 38);
    // The signature (datentyp obj) is the one field that is not in the form.
    let not_mapped: Vec<&str> = i
        .report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::NotMapped)
        .map(|f| f.fim.as_str())
        .collect();
    assert_eq!(not_mapped, ["F00000044 1.2"]);
    let person = find(&i.form, "verantwortliche-person-im-betrieb");
    assert_eq!(person.kind, FieldType::Group);
    assert!(person.repeat.is_some(), "1:* becomes a list");
}

#[test]
fn the_import_is_deterministic() {
    let a = import_fixture("S00000186", "asbest-anzeige");
    let b = import_fixture("S00000186", "asbest-anzeige");
    assert_eq!(a.yaml, b.yaml);
    assert_eq!(a.report.markdown(), b.report.markdown());
}

#[test]
fn the_applicants_optional_first_names_are_listed_for_review_but_not_the_representatives() {
    let i = import_fixture("S00000246", "aufenthaltserlaubnis-erwerbstaetigkeit");
    let review: Vec<(&str, Option<&str>)> = i
        .report
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Review)
        .map(|f| (f.fim.as_str(), f.yaml.as_deref()))
        .collect();
    // The applicant's (G00001802) first names, day and month of birth and house number are
    // optional in FIM. The representative (G60000224) has the same optional fields; they are
    // not the applicant's and are not listed.
    assert_eq!(
        review,
        [
            ("F60000228 2.0", Some("antragsteller-vornamen")),
            ("F60000231 1.1", Some("antragsteller-geburtsdatum-tag")),
            ("F60000232 1.1", Some("antragsteller-geburtsdatum-monat")),
            ("F60000244 1.2", Some("strassenanschrift-2-hausnummer")),
        ]
    );
    assert!(
        !find(&i.form, "antragsteller-vornamen").required,
        "the form keeps FIM's cardinality; the designer decides"
    );
    let md = i.report.markdown();
    assert!(
        md.contains(
            "## Optional in FIM, probably by mistake: the applicant's name, birth date, address (4)"
        ),
        "{md}"
    );
    assert!(md.contains("- F60000228 2.0 „Vornamen“ → `antragsteller-vornamen`: part of the applicant's name, optional in FIM (0:1)"), "{md}");
}

#[test]
fn schemas_without_an_applicant_group_list_nothing_for_review() {
    for (dir, id) in [
        ("S00000094", "mutterschutz-benachrichtigung"),
        ("S00000186", "asbest-anzeige"),
    ] {
        let i = import_fixture(dir, id);
        assert_eq!(i.report.count(Kind::Review), 0, "{dir}");
    }
}
