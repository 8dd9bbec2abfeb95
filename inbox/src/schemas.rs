//! The forms' JSON Schemas an import checks `data` against: read from `dist/schemas` (the
//! importer contract `formfabrik build` writes) or made from a registry (tests), compiled once
//! per form version.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::{Entry, InboxError, contract};

/// The forms' JSON Schemas (the importer contract), by `<municipality>/<form>/v<version>`.
pub struct Schemas {
    source: SchemaSource,
    compiled: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

enum SchemaSource {
    /// `dist/schemas`: `<municipality>/<form>/v<version>.schema.json`
    Dir(PathBuf),
    Values(HashMap<String, Value>),
}

impl Schemas {
    /// Reads schemas from `dist/schemas` as `formfabrik build` writes them.
    pub fn from_dir(dir: impl Into<PathBuf>) -> Schemas {
        Schemas {
            source: SchemaSource::Dir(dir.into()),
            compiled: Mutex::default(),
        }
    }

    /// Schemas of every form in a registry.
    pub fn from_registry(registry: &form_model::registry::Registry) -> Schemas {
        let values = registry
            .forms
            .iter()
            .map(|f| (contract::name_of(f), form_model::schema::json_schema(f)))
            .collect();
        Schemas {
            source: SchemaSource::Values(values),
            compiled: Mutex::default(),
        }
    }

    pub(crate) fn validator(
        &self,
        entry: &Entry,
    ) -> Result<Arc<jsonschema::Validator>, InboxError> {
        let name = contract::name(&entry.municipality, &entry.form, entry.version);
        if let Some(v) = self.compiled.lock().expect("lock").get(&name) {
            return Ok(v.clone());
        }
        let no_schema = || InboxError::NoSchema {
            key: entry.record_key(),
            schema: name.clone(),
        };
        let schema = match &self.source {
            SchemaSource::Values(values) => values.get(&name).cloned().ok_or_else(no_schema)?,
            SchemaSource::Dir(dir) => {
                let path = dir.join(contract::schema_file(&name));
                let text = std::fs::read_to_string(&path).map_err(|_| no_schema())?;
                serde_json::from_str(&text)
                    .map_err(|e| InboxError::Io(format!("{}: {e}", path.display())))?
            }
        };
        let validator = jsonschema::draft202012::new(&schema)
            .map_err(|e| InboxError::Io(format!("schema {name} does not compile: {e}")))?;
        let validator = Arc::new(validator);
        self.compiled
            .lock()
            .expect("lock")
            .insert(name, validator.clone());
        Ok(validator)
    }
}
