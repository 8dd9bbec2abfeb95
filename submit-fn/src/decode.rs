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

use crate::storage::{Upload, sha256_hex};

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
    match kind {
        BodyKind::Json => decode_json(form, &body),
        BodyKind::UrlEncoded => {
            let pairs = parse_urlencoded(&body)?;
            Ok(from_pairs(form, pairs, Vec::new()))
        }
        BodyKind::Multipart(boundary) => {
            let (pairs, files) = parse_multipart(body, boundary, limit).await?;
            Ok(from_pairs(form, pairs, files))
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

fn decode_json(form: &ResolvedForm, body: &[u8]) -> Result<Decoded, DecodeError> {
    // serde_json would also refuse invalid UTF-8, but as a syntax error; say what it is.
    std::str::from_utf8(body).map_err(|_| DecodeError::NotUtf8)?;
    let value: Value = serde_json::from_slice(body).map_err(|e| DecodeError::MalformedJson {
        line: e.line(),
        column: e.column(),
    })?;
    let post: ScriptPost =
        serde_json::from_value(value).map_err(|e| DecodeError::JsonShape(e.to_string()))?;
    let data = match nfc_value(Value::Object(post.data)) {
        Value::Object(m) => m,
        _ => unreachable!("an object stays an object"),
    };
    for field in form.form.fields().filter(|f| f.kind == FieldType::File) {
        let answered = data
            .get(&field.id)
            .is_some_and(|v| !v.is_null() && v.as_str() != Some(""));
        if answered {
            return Err(DecodeError::FileInJson {
                field: field.id.clone(),
            });
        }
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

/// `application/x-www-form-urlencoded` as the URL standard defines it, but refusing invalid
/// UTF-8 instead of replacing it (the usual parsers replace silently).
fn parse_urlencoded(body: &[u8]) -> Result<Vec<(String, String)>, DecodeError> {
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
    body.split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
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
fn from_pairs(form: &ResolvedForm, pairs: Vec<(String, String)>, files: Vec<FilePart>) -> Decoded {
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
        // which validation refuses for file fields.
        form_post::insert(form, &mut data, &f.name, value);
        uploads.push(Upload {
            field: f.name,
            bytes: f.bytes,
            media_type: f.media_type,
            sha256,
        });
    }
    Decoded {
        submission: Submission {
            language: post.submission.language,
            data,
        },
        id: post.id.filter(|id| !id.trim().is_empty()),
        honeypot: post.honeypot,
        uploads,
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
        let pairs = parse_urlencoded(b"name=Ja%CC%88ger+Stra%C3%9Fe&x&=y").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("name".to_string(), "J\u{e4}ger Stra\u{df}e".to_string()),
                ("x".to_string(), String::new()),
                (String::new(), "y".to_string())
            ]
        );
        assert_eq!(parse_urlencoded(b"name=%FF"), Err(DecodeError::NotUtf8));
        assert_eq!(parse_urlencoded(b"name=\xc3"), Err(DecodeError::NotUtf8));
    }
}
