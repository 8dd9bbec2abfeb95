//! The booking keys of `payment.booking` in `municipality.yaml` (issue 12): which Kassenzeichen,
//! Haushaltsstelle and Produktkonto each fee of a paid form is booked to, and the lint's words
//! (with file, line and column) for a configuration that cannot be right.

use std::fs;
use std::path::PathBuf;

use form_model::model::{Booking, KassenzeichenFacts};

const CATALOG: &str = r#"
id: parken
version: 1
title: { de: Parken, en: Parking }
purpose: { de: P, en: P }
legal-basis: { de: L, en: L }
retention-days: 1
payment: required
steps:
  - id: antrag
    title: { de: Antrag, en: Application }
    fields:
      - id: name
        type: text
        label: { de: Name, en: Name }
        required: true
fees:
  - id: ausweis
    label: { de: Ausweis, en: Permit }
    amount-eur: 30
  - id: porto
    label: { de: Porto, en: Postage }
    amount-eur: 1.5
"#;

const PLATFORM: &str = r#"
payment:
  platform:
    base-url: https://pay.example/api/
    originator-id: formfabrik
    endpoint-id: "06412000"
    auth: { basic: { username: ff, password: { env: PAY_PASSWORD } } }
"#;

/// The minimal fixture's Musterstadt offering `parken@1`, with `booking` (indented under
/// `payment:`) in its `municipality.yaml`.
fn project(name: &str, booking: &str) -> PathBuf {
    crate::parameters::minimal_project(
        &format!("booking-{name}"),
        CATALOG,
        "forms:\n  - use: parken@1\n",
        &format!("{PLATFORM}{booking}"),
    )
}

/// `check`'s findings as `line:column: message` (English).
fn findings(name: &str, booking: &str) -> Vec<String> {
    let dir = project(name, booking);
    let report = form_model::check(&dir.join("forms"));
    let _ = fs::remove_dir_all(&dir);
    report
        .diagnostics
        .items
        .iter()
        .map(|d| {
            assert!(
                d.file.ends_with("municipality.yaml"),
                "{}",
                d.file.display()
            );
            format!("{}:{}: {}", d.line, d.column, d.message.render("en"))
        })
        .collect()
}

/// The line of `municipality.yaml` that holds `needle` (1-based), in the project `booking` makes.
fn line_of(booking: &str, needle: &str) -> usize {
    // One folder per test thread: tests run side by side.
    let thread = format!("{:?}", std::thread::current().id());
    let dir = project(
        &format!(
            "lines-{}",
            thread.replace(|c: char| !c.is_ascii_alphanumeric(), "")
        ),
        booking,
    );
    let text =
        fs::read_to_string(dir.join("forms/municipalities/musterstadt/municipality.yaml")).unwrap();
    let _ = fs::remove_dir_all(&dir);
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

const GOOD: &str = r#"  booking:
    kassenzeichen: "{prefix}{year}-{reference}"
    prefix: "5.0531."
    default: { haushaltsstelle: "1.0600.1100", produktkonto: "11.1.01.431100" }
    forms:
      parken:
        produktkonto: "12.2.03.431100"
        fees:
          porto: { haushaltsstelle: "1.0600.1200" }
"#;

#[test]
fn each_fee_is_booked_to_its_own_then_its_forms_then_the_default_accounts() {
    assert_eq!(findings("good", GOOD), Vec::<String>::new());
    let written: serde_yaml::Value = serde_yaml::from_str(GOOD).unwrap();
    let booking: Booking = serde_yaml::from_value(written["booking"].clone()).unwrap();
    let facts = KassenzeichenFacts {
        reference: "MUS-2026-7K3F9Q",
        year: 2026,
        ags: "06412000",
    };
    let ausweis = booking.booking_data("parken", "ausweis", facts);
    assert_eq!(
        ausweis.into_iter().collect::<Vec<_>>(),
        [
            ("haushaltsstelle".into(), "1.0600.1100".into()),
            ("kassenzeichen".into(), "5.0531.2026-MUS-2026-7K3F9Q".into()),
            ("produktkonto".into(), "12.2.03.431100".into()),
        ]
    );
    let porto = booking.booking_data("parken", "porto", facts);
    assert_eq!(porto["haushaltsstelle"], "1.0600.1200");
    assert_eq!(porto["produktkonto"], "12.2.03.431100");
    // Another form: the defaults.
    let other = booking.booking_data("sperrmuell", "gebuehr", facts);
    assert_eq!(other["produktkonto"], "11.1.01.431100");
    assert_eq!(
        booking.keys_always_sent(),
        ["kassenzeichen", "haushaltsstelle", "produktkonto"]
    );
    // Without accounts only the Kassenzeichen, by default the prefix and the reference.
    let bare: Booking = serde_yaml::from_str("prefix: KZ-").unwrap();
    assert_eq!(
        bare.booking_data("parken", "ausweis", facts)
            .into_iter()
            .collect::<Vec<_>>(),
        [("kassenzeichen".into(), "KZ-MUS-2026-7K3F9Q".into())]
    );
}

#[test]
fn a_booking_configuration_that_cannot_be_right_is_named_with_its_line_and_column() {
    let bad = r#"  booking:
    kassenzeichen: "KZ {kasse}"
    prefix: "5/0531"
    default: { haushaltsstelle: " 1.0600" }
    forms:
      parkn: { produktkonto: "1" }
      parken:
        fees:
          portoo: { produktkonto: "2" }
"#;
    let found = findings("bad", bad);
    let kz = line_of(bad, "kassenzeichen:");
    let expected = [
        format!(
            "{kz}:20: the placeholder {{kasse}} is not known in a Kassenzeichen; known are {{reference}}, {{prefix}}, {{year}}, {{ags}}"
        ),
        format!(
            "{kz}:20: the Kassenzeichen needs {{reference}}, the submission's reference: only that makes it unique"
        ),
        format!(
            "{kz}:20: \"KZ {{kasse}}\": besides its placeholders a Kassenzeichen consists of A–Z, a–z, 0–9, \".\", \"/\" and \"-\""
        ),
        format!(
            "{}:13: the prefix is not used: write {{prefix}} into the pattern under kassenzeichen",
            line_of(bad, "prefix:")
        ),
        format!(
            "{}:33: \" 1.0600\" cannot be used as haushaltsstelle: not empty, no space at either end, no control characters",
            line_of(bad, "default:")
        ),
        format!(
            "{}:7: the municipality does not offer the form \"parkn\"; did you mean \"parken\"?",
            line_of(bad, "parkn:")
        ),
        format!(
            "{}:11: form \"parken\" has no fee \"portoo\"; did you mean \"porto\"?",
            line_of(bad, "portoo:")
        ),
    ];
    for e in &expected {
        assert!(found.contains(e), "{e}\nnot in\n{found:#?}");
    }
    // An unknown key is refused with its position, like everywhere in municipality.yaml.
    let typo = "  booking:\n    haushaltstelle: \"1\"\n";
    let found = findings("typo", typo);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with(&format!("{}:5: ", line_of(typo, "haushaltstelle"))),
        "{found:#?}"
    );
    assert!(found[0].contains("haushaltstelle"), "{found:#?}");
}

#[test]
fn booking_keys_are_sent_under_the_names_the_platform_expects() {
    let renamed = r#"  booking:
    prefix: "5.0531."
    default: { haushaltsstelle: "1.0600.1100", produktkonto: "11.1.01.431100" }
    keys: { kassenzeichen: KZ, haushaltsstelle: HHST }
"#;
    assert_eq!(findings("keys", renamed), Vec::<String>::new());
    let written: serde_yaml::Value = serde_yaml::from_str(renamed).unwrap();
    let booking: Booking = serde_yaml::from_value(written["booking"].clone()).unwrap();
    let facts = KassenzeichenFacts {
        reference: "MUS-2026-7K3F9Q",
        year: 2026,
        ags: "06412000",
    };
    assert_eq!(
        booking
            .booking_data("parken", "ausweis", facts)
            .into_iter()
            .collect::<Vec<_>>(),
        [
            ("HHST".into(), "1.0600.1100".into()),
            ("KZ".into(), "5.0531.MUS-2026-7K3F9Q".into()),
            ("produktkonto".into(), "11.1.01.431100".into()),
        ]
    );
    assert_eq!(booking.keys_always_sent(), ["KZ", "HHST", "produktkonto"]);
    assert_eq!(
        booking.keys.renamed().into_iter().collect::<Vec<_>>(),
        [
            ("haushaltsstelle".into(), "HHST".into()),
            ("kassenzeichen".into(), "KZ".into()),
        ]
    );

    // A name that cannot be a key, two keys under one name, an unknown key: each at its place.
    let bad = r#"  booking:
    keys:
      kassenzeichen: "K Z"
      produktkonto: haushaltsstelle
"#;
    let found = findings("keys-bad", bad);
    let expected = [
        format!(
            "{}:22: \"K Z\" cannot be the name of kassenzeichen in bookingData: not empty, no spaces, no control characters",
            line_of(bad, "kassenzeichen:")
        ),
        format!(
            "{}:21: haushaltsstelle and produktkonto would both be sent as \"haushaltsstelle\" in bookingData: each key needs a name of its own",
            line_of(bad, "produktkonto:")
        ),
    ];
    assert_eq!(found, expected, "{found:#?}");
    let typo = "  booking:\n    keys: { kasenzeichen: KZ }\n";
    let found = findings("keys-typo", typo);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("kasenzeichen"), "{found:#?}");
    assert!(
        found[0].starts_with(&format!("{}:", line_of(typo, "kasenzeichen"))),
        "{found:#?}"
    );
}
