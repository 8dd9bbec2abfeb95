//! FIM rules as the importer reads them.
//!
//! Every rule of the real schemas sits in a table (`tests/fixtures/rules/<schema>.txt`) with what
//! it was read as, or where reading stopped and why: the coverage is visible in the repository
//! and any change to it shows in review. `FIM_RULES_BLESS=1 cargo test -p fim-import --test it
//! rules::` rewrites the tables after a deliberate change. S00000246 is a schema the grammar was
//! not written from; it shows how an unseen schema fares.
//!
//! The other tests write small schemas to show how references are found: inside the group that
//! carries the rule first, the nearest occurrence, ambiguity reported, values checked against
//! the field's code list and type.

use std::fmt::Write;

use crate::common::*;
use fim_import::report::{Conversion, Report, RuleReading};

fn real_report(dir: &str, id: &str) -> Report {
    import_fixture(dir, id).report
}

/// The table of one schema's rules.
fn table(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# FIM rules of {}, as the importer reads them.",
        report.source
    );
    let _ = writeln!(
        s,
        "# Written by fim-import/tests/it/rules.rs; FIM_RULES_BLESS=1 rewrites it after a deliberate change."
    );
    let _ = writeln!(s, "# Read: {}", report.rule_coverage());
    let _ = writeln!(s, "# Converted: {}", report.conversion_coverage());
    for r in &report.rules {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{} {} „{}“ (carried by {})",
            r.id, r.version, r.name, r.owner
        );
        s.push_str(&r.reading.markdown());
        match &r.conversion {
            Conversion::Converted(done) => {
                for d in done {
                    let _ = writeln!(s, "  Converted: {d}");
                }
            }
            Conversion::NotConverted(why) => {
                let _ = writeln!(s, "  Not converted: {why}");
            }
        }
    }
    s
}

#[test]
fn every_rule_of_the_real_schemas_is_read_as_its_table_records() {
    let bless = std::env::var_os("FIM_RULES_BLESS").is_some();
    let mut differs = Vec::new();
    let mut read = [0usize; 2];
    let mut converted = [0usize; 2];
    for (dir, id) in REAL {
        let report = real_report(dir, id);
        let got = table(&report);
        let path = fixtures().join("rules").join(format!("{dir}.txt"));
        println!(
            "{dir}: rules read {}, converted {}",
            report.rule_coverage(),
            report.conversion_coverage()
        );
        if dir != "S00000246" {
            read[0] += report.rules_read();
            read[1] += report.rules.len();
            converted[0] += report.rules_converted();
            converted[1] += report.rules.len();
        }
        if bless {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if want != got {
            differs.push(dir);
            pretty_assertions::assert_eq!(want, got, "{dir}: the table in {}", path.display());
        }
    }
    println!(
        "S00000094 and S00000186 together: rules read {} of {} ({} %)",
        read[0],
        read[1],
        read[0] * 100 / read[1]
    );
    println!(
        "S00000094 and S00000186 together: rules converted {} of {} ({} %)",
        converted[0],
        converted[1],
        converted[0] * 100 / converted[1]
    );
    assert!(differs.is_empty());
    assert!(
        read[0] * 100 >= 75 * read[1],
        "at least 75 % of the rules of the two schemas are read"
    );
    assert!(
        converted[0] * 100 >= 75 * converted[1],
        "at least 75 % of the rules of the two schemas are converted"
    );
}

#[test]
fn the_unseen_schema_fares_about_as_well_as_the_two_the_grammar_was_written_from() {
    let r = real_report("S00000246", "aufenthaltserlaubnis-erwerbstaetigkeit");
    assert_eq!(r.rules.len(), 44);
    assert!(
        r.rules_read() * 100 >= 75 * r.rules.len(),
        "{}",
        r.rule_coverage()
    );
    assert!(
        r.rules_converted() * 100 >= 75 * r.rules.len(),
        "{}",
        r.conversion_coverage()
    );
}

#[test]
fn the_import_report_counts_the_rules_read_and_converted() {
    let r = real_report("S00000094", "mutterschutz-benachrichtigung");
    let md = r.markdown();
    assert!(
        md.contains("FIM rules converted into conditions: 12 of 13 (92 %) (read: 12 of 13 (92 %))"),
        "{md}"
    );
    assert!(md.contains("Rules converted: 12 of 13 (92 %)."), "{md}");
    assert!(
        md.contains("  - `voraussichtlicher-entbindungstermin`: required-if { field: die-person, equals: \"001\" }"),
        "{md}"
    );
    assert!(
        md.contains("  Not converted: the rule was not read"),
        "{md}"
    );
    assert!(md.contains("Rules read: 12 of 13 (92 %)."), "{md}");
    assert!(
        md.contains("  Read as: `if F00000462 = 001 then required F00000467`"),
        "{md}"
    );
    // FIM's code list of F00000463 ends with 999 („Sonstiges“); the rule asks for 009.
    assert!(
        md.contains("  - 009 is not a code of F00000463's list (001, 002, 003, 004, 005, 006, 007, 008, 999)"),
        "{md}"
    );
}

// ---- Small schemas: how references are found.

/// The reading of the only rule of `xml`.
fn reading(xml: &str) -> RuleReading {
    let i = import(xml);
    assert_eq!(i.report.rules.len(), 1);
    i.report.rules[0].reading.clone()
}

/// A rule with `text` as FIM writes it (escaped for XML: `<>` is `&lt;&gt;` in the file).
pub(crate) fn prose_rule(id: &str, text: &str) -> String {
    let xml = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    rule(id, &xml)
}

/// A schema of one group G99000001 (`label`) with `children` (`s(...)` entries) that carries
/// one rule with `text`.
pub(crate) fn one_group(label: &str, text: &str, children: &[String]) -> String {
    schema(&s(
        "1:1",
        &group(
            "G99000001",
            label,
            &prose_rule("R99000001", text),
            &children.concat(),
        ),
    ))
}

pub(crate) fn text_field(id: &str, label: &str) -> String {
    field(id, label, "input", "text", "", "")
}

pub(crate) fn yes_no(id: &str, label: &str) -> String {
    field(id, label, "input", "bool", "", "")
}

/// A communication group G99000010 with Telefon and E-Mail, carrying `rules`.
fn kommunikation(rules: &str) -> String {
    group(
        "G99000010",
        "Kommunikation",
        rules,
        &format!(
            "{}{}",
            s("0:1", &text_field("F99000011", "Telefon")),
            s("0:1", &text_field("F99000012", "E-Mail"))
        ),
    )
}

#[test]
fn a_rule_of_a_reused_group_means_the_fields_of_its_own_copy() {
    let r = prose_rule(
        "R99000001",
        "Es muss mindestens eines der Felder F99000011 \"Telefon\" oder F99000012 \"E-Mail\" befüllt sein.",
    );
    let xml = schema(&format!(
        "{}{}",
        s(
            "1:1",
            &group(
                "G99000001",
                "Antragsteller",
                "",
                &s("1:1", &kommunikation(&r))
            )
        ),
        s(
            "0:1",
            &group("G99000002", "Vertreter", "", &s("1:1", &kommunikation("")))
        ),
    ));
    assert_eq!(
        reading(&xml),
        RuleReading::Read {
            reading: "at least one of (F99000011, F99000012)".into(),
            notes: vec![]
        }
    );
}

/// The communication group in the applicant's and in the representative's group, and a group
/// G99000003 with a field F99000003 that carries `rule`.
fn two_communication_groups_and(rule: &str) -> String {
    schema(&format!(
        "{}{}{}",
        s(
            "1:1",
            &group(
                "G99000001",
                "Antragsteller",
                "",
                &s("1:1", &kommunikation(""))
            )
        ),
        s(
            "0:1",
            &group("G99000002", "Vertreter", "", &s("1:1", &kommunikation("")))
        ),
        s(
            "1:1",
            &group(
                "G99000003",
                "Rückruf",
                rule,
                &s("0:1", &text_field("F99000003", "Zeit"))
            )
        ),
    ))
}

#[test]
fn an_id_that_occurs_twice_equally_near_is_reported_not_picked() {
    let r = prose_rule(
        "R99000001",
        "Wenn das Feld F99000011 \"Telefon\" befüllt ist, dann muss das Feld F99000003 \"Zeit\" befüllt sein.",
    );
    let xml = two_communication_groups_and(&r);
    let RuleReading::Unresolved { problems, .. } = reading(&xml) else {
        panic!("not read");
    };
    assert_eq!(
        problems,
        [
            "F99000011 occurs 2 times, equally near (G99000001.G99000010.F99000011, G99000002.G99000010.F99000011); the rule does not say which one it means"
        ]
    );
}

#[test]
fn a_dotted_path_says_which_occurrence_is_meant() {
    let r = prose_rule(
        "R99000001",
        "Wenn das Feld G99000002.G99000010.F99000011 \"Telefon\" befüllt ist, dann muss das Feld F99000003 \"Zeit\" befüllt sein.",
    );
    let xml = two_communication_groups_and(&r);
    assert!(matches!(reading(&xml), RuleReading::Read { .. }));

    let wrong = xml.replace("G99000002.G99000010.F99000011", "G99000003.F99000011");
    let RuleReading::Unresolved { problems, .. } = reading(&wrong) else {
        panic!("not read");
    };
    assert_eq!(
        problems,
        [
            "G99000003.F99000011 is not in this schema (F99000011 is, at G99000001.G99000010.F99000011, G99000002.G99000010.F99000011)"
        ]
    );
}

#[test]
fn a_group_s_own_field_is_nearer_than_the_same_field_in_one_of_its_groups() {
    // As in S00000246: the upload directly in the group, and the same upload inside one of its
    // subgroups (which has rules of its own).
    let xml = one_group(
        "Angaben",
        "Wenn das Feld F99000001 \"Art\" = 02 \"Wert 2\", dann muss das Feld F99000002 \"Nachweis\" befüllt werden.",
        &[
            s(
                "1:1",
                &field("F99000001", "Art", "select", "text", "", &codelist_ref(3)),
            ),
            s(
                "0:1",
                &group(
                    "G99000002",
                    "Nachweise A",
                    "",
                    &s("1:1", &text_field("F99000002", "Nachweis")),
                ),
            ),
            s("0:1", &text_field("F99000002", "Nachweis")),
        ],
    );
    assert_eq!(
        reading(&xml),
        RuleReading::Read {
            reading: "if F99000001 = 02 \"Wert 2\" then required F99000002".into(),
            notes: vec![]
        }
    );
}

#[test]
fn a_code_is_checked_against_the_field_s_code_list() {
    let body = |rule_text: &str| {
        one_group(
            "Angaben",
            rule_text,
            &[
                s(
                    "1:1",
                    &field("F99000001", "Art", "select", "text", "", &codelist_ref(2)),
                ),
                s("0:1", &text_field("F99000002", "Sonstiges")),
            ],
        )
    };
    let RuleReading::Unresolved { problems, .. } = reading(&body(
        "Wenn im Datenfeld F99000001 der Wert 09 angegeben wurde, dann soll F99000002 zum Pflichtfeld werden.",
    )) else {
        panic!("not read");
    };
    assert_eq!(problems, ["09 is not a code of F99000001's list (01, 02)"]);

    let RuleReading::Read { notes, .. } = reading(&body(
        "Wenn das Feld F99000001 = 02 \"Sonstiges\", dann muss das Feld F99000002 befüllt sein.",
    )) else {
        panic!("read");
    };
    assert_eq!(
        notes,
        ["code 02 of F99000001 is „Wert 2“ in its code list, „Sonstiges“ in the rule"]
    );
}

#[test]
fn wahr_needs_a_yes_no_field_and_days_need_a_date() {
    let body = |rule_text: &str| {
        one_group(
            "Angaben",
            rule_text,
            &[
                s("1:1", &text_field("F99000001", "Abweichend")),
                s("1:1", &yes_no("F99000002", "Frist")),
                s("0:1", &text_field("F99000003", "Grund")),
            ],
        )
    };
    let RuleReading::Unresolved { problems, .. } = reading(&body(
        "Wenn das Feld F99000001 \"Abweichend\" = \"wahr\", dann muss das Feld F99000003 befüllt sein.",
    )) else {
        panic!("not read");
    };
    assert_eq!(
        problems,
        ["F99000001 „Abweichend“ is not a yes/no field (datentyp text)"]
    );
    let RuleReading::Unresolved { problems, .. } = reading(&body(
        "Wenn (aktuelles Datum - F99000002 \"Frist\") < 7 Tage, dann muss das Feld F99000003 befüllt sein.",
    )) else {
        panic!("not read");
    };
    assert_eq!(
        problems,
        ["F99000002 is not a date (datentyp bool); the rule counts days from it"]
    );
    assert!(matches!(
        reading(&body(
            "Wenn das Feld F99000002 \"Frist\" = \"wahr\", dann muss das Feld F99000003 \"Grund\" befüllt sein."
        )),
        RuleReading::Read { .. }
    ));
}

#[test]
fn labels_and_nouns_that_differ_from_the_schema_are_notes_to_check() {
    let xml = one_group(
        "Angaben",
        "Wenn die Feldgruppe F99000002 \"Fristverlängerung\" = \"wahr\", dann muss das Feld F99000003 \"Grund\" befüllt sein.",
        &[
            s("1:1", &yes_no("F99000002", "Frist")),
            s("0:1", &text_field("F99000003", "Grund")),
        ],
    );
    let RuleReading::Read { notes, .. } = reading(&xml) else {
        panic!("read");
    };
    assert_eq!(
        notes,
        [
            "F99000002 is called a group („Feldgruppe“) but is a field",
            "F99000002 is called „Fristverlängerung“ in the rule, „Frist“ in the schema"
        ]
    );
}

#[test]
fn the_first_fields_of_a_group_must_be_there() {
    let xml = one_group(
        "Tätigkeiten",
        "Wenn die ersten drei Felder der Feldgruppe G99000001 \"Tätigkeiten\" <> \"wahr\", dann muss das Feld F99000003 befüllt sein.",
        &[
            s("1:1", &yes_no("F99000002", "Abbruch")),
            s("0:1", &text_field("F99000003", "Sonstige")),
        ],
    );
    let RuleReading::Unresolved { problems, .. } = reading(&xml) else {
        panic!("not read");
    };
    assert_eq!(
        problems,
        ["G99000001 holds 2 fields directly, not the 3 the rule names"]
    );
}
