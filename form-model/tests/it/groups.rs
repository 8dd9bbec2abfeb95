//! Groups and repeatable groups (several dogs, several children): validation with paths per
//! entry, empty slots of a page without JavaScript dropped, form posts decoded, JSON Schema as
//! arrays of objects agreeing with `validate`.

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
      - id: hunde
        type: group
        label: { de: Hund, en: Dog }
        repeat: { min: 1, max: 3 }
        fim: { id: G60000086, version: "1.3" }
        fields:
          - { id: name, type: text, label: { de: Name, en: Name }, required: true, max-length: 20, fim: { id: F60000227, version: "1.2" } }
          - { id: geboren, type: date, label: { de: Geboren, en: Born }, max: today }
          - id: farben
            type: checkboxes
            label: { de: Farben, en: Colours }
            options: [ { value: schwarz, label: { de: Schwarz, en: Black } }, { value: weiss, label: { de: Weiß, en: White } } ]
          - { id: halter-anschrift, type: address, label: { de: Anschrift, en: Address } }
      - id: bank
        type: group
        label: { de: Bankverbindung, en: Bank account }
        fields:
          - { id: iban, type: iban, label: { de: IBAN, en: IBAN }, required: true }
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

fn codes(data: Value) -> Vec<(String, ErrorCode)> {
    submit(data)
        .unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

#[test]
fn accepts_entries_and_drops_empty_slots() {
    let clean = submit(json!({
        "hunde": [ { "name": " Bello " }, { "name": "", "farben": [] }, { "name": "Rex", "farben": ["weiss"] } ],
        "bank": { "iban": "DE89 3704 0044 0532 0130 00" },
    }))
    .unwrap();
    assert_eq!(
        clean["hunde"],
        json!([ { "name": "Bello" }, { "name": "Rex", "farben": ["weiss"] } ])
    );
    assert_eq!(clean["bank"], json!({ "iban": "DE89370400440532013000" }));
}

#[test]
fn a_list_with_a_minimum_is_required() {
    assert_eq!(
        codes(json!({ "hunde": [ { "name": "" } ] })),
        vec![("hunde".into(), ErrorCode::Required)]
    );
}

#[test]
fn counts_entries_against_the_maximum() {
    let four: Vec<Value> = (0..4)
        .map(|i| json!({ "name": format!("Hund {i}") }))
        .collect();
    assert_eq!(
        codes(json!({ "hunde": four })),
        vec![("hunde".into(), ErrorCode::TooManyItems)]
    );
}

#[test]
fn reports_problems_of_an_entry_with_its_position_and_number() {
    let errors = submit(json!({
        "hunde": [ { "name": "Bello" }, {}, { "geboren": "2030-01-01", "halter-anschrift": { "street": "Weg", "postcode": "123" } } ],
    }))
    .unwrap_err();
    let got: Vec<(&str, ErrorCode)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        got,
        vec![
            ("hunde.2.name", ErrorCode::Required),
            ("hunde.2.geboren", ErrorCode::DateTooLate),
            ("hunde.2.halter-anschrift.house-number", ErrorCode::Required),
            (
                "hunde.2.halter-anschrift.postcode",
                ErrorCode::InvalidPostcode
            ),
            ("hunde.2.halter-anschrift.city", ErrorCode::Required),
        ]
    );
    assert_eq!(
        errors[0].message,
        "„Hund 3: Name“ ist ein Pflichtfeld. Bitte füllen Sie es aus."
    );
    assert_eq!(
        errors[3].message,
        "„Hund 3: Anschrift – Postleitzahl“ muss eine Postleitzahl aus 5 Ziffern sein."
    );
}

#[test]
fn rejects_unknown_keys_and_wrong_shapes_inside_groups() {
    assert_eq!(
        codes(json!({ "hunde": [ { "name": "Bello", "chip": "1" } ] })),
        vec![("hunde.0.chip".into(), ErrorCode::UnknownField)]
    );
    assert_eq!(
        codes(json!({ "hunde": { "name": "Bello" } })),
        vec![("hunde".into(), ErrorCode::WrongType)]
    );
    assert_eq!(
        codes(json!({ "hunde": [ { "name": "Bello" } ], "bank": [ { "iban": "x" } ] })),
        vec![("bank".into(), ErrorCode::WrongType)]
    );
}

#[test]
fn decodes_the_input_names_of_a_page_without_javascript() {
    let pairs = [
        ("hunde.0.name", "Bello"),
        ("hunde.0.farben", "schwarz"),
        ("hunde.0.farben", "weiss"),
        ("hunde.1.name", ""),
        ("hunde.2.name", "Rex"),
        ("hunde.2.halter-anschrift.city", "Gießen"),
        ("bank.iban", "DE89370400440532013000"),
        ("hunde.999.name", "zu weit"),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()));
    let post = decode(&form(), pairs);
    assert_eq!(
        Value::Object(post.submission.data),
        json!({
            "hunde": [ { "name": "Bello", "farben": ["schwarz", "weiss"] }, { "name": "" }, { "name": "Rex", "halter-anschrift": { "city": "Gießen" } } ],
            "bank": { "iban": "DE89370400440532013000" },
            // Addresses no entry: kept as sent, for validation to refuse (never dropped).
            "hunde.999.name": "zu weit",
        })
    );
}

/// Issue 16, defect 1: a part named into a list with a missing or out-of-range index was
/// dropped from the data but its file kept; now such a name stays in the data under the name
/// as sent, and validation refuses it.
#[test]
fn a_name_into_a_list_without_a_usable_index_is_refused_not_dropped() {
    for name in [
        "hunde.x",
        "hunde.x.",
        "hunde.999.name",
        "hunde.01.name",
        "hunde.-1.name",
        "hunde.0",
    ] {
        let post = decode(&form(), [(name.to_string(), "Bello".to_string())]);
        assert_eq!(
            post.submission.data.get(name),
            Some(&json!("Bello")),
            "{name}: {:?}",
            post.submission.data
        );
        assert!(!post.submission.data.contains_key("hunde"), "{name}");
        let errors = validate(&form(), &post.submission, date!(2026 - 11 - 28)).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.field == name && e.code == ErrorCode::UnknownField),
            "{name}: {errors:?}"
        );
    }
}

#[test]
fn the_schema_describes_lists_as_arrays_and_agrees_with_validate() {
    let schema = json_schema(&form());
    assert_eq!(schema["properties"]["hunde"]["type"], "array");
    assert_eq!(schema["properties"]["hunde"]["maxItems"], 3);
    assert_eq!(schema["properties"]["hunde"]["x-fim-id"], "G60000086");
    assert_eq!(
        schema["properties"]["hunde"]["items"]["properties"]["name"]["x-fim-id"],
        "F60000227"
    );
    assert_eq!(
        schema["properties"]["hunde"]["items"]["required"],
        json!(["name"])
    );
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let clean = submit(json!({ "hunde": [ { "name": "Bello" }, { "name": "Rex" } ] })).unwrap();
    assert!(validator.is_valid(&Value::Object(clean)));
    for bad in [
        json!({ "hunde": [] }),
        json!({ "hunde": [ {} ] }),
        json!({ "hunde": [ { "name": "a" }, { "name": "b" }, { "name": "c" }, { "name": "d" } ] }),
        json!({ "hunde": [ { "name": "a", "chip": "1" } ] }),
        json!({ "hunde": { "name": "a" } }),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
}
