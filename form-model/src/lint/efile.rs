//! The lint of what the e-file reads: `records:` (records-plan key and retention) of a
//! catalog form or a municipality's form entry, and a municipality's `xdomea:` (the DMS
//! identifiers of sender and recipient).

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{DmsCode, DmsIdentifiers, Records};
use crate::positions::child;

use super::linter::Linter;

/// An Aktenplankennzeichen: groups of letters and digits joined by `.`, `-`, `/` or a space
/// (`022.31`, `1.4-2`, `III/2`).
static PLAN_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9A-Za-z]+([./ -][0-9A-Za-z]+)*$").unwrap());

/// `records:` at `at` (`records`, or `forms[2].records` of a municipality).
pub(super) fn lint_records(cx: &mut Linter, at: &str, records: &Records) {
    if let Some(key) = &records.plan_key
        && (!PLAN_KEY.is_match(key) || key.len() > 64)
    {
        cx.error_help(
            &child(at, "plan-key"),
            format!("records-plan key \"{key}\" is not a records-plan key"),
            "write the Aktenplankennzeichen as the records plan does, in quotes, e.g. \"022.31\"",
        );
    }
    if records.retention_years == Some(0) {
        cx.error(
            &child(at, "retention-years"),
            "retention-years must be at least 1 (leave it out when the e-file decides)".into(),
        );
    }
    if records.plan_key.is_none() && records.retention_years.is_none() {
        cx.error(
            at,
            "records: names neither plan-key nor retention-years; leave it out or give one".into(),
        );
    }
}

/// `xdomea:` of municipality.yaml.
pub(super) fn lint_dms(cx: &mut Linter, ids: &DmsIdentifiers) {
    for (side, party) in [("sender", &ids.sender), ("recipient", &ids.recipient)] {
        let Some(party) = party else { continue };
        let at = child("xdomea", side);
        if party.unit.as_deref().is_some_and(|u| u.trim().is_empty()) {
            cx.error(&child(&at, "unit"), "unit is empty".into());
        }
        for (key, code) in [
            ("authority-key", &party.authority_key),
            ("prefix", &party.prefix),
        ] {
            if let Some(code) = code {
                lint_code(cx, &child(&at, key), code);
            }
        }
    }
}

fn lint_code(cx: &mut Linter, at: &str, code: &DmsCode) {
    if code.code.trim().is_empty() {
        cx.error(&child(at, "code"), "the code is empty".into());
    }
    if let Some(uri) = &code.list_uri
        && !uri.starts_with("urn:")
    {
        cx.error_help(
            &child(at, "list-uri"),
            format!("\"{uri}\" is not a code list's URN"),
            "code lists are named by URN, e.g. \"urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags\"",
        );
    }
}
