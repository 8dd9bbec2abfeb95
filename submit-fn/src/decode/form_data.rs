//! A browser's form post: `application/x-www-form-urlencoded` or `multipart/form-data`, read
//! strictly (UTF-8 only, at most as many names as the form can hold, within the body limit),
//! its pairs decoded by form-model's form-post rules and its files reduced to file values
//! (`{name, type, size, sha256}`) while their bytes are kept for storage.

use bytes::Bytes;
use form_model::form_post;
use form_model::model::PaymentChoice;
use form_model::resolve::ResolvedForm;
use form_model::validate::Submission;
use serde_json::json;
use store::protocol::{Upload, sha256_hex};

use super::{DecodeError, Decoded, nfc};

/// `application/x-www-form-urlencoded` as the URL standard defines it, but refusing invalid
/// UTF-8 instead of replacing it (the usual parsers replace silently), and more than
/// `max_pairs` pairs before decoding them.
pub(super) fn parse_urlencoded(
    body: &[u8],
    max_pairs: usize,
) -> Result<Vec<(String, String)>, DecodeError> {
    parse_urlencoded_as(body, max_pairs, nfc)
}

/// [`parse_urlencoded`] without the normalisation: names and values exactly as sent (a receipt
/// request's record must keep its bytes).
pub(super) fn parse_urlencoded_exact(
    body: &[u8],
    max_pairs: usize,
) -> Result<Vec<(String, String)>, DecodeError> {
    parse_urlencoded_as(body, max_pairs, |s| s)
}

fn parse_urlencoded_as(
    body: &[u8],
    max_pairs: usize,
    normalise: fn(String) -> String,
) -> Result<Vec<(String, String)>, DecodeError> {
    let component = |bytes: &[u8]| -> Result<String, DecodeError> {
        let plus: Vec<u8> = bytes
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        percent_encoding::percent_decode(&plus)
            .decode_utf8()
            .map(|s| normalise(s.into_owned()))
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
pub(super) struct FilePart {
    pub(super) name: String,
    pub(super) file_name: String,
    pub(super) media_type: String,
    pub(super) bytes: Bytes,
}

pub(super) async fn parse_multipart(
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
pub(super) fn from_pairs(
    form: &ResolvedForm,
    pairs: Vec<(String, String)>,
    files: Vec<FilePart>,
) -> Result<Decoded, DecodeError> {
    // Which `_id`, `_lang` or `_payment` counts would be a guess when there are two.
    for reserved in [
        form_post::ID_NAME,
        form_post::LANG_NAME,
        form_post::PAYMENT_NAME,
    ] {
        if pairs.iter().filter(|(name, _)| name == reserved).count() > 1 {
            return Err(DecodeError::Duplicate {
                name: reserved.to_string(),
                position: None,
            });
        }
    }
    let post = form_post::decode(form, pairs);
    let payment = match post.payment.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(value) => Some(
            PaymentChoice::parse(value)
                .ok_or_else(|| DecodeError::UnknownPaymentChoice(value.to_string()))?,
        ),
    };
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
        payment,
        uploads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
