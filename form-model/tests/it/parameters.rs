//! What a catalog form leaves to each municipality: option lists (`options-from`), the area an
//! address must lie in and a date window (`within`). The municipality's values (in
//! `municipality.yaml` or an overlay) land in the resolved form, so the JSON Schema and the
//! validation use them; overlays place added questions before, after or first in a step.

use std::fs;
use std::path::{Path, PathBuf};

use form_model::schema::json_schema;
use form_model::{CheckReport, ErrorCode, ResolvedForm, Submission, validate};
use serde_json::{Value, json};
use time::macros::date;

const CATALOG: &str = r#"
id: parken
version: 1
title: { de: Parken, en: Parking }
purpose: { de: P, en: P }
legal-basis: { de: L, en: L }
retention-days: 1
steps:
  - id: antrag
    title: { de: Antrag, en: Application }
    fields:
      - id: zone
        type: radios
        label: { de: Parkzone, en: Parking zone }
        required: true
        options-from: parkzonen
      - id: anschrift
        type: address
        label: { de: Anschrift, en: Address }
        required: true
        within: gemeindegebiet
      - id: plz
        type: postcode
        label: { de: PLZ, en: Postcode }
        within: gemeindegebiet
      - id: beginn
        type: date
        label: { de: Beginn, en: Start }
        within: antragszeitraum
"#;

const PARAMETERS: &str = r#"
parameters:
  parkzonen:
    options:
      - { value: a, label: { de: Zone A, en: Zone A } }
      - { value: b, label: { de: Zone B, en: Zone B } }
  gemeindegebiet:
    postcodes: ["35390", "35392"]
    streets: [Hauptstraße, Am Markt]
  antragszeitraum: { from: "2027-01-01", to: "2027-03-31" }
"#;

/// A project: the minimal fixture's Musterstadt offering `parken@1` with `municipality_tail`
/// appended to its `municipality.yaml` and, when given, an overlay.
fn project(name: &str, municipality_tail: &str, overlay: Option<&str>) -> PathBuf {
    let use_line = match overlay {
        Some(_) => "forms:\n  - use: parken@1\n    overlay: forms/parken.yaml\n",
        None => "forms:\n  - use: parken@1\n",
    };
    let dir = minimal_project(
        &format!("parameters-{name}"),
        CATALOG,
        use_line,
        municipality_tail,
    );
    if let Some(overlay) = overlay {
        let forms = dir.join("forms/municipalities/musterstadt/forms");
        fs::create_dir_all(&forms).unwrap();
        fs::write(forms.join("parken.yaml"), overlay).unwrap();
    }
    dir
}

/// A project in a fresh temporary folder: the minimal fixture's Musterstadt (its pages and
/// `municipality.yaml` but its `forms:`, which is `forms`), with `catalog` as
/// `forms/catalog/parken.yaml` and `tail` appended to `municipality.yaml`.
pub(crate) fn minimal_project(name: &str, catalog: &str, forms: &str, tail: &str) -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::temp_dir().join(format!("formfabrik-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let m = dir.join("forms/municipalities/musterstadt");
    fs::create_dir_all(dir.join("forms/catalog")).unwrap();
    fs::create_dir_all(m.join("pages")).unwrap();
    let fixture = repo.join("tests/fixtures/valid/minimal/forms/municipalities/musterstadt");
    for page in fs::read_dir(fixture.join("pages")).unwrap() {
        let page = page.unwrap().path();
        fs::copy(&page, m.join("pages").join(page.file_name().unwrap())).unwrap();
    }
    fs::write(dir.join("forms/catalog/parken.yaml"), catalog).unwrap();
    let config = fs::read_to_string(fixture.join("municipality.yaml")).unwrap();
    let head = &config[..config.find("forms:\n").unwrap()];
    let rest = &config[config.find("accessibility:\n").unwrap()..];
    fs::write(
        m.join("municipality.yaml"),
        format!("{head}{forms}{rest}{tail}"),
    )
    .unwrap();
    dir
}

fn check(dir: &Path) -> CheckReport {
    let report = form_model::check(&dir.join("forms"));
    let _ = fs::remove_dir_all(dir);
    report
}

fn resolved(report: &CheckReport) -> &ResolvedForm {
    let problems: Vec<String> = report
        .diagnostics
        .items
        .iter()
        .map(|d| d.headline_in("en"))
        .collect();
    assert!(report.is_ok(), "{problems:#?}");
    &report.resolved[0]
}

fn submit(form: &ResolvedForm, data: Value) -> Result<serde_json::Map<String, Value>, Vec<String>> {
    let submission = Submission {
        language: "de".into(),
        data: data.as_object().unwrap().clone(),
    };
    validate(form, &submission, date!(2027 - 02 - 01)).map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("{} {}", e.field, serde_json::to_value(e.code).unwrap()))
            .collect()
    })
}

fn good() -> Value {
    json!({
        "zone": "b",
        "anschrift": { "street": "hauptstr.", "house-number": "3", "postcode": "35392", "city": "Musterstadt" },
        "plz": "35390",
        "beginn": "2027-03-31",
    })
}

#[test]
fn the_municipalitys_values_land_in_the_resolved_form_its_schema_and_its_validation() {
    let report = check(&project("values", PARAMETERS, None));
    let form = resolved(&report);
    let zone = form.form.find("zone").unwrap();
    let values: Vec<&str> = zone.options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(values, ["a", "b"]);
    let area = form.form.find("anschrift").unwrap().area.clone().unwrap();
    assert_eq!(area.postcodes, ["35390", "35392"]);
    let schema = json_schema(form);
    let props = &schema["properties"];
    assert_eq!(props["zone"]["enum"], json!(["a", "b"]));
    assert_eq!(props["plz"]["enum"], json!(["35390", "35392"]));
    assert_eq!(
        props["anschrift"]["properties"]["street"]["enum"],
        json!(["Hauptstraße", "Am Markt"])
    );
    // The street is stored as the municipality spells it.
    let clean = submit(form, good()).unwrap();
    assert_eq!(clean["anschrift"]["street"], "Hauptstraße");
    let mut outside = good();
    outside["zone"] = json!("c");
    outside["anschrift"]["postcode"] = json!("35394");
    outside["anschrift"]["street"] = json!("Nebenweg");
    outside["plz"] = json!("99999");
    outside["beginn"] = json!("2027-04-01");
    let mut errors = submit(form, outside).unwrap_err();
    errors.sort();
    assert_eq!(
        errors,
        [
            "anschrift.postcode \"outside-area\"",
            "anschrift.street \"outside-area\"",
            "beginn \"date-too-late\"",
            "plz \"outside-area\"",
            "zone \"invalid-option\"",
        ]
    );
}

#[test]
fn the_outside_area_message_names_the_part_and_says_where_to_apply() {
    let report = check(&project("message", PARAMETERS, None));
    let form = resolved(&report);
    let mut data = good();
    data["anschrift"]["postcode"] = json!("35394");
    let submission = Submission {
        language: "de".into(),
        data: data.as_object().unwrap().clone(),
    };
    let errors = validate(form, &submission, date!(2027 - 02 - 01)).unwrap_err();
    assert_eq!(errors[0].code, ErrorCode::OutsideArea);
    assert_eq!(
        errors[0].message,
        "„Anschrift – Postleitzahl“ liegt nicht in unserem Gebiet. Diesen Antrag stellen Sie bei der Kommune, in der die Anschrift liegt."
    );
}

#[test]
fn an_overlays_values_win_over_municipality_yaml_for_that_form() {
    let overlay = r#"
parameters:
  parkzonen:
    options:
      - { value: nord, label: { de: Nord, en: North } }
      - { value: sued, label: { de: Süd, en: South } }
"#;
    let report = check(&project("overlay", PARAMETERS, Some(overlay)));
    let form = resolved(&report);
    let values: Vec<&str> = form
        .form
        .find("zone")
        .unwrap()
        .options
        .iter()
        .map(|o| o.value.as_str())
        .collect();
    assert_eq!(values, ["nord", "sued"]);
}

#[test]
fn a_missing_value_is_reported_at_the_use_line_naming_municipality_parameter_and_question() {
    let without_window = PARAMETERS.replace(
        "  antragszeitraum: { from: \"2027-01-01\", to: \"2027-03-31\" }\n",
        "",
    );
    let report = check(&project("missing", &without_window, None));
    assert!(!report.is_ok());
    let headlines: Vec<String> = report
        .diagnostics
        .items
        .iter()
        .map(|d| d.headline_in("en"))
        .collect();
    assert_eq!(headlines.len(), 1, "{headlines:#?}");
    assert!(
        headlines[0].ends_with(
            "municipality.yaml:26:10: municipality \"musterstadt\" does not give \"antragszeitraum\": question \"beginn\" takes the window the date must lie in from it"
        ),
        "{}",
        headlines[0]
    );
}

#[test]
fn overlays_add_questions_before_after_and_first_in_a_step() {
    let overlay = r#"
operations:
  - add: { first-in: antrag, field: { id: name, type: text, label: { de: Name, en: Name }, max-length: 100 } }
  - add: { before: plz, field: { id: telefon, type: tel, label: { de: Telefon, en: Phone } } }
  - add: { after: beginn, field: { id: notiz, type: textarea, label: { de: Notiz, en: Note }, max-length: 100 } }
"#;
    let report = check(&project("placement", PARAMETERS, Some(overlay)));
    let form = resolved(&report);
    let ids: Vec<&str> = form.form.steps[0]
        .fields
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "name",
            "zone",
            "anschrift",
            "telefon",
            "plz",
            "beginn",
            "notiz"
        ]
    );
}
