//! The JSON Schema of the form language itself — of the files a process designer writes, not
//! of the answers (that is `schema`): a catalog form, an overlay, a `municipality.yaml`. It is
//! derived from the model types with `schemars`, so it follows every key serde reads
//! (kebab-case, `deny_unknown_fields` as `additionalProperties: false`) and cannot fall behind
//! them. Editors read it through the `# yaml-language-server: $schema=…` line at the top of each
//! YAML file: they complete keys and flag unknown ones while the designer types. `check`
//! remains the judge (ids, references, languages, positions); the schema is the quick help.

use serde_json::Value;

use crate::model::{Form, Municipality, Overlay};

/// One schema file: its name and content.
pub struct LanguageSchema {
    /// The file name, e.g. `catalog-form.schema.json`.
    pub file: &'static str,
    /// What it describes, for its title.
    pub title: &'static str,
    pub schema: Value,
}

/// The file names, in the folder `formfabrik schema --out` writes (the repository keeps them
/// in `forms/schema/`).
pub const CATALOG_FORM: &str = "catalog-form.schema.json";
pub const OVERLAY: &str = "overlay.schema.json";
pub const MUNICIPALITY: &str = "municipality.schema.json";

/// The three schemas of the form language.
pub fn language_schemas() -> Vec<LanguageSchema> {
    let one = |file, title: &'static str, schema: schemars::Schema| {
        let mut schema = schema.to_value();
        languages_only(&mut schema);
        text_blocks(&mut schema);
        schema["title"] = Value::String(title.into());
        LanguageSchema {
            file,
            title,
            schema,
        }
    };
    vec![
        one(
            CATALOG_FORM,
            "Formfabrik catalog form (forms/catalog/<id>.yaml)",
            schemars::schema_for!(Form),
        ),
        one(
            OVERLAY,
            "Formfabrik overlay (forms/municipalities/<m>/forms/<id>.yaml)",
            schemars::schema_for!(Overlay),
        ),
        one(
            MUNICIPALITY,
            "Formfabrik municipality (forms/municipalities/<m>/municipality.yaml)",
            schemars::schema_for!(Municipality),
        ),
    ]
}

/// A text (`{ de: …, en: … }`) is a map of strings, and every map of strings in the language is
/// keyed by language code (texts, and the legal pages' files per language): each gets the
/// language codes as its only keys, so an editor flags `eng:` or a setting indented into a text
/// as `check` does.
fn languages_only(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            // `Option<Text>` is `"type": ["object", "null"]`.
            let is_object = match object.get("type") {
                Some(Value::String(t)) => t == "object",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
                _ => false,
            };
            let string_map = is_object
                && object.get("additionalProperties")
                    == Some(&serde_json::json!({ "type": "string" }));
            if string_map {
                let codes: Vec<Value> = crate::languages::LANGUAGES
                    .iter()
                    .map(|(code, _, _)| Value::String((*code).into()))
                    .collect();
                object.insert("propertyNames".into(), serde_json::json!({ "enum": codes }));
            }
            object.values_mut().for_each(languages_only);
        }
        Value::Array(items) => items.iter_mut().for_each(languages_only),
        _ => {}
    }
}

/// A question needs its `label`; a text-block (one struct with the questions in the model, so
/// the derived schema cannot tell them apart) needs its `text` and takes none of the keys only
/// a question has — the rule `check` applies (lint's `text_block`), said to the editor.
fn text_blocks(schema: &mut Value) {
    let Some(field) = schema.pointer_mut("/$defs/Field") else {
        return;
    };
    let question_keys = ["label", "hint", "required", "required-if", "autocomplete"]
        .map(|k| serde_json::json!({ "required": [k] }));
    let object = field.as_object_mut().expect("Field is an object schema");
    object.insert(
        "if".into(),
        serde_json::json!({ "properties": { "type": { "const": "text-block" } } }),
    );
    object.insert(
        "then".into(),
        serde_json::json!({ "required": ["text"], "not": { "anyOf": question_keys } }),
    );
    object.insert("else".into(), serde_json::json!({ "required": ["label"] }));
}

/// The schema file a YAML file under a `forms/` folder follows, by where it lies (its path
/// relative to `forms/`), and the relative reference to it from that file for the
/// `# yaml-language-server: $schema=` line. `None` for files that are no part of the language.
pub fn schema_for_path(relative: &std::path::Path) -> Option<(&'static str, String)> {
    let parts: Vec<&str> = relative.iter().filter_map(|p| p.to_str()).collect();
    let (file, depth) = match parts.as_slice() {
        ["catalog", _] => (CATALOG_FORM, 1),
        ["catalog", "archive", _] => (CATALOG_FORM, 2),
        ["municipalities", _, "municipality.yaml"] => (MUNICIPALITY, 2),
        ["municipalities", _, "forms", _] => (OVERLAY, 3),
        _ => return None,
    };
    Some((file, format!("{}schema/{file}", "../".repeat(depth))))
}

/// The first line of a YAML file at `relative` (to `forms/`) that points editors at its schema.
pub fn modeline(relative: &std::path::Path) -> Option<String> {
    schema_for_path(relative)
        .map(|(_, reference)| format!("# yaml-language-server: $schema={reference}"))
}
