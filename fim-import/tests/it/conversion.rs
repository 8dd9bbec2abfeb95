//! FIM rules turned into conditions, one test per rule shape, on small schemas: what lands on
//! which question, and a rule the form language cannot say there staying a comment with the
//! reason.

use crate::common::*;
use crate::rules::{one_group, prose_rule, text_field, yes_no};
use fim_import::Imported;
use fim_import::report::Conversion;
use form_model::model::Condition;
use serde_json::json;

fn cond(v: serde_json::Value) -> Condition {
    serde_json::from_value(v).unwrap()
}

fn conversion(i: &Imported) -> Conversion {
    assert_eq!(i.report.rules.len(), 1);
    i.report.rules[0].conversion.clone()
}

fn select(id: &str, label: &str) -> String {
    field(id, label, "select", "text", "", &codelist_ref(3))
}

fn date_field(id: &str, label: &str) -> String {
    field(id, label, "input", "date", "", "")
}

#[test]
fn required_when_true_and_forbidden_otherwise_is_one_show_if_and_required() {
    let i = import(&one_group(
        "Angaben",
        "Wenn das Feld F99000001 \"Fristverkürzung\" = \"wahr\", dann muss das Feld F99000002 \"Grund\" befüllt sein. Wenn das Feld F99000001 \"Fristverkürzung\" <> \"wahr\", dann darf das Feld F99000002 \"Grund\" nicht befüllt sein.",
        &[
            s("1:1", &yes_no("F99000001", "Fristverkürzung")),
            s("0:1", &text_field("F99000002", "Grund")),
        ],
    ));
    let grund = find(&i.form, "grund");
    assert_eq!(
        grund.show_if,
        Some(cond(json!({ "field": "fristverkuerzung", "equals": "ja" })))
    );
    assert!(grund.required);
    assert_eq!(grund.required_if, None);
    assert!(matches!(conversion(&i), Conversion::Converted(_)));
    assert!(
        i.yaml.contains("# Umgesetzt: `grund`: show-if"),
        "{}",
        i.yaml
    );
}

#[test]
fn a_code_that_makes_a_field_required_is_a_required_if() {
    let i = import(&one_group(
        "Angaben",
        "Wenn im Datenfeld F99000001 der Wert 02 angegeben wurde, dann soll F99000002 zum Pflichtfeld werden.",
        &[
            s("1:1", &select("F99000001", "Art")),
            s("0:1", &text_field("F99000002", "Sonstiges")),
        ],
    ));
    let f = find(&i.form, "sonstiges");
    assert_eq!(
        f.required_if,
        Some(cond(json!({ "field": "art", "equals": "02" })))
    );
    assert_eq!(f.show_if, None);
    assert!(!f.required);
}

#[test]
fn two_codes_with_oder_become_in_and_the_forbidden_branch_its_negation() {
    let i = import(&one_group(
        "Angaben",
        "Wenn das Feld F99000001 = 01 \"Wert 1\" ODER = 03 \"Wert 3\", dann muss das Feld F99000002 befüllt sein. Wenn das Feld F99000001 <> 01 UND <> 03, dann darf das Feld F99000002 nicht befüllt sein.",
        &[
            s("1:1", &select("F99000001", "Art")),
            s("0:1", &text_field("F99000002", "Nachweis")),
        ],
    ));
    let f = find(&i.form, "nachweis");
    assert_eq!(
        f.show_if,
        Some(cond(json!({ "field": "art", "in": ["01", "03"] })))
    );
    assert!(f.required);
}

#[test]
fn at_least_one_of_three_fields_makes_each_required_while_the_others_are_empty() {
    let i = import(&one_group(
        "Kommunikation",
        "Es muss mindestens eines der Felder F99000001 \"Telefon\", F99000002 \"Telefax\" oder F99000003 \"E-Mail\" befüllt sein.",
        &[
            s("0:1", &text_field("F99000001", "Telefon")),
            s("0:1", &text_field("F99000002", "Telefax")),
            s("0:1", &text_field("F99000003", "E-Mail")),
        ],
    ));
    assert_eq!(
        find(&i.form, "telefon").required_if,
        Some(cond(
            json!({ "not": { "answered": ["telefax", "e-mail"] } })
        ))
    );
    assert_eq!(
        find(&i.form, "e-mail").required_if,
        Some(cond(
            json!({ "not": { "answered": ["telefon", "telefax"] } })
        ))
    );
}

#[test]
fn exactly_one_of_two_fields_hides_the_second_once_the_first_is_answered() {
    let i = import(&one_group(
        "Anschrift",
        "Es muss entweder das Feld F99000001 \"Straße\" oder das Feld F99000002 \"Postfach\" befüllt werden.",
        &[
            s("0:1", &text_field("F99000001", "Straße")),
            s("0:1", &text_field("F99000002", "Postfach")),
        ],
    ));
    let strasse = find(&i.form, "strasse");
    assert_eq!(
        strasse.required_if,
        Some(cond(json!({ "not": { "answered": "postfach" } })))
    );
    assert_eq!(strasse.show_if, None);
    let postfach = find(&i.form, "postfach");
    assert_eq!(
        postfach.show_if,
        Some(cond(json!({ "not": { "answered": "strasse" } })))
    );
    assert_eq!(
        postfach.required_if,
        Some(cond(json!({ "not": { "answered": "strasse" } })))
    );
}

#[test]
fn days_since_a_date_become_a_date_test_relative_to_today() {
    let i = import(&one_group(
        "Beginn",
        "Wenn (aktuelles Datum - F99000001 \"Beginn\") < 7 Tage muss das Feld F99000002 \"Grund\" befüllt sein. Wenn (aktuelles Datum - F99000001 \"Beginn\") > 7 Tage oder = 7 Tage, dann darf das Feld F99000002 \"Grund\" nicht befüllt sein.",
        &[
            s("1:1", &date_field("F99000001", "Beginn")),
            s("0:1", &text_field("F99000002", "Grund")),
        ],
    ));
    let f = find(&i.form, "grund");
    // "> 7 or = 7" is one test, not-after; shown unless it holds (also while no date is given).
    assert_eq!(
        f.show_if,
        Some(cond(
            json!({ "not": { "field": "beginn", "not-after": "today-7d" } })
        ))
    );
    assert_eq!(
        f.required_if,
        Some(cond(json!({ "field": "beginn", "after": "today-7d" })))
    );
}

#[test]
fn a_group_required_and_forbidden_by_a_yes_no_answer_passes_both_to_its_questions() {
    let rule = prose_rule(
        "R99000001",
        "Wenn das Feld F99000001 = \"wahr\", dann muss die Feldgruppe G99000002 befüllt sein. Wenn das Feld F99000001 <> \"wahr\", dann darf die Feldgruppe G99000002 nicht befüllt sein.",
    );
    let vertreter = group(
        "G99000002",
        "Vertreter",
        "",
        &[
            s("1:1", &text_field("F99000003", "Name")),
            s(
                "0:1",
                &group(
                    "G99000004",
                    "Kontakt",
                    "",
                    &s("1:1", &text_field("F99000005", "Telefon")),
                ),
            ),
        ]
        .concat(),
    );
    let xml = schema(&s(
        "1:1",
        &group(
            "G99000001",
            "Antrag",
            &rule,
            &[
                s("1:1", &yes_no("F99000001", "Vertreten")),
                s("0:1", &vertreter),
            ]
            .concat(),
        ),
    ));
    let i = import(&xml);
    let shown = Some(cond(json!({ "field": "vertreten", "equals": "ja" })));
    assert_eq!(find(&i.form, "name").show_if, shown);
    assert!(find(&i.form, "name").required);
    // The optional group inside is a group field: it takes the condition itself, and stays
    // optional (its own question is required once it is answered).
    assert_eq!(find(&i.form, "kontakt").show_if, shown);
    assert!(!find(&i.form, "kontakt").required);
    assert_eq!(find(&i.form, "telefon").show_if, None);
}

#[test]
fn a_show_if_on_a_question_before_the_one_it_names_stays_a_comment_with_the_reason() {
    let i = import(&one_group(
        "Angaben",
        "Wenn das Feld F99000002 = \"wahr\", dann muss das Feld F99000001 befüllt sein. Wenn das Feld F99000002 <> \"wahr\", dann darf das Feld F99000001 nicht befüllt sein.",
        &[
            s("0:1", &text_field("F99000001", "Grund")),
            s("1:1", &yes_no("F99000002", "Verkürzt")),
        ],
    ));
    assert_eq!(find(&i.form, "grund").show_if, None);
    let Conversion::NotConverted(why) = conversion(&i) else {
        panic!("converted");
    };
    assert!(why.contains("which is not asked before it"), "{why}");
    assert!(
        i.yaml
            .contains("# Nicht umgesetzt: the form language refuses it there")
    );
}

#[test]
fn a_rule_not_read_is_not_converted() {
    let i = import(&one_group(
        "Angaben",
        "Das Feld F99000001 ist nur auszufüllen, wenn es nötig ist.",
        &[s("0:1", &text_field("F99000001", "Grund"))],
    ));
    assert_eq!(
        conversion(&i),
        Conversion::NotConverted("the rule was not read".into())
    );
    assert_eq!(find(&i.form, "grund").show_if, None);
}

#[test]
fn at_most_n_entries_each_once_is_max_selected_on_checkboxes() {
    let i = import(&one_group(
        "Angaben",
        "Das Feld F99000001 \"Maßnahmen\" kann bis zu zweimal ausgefüllt werden, dabei darf aber jeder Eintrag nur maximal einmal ausgewählt werden.",
        &[s(
            "0:3",
            &field(
                "F99000001",
                "Maßnahmen",
                "select",
                "text",
                "",
                &codelist_ref(7),
            ),
        )],
    ));
    assert_eq!(find(&i.form, "massnahmen").max_selected, Some(2));
    assert!(matches!(conversion(&i), Conversion::Converted(_)));
}
