//! What accessibility asks of a form and a site: autocomplete tokens for personal data
//! (WCAG 1.3.5), a primary colour with enough contrast (WCAG 1.4.3), and the accessibility
//! statement (EU 2018/1523 model statement).

use crate::diagnostics::suggestion;
use crate::load::LoadedMunicipality;
use crate::model::{ComplianceStatus, Field};
use crate::msg;
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
            Some(token) => Some(msg!("did-you-mean", word = token)),
            None => suggestion(autocomplete, AUTOCOMPLETE_TOKENS.iter().copied()),
        };
        cx.error(
            &child(fp, "autocomplete"),
            msg!("unknown-autocomplete", token = autocomplete, hint = hint),
        );
    }
}

/// The site's primary colour is a colour, with a contrast of at least 4.5:1 against white
/// (WCAG 1.4.3: the colour is used for text and buttons on white).
pub(super) fn primary_color(cx: &mut Linter, color: &str) {
    match rules::parse_hex_color(color) {
        None => cx.error_help(
            "branding.primary-color",
            msg!("not-a-colour", value = color),
            msg!("not-a-colour-help"),
        ),
        Some(rgb) => {
            let ratio = rules::contrast_ratio(rgb, [255, 255, 255]);
            if ratio < 4.5 {
                cx.error_help(
                    "branding.primary-color",
                    msg!(
                        "colour-contrast",
                        colour = color,
                        ratio = format!("{ratio:.2}")
                    ),
                    msg!("colour-contrast-help"),
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
            msg!("statement-compliant-with-list"),
            msg!("statement-compliant-with-list-help"),
        ),
        (ComplianceStatus::PartiallyCompliant | ComplianceStatus::NotCompliant, true) => cx
            .error_help(
                &child(base, "status"),
                msg!("statement-without-list", status = a.status.key()),
                msg!("statement-without-list-help"),
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
                msg!("text-missing-language-site", list = list),
                msg!("text-missing-language-help", lang = missing[0]),
            );
        }
    }
    let body = &a.enforcement_body;
    let at = child(base, "enforcement-body");
    if body.email.is_none() && body.web.is_none() {
        cx.error_help(
            &at,
            msg!("enforcement-body-unreachable"),
            msg!("enforcement-body-unreachable-help"),
        );
    }
    if let Some(email) = &body.email
        && !rules::is_valid_email(email)
    {
        cx.error(&child(&at, "email"), msg!("not-an-email", value = email));
    }
    if let Some(phone) = &body.phone
        && !rules::is_valid_tel(phone)
    {
        cx.error(&child(&at, "phone"), msg!("not-a-phone", value = phone));
    }
    let date = |s: &str| {
        time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
    };
    let prepared = date(&a.prepared_on);
    if prepared.is_none() {
        cx.error_help(
            &child(base, "prepared-on"),
            msg!("not-a-date", value = &a.prepared_on),
            msg!("prepared-on-help"),
        );
    }
    if let Some(reviewed) = &a.reviewed_on {
        match (date(reviewed), prepared) {
            (None, _) => cx.error_help(
                &child(base, "reviewed-on"),
                msg!("not-a-date", value = reviewed),
                msg!("reviewed-on-help"),
            ),
            (Some(r), Some(p)) if r < p => cx.error(
                &child(base, "reviewed-on"),
                msg!(
                    "reviewed-before-prepared",
                    reviewed = reviewed,
                    prepared = &a.prepared_on
                ),
            ),
            _ => {}
        }
    }
}
