//! The lint of what the e-file reads: `records:` (records-plan key and retention) of a
//! catalog form or a municipality's form entry, and a municipality's `xdomea:` (the DMS
//! identifiers of sender and recipient).

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{DmsCode, DmsIdentifiers, Records};
use crate::msg;
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
            msg!("records-plan-key-invalid", key = key),
            msg!("records-plan-key-help"),
        );
    }
    if records.retention_years == Some(0) {
        cx.error(
            &child(at, "retention-years"),
            msg!("records-retention-zero"),
        );
    }
    if records.plan_key.is_none() && records.retention_years.is_none() {
        cx.error(at, msg!("records-empty"));
    }
}

/// `xdomea:` of municipality.yaml.
pub(super) fn lint_dms(cx: &mut Linter, ids: &DmsIdentifiers) {
    for (side, party) in [("sender", &ids.sender), ("recipient", &ids.recipient)] {
        let Some(party) = party else { continue };
        let at = child("xdomea", side);
        if party.unit.as_deref().is_some_and(|u| u.trim().is_empty()) {
            cx.error(&child(&at, "unit"), msg!("dms-unit-empty"));
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
        cx.error(&child(at, "code"), msg!("dms-code-empty"));
    }
    if let Some(uri) = &code.list_uri
        && !uri.starts_with("urn:")
    {
        cx.error_help(
            &child(at, "list-uri"),
            msg!("dms-list-uri-not-urn", uri = uri),
            msg!("dms-list-uri-help"),
        );
    }
}
