//! What accessibility asks of a form and a site: autocomplete tokens for personal data
//! (WCAG 1.3.5), a primary colour with enough contrast (WCAG 1.4.3), and the accessibility
//! statement (EU 2018/1523 model statement).

use crate::diagnostics::suggestion;
use crate::load::LoadedMunicipality;
use crate::model::{ComplianceStatus, Field};
use crate::positions::{child, item};
use crate::rules;

use super::linter::Linter;

/// HTML autocomplete tokens for personal data (WCAG 1.3.5).
pub const AUTOCOMPLETE_TOKENS: &[&str] = &[
    "name",
    "honorific-prefix",
    "given-name",
    "additional-name",
    "family-name",
    "honorific-suffix",
    "nickname",
    "organization-title",
    "organization",
    "street-address",
    "address-line1",
    "address-line2",
    "address-line3",
    "address-level1",
    "address-level2",
    "country",
    "country-name",
    "postal-code",
    "cc-name",
    "sex",
    "bday",
    "bday-day",
    "bday-month",
    "bday-year",
    "language",
    "email",
    "tel",
    "tel-national",
    "url",
    "off",
];

/// An `autocomplete` token is one of [`AUTOCOMPLETE_TOKENS`]; for the names people reach for
/// first (`firstname`, `plz`) the hint names the token.
pub(super) fn autocomplete(cx: &mut Linter, field: &Field, fp: &str) {
    if let Some(autocomplete) = &field.autocomplete
        && !AUTOCOMPLETE_TOKENS.contains(&autocomplete.as_str())
    {
        // Names people reach for first, then the usual typo search.
        let alias = match autocomplete
            .to_lowercase()
            .replace(['-', '_', ' '], "")
            .as_str()
        {
            "firstname" | "vorname" | "forename" => Some("given-name"),
            "lastname" | "surname" | "nachname" => Some("family-name"),
            "birthday" | "birthdate" | "dateofbirth" | "geburtsdatum" => Some("bday"),
            "phone" | "telephone" | "telefon" | "mobile" => Some("tel"),
            "zip" | "zipcode" | "plz" | "postcode" => Some("postal-code"),
            "mail" | "emailaddress" => Some("email"),
            _ => None,
        };
        let hint = match alias {
            Some(token) => format!("; did you mean \"{token}\"?"),
            None => suggestion(autocomplete, AUTOCOMPLETE_TOKENS.iter().copied()),
        };
        cx.error(
            &child(fp, "autocomplete"),
            format!("unknown autocomplete token \"{autocomplete}\"{hint}"),
        );
    }
}

/// The site's primary colour is a colour, with a contrast of at least 4.5:1 against white
/// (WCAG 1.4.3: the colour is used for text and buttons on white).
pub(super) fn primary_color(cx: &mut Linter, color: &str) {
    match rules::parse_hex_color(color) {
        None => cx.error_help(
            "branding.primary-color",
            format!("\"{}\" is not a colour", color),
            "write a colour as \"#rrggbb\" in quotes, e.g. \"#005ca9\"",
        ),
        Some(rgb) => {
            let ratio = rules::contrast_ratio(rgb, [255, 255, 255]);
            if ratio < 4.5 {
                cx.error_help(
                    "branding.primary-color",
                    format!(
                        "colour {} has a contrast of {ratio:.2}:1 against white; at least 4.5:1 is needed (WCAG 1.4.3)",
                        color
                    ),
                    "choose a darker shade of the colour",
                );
            }
        }
    }
}

/// The accessibility statement's fields: the status and the list of what is not accessible
/// must agree, every listed text is in every language of the site, and the dates are dates.
pub(super) fn statement(cx: &mut Linter, m: &LoadedMunicipality) {
    let a = &m.config.accessibility;
    let base = "accessibility";
    match (a.status, a.non_accessible.is_empty()) {
        (ComplianceStatus::FullyCompliant, false) => cx.error_help(
            &child(base, "non-accessible"),
            "the statement says fully-compliant but lists content that is not accessible".into(),
            "set status: partially-compliant, or remove the list",
        ),
        (ComplianceStatus::PartiallyCompliant | ComplianceStatus::NotCompliant, true) => cx
            .error_help(
                &child(base, "status"),
                format!(
                    "the statement says {} but does not say what is not accessible",
                    a.status.key()
                ),
                "list it under non-accessible: one entry per problem, with why and what to use instead",
            ),
        _ => {}
    }
    for (i, text) in a.non_accessible.iter().enumerate() {
        let missing: Vec<&str> = m
            .config
            .languages
            .iter()
            .filter(|l| !text.contains_key(*l))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            let list = missing.join(", ");
            cx.error_help(
                &item(&child(base, "non-accessible"), i),
                format!("this text has no {list} translation, but the site offers {list}"),
                &format!("add {}: ... to this text", missing[0]),
            );
        }
    }
    let body = &a.enforcement_body;
    let at = child(base, "enforcement-body");
    if body.email.is_none() && body.web.is_none() {
        cx.error_help(
            &at,
            "the enforcement body has neither an email nor a web address".into(),
            "add email: or web: so citizens can reach it",
        );
    }
    if let Some(email) = &body.email
        && !rules::is_valid_email(email)
    {
        cx.error(
            &child(&at, "email"),
            format!("\"{email}\" is not an email address"),
        );
    }
    if let Some(phone) = &body.phone
        && !rules::is_valid_tel(phone)
    {
        cx.error(
            &child(&at, "phone"),
            format!("\"{phone}\" is not a phone number (digits, spaces and + ( ) / - only)"),
        );
    }
    let date = |s: &str| {
        time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
    };
    let prepared = date(&a.prepared_on);
    if prepared.is_none() {
        cx.error_help(
            &child(base, "prepared-on"),
            format!("\"{}\" is not a date", a.prepared_on),
            "write the day the statement was prepared as YYYY-MM-DD, e.g. 2026-11-02",
        );
    }
    if let Some(reviewed) = &a.reviewed_on {
        match (date(reviewed), prepared) {
            (None, _) => cx.error_help(
                &child(base, "reviewed-on"),
                format!("\"{reviewed}\" is not a date"),
                "write the day of the last review as YYYY-MM-DD, e.g. 2026-11-28",
            ),
            (Some(r), Some(p)) if r < p => cx.error(
                &child(base, "reviewed-on"),
                format!(
                    "the statement was reviewed on {reviewed}, before it was prepared on {}",
                    a.prepared_on
                ),
            ),
            _ => {}
        }
    }
}
