//! Turning a request body into what form-model validates: the three content types the function
//! accepts, strictly UTF-8, with every string NFC-normalised (so "ä" typed on a Mac and on
//! Windows is one value), and uploaded files reduced to the value shape form-model checks
//! (`{name, type, size, sha256}`) while their bytes are kept for storage.
//!
//! No form rule is checked here: what a field may hold is form-model's business. This module
//! only refuses what cannot be read as a submission at all.
//!
//! Here the body's kind and the dispatch; [`json`] reads a script's JSON (through
//! [`strict_json`]), [`form_data`] a browser's urlencoded or multipart form post.

mod form_data;
mod json;
mod strict_json;

use bytes::Bytes;
use form_model::form_post;
use form_model::resolve::ResolvedForm;
use form_model::validate::Submission;
use serde_json::Value;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use store::protocol::Upload;

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
    /// A JSON object with a key twice, or a form post with `_id`, `_lang` or `_payment` twice: which one
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
    /// A `_payment` (form post) that names no choice the page offers.
    UnknownPaymentChoice(String),
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
    /// The citizen's choice of how to pay a form whose payment is optional (the send button
    /// clicked), when one was sent; the handler reads it only for such a form.
    pub payment: Option<form_model::model::PaymentChoice>,
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

/// The body kind of a request with `headers` (its `Content-Type`).
pub fn request_body_kind(headers: &http::HeaderMap) -> Result<BodyKind, DecodeError> {
    body_kind(
        headers
            .get(http::header::CONTENT_TYPE)
            .map(http::HeaderValue::as_bytes),
    )
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
        BodyKind::Json => json::decode_json(form, &body, limits),
        BodyKind::UrlEncoded => {
            let pairs = form_data::parse_urlencoded(&body, limits.names)?;
            form_data::from_pairs(form, pairs, Vec::new())
        }
        BodyKind::Multipart(boundary) => {
            let (pairs, files) =
                form_data::parse_multipart(body, boundary, limit, limits.names).await?;
            form_data::from_pairs(form, pairs, files)
        }
    }
}

/// The pairs of an `application/x-www-form-urlencoded` body exactly as sent (strict UTF-8, at
/// most `max_pairs`, no Unicode normalisation).
pub fn urlencoded_pairs_exact(
    body: &[u8],
    max_pairs: usize,
) -> Result<Vec<(String, String)>, DecodeError> {
    form_data::parse_urlencoded_exact(body, max_pairs)
}

/// A `multipart/form-data` body as a browser posts it to S3 (the local upload endpoint): its
/// fields, in order, and its files (part name and bytes). At most 32 parts.
pub async fn multipart_fields(
    body: Bytes,
    boundary: &str,
    limit: usize,
) -> Result<(Vec<(String, String)>, Vec<(String, Bytes)>), DecodeError> {
    let (pairs, files) = form_data::parse_multipart(body, boundary, limit, 32).await?;
    Ok((
        pairs,
        files.into_iter().map(|f| (f.name, f.bytes)).collect(),
    ))
}

/// `s` in Unicode normalisation form C.
pub fn nfc(s: String) -> String {
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s
    } else {
        s.nfc().collect()
    }
}

pub(crate) fn nfc_value(v: Value) -> Value {
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
}
