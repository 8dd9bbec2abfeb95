//! Inputs the importer refuses, with the exact message: file, line, column, element, id.

use std::path::Path;

use crate::common::*;
use fim_import::Options;

/// Imports `errors/<case>/schema.xml` and returns the errors with paths relative to the case
/// folder.
fn errors_of(case: &str) -> String {
    let dir = fixtures().join("errors").join(case);
    let err = fim_import::import_file(&dir.join("schema.xml"), &Options::default())
        .expect_err("the import must fail");
    err.to_string()
        .replace(&format!("{}/", dir.display()), "")
        .replace(&dir.display().to_string(), ".")
}

fn expected(case: &str) -> String {
    std::fs::read_to_string(fixtures().join("errors").join(case).join("expected.txt"))
        .unwrap()
        .trim_end()
        .to_string()
}

#[test]
fn a_schema_in_another_namespace_is_refused_with_its_position() {
    assert_eq!(errors_of("broken-namespace"), expected("broken-namespace"));
}

#[test]
fn an_unknown_datentyp_is_an_error_naming_the_field_and_line() {
    assert_eq!(errors_of("unknown-datentyp"), expected("unknown-datentyp"));
}

#[test]
fn a_missing_code_list_is_an_error_naming_the_field_and_line() {
    assert_eq!(errors_of("missing-codelist"), expected("missing-codelist"));
}

fn import_err(xml: &str) -> String {
    fim_import::import_str(xml, Path::new("t.xml"), &lists(), &Options::default())
        .expect_err("the import must fail")
        .to_string()
}

#[test]
fn an_unknown_feldart_is_an_error() {
    let xml = schema(&s(
        "1:1",
        &field("F99000001", "X", "dropdown", "text", "", ""),
    ));
    let e = import_err(&xml);
    assert!(e.starts_with("t.xml:"), "{e}");
    assert!(
        e.contains("unknown feldart \"dropdown\" in datenfeld F99000001"),
        "{e}"
    );
}

#[test]
fn an_unknown_anzahl_is_an_error() {
    let xml = schema(&s(
        "1..n",
        &field("F99000001", "X", "input", "text", "", ""),
    ));
    let e = import_err(&xml);
    assert!(
        e.contains("unknown anzahl \"1..n\" in stammdatenschema S99000000"),
        "{e}"
    );
}

#[test]
fn all_problems_of_a_schema_are_reported_at_once() {
    let xml = schema(&format!(
        "{}{}",
        s("1:1", &field("F99000001", "X", "input", "zahl", "", "")),
        s("1:1", &field("F99000002", "Y", "knopf", "text", "", "")),
    ));
    let e = import_err(&xml);
    assert_eq!(e.lines().count(), 2, "{e}");
}

#[test]
fn a_select_field_without_a_code_list_is_an_error() {
    let xml = schema(&s(
        "1:1",
        &field("F99000001", "Staat", "select", "text", "", ""),
    ));
    assert!(import_err(&xml).contains("datenfeld F99000001 is a select field without a code list"));
}

#[test]
fn unreadable_praezisierung_is_an_error() {
    let xml = schema(&s(
        "1:1",
        &field("F99000001", "X", "input", "text", "maxLength=10", ""),
    ));
    assert!(import_err(&xml).contains("praezisierung of datenfeld F99000001 cannot be read"));
}

#[test]
fn xml_that_is_not_well_formed_is_an_error_with_its_position() {
    let e = import_err("<a><b></a>");
    assert!(e.starts_with("t.xml:1:"), "{e}");
    assert!(e.contains("not well-formed XML"), "{e}");
}
