//! Deserializing a YAML file once while noticing keys written twice in one mapping.
//!
//! serde_yaml refuses a key written twice in a struct, but in a map (a text's languages, a
//! municipality's fees) it silently keeps the last one. The [`crate::positions`] index finds
//! both, with their positions, but it is a second parse of the file with an event parser and
//! builds a path for every value: for a country of municipality files that cost more than
//! reading them. So a file is deserialized once, through [`from_str`], which watches every
//! mapping's keys as serde_yaml hands them over and says whether one may be written twice.
//! Only then (or when the file does not deserialize) does the loader build the index to say
//! where (`load::parse_source`). "May": keys are compared by a hash, and content the target
//! type ignores is not looked at, so a clean answer is exact and a doubtful one costs only the
//! exact look.
//!
//! [`from_str_noting`] also notes where the values of a path pattern are (a municipality's
//! `forms[i].use`, whose position the drift report shows), so that they need no index either
//! (`note`).

use std::cell::Cell;
use std::fmt;

mod keys;
mod note;

use keys::{KeySet, hash};

pub use note::Step;
use note::{At, Note};

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

/// `T` from `text` exactly as `serde_yaml::from_str` gives it, and whether a mapping of the
/// text may have a key twice (`false` means: none has).
pub fn from_str<T: de::DeserializeOwned>(text: &str) -> (Result<T, serde_yaml::Error>, bool) {
    let (value, doubtful, _) = deserialize(text, None);
    (value, doubtful)
}

/// [`from_str`], noting on the way where the string values at paths that match `pattern`
/// are (`[Key("forms"), Item, Key("use")]`: each `forms[i].use`), as byte ranges of `text`.
/// A value serde_yaml does not hand over as a slice of the text (an escape, a folded line) is
/// left out.
pub fn from_str_noting<T: de::DeserializeOwned>(text: &str, pattern: &'static [Step]) -> Noting<T> {
    deserialize(text, Some(Note::new(text, pattern)))
}

/// The value, whether a key may be written twice, and the noted paths with the byte range of
/// their value in the text.
pub type Noting<T> = (
    Result<T, serde_yaml::Error>,
    bool,
    Vec<(String, usize, usize)>,
);

fn deserialize<T: de::DeserializeOwned>(text: &str, note: Option<Note>) -> Noting<T> {
    let at = note.as_ref().and_then(|_| Note::root());
    let watch = Watch {
        note,
        ..Watch::default()
    };
    let value = T::deserialize(Watched {
        inner: serde_yaml::Deserializer::from_str(text),
        watch: &watch,
        key: false,
        at,
    });
    let found = watch.note.map(|n| n.found.into_inner()).unwrap_or_default();
    (value, watch.doubtful.get(), found)
}

/// What the deserialization found out so far.
#[derive(Default)]
struct Watch {
    /// A key may be written twice, or content went unseen.
    doubtful: Cell<bool>,
    /// The hash of the mapping key just deserialized.
    key: Cell<Option<u64>>,
    /// Where the values of a path pattern are, when asked.
    note: Option<Note>,
}

/// A deserializer that hands every mapping, sequence and enum it meets to the watch.
struct Watched<'w, D> {
    inner: D,
    watch: &'w Watch,
    /// This value is a mapping key: note its hash.
    key: bool,
    /// This value lies on the way of the noted path pattern.
    at: Option<Box<At>>,
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
                let Watched { inner, watch, key, at } = self;
                inner.$method($($arg,)* Visit { inner: visitor, watch, key, at })
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Watched<'_, D> {
    type Error = D::Error;

    forward! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
    }

    /// Skipped content is not looked at: whatever it holds, the exact look decides.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.watch.doubtful.set(true);
        self.inner.deserialize_ignored_any(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A visitor that wraps what it is given in the watch before passing it on.
struct Visit<'w, V> {
    inner: V,
    watch: &'w Watch,
    key: bool,
    at: Option<Box<At>>,
}

impl<V> Visit<'_, V> {
    fn note(&self, kind: u8, bytes: &[u8]) {
        if self.key {
            self.watch.key.set(Some(hash(kind, bytes)));
            if let (0, Some(note)) = (kind, &self.watch.note) {
                note.key(bytes);
            }
        }
    }
}

macro_rules! scalar {
    ($($method:ident($ty:ty) $kind:literal;)*) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                if self.key {
                    self.note($kind, v.to_string().as_bytes());
                }
                self.inner.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Visit<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    scalar! {
        visit_bool(bool) 1;
        visit_i8(i8) 2;
        visit_i16(i16) 2;
        visit_i32(i32) 2;
        visit_i64(i64) 2;
        visit_i128(i128) 2;
        visit_u8(u8) 2;
        visit_u16(u16) 2;
        visit_u32(u32) 2;
        visit_u64(u64) 2;
        visit_u128(u128) 2;
        visit_f32(f32) 3;
        visit_f64(f64) 3;
        visit_char(char) 0;
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.note(0, v.as_bytes());
        self.inner.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.note(0, v.as_bytes());
        if let (Some(note), Some(at)) = (&self.watch.note, &self.at) {
            note.scalar(at, v);
        }
        self.inner.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.note(0, v.as_bytes());
        self.inner.visit_string(v)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        self.note(4, v);
        self.inner.visit_bytes(v)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
        self.note(4, v);
        self.inner.visit_borrowed_bytes(v)
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<V::Value, E> {
        self.note(4, &v);
        self.inner.visit_byte_buf(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.note(5, b"");
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.note(5, b"");
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Watched {
            inner: d,
            watch: self.watch,
            key: self.key,
            at: self.at,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Watched {
            inner: d,
            watch: self.watch,
            key: self.key,
            at: self.at,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        // A key that is a sequence or a mapping is not compared: the exact look decides.
        if self.key {
            self.watch.doubtful.set(true);
        }
        let at = self.watch.note.as_ref().and_then(|n| n.sequence(self.at));
        self.inner.visit_seq(Seq {
            inner: seq,
            watch: self.watch,
            at,
            next: 0,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        if self.key {
            self.watch.doubtful.set(true);
        }
        let at = self.watch.note.as_ref().and_then(|n| n.mapping(self.at));
        self.inner.visit_map(Map {
            inner: map,
            watch: self.watch,
            keys: KeySet::default(),
            at,
            value_at: None,
        })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        if self.key {
            self.watch.doubtful.set(true);
        }
        self.inner.visit_enum(Enum {
            inner: data,
            watch: self.watch,
        })
    }
}

/// A seed whose value is deserialized through the watch.
struct Seed<'w, S> {
    inner: S,
    watch: &'w Watch,
    key: bool,
    at: Option<Box<At>>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(Watched {
            inner: d,
            watch: self.watch,
            key: self.key,
            at: self.at,
        })
    }
}

struct Seq<'w, A> {
    inner: A,
    watch: &'w Watch,
    /// Where the sequence is, if on the noted pattern's way, and the index of the next item.
    at: Option<Box<At>>,
    next: usize,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let at = Note::item(self.at.as_deref(), self.next);
        self.next += 1;
        self.inner.next_element_seed(Seed {
            inner: seed,
            watch: self.watch,
            key: false,
            at,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// A mapping: the hashes of its keys so far.
struct Map<'w, A> {
    inner: A,
    watch: &'w Watch,
    keys: KeySet,
    /// Where the mapping is, if on the noted pattern's way, and where the next value is.
    at: Option<Box<At>>,
    value_at: Option<Box<At>>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.watch.key.set(None);
        if let Some(note) = &self.watch.note {
            note.expect_key(self.at.as_deref());
        }
        let key = self.inner.next_key_seed(Seed {
            inner: seed,
            watch: self.watch,
            key: true,
            at: None,
        })?;
        if let Some(note) = &self.watch.note {
            self.value_at = note.value(self.at.as_deref());
        }
        if key.is_some() {
            match self.watch.key.take() {
                Some(h) => {
                    if !self.keys.insert(h) {
                        self.watch.doubtful.set(true);
                    }
                }
                // A key the seed did not visit as a value of its own.
                None => self.watch.doubtful.set(true),
            }
        }
        Ok(key)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.next_value_seed(Seed {
            inner: seed,
            watch: self.watch,
            key: false,
            at: self.value_at.take(),
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

struct Enum<'w, A> {
    inner: A,
    watch: &'w Watch,
}

impl<'w, 'de, A: EnumAccess<'de>> EnumAccess<'de> for Enum<'w, A> {
    type Error = A::Error;
    type Variant = Variant<'w, A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.inner.variant_seed(Seed {
            inner: seed,
            watch: self.watch,
            key: false,
            at: None,
        })?;
        Ok((
            value,
            Variant {
                inner: variant,
                watch: self.watch,
            },
        ))
    }
}

struct Variant<'w, A> {
    inner: A,
    watch: &'w Watch,
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Variant<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.inner.newtype_variant_seed(Seed {
            inner: seed,
            watch: self.watch,
            key: false,
            at: None,
        })
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.inner.tuple_variant(
            len,
            Visit {
                inner: visitor,
                watch: self.watch,
                key: false,
                at: None,
            },
        )
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.inner.struct_variant(
            fields,
            Visit {
                inner: visitor,
                watch: self.watch,
                key: false,
                at: None,
            },
        )
    }
}

#[cfg(test)]
mod tests;
