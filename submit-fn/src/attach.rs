//! Which uploaded file answers which question, and whether it is what it claims to be. Only
//! files that are the value of a file question that validation accepted are ever stored; each is
//! stored under the path of that validated answer, so two files can never share a key. A file
//! whose bytes are not of the media type it was sent as (HTML sent as `application/pdf`) is
//! refused, with the magic-byte signatures of the `infer` crate.

use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;
use form_model::validate::{CleanData, FieldError, Problem, file_answers, message};
use serde_json::Value;

use store::protocol::Upload;

/// The uploads that answer the file questions of `clean` (validated data of `form`), each with
/// `field` set to its answer's path, in form order. Every upload must be the value of exactly
/// one validated file answer and every file answer must have its upload; anything else is a
/// field error (422): a file part nobody asked for is never stored.
pub fn attach(
    form: &ResolvedForm,
    clean: &CleanData,
    uploads: Vec<Upload>,
    lang: &str,
) -> Result<Vec<Upload>, Vec<FieldError>> {
    let mut pool: Vec<Option<Upload>> = uploads.into_iter().map(Some).collect();
    let mut attached = Vec::new();
    let mut errors = Vec::new();
    for answer in file_answers(form, clean) {
        let sha = answer.value.get("sha256").and_then(Value::as_str);
        let media = answer.value.get("type").and_then(Value::as_str);
        let size = answer.value.get("size").and_then(Value::as_u64);
        // Uploads with equal sha256, type and size are the same file: which one goes where
        // does not matter.
        let found = pool.iter_mut().find(|u| {
            u.as_ref().is_some_and(|u| {
                Some(u.sha256.as_str()) == sha
                    && Some(u.media_type.as_str()) == media
                    && Some(u.bytes.len() as u64) == size
            })
        });
        match found.and_then(Option::take) {
            Some(mut upload) => {
                upload.field = answer.path;
                attached.push(upload);
            }
            None => errors.push(field_error(form, &answer.path, Problem::InvalidFile, lang)),
        }
    }
    for upload in pool.into_iter().flatten() {
        errors.push(field_error(
            form,
            &upload.field,
            Problem::UnknownField,
            lang,
        ));
    }
    if errors.is_empty() {
        Ok(attached)
    } else {
        Err(errors)
    }
}

/// A field error for the answer at `path` (an input name or an answer path).
pub(crate) fn field_error(
    form: &ResolvedForm,
    path: &str,
    problem: Problem<'_>,
    lang: &str,
) -> FieldError {
    FieldError {
        field: path.to_string(),
        code: problem.code(),
        message: message(&problem, lang, &label(form, path, lang)),
    }
}

/// Field errors for the uploads whose bytes are not of the media type they were sent as.
pub fn check_contents(form: &ResolvedForm, uploads: &[Upload], lang: &str) -> Vec<FieldError> {
    uploads
        .iter()
        .filter(|u| !content_matches(&u.media_type, &u.bytes))
        .map(|u| {
            let problem = Problem::FileContent(u.media_type.clone());
            FieldError {
                field: u.field.clone(),
                code: problem.code(),
                message: message(&problem, lang, &label(form, &u.field, lang)),
            }
        })
        .collect()
}

/// The label of the question at `path` (`hunde.0.impfpass` → the label of `impfpass`) in
/// `lang`, or the path itself when it names no question.
fn label(form: &ResolvedForm, path: &str, lang: &str) -> String {
    path.rsplit('.')
        .find(|segment| !segment.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|id| form.form.find(id))
        .map_or_else(|| path.to_string(), |f| text_in(&f.label, lang))
}

/// Media types that are one format under two names.
const SAME_FORMAT: [[&str; 2]; 3] = [
    ["image/heic", "image/heif"],
    ["application/xml", "text/xml"],
    ["image/jpg", "image/jpeg"],
];

/// Whether `bytes` are of the media type `declared`. For a type with a known signature (PDF,
/// JPEG, PNG, GIF, WebP, TIFF, HEIF, ZIP-based office documents, ...) the bytes must carry that
/// signature; for a type without one (plain text, CSV) they must not carry the signature of
/// another type (an HTML page, a program, an archive).
pub fn content_matches(declared: &str, bytes: &[u8]) -> bool {
    let detected = infer::get(bytes).map(|t| t.mime_type());
    let same = |found: &str| {
        found == declared
            || SAME_FORMAT
                .iter()
                .any(|pair| pair.contains(&found) && pair.contains(&declared))
    };
    let has_signature = infer::is_mime_supported(declared)
        || SAME_FORMAT.iter().any(|pair| {
            pair.contains(&declared) && pair.iter().any(|m| infer::is_mime_supported(m))
        });
    match detected {
        Some(found) => same(found),
        None => !has_signature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_are_checked_against_the_bytes() {
        let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n";
        let html = b"<!DOCTYPE html><html><body>hi</body></html>";
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let jpeg = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0";
        assert!(content_matches("application/pdf", pdf));
        assert!(!content_matches("application/pdf", html));
        assert!(!content_matches("application/pdf", png));
        assert!(content_matches("image/png", png));
        assert!(!content_matches("image/png", jpeg));
        assert!(content_matches("image/jpeg", jpeg));
        assert!(!content_matches("image/jpeg", b"just text"));
        // No signature for plain text: anything that is not another known format.
        assert!(content_matches("text/plain", b"Hallo Welt"));
        assert!(!content_matches("text/plain", html));
        assert!(!content_matches("text/plain", pdf));
    }
}
