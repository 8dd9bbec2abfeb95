//! JSON parsing that refuses what `serde_json::Value` would accept silently: an object with a
//! key twice (the last one would win) and more values than a form can hold.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::DecodeError;

/// Marks the errors this module raises, so they can be told from syntax errors.
const DUPLICATE: &str = "duplicate key ";
const TOO_MANY: &str = "too many values";

pub fn parse(body: &[u8], max_values: usize) -> Result<Value, DecodeError> {
    let budget = Cell::new(max_values);
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = Strict { budget: &budget }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| {
        let message = e.to_string();
        if let Some(rest) = message.strip_prefix(DUPLICATE) {
            // "duplicate key \"x\" at line 1 column 9": the key as JSON, then serde's position.
            let key = rest.split(" at line ").next().unwrap_or(rest);
            let name = serde_json::from_str::<String>(key).unwrap_or_else(|_| key.to_string());
            DecodeError::Duplicate {
                name,
                position: Some((e.line(), e.column())),
            }
        } else if message.starts_with(TOO_MANY) {
            DecodeError::TooManyFields { limit: max_values }
        } else {
            DecodeError::MalformedJson {
                line: e.line(),
                column: e.column(),
            }
        }
    })
}

#[derive(Clone, Copy)]
struct Strict<'a> {
    budget: &'a Cell<usize>,
}

impl Strict<'_> {
    fn spend<E: de::Error>(&self) -> Result<(), E> {
        match self.budget.get().checked_sub(1) {
            Some(left) => {
                self.budget.set(left);
                Ok(())
            }
            None => Err(E::custom(TOO_MANY)),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.spend()?;
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.spend()?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.spend()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.spend()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let quoted = serde_json::to_string(&key).unwrap_or_default();
                return Err(de::Error::custom(format!("{DUPLICATE}{quoted}")));
            }
            let value = map.next_value_seed(self)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[test]
    fn json_objects_with_a_key_twice_are_refused_with_the_key_and_its_place() {
        assert_eq!(
            parse(br#"{"data": {"a": 1, "b": {"c": 2, "c": 3}}}"#, 100),
            Err(DecodeError::Duplicate {
                name: "c".into(),
                position: Some((1, 35))
            })
        );
        assert!(matches!(
            parse(br#"{"a": 1,}"#, 100),
            Err(DecodeError::MalformedJson { .. })
        ));
        assert_eq!(
            parse(br#"[1, 2, 3]"#, 3),
            Err(DecodeError::TooManyFields { limit: 3 })
        );
        assert_eq!(
            parse(br#"{"a": [1, {"b": null}]}"#, 5).unwrap(),
            json!({"a": [1, {"b": null}]})
        );
    }
}
