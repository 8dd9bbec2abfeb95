//! Turning a request body into what form-model validates: the three content types the function
//! accepts, strictly UTF-8, with every string NFC-normalised (so "ä" typed on a Mac and on
//! Windows is one value), and uploaded files reduced to the value shape form-model checks
//! (`{name, type, size, sha256}`) while their bytes are kept for storage.
//!
//! No form rule is checked here: what a field may hold is form-model's business. This module
//! only refuses what cannot be read as a submission at all.

use bytes::Bytes;
use form_model::form_post;
use form_model::model::FieldType;
use form_model::resolve::ResolvedForm;
use form_model::validate::Submission;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use store::protocol::{Upload, sha256_hex};

/// The kinds of body the function reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json`: a script post.
    Json,
    /// `application/x-www-form-urlencoded`: a browser form post.
    UrlEncoded,
    /// `multipart/form-data` with its boundary: a browser form post with files (or a script
    /// post through `FormData`).
    Multipart(String),
}

impl BodyKind {
    /// Whether a browser sends this for an HTML form (`<form method=post>`).
    pub fn is_form_post(&self) -> bool {
        !matches!(self, BodyKind::Json)
    }
}

/// Why a body cannot be read as a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// No content type, or one the function does not read.
    UnsupportedMediaType,
    /// A `charset` other than UTF-8.
    UnsupportedCharset,
    MalformedJson {
        line: usize,
        column: usize,
    },
    /// Valid JSON, but not `{id, language, data}`. Carries serde's explanation.
    JsonShape(String),
    NotUtf8,
    MalformedMultipart(String),
    /// A body larger than the limit (multipart parser's own count).
    TooLarge,
    /// A file field answered in a JSON body, which cannot carry files.
    FileInJson {
        field: String,
    },
    /// A file name with a path separator or a control character: no browser sends that.
    BadFileName {
        field: String,
    },
    /// A JSON object with a key twice, or a form post with `_id` or `_lang` twice: which one
    /// counts would be a guess. `position` is the line and column in a JSON body.
    Duplicate {
        name: String,
        position: Option<(usize, usize)>,
    },
    /// More names (form post) or values (JSON) than the form's page can send: refused before
    /// they are read further, so no body can make the function build huge error lists.
    TooManyFields {
        limit: usize,
    },
}

/// How much of a body the function reads for one form: a post with more names (or a JSON body
/// with more values) than the form's page can send is refused while it is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Name/value pairs and parts of a form post.
    pub names: usize,
    /// Values (objects, arrays, strings, numbers, ...) in a JSON body.
    pub json_values: usize,
}

impl Limits {
    /// The limits for `form`: twice what its page can send, plus room for the reserved names.
    /// A page sends each input once, so a real post never comes near them.
    pub fn for_form(form: &ResolvedForm) -> Limits {
        let inputs = form_post::max_inputs(form);
        Limits {
            names: 2 * inputs + 16,
            // A file answer is five values, an address five, an entry one more than its
            // answers: five per input is a generous bound.
            json_values: 5 * inputs + 64,
        }
    }
}

/// A decoded body.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub submission: Submission,
    /// The client's submission id, as sent (checked by the handler).
    pub id: Option<String>,
    /// The honeypot was filled in.
    pub honeypot: bool,
    /// Files with a name or content, by field, in the order sent.
    pub uploads: Vec<Upload>,
}

/// A media type split into its lower-case essence and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType {
    pub essence: String,
    pub params: Vec<(String, String)>,
}

impl MediaType {
    pub fn parse(s: &str) -> MediaType {
        let mut parts = s.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let params = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                Some((
                    k.trim().to_ascii_lowercase(),
                    v.trim().trim_matches('"').to_string(),
                ))
            })
            .collect();
        MediaType { essence, params }
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The body kind from the `Content-Type` header's value.
pub fn body_kind(content_type: Option<&[u8]>) -> Result<BodyKind, DecodeError> {
    let Some(raw) = content_type else {
        return Err(DecodeError::UnsupportedMediaType);
    };
    let text = std::str::from_utf8(raw).map_err(|_| DecodeError::UnsupportedMediaType)?;
    let media = MediaType::parse(text);
    if let Some(charset) = media.param("charset")
        && !charset.eq_ignore_ascii_case("utf-8")
        && !charset.eq_ignore_ascii_case("utf8")
    {
        return Err(DecodeError::UnsupportedCharset);
    }
    match media.essence.as_str() {
        "application/json" => Ok(BodyKind::Json),
        "application/x-www-form-urlencoded" => Ok(BodyKind::UrlEncoded),
        "multipart/form-data" => match media.param("boundary") {
            Some(b) if !b.is_empty() => Ok(BodyKind::Multipart(b.to_string())),
            _ => Err(DecodeError::MalformedMultipart(
                "the Content-Type has no boundary".into(),
            )),
        },
        _ => Err(DecodeError::UnsupportedMediaType),
    }
}

/// Decodes `body` of `kind` for `form`. `limit` bounds what the multipart parser reads.
pub async fn decode(
    form: &ResolvedForm,
    kind: &BodyKind,
    body: Bytes,
    limit: usize,
) -> Result<Decoded, DecodeError> {
    let limits = Limits::for_form(form);
    match kind {
        BodyKind::Json => decode_json(form, &body, limits),
        BodyKind::UrlEncoded => {
            let pairs = parse_urlencoded(&body, limits.names)?;
            from_pairs(form, pairs, Vec::new())
        }
        BodyKind::Multipart(boundary) => {
            let (pairs, files) = parse_multipart(body, boundary, limit, limits.names).await?;
            from_pairs(form, pairs, files)
        }
    }
}

/// `s` in Unicode normalisation form C.
pub fn nfc(s: String) -> String {
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s
    } else {
        s.nfc().collect()
    }
}

fn nfc_value(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(nfc(s)),
        Value::Array(items) => Value::Array(items.into_iter().map(nfc_value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (nfc(k), nfc_value(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The body of a script post.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptPost {
    #[serde(default)]
    id: Option<String>,
    language: String,
    data: Map<String, Value>,
}

fn decode_json(form: &ResolvedForm, body: &[u8], limits: Limits) -> Result<Decoded, DecodeError> {
    // serde_json would also refuse invalid UTF-8, but as a syntax error; say what it is.
    std::str::from_utf8(body).map_err(|_| DecodeError::NotUtf8)?;
    let value = strict_json::parse(body, limits.json_values)?;
    let post: ScriptPost =
        serde_json::from_value(value).map_err(|e| DecodeError::JsonShape(e.to_string()))?;
    let data = match nfc_value(Value::Object(post.data)) {
        Value::Object(m) => m,
        _ => unreachable!("an object stays an object"),
    };
    if let Some(field) = file_answered_in(form, &data) {
        return Err(DecodeError::FileInJson { field });
    }
    Ok(Decoded {
        submission: Submission {
            language: nfc(post.language),
            data,
        },
        id: post.id,
        honeypot: false,
        uploads: Vec::new(),
    })
}

/// The first file question, anywhere in the form (inside groups and list entries too), that
/// `data` answers: JSON cannot carry a file's bytes, so such an answer is a claim about a file
/// nobody sent.
fn file_answered_in(form: &ResolvedForm, data: &Map<String, Value>) -> Option<String> {
    fn walk(
        fields: &[form_model::model::Field],
        answers: &Map<String, Value>,
        prefix: &str,
    ) -> Option<String> {
        for field in fields {
            let Some(value) = answers.get(&field.id) else {
                continue;
            };
            let path = format!("{prefix}{}", field.id);
            match field.kind {
                FieldType::File if form_model::validate::is_answered(value) => return Some(path),
                FieldType::Group => {
                    let entries: Vec<(String, &Map<String, Value>)> = match value {
                        Value::Object(o) => vec![(format!("{path}."), o)],
                        Value::Array(items) => items
                            .iter()
                            .enumerate()
                            .filter_map(|(i, v)| Some((format!("{path}.{i}."), v.as_object()?)))
                            .collect(),
                        _ => Vec::new(),
                    };
                    for (prefix, entry) in entries {
                        if let Some(found) = walk(&field.fields, entry, &prefix) {
                            return Some(found);
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }
    let top: Vec<form_model::model::Field> = form.form.fields().cloned().collect();
    walk(&top, data, "")
}

/// `application/x-www-form-urlencoded` as the URL standard defines it, but refusing invalid
/// UTF-8 instead of replacing it (the usual parsers replace silently), and more than
/// `max_pairs` pairs before decoding them.
fn parse_urlencoded(body: &[u8], max_pairs: usize) -> Result<Vec<(String, String)>, DecodeError> {
    let component = |bytes: &[u8]| -> Result<String, DecodeError> {
        let plus: Vec<u8> = bytes
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        percent_encoding::percent_decode(&plus)
            .decode_utf8()
            .map(|s| nfc(s.into_owned()))
            .map_err(|_| DecodeError::NotUtf8)
    };
    let parts = body.split(|&b| b == b'&').filter(|part| !part.is_empty());
    if parts.clone().count() > max_pairs {
        return Err(DecodeError::TooManyFields { limit: max_pairs });
    }
    parts
        .map(|part| {
            let (name, value) = match part.iter().position(|&b| b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            Ok((component(name)?, component(value)?))
        })
        .collect()
}

/// A file part before it is known whether it answers a file field.
struct FilePart {
    name: String,
    file_name: String,
    media_type: String,
    bytes: Bytes,
}

async fn parse_multipart(
    body: Bytes,
    boundary: &str,
    limit: usize,
    max_parts: usize,
) -> Result<(Vec<(String, String)>, Vec<FilePart>), DecodeError> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit as u64));
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut pairs = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e)),
        };
        if pairs.len() + files.len() >= max_parts {
            return Err(DecodeError::TooManyFields { limit: max_parts });
        }
        let disposition = field
            .headers()
            .get(http::header::CONTENT_DISPOSITION)
            .map(|v| v.as_bytes().to_vec())
            .unwrap_or_default();
        // The parser drops names and file names that are not UTF-8; notice that instead.
        let disposition = String::from_utf8(disposition).map_err(|_| DecodeError::NotUtf8)?;
        let Some(name) = field.name().map(|n| nfc(n.to_string())) else {
            return Err(DecodeError::MalformedMultipart(
                "a part has no name in its Content-Disposition".into(),
            ));
        };
        let file_name = field.file_name().map(|n| nfc(n.to_string()));
        if file_name.is_none() && disposition.to_ascii_lowercase().contains("filename") {
            return Err(DecodeError::MalformedMultipart(format!(
                "the file name of part \"{name}\" cannot be read (only filename=\"...\" is understood)"
            )));
        }
        let media_type = field
            .content_type()
            .map(|m| m.essence_str().to_ascii_lowercase())
            .unwrap_or_else(|| "application/octet-stream".into());
        let bytes = field.bytes().await.map_err(multipart_error)?;
        match file_name {
            Some(file_name) => files.push(FilePart {
                name,
                file_name,
                media_type,
                bytes,
            }),
            None => {
                let value = String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError::NotUtf8)?;
                pairs.push((name, nfc(value)));
            }
        }
    }
    for f in &files {
        let tricky = f.file_name == "."
            || f.file_name == ".."
            || f.file_name
                .chars()
                .any(|c| c == '/' || c == '\\' || c.is_control());
        if tricky {
            return Err(DecodeError::BadFileName {
                field: f.name.clone(),
            });
        }
    }
    Ok((pairs, files))
}

fn multipart_error(e: multer::Error) -> DecodeError {
    match e {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            DecodeError::TooLarge
        }
        other => DecodeError::MalformedMultipart(other.to_string()),
    }
}

/// Name/value pairs through form-model's form-post decoding, then the files as file values.
fn from_pairs(
    form: &ResolvedForm,
    pairs: Vec<(String, String)>,
    files: Vec<FilePart>,
) -> Result<Decoded, DecodeError> {
    // Which `_id` or `_lang` counts would be a guess when there are two.
    for reserved in [form_post::ID_NAME, form_post::LANG_NAME] {
        if pairs.iter().filter(|(name, _)| name == reserved).count() > 1 {
            return Err(DecodeError::Duplicate {
                name: reserved.to_string(),
                position: None,
            });
        }
    }
    let post = form_post::decode(form, pairs);
    let mut data = post.submission.data;
    let mut uploads = Vec::new();
    for f in files {
        // A file input with no file chosen: the browser sends an empty part with an empty name.
        if f.file_name.is_empty() && f.bytes.is_empty() {
            continue;
        }
        let sha256 = sha256_hex(&f.bytes);
        let value = json!({
            "name": f.file_name,
            "type": f.media_type,
            "size": f.bytes.len(),
            "sha256": sha256,
        });
        // At its question, also inside a group; several files for one question become a list,
        // which validation refuses for file fields; a name that addresses no question stays
        // as sent, which validation refuses too. Only files whose value validation accepted
        // are stored (`crate::attach`).
        form_post::insert(form, &mut data, &f.name, value);
        uploads.push(Upload {
            field: f.name,
            bytes: f.bytes,
            media_type: f.media_type,
            sha256,
        });
    }
    Ok(Decoded {
        submission: Submission {
            language: post.submission.language,
            data,
        },
        id: post.id.filter(|id| !id.trim().is_empty()),
        honeypot: post.honeypot,
        uploads,
    })
}

/// JSON parsing that refuses what `serde_json::Value` would accept silently: an object with a
/// key twice (the last one would win) and more values than a form can hold.
mod strict_json {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_recognised_with_parameters_and_case() {
        assert_eq!(
            body_kind(Some(b"Application/JSON; charset=UTF-8")),
            Ok(BodyKind::Json)
        );
        assert_eq!(
            body_kind(Some(b"application/x-www-form-urlencoded")),
            Ok(BodyKind::UrlEncoded)
        );
        assert_eq!(
            body_kind(Some(b"multipart/form-data; boundary=\"abc\"")),
            Ok(BodyKind::Multipart("abc".into()))
        );
        assert_eq!(
            body_kind(Some(b"text/plain")),
            Err(DecodeError::UnsupportedMediaType)
        );
        assert_eq!(body_kind(None), Err(DecodeError::UnsupportedMediaType));
        assert_eq!(
            body_kind(Some(
                b"application/x-www-form-urlencoded; charset=ISO-8859-1"
            )),
            Err(DecodeError::UnsupportedCharset)
        );
    }

    #[test]
    fn urlencoded_values_are_decoded_strictly_and_normalised() {
        // "a\u{0308}" (a + combining diaeresis) becomes "ä".
        let pairs = parse_urlencoded(b"name=Ja%CC%88ger+Stra%C3%9Fe&x&=y", 10).unwrap();
        assert_eq!(
            pairs,
            vec![
                ("name".to_string(), "J\u{e4}ger Stra\u{df}e".to_string()),
                ("x".to_string(), String::new()),
                (String::new(), "y".to_string())
            ]
        );
        assert_eq!(parse_urlencoded(b"name=%FF", 10), Err(DecodeError::NotUtf8));
        assert_eq!(
            parse_urlencoded(b"name=\xc3", 10),
            Err(DecodeError::NotUtf8)
        );
        assert_eq!(
            parse_urlencoded(b"a=1&b=2&c=3", 2),
            Err(DecodeError::TooManyFields { limit: 2 })
        );
    }

    #[test]
    fn json_objects_with_a_key_twice_are_refused_with_the_key_and_its_place() {
        assert_eq!(
            strict_json::parse(br#"{"data": {"a": 1, "b": {"c": 2, "c": 3}}}"#, 100),
            Err(DecodeError::Duplicate {
                name: "c".into(),
                position: Some((1, 35))
            })
        );
        assert!(matches!(
            strict_json::parse(br#"{"a": 1,}"#, 100),
            Err(DecodeError::MalformedJson { .. })
        ));
        assert_eq!(
            strict_json::parse(br#"[1, 2, 3]"#, 3),
            Err(DecodeError::TooManyFields { limit: 3 })
        );
        assert_eq!(
            strict_json::parse(br#"{"a": [1, {"b": null}]}"#, 5).unwrap(),
            json!({"a": [1, {"b": null}]})
        );
    }
}
