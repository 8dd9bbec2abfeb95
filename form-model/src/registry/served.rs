//! The function's view of a registry: [`ServedRegistry`] keeps each form entry's JSON unparsed
//! until the form's first request. Parsing every form of a registry was about half of the
//! function's cold start, although an instance serves a few forms at most.
//!
//! Checked at start, as by [`Registry::from_json_hashing_on_use`]: the registry's shape (the
//! entries as JSON; each entry's municipality id and form id), its format, municipalities
//! listed twice, forms listed twice, forms of an unlisted municipality. Checked on a form's
//! first request: that its entry is a resolved form this version reads, then its hash. A form
//! that fails either is never handed out ([`ServedRegistry::lookup`] says why, every time).

use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use super::{
    EarlierVersion, Registry, RegistryError, RegistryIndex, RegistryMunicipality, check_index,
    hash_checked,
};
use crate::resolve::ResolvedForm;

/// A registry whose forms are parsed on their first lookup, then remembered.
#[derive(Debug)]
pub struct ServedRegistry {
    pub format: String,
    pub municipalities: Vec<RegistryMunicipality>,
    pub earlier_versions: Vec<EarlierVersion>,
    forms: Vec<ServedForm>,
}

/// One entry of `forms`: what the start read of it, and the form.
#[derive(Debug)]
struct ServedForm {
    municipality: String,
    form: String,
    entry: Entry,
}

#[derive(Debug)]
enum Entry {
    /// Given parsed (a [`Registry`] made into a `ServedRegistry`).
    Parsed(ResolvedForm),
    /// The entry's JSON as the file has it; parsed on the first lookup (the error's text when
    /// it is not a resolved form).
    Unparsed {
        json: Box<RawValue>,
        parsed: OnceLock<Result<ResolvedForm, String>>,
    },
}

/// The registry file with its form entries kept as JSON text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    format: String,
    municipalities: Vec<RegistryMunicipality>,
    forms: Vec<Box<RawValue>>,
    #[serde(default)]
    earlier_versions: Vec<EarlierVersion>,
}

/// An entry's municipality id and form id, read from its JSON: the members before them are
/// skipped, the rest (the form's other members, most of the entry: the generator writes `id`
/// first) is not read at all. `None` when the entry has no such ids (a member missing, not an
/// object, an id not a string): then [`EntryIds`] reads the whole entry and says what is wrong.
fn entry_ids(entry: &str) -> Option<(String, String)> {
    let id_of = |key: &str| {
        let object = member_at(entry, 0, key)?;
        Some(value_at::<String>(entry, member_at(entry, object, "id")?)?.0)
    };
    Some((id_of("municipality")?, id_of("form")?))
}

/// Where the value of member `key` of the JSON object at offset `at` of `text` begins: the
/// members before it are skipped, those after it are not read. `None` when the object has no
/// such member or is not an object. (`text` is valid JSON: it was read as a `RawValue`.)
fn member_at(text: &str, at: usize, key: &str) -> Option<usize> {
    let mut i = after_whitespace(text, at);
    if text.as_bytes().get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        let (name, end) = value_at::<String>(text, after_whitespace(text, i))?;
        i = after_whitespace(text, end);
        if text.as_bytes().get(i) != Some(&b':') {
            return None;
        }
        i = after_whitespace(text, i + 1);
        if name == key {
            return Some(i);
        }
        let (_, end) = value_at::<IgnoredAny>(text, i)?;
        i = after_whitespace(text, end);
        if text.as_bytes().get(i) != Some(&b',') {
            return None;
        }
        i += 1;
    }
}

/// The JSON value at offset `at` of `text` and the offset right after it.
fn value_at<'de, T: Deserialize<'de>>(text: &'de str, at: usize) -> Option<(T, usize)> {
    let mut values = serde_json::Deserializer::from_str(text.get(at..)?).into_iter::<T>();
    let value = values.next()?.ok()?;
    Some((value, at + values.byte_offset()))
}

fn after_whitespace(text: &str, at: usize) -> usize {
    at + text.as_bytes()[at.min(text.len())..]
        .iter()
        .take_while(|b| b.is_ascii_whitespace())
        .count()
}

/// What the start reads of an entry that [`entry_ids`] cannot: the municipality's and the
/// form's id (serde skips the rest without building it).
#[derive(Deserialize)]
struct EntryIds {
    municipality: Id,
    form: Id,
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

impl ServedRegistry {
    /// Reads a registry and checks what needs no form parsed (see the module's doc).
    pub fn from_json(text: &str) -> Result<ServedRegistry, RegistryError> {
        let shape = |e: serde_json::Error| RegistryError::Shape(e.to_string());
        let file: File = serde_json::from_str(text).map_err(shape)?;
        let forms = file
            .forms
            .into_iter()
            .map(|json| {
                let (municipality, form) = match entry_ids(json.get()) {
                    Some(ids) => ids,
                    None => {
                        let ids: EntryIds = serde_json::from_str(json.get()).map_err(shape)?;
                        (ids.municipality.id, ids.form.id)
                    }
                };
                Ok(ServedForm {
                    municipality,
                    form,
                    entry: Entry::Unparsed {
                        json,
                        parsed: OnceLock::new(),
                    },
                })
            })
            .collect::<Result<Vec<_>, RegistryError>>()?;
        let registry = ServedRegistry {
            format: file.format,
            municipalities: file.municipalities,
            earlier_versions: file.earlier_versions,
            forms,
        };
        check_index(
            &registry.format,
            &registry.municipalities,
            registry.published_forms(),
        )?;
        Ok(registry)
    }

    /// How many form entries the registry has.
    pub fn form_count(&self) -> usize {
        self.forms.len()
    }

    pub fn municipality(&self, id: &str) -> Option<&RegistryMunicipality> {
        self.municipalities.iter().find(|m| m.id == id)
    }

    /// The form `form` as `municipality` publishes it; `None` also when it cannot be used (see
    /// [`ServedRegistry::lookup`], which says why).
    pub fn form(&self, municipality: &str, form: &str) -> Option<&ResolvedForm> {
        self.lookup(municipality, form)?.ok()
    }

    /// The form `form` as `municipality` publishes it, or why it cannot be used: its entry is
    /// not a resolved form this version reads ([`RegistryError::FormShape`]) or its hash does
    /// not match its content ([`RegistryError::Hash`]). Parsed and hashed on the first lookup.
    pub fn lookup(
        &self,
        municipality: &str,
        form: &str,
    ) -> Option<Result<&ResolvedForm, RegistryError>> {
        let found = self
            .forms
            .iter()
            .find(|f| f.municipality == municipality && f.form == form)?;
        Some(found.resolved())
    }
}

impl ServedForm {
    fn resolved(&self) -> Result<&ResolvedForm, RegistryError> {
        let parsed = match &self.entry {
            Entry::Parsed(f) => f,
            Entry::Unparsed { json, parsed } => parsed
                .get_or_init(|| serde_json::from_str(json.get()).map_err(|e| e.to_string()))
                .as_ref()
                .map_err(|message| RegistryError::FormShape {
                    municipality: self.municipality.clone(),
                    form: self.form.clone(),
                    message: message.clone(),
                })?,
        };
        hash_checked(parsed)
    }
}

impl RegistryIndex for ServedRegistry {
    fn municipalities(&self) -> &[RegistryMunicipality] {
        &self.municipalities
    }

    fn published_forms(&self) -> impl Iterator<Item = (&str, &str)> {
        self.forms
            .iter()
            .map(|f| (f.municipality.as_str(), f.form.as_str()))
    }
}

/// A registry with its forms parsed already (built by the generator, or read whole): each form
/// is still handed out only when its hash matches ([`ResolvedForm::hash_matches`]).
impl From<Registry> for ServedRegistry {
    fn from(registry: Registry) -> ServedRegistry {
        ServedRegistry {
            format: registry.format,
            municipalities: registry.municipalities,
            earlier_versions: registry.earlier_versions,
            forms: registry
                .forms
                .into_iter()
                .map(|f| ServedForm {
                    municipality: f.municipality.id.clone(),
                    form: f.form.id.clone(),
                    entry: Entry::Parsed(f),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entrys_ids_are_read_wherever_its_members_are_and_however_it_is_spaced() {
        let ids = |text: &str| entry_ids(text).map(|(m, f)| format!("{m}/{f}"));
        let written = r#"{
          "municipality": { "id": "musterstadt", "name": "M", "ags": "1" },
          "languages": ["de", "en"],
          "form": { "id": "sperrmuell", "version": 1, "steps": [] },
          "sha256": "00"
        }"#;
        assert_eq!(ids(written).as_deref(), Some("musterstadt/sperrmuell"));
        let reordered = r#"{"form":{"steps":[{"a":[1,2.5e3,null,"}"]}],"id":"b\u00e4r"},"sha256":"0","municipality":{"ags":"1","id":"m"}}"#;
        assert_eq!(ids(reordered).as_deref(), Some("m/bär"));
        // Not there, or not a string: the whole entry is read instead (and says what is wrong).
        assert_eq!(
            ids(r#"{"municipality":{"id":"m"},"form":{"version":1}}"#),
            None
        );
        assert_eq!(ids(r#"{"municipality":{"id":"m"},"form":{"id":7}}"#), None);
        assert_eq!(ids(r#"{"municipality":{"id":"m"},"form":[]}"#), None);
        assert_eq!(ids("{}"), None);
    }
}
