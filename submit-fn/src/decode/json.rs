//! A script's post: `{"id"?, "language", "data", "payment"?}` as JSON, read strictly (no key twice, no more
//! values than the form can hold), NFC-normalised, and refused when it answers a file question
//! (JSON cannot carry a file's bytes).

use form_model::model::FieldType;
use form_model::resolve::ResolvedForm;
use form_model::validate::Submission;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{DecodeError, Decoded, Limits, nfc, nfc_value, strict_json};

/// The body of a script post.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptPost {
    #[serde(default)]
    id: Option<String>,
    language: String,
    data: Map<String, Value>,
    /// The send button clicked on a form whose payment is optional (`online`, `notice`).
    #[serde(default)]
    payment: Option<form_model::model::PaymentChoice>,
}

pub(super) fn decode_json(
    form: &ResolvedForm,
    body: &[u8],
    limits: Limits,
) -> Result<Decoded, DecodeError> {
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
        payment: post.payment,
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
                // A file uploaded directly (`{…, "upload": <token>}`) travels as a reference.
                FieldType::File
                    if form_model::validate::is_answered(value)
                        && value.get("upload").is_none() =>
                {
                    return Some(path);
                }
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
