//! Validation as the function applies it: conditions, requiredness, types and constraints,
//! with codes and messages in the submission's language.

use form_model::model::Form;
use form_model::resolve::{MunicipalityRef, ResolvedForm};
use form_model::{ErrorCode, Submission, validate};
use serde_json::{Value, json};
use time::macros::date;

const TODAY: time::Date = date!(2026 - 11 - 28);

const FORM: &str = r#"
id: probe
version: 1
title: { de: Probe, en: Probe }
purpose: { de: Test, en: Test }
legal-basis: { de: Test, en: Test }
retention-days: 30
steps:
  - id: person
    title: { de: Person, en: Person }
    fields:
      - { id: name, type: text, label: { de: Name, en: Name }, required: true, min-length: 2, max-length: 20 }
      - { id: kennzeichen, type: text, label: { de: Kennzeichen, en: Number plate }, pattern: "[A-Z]{1,3}-[A-Z]{1,2} [0-9]{1,4}", pattern-message: { de: "Wie GI-AB 123", en: "Like GI-AB 123" } }
      - { id: email, type: email, label: { de: E-Mail, en: Email } }
      - { id: telefon, type: tel, label: { de: Telefon, en: Phone } }
      - { id: geburtsdatum, type: date, label: { de: Geburtsdatum, en: Date of birth }, max: today-18y }
      - { id: termin, type: date, label: { de: Termin, en: Appointment }, min: today+7d, max: 2027-06-30 }
      - { id: anzahl, type: number, label: { de: Anzahl, en: Number }, min: 1, max: 10, step: 1 }
      - { id: menge, type: number, label: { de: Menge, en: Amount }, min: 0.5, max: 5, step: 0.5 }
      - { id: iban, type: iban, label: { de: IBAN, en: IBAN } }
      - { id: plz, type: postcode, label: { de: PLZ, en: Postcode } }
      - { id: steuer-id, type: tax-id, label: { de: Steuer-ID, en: Tax ID } }
      - { id: anschrift, type: address, label: { de: Anschrift, en: Address } }
  - id: hund
    title: { de: Hund, en: Dog }
    fields:
      - id: gefaehrlich
        type: radios
        label: { de: Gefährlich?, en: Dangerous? }
        required: true
        options: [ { value: ja, label: { de: Ja, en: "Yes" } }, { value: nein, label: { de: Nein, en: "No" } } ]
      - id: erlaubnis
        type: file
        label: { de: Erlaubnis, en: Permit }
        accept: [application/pdf, image/*]
        max-size-mb: 5
        required: true
        show-if: { field: gefaehrlich, equals: ja }
      - id: klassen
        type: checkboxes
        label: { de: Klassen, en: Classes }
        min-selected: 1
        max-selected: 2
        options: [ { value: A, label: { de: A, en: A } }, { value: B, label: { de: B, en: B } }, { value: BE, label: { de: BE, en: BE } } ]
  - id: anhang
    title: { de: Anhang, en: Trailer }
    show-if: { field: klassen, in: [BE] }
    fields:
      - { id: anhaenger, type: select, label: { de: Anhänger, en: Trailer }, required: true, options: [ { value: klein, label: { de: Klein, en: Small } }, { value: gross, label: { de: Groß, en: Large } } ] }
"#;

fn form() -> ResolvedForm {
    form_of(FORM, &["de", "en"])
}

/// The form written in `yaml`, as Musterstadt publishes it in `languages`.
fn form_of(yaml: &str, languages: &[&str]) -> ResolvedForm {
    let form: Form = serde_yaml::from_str(yaml).unwrap();
    ResolvedForm::new(
        MunicipalityRef {
            id: "musterstadt".into(),
            name: "Stadt Musterstadt".into(),
            ags: "06412000".into(),
        },
        languages.iter().map(|l| l.to_string()).collect(),
        form,
    )
}

fn submit(
    lang: &str,
    data: Value,
) -> Result<serde_json::Map<String, Value>, Vec<form_model::FieldError>> {
    let submission = Submission {
        language: lang.into(),
        data: data.as_object().unwrap().clone(),
    };
    validate(&form(), &submission, TODAY)
}

/// The codes of the errors for `data` (German), by field.
fn codes(data: Value) -> Vec<(String, ErrorCode)> {
    submit("de", data)
        .expect_err("should be rejected")
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

fn base() -> Value {
    json!({ "name": "Max Mustermann", "gefaehrlich": "nein" })
}

fn with(key: &str, value: Value) -> Value {
    let mut v = base();
    v[key] = value;
    v
}

#[test]
fn accepts_minimal_submission_and_normalises_values() {
    let clean = submit(
        "de",
        json!({
            "name": "  Max Mustermann ", "gefaehrlich": "nein", "iban": "de89 3704 0044 0532 0130 00",
            "steuer-id": "86 095 742 719", "anzahl": "3", "menge": 2.5, "klassen": ["B", "A"],
            "anschrift": { "street": "Hauptstraße", "house-number": "12a", "postcode": "35390", "city": "Gießen" },
            "email": "", "telefon": "+49 641 12345-0"
        }),
    )
    .unwrap();
    assert_eq!(clean["name"], "Max Mustermann");
    assert_eq!(clean["iban"], "DE89370400440532013000");
    assert_eq!(clean["steuer-id"], "86095742719");
    assert_eq!(clean["anzahl"], 3);
    assert_eq!(clean["menge"], 2.5);
    assert_eq!(clean["klassen"], json!(["A", "B"]));
    assert!(!clean.contains_key("email"), "empty answers are dropped");
}

#[test]
fn rejects_submission_when_required_field_missing() {
    assert_eq!(
        codes(json!({ "gefaehrlich": "nein" })),
        vec![("name".into(), ErrorCode::Required)]
    );
}

#[test]
fn requires_a_conditional_field_only_while_it_is_shown() {
    assert_eq!(
        codes(with("gefaehrlich", json!("ja"))),
        vec![("erlaubnis".into(), ErrorCode::Required)]
    );
    assert!(submit("de", base()).is_ok());
}

#[test]
fn rejects_a_hidden_field_that_is_filled() {
    let file = json!({ "name": "erlaubnis.pdf", "type": "application/pdf", "size": 1000, "sha256": "ab".repeat(32) });
    assert_eq!(
        codes(with("erlaubnis", file.clone())),
        vec![("erlaubnis".into(), ErrorCode::NotApplicable)]
    );
    let mut shown = with("gefaehrlich", json!("ja"));
    shown["erlaubnis"] = file;
    assert!(submit("de", shown).is_ok());
}

#[test]
fn a_step_condition_hides_all_its_fields() {
    assert_eq!(
        codes(with("anhaenger", json!("klein"))),
        vec![("anhaenger".into(), ErrorCode::NotApplicable)]
    );
    assert_eq!(
        codes(with("klassen", json!(["BE"]))),
        vec![("anhaenger".into(), ErrorCode::Required)]
    );
    let mut ok = with("klassen", json!(["B", "BE"]));
    ok["anhaenger"] = json!("gross");
    assert!(submit("de", ok).is_ok());
}

#[test]
fn rejects_unknown_fields() {
    assert_eq!(
        codes(with("hacker", json!("x"))),
        vec![("hacker".into(), ErrorCode::UnknownField)]
    );
}

#[test]
fn checks_lengths_and_patterns() {
    assert_eq!(
        codes(with("name", json!("M"))),
        vec![("name".into(), ErrorCode::TooShort)]
    );
    assert_eq!(
        codes(with("name", json!("x".repeat(21)))),
        vec![("name".into(), ErrorCode::TooLong)]
    );
    // Lengths count characters, not bytes.
    assert!(submit("de", with("name", json!("Ä".repeat(20)))).is_ok());
    assert_eq!(
        codes(with("kennzeichen", json!("GI AB 123"))),
        vec![("kennzeichen".into(), ErrorCode::Pattern)]
    );
    assert!(submit("de", with("kennzeichen", json!("GI-AB 123"))).is_ok());
    let errors = submit("en", with("kennzeichen", json!("x"))).unwrap_err();
    assert_eq!(errors[0].message, "Like GI-AB 123");
}

#[test]
fn checks_number_ranges_and_steps() {
    for (value, code) in [
        (json!(0), ErrorCode::TooSmall),
        (json!(11), ErrorCode::TooLarge),
        (json!(2.5), ErrorCode::Step),
        (json!("drei"), ErrorCode::NotANumber),
        (json!("1e3"), ErrorCode::NotANumber),
        (json!(true), ErrorCode::NotANumber),
    ] {
        assert_eq!(
            codes(with("anzahl", value.clone())),
            vec![("anzahl".into(), code)],
            "{value}"
        );
    }
    assert_eq!(
        codes(with("menge", json!(0.7))),
        vec![("menge".into(), ErrorCode::Step)]
    );
    assert!(submit("de", with("menge", json!("4.5"))).is_ok());
}

#[test]
fn checks_dates_relative_to_today() {
    assert!(submit("de", with("geburtsdatum", json!("2008-11-28"))).is_ok());
    assert_eq!(
        codes(with("geburtsdatum", json!("2008-11-29"))),
        vec![("geburtsdatum".into(), ErrorCode::DateTooLate)]
    );
    assert_eq!(
        codes(with("termin", json!("2026-12-04"))),
        vec![("termin".into(), ErrorCode::DateTooEarly)]
    );
    assert!(submit("de", with("termin", json!("2026-12-05"))).is_ok());
    assert_eq!(
        codes(with("termin", json!("2027-07-01"))),
        vec![("termin".into(), ErrorCode::DateTooLate)]
    );
    for bad in ["2026-02-30", "28.11.2026", "2026-1-1"] {
        assert_eq!(
            codes(with("termin", json!(bad))),
            vec![("termin".into(), ErrorCode::InvalidDate)],
            "{bad}"
        );
    }
    let errors = submit("de", with("termin", json!("2026-12-01"))).unwrap_err();
    assert_eq!(
        errors[0].message,
        "„Termin“ darf nicht vor dem 05.12.2026 liegen."
    );
    let errors = submit("en", with("termin", json!("2026-12-01"))).unwrap_err();
    assert_eq!(
        errors[0].message,
        "“Appointment” must be on or after 5 December 2026."
    );
}

#[test]
fn checks_option_membership() {
    assert_eq!(
        codes(with("gefaehrlich", json!("vielleicht"))),
        vec![("gefaehrlich".into(), ErrorCode::InvalidOption)]
    );
    assert_eq!(
        codes(with("klassen", json!(["C"]))),
        vec![("klassen".into(), ErrorCode::InvalidOption)]
    );
    assert_eq!(
        codes(with("klassen", json!(["A", "B", "BE"]))),
        vec![("klassen".into(), ErrorCode::TooManySelected)]
    );
}

#[test]
fn several_answers_count_as_the_set_chosen_unused_selects_for_nothing() {
    // A long list offers one select per answer: unused ones send "", and the same option may
    // be chosen in two of them.
    let mut data = with("klassen", json!(["BE", "", "A", "A", " "]));
    data["anhaenger"] = json!("klein");
    let clean = submit("de", data).unwrap();
    assert_eq!(clean["klassen"], json!(["A", "BE"]), "in the form's order");
    assert_eq!(
        codes(with("klassen", json!(["A", "B", "", "BE"]))),
        vec![("klassen".into(), ErrorCode::TooManySelected)]
    );
    // Only empty selects: no answer at all.
    assert!(submit("de", with("klassen", json!(["", ""]))).is_ok());
}

#[test]
fn checks_email_and_phone() {
    assert!(submit("de", with("email", json!("max.mustermann@musterstadt.de"))).is_ok());
    for bad in ["max", "max@", "@musterstadt.de", "max mustermann@x.de"] {
        assert_eq!(
            codes(with("email", json!(bad))),
            vec![("email".into(), ErrorCode::InvalidEmail)],
            "{bad}"
        );
    }
    assert_eq!(
        codes(with("telefon", json!("ruf mich an"))),
        vec![("telefon".into(), ErrorCode::InvalidTel)]
    );
}

#[test]
fn internationalised_email_addresses_are_valid_and_kept_as_written() {
    for good in [
        "priya@müller.de",
        " priya@müller.de ",
        "priya@xn--mller-kva.de",
    ] {
        let clean = submit("de", with("email", json!(good))).unwrap();
        assert_eq!(clean["email"], json!(good.trim()), "{good}");
    }
}

#[test]
fn answers_are_trimmed_and_normalised_before_they_are_checked() {
    let check = |key: &str, raw: &str| submit("de", with(key, json!(raw))).map(|c| c[key].clone());
    // Pasted with a space, typed on an Arabic or a full-width keyboard: stored in ASCII.
    assert_eq!(check("plz", " 86899"), Ok(json!("86899")));
    assert_eq!(check("plz", "٣٥٣٩٠"), Ok(json!("35390")));
    assert_eq!(check("plz", "３５３９０\u{a0}"), Ok(json!("35390")));
    assert_eq!(
        check("steuer-id", "٤٧ ٠٣٦ ٨٩٢ ٨١٦"),
        Ok(json!("47036892816"))
    );
    assert_eq!(
        check("telefon", "+٤٩ ٦٤١ ١٢٣٤٥"),
        Ok(json!("+49 641 12345"))
    );
    assert_eq!(
        check("iban", "DE02 １２０３ 0000 0000 2020 51"),
        Ok(json!("DE02120300000000202051"))
    );
    // "Zoë" pasted as Z, o, e and a combining diaeresis is one "ë", stored composed.
    assert_eq!(check("name", "Zoe\u{308} "), Ok(json!("Zo\u{eb}")));
    let mut address = base();
    address["anschrift"] = json!({ "street": " Hauptstraße ", "house-number": "1", "postcode": " ٣٥٣٩٠", "city": "Gießen" });
    assert_eq!(
        submit("de", address).unwrap()["anschrift"],
        json!({ "street": "Hauptstraße", "house-number": "1", "postcode": "35390", "city": "Gießen" })
    );
}

#[test]
fn checks_iban_checksum_and_country_length() {
    for good in [
        "DE02120300000000202051",
        "AT611904300234573201",
        "NL91 ABNA 0417 1643 00",
    ] {
        assert!(submit("de", with("iban", json!(good))).is_ok(), "{good}");
    }
    for bad in [
        "DE02120300000000202052",
        "DE0212030000000020205",
        "NL91ABNA0417164301",
    ] {
        assert_eq!(
            codes(with("iban", json!(bad))),
            vec![("iban".into(), ErrorCode::InvalidIban)],
            "{bad}"
        );
    }
}

#[test]
fn checks_postcode_and_steuer_id() {
    assert!(submit("de", with("plz", json!("01067"))).is_ok());
    assert_eq!(
        codes(with("plz", json!("1067"))),
        vec![("plz".into(), ErrorCode::InvalidPostcode)]
    );
    assert!(submit("de", with("steuer-id", json!("47036892816"))).is_ok());
    assert_eq!(
        codes(with("steuer-id", json!("47036892817"))),
        vec![("steuer-id".into(), ErrorCode::InvalidTaxId)]
    );
}

#[test]
fn checks_files_against_accept_and_size() {
    let file = |t: &str, size: u64| json!({ "name": "scan", "type": t, "size": size, "sha256": "0".repeat(64) });
    let mut v = with("gefaehrlich", json!("ja"));
    v["erlaubnis"] = file("image/jpeg", 5_000_000);
    assert!(
        submit("de", v.clone()).is_ok(),
        "image/* accepts jpeg; 5 MB is allowed"
    );
    v["erlaubnis"] = file("application/zip", 100);
    assert_eq!(
        codes(v.clone()),
        vec![("erlaubnis".into(), ErrorCode::FileType)]
    );
    v["erlaubnis"] = file("application/pdf", 5_000_001);
    assert_eq!(
        codes(v.clone()),
        vec![("erlaubnis".into(), ErrorCode::FileTooLarge)]
    );
    v["erlaubnis"] = json!("erlaubnis.pdf");
    assert_eq!(
        codes(v.clone()),
        vec![("erlaubnis".into(), ErrorCode::InvalidFile)]
    );
}

/// Issue 16, defect 3: the importer contract requires a file value's sha256 (the function
/// makes it from the bytes); a malformed one is refused by validation too.
#[test]
fn the_schema_requires_a_file_values_sha256_and_validation_refuses_a_malformed_one() {
    let mut v = with("gefaehrlich", json!("ja"));
    v["erlaubnis"] = json!({ "name": "scan.pdf", "type": "application/pdf", "size": 10 });
    let schema = form_model::schema::json_schema(&form());
    assert_eq!(
        schema["properties"]["erlaubnis"]["required"],
        json!(["name", "type", "size", "sha256"])
    );
    v["erlaubnis"]["sha256"] = json!("xyz");
    assert_eq!(codes(v), vec![("erlaubnis".into(), ErrorCode::InvalidFile)]);
}

#[test]
fn reports_each_missing_or_invalid_part_of_an_address() {
    let errors = submit(
        "de",
        with(
            "anschrift",
            json!({ "street": "Hauptstraße", "postcode": "3539" }),
        ),
    )
    .unwrap_err();
    let got: Vec<(&str, ErrorCode, &str)> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.code, e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "anschrift.house-number",
                ErrorCode::Required,
                "„Anschrift – Hausnummer“ ist ein Pflichtfeld. Bitte füllen Sie es aus."
            ),
            (
                "anschrift.postcode",
                ErrorCode::InvalidPostcode,
                "„Anschrift – Postleitzahl“ muss eine Postleitzahl aus 5 Ziffern sein."
            ),
            (
                "anschrift.city",
                ErrorCode::Required,
                "„Anschrift – Ort“ ist ein Pflichtfeld. Bitte füllen Sie es aus."
            ),
        ]
    );
}

#[test]
fn writes_messages_in_the_submission_language() {
    let de = submit("de", json!({ "gefaehrlich": "nein" })).unwrap_err();
    assert_eq!(
        de[0].message,
        "„Name“ ist ein Pflichtfeld. Bitte füllen Sie es aus."
    );
    let en = submit("en", json!({ "gefaehrlich": "nein" })).unwrap_err();
    assert_eq!(en[0].message, "“Name” is required. Please answer it.");
}

#[test]
fn rejects_a_language_the_form_is_not_offered_in() {
    let errors = submit("fr", base()).unwrap_err();
    assert_eq!(errors[0].code, ErrorCode::UnknownLanguage);
    assert_eq!(errors[0].field, "language");
}

#[test]
fn rejects_values_of_the_wrong_json_type() {
    assert_eq!(
        codes(with("name", json!(42))),
        vec![("name".into(), ErrorCode::WrongType)]
    );
    assert_eq!(
        codes(with("klassen", json!({"A": true}))),
        vec![("klassen".into(), ErrorCode::WrongType)]
    );
    assert_eq!(
        codes(with("anschrift", json!("Hauptstraße 1"))),
        vec![("anschrift".into(), ErrorCode::WrongType)]
    );
}

#[test]
fn an_unticked_declaration_is_asked_for_with_an_instruction_in_every_language() {
    let yaml = r#"
id: erklaerung
version: 1
title: { de: E, en: E, ar: E }
purpose: { de: P, en: P, ar: P }
legal-basis: { de: L, en: L, ar: L }
retention-days: 1
steps:
  - id: s
    title: { de: S, en: S, ar: S }
    fields:
      - id: richtigkeit
        type: checkboxes
        label: { de: Richtigkeit der Angaben, en: Accuracy, ar: صحة البيانات }
        required: true
        options: [ { value: ja, label: { de: "Ich versichere, dass …", en: "I confirm that …", ar: "أؤكد أن …" } } ]
      - id: person
        type: group
        label: { de: Gesetzliche Vertretung, en: Legal representative, ar: الممثل القانوني }
        fields:
          - { id: vorname, type: text, label: { de: Vorname, en: First name, ar: الاسم الأول } }
          - { id: familienname, type: text, label: { de: Familienname, en: Surname, ar: اسم العائلة }, required: true }
          - id: vollmacht
            type: checkboxes
            label: { de: Vollmacht, en: Power of attorney, ar: التوكيل }
            required: true
            options: [ { value: ja, label: { de: Liegt vor, en: Given, ar: موجود } } ]
"#;
    let form = form_of(yaml, &["de", "en", "ar"]);
    let messages = |lang: &str| -> Vec<(String, ErrorCode, String)> {
        let submission = Submission {
            language: lang.into(),
            data: json!({ "person": { "vorname": "Eva", "familienname": " ", "vollmacht": [] } })
                .as_object()
                .unwrap()
                .clone(),
        };
        validate(&form, &submission, TODAY)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code, e.message))
            .collect()
    };
    // Not the box's own words ("Ich versichere, dass …"), and still the code `required`; a
    // question inside a group is named with the group.
    assert_eq!(
        messages("de"),
        vec![
            (
                "richtigkeit".into(),
                ErrorCode::Required,
                "Bestätigen Sie „Richtigkeit der Angaben“, indem Sie das Kästchen ankreuzen."
                    .into()
            ),
            (
                "person.familienname".into(),
                ErrorCode::Required,
                "„Gesetzliche Vertretung: Familienname“ ist ein Pflichtfeld. Bitte füllen Sie es aus."
                    .into()
            ),
            (
                "person.vollmacht".into(),
                ErrorCode::Required,
                "Bestätigen Sie „Gesetzliche Vertretung: Vollmacht“, indem Sie das Kästchen ankreuzen."
                    .into()
            ),
        ]
    );
    assert_eq!(
        messages("en")[0].2,
        "Confirm “Accuracy” by ticking the box."
    );
    assert_eq!(
        messages("ar")[0].2,
        "أكّد «صحة البيانات» بوضع علامة في المربع."
    );
}

#[test]
fn a_date_given_as_day_month_and_year_must_be_real_and_a_birth_date_not_in_the_future() {
    let yaml = r#"
id: geburt
version: 1
title: { de: G }
purpose: { de: P }
legal-basis: { de: L }
retention-days: 1
steps:
  - id: s
    title: { de: S }
    fields:
      - id: geburtsdatum
        type: group
        label: { de: Geburtsdatum }
        required: true
        max: today
        date-parts: { day: tag, month: monat, year: jahr }
        fields:
          - { id: tag, type: number, label: { de: Tag }, min: 1, max: 31, step: 1 }
          - { id: monat, type: number, label: { de: Monat }, min: 1, max: 12, step: 1 }
          - { id: jahr, type: number, label: { de: Jahr }, required: true, min: 1850, max: 2080, step: 1 }
"#;
    let form = form_of(yaml, &["de"]);
    let check = |parts: Value| {
        let submission = Submission {
            language: "de".into(),
            data: json!({ "geburtsdatum": parts })
                .as_object()
                .unwrap()
                .clone(),
        };
        validate(&form, &submission, TODAY).map_err(|e| {
            e.into_iter()
                .map(|e| (e.field, e.code, e.message))
                .collect::<Vec<_>>()
        })
    };
    let invalid = Err(vec![(
        "geburtsdatum".to_string(),
        ErrorCode::InvalidDate,
        "„Geburtsdatum“ muss ein gültiges Datum sein.".to_string(),
    )]);
    // 31.02. is no day, 31.04. neither; a day needs its month.
    assert_eq!(
        check(json!({ "tag": 31, "monat": 2, "jahr": 1990 })),
        invalid
    );
    assert_eq!(
        check(json!({ "tag": "31", "monat": "4", "jahr": "1990" })),
        invalid
    );
    assert_eq!(check(json!({ "tag": 5, "jahr": 1990 })), invalid);
    assert!(check(json!({ "tag": 29, "monat": 2, "jahr": 2024 })).is_ok());
    // Not after today (2026-11-28), as far as the parts are known.
    let late = Err(vec![(
        "geburtsdatum".to_string(),
        ErrorCode::DateTooLate,
        "„Geburtsdatum“ darf nicht nach dem 28.11.2026 liegen.".to_string(),
    )]);
    assert_eq!(check(json!({ "tag": 31, "monat": 1, "jahr": 2030 })), late);
    assert_eq!(check(json!({ "jahr": 2027 })), late);
    assert_eq!(check(json!({ "monat": 12, "jahr": 2026 })), late);
    assert_eq!(check(json!({ "tag": 29, "monat": 11, "jahr": 2026 })), late);
    assert!(check(json!({ "monat": 11, "jahr": 2026 })).is_ok());
    assert!(check(json!({ "jahr": 2026 })).is_ok());
    assert!(check(json!({ "tag": 28, "monat": 11, "jahr": 2026 })).is_ok());
}
