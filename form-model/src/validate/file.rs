//! File answers: the description of a chosen file (name, media type, size, sha256) against
//! the field's accepted types and size, and where the file answers are in validated data.

use serde_json::{Map, Value};

use crate::model::{Field, FieldType};
use crate::resolve::ResolvedForm;

use super::CleanData;
use super::problem::Problem;

/// Whether `media` is allowed by `accept` (entries may be `image/*`).
pub fn accepts(accept: &[String], media: &str) -> bool {
    accept.iter().any(|a| match a.strip_suffix("/*") {
        Some(prefix) => media
            .split_once('/')
            .is_some_and(|(major, _)| major == prefix),
        None => a == media,
    })
}

pub(super) fn check_file<'a>(field: &Field, value: &Value) -> Result<Value, Problem<'a>> {
    let Value::Object(o) = value else {
        return Err(Problem::InvalidFile);
    };
    if o.keys()
        .any(|k| !matches!(k.as_str(), "name" | "type" | "size" | "sha256"))
    {
        return Err(Problem::InvalidFile);
    }
    let name = o.get("name").and_then(Value::as_str).unwrap_or("");
    let media = o.get("type").and_then(Value::as_str).unwrap_or("");
    let size = o.get("size").and_then(Value::as_u64);
    let (Some(size), false, false) = (size, name.trim().is_empty(), media.is_empty()) else {
        return Err(Problem::InvalidFile);
    };
    if name.chars().count() > 255 || size == 0 {
        return Err(Problem::InvalidFile);
    }
    if !accepts(&field.accept, media) {
        return Err(Problem::FileType(field.accept.clone()));
    }
    if let Some(mb) = field.max_size_mb
        && size as f64 > max_file_bytes(mb)
    {
        return Err(Problem::FileTooLarge(mb));
    }
    // The page describes a chosen file without its sha256; the function adds it from the
    // bytes, and stores only file answers that match an upload's sha256 (so the stored data,
    // and the importer contract, always have it).
    if let Some(sha) = o.get("sha256") {
        let ok = sha
            .as_str()
            .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()));
        if !ok {
            return Err(Problem::InvalidFile);
        }
    }
    Ok(Value::Object(o.clone()))
}

/// A file answer in validated data: where it is (`erlaubnis`, `zulassung.nachweis`,
/// `hunde.0.impfpass`: the path of the validated answer, entries counted after empty ones were
/// dropped) and its value (`{name, type, size, sha256}`).
#[derive(Debug, Clone, PartialEq)]
pub struct FileAnswer<'a> {
    pub path: String,
    pub value: &'a Map<String, Value>,
}

/// Every file answer in `clean` (what [`validate`] returned for `form`), in form order. Each
/// path occurs once: the stored attachments are keyed by it.
pub fn file_answers<'a>(form: &ResolvedForm, clean: &'a CleanData) -> Vec<FileAnswer<'a>> {
    fn walk<'a>(
        fields: &[Field],
        answers: &'a Map<String, Value>,
        prefix: &str,
        out: &mut Vec<FileAnswer<'a>>,
    ) {
        for field in fields {
            let Some(value) = answers.get(&field.id) else {
                continue;
            };
            let path = format!("{prefix}{}", field.id);
            match (field.kind, value) {
                (FieldType::File, Value::Object(o)) => out.push(FileAnswer { path, value: o }),
                (FieldType::Group, Value::Object(entry)) => {
                    walk(&field.fields, entry, &format!("{path}."), out);
                }
                (FieldType::Group, Value::Array(entries)) => {
                    for (i, entry) in entries.iter().enumerate() {
                        if let Value::Object(entry) = entry {
                            walk(&field.fields, entry, &format!("{path}.{i}."), out);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    let top: Vec<Field> = form.form.fields().cloned().collect();
    walk(&top, clean, "", &mut out);
    out
}

/// `max-size-mb` in bytes (MB = 1,000,000 bytes, as operating systems show file sizes).
pub fn max_file_bytes(mb: f64) -> f64 {
    mb * 1_000_000.0
}
