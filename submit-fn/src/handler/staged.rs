//! The staged files of a submission (direct uploads, [`super::uploads`]): taken out of its
//! answers before validation — each answer `{…, "upload": <token>}` read from
//! `_staging/<municipality>/<id>/<token>`, checked against a sha256 sent, and turned into the
//! usual file answer with the object's real size and sha256 — and deleted once the
//! submission is stored, so that no plaintext copy stays.

use form_model::resolve::ResolvedForm;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use store::StoreError;
use store::protocol::{Upload, sha256_hex};
use store::upload as up;

use super::Handler;

/// The staged files of one submission, taken out of its answers.
#[derive(Debug, Default)]
pub(super) struct Staged {
    pub uploads: Vec<Upload>,
    /// Their staging keys, deleted once the submission is stored.
    pub keys: Vec<String>,
}

impl Handler {
    /// Takes the staged files out of `data` (answers of `form` for submission `id`): each
    /// answer `{…, "upload": <token>}` whose staging object exists (and whose `sha256`, if
    /// sent, is the object's) becomes `{name, type, size, sha256}` of the object's bytes, and
    /// the bytes an upload. Any other answer with `upload` is left as it is, which validation
    /// refuses (`invalid-file`).
    pub(super) async fn take_staged(
        &self,
        form: &ResolvedForm,
        id: Uuid,
        data: &mut Map<String, Value>,
    ) -> Result<Staged, StoreError> {
        let mut found = Vec::new();
        for (key, value) in data.iter() {
            staged_answers(value, key, &format!("/{}", pointer_escape(key)), &mut found);
        }
        let mut staged = Staged::default();
        for (path, pointer) in found {
            let Some(answer) = data_pointer(data, &pointer) else {
                continue;
            };
            let Some(token) = answer
                .get("upload")
                .and_then(Value::as_str)
                .filter(|t| up::is_token(t))
            else {
                continue;
            };
            let key = up::staging_key(&form.municipality.id, id, token);
            if staged.keys.contains(&key) {
                continue;
            }
            let Some(bytes) = self.store.get(&key).await? else {
                continue;
            };
            let sha256 = sha256_hex(&bytes);
            if answer
                .get("sha256")
                .is_some_and(|s| s.as_str() != Some(sha256.as_str()))
            {
                continue;
            }
            let media_type = answer
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_ascii_lowercase();
            let name = answer.get("name").cloned().unwrap_or(Value::Null);
            let replaced = json!({
                "name": name,
                "type": media_type,
                "size": bytes.len(),
                "sha256": sha256,
            });
            if let Some(slot) = data_pointer_mut(data, &pointer) {
                *slot = replaced;
            }
            staged.uploads.push(Upload {
                field: path,
                bytes,
                media_type,
                sha256,
            });
            staged.keys.push(key);
        }
        Ok(staged)
    }

    /// Deletes the staging objects of a stored submission: no plaintext copy stays. A failure
    /// is logged; the lifecycle rule removes what is left.
    pub(super) async fn remove_staged(&self, keys: &[String]) {
        for key in keys {
            if let Err(e) = self.store.delete(key).await {
                tracing::warn!(error = %e, "a staging object was not deleted; the lifecycle rule will");
            }
        }
    }
}

/// Every object with an `upload` member in `value` (at `path`, JSON pointer `pointer`).
fn staged_answers(value: &Value, path: &str, pointer: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(o) if o.contains_key("upload") => {
            out.push((path.to_string(), pointer.to_string()));
        }
        Value::Object(o) => {
            for (k, v) in o {
                staged_answers(
                    v,
                    &format!("{path}.{k}"),
                    &format!("{pointer}/{}", pointer_escape(k)),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                staged_answers(v, &format!("{path}.{i}"), &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn data_pointer<'a>(data: &'a Map<String, Value>, pointer: &str) -> Option<&'a Value> {
    let (first, rest) = split_pointer(pointer)?;
    let value = data.get(&first)?;
    if rest.is_empty() {
        Some(value)
    } else {
        value.pointer(rest)
    }
}

fn data_pointer_mut<'a>(data: &'a mut Map<String, Value>, pointer: &str) -> Option<&'a mut Value> {
    let (first, rest) = split_pointer(pointer)?;
    let value = data.get_mut(&first)?;
    if rest.is_empty() {
        Some(value)
    } else {
        value.pointer_mut(rest)
    }
}

/// `/a~1b/0/c` → (`a/b`, `/0/c`).
fn split_pointer(pointer: &str) -> Option<(String, &str)> {
    let rest = pointer.strip_prefix('/')?;
    let (first, rest) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    Some((first.replace("~1", "/").replace("~0", "~"), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_answers_are_found_inside_groups_and_lists() {
        let data = json!({
            "erlaubnis": { "name": "a.pdf", "upload": "x" },
            "hunde": [ { "impfpass": { "upload": "y" } } ],
            "name": "Erika",
        });
        let mut out = Vec::new();
        for (k, v) in data.as_object().unwrap() {
            staged_answers(v, k, &format!("/{k}"), &mut out);
        }
        assert_eq!(
            out,
            vec![
                ("erlaubnis".to_string(), "/erlaubnis".to_string()),
                (
                    "hunde.0.impfpass".to_string(),
                    "/hunde/0/impfpass".to_string()
                ),
            ]
        );
        assert_eq!(
            data_pointer(data.as_object().unwrap(), "/hunde/0/impfpass"),
            Some(&json!({ "upload": "y" }))
        );
    }
}
