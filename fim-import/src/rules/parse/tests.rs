//! The shapes of FIM rule prose the grammar reads, each with the reading it gives, and where
//! reading stops for prose it does not.

use super::*;

/// The reading in the tree's notation, or the error.
fn read(text: &str) -> String {
    match parse(text) {
        Ok(t) => t.to_string(),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn a_value_given_in_a_field_makes_another_field_required() {
    assert_eq!(
        read(
            "Wenn im Datenfeld F00000462 der Wert 001 angegeben wurde, dann soll F00000467 zum Pflichtfeld werden."
        ),
        "if F00000462 = 001 then required F00000467"
    );
    assert_eq!(
        read(
            "Wenn im Datenfeld F60000242 nicht der Wert \"\" angegeben wurde, dann soll F00002408 zum Pflichtfeld werden."
        ),
        "if F60000242 <> \"\" then required F00002408"
    );
}

#[test]
fn must_be_filled_and_must_not_be_filled_are_two_statements_of_one_rule() {
    let t = parse(
        "Wenn das Feld F00002543 \"Fristverkürzung\" = \"wahr\", dann muss das Feld F00002401 \"Grund für Fristverkürzung\" befüllt sein. Wenn das Feld F00002543 \"Fristverkürzung\" <> \"wahr\", dann darf das Feld F00002401 \"Grund für Fristverkürzung\" nicht befüllt sein.",
    )
    .unwrap();
    assert_eq!(
        t.to_string(),
        "if F00002543 = wahr then required F00002401; if F00002543 <> wahr then forbidden F00002401"
    );
    let Statement::If { when, then } = &t.statements[0] else {
        panic!("a conditional");
    };
    assert_eq!(
        then.targets[0].label.as_deref(),
        Some("Grund für Fristverkürzung")
    );
    assert_eq!(then.targets[0].noun, Some(Noun::Field));
    let Condition::Test {
        subject: Subject::Element(r),
        ..
    } = when
    else {
        panic!("a test of one element");
    };
    assert_eq!(r.label.as_deref(), Some("Fristverkürzung"));
}

#[test]
fn dotted_paths_name_an_element_inside_its_groups() {
    let t = parse(
        "Wenn das Feld G00000283.G00001373.F00002492 \"Stationäre Arbeitsstätte abweichend\" = \"wahr\", dann muss die Feldgruppe G00001378.G00001457 \"Anschrift\" befüllt sein.",
    )
    .unwrap();
    let refs = t.refs();
    assert_eq!(refs[0].path, ["G00000283", "G00001373", "F00002492"]);
    assert_eq!(refs[0].id(), "F00002492");
    assert_eq!(refs[1].path, ["G00001378", "G00001457"]);
    assert_eq!(refs[1].noun, Some(Noun::Group));
}

#[test]
fn xdatenfelder_3_ids_have_eleven_digits() {
    assert_eq!(
        read(
            "Wenn F60000000240 \"Telefon\" leer ist, dann muss F60000000242 \"E-Mail\" befüllt sein."
        ),
        "if F60000000240 empty then required F60000000242"
    );
}

#[test]
fn und_binds_closer_than_oder_and_the_reading_says_so() {
    let t = parse(
        "Wenn das Feld F00000001 = \"wahr\" UND das Feld F00000002 <> \"wahr\" ODER das Feld F00000003 = \"wahr\", dann darf die Feldgruppe G00000001 nicht befüllt sein.",
    )
    .unwrap();
    assert_eq!(
        t.to_string(),
        "if (F00000001 = wahr and F00000002 <> wahr) or F00000003 = wahr then forbidden G00000001"
    );
    assert_eq!(t.notes.len(), 1, "{:?}", t.notes);
    assert!(t.notes[0].contains("UND before ODER"));
}

#[test]
fn parentheses_group_conditions() {
    assert_eq!(
        read(
            "Wenn das Feld F00000001 = \"wahr\" UND (das Feld F00000002 = \"wahr\" ODER das Feld F00000003 = \"wahr\"), dann muss das Feld F00000004 befüllt sein."
        ),
        "if F00000001 = wahr and (F00000002 = wahr or F00000003 = wahr) then required F00000004"
    );
    assert!(parse("Wenn (das Feld F00000002 = wahr ODER das Feld F00000003 = wahr), dann muss F00000004 befüllt sein.").unwrap().notes.is_empty());
}

#[test]
fn filled_and_empty_in_all_their_spellings() {
    assert_eq!(
        read(
            "Wenn die Feldgruppe G00001378 \"U\" befüllt ist, dann muss die Feldgruppe G00001402 \"Z\" befüllt sein."
        ),
        "if G00001378 filled then required G00001402"
    );
    assert_eq!(
        read(
            "Wenn die Feldgruppe G00001378 \"U\" nicht befüllt ist UND die Gruppe G00001386 nicht befüllt ist, dann darf die Feldgruppe G00001402 nicht befüllt sein."
        ),
        "if G00001378 empty and G00001386 empty then forbidden G00001402"
    );
    assert_eq!(
        read("Wenn F60000231 \"Tag\" nicht leer, dann darf F60000232 \"Monat\" nicht leer sein."),
        "if F60000231 filled then required F60000232"
    );
    assert_eq!(
        read(
            "Wenn Feld F00000532 \"B\" <> wahr ODER das Feld F00000549 \"D\" leer ist, dann muss das Feld F00000550 \"A\" befüllt sein."
        ),
        "if F00000532 <> wahr or F00000549 empty then required F00000550"
    );
}

#[test]
fn kann_allows_and_muss_nicht_is_read_as_need_not() {
    assert_eq!(
        read("Wenn das Feld F00000519 = \"wahr\", dann kann das Feld F00000521 befüllt werden."),
        "if F00000519 = wahr then allowed F00000521"
    );
    let t = parse("Wenn Feld F00000532 = wahr, dann muss das Feld F00000550 nicht befüllt sein.")
        .unwrap();
    assert_eq!(
        t.to_string(),
        "if F00000532 = wahr then not required F00000550"
    );
    assert!(t.notes[0].contains("need not be filled"));
}

#[test]
fn codes_with_labels_and_further_values_of_the_same_field() {
    assert_eq!(
        read(
            "Wenn das Feld F00002509 \"A\" = 02 \"teilweise erfüllt\", dann muss das Feld F00002510 \"B\" befüllt sein."
        ),
        "if F00002509 = 02 \"teilweise erfüllt\" then required F00002510"
    );
    assert_eq!(
        read(
            "Wenn das Feld F60000352 \"V\" = 003 \"Ja (juristisch).\" ODER = 005 \"Ja, bevollmächtigt.\", dann muss die Datenfeldgruppe\nG60000223 \"G\" befüllt sein."
        ),
        "if F60000352 = 003 \"Ja (juristisch).\" or F60000352 = 005 \"Ja, bevollmächtigt.\" then required G60000223"
    );
    assert_eq!(
        read(
            "Wenn das Feld F60000352 <> 003 UND <> 005 dann darf das Datenfeld F60000351 \"Vollmacht\" nicht befüllt sein."
        ),
        "if F60000352 <> 003 and F60000352 <> 005 then forbidden F60000351"
    );
}

#[test]
fn dates_relative_to_today() {
    assert_eq!(
        read(
            "Wenn (aktuelles Datum - F00000539 \"Beginn der Tätigkeiten\") < 7 Tage muss das Feld F00002543 \"Fristverkürzung\" befüllt sein."
        ),
        "if today - F00000539 < 7 days then required F00002543"
    );
    assert_eq!(
        read(
            "Wenn (aktuelles Datum - F00000539 \"Beginn\") > 7 Tage oder = 7 Tage darf das Feld F00002543 nicht befüllt sein."
        ),
        "if today - F00000539 > 7 days or today - F00000539 = 7 days then forbidden F00002543"
    );
    assert_eq!(
        read(
            "Wenn (aktuelles Datum - G00001377.F00002373 \"Zeitpunkt\") <= 6 Jahre, dann muss die Feldgruppe G00001393 befüllt sein."
        ),
        "if today - G00001377.F00002373 <= 6 years then required G00001393"
    );
}

#[test]
fn quantified_fields_of_a_group() {
    assert_eq!(
        read(
            "Wenn mindestens ein Feld der Feldgruppe G00000283.G00001375 \"T\" = \"wahr\", dann muss die Feldgruppe G00001386 befüllt sein."
        ),
        "if any of the fields of G00000283.G00001375 = wahr then required G00001386"
    );
    assert_eq!(
        read(
            "Wenn die ersten vier Felder der Feldgruppe G00000283.G00001375 \"T\" <> \"wahr\", dann muss die Feldgruppe G00001377 befüllt sein."
        ),
        "if each of the first 4 fields of G00000283.G00001375 <> wahr then required G00001377"
    );
    assert_eq!(
        read(
            "Wenn aus der Feldgruppe G00000283 \"A\" als einziges Feld das Feld G00000283.G00001373.F00000522 \"T\" = \"wahr\", dann muss die Feldgruppe G00001393 befüllt sein."
        ),
        "if only G00000283.G00001373.F00000522 of the fields of G00000283 = wahr then required G00001393"
    );
    assert_eq!(
        read(
            "Wenn aus der Feldgruppe G00000283 \"A\" mindestens ein weiteres Feld als das Feld G00000283.G00001373.F00000522 \"T\" = \"wahr\", dann darf die Feldgruppe G00001393 nicht befüllt sein."
        ),
        "if any of the fields of G00000283 other than G00000283.G00001373.F00000522 = wahr then forbidden G00001393"
    );
}

#[test]
fn at_least_one_of_several_fields() {
    assert_eq!(
        read(
            "Es muss mindestens eines der Felder F00000069 \"Telefon\", F00000072 \"Telefax\" oder F00000071 \"E-Mail\" befüllt sein."
        ),
        "at least one of (F00000069, F00000072, F00000071)"
    );
    assert_eq!(
        read(
            "Es muss mindestens ein Feld der Feldgruppe G60000110 \"Kommunikation\" befüllt sein."
        ),
        "at least one of the fields of G60000110"
    );
}

#[test]
fn exactly_one_of_groups_or_of_fields_filled_together() {
    assert_eq!(
        read(
            "Es muss entweder die Feldgruppe G00000237 \"Straße\" oder die Feldgruppe G00000238 \"Postfach\" befüllt werden."
        ),
        "exactly one of G00000237 | G00000238"
    );
    assert_eq!(
        read(
            "Es muss entweder das Feld F00002929 \"A\" oder (das Feld F00002936 \"B\" und das Feld F00002937 \"C\") befüllt sein."
        ),
        "exactly one of F00002929 | (F00002936 and F00002937)"
    );
}

#[test]
fn entries_of_a_list_counted_and_distinct() {
    assert_eq!(
        read(
            "Das Feld F00002508 \"Technische Schutzmaßnahmen\" kann bis zu dreimal ausgefüllt werden, dabei darf aber jeder Eintrag nur maximal einmal ausgewählt werden."
        ),
        "F00002508 at most 3 times, each entry once"
    );
    assert_eq!(
        read(
            "Das Feld F00002507 \"Gebäudeteil\" kann bis zu zweimal ausgefüllt werden. Dabei darf aber jeder Eintrag maximal einmal ausgewählt werden."
        ),
        "F00002507 at most 2 times, each entry once"
    );
}

#[test]
fn keywords_are_whole_words_in_any_ascii_case() {
    assert_eq!(
        read(
            "WENN das Feld F00000001 = wahr oder das feld F00000002 = falsch DANN MUSS das Feld F00000003 befuellt sein"
        ),
        "if F00000001 = wahr or F00000002 = falsch then required F00000003"
    );
    assert!(parse("Wenndas Feld F00000001 = wahr, dann muss F00000003 befüllt sein.").is_err());
}

#[test]
fn a_rule_that_does_not_follow_the_shapes_names_where_reading_stopped() {
    let e = parse("Es muss entweder die die Feldgruppe G00000237 \"A\" oder die Feldgruppe G00000046 \"B\" befüllt werden.")
        .unwrap_err();
    assert_eq!((e.line, e.column, e.offset), (1, 22, 21));
    assert!(
        e.unread.starts_with("die Feldgruppe G00000237"),
        "{}",
        e.unread
    );
    assert_eq!(
        e.to_string(),
        "line 1, column 22: cannot read „die Feldgruppe G00000237 \"A\" oder die Feldgruppe G00000046 \"…“; expected „Feld“ or „Feldgruppe“"
    );
}

#[test]
fn reading_stops_where_a_quote_is_missing_on_the_right_line() {
    let e = parse("Wenn das Feld F00000001 \"A\" = \"wahr\" ODER\ndas Feld G00000283.F00002365 Abbruch\" = \"wahr\", dann muss G00000001 befüllt sein.")
        .unwrap_err();
    assert_eq!((e.line, e.column), (2, 30));
    assert!(e.unread.starts_with("Abbruch\""), "{}", e.unread);
    assert!(
        e.expected.contains(&"a label in quotes".to_string()),
        "{:?}",
        e.expected
    );
}

#[test]
fn a_text_that_stops_early_says_so() {
    let e = parse("Wenn das Feld F00000001 = \"wahr\", dann muss").unwrap_err();
    assert_eq!(e.unread, "");
    assert!(e.to_string().contains("the text ends too early"), "{e}");
}

#[test]
fn prose_that_only_looks_like_a_rule_is_not_read() {
    assert!(parse("Wenn alle drei Felder F60000231 \"Tag\", F60000232 \"Monat\" und F60000233 \"Jahr\" befüllt sind, muss die Validität des Kalenderdatums sichergestellt werden.").is_err());
    assert!(parse("Das Feld F00002508 kann beliebig oft ausgefüllt werden.").is_err());
    assert!(parse("").is_err());
}
