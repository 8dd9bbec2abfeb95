//! The SEPA direct-debit mandate (SEPA Core): the municipality as creditor (`sepa-creditor` in
//! `municipality.yaml`: its creditor identifier and name) and a form that takes a mandate
//! (`sepa-mandate` in a catalog form, or `set-form` of an overlay: which questions are the
//! account holder, the IBAN and the consent, and whether the mandate is for recurring
//! collections). The lint checks both (`lint::sepa`); the record carries the mandate given
//! ([`crate::record::MandateRecord`]).

use serde::{Deserialize, Serialize};

/// `sepa-creditor:` in `municipality.yaml`: who collects by direct debit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SepaCreditor {
    /// The creditor identifier (Gläubiger-Identifikationsnummer) the Bundesbank assigned,
    /// e.g. `DE98ZZZ09999999999`: country, two check digits, three characters of business code,
    /// the national identifier (in Germany 11 digits, 18 characters in all).
    pub id: String,
    /// The creditor's name as the mandate names it (at most 70 characters), e.g.
    /// `Stadt Musterstadt`.
    pub name: String,
}

/// `sepa-mandate:` of a form: the questions that make a SEPA direct-debit mandate. The mandate
/// is given when the consent question is answered (ticked); it is asked under the condition
/// the three questions share (their `show-if`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SepaMandate {
    /// The question of the account holder's name (`type: text`).
    pub account_holder: String,
    /// The question of the IBAN (`type: iban`).
    pub iban: String,
    /// The consent: `type: checkboxes` with one option, `required: true`; the page shows the
    /// mandate text there.
    pub consent: String,
    /// A mandate for recurring collections (RCUR, a levy such as the dog tax; the default) or
    /// for one collection (OOFF).
    #[serde(default = "recurring_default")]
    pub recurring: bool,
    /// Filled in when the form is resolved for a municipality: its `sepa-creditor` (never
    /// written in a form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(skip)]
    pub creditor: Option<SepaCreditor>,
}

fn recurring_default() -> bool {
    true
}

impl SepaMandate {
    /// The sequence type a collection under this mandate has: `RCUR` or `OOFF`.
    pub fn sequence_type(&self) -> &'static str {
        if self.recurring { "RCUR" } else { "OOFF" }
    }
}

/// What is wrong with a creditor identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditorIdProblem {
    /// Not country (2 letters), check digits (2 digits), business code (3 letters or digits)
    /// and national identifier (letters and digits; for DE 11 digits), 35 characters at most.
    Format,
    /// The check digits do not fit the rest (a typing mistake).
    CheckDigits,
}

/// Checks a creditor identifier (ISO 7064 MOD 97-10 over the national identifier, the country
/// and `00`, the business code left out, as the EPC's rules say).
pub fn check_creditor_id(id: &str) -> Result<(), CreditorIdProblem> {
    let b = id.as_bytes();
    let format_ok = (9..=35).contains(&b.len())
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b[4..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && (&b[..2] != b"DE" || (b.len() == 18 && b[7..].iter().all(u8::is_ascii_digit)));
    if !format_ok {
        return Err(CreditorIdProblem::Format);
    }
    if creditor_check_digits(&id[..2], &id[7..]) == id[2..4] {
        Ok(())
    } else {
        Err(CreditorIdProblem::CheckDigits)
    }
}

/// The two check digits of a creditor identifier of `country` with `national` id: 98 minus
/// (national id, country, `00`, letters as 10 to 35) mod 97.
pub fn creditor_check_digits(country: &str, national: &str) -> String {
    let mut rest: u32 = 0;
    for c in national.chars().chain(country.chars()).chain("00".chars()) {
        let value = c.to_digit(36).unwrap_or(0);
        for d in value.to_string().chars() {
            rest = (rest * 10 + d.to_digit(10).unwrap_or(0)) % 97;
        }
    }
    format!("{:02}", 98 - rest)
}

/// The characters SEPA allows in a mandate reference.
pub fn is_sepa_reference(s: &str) -> bool {
    (1..=35).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c))
        && !s.starts_with('/')
        && !s.ends_with('/')
        && !s.contains("//")
}

/// The mandate reference of a submission: its reference (`MUS-2026-7K3F9Q`), which is unique
/// for the municipality, at most 35 characters and of SEPA's character set.
pub fn mandate_reference(submission_reference: &str) -> String {
    submission_reference.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundesbanks_test_identifier_is_valid() {
        assert_eq!(check_creditor_id("DE98ZZZ09999999999"), Ok(()));
        // The business code is left out of the check digits: any code keeps them right.
        assert_eq!(check_creditor_id("DE98ABC09999999999"), Ok(()));
        assert_eq!(creditor_check_digits("DE", "09999999999"), "98");
    }

    #[test]
    fn wrong_check_digits_and_a_changed_digit_are_found() {
        assert_eq!(
            check_creditor_id("DE97ZZZ09999999999"),
            Err(CreditorIdProblem::CheckDigits)
        );
        assert_eq!(
            check_creditor_id("DE98ZZZ09999999998"),
            Err(CreditorIdProblem::CheckDigits)
        );
    }

    #[test]
    fn a_wrong_shape_is_a_format_problem() {
        for id in [
            "",
            "DE98ZZZ0999999999",   // 17 characters
            "DE98ZZZ099999999999", // 19
            "de98ZZZ09999999999",  // lower-case country
            "DE9XZZZ09999999999",  // check digits not digits
            "DE98ZZZ0999999999A",  // German national id not digits
            "DE98 ZZZ 09999999999",
        ] {
            assert_eq!(
                check_creditor_id(id),
                Err(CreditorIdProblem::Format),
                "{id}"
            );
        }
    }

    #[test]
    fn another_countrys_identifier_is_checked_by_the_same_rule() {
        // Austria: AT, check digits, ZZZ, 11 characters; computed here, then checked.
        let digits = creditor_check_digits("AT", "00000012345");
        assert_eq!(
            check_creditor_id(&format!("AT{digits}ZZZ00000012345")),
            Ok(())
        );
    }

    #[test]
    fn submission_references_are_sepa_mandate_references() {
        let r = mandate_reference("MUS-2026-7K3F9Q");
        assert_eq!(r, "MUS-2026-7K3F9Q");
        assert!(is_sepa_reference(&r));
        assert!(!is_sepa_reference("MUS_2026"));
        assert!(!is_sepa_reference(&"A".repeat(36)));
    }
}
