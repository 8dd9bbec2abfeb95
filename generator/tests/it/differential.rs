//! The page's script and the function must apply the same rules. This test generates inputs
//! for every rule (random and constructed Steuer-IDs, a valid IBAN for every country and its
//! mutations, tricky email addresses, number spellings, date edges, Unicode lengths, conditions),
//! judges them with form-model's `validate` and with `site.js` under Node, and requires the same
//! error codes, the same messages and the same cleaned values for every case, and the same
//! text-blocks shown (their `show-if` judged by form-model's conditions and by the script); for
//! valid cases also the same amount due (form-model's `fees::amount_due` and `fees.js`, which a
//! form page loads on its check-your-answers step).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use form_model::fees::{AmountDue, amount_due};
use form_model::messages::euros_from_cents;
use form_model::model::Form;
use form_model::resolve::{MunicipalityRef, ResolvedForm};
use form_model::rules::{iban_formats, iban_with_check, tax_id_check_digit};
use form_model::{Submission, validate};
use serde_json::{Value, json};
use time::Date;

const FORM: &str = r#"
id: differential
version: 1
title: { de: Probe }
purpose: { de: Probe }
legal-basis: { de: Probe }
retention-days: 1
steps:
  - id: a
    title: { de: A }
    fields:
      - { id: name, type: text, label: { de: Name }, min-length: 2, max-length: 5 }
      - { id: plate, type: text, label: { de: Kennzeichen }, pattern: "[A-Z]{1,3}-[A-Z]{1,2} [0-9]{1,4}", pattern-message: { de: x } }
      - { id: notes, type: textarea, label: { de: Notiz }, max-length: 10 }
      - { id: email, type: email, label: { de: E-Mail } }
      - { id: tel, type: tel, label: { de: Telefon } }
      - { id: count, type: number, label: { de: Anzahl }, min: 1, max: 20, step: 1 }
      - { id: volume, type: number, label: { de: Menge }, min: 0.5, max: 5, step: 0.5 }
      - { id: free, type: number, label: { de: Frei } }
      - { id: born, type: date, label: { de: Geburt }, max: today-18y }
      - { id: slot, type: date, label: { de: Termin }, min: today+7d, max: today+3m }
      - { id: fixed, type: date, label: { de: Fest }, min: 2024-02-29, max: 2026-12-31 }
      - { id: iban, type: iban, label: { de: IBAN } }
      - { id: plz, type: postcode, label: { de: PLZ } }
      - { id: taxid, type: tax-id, label: { de: Steuer-ID } }
      - { id: address, type: address, label: { de: Anschrift } }
      # The area rule, as resolve writes a municipality's parameter into the question.
      - { id: home-plz, type: postcode, label: { de: Wohnort }, area: { postcodes: ["35390", "35392"] } }
      - { id: home, type: address, label: { de: Wohnung }, area: { postcodes: ["35390", "35392"], streets: [Hauptstraße, Am Markt, Bahnhofstraße] } }
      - { id: home-plz-only, type: address, label: { de: Zweitwohnung }, area: { postcodes: ["35394"] } }
      - id: kind
        type: radios
        label: { de: Art }
        options: [ { value: ja, label: { de: Ja } }, { value: nein, label: { de: Nein } } ]
      - { id: kind-note, type: text-block, text: { de: "Nur mit **Erlaubnis**." }, show-if: { field: kind, equals: ja } }
      - id: choice
        type: select
        label: { de: Auswahl }
        options: [ { value: x, label: { de: X } }, { value: y, label: { de: Y } } ]
      - id: classes
        type: checkboxes
        label: { de: Klassen }
        min-selected: 1
        max-selected: 2
        options: [ { value: A, label: { de: A } }, { value: B, label: { de: B } }, { value: BE, label: { de: BE } } ]
      - { id: permit, type: file, label: { de: Erlaubnis }, accept: [application/pdf, image/*], max-size-mb: 5, required: true, show-if: { field: kind, equals: ja } }
      - { id: reason, type: text, label: { de: Grund }, required: true, show-if: { all: [ { field: classes, in: [BE] }, { not: { field: kind, equals: nein } } ] } }
      - id: dogs
        type: group
        label: { de: Hund }
        repeat: { min: 1, max: 3 }
        fields:
          - { id: dog-name, type: text, label: { de: Name }, required: true, max-length: 10 }
          - { id: dog-born, type: date, label: { de: Geboren }, max: today }
          - id: dog-colours
            type: checkboxes
            label: { de: Farben }
            options: [ { value: black, label: { de: Schwarz } }, { value: white, label: { de: Weiß } } ]
          - { id: dog-home, type: address, label: { de: Anschrift } }
      - id: born-parts
        type: group
        label: { de: Geburtsdatum }
        max: today
        date-parts: { day: tag, month: monat, year: jahr }
        fields:
          - { id: tag, type: number, label: { de: Tag }, min: 1, max: 31, step: 1 }
          - { id: monat, type: number, label: { de: Monat }, min: 1, max: 12, step: 1 }
          - { id: jahr, type: number, label: { de: Jahr }, required: true, min: 1850, max: 2080, step: 1 }
      - id: kids
        type: group
        label: { de: Kind }
        repeat: { max: 3 }
        min: today-18y
        max: today
        date-parts: { month: km, year: kj }
        fields:
          - { id: km, type: number, label: { de: Geburtsmonat }, step: 1 }
          - { id: kj, type: number, label: { de: Geburtsjahr }, required: true, step: 1 }
      - id: bank
        type: group
        label: { de: Bank }
        fields:
          - { id: bank-iban, type: iban, label: { de: IBAN }, required: true }
          - { id: bank-holder, type: text, label: { de: Inhaber } }
      - { id: start, type: date, label: { de: Beginn } }
      - { id: start-note, type: text-block, text: { de: Kurze Frist. }, show-if: { any: [ { field: start, after: today-7d }, { not: { answered: phone } } ] } }
      - { id: late, type: text, label: { de: Verspätung }, required-if: { field: start, before: today-7d } }
      - { id: soon, type: text, label: { de: Bald }, show-if: { all: [ { field: start, not-before: today-7d }, { field: start, not-after: 2030-01-01 } ] } }
      - { id: phone, type: tel, label: { de: Telefon 2 }, required-if: { not: { answered: [mail, fax] } } }
      - { id: mail, type: email, label: { de: E-Mail 2 } }
      - { id: fax, type: text, label: { de: Fax }, show-if: { not: { field: start, after: today } } }
      - { id: only, type: text, label: { de: Nur eins }, show-if: { exactly-one: [phone, mail] }, required: true }
      - id: reps
        type: group
        label: { de: Vertretung }
        repeat: { max: 2 }
        fields:
          - id: rep-kind
            type: radios
            label: { de: Art }
            options: [ { value: person, label: { de: Person } }, { value: firm, label: { de: Firma } } ]
          - { id: rep-note, type: text-block, text: { de: Firmen nennen ihren Namen. }, show-if: { field: rep-kind, equals: firm } }
          - { id: rep-name, type: text, label: { de: Name }, required: true, show-if: { field: rep-kind, equals: person } }
          - { id: rep-firm, type: text, label: { de: Firma }, required-if: { any: [ { field: rep-kind, equals: firm }, { answered: rep-since } ] } }
          - { id: rep-since, type: date, label: { de: Seit }, show-if: { any: [ { answered: rep-name }, { field: kind, equals: ja } ] }, required-if: { field: start, after: today-30d } }
  - id: b
    title: { de: B }
    show-if: { any: [ { field: choice, equals: y }, { field: classes, equals: A } ] }
    fields:
      - { id: extra-note, type: text-block, text: { de: Noch eine Angabe. } }
      - { id: extra, type: text, label: { de: Extra }, required: true }
      - id: consent
        type: checkboxes
        label: { de: Einwilligung }
        required: true
        options: [ { value: ja, label: { de: Ich willige ein. } } ]
fees:
  - { id: base, label: { de: Grund }, amount-eur: 10.2 }
  - { id: per-count, label: { de: Je Stück }, amount-eur: 12.35, per: count }
  - { id: per-volume, label: { de: Je m³ }, amount-eur: 43.45, per: volume }
  - { id: per-dog, label: { de: Je Hund }, amount-eur: 90, per: dogs }
  - { id: by-choice, label: { de: Auswahl }, by-choice: { field: choice, amounts-eur: { x: 30, y: 1060.5 } } }
  - { id: soon, label: { de: Eilig }, amount-eur: 20, show-if: { field: start, after: today-7d } }
  - { id: kind-fee, label: { de: Art }, amount-eur: 0.05, show-if: { field: kind, equals: ja } }
"#;

/// xorshift: deterministic inputs without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn tax_ids(rng: &mut Rng) -> Vec<Value> {
    let mut out = Vec::new();
    for _ in 0..600 {
        let s: String = (0..11)
            .map(|_| char::from(b'0' + rng.below(10) as u8))
            .collect();
        out.push(json!(s));
    }
    // Constructed valid ones (one digit twice or three times), then each with a wrong check digit.
    for _ in 0..150 {
        let mut digits: Vec<u32> = (0..10).collect();
        for i in (1..10).rev() {
            digits.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let twice = rng.below(2) == 0;
        digits[9] = digits[rng.below(9) as usize];
        if !twice {
            digits[8] = digits[9];
        }
        if digits[0] == 0 {
            digits.swap(0, 5);
        }
        let check = tax_id_check_digit(&digits);
        let s: String = digits
            .iter()
            .chain([check].iter())
            .map(|d| char::from_digit(*d, 10).unwrap())
            .collect();
        out.push(json!(s.clone()));
        out.push(json!(format!("{} {} {}", &s[..2], &s[2..5], &s[5..])));
        // Typed on an Arabic keyboard.
        let arabic: String = s
            .chars()
            .map(|c| char::from_u32(0x0660 + c.to_digit(10).unwrap()).unwrap())
            .collect();
        out.push(json!(arabic));
        let wrong = (check + 1) % 10;
        out.push(json!(format!("{}{wrong}", &s[..10])));
    }
    for s in [
        "",
        " ",
        "8609574271",
        "860957427190",
        "8609574271a",
        "06095742719",
        "86095742719 ",
    ] {
        out.push(json!(s));
    }
    out
}

fn ibans(rng: &mut Rng) -> Vec<Value> {
    let mut out = Vec::new();
    let re = regex::Regex::new("([0-9]+)([nac])").unwrap();
    for (country, format) in iban_formats() {
        let mut bban = String::new();
        for c in re.captures_iter(format) {
            for _ in 0..c[1].parse::<usize>().unwrap() {
                let digit = char::from(b'0' + rng.below(10) as u8);
                let letter = char::from(b'A' + rng.below(26) as u8);
                bban.push(match &c[2] {
                    "n" => digit,
                    "a" => letter,
                    _ => {
                        if rng.below(2) == 0 {
                            digit
                        } else {
                            letter
                        }
                    }
                });
            }
        }
        let iban = iban_with_check(country, &bban);
        out.push(json!(iban.clone()));
        out.push(json!(iban.to_lowercase()));
        let spaced: String = iban
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        out.push(json!(spaced));
        // Full-width digits, as some Asian keyboards type them.
        let wide: String = iban
            .chars()
            .map(|c| match c.to_digit(10) {
                Some(d) if c.is_ascii_digit() => char::from_u32(0xFF10 + d).unwrap(),
                _ => c,
            })
            .collect();
        out.push(json!(wide));
        let mut bad_check: Vec<char> = iban.chars().collect();
        bad_check[3] = char::from_digit((bad_check[3].to_digit(10).unwrap() + 1) % 10, 10).unwrap();
        out.push(json!(bad_check.into_iter().collect::<String>()));
        out.push(json!(iban_with_check(country, &format!("{bban}0"))));
        out.push(json!(iban_with_check(country, &bban[..bban.len() - 1])));
        // A letter where the format wants a digit, or the reverse, with correct check digits.
        let mut flipped: Vec<char> = bban.chars().collect();
        let i = rng.below(flipped.len() as u64) as usize;
        flipped[i] = if flipped[i].is_ascii_digit() {
            'K'
        } else {
            '7'
        };
        out.push(json!(iban_with_check(
            country,
            &flipped.into_iter().collect::<String>()
        )));
    }
    for s in [
        "DE00370400440532013000",
        "DE01370400440532013000",
        "DE99370400440532013000",
        "XX89370400440532013000",
        "DE89-3704-0044-0532-0130-00",
        "",
        "DE",
        "DE8937040044053201300000000000000000",
    ] {
        out.push(json!(s));
    }
    out
}

fn emails() -> Vec<Value> {
    [
        "max@musterstadt.de",
        "max.mustermann@sub.musterstadt.de",
        "a@b",
        "a@b.c",
        "user+tag@example.com",
        "x@müller.de",
        "priya@müller.de",
        " priya@müller.de ",
        "priya@mu\u{308}ller.de",
        "x@bücher.example",
        "x@xn--mller-kva.de",
        "o'brien@example.ie",
        "a!#$%&'*+/=?^_`{|}~-@example.org",
        "max",
        "max@",
        "@musterstadt.de",
        "max mustermann@x.de",
        "max@@x.de",
        "max@x..de",
        "max@-x.de",
        "max@x-.de",
        "max@x_y.de",
        "max@[127.0.0.1]",
        "max@[300.0.0.1]",
        "max@[::1]",
        "max@[IPv6:::1]",
        "max@foo[1.2.3.4]",
        "ä@x.de",
        "max@x.de.",
        "max@.x.de",
        "max@x.d",
        "max@localhost",
        "\"quoted\"@x.de",
        "a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.de",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.de",
        "max@x.de ",
        " max@x.de",
        "max@xn--.de",
        "max@ex ample.de",
        "max@straße.de",
        "max@ＵＳＥＲ.de",
    ]
    .iter()
    .map(|s| json!(s))
    .collect()
}

fn strings(list: &[&str]) -> Vec<Value> {
    list.iter().map(|s| json!(s)).collect()
}

fn cases(rng: &mut Rng) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let mut one = |field: &str, values: Vec<Value>| {
        for v in values {
            out.push((field.to_string(), v));
        }
    };
    one(
        "name",
        strings(&[
            "",
            " ",
            "M",
            "Mo",
            "Moritz",
            "Ümit",
            "  Ab  ",
            "😀😀",
            "😀😀😀😀😀😀",
            "a\u{301}b\u{301}c",
            "Zoe\u{308}",
            "e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}",
            "Ab\r\nCd",
        ]),
    );
    one(
        "name",
        vec![json!(5), json!(true), json!(["a"]), json!(null)],
    );
    one(
        "plate",
        strings(&[
            "GI-AB 123",
            "GI AB 123",
            "gi-ab 123",
            "ABCD-A 1",
            "M-X 1",
            "M-X 12345",
            " M-X 1 ",
        ]),
    );
    one(
        "notes",
        strings(&[
            "kurz",
            "0123456789",
            "01234567890",
            "line\r\nline",
            "ääääääääää",
        ]),
    );
    one("email", emails());
    one(
        "tel",
        strings(&[
            "0641 12345",
            "+49 641 12345-0",
            "(0641) 123/45",
            "1234",
            "12345",
            "+1234",
            "+12345",
            "ruf mich an",
            "0641.12345",
            "+49 (0) 641 1234 5678 9012 3456 78",
            "0641 12345 ",
            "٠٦٤١١٢٣٤٥",
            "+٤٩ ٦٤١ ١٢٣٤٥",
            "０６４１ １２３４５",
        ]),
    );
    one(
        "count",
        vec![
            json!(0),
            json!(1),
            json!(20),
            json!(21),
            json!(2.5),
            json!(-1),
            json!("3"),
            json!(" 3 "),
            json!("3.0"),
            json!("1e3"),
            json!("drei"),
            json!("1."),
            json!(".5"),
            json!("-"),
            json!("--1"),
            json!("1-2"),
            json!("1.2.3"),
            json!(true),
            json!([1]),
            json!(""),
        ],
    );
    one(
        "volume",
        vec![
            json!(0.5),
            json!(0.7),
            json!(5),
            json!(5.5),
            json!("2.5"),
            json!("0.4999999999"),
            json!(4.5),
            json!(1),
        ],
    );
    one(
        "free",
        vec![
            json!(-3.25),
            json!("0"),
            json!("-0"),
            json!(1e20),
            json!("007"),
            json!("1,5"),
        ],
    );
    one(
        "born",
        strings(&[
            "2008-11-28",
            "2008-11-29",
            "1950-01-01",
            "2026-02-30",
            "28.11.2008",
            "2008-1-1",
            "+208-11-28",
            "2008-11-28 ",
            "0000-01-01",
        ]),
    );
    one(
        "slot",
        strings(&[
            "2026-12-04",
            "2026-12-05",
            "2027-02-28",
            "2027-03-01",
            "2026-11-28",
        ]),
    );
    one(
        "fixed",
        strings(&[
            "2024-02-28",
            "2024-02-29",
            "2026-12-31",
            "2027-01-01",
            "2023-02-29",
        ]),
    );
    one("iban", ibans(rng));
    one(
        "plz",
        strings(&[
            "35390",
            "01067",
            "3539",
            "353900",
            "3539O",
            " 35390",
            " 86899",
            "35390\u{a0}",
            "D-35390",
            "٣٥٣٩٠",
            "۳۵۳۹۰",
            "３５３９０",
            "٣٥٣٩",
        ]),
    );
    one("taxid", tax_ids(rng));
    one(
        "address",
        vec![
            json!({"street": "Hauptstraße", "house-number": "12a", "postcode": "35390", "city": "Gießen"}),
            json!({"street": "Hauptstraße", "postcode": "3539"}),
            json!({"street": " ", "house-number": "1", "postcode": "35390", "city": "X"}),
            json!({"street": "Hauptstraße", "house-number": "1", "postcode": " ٣٥٣٩٠ ", "city": "Gießen"}),
            json!({"street": "Hauptstrasse", "house-number": "1", "postcode": "３５３９０", "city": "Gie\u{301}ßen"}),
            json!({"street": "S", "house-number": "123456789012345678901", "postcode": "35390", "city": "X"}),
            json!({"street": "S", "house-number": "1", "postcode": "35390", "city": "X", "country": "DE"}),
            json!({"street": 1, "house-number": "1", "postcode": "35390", "city": "X"}),
            json!("Hauptstraße 1"),
            json!({}),
        ],
    );
    one(
        "home-plz",
        strings(&["35390", "35392", " ٣٥٣٩٢ ", "35391", "3539", "", "99999"]),
    );
    let home = |street: &str, postcode: &str| json!({"street": street, "house-number": "1", "postcode": postcode, "city": "Musterstadt"});
    let mut homes = Vec::new();
    for street in [
        "Hauptstraße",
        "hauptstr.",
        "HAUPTSTRASSE",
        "  Am   Markt ",
        "am markt",
        "Bahnhofstr.",
        "Bahnhof",
        "Nebenstraße",
        "Hauptstrasse 5",
        "Hauptstra\u{301}ße",
    ] {
        for postcode in ["35390", "35392", "35394", "3539"] {
            homes.push(home(street, postcode));
        }
    }
    homes.push(json!({"street": "Am Markt", "postcode": "35390"}));
    one("home", homes);
    one(
        "home-plz-only",
        vec![
            home("Irgendwo", "35394"),
            home("Irgendwo", "35390"),
            home("Irgendwo", "٣٥٣٩٤"),
        ],
    );
    one("kind", strings(&["ja", "nein", "vielleicht", "JA"]));
    one("choice", strings(&["x", "y", "z"]));
    one(
        "classes",
        vec![
            json!(["A"]),
            json!(["B", "A"]),
            json!(["A", "A"]),
            // The selects of a long list: unused ones send "", one may repeat another.
            json!(["A", ""]),
            json!(["", "B", "", "A"]),
            json!(["", ""]),
            json!([" A "]),
            json!(["A", " "]),
            json!(["A", "B", "BE"]),
            json!(["C"]),
            json!("B"),
            json!([]),
            json!([1]),
            json!({"A": true}),
        ],
    );
    // Conditions: combinations of the answers they depend on, with and without the dependents.
    let mut combos: Vec<(String, Value)> = Vec::new();
    let kinds = [None, Some("ja"), Some("nein")];
    let classes = [
        None,
        Some(json!(["BE"])),
        Some(json!(["A"])),
        Some(json!(["B", "BE"])),
    ];
    let choices = [None, Some("x"), Some("y")];
    let permit = json!({"name": "erlaubnis.pdf", "type": "application/pdf", "size": 1000});
    for k in kinds {
        for c in &classes {
            for ch in choices {
                for fill in 0..4u8 {
                    let mut data = serde_json::Map::new();
                    if let Some(k) = k {
                        data.insert("kind".into(), json!(k));
                    }
                    if let Some(c) = c {
                        data.insert("classes".into(), c.clone());
                    }
                    if let Some(ch) = ch {
                        data.insert("choice".into(), json!(ch));
                    }
                    if fill & 1 == 1 {
                        data.insert("permit".into(), permit.clone());
                        data.insert("reason".into(), json!("weil"));
                    }
                    if fill & 2 == 2 {
                        data.insert("extra".into(), json!("mehr"));
                        data.insert("consent".into(), json!(["ja"]));
                    }
                    combos.push(("*".into(), Value::Object(data)));
                }
            }
        }
    }
    out.extend(combos);
    let files = [
        json!({"name": "a.pdf", "type": "application/pdf", "size": 5_000_000}),
        json!({"name": "a.pdf", "type": "application/pdf", "size": 5_000_001}),
        json!({"name": "a.png", "type": "image/png", "size": 10}),
        json!({"name": "a.zip", "type": "application/zip", "size": 10}),
        json!({"name": "", "type": "application/pdf", "size": 10}),
        json!({"name": "a.pdf", "type": "application/pdf", "size": 0}),
        json!({"name": "a.pdf", "type": "application/pdf", "size": 1.5}),
        json!({"name": "a.pdf", "type": "application/pdf", "size": 10, "sha256": "ab"}),
        json!({"name": "a.pdf", "type": "imagex/png", "size": 10}),
        json!({"name": "a.pdf", "type": "image", "size": 10}),
        json!("a.pdf"),
    ];
    for f in files {
        out.push(("*".into(), json!({"kind": "ja", "permit": f})));
    }
    out.push(("*".into(), json!({"unknown": "x", "name": "Moritz"})));
    let dog = |name: &str| json!({ "dog-name": name });
    for dogs in [
        json!([dog("Bello")]),
        json!([dog("Bello"), {}, dog("Rex")]),
        json!([{ "dog-name": "" }]),
        json!([]),
        json!([dog("a"), dog("b"), dog("c"), dog("d")]),
        json!([dog("a"), dog("b"), {}, {}, dog("c")]),
        json!([{ "dog-born": "2030-01-01" }]),
        json!([{ "dog-name": "Bello", "dog-colours": ["black", "black"] }]),
        json!([{ "dog-name": "Bello", "dog-colours": "white" }]),
        json!([{ "dog-name": "Bello", "dog-home": { "street": "Weg", "postcode": "123" } }]),
        json!([{ "dog-name": "Bello", "chip": "1" }]),
        json!([{ "dog-name": "Bellobellobello" }]),
        json!(["Bello"]),
        json!({ "dog-name": "Bello" }),
        json!("Bello"),
    ] {
        out.push(("*".into(), json!({ "dogs": dogs })));
    }
    // A date given as day, month and year: a real date, not after today (three todays).
    let born = |d: Option<Value>, m: Option<Value>, y: Value| {
        let mut o = serde_json::Map::new();
        if let Some(d) = d {
            o.insert("tag".into(), d);
        }
        if let Some(m) = m {
            o.insert("monat".into(), m);
        }
        o.insert("jahr".into(), y);
        json!({ "born-parts": o })
    };
    for (d, m, y) in [
        (Some(json!(31)), Some(json!(2)), json!(2030)),
        (Some(json!(31)), Some(json!(2)), json!(1990)),
        (Some(json!(29)), Some(json!(2)), json!(2024)),
        (Some(json!(29)), Some(json!(2)), json!(2023)),
        (Some(json!(30)), Some(json!(4)), json!(1990)),
        (Some(json!(31)), Some(json!(4)), json!(1990)),
        (Some(json!("31")), Some(json!("12")), json!("1990")),
        (Some(json!(5)), None, json!(1990)),
        (None, Some(json!(11)), json!(2026)),
        (None, Some(json!(12)), json!(2026)),
        (None, Some(json!(8)), json!(2026)),
        (None, None, json!(2026)),
        (None, None, json!(2027)),
        (None, Some(json!(13)), json!(1990)),
        (Some(json!(28)), Some(json!(11)), json!(2026)),
        (Some(json!(29)), Some(json!(11)), json!(2026)),
        (Some(json!(1)), Some(json!(3)), json!(2024)),
    ] {
        out.push(("*".into(), born(d, m, y)));
    }
    for kids in [
        json!([{ "km": 2, "kj": 2010 }, { "kj": 2007 }]),
        json!([{ "kj": 2007 }, { "km": 12, "kj": 2008 }]),
        json!([{ "km": 13, "kj": 2010 }]),
        json!([{ "km": 1, "kj": 999 }, {}, { "kj": 2030 }]),
        json!([{ "km": 0, "kj": 2010 }]),
    ] {
        out.push(("*".into(), json!({ "kids": kids })));
    }
    for bank in [
        json!({ "bank-iban": "DE89 3704 0044 0532 0130 00" }),
        json!({ "bank-holder": "Erika" }),
        json!({ "bank-iban": "DE00" }),
        json!({}),
        json!({ "bank-iban": "" }),
        json!([{ "bank-iban": "DE89370400440532013000" }]),
    ] {
        out.push(("*".into(), json!({ "bank": bank, "dogs": [dog("Bello")] })));
    }
    out.extend(condition_cases());
    out.extend(fee_cases());
    out
}

/// Valid answers for every fee kind: numbers and lists multiplied (fractions rounded to the
/// cent), each option of the fee by choice and none, fees under a date and an option condition.
fn fee_cases() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let dog = |n: usize| json!({ "dog-name": format!("Hund{n}") });
    for i in 0..90usize {
        let mut data = serde_json::Map::new();
        data.insert(
            "dogs".into(),
            json!((0..1 + i % 3).map(dog).collect::<Vec<_>>()),
        );
        data.insert("phone".into(), json!("0641 1"));
        data.insert("only".into(), json!("z"));
        data.insert("late".into(), json!("spät"));
        if i % 4 != 0 {
            data.insert("count".into(), json!(1 + (i * 7) % 20));
        }
        if i % 5 != 0 {
            data.insert("volume".into(), json!(0.5 * (1 + i % 10) as f64));
        }
        match i % 3 {
            0 => {}
            1 => {
                data.insert("choice".into(), json!("x"));
            }
            _ => {
                data.insert("choice".into(), json!("y"));
                data.insert("extra".into(), json!("e"));
                data.insert("consent".into(), json!(["ja"]));
            }
        }
        if i % 7 == 1 {
            data.insert("kind".into(), json!("ja"));
            data.insert(
                "permit".into(),
                json!({"name": "a.pdf", "type": "application/pdf", "size": 10}),
            );
        }
        if i % 2 == 0 {
            let day = DAYS[i % DAYS.len()] + time::Duration::days(-((i % 12) as i64));
            data.insert("start".into(), json!(format!("{day}")));
        }
        out.push(("*".into(), Value::Object(data)));
    }
    out
}

/// The condition kinds with dates relative to today, answered, exactly one, `required-if`
/// naming later questions, and conditions inside a list's entries (the same entry and outside).
fn condition_cases() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    // Dates on and next to each bound, for each of the days the cases are judged on. The day
    // a case gets is its position modulo three, so each input comes three times in a row.
    for day in DAYS {
        for offset in [1, 0, -1, -6, -7, -8, -29, -30, -31] {
            let start = day + time::Duration::days(offset);
            let data = json!({
                "dogs": [{ "dog-name": "Bello" }], "fax": "0641 99", "soon": "y",
                "reps": [{ "rep-kind": "person", "rep-name": "E" }],
                "start": format!("{start}"),
            });
            for _ in 0..DAYS.len() {
                out.push(("*".into(), data.clone()));
            }
        }
    }
    let dates = [
        None,
        Some("2026-11-20"),
        Some("2026-11-21"),
        Some("2026-11-29"),
        Some("2024-02-21"),
        Some("2024-02-22"),
        Some("2024-03-01"),
        Some("2026-08-24"),
        Some("2026-08-23"),
        Some("2030-01-02"),
        Some("2030-01-01"),
        Some("2029-12-31"),
    ];
    let texts = [
        (None, None),
        (Some("spät"), None),
        (None, Some("bald")),
        (Some("x"), Some("y")),
    ];
    let contacts = [
        json!({}),
        json!({ "phone": "0641 1234" }),
        json!({ "mail": "a@b.de" }),
        json!({ "fax": "0641 99" }),
        json!({ "phone": "0641 1234", "mail": "a@b.de", "only": "z" }),
        json!({ "mail": "a@b.de", "only": "z" }),
    ];
    for (di, start) in dates.iter().enumerate() {
        for (ti, (late, soon)) in texts.iter().enumerate() {
            let contact = &contacts[(di + ti) % contacts.len()];
            let mut data = contact.as_object().unwrap().clone();
            data.insert("dogs".into(), json!([{ "dog-name": "Bello" }]));
            for (k, v) in [("start", start), ("late", late), ("soon", soon)] {
                if let Some(v) = v {
                    data.insert(k.into(), json!(v));
                }
            }
            out.push(("*".into(), Value::Object(data)));
        }
    }
    let reps = [
        json!([{ "rep-kind": "person", "rep-name": "Erika" }]),
        json!([{ "rep-kind": "person" }]),
        json!([{ "rep-kind": "firm", "rep-name": "Erika" }]),
        json!([{ "rep-kind": "firm" }]),
        json!([{ "rep-kind": "firm", "rep-firm": "ACME" }]),
        json!([{ "rep-kind": "person", "rep-name": "Erika", "rep-since": "2020-01-01" }]),
        json!([{ "rep-kind": "firm", "rep-firm": "ACME", "rep-since": "2020-01-01" }]),
        json!([{ "rep-since": "2020-01-01", "rep-firm": "ACME" }, { "rep-kind": "person", "rep-name": "Max" }]),
        json!([{ "rep-kind": "person", "rep-name": "Erika" }, { "rep-kind": "firm" }]),
    ];
    for (ri, reps) in reps.iter().enumerate() {
        for (kind, start) in [
            (None, None),
            (Some("ja"), Some("2026-11-20")),
            (Some("nein"), Some("2020-01-01")),
        ] {
            let mut data = serde_json::Map::new();
            data.insert("dogs".into(), json!([{ "dog-name": "Bello" }]));
            data.insert("phone".into(), json!("0641 1"));
            data.insert("reps".into(), reps.clone());
            if let Some(k) = kind {
                data.insert("kind".into(), json!(k));
                if k == "ja" {
                    data.insert(
                        "permit".into(),
                        json!({"name": "a.pdf", "type": "application/pdf", "size": 10}),
                    );
                }
            }
            if let Some(s) = start.filter(|_| ri % 2 == 0) {
                data.insert("start".into(), json!(s));
            }
            out.push(("*".into(), Value::Object(data)));
        }
    }
    // Text-blocks have no answer: one sent for them is unknown, at the top and in an entry.
    for (field, value) in [
        ("kind-note", json!("x")),
        ("extra-note", json!("")),
        (
            "reps",
            json!([{ "rep-kind": "firm", "rep-firm": "ACME", "rep-note": "x" }]),
        ),
    ] {
        out.push((field.into(), value));
    }
    out
}

/// The days the cases are judged on (in turn), never the machine's.
const DAYS: [Date; 3] = [
    time::macros::date!(2026 - 11 - 28),
    time::macros::date!(2024 - 02 - 29),
    time::macros::date!(2026 - 08 - 31),
];

/// The page script's source, and the amount due's (`assets/fees.js`).
fn asset_source(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../site-templates/assets")
        .join(name)
}

#[test]
fn the_minified_script_agrees_too() {
    let minified = |name: &str| {
        let source = fs::read_to_string(asset_source(name)).unwrap();
        let minified = generator::site::assets::minify_js(&source).unwrap();
        assert!(minified.len() < source.len() * 3 / 4, "{name}");
        let path =
            std::env::temp_dir().join(format!("formfabrik-min-{}-{name}", std::process::id()));
        fs::write(&path, minified).unwrap();
        path
    };
    let (site_js, fees_js) = (minified("site.js"), minified("fees.js"));
    agree(&site_js, &fees_js);
    let _ = fs::remove_file(&site_js);
    let _ = fs::remove_file(&fees_js);
}

#[test]
fn page_script_and_function_agree_on_every_generated_input() {
    agree(&asset_source("site.js"), &asset_source("fees.js"));
}

fn agree(site_js: &Path, fees_js: &Path) {
    let form: Form = serde_yaml::from_str(FORM).unwrap();
    let resolved = ResolvedForm::new(
        MunicipalityRef {
            id: "m".into(),
            name: "M".into(),
            ags: "00000000".into(),
        },
        vec!["de".into()],
        form,
    );
    let data = view::script_data::script_data(&resolved, "de");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let days = DAYS;
    let mut js_cases = Vec::new();
    let mut rust = Vec::new();
    for (i, (field, value)) in cases(&mut rng).into_iter().enumerate() {
        let answers = if field == "*" {
            value.as_object().unwrap().clone()
        } else {
            let mut m = serde_json::Map::new();
            m.insert(field.clone(), value.clone());
            m
        };
        let today = days[i % days.len()];
        let verdict = match validate(
            &resolved,
            &Submission {
                language: "de".into(),
                data: answers.clone(),
            },
            today,
        ) {
            Ok(clean) => {
                // The text-blocks under a condition, and whether form-model's conditions show
                // them for these answers.
                let blocks: serde_json::Map<String, Value> = resolved
                    .form
                    .elements()
                    .filter(|f| !f.is_question())
                    .filter_map(|f| {
                        let c = f.show_if.as_ref()?;
                        Some((f.id.clone(), json!(c.holds(&clean, today))))
                    })
                    .collect();
                // What the answers cost, and the total as messages::euros writes it.
                let due = amount_due(&resolved.form, &clean, today);
                let total = euros_from_cents(due.total_cents, "de");
                json!({ "errors": [], "clean": clean, "blocks": blocks, "due": due, "total": total })
            }
            Err(errors) => json!({
                "errors": errors.iter().map(|e| json!([e.field, e.code, e.message])).collect::<Vec<_>>(),
                "clean": null,
            }),
        };
        rust.push(verdict);
        js_cases.push(json!({
            "data": answers,
            "today": { "y": today.year(), "m": today.month() as u8, "d": today.day() },
        }));
    }
    let dir = std::env::temp_dir().join(format!(
        "formfabrik-diff-{}-{}",
        std::process::id(),
        site_js.file_name().unwrap().to_string_lossy()
    ));
    fs::create_dir_all(&dir).unwrap();
    let input = dir.join("cases.json");
    let output = dir.join("verdicts.json");
    fs::write(
        &input,
        serde_json::to_vec(&json!({ "data": data, "cases": js_cases })).unwrap(),
    )
    .unwrap();
    let status = Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential.cjs"))
        .arg(site_js)
        .arg(fees_js)
        .arg(&input)
        .arg(&output)
        .status()
        .expect("node must be installed (scripts/test installs it)");
    assert!(status.success(), "node failed");
    let js: Vec<Value> = serde_json::from_slice(&fs::read(&output).unwrap()).unwrap();
    assert_eq!(js.len(), rust.len());
    let mut disagreements = Vec::new();
    // Valid cases with a text-block shown, and with one hidden: both branches are compared.
    let (mut blocks_shown, mut blocks_hidden) = (0, 0);
    // Valid cases where at least four fees apply.
    let mut fees_applied = 0;
    for (i, (r, j)) in rust.iter().zip(&js).enumerate() {
        // The page never shows "unknown-field" or "not-applicable" (it has no input for the
        // one and disables the inputs of the other), so it carries no words for them.
        let codes = |v: &Value| {
            let mut list: Vec<String> = v["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let code = e[1].as_str().unwrap();
                    let words = match code {
                        "unknown-field" | "not-applicable" => "",
                        _ => e[2].as_str().unwrap(),
                    };
                    format!("{}:{code} {words}", e[0].as_str().unwrap())
                })
                .collect();
            list.sort();
            list
        };
        let same_codes = codes(r) == codes(j);
        let valid = r["errors"].as_array().unwrap().is_empty();
        let same_clean = !valid || r["clean"] == j["clean"];
        let same_blocks = !valid || r["blocks"] == j["blocks"];
        // Quantities compare as numbers (2 and 2.0 are one quantity).
        let due = |v: &Value| serde_json::from_value::<AmountDue>(v["due"].clone()).ok();
        let same_due = !valid || (due(r).is_some() && due(r) == due(j) && r["total"] == j["total"]);
        if valid && due(r).is_some_and(|d| d.items.len() >= 4) {
            fees_applied += 1;
        }
        if valid
            && r["blocks"]
                .as_object()
                .is_some_and(|b| b.values().any(|v| v == true))
        {
            blocks_shown += 1;
        }
        if valid
            && r["blocks"]
                .as_object()
                .is_some_and(|b| b.values().any(|v| v == false))
        {
            blocks_hidden += 1;
        }
        if !same_codes || !same_clean || !same_blocks || !same_due {
            disagreements.push(format!(
                "case {i}: input {}\n  rust: {} {} {} {} {}\n  js:   {} {} {} {} {}",
                js_cases[i]["data"],
                codes(r).join(","),
                r["clean"],
                r["blocks"],
                r["due"],
                r["total"],
                codes(j).join(","),
                j["clean"],
                j["blocks"],
                j["due"],
                j["total"]
            ));
        }
    }
    let _ = fs::remove_dir_all(&dir);
    assert!(rust.len() > 1500, "only {} cases", rust.len());
    assert!(
        fees_applied >= 30,
        "four fees or more in only {fees_applied} valid cases"
    );
    assert!(
        blocks_shown >= 5 && blocks_hidden >= 5,
        "text-blocks shown in {blocks_shown}, hidden in {blocks_hidden} valid cases"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} cases disagree:\n{}",
        disagreements.len(),
        rust.len(),
        disagreements
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
