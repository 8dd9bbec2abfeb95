//! Text-blocks (`type: text-block`): static Markdown between questions. They have no answer,
//! so validation refuses one sent for them, and neither the JSON Schema, the record's keys
//! nor the form post know them; a text-block inside a group is no question of its entries.

use form_model::form_post::decode;
use form_model::model::Form;
use form_model::resolve::{MunicipalityRef, ResolvedForm};
use form_model::schema::json_schema;
use form_model::{ErrorCode, Submission, validate};
use serde_json::{Value, json};
use time::macros::date;

const FORM: &str = r#"
id: hunde
version: 1
title: { de: Hunde, en: Dogs }
purpose: { de: P, en: P }
legal-basis: { de: L, en: L }
retention-days: 1
steps:
  - id: s
    title: { de: S, en: S }
    fields:
      - id: einleitung
        type: text-block
        text: { de: "Halten Sie **alles** bereit.", en: "Have **everything** ready." }
      - id: gefaehrlich
        type: radios
        label: { de: Gefährlich?, en: Dangerous? }
        required: true
        options: [ { value: ja, label: { de: Ja, en: "Yes" } }, { value: nein, label: { de: Nein, en: "No" } } ]
      - id: hinweis-erlaubnis
        type: text-block
        show-if: { field: gefaehrlich, equals: ja }
        text: { de: Sie brauchen eine Erlaubnis., en: You need a permit. }
      - id: hunde
        type: group
        label: { de: Hund, en: Dog }
        repeat: { min: 1, max: 2 }
        fields:
          - { id: name, type: text, label: { de: Name, en: Name }, required: true, max-length: 20 }
          - id: hinweis-name
            type: text-block
            show-if: { answered: name }
            text: { de: Danke., en: Thanks. }
"#;

fn form() -> ResolvedForm {
    let form: Form = serde_yaml::from_str(FORM).unwrap();
    ResolvedForm::new(
        MunicipalityRef {
            id: "m".into(),
            name: "M".into(),
            ags: "00000000".into(),
        },
        vec!["de".into(), "en".into()],
        form,
    )
}

fn submit(data: Value) -> Result<serde_json::Map<String, Value>, Vec<form_model::FieldError>> {
    validate(
        &form(),
        &Submission {
            language: "de".into(),
            data: data.as_object().unwrap().clone(),
        },
        date!(2026 - 11 - 28),
    )
}

#[test]
fn a_form_with_text_blocks_takes_the_answers_to_its_questions_only() {
    let clean = submit(json!({ "gefaehrlich": "ja", "hunde": [ { "name": "Bello" } ] })).unwrap();
    assert_eq!(
        Value::Object(clean),
        json!({ "gefaehrlich": "ja", "hunde": [ { "name": "Bello" } ] })
    );
}

#[test]
fn an_answer_sent_for_a_text_block_is_refused_as_unknown_at_the_top_and_in_a_group() {
    let errors = submit(json!({
        "gefaehrlich": "nein",
        "einleitung": "x",
        "hunde": [ { "name": "Bello", "hinweis-name": "y" } ],
    }))
    .unwrap_err();
    let codes: Vec<(String, ErrorCode)> = errors.into_iter().map(|e| (e.field, e.code)).collect();
    assert_eq!(
        codes,
        [
            ("einleitung".to_string(), ErrorCode::UnknownField),
            ("hunde.0.hinweis-name".to_string(), ErrorCode::UnknownField),
        ]
    );
}

#[test]
fn the_json_schema_has_no_property_for_a_text_block() {
    let schema = json_schema(&form());
    let top = schema["properties"].as_object().unwrap();
    assert!(top.contains_key("gefaehrlich"));
    assert!(!top.contains_key("einleitung"));
    assert!(!top.contains_key("hinweis-erlaubnis"));
    let entry = schema["properties"]["hunde"]["items"]["properties"]
        .as_object()
        .unwrap();
    assert!(entry.contains_key("name"));
    assert!(!entry.contains_key("hinweis-name"));
    let text = schema.to_string();
    assert!(!text.contains("hinweis"), "{text}");
}

#[test]
fn a_form_post_answer_for_a_text_block_in_a_group_is_refused_as_unknown() {
    let form = form();
    let post = decode(
        &form,
        [
            ("gefaehrlich".to_string(), "ja".to_string()),
            ("hunde.0.name".to_string(), "Bello".to_string()),
            ("hunde.0.hinweis-name".to_string(), "y".to_string()),
        ],
    );
    let errors = validate(&form, &post.submission, date!(2026 - 11 - 28)).unwrap_err();
    let codes: Vec<(String, ErrorCode)> = errors.into_iter().map(|e| (e.field, e.code)).collect();
    assert_eq!(
        codes,
        [("hunde.0.hinweis-name".to_string(), ErrorCode::UnknownField)]
    );
}

#[test]
fn form_fields_are_the_questions_and_elements_include_the_text_blocks() {
    let form: Form = serde_yaml::from_str(FORM).unwrap();
    let ids = |it: Vec<&form_model::model::Field>| -> Vec<String> {
        it.into_iter().map(|f| f.id.clone()).collect()
    };
    assert_eq!(ids(form.fields().collect()), ["gefaehrlich", "hunde"]);
    assert_eq!(
        ids(form.all_fields().collect()),
        ["gefaehrlich", "hunde", "name"]
    );
    assert_eq!(
        ids(form.all_elements().collect()),
        [
            "einleitung",
            "gefaehrlich",
            "hinweis-erlaubnis",
            "hunde",
            "name",
            "hinweis-name"
        ]
    );
    assert_eq!(form.find("hinweis-name").unwrap().id, "hinweis-name");
    assert!(form.top_level_field("einleitung").is_none());
}
