//! Sign-in on a form ("Nutzerkonto", BundID through an identity broker): whether a form offers
//! it or requires a trust level (`identity:`), and which questions the account fills in
//! (`prefill:`). The sign-in itself is the `identity` crate's; here only the words a process
//! designer writes.
//!
//! `identity: none | optional | { required: substantial | high }` is a value or a one-key
//! mapping. serde_yaml reads externally tagged enums only from YAML tags (`!required high`), so
//! [`IdentityUse`] has its own `Deserialize`; its errors keep serde_yaml's position.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// The trust level a form requires (eIDAS levels of assurance; BundID reports them as
/// STORK-QAA levels 3 and 4). "low" (a user name and password) proves no identity, so a form
/// cannot require it: such a form offers sign-in (`optional`) instead.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum RequiredLevel {
    /// "substantiell": the ELSTER certificate, or the online ID card.
    Substantial,
    /// "hoch": the online ID card (eID) only.
    High,
}

impl RequiredLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RequiredLevel::Substantial => "substantial",
            RequiredLevel::High => "high",
        }
    }
}

/// Whether a form offers sign-in, and whether it requires a verified identity. Ordered from
/// "nothing" to "the online ID card", so the stricter of two settings is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum IdentityUse {
    /// Anonymous only (the default).
    #[default]
    None,
    /// "Mit BundID anmelden" is offered; the form can be sent without it.
    Optional,
    /// The form is only accepted from a citizen signed in at this level or higher; the
    /// prefilled answers cannot be changed.
    Required(RequiredLevel),
}

impl IdentityUse {
    pub fn is_none(&self) -> bool {
        *self == IdentityUse::None
    }

    /// Whether the form page offers sign-in at all.
    pub fn offers_sign_in(&self) -> bool {
        !self.is_none()
    }

    /// The level required, if any.
    pub fn required(&self) -> Option<RequiredLevel> {
        match self {
            IdentityUse::Required(level) => Some(*level),
            _ => None,
        }
    }

    /// As the designer writes it (`none`, `optional`, `required: high`).
    pub fn describe(&self) -> String {
        match self {
            IdentityUse::None => "none".into(),
            IdentityUse::Optional => "optional".into(),
            IdentityUse::Required(level) => format!("required: {}", level.as_str()),
        }
    }
}

impl Serialize for IdentityUse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IdentityUse::None => s.serialize_str("none"),
            IdentityUse::Optional => s.serialize_str("optional"),
            IdentityUse::Required(level) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("required", level)?;
                map.end()
            }
        }
    }
}

const EXPECTED: &str = "`none`, `optional` or `{ required: substantial }` / `{ required: high }`";

impl<'de> Deserialize<'de> for IdentityUse {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IdentityUse;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdentityUse, E> {
                match v {
                    "none" => Ok(IdentityUse::None),
                    "optional" => Ok(IdentityUse::Optional),
                    other => Err(E::custom(format_args!(
                        "unknown value `{other}`, expected {EXPECTED}"
                    ))),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IdentityUse, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(format_args!("expected {EXPECTED}")));
                };
                if key != "required" {
                    return Err(de::Error::unknown_field(&key, &["required"]));
                }
                let level: RequiredLevel = map.next_value()?;
                if let Some(more) = map.next_key::<String>()? {
                    return Err(de::Error::unknown_field(&more, &[]));
                }
                Ok(IdentityUse::Required(level))
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for IdentityUse {
    fn schema_name() -> Cow<'static, str> {
        "IdentityUse".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let level = generator.subschema_for::<RequiredLevel>();
        schemars::json_schema!({
            "description": "Sign-in with BundID: `none` (default), `optional` (offered), or `{ required: substantial | high }` (only signed-in citizens at that trust level; prefilled answers are locked).",
            "oneOf": [
                { "type": "string", "enum": ["none", "optional"] },
                {
                    "type": "object",
                    "properties": { "required": level },
                    "required": ["required"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// What a question can be prefilled with from the account (`prefill: { vorname: given-name }`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimKey {
    /// All given names (a `text` question).
    GivenName,
    /// The family name (`text`).
    FamilyName,
    /// The birth date (`date`), only when the account has a complete one.
    BirthDate,
    /// Street, house number, postcode and city (an `address` question).
    Address,
    /// The street without house number (`text`).
    Street,
    /// The house number (`text`).
    HouseNumber,
    /// The postcode (`postcode` or `text`).
    Postcode,
    /// The city (`text`).
    City,
    /// The e-mail address (`email`).
    Email,
    /// The address registered in the municipality's resident registry (an `address`
    /// question): looked up after sign-in only when the citizen agrees on the page; until
    /// then the account's address, which the citizen may change (docs/identity.md).
    RegistryAddress,
}

impl ClaimKey {
    pub const ALL: [ClaimKey; 10] = [
        ClaimKey::GivenName,
        ClaimKey::FamilyName,
        ClaimKey::BirthDate,
        ClaimKey::Address,
        ClaimKey::Street,
        ClaimKey::HouseNumber,
        ClaimKey::Postcode,
        ClaimKey::City,
        ClaimKey::Email,
        ClaimKey::RegistryAddress,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimKey::GivenName => "given-name",
            ClaimKey::FamilyName => "family-name",
            ClaimKey::BirthDate => "birth-date",
            ClaimKey::Address => "address",
            ClaimKey::Street => "street",
            ClaimKey::HouseNumber => "house-number",
            ClaimKey::Postcode => "postcode",
            ClaimKey::City => "city",
            ClaimKey::Email => "email",
            ClaimKey::RegistryAddress => "registry-address",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimKey> {
        ClaimKey::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The question types that can take this claim's value.
    pub fn fits(self, kind: super::FieldType) -> bool {
        use super::FieldType as T;
        match self {
            ClaimKey::GivenName
            | ClaimKey::FamilyName
            | ClaimKey::Street
            | ClaimKey::HouseNumber
            | ClaimKey::City => kind == T::Text,
            ClaimKey::BirthDate => kind == T::Date,
            ClaimKey::Address | ClaimKey::RegistryAddress => kind == T::Address,
            ClaimKey::Postcode => matches!(kind, T::Postcode | T::Text),
            ClaimKey::Email => matches!(kind, T::Email | T::Text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_reads_as_a_word_or_a_required_level() {
        let read = |y: &str| serde_yaml::from_str::<IdentityUse>(y);
        assert_eq!(read("none").unwrap(), IdentityUse::None);
        assert_eq!(read("optional").unwrap(), IdentityUse::Optional);
        assert_eq!(
            read("{ required: substantial }").unwrap(),
            IdentityUse::Required(RequiredLevel::Substantial)
        );
        assert_eq!(
            read("required: high").unwrap(),
            IdentityUse::Required(RequiredLevel::High)
        );
        for bad in [
            "maybe",
            "{ required: low }",
            "{ level: high }",
            "{ required: high, x: 1 }",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        let json = serde_json::to_string(&IdentityUse::Required(RequiredLevel::High)).unwrap();
        assert_eq!(json, r#"{"required":"high"}"#);
        assert_eq!(
            serde_json::from_str::<IdentityUse>(&json).unwrap(),
            IdentityUse::Required(RequiredLevel::High)
        );
    }

    #[test]
    fn the_stricter_setting_is_the_larger() {
        assert!(IdentityUse::None < IdentityUse::Optional);
        assert!(IdentityUse::Optional < IdentityUse::Required(RequiredLevel::Substantial));
        assert!(
            IdentityUse::Required(RequiredLevel::Substantial)
                < IdentityUse::Required(RequiredLevel::High)
        );
    }
}
