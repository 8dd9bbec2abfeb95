//! One test per mapping rule of docs/fim.md, on small schemas written inline. Every imported
//! form is also checked to pass `formfabrik check` and to parse back into itself.

use crate::common::*;
use form_model::model::{Bound, FieldType, FimRef, Repeat};

fn one_step(body: &str) -> fim_import::Imported {
    import(&schema(&s("1:1", &group("G99000001", "Angaben", "", body))))
}

#[test]
fn top_level_groups_become_steps_and_top_level_fields_a_step_of_their_own() {
    let xml = schema(&format!(
        "{}{}{}",
        s(
            "1:1",
            &field(
                "F99000001",
                "Aktenzeichen",
                "input",
                "text",
                r#"{"maxLength":"20"}"#,
                ""
            )
        ),
        s(
            "1:1",
            &group(
                "G99000001",
                "Persönliche Angaben",
                "",
                &s(
                    "1:1",
                    &field(
                        "F99000002",
                        "Familienname",
                        "input",
                        "text",
                        r#"{"maxLength":"120"}"#,
                        ""
                    )
                )
            )
        ),
        s(
            "1:1",
            &group(
                "G99000002",
                "Persönliche Angaben",
                "",
                &s(
                    "0:1",
                    &field(
                        "F99000003",
                        "Beruf",
                        "input",
                        "text",
                        r#"{"maxLength":"50"}"#,
                        ""
                    )
                )
            )
        ),
    ));
    let i = import(&xml);
    let steps: Vec<(&str, &str)> = i
        .form
        .steps
        .iter()
        .map(|s| (s.id.as_str(), s.title["de"].as_str()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("aktenzeichen", "Aktenzeichen"),
            ("persoenliche-angaben", "Persönliche Angaben"),
            ("persoenliche-angaben-2", "Persönliche Angaben"),
        ]
    );
    assert_eq!(
        i.form.fim,
        Some(FimRef {
            id: "S99000000".into(),
            version: "1.0".into()
        })
    );
    assert_eq!(i.form.legal_basis["de"], "§ 1 TestG");
    assert_eq!(i.form.retention_days, 365);
    assert!(i.form.title.keys().eq(["de"]), "FIM has German only");
}

#[test]
fn datentyp_text_becomes_text_or_textarea_with_its_constraints() {
    let i = one_step(&format!(
        "{}{}{}",
        s(
            "1:1",
            &field(
                "F99000001",
                "Name",
                "input",
                "text",
                r#"{"minLength":"2","maxLength":"50"}"#,
                ""
            )
        ),
        s(
            "0:1",
            &field(
                "F99000002",
                "Beschreibung",
                "input",
                "text",
                r#"{"maxLength":"2000"}"#,
                ""
            )
        ),
        s(
            "0:1",
            &field("F99000003", "Bemerkung", "input", "text", "", "")
        ),
    ));
    let name = find(&i.form, "name");
    assert_eq!(
        (name.kind, name.required, name.min_length, name.max_length),
        (FieldType::Text, true, Some(2), Some(50))
    );
    assert_eq!(
        name.fim,
        Some(FimRef {
            id: "F99000001".into(),
            version: "1.0".into()
        })
    );
    let b = find(&i.form, "beschreibung");
    assert_eq!(
        (b.kind, b.required, b.max_length),
        (FieldType::Textarea, false, Some(2000))
    );
    let r = find(&i.form, "bemerkung");
    assert_eq!(
        (r.kind, r.max_length),
        (FieldType::Textarea, Some(1000)),
        "no maxLength: a default"
    );
    assert!(i.report.defaults.iter().any(|d| d.contains("`bemerkung`")));
}

#[test]
fn praezisierung_pattern_becomes_pattern_with_a_german_message() {
    let i = one_step(&s(
        "1:1",
        &field(
            "F99000001",
            "Postleitzahl",
            "input",
            "text",
            r#"{"pattern":"^([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}$","maxLength":"5"}"#,
            "",
        ),
    ));
    let f = find(&i.form, "postleitzahl");
    assert_eq!(
        f.pattern.as_deref(),
        Some("([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}")
    );
    assert!(f.pattern_message.as_ref().unwrap()["de"].contains("5 Ziffern"));
}

#[test]
fn a_text_with_fims_e_mail_pattern_becomes_an_email_field_that_accepts_idn_addresses() {
    let i = one_step(&s(
        "1:1",
        &field(
            "F99000001",
            "E-Mail-Adresse",
            "input",
            "text",
            r#"{"minLength":"6","pattern":"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{1,63}$","maxLength":"254"}"#,
            "",
        ),
    ));
    let f = find(&i.form, "e-mail-adresse");
    assert_eq!(
        (f.kind, f.pattern.as_deref(), f.min_length, f.max_length),
        (FieldType::Email, None, Some(6), Some(254))
    );
    assert!(
        i.report.defaults.iter().any(|d| d
            .starts_with("F99000001 1.0 „E-Mail-Adresse“: an e-mail address by its FIM pattern")),
        "{:?}",
        i.report.defaults
    );
    assert!(form_model::rules::is_valid_email("priya@müller.de"));
}

#[test]
fn datentyp_date_num_num_int_and_num_currency_become_date_and_number() {
    let i = one_step(&format!(
        "{}{}{}{}",
        s(
            "1:1",
            &field(
                "F99000001",
                "Beginn",
                "input",
                "date",
                r#"{"minValue":"2020-01-01"}"#,
                ""
            )
        ),
        s(
            "1:1",
            &field(
                "F99000002",
                "Fläche",
                "input",
                "num",
                r#"{"minValue":"0,5"}"#,
                ""
            )
        ),
        s(
            "1:1",
            &field(
                "F99000003",
                "Anzahl",
                "input",
                "num_int",
                r#"{"minValue":"1","maxValue":"31"}"#,
                ""
            )
        ),
        s(
            "0:1",
            &field("F99000004", "Betrag", "input", "num_currency", "", "")
        ),
    ));
    let d = find(&i.form, "beginn");
    assert_eq!(
        (d.kind, &d.min),
        (FieldType::Date, &Some(Bound::Text("2020-01-01".into())))
    );
    let n = find(&i.form, "flaeche");
    assert_eq!(
        (n.kind, n.step, &n.min),
        (FieldType::Number, None, &Some(Bound::Number(0.5)))
    );
    let n = find(&i.form, "anzahl");
    assert_eq!(
        (n.step, &n.min, &n.max),
        (
            Some(1.0),
            &Some(Bound::Number(1.0)),
            &Some(Bound::Number(31.0))
        )
    );
    assert_eq!(find(&i.form, "betrag").step, Some(0.01));
}

#[test]
fn datentyp_bool_becomes_radios_ja_nein_and_a_declaration_a_single_checkbox() {
    let i = one_step(&format!(
        "{}{}",
        s(
            "1:1",
            &field(
                "F99000001",
                "Nachtarbeit ist geplant",
                "input",
                "bool",
                "",
                ""
            )
        ),
        s(
            "1:1",
            &field(
                "F99000002",
                "Hiermit bestätige ich, dass die Angaben stimmen.",
                "input",
                "bool",
                "",
                ""
            )
        ),
    ));
    let b = find(&i.form, "nachtarbeit-ist-geplant");
    assert_eq!(b.kind, FieldType::Radios);
    let values: Vec<&str> = b.options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(values, ["ja", "nein"]);
    assert!(b.required);
    let d = &i.form.steps[0].fields[1];
    assert_eq!(
        (d.kind, d.required, d.locked),
        (FieldType::Checkboxes, true, true)
    );
    assert_eq!(d.options.len(), 1);
    assert_eq!(d.options[0].value, "ja");
    assert_eq!(
        d.options[0].label["de"],
        "Hiermit bestätige ich, dass die Angaben stimmen."
    );
    assert_eq!(i.report.count(fim_import::report::Kind::Declaration), 1);
}

#[test]
fn datentyp_file_becomes_file_with_default_formats_and_size() {
    let i = one_step(&s(
        "1:1",
        &field("F99000001", "Nachweis", "input", "file", "", ""),
    ));
    let f = find(&i.form, "nachweis");
    assert_eq!(f.kind, FieldType::File);
    assert_eq!(f.accept, ["application/pdf", "image/jpeg", "image/png"]);
    assert_eq!(f.max_size_mb, Some(5.0));
    assert!(f.hint.as_ref().unwrap()["de"].contains("PDF, JPEG, PNG"));
}

#[test]
fn datentyp_obj_is_left_out_and_reported() {
    let i = one_step(&format!(
        "{}{}",
        s("1:1", &field("F99000001", "Datum", "input", "date", "", "")),
        s(
            "1:1",
            &field("F99000002", "Unterschrift", "input", "obj", "", "")
        ),
    ));
    assert_eq!(i.form.steps[0].fields.len(), 1);
    let f = &i.report.findings[0];
    assert_eq!(
        (f.kind, f.fim.as_str()),
        (fim_import::report::Kind::NotMapped, "F99000002 1.0")
    );
    assert!(
        i.yaml
            .contains("# FIM-Feld F99000002 1.0 „Unterschrift“ nicht übernommen")
    );
}

#[test]
fn feldart_select_becomes_radios_up_to_five_values_and_select_above() {
    let i = one_step(&format!(
        "{}{}",
        s(
            "1:1",
            &field("F99000001", "Art", "select", "text", "", &codelist_ref(3))
        ),
        s(
            "0:1",
            &field(
                "F99000002",
                "Klasse",
                "select",
                "text",
                "",
                &codelist_ref(7)
            )
        ),
    ));
    let a = find(&i.form, "art");
    assert_eq!(a.kind, FieldType::Radios);
    let opts: Vec<(&str, &str)> = a
        .options
        .iter()
        .map(|o| (o.value.as_str(), o.label["de"].as_str()))
        .collect();
    assert_eq!(opts, [("01", "Wert 1"), ("02", "Wert 2"), ("03", "Wert 3")]);
    assert_eq!(find(&i.form, "klasse").kind, FieldType::Select);
}

#[test]
fn a_select_with_a_list_of_values_becomes_checkboxes() {
    let i = one_step(&s(
        "1:3",
        &field(
            "F99000001",
            "Maßnahmen",
            "select",
            "text",
            "",
            &codelist_ref(7),
        ),
    ));
    let f = find(&i.form, "massnahmen");
    assert_eq!(
        (f.kind, f.required, f.max_selected),
        (FieldType::Checkboxes, true, Some(3))
    );
}

#[test]
fn feldart_label_becomes_a_text_block_where_it_stands() {
    let i = one_step(&format!(
        "{}{}",
        s(
            "1:1",
            &field(
                "F99000001",
                "Bitte lesen Sie die Hinweise.",
                "label",
                "text",
                "",
                ""
            )
        ),
        s(
            "1:1",
            &field(
                "F99000002",
                "Name",
                "input",
                "text",
                r#"{"maxLength":"50"}"#,
                ""
            )
        ),
    ));
    let fields = &i.form.steps[0].fields;
    assert_eq!(fields.len(), 2);
    let block = &fields[0];
    assert_eq!(block.kind, FieldType::TextBlock);
    assert_eq!(
        block.text.as_ref().unwrap()["de"],
        "Bitte lesen Sie die Hinweise."
    );
    assert!(block.label.is_empty());
    assert_eq!(block.fim.as_ref().unwrap().id, "F99000001");
    assert_eq!(find(&i.form, "name").hint, None);
    assert!(i.yaml.contains("type: text-block"), "{}", i.yaml);
    // The written YAML passes the check as it is.
    assert!(i.check.is_empty(), "{:?}\n{}", i.check, i.yaml);
}

#[test]
fn anzahl_of_a_group_becomes_required_or_repeat() {
    let members = |p: &str| {
        format!(
            "{}{}",
            s(
                "1:1",
                &field(
                    &format!("F9900{p}01"),
                    &format!("Vorname {p}"),
                    "input",
                    "text",
                    r#"{"maxLength":"50"}"#,
                    ""
                )
            ),
            s(
                "0:1",
                &field(
                    &format!("F9900{p}02"),
                    &format!("Geburtstag {p}"),
                    "input",
                    "date",
                    "",
                    ""
                )
            ),
        )
    };
    let i = one_step(&format!(
        "{}{}{}",
        s("1:1", &group("G99000011", "Kind A", "", &members("A1"))),
        s("0:1", &group("G99000012", "Kind B", "", &members("B1"))),
        s("0:10", &group("G99000013", "Kinder", "", &members("C1"))),
    ));
    let a = find(&i.form, "kind-a");
    assert_eq!(
        (a.kind, a.required, a.repeat),
        (FieldType::Group, true, None)
    );
    assert!(
        a.fields[0].required,
        "a required member stays required inside the group"
    );
    let b = find(&i.form, "kind-b");
    assert_eq!((b.required, b.repeat), (false, None));
    assert!(
        b.fields[0].required,
        "required once the optional group is answered"
    );
    let c = find(&i.form, "kinder");
    assert_eq!(
        c.repeat,
        Some(Repeat {
            min: 0,
            max: Some(10)
        })
    );
    assert_eq!(
        c.fim,
        Some(FimRef {
            id: "G99000013".into(),
            version: "1.0".into()
        })
    );
}

#[test]
fn a_required_field_in_an_optional_group_that_is_dissolved_is_required_once_the_group_is_answered()
{
    // An optional group of groups is dissolved; its direct required field cannot stay
    // `required: true`: it is required once any question of the group is answered.
    let inner = group(
        "G99000021",
        "Straßenanschrift",
        "",
        &s(
            "1:1",
            &field(
                "F99000001",
                "Straße",
                "input",
                "text",
                r#"{"maxLength":"55"}"#,
                "",
            ),
        ),
    );
    let outer = group(
        "G99000020",
        "Anschrift",
        "",
        &format!(
            "{}{}",
            s(
                "1:1",
                &field(
                    "F99000002",
                    "Land",
                    "input",
                    "text",
                    r#"{"maxLength":"50"}"#,
                    ""
                )
            ),
            s("1:1", &inner)
        ),
    );
    let i = one_step(&s("0:1", &outer));
    let land = find(&i.form, "land");
    assert!(!land.required);
    // FIM's "required in an optional group": required once any question of the group is.
    let when: form_model::model::Condition =
        serde_yaml::from_str("{ answered: [land, strassenanschrift] }").unwrap();
    assert_eq!(land.required_if.as_ref(), Some(&when));
    assert_eq!(
        find(&i.form, "strassenanschrift").required_if.as_ref(),
        Some(&when)
    );
    assert_eq!(
        land.hint.as_ref().unwrap()["de"],
        "Anschrift",
        "the dissolved group names the context"
    );
    assert_eq!(
        find(&i.form, "strassenanschrift").label["de"],
        "Anschrift: Straßenanschrift"
    );
    let (by, ids) = i.report.made_optional.iter().next().unwrap();
    assert!(by.starts_with("G99000020"));
    assert_eq!(
        ids,
        &vec!["land".to_string(), "strassenanschrift".to_string()]
    );
    assert_eq!(i.report.count(fim_import::report::Kind::Flattened), 1);
}

#[test]
fn groups_inside_groups_are_flattened_into_the_outer_group() {
    let inner = group(
        "G99000031",
        "Erreichbarkeit",
        "",
        &s(
            "0:1",
            &field(
                "F99000001",
                "Telefon",
                "input",
                "text",
                r#"{"maxLength":"23"}"#,
                "",
            ),
        ),
    );
    let outer = group(
        "G99000030",
        "Verantwortliche Person",
        "",
        &format!(
            "{}{}",
            s(
                "1:1",
                &field(
                    "F99000002",
                    "Familienname",
                    "input",
                    "text",
                    r#"{"maxLength":"120"}"#,
                    ""
                )
            ),
            s("0:1", &inner)
        ),
    );
    let i = one_step(&s("1:*", &outer));
    let g = find(&i.form, "verantwortliche-person");
    assert_eq!(g.repeat, Some(Repeat { min: 1, max: None }));
    let ids: Vec<&str> = g.fields.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["familienname", "telefon"]);
    assert_eq!(g.fields[1].hint.as_ref().unwrap()["de"], "Erreichbarkeit");
}

#[test]
fn a_short_list_of_values_becomes_numbered_questions() {
    let i = one_step(&s(
        "2:3",
        &field(
            "F99000001",
            "Anschriftzeile",
            "input",
            "text",
            r#"{"maxLength":"35"}"#,
            "",
        ),
    ));
    let f = &i.form.steps[0].fields;
    let got: Vec<(&str, bool)> = f.iter().map(|f| (f.id.as_str(), f.required)).collect();
    assert_eq!(
        got,
        [
            ("anschriftzeile-1", true),
            ("anschriftzeile-2", true),
            ("anschriftzeile-3", false)
        ]
    );
    assert!(f.iter().all(|f| f.fim.as_ref().unwrap().id == "F99000001"));
}

#[test]
fn rules_become_comments_above_the_element_they_are_about_and_report_entries() {
    let body = format!(
        "{}{}",
        s(
            "1:1",
            &field(
                "F99000001",
                "Status",
                "select",
                "text",
                "",
                &codelist_ref(2)
            )
        ),
        s(
            "0:1",
            &field("F99000002", "Termin", "input", "date", "", "")
        ),
    );
    let r = rule(
        "R99000001",
        "Wenn im Datenfeld F99000001 der Wert 01 angegeben wurde, dann soll F99000002 zum Pflichtfeld werden.",
    );
    let i = import(&schema(&s(
        "1:1",
        &group("G99000001", "Angaben", &r, &body),
    )));
    assert_eq!(i.report.rules.len(), 1);
    let note = &i.report.rules[0];
    assert_eq!(note.placed, "above field `termin`");
    assert_eq!(
        note.refs,
        vec![
            ("F99000001".into(), "`status`".into()),
            ("F99000002".into(), "`termin`".into())
        ]
    );
    let comment = i
        .yaml
        .find("# FIM-Regel R99000001 1.0")
        .expect("the rule is a comment");
    let termin = i.yaml.find("- id: termin").unwrap();
    let status = i.yaml.find("- id: status").unwrap();
    assert!(
        status < comment && comment < termin,
        "the comment sits right above the field:\n{}",
        i.yaml
    );
    assert!(
        find(&i.form, "termin").show_if.is_none(),
        "rules are never guessed into conditions"
    );
}

#[test]
fn xdatenfelder_3_attributes_inline_values_and_free_text_rules_are_read() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<xdf3:xdatenfelder.stammdatenschema.0102 xmlns:xdf3="urn:xoev-de:fim:standard:xdatenfelder_3.0.0">
 <xdf3:stammdatenschema>
  <xdf3:identifikation><xdf3:id>S00000000371</xdf3:id><xdf3:version>1.0.0</xdf3:version></xdf3:identifikation>
  <xdf3:name>Kurz</xdf3:name><xdf3:bezeichnung>Testantrag</xdf3:bezeichnung>
  <xdf3:bezug>§ 28 MuSchG</xdf3:bezug>
  <xdf3:regel>
   <xdf3:identifikation><xdf3:id>R00000002566</xdf3:id><xdf3:version>1.0.0</xdf3:version></xdf3:identifikation>
   <xdf3:name>Status</xdf3:name>
   <xdf3:freitextRegel>WENN F17000009294 'Status' = 001, DANN mache F17000009295 zur Pflichtangabe.</xdf3:freitextRegel>
  </xdf3:regel>
  <xdf3:struktur><xdf3:anzahl>1:1</xdf3:anzahl><xdf3:enthaelt>
   <xdf3:datenfeldgruppe>
    <xdf3:identifikation><xdf3:id>G00000002191</xdf3:id><xdf3:version>1.0.0</xdf3:version></xdf3:identifikation>
    <xdf3:name>Angaben</xdf3:name><xdf3:bezeichnungEingabe>Angaben</xdf3:bezeichnungEingabe>
    <xdf3:struktur><xdf3:anzahl>1:1</xdf3:anzahl><xdf3:enthaelt>
     <xdf3:datenfeld>
      <xdf3:identifikation><xdf3:id>F17000009294</xdf3:id><xdf3:version>1.0.0</xdf3:version></xdf3:identifikation>
      <xdf3:name>Status</xdf3:name><xdf3:bezeichnungEingabe>Status</xdf3:bezeichnungEingabe>
      <xdf3:feldart listVersionID="2.0"><code>select</code></xdf3:feldart>
      <xdf3:datentyp listVersionID="2.0"><code>text</code></xdf3:datentyp>
      <xdf3:werte><xdf3:wert><xdf3:code>001</xdf3:code><xdf3:name>schwanger</xdf3:name></xdf3:wert><xdf3:wert><xdf3:code>002</xdf3:code><xdf3:name>stillend</xdf3:name></xdf3:wert></xdf3:werte>
     </xdf3:datenfeld>
    </xdf3:enthaelt></xdf3:struktur>
    <xdf3:struktur><xdf3:anzahl>0:1</xdf3:anzahl><xdf3:enthaelt>
     <xdf3:datenfeld>
      <xdf3:identifikation><xdf3:id>F17000009295</xdf3:id><xdf3:version>1.0.0</xdf3:version></xdf3:identifikation>
      <xdf3:name>Aktenzeichen</xdf3:name><xdf3:bezeichnungEingabe>Aktenzeichen</xdf3:bezeichnungEingabe>
      <xdf3:feldart>input</xdf3:feldart>
      <xdf3:datentyp>text_latin</xdf3:datentyp>
      <xdf3:praezisierung minLength="3" maxLength="12" pattern="[A-Z0-9]+"/>
     </xdf3:datenfeld>
    </xdf3:enthaelt></xdf3:struktur>
   </xdf3:datenfeldgruppe>
  </xdf3:enthaelt></xdf3:struktur>
 </xdf3:stammdatenschema>
</xdf3:xdatenfelder.stammdatenschema.0102>"#;
    let i = import(xml);
    assert_eq!(i.form.title["de"], "Testantrag");
    let st = find(&i.form, "status");
    assert_eq!((st.kind, st.options.len()), (FieldType::Radios, 2));
    let az = find(&i.form, "aktenzeichen");
    assert_eq!(
        (az.min_length, az.max_length, az.pattern.as_deref()),
        (Some(3), Some(12), Some("[A-Z0-9]+"))
    );
    assert_eq!(i.report.rules[0].placed, "above field `aktenzeichen`");
}

#[test]
fn every_field_keeps_its_fim_id_in_the_json_schema() {
    let inner = format!(
        "{}{}",
        s(
            "1:1",
            &field(
                "F99000001",
                "Vorname",
                "input",
                "text",
                r#"{"maxLength":"50"}"#,
                ""
            )
        ),
        s(
            "1:1",
            &group(
                "G99000002",
                "Kind",
                "",
                &s(
                    "1:1",
                    &field(
                        "F99000003",
                        "Name des Kindes",
                        "input",
                        "text",
                        r#"{"maxLength":"50"}"#,
                        ""
                    )
                )
            )
        ),
    );
    let i = one_step(&inner);
    let schema = form_model::schema::json_schema(&resolved(&i.form));
    assert_eq!(schema["x-fim-id"], "S99000000");
    assert_eq!(schema["properties"]["vorname"]["x-fim-id"], "F99000001");
    assert_eq!(schema["properties"]["vorname"]["x-fim-version"], "1.0");
    assert_eq!(schema["properties"]["kind"]["x-fim-id"], "G99000002");
    assert_eq!(
        schema["properties"]["kind"]["properties"]["name-des-kindes"]["x-fim-id"],
        "F99000003"
    );
}

/// A list of states as Destatis writes it: an end of existence for states that are gone, a
/// note on entries kept for internal use.
fn states_list() -> fim_import::CodeLists {
    let row = |code: &str, name: &str, extra: &str| {
        format!(
            r#"<gc:Row><gc:Value ColumnRef="schluessel"><gc:SimpleValue>{code}</gc:SimpleValue></gc:Value><gc:Value ColumnRef="name"><gc:SimpleValue>{name}</gc:SimpleValue></gc:Value>{extra}</gc:Row>"#
        )
    };
    let until = |d: &str| {
        format!(
            r#"<gc:Value ColumnRef="existenz-bis"><gc:SimpleValue>{d}</gc:SimpleValue></gc:Value>"#
        )
    };
    let note = |t: &str| {
        format!(r#"<gc:Value ColumnRef="hinweis"><gc:SimpleValue>{t}</gc:SimpleValue></gc:Value>"#)
    };
    let rows = [
        row("000", "Deutschland", ""),
        row("121", "Albanien", ""),
        row("158", "Sowjetunion", &until("1991-12-25")),
        row("122", "Jugoslawien", &until("27.04.1992")),
        row(
            "998",
            "ungeklärt",
            &note("Wird nur für interne Zwecke verwendet."),
        ),
        // Ends after the list was published: still a state when the list says so.
        row("777", "Neuland", &until("2030-01-01")),
    ]
    .concat();
    let xml = format!(
        r#"<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/"><gc:Identification><gc:ShortName>Staat</gc:ShortName><gc:Version>2021-02-19</gc:Version><gc:CanonicalUri>urn:test:staat</gc:CanonicalUri><gc:CanonicalVersionUri>urn:test:staat_2021-02-19</gc:CanonicalVersionUri></gc:Identification><gc:ColumnSet><gc:Column Id="schluessel"/><gc:Column Id="name"/><gc:Column Id="existenz-bis"/><gc:Column Id="hinweis"/><gc:Key Id="codeKey"><gc:ColumnRef Ref="schluessel"/></gc:Key><gc:Key Id="codenameKey"><gc:ColumnRef Ref="name"/></gc:Key></gc:ColumnSet><gc:SimpleCodeList>{rows}</gc:SimpleCodeList></gc:CodeList>"#
    );
    let mut lists = lists();
    lists.lists.push(
        fim_import::xdf::codes::parse(std::path::Path::new("staat.xml"), &xml)
            .unwrap()
            .unwrap(),
    );
    lists
}

#[test]
fn code_list_entries_marked_historic_or_internal_are_left_out_and_reported() {
    let reference = r#"<xdf:codelisteReferenz><xdf:identifikation><xdf:id>C99000099</xdf:id></xdf:identifikation><xdf:genericodeIdentification><xdf:canonicalIdentification>urn:test:staat</xdf:canonicalIdentification><xdf:version>2021-02-19</xdf:version><xdf:canonicalVersionUri>urn:test:staat_2021-02-19</xdf:canonicalVersionUri></xdf:genericodeIdentification></xdf:codelisteReferenz>"#;
    let xml = schema(&s(
        "1:1",
        &group(
            "G99000001",
            "Angaben",
            "",
            &s(
                "1:*",
                &field(
                    "F99000001",
                    "Staatsangehörigkeit",
                    "select",
                    "text",
                    "",
                    reference,
                ),
            ),
        ),
    ));
    let i = fim_import::import_str(
        &xml,
        std::path::Path::new("test.xml"),
        &states_list(),
        &fim_import::Options::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_valid(&i);
    let f = find(&i.form, "staatsangehoerigkeit");
    let values: Vec<&str> = f.options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(values, ["000", "121", "777"]);
    let md = i.report.markdown();
    assert!(md.contains("## Code-list entries left out (3)"), "{md}");
    assert!(
        md.contains("- `staatsangehoerigkeit` (F99000001 1.0, code list C99000099 urn:test:staat_2021-02-19):"),
        "{md}"
    );
    assert!(
        md.contains("  - 158 „Sowjetunion“: historic: existenz-bis 1991-12-25"),
        "{md}"
    );
    assert!(
        md.contains("  - 122 „Jugoslawien“: historic: existenz-bis 27.04.1992"),
        "{md}"
    );
    assert!(
        md.contains("  - 998 „ungeklärt“: internal: „Wird nur für interne Zwecke verwendet.“"),
        "{md}"
    );
    assert!(
        i.yaml.contains(
            "# Aus der Codeliste weggelassen (historisch oder intern): 158 „Sowjetunion“, 122"
        ),
        "{}",
        i.yaml
    );
}
