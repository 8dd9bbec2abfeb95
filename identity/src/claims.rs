//! From an ID token's claims to a [`VerifiedIdentity`]: the neutral description of a signed-in
//! citizen that prefill, the submission record and the FIT-Connect metadata use, whatever the
//! broker calls its claims.
//!
//! Names, birth date, address and e-mail are OpenID Connect standard claims (a Keycloak broker
//! maps BundID's SAML attributes onto them). `bPK2` and the trust level have no standard claim;
//! their names and the trust level's values are configured in [`ClaimMapping`]. The trust level
//! is mapped onto the eIDAS levels (low, substantial, high); a value that the mapping does not
//! know is refused, never guessed.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use thiserror::Error;
use time::{Date, OffsetDateTime};

/// eIDAS levels of assurance. BundID reports STORK-QAA levels: 1 (user name and password, in
/// BundID "normal"), 3 (ELSTER certificate, "substantial") and 4 (online ID card, "high").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrustLevel {
    Low,
    Substantial,
    High,
}

impl TrustLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            TrustLevel::Low => "low",
            TrustLevel::Substantial => "substantial",
            TrustLevel::High => "high",
        }
    }
}

impl From<form_model::model::RequiredLevel> for TrustLevel {
    fn from(level: form_model::model::RequiredLevel) -> Self {
        match level {
            form_model::model::RequiredLevel::Substantial => TrustLevel::Substantial,
            form_model::model::RequiredLevel::High => TrustLevel::High,
        }
    }
}

impl fmt::Display for TrustLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A birth date as the registry knows it: complete, or partly unknown (German registers write
/// unknown parts as `00`; OpenID Connect allows `0000` for an unknown year and a bare year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BirthDate {
    Full(Date),
    Partial(String),
}

impl BirthDate {
    /// Parses `YYYY-MM-DD`, `YYYY-MM-00`, `YYYY-00-00`, `0000-MM-DD` or `YYYY`.
    pub fn parse(s: &str) -> Option<BirthDate> {
        static PARTIAL: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$").expect("valid regex"));
        let format = time::macros::format_description!("[year]-[month]-[day]");
        // Year 0000 is valid for `time`, but OpenID Connect uses it for "year not disclosed".
        if let Some(date) = Date::parse(s, &format)
            .ok()
            .filter(|_| !s.starts_with("0000"))
        {
            return Some(BirthDate::Full(date));
        }
        let partial =
            PARTIAL.is_match(s) && (s.len() == 4 || s.starts_with("0000") || s.ends_with("-00"));
        partial.then(|| BirthDate::Partial(s.to_string()))
    }

    /// The complete date, when it is one.
    pub fn date(&self) -> Option<Date> {
        match self {
            BirthDate::Full(d) => Some(*d),
            BirthDate::Partial(_) => None,
        }
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BirthDate::Full(d) => write!(
                f,
                "{:04}-{:02}-{:02}",
                d.year(),
                u8::from(d.month()),
                d.day()
            ),
            BirthDate::Partial(s) => f.write_str(s),
        }
    }
}

impl Serialize for BirthDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BirthDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        BirthDate::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("\"{s}\" is not a birth date")))
    }
}

/// A postal address in the parts the form language's `address` answer has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Address {
    pub street: String,
    /// Empty when the street line has no recognisable house number at its end.
    pub house_number: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2, when the provider sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Address {
    /// The answer of a form question of type `address` (street, house-number, postcode, city).
    pub fn answer(&self) -> Value {
        serde_json::json!({
            "street": self.street,
            "house-number": self.house_number,
            "postcode": self.postcode,
            "city": self.city,
        })
    }
}

/// Splits a German street line into street and house number: `Lindenweg 4a`,
/// `Straße des 17. Juni 135`, `Am Markt 1-3`, `Hauptstr. 12 b`, `Rathausplatz 2/4`.
pub fn split_street_line(line: &str) -> (String, String) {
    static HOUSE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(?P<street>.*\S)\s+(?P<number>[0-9]+ ?[a-zA-Z]?(?: ?[-/] ?[0-9]+ ?[a-zA-Z]?)?)$",
        )
        .expect("valid regex")
    });
    let first = line.lines().next().unwrap_or("").trim();
    match HOUSE_NUMBER.captures(first) {
        Some(c) => (c["street"].to_string(), c["number"].to_string()),
        None => (first.to_string(), String::new()),
    }
}

/// A citizen as the identity provider vouched for them. Held in the sealed session, written
/// into the submission record and the FIT-Connect metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VerifiedIdentity {
    /// All given names, as the ID card has them.
    pub given_names: String,
    pub family_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<BirthDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    /// BundID's pseudonymous person key (bereichsspezifisches Personenkennzeichen): the same
    /// for the same person at every sign-in, so drafts can be found again.
    pub bpk2: String,
    pub trust_level: TrustLevel,
    /// The trust level exactly as the provider sent it (`STORK-QAA-Level-3`).
    pub trust_level_claim: String,
    /// The provider's issuer URL.
    pub provider: String,
    /// The provider's subject identifier (`sub`).
    pub subject: String,
    /// When the citizen authenticated at the provider (`auth_time`, else the token's `iat`).
    #[serde(with = "time::serde::rfc3339")]
    pub authenticated_at: OffsetDateTime,
    /// When Formfabrik checked the ID token.
    #[serde(with = "time::serde::rfc3339")]
    pub verified_at: OffsetDateTime,
}

/// What a form's `prefill:` can take from the account: the form language's own words.
pub use form_model::model::ClaimKey;

impl VerifiedIdentity {
    /// The answer a form question prefilled from `key` gets, if the account has it: strings,
    /// the birth date as `YYYY-MM-DD` (only when complete), an address as its four parts.
    pub fn prefill_value(&self, key: ClaimKey) -> Option<Value> {
        let text = |s: &str| (!s.is_empty()).then(|| Value::String(s.to_string()));
        match key {
            ClaimKey::GivenName => text(&self.given_names),
            ClaimKey::FamilyName => text(&self.family_name),
            ClaimKey::BirthDate => self
                .birth_date
                .as_ref()
                .and_then(BirthDate::date)
                .map(|d| Value::String(BirthDate::Full(d).to_string())),
            // Until the registry is asked, a registry address question has the account's.
            ClaimKey::Address | ClaimKey::RegistryAddress => {
                self.address.as_ref().map(Address::answer)
            }
            ClaimKey::Street => self.address.as_ref().and_then(|a| text(&a.street)),
            ClaimKey::HouseNumber => self.address.as_ref().and_then(|a| text(&a.house_number)),
            ClaimKey::Postcode => self.address.as_ref().and_then(|a| text(&a.postcode)),
            ClaimKey::City => self.address.as_ref().and_then(|a| text(&a.city)),
            ClaimKey::Email => self.email.as_deref().and_then(text),
        }
    }
}

/// Where the broker puts what OpenID Connect has no standard claim for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClaimMapping {
    /// The claim that carries bPK2.
    #[serde(default = "default_bpk2")]
    pub bpk2: String,
    /// The claim that carries the trust level (`acr` when the broker passes BundID's
    /// authentication context on).
    #[serde(default = "default_trust_level")]
    pub trust_level: String,
    /// Claim values and the eIDAS level each stands for.
    #[serde(default = "default_trust_levels")]
    pub trust_levels: BTreeMap<String, TrustLevel>,
}

fn default_bpk2() -> String {
    "bpk2".into()
}

fn default_trust_level() -> String {
    "acr".into()
}

fn default_trust_levels() -> BTreeMap<String, TrustLevel> {
    use TrustLevel::*;
    [
        ("STORK-QAA-Level-1", Low),
        ("STORK-QAA-Level-2", Low),
        ("STORK-QAA-Level-3", Substantial),
        ("STORK-QAA-Level-4", High),
        ("http://eidas.europa.eu/LoA/low", Low),
        ("http://eidas.europa.eu/LoA/substantial", Substantial),
        ("http://eidas.europa.eu/LoA/high", High),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

impl Default for ClaimMapping {
    fn default() -> Self {
        ClaimMapping {
            bpk2: default_bpk2(),
            trust_level: default_trust_level(),
            trust_levels: default_trust_levels(),
        }
    }
}

impl ClaimMapping {
    /// The claim values that stand for `level` or higher (sent as `acr_values`, so that a
    /// broker that can enforce the level does).
    pub fn values_at_least(&self, level: TrustLevel) -> Vec<&str> {
        self.trust_levels
            .iter()
            .filter(|(_, l)| **l >= level)
            .map(|(v, _)| v.as_str())
            .collect()
    }
}

/// Why claims could not be turned into a [`VerifiedIdentity`].
#[derive(Debug, Error, PartialEq)]
pub enum ClaimError {
    #[error("the ID token has no claim \"{claim}\" (the broker must send it)")]
    Missing { claim: String },
    #[error("claim \"{claim}\" is not usable: {reason}")]
    Invalid { claim: String, reason: String },
    #[error(
        "trust level \"{value}\" (claim \"{claim}\") is not in the configured mapping; known: {known}"
    )]
    UnknownTrustLevel {
        claim: String,
        value: String,
        known: String,
    },
}

/// Everything a verified ID token says, besides what `openidconnect` checked.
pub(crate) struct TokenFacts<'a> {
    pub claims: &'a Map<String, Value>,
    pub provider: &'a str,
    pub subject: &'a str,
    pub authenticated_at: OffsetDateTime,
    pub verified_at: OffsetDateTime,
}

/// Maps the claims of an ID token whose signature, issuer, audience, expiry and nonce have
/// been checked.
pub(crate) fn map_claims(
    facts: TokenFacts<'_>,
    mapping: &ClaimMapping,
) -> Result<VerifiedIdentity, ClaimError> {
    let claims = facts.claims;
    let string = |name: &str| -> Result<Option<String>, ClaimError> {
        match claims.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(other) => Err(ClaimError::Invalid {
                claim: name.to_string(),
                reason: format!("expected a string, got {other}"),
            }),
        }
    };
    let required = |name: &str| -> Result<String, ClaimError> {
        string(name)?.ok_or_else(|| ClaimError::Missing {
            claim: name.to_string(),
        })
    };

    let trust_level_claim = required(&mapping.trust_level)?;
    let trust_level = *mapping
        .trust_levels
        .get(&trust_level_claim)
        .ok_or_else(|| ClaimError::UnknownTrustLevel {
            claim: mapping.trust_level.clone(),
            value: trust_level_claim.clone(),
            known: mapping
                .trust_levels
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let birth_date = match string("birthdate")? {
        None => None,
        Some(s) => Some(BirthDate::parse(&s).ok_or_else(|| ClaimError::Invalid {
            claim: "birthdate".into(),
            reason: format!("\"{s}\" is not YYYY-MM-DD"),
        })?),
    };
    let email_verified = match claims.get("email_verified") {
        Some(Value::Bool(b)) => *b,
        // Some brokers send booleans as strings.
        Some(Value::String(s)) => s == "true",
        _ => false,
    };
    Ok(VerifiedIdentity {
        given_names: required("given_name")?,
        family_name: required("family_name")?,
        birth_date,
        address: address(claims.get("address"))?,
        email: string("email")?,
        email_verified,
        bpk2: required(&mapping.bpk2)?,
        trust_level,
        trust_level_claim,
        provider: facts.provider.to_string(),
        subject: facts.subject.to_string(),
        authenticated_at: facts.authenticated_at,
        verified_at: facts.verified_at,
    })
}

/// The OpenID Connect `address` claim; `None` when absent or without street, postcode and city
/// (a person without a registered address in Germany).
fn address(claim: Option<&Value>) -> Result<Option<Address>, ClaimError> {
    let Some(claim) = claim.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let Value::Object(parts) = claim else {
        return Err(ClaimError::Invalid {
            claim: "address".into(),
            reason: "expected an object with street_address, postal_code and locality".into(),
        });
    };
    let part = |name: &str| match parts.get(name) {
        Some(Value::String(s)) => s.trim().to_string(),
        _ => String::new(),
    };
    let (street, house_number) = split_street_line(&part("street_address"));
    let postcode = part("postal_code");
    let city = part("locality");
    if street.is_empty() && postcode.is_empty() && city.is_empty() {
        return Ok(None);
    }
    let country = Some(part("country")).filter(|c| !c.is_empty());
    Ok(Some(Address {
        street,
        house_number,
        postcode,
        city,
        country,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::{date, datetime};

    fn facts(claims: &Map<String, Value>) -> TokenFacts<'_> {
        TokenFacts {
            claims,
            provider: "https://id.example",
            subject: "s1",
            authenticated_at: datetime!(2026-11-28 10:00 UTC),
            verified_at: datetime!(2026-11-28 10:00:05 UTC),
        }
    }

    fn max() -> Map<String, Value> {
        json!({
            "given_name": "Max Erich", "family_name": "Mustermann", "birthdate": "1988-02-29",
            "address": {"street_address": "Lindenweg 4a", "postal_code": "35399",
                        "locality": "Musterstadt", "country": "DE"},
            "email": "max@example.org", "email_verified": true,
            "bpk2": "TWF4", "acr": "STORK-QAA-Level-3"
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn bundid_shaped_claims_become_a_verified_identity() {
        let id = map_claims(facts(&max()), &ClaimMapping::default()).unwrap();
        assert_eq!(id.given_names, "Max Erich");
        assert_eq!(id.birth_date, Some(BirthDate::Full(date!(1988 - 02 - 29))));
        assert_eq!(id.trust_level, TrustLevel::Substantial);
        assert_eq!(id.trust_level_claim, "STORK-QAA-Level-3");
        let address = id.address.clone().unwrap();
        assert_eq!(
            (address.street.as_str(), address.house_number.as_str()),
            ("Lindenweg", "4a")
        );
        assert_eq!(
            id.prefill_value(ClaimKey::Address),
            Some(
                json!({"street": "Lindenweg", "house-number": "4a", "postcode": "35399", "city": "Musterstadt"})
            )
        );
        assert_eq!(
            id.prefill_value(ClaimKey::BirthDate),
            Some(json!("1988-02-29"))
        );
        // What the session and the record hold reads back the same.
        let text = serde_json::to_string(&id).unwrap();
        assert!(text.contains(r#""trust-level":"substantial""#), "{text}");
        assert_eq!(serde_json::from_str::<VerifiedIdentity>(&text).unwrap(), id);
    }

    #[test]
    fn a_trust_level_the_mapping_does_not_know_is_refused() {
        let mut claims = max();
        claims.insert("acr".into(), json!("urn:example:loa:gold"));
        let err = map_claims(facts(&claims), &ClaimMapping::default()).unwrap_err();
        assert!(
            matches!(&err, ClaimError::UnknownTrustLevel { value, .. } if value == "urn:example:loa:gold"),
            "{err}"
        );
    }

    #[test]
    fn bpk2_and_the_trust_level_are_required_and_their_claim_names_configurable() {
        let mut claims = max();
        claims.remove("bpk2");
        assert_eq!(
            map_claims(facts(&claims), &ClaimMapping::default()),
            Err(ClaimError::Missing {
                claim: "bpk2".into()
            })
        );
        claims.insert("urn:oid:1.3.6.1.4.1.25484.494450.3".into(), json!("TWF4"));
        claims.insert("trustlevel".into(), json!("hoch"));
        let mapping = ClaimMapping {
            bpk2: "urn:oid:1.3.6.1.4.1.25484.494450.3".into(),
            trust_level: "trustlevel".into(),
            trust_levels: [("hoch".to_string(), TrustLevel::High)].into(),
        };
        let id = map_claims(facts(&claims), &mapping).unwrap();
        assert_eq!(
            (id.bpk2.as_str(), id.trust_level),
            ("TWF4", TrustLevel::High)
        );
    }

    #[test]
    fn a_person_without_address_has_none_and_prefills_nothing_for_it() {
        let mut claims = max();
        claims.remove("address");
        let id = map_claims(facts(&claims), &ClaimMapping::default()).unwrap();
        assert_eq!(id.address, None);
        assert_eq!(id.prefill_value(ClaimKey::Address), None);
        assert_eq!(id.prefill_value(ClaimKey::City), None);
    }

    #[test]
    fn claims_of_the_wrong_type_are_refused_with_the_claim_named() {
        let mut claims = max();
        claims.insert("given_name".into(), json!(["Max"]));
        assert!(matches!(
            map_claims(facts(&claims), &ClaimMapping::default()),
            Err(ClaimError::Invalid { claim, .. }) if claim == "given_name"
        ));
        let mut claims = max();
        claims.insert("birthdate".into(), json!("29.02.1988"));
        assert!(matches!(
            map_claims(facts(&claims), &ClaimMapping::default()),
            Err(ClaimError::Invalid { claim, .. }) if claim == "birthdate"
        ));
    }

    #[test]
    fn partly_unknown_birth_dates_are_kept_but_not_prefilled() {
        for s in ["1950-00-00", "1950-07-00", "0000-07-01", "1950"] {
            let b = BirthDate::parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(b.to_string(), s);
            assert_eq!(b.date(), None);
        }
        for s in ["1950-02-30", "19500101", "50-01-01", ""] {
            assert_eq!(BirthDate::parse(s), None, "{s}");
        }
    }

    #[test]
    fn street_lines_split_into_street_and_house_number() {
        for (line, street, number) in [
            ("Lindenweg 4a", "Lindenweg", "4a"),
            ("Straße des 17. Juni 135", "Straße des 17. Juni", "135"),
            ("Am Markt 1-3", "Am Markt", "1-3"),
            ("Hauptstr. 12 b", "Hauptstr.", "12 b"),
            ("Rathausplatz 2/4", "Rathausplatz", "2/4"),
            ("Heidestraße 17", "Heidestraße", "17"),
            ("Hof Kleinmühle", "Hof Kleinmühle", ""),
            ("Lindenweg 4a\nHinterhaus", "Lindenweg", "4a"),
        ] {
            assert_eq!(
                split_street_line(line),
                (street.to_string(), number.to_string()),
                "{line}"
            );
        }
    }

    #[test]
    fn acr_values_for_a_level_include_every_higher_one() {
        let m = ClaimMapping::default();
        let v = m.values_at_least(TrustLevel::Substantial);
        assert!(v.contains(&"STORK-QAA-Level-3") && v.contains(&"STORK-QAA-Level-4"));
        assert!(!v.contains(&"STORK-QAA-Level-1"));
    }

    #[test]
    fn claim_keys_read_as_the_form_language_writes_them() {
        for key in ClaimKey::ALL {
            assert_eq!(ClaimKey::parse(key.as_str()), Some(key));
            assert_eq!(
                serde_json::to_value(key).unwrap(),
                Value::String(key.as_str().into())
            );
        }
    }
}
