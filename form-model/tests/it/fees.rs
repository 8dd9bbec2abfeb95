//! The amount due (`fees::amount_due`): fixed fees, fees per number answer and per list entry,
//! fees by the option chosen, fees under a condition, in cents; a municipality's amounts by
//! option; and the record carrying what the server computed.

use form_model::fees::{AmountDue, FeeItem, amount_due};
use form_model::model::Form;
use serde_json::{Map, Value, json};
use time::macros::date;

const FORM: &str = r#"
id: parken
version: 1
title: { de: Bewohnerparken }
purpose: { de: P }
legal-basis: { de: L }
retention-days: 1
steps:
  - id: s
    title: { de: S }
    fields:
      - id: laufzeit
        type: radios
        label: { de: Laufzeit }
        options:
          - { value: ein-jahr, label: { de: 1 Jahr } }
          - { value: zwei-jahre, label: { de: 2 Jahre } }
          - { value: befreit, label: { de: Befreit } }
      - { id: ausweise, type: number, label: { de: Zweitausweise }, min: 0, step: 0.5 }
      - id: fahrzeuge
        type: group
        label: { de: Fahrzeug }
        repeat: { max: 3 }
        fields:
          - { id: kennzeichen, type: text, label: { de: Kennzeichen } }
      - { id: ab, type: date, label: { de: Ab } }
fees:
  - id: ausweis
    label: { de: Bewohnerparkausweis }
    by-choice: { field: laufzeit, amounts-eur: { ein-jahr: 30, zwei-jahre: 60 } }
  - { id: bearbeitung, label: { de: Bearbeitung }, amount-eur: 10.2 }
  - { id: zweit, label: { de: Zweitausweis }, amount-eur: 12.35, per: ausweise }
  - { id: je-fahrzeug, label: { de: Je Fahrzeug }, amount-eur: 5, per: fahrzeuge }
  - { id: eilig, label: { de: Eilzuschlag }, amount-eur: 20, show-if: { field: ab, before: today+7d } }
"#;

fn form() -> Form {
    serde_yaml::from_str(FORM).unwrap()
}

fn due(answers: Value) -> AmountDue {
    let answers: Map<String, Value> = answers.as_object().unwrap().clone();
    amount_due(&form(), &answers, date!(2026 - 12 - 01))
}

fn item(id: &str, choice: Option<&str>, quantity: Option<f64>, unit: i64, cents: i64) -> FeeItem {
    FeeItem {
        id: id.into(),
        choice: choice.map(str::to_string),
        quantity,
        unit_cents: unit,
        cents,
    }
}

#[test]
fn a_fixed_fee_is_always_due_and_the_others_only_for_the_answers_that_call_for_them() {
    assert_eq!(
        due(json!({})),
        AmountDue {
            items: vec![item("bearbeitung", None, None, 1020, 1020)],
            total_cents: 1020
        }
    );
}

#[test]
fn a_fee_by_choice_costs_the_amount_of_the_option_chosen_and_nothing_for_an_unpriced_one() {
    let two = due(json!({ "laufzeit": "zwei-jahre" }));
    assert_eq!(
        two.items[0],
        item("ausweis", Some("zwei-jahre"), None, 6000, 6000)
    );
    assert_eq!(two.total_cents, 7020);
    assert_eq!(due(json!({ "laufzeit": "ein-jahr" })).total_cents, 4020);
    assert_eq!(due(json!({ "laufzeit": "befreit" })).total_cents, 1020);
    // A value the form does not offer never costs anything (validate refuses it anyway).
    assert_eq!(due(json!({ "laufzeit": "zehn-jahre" })).total_cents, 1020);
}

#[test]
fn a_fee_per_number_is_multiplied_and_rounded_to_the_cent_and_a_fee_per_list_counts_entries() {
    let d = due(json!({ "ausweise": 2.5, "fahrzeuge": [{}, { "kennzeichen": "GI-A 1" }] }));
    assert_eq!(
        d.items,
        [
            item("bearbeitung", None, None, 1020, 1020),
            // 2.5 × 12,35 € = 30,875 € → 30,88 €
            item("zweit", None, Some(2.5), 1235, 3088),
            item("je-fahrzeug", None, Some(2.0), 500, 1000),
        ]
    );
    assert_eq!(d.total_cents, 1020 + 3088 + 1000);
    // Zero, an empty list and no answer add nothing; a number still spelt as the post sent it
    // (a page shown again without JavaScript) counts as the number.
    assert_eq!(
        due(json!({ "ausweise": 0, "fahrzeuge": [] })).items.len(),
        1
    );
    assert_eq!(due(json!({ "ausweise": "2" })).total_cents, 1020 + 2470);
    assert_eq!(due(json!({ "ausweise": "zwei" })).total_cents, 1020);
}

#[test]
fn a_fee_under_a_condition_is_due_only_while_it_holds_judged_on_the_day_given() {
    // 1 December: before today+7d is before 8 December.
    assert_eq!(due(json!({ "ab": "2026-12-07" })).total_cents, 1020 + 2000);
    assert_eq!(due(json!({ "ab": "2026-12-08" })).total_cents, 1020);
    assert_eq!(due(json!({})).total_cents, 1020);
}

#[test]
fn the_amount_due_is_kept_in_the_record_with_snake_case_keys_and_read_back() {
    let d = due(json!({ "laufzeit": "ein-jahr", "ausweise": 1 }));
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(
        v,
        json!({
            "items": [
                { "id": "ausweis", "choice": "ein-jahr", "unit_cents": 3000, "cents": 3000 },
                { "id": "bearbeitung", "unit_cents": 1020, "cents": 1020 },
                { "id": "zweit", "quantity": 1.0, "unit_cents": 1235, "cents": 1235 },
            ],
            "total_cents": 5255,
        })
    );
    assert_eq!(serde_json::from_value::<AmountDue>(v).unwrap(), d);
}
