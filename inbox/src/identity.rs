//! The verified identity a record carries (`SubmissionRecord::identity`: the identity crate's
//! `VerifiedIdentity` as JSON, written by the function when the citizen signed in with BundID)
//! as the back office shows it: in the clerk's CSV and in the e-file's case
//! (`crate::xdomea_export`).
//!
//! What it shows: that the identity was verified, the trust level in BundID's German words, the
//! identity provider, the time of authentication, the verified names, birth date, address and
//! e-mail (xdomea only), and which answers came from the account and were locked. Never the
//! bPK2 or the provider's subject identifier: the clerk and the e-file need neither to handle
//! the application (docs/identity.md, "What is stored where").

use form_model::model::ClaimKey;
use form_model::record::SubmissionRecord;
use form_model::rules::parse_date;
use form_model::{Field, ResolvedForm};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::words;

/// The four parts of an address answer that the account fills.
const ADDRESS_PARTS: [&str; 4] = ["street", "house-number", "postcode", "city"];

/// A record's verified identity.
#[derive(Debug, Clone, Copy)]
pub struct Verified<'a> {
    json: &'a Map<String, Value>,
}

/// The verified identity of `record`, if the citizen signed in.
pub fn verified(record: &SubmissionRecord) -> Option<Verified<'_>> {
    record
        .identity
        .as_ref()
        .and_then(Value::as_object)
        .map(|json| Verified { json })
}

impl<'a> Verified<'a> {
    fn text(&self, key: &str) -> Option<&'a str> {
        self.json
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    fn time(&self, key: &str) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(self.text(key)?, &Rfc3339).ok()
    }

    pub fn given_names(&self) -> &'a str {
        self.text("given-names").unwrap_or_default()
    }

    pub fn family_name(&self) -> &'a str {
        self.text("family-name").unwrap_or_default()
    }

    /// The birth date, only when the account has a complete one (`1950-00-00` is not).
    pub fn birth_date(&self) -> Option<Date> {
        parse_date(self.text("birth-date")?)
    }

    /// The address part `part` (`street`, `house-number`, `postcode`, `city`).
    pub fn address_part(&self, part: &str) -> Option<&'a str> {
        self.json
            .get("address")?
            .get(part)?
            .as_str()
            .filter(|s| !s.is_empty())
    }

    pub fn email(&self) -> Option<&'a str> {
        self.text("email")
    }

    /// The eIDAS level as the record has it (`low`, `substantial`, `high`).
    pub fn trust_level(&self) -> Option<&'a str> {
        self.text("trust-level")
    }

    /// The trust level in BundID's German words (`normal`, `substantiell`, `hoch`); a level
    /// this version does not know as it is.
    pub fn trust_words(&self) -> String {
        let level = self.trust_level().unwrap_or_default();
        match level {
            "low" => words::word("trust-low").into(),
            "substantial" => words::word("trust-substantial").into(),
            "high" => words::word("trust-high").into(),
            other => other.into(),
        }
    }

    /// The identity provider (the broker's issuer URL).
    pub fn provider(&self) -> &'a str {
        self.text("provider").unwrap_or_default()
    }

    /// When the citizen authenticated at the provider.
    pub fn authenticated_at(&self) -> Option<OffsetDateTime> {
        self.time("authenticated-at")
    }

    /// When the function checked the provider's ID token.
    pub fn verified_at(&self) -> Option<OffsetDateTime> {
        self.time("verified-at")
    }

    /// What the account holds for `key`, as a question prefilled from it is answered.
    fn account_value(&self, key: ClaimKey) -> Option<Value> {
        let text = |s: Option<&str>| s.map(|s| Value::String(s.into()));
        match key {
            ClaimKey::GivenName => text(self.text("given-names")),
            ClaimKey::FamilyName => text(self.text("family-name")),
            ClaimKey::BirthDate => self
                .birth_date()
                .and_then(|_| text(self.text("birth-date"))),
            ClaimKey::Address | ClaimKey::RegistryAddress => {
                let address = self.json.get("address")?.as_object()?;
                Some(Value::Object(
                    ADDRESS_PARTS
                        .iter()
                        .map(|p| (p.to_string(), address.get(*p).cloned().unwrap_or_default()))
                        .collect(),
                ))
            }
            ClaimKey::Street => text(self.address_part("street")),
            ClaimKey::HouseNumber => text(self.address_part("house-number")),
            ClaimKey::Postcode => text(self.address_part("postcode")),
            ClaimKey::City => text(self.address_part("city")),
            ClaimKey::Email => text(self.email()),
        }
    }
}

/// Whether `answer` is the account's value: an address by its four parts (validation may add
/// others, such as a country), anything else as it is.
fn same_answer(answer: &Value, account: &Value) -> bool {
    match (answer, account) {
        (Value::Object(a), Value::Object(b)) => ADDRESS_PARTS.iter().all(|p| {
            a.get(*p).and_then(Value::as_str).unwrap_or_default()
                == b.get(*p).and_then(Value::as_str).unwrap_or_default()
        }),
        _ => answer == account,
    }
}

/// Where a locked answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The BundID account.
    Account,
    /// The municipality's registry, looked up with the citizen's consent.
    Registry,
}

/// The questions of `record` whose answers came from the BundID account or the registry and
/// were locked, in the form's order. Only a form that requires a trust level locks: the
/// function prefills every `prefill:` question the account (or, for `registry-address`, the
/// registry) has a value for, shows it as text, and refuses a submission whose answer differs
/// (submit-fn's `auth::submission`). The account's address in a `registry-address` question
/// is never locked (it may be out of date). The record's `answer-sources` says where each
/// prefilled answer came from; a record written before it existed is judged by comparing the
/// answer with the account's value. A prefilled answer of a form with optional sign-in could
/// have been changed, so none counts there.
pub fn locked_prefills<'f>(
    form: &'f ResolvedForm,
    record: &SubmissionRecord,
) -> Vec<(&'f Field, Source)> {
    let Some(identity) = verified(record) else {
        return Vec::new();
    };
    if form.form.identity.required().is_none() {
        return Vec::new();
    }
    let sources = identity
        .json
        .get("answer-sources")
        .and_then(Value::as_object);
    form.form
        .fields()
        .filter_map(|field| {
            let claim = *form.form.prefill.get(&field.id)?;
            let source = match sources {
                Some(sources) => match sources.get(&field.id).and_then(Value::as_str) {
                    Some("registry") => Source::Registry,
                    Some("account") if claim != ClaimKey::RegistryAddress => Source::Account,
                    _ => return None,
                },
                None if claim == ClaimKey::RegistryAddress => return None,
                None => {
                    let (answer, account) =
                        (record.data.get(&field.id)?, identity.account_value(claim)?);
                    if !same_answer(answer, &account) {
                        return None;
                    }
                    Source::Account
                }
            };
            Some((field, source))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_address_is_the_accounts_by_its_four_parts_and_a_partial_birth_date_is_none() {
        let account = json!({"street": "Heidestraße", "house-number": "17", "postcode": "51147", "city": "Köln"});
        let mut answer = account.clone();
        answer["country"] = json!("DE");
        assert!(same_answer(&answer, &account));
        answer["city"] = json!("Bonn");
        assert!(!same_answer(&answer, &account));
        let identity = json!({"birth-date": "1950-00-00", "trust-level": "substantial"});
        let v = Verified {
            json: identity.as_object().unwrap(),
        };
        assert_eq!(v.birth_date(), None);
        assert_eq!(v.account_value(ClaimKey::BirthDate), None);
        assert_eq!(v.trust_words(), "substantiell");
    }
}
