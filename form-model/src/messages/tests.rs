use super::*;

#[test]
fn every_key_of_every_area_has_every_language_the_area_promises() {
    let problems: Vec<String> = AREAS.iter().flat_map(|a| a.problems()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_area_is_written_in_german_first() {
    for area in AREAS {
        assert_eq!(area.languages[0], SOURCE_LANGUAGE, "{}", area.file);
    }
}

#[test]
fn a_language_the_area_is_not_written_in_gets_german() {
    assert_eq!(RECEIPT.text("title", "fr"), "Antragsbestätigung");
    assert_eq!(RECEIPT.text("title", "en"), "Application receipt");
    assert_eq!(PAYMENT_PAGE.text("title", "ar"), "Bezahlen");
    assert_eq!(PAYMENT_PAGE.language_for("ar"), "de");
    assert_eq!(E_FILE.language_for("en"), "de");
}

#[test]
fn arabic_counts_take_six_plural_forms() {
    let forms: Vec<&str> = [0, 1, 2, 3, 11, 100]
        .into_iter()
        .map(|n| plural_category("ar", n))
        .collect();
    assert_eq!(forms, ["zero", "one", "two", "few", "many", "other"]);
    assert_eq!(plural_category("de", 1), "one");
    assert_eq!(plural_category("de", 2), "other");
}

#[test]
fn placeholders_are_filled_and_counted() {
    assert_eq!(
        fill("Seite {n} von {m}", &[("n", "1"), ("m", "3")]),
        "Seite 1 von 3"
    );
    assert_eq!(placeholder_names("{b} {a} {b} {{x} {}"), ["a", "b", "x"]);
}

#[test]
fn a_filled_in_value_is_not_filled_again_and_other_braces_stay() {
    assert_eq!(
        fill("{label}: {n}", &[("n", "{label}"), ("label", "Hund {n}")]),
        "Hund {n}: {label}"
    );
    assert_eq!(
        fill("{\"id\", \"data\"} {x} {{y}", &[("y", "1")]),
        "{\"id\", \"data\"} {x} {1"
    );
}

#[test]
fn a_file_with_a_missing_language_or_a_stray_placeholder_is_reported() {
    static BAD: Area = Area {
        file: "bad.yaml",
        languages: &["de", "en"],
        table: LazyLock::new(|| {
            serde_yaml::from_str(
                "only-de: { de: Hallo }\nstray: { de: \"{n} Dinge\", en: things }\nBad_Key: { de: x, en: y }\ncount: { de: { one: ein Ding }, en: { other: \"{n} things\" } }\n",
            )
            .unwrap()
        }),
    };
    let problems = BAD.problems().join("\n");
    for expected in [
        "\"only-de\" has no en text",
        "\"stray\" has placeholders",
        "\"Bad_Key\" is not a kebab-case key",
        "\"count\" has no \"other\" plural form in de",
    ] {
        assert!(problems.contains(expected), "{expected} in:\n{problems}");
    }
}
