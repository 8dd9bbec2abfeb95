//! The staged files of a submission (direct uploads, [`super::uploads`]): taken out of its
//! answers before validation — each file question's answer `{…, "upload": <token>}` read from
//! `_staging/<municipality>/<id>/<token>`, checked against a sha256 sent, and turned into the
//! usual file answer with the object's real size and sha256 — and deleted once the
//! submission is stored, so that no plaintext copy stays.
//!
//! What a post can make the function read is bounded by the form, not by the post: only the
//! answers of the form's file questions are looked at (a list's entries up to its `repeat`
//! maximum, at most [`MAX_ENTRIES`]), each object is read only if it is within its question's
//! size, and all of one submission's staged files together within [`MAX_STAGED_BYTES`].

use form_model::form_post::MAX_ENTRIES;
use form_model::model::{Field, FieldType};
use form_model::resolve::ResolvedForm;
use form_model::validate::max_file_bytes;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use store::protocol::{Upload, sha256_hex};
use store::upload as up;
use store::{Bounded, StoreError};

use super::Handler;
use super::uploads::DEFAULT_MAX_BYTES;

/// The most bytes the staged files of one submission may hold together: the function holds
/// them in memory while it checks, encrypts and stores them (1024 MB on Lambda, see
/// submit-fn/template.yaml).
pub const MAX_STAGED_BYTES: u64 = 200_000_000;

/// The staged files of one submission, taken out of its answers.
#[derive(Debug, Default)]
pub(super) struct Staged {
    pub uploads: Vec<Upload>,
    /// Their staging keys, deleted once the submission is stored.
    pub keys: Vec<String>,
}

/// Why staged files were not taken.
#[derive(Debug)]
pub(super) enum StagedError {
    /// The store could not be read; nothing is acknowledged, a retry is safe.
    Store(StoreError),
    /// The staged files together are over the handler's limit ([`MAX_STAGED_BYTES`] unless
    /// set otherwise): the bytes allowed.
    TooLarge(u64),
}

impl From<StoreError> for StagedError {
    fn from(e: StoreError) -> Self {
        StagedError::Store(e)
    }
}

/// A file question's answer that names a staged upload: the answer's path (`erlaubnis`,
/// `hunde.0.impfpass`), its place in the data and the question.
#[derive(Debug, PartialEq)]
struct Slot<'f> {
    path: String,
    place: Vec<Step>,
    field: &'f Field,
}

/// One step into the answers: a member or a list entry.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Entry(usize),
}

impl Handler {
    /// Takes the staged files out of `data` (answers of `form` for submission `id`): each file
    /// question's answer `{…, "upload": <token>}` whose staging object exists, is within the
    /// question's size (and within what is left of the handler's limit for all of them,
    /// [`MAX_STAGED_BYTES`] by default) and whose `sha256`,
    /// if sent, is the object's becomes `{name, type, size, sha256}` of the object's bytes,
    /// and the bytes an upload. An object over its question's size becomes an answer with its
    /// real size and no upload, which validation refuses (`file-too-large`, `invalid-file`);
    /// any other answer with `upload` is left as it is, which validation refuses
    /// (`invalid-file`).
    pub(super) async fn take_staged(
        &self,
        form: &ResolvedForm,
        id: Uuid,
        data: &mut Map<String, Value>,
    ) -> Result<Staged, StagedError> {
        let mut staged = Staged::default();
        let mut left = self.staged_limit;
        for slot in staged_slots(form, data) {
            let Some(answer) = at(data, &slot.place) else {
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
            let limit = slot
                .field
                .max_size_mb
                .map_or(DEFAULT_MAX_BYTES, |mb| max_file_bytes(mb) as u64);
            let bytes = match self.store.get_at_most(&key, limit.min(left)).await? {
                Bounded::Missing => continue,
                Bounded::TooLarge(size) if size > limit => {
                    let described = json!({
                        "name": answer.get("name").cloned().unwrap_or(Value::Null),
                        "type": answer.get("type").cloned().unwrap_or(Value::Null),
                        "size": size,
                    });
                    if let Some(place) = at_mut(data, &slot.place) {
                        *place = described;
                    }
                    continue;
                }
                Bounded::TooLarge(_) => return Err(StagedError::TooLarge(self.staged_limit)),
                Bounded::Found(bytes) => bytes,
            };
            left -= bytes.len() as u64;
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
            if let Some(place) = at_mut(data, &slot.place) {
                *place = replaced;
            }
            staged.uploads.push(Upload {
                field: slot.path,
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

/// The answers in `data` that may name a staged upload: objects with `upload` at the places
/// of `form`'s file questions, top level or in a group (one level deep), a list's entries
/// up to its `repeat` maximum and at most [`MAX_ENTRIES`]. Nothing else is looked at, so a
/// post cannot make the function read more files than the form has questions for.
fn staged_slots<'f>(form: &'f ResolvedForm, data: &Map<String, Value>) -> Vec<Slot<'f>> {
    fn file(field: &Field, value: &Value) -> bool {
        field.kind == FieldType::File && value.get("upload").is_some()
    }
    let mut out = Vec::new();
    for field in form.form.fields() {
        let Some(value) = data.get(&field.id) else {
            continue;
        };
        let top = Step::Key(field.id.clone());
        if file(field, value) {
            out.push(Slot {
                path: field.id.clone(),
                place: vec![top],
                field,
            });
            continue;
        }
        if field.kind != FieldType::Group {
            continue;
        }
        let entries: Vec<(Option<usize>, &Map<String, Value>)> = match (field.repeat, value) {
            (None, Value::Object(entry)) => vec![(None, entry)],
            (Some(repeat), Value::Array(entries)) => {
                let most = repeat
                    .max
                    .map_or(MAX_ENTRIES, |m| (m as usize).min(MAX_ENTRIES));
                entries
                    .iter()
                    .take(most)
                    .enumerate()
                    .filter_map(|(i, e)| e.as_object().map(|e| (Some(i), e)))
                    .collect()
            }
            _ => continue,
        };
        for (i, entry) in entries {
            for child in field.fields.iter().filter(|c| c.is_question()) {
                if !entry.get(&child.id).is_some_and(|v| file(child, v)) {
                    continue;
                }
                let mut place = vec![top.clone()];
                let mut path = field.id.clone();
                if let Some(i) = i {
                    place.push(Step::Entry(i));
                    path = format!("{path}.{i}");
                }
                place.push(Step::Key(child.id.clone()));
                out.push(Slot {
                    path: format!("{path}.{}", child.id),
                    place,
                    field: child,
                });
            }
        }
    }
    out
}

fn at<'a>(data: &'a Map<String, Value>, place: &[Step]) -> Option<&'a Value> {
    let (Step::Key(first), rest) = place.split_first()? else {
        return None;
    };
    rest.iter()
        .try_fold(data.get(first)?, |value, step| match step {
            Step::Key(k) => value.get(k),
            Step::Entry(i) => value.get(i),
        })
}

fn at_mut<'a>(data: &'a mut Map<String, Value>, place: &[Step]) -> Option<&'a mut Value> {
    let (Step::Key(first), rest) = place.split_first()? else {
        return None;
    };
    rest.iter()
        .try_fold(data.get_mut(first)?, |value, step| match step {
            Step::Key(k) => value.get_mut(k),
            Step::Entry(i) => value.get_mut(i),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_in_the_answers_is_reached_through_members_and_list_entries() {
        let mut data = json!({
            "erlaubnis": { "name": "a.pdf", "upload": "x" },
            "hunde": [ { "impfpass": { "upload": "y" } } ],
        })
        .as_object()
        .unwrap()
        .clone();
        let place = [
            Step::Key("hunde".into()),
            Step::Entry(0),
            Step::Key("impfpass".into()),
        ];
        assert_eq!(at(&data, &place), Some(&json!({ "upload": "y" })));
        *at_mut(&mut data, &place).unwrap() = json!(1);
        assert_eq!(data["hunde"], json!([{ "impfpass": 1 }]));
        assert_eq!(
            at(&data, &[Step::Key("hunde".into()), Step::Entry(1)]),
            None
        );
        assert_eq!(at(&data, &[Step::Entry(0)]), None);
    }
}
