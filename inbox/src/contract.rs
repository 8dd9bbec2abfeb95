//! The importer contract: what the build publishes for each form version below `dist/schemas`
//! (its JSON Schema and the CSV column spec of `formfabrik inbox export`), and its fixtures.
//! Beside them, the form version as it was published ([`PublishedForm`]): what the back
//! office needs to make the receipt of a submission after the form has moved on to a newer
//! version. The build writes every file under the version's name and never removes one, so
//! `dist/schemas` keeps each version a municipality ever published.
//!
//! The fixtures: for every published form version, the example
//! submissions (`tests/fixtures/submissions/<form>@<version>/*.json`) as the records an import
//! job receives, written next to the JSON Schema as
//! `dist/schemas/<m>/<form>/v<version>.fixtures/<name>.json` by `formfabrik inbox contract`.
//!
//! A catalog example is adapted to the municipality's version of the form where it does not
//! fit: a language the municipality does not offer becomes the form's first language, a field
//! its overlay removed is dropped, and a field its overlay made required gets its first option
//! (or a placeholder text). Examples
//! still invalid after that are reported, not written.

use std::path::Path;
use std::sync::{Arc, Mutex};

use form_model::bounded::{Bounded, bounded};
use form_model::model::{Contact, Form};
use form_model::record::SubmissionRecord;
use form_model::registry::Registry;
use form_model::resolve::ResolvedForm;
use form_model::validate::{CleanData, ErrorCode, FieldError, Submission, validate};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

use crate::InboxError;
use crate::export::{FIXED_COLUMNS, columns};

/// `<municipality>/<form>/v<version>`: a published form version's name below `dist/schemas`.
pub fn name(municipality: &str, form: &str, version: u32) -> String {
    format!("{municipality}/{form}/v{version}")
}

/// The name of a form's contract (see [`name`]).
pub fn name_of(form: &ResolvedForm) -> String {
    name(&form.municipality.id, &form.form.id, form.form.version)
}

/// `<name>.schema.json`: the JSON Schema of the form version `name`.
pub fn schema_file(name: &str) -> String {
    format!("{name}.schema.json")
}

/// `<name>.form.json`: the form version `name` as it was published ([`PublishedForm`]).
pub fn form_file(name: &str) -> String {
    format!("{name}.form.json")
}

/// The `format` of [`PublishedForm`] files written by this version.
pub const PUBLISHED_FORM_FORMAT: &str = "formfabrik.published-form/1";

/// A form version as a municipality published it (`<name>.form.json`): the resolved form the
/// function validated submissions against, and the authority's contact the receipt names.
/// The registry holds both only for the version published now; this file keeps them once the
/// form has moved on, so a submission of the earlier version still gets its receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PublishedForm {
    pub format: String,
    /// `contact` of `municipality.yaml` when the build published this version.
    pub contact: Contact,
    pub form: ResolvedForm,
}

impl PublishedForm {
    /// Reads `<dir>/<name>.form.json`, checking its format and the form's content hash.
    pub fn read(dir: &Path, name: &str) -> Result<PublishedForm, String> {
        let path = dir.join(form_file(name));
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let published: PublishedForm =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        if published.format != PUBLISHED_FORM_FORMAT {
            return Err(format!(
                "{}: format is \"{}\", this version reads \"{PUBLISHED_FORM_FORMAT}\"",
                path.display(),
                published.format
            ));
        }
        if published.form.content_hash() != published.form.sha256 {
            return Err(format!(
                "{}: content hash does not match (edited by hand?)",
                path.display()
            ));
        }
        Ok(published)
    }
}

/// The files the build publishes for `form` of a municipality with `contact`, relative to
/// `dist/schemas`: its JSON Schema, its CSV column spec (`<name>.csv-columns.json`) and the
/// form as published (`<name>.form.json`).
pub fn published(form: &ResolvedForm, contact: &Contact) -> Vec<(String, Vec<u8>)> {
    let form_json = serde_json::to_string(&*form.form).expect("forms serialize");
    published_with_form_json(form, contact, &form_json)
}

/// [`published`] with the JSON of `form.form` (`serde_json::to_string`) given: a build that
/// publishes one shared form for thousands of municipalities serializes it once.
pub fn published_with_form_json(
    form: &ResolvedForm,
    contact: &Contact,
    form_json: &str,
) -> Vec<(String, Vec<u8>)> {
    let (schema, columns) = schema_and_columns(form);
    files(form, contact, form_json, schema, columns)
}

/// The files of [`published`], from the texts of the schema and the column spec.
fn files(
    form: &ResolvedForm,
    contact: &Contact,
    form_json: &str,
    schema: String,
    columns: String,
) -> Vec<(String, Vec<u8>)> {
    let name = name_of(form);
    vec![
        (
            form_file(&name),
            (published_form_json(form, contact, form_json) + "\n").into_bytes(),
        ),
        (schema_file(&name), schema.into_bytes()),
        (format!("{name}.csv-columns.json"), columns.into_bytes()),
    ]
}

/// The texts of `<name>.schema.json` and `<name>.csv-columns.json` of `form`.
fn schema_and_columns(form: &ResolvedForm) -> (String, String) {
    let schema = form_model::schema::json_schema(form);
    let columns = column_spec(&schema);
    (
        serde_json::to_string_pretty(&schema).expect("schemas serialize"),
        serde_json::to_string_pretty(&columns).expect("JSON serializes") + "\n",
    )
}

/// The importer contracts of shared forms (form-model's resolve shares one `Arc<Form>` among
/// the municipalities that publish the same form): the JSON Schema and column spec of a shared
/// form in a first language with a LeiKa service differ between municipalities in the schema's
/// `$id` and the resolved form's sha256 only, so they are made once as text with a
/// placeholder for each and filled in per municipality; the files are the same as
/// [`published_with_form_json`] writes.
#[derive(Debug)]
pub struct SharedContracts(Mutex<Bounded<SharedKey, Kept>>);

/// How many shared forms' texts are kept: the forms a chunk of municipalities publishes, with
/// room to spare; the ones used least recently are let go of first (and made again if asked
/// for), so a country's build does not keep one per distinct form.
const KEPT_CONTRACTS: usize = 256;

impl Default for SharedContracts {
    fn default() -> SharedContracts {
        SharedContracts(Mutex::new(bounded(KEPT_CONTRACTS)))
    }
}

/// A shared form's address, the form's first language and its service.
type SharedKey = (usize, String, Option<String>);
/// The form (kept alive, so its address stays its own) and the texts with placeholders; `None`
/// when a placeholder did not come out exactly once where it belongs (then each municipality's
/// texts are made on their own).
type Kept = (Arc<Form>, Option<Arc<(String, String)>>);

/// Placeholders for the `$id` and the sha256 (texts with a placeholder found other than once
/// where it belongs are not used).
const ID_PLACEHOLDER: &str = "\u{0}formfabrik-schema-id\u{0}";
const SHA_PLACEHOLDER: &str = "\u{0}formfabrik-sha256\u{0}";

impl SharedContracts {
    /// [`published_with_form_json`], from the texts made once per shared form.
    pub fn published(
        &self,
        form: &ResolvedForm,
        contact: &Contact,
        form_json: &str,
    ) -> Vec<(String, Vec<u8>)> {
        let Some(texts) = self.texts(form) else {
            return published_with_form_json(form, contact, form_json);
        };
        let quoted = |s: &str| serde_json::to_string(s).expect("strings serialize");
        let id = quoted(&form_model::schema::schema_id(form));
        let schema = texts.0.replacen(&quoted(ID_PLACEHOLDER), &id, 1).replacen(
            &quoted(SHA_PLACEHOLDER),
            &quoted(&form.sha256),
            1,
        );
        let columns = texts.1.replacen(&quoted(ID_PLACEHOLDER), &id, 1);
        files(form, contact, form_json, schema, columns)
    }

    /// The texts with placeholders of `form`'s shared form, made the first time they are asked
    /// for.
    fn texts(&self, form: &ResolvedForm) -> Option<Arc<(String, String)>> {
        let key: SharedKey = (
            Arc::as_ptr(&form.form) as usize,
            form.languages.first().cloned().unwrap_or_default(),
            form.service.clone(),
        );
        if let Some((_, texts)) = self.0.lock().expect("contracts lock").get(&key) {
            return texts.clone();
        }
        let mut schema = form_model::schema::json_schema(form);
        schema["$id"] = json!(ID_PLACEHOLDER);
        schema["x-formfabrik-form"]["sha256"] = json!(SHA_PLACEHOLDER);
        let columns = column_spec(&schema);
        let texts = (
            serde_json::to_string_pretty(&schema).expect("schemas serialize"),
            serde_json::to_string_pretty(&columns).expect("JSON serializes") + "\n",
        );
        let quoted = |s: &str| serde_json::to_string(s).expect("strings serialize");
        let (id, sha) = (quoted(ID_PLACEHOLDER), quoted(SHA_PLACEHOLDER));
        let fits = texts.0.matches(&id).count() == 1
            && texts.0.matches(&sha).count() == 1
            && texts.1.matches(&id).count() == 1
            && !texts.1.contains(&sha);
        let texts = fits.then(|| Arc::new(texts));
        self.0
            .lock()
            .expect("contracts lock")
            .get_or_insert(key, || (Arc::clone(&form.form), texts))
            .1
            .clone()
    }
}

/// The JSON of the [`PublishedForm`] of `form` with `contact`, exactly as `serde_json::to_string`
/// writes it, with the form's own JSON (`form_json`) put in as it is: the fields of
/// `PublishedForm` and `ResolvedForm` in their order, `service` left out when there is none.
fn published_form_json(form: &ResolvedForm, contact: &Contact, form_json: &str) -> String {
    fn json<T: Serialize + ?Sized>(value: &T) -> String {
        serde_json::to_string(value).expect("JSON serializes")
    }
    let mut out = String::with_capacity(form_json.len() + 1024);
    out.push_str("{\"format\":");
    out.push_str(&json(PUBLISHED_FORM_FORMAT));
    out.push_str(",\"contact\":");
    out.push_str(&json(contact));
    out.push_str(",\"form\":{\"municipality\":");
    out.push_str(&json(&form.municipality));
    out.push_str(",\"languages\":");
    out.push_str(&json(&form.languages));
    out.push_str(",\"form\":");
    out.push_str(form_json);
    if let Some(service) = &form.service {
        out.push_str(",\"service\":");
        out.push_str(&json(service));
    }
    out.push_str(",\"sha256\":");
    out.push_str(&json(&form.sha256));
    out.push_str("}}");
    out
}

/// The column spec for a form's JSON Schema, as published next to it
/// (`dist/schemas/<m>/<form>/v<version>.csv-columns.json`): every column in order with the
/// property it comes from, its JSON type and title.
pub fn column_spec(schema: &Value) -> Value {
    let fixed = FIXED_COLUMNS
        .iter()
        .map(|c| json!({ "column": c, "from": format!("record.{c}") }));
    let props = schema.get("properties");
    let data = columns(schema).into_iter().map(|c| {
        let mut prop = props.and_then(|p| p.get(&c.property));
        if let Some(sub) = &c.sub {
            prop = prop.and_then(|p| p.pointer(&format!("/properties/{sub}")));
        }
        let from = match &c.sub {
            Some(sub) => format!("data.{}.{sub}", c.property),
            None => format!("data.{}", c.property),
        };
        json!({
            "column": c.name(),
            "from": from,
            "type": prop.and_then(|p| p.get("type")).cloned().unwrap_or(Value::Null),
            "title": prop.and_then(|p| p.get("title")).cloned().unwrap_or(Value::Null),
        })
    });
    json!({
        "format": "formfabrik.csv-columns/1",
        "schema": schema.get("$id").cloned().unwrap_or(Value::Null),
        "formula_injection": "cells starting with =, +, -, @, tab or CR are prefixed with '",
        "columns": fixed.chain(data).collect::<Vec<_>>(),
    })
}

/// Validates `example` for `form`, adapting it as the module docs say. `Err` holds the errors
/// that remain.
pub fn adapt(
    form: &ResolvedForm,
    example: &mut Submission,
    today: Date,
) -> Result<CleanData, Vec<FieldError>> {
    let mut last = Vec::new();
    for _ in 0..5 {
        let errors = match validate(form, example, today) {
            Ok(clean) => return Ok(clean),
            Err(errors) => errors,
        };
        let mut changed = false;
        for e in &errors {
            match e.code {
                ErrorCode::UnknownLanguage => {
                    example.language = form.languages[0].clone();
                    changed = true;
                }
                ErrorCode::UnknownField => {
                    changed |= example.data.remove(&e.field).is_some();
                }
                ErrorCode::Required => {
                    let Some(field) = form.top_level_field(&e.field) else {
                        continue;
                    };
                    use form_model::model::FieldType;
                    let value = match (field.kind, field.options.first()) {
                        (FieldType::Checkboxes, Some(o)) => json!([o.value]),
                        (_, Some(o)) => json!(o.value),
                        (FieldType::Tel, None) => json!("0641 123456"),
                        (FieldType::Email, None) => json!("beispiel@example.org"),
                        _ => json!("Pflichtangabe Beispiel"),
                    };
                    example.data.insert(e.field.clone(), value);
                    changed = true;
                }
                _ => {}
            }
        }
        last = errors;
        if !changed {
            break;
        }
    }
    Err(last)
}

/// What [`write_fixtures`] did.
#[derive(Debug, Default)]
pub struct ContractReport {
    pub written: usize,
    /// `<m>/<form>/v<n>/<example>: <errors>`
    pub invalid: Vec<String>,
    /// Published form versions without any fixture.
    pub without_fixtures: Vec<String>,
}

/// Writes the fixtures of every form in `registry` below `schemas_dir`, from the examples in
/// `examples_dir`, valid on `today`.
pub fn write_fixtures(
    registry: &Registry,
    examples_dir: &Path,
    schemas_dir: &Path,
    today: Date,
) -> Result<ContractReport, InboxError> {
    let io = |p: &Path, e: std::io::Error| InboxError::Io(format!("{}: {e}", p.display()));
    let mut report = ContractReport::default();
    for form in &registry.forms {
        let name = name_of(form);
        let dir = examples_dir.join(format!("{}@{}", form.form.id, form.form.version));
        let mut files: Vec<_> = match std::fs::read_dir(&dir) {
            Ok(d) => d.flatten().map(|e| e.path()).collect(),
            Err(_) => Vec::new(),
        };
        files.retain(|p| p.extension().is_some_and(|e| e == "json"));
        files.sort();
        let out = schemas_dir.join(format!("{name}.fixtures"));
        let mut written = 0;
        for path in files {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
            let mut example: Submission = serde_json::from_str(&text)
                .map_err(|e| InboxError::Io(format!("{}: {e}", path.display())))?;
            let clean = match adapt(form, &mut example, today) {
                Ok(clean) => clean,
                Err(errors) => {
                    let codes: Vec<String> = errors
                        .iter()
                        .map(|e| format!("{} {:?}", e.field, e.code))
                        .collect();
                    report
                        .invalid
                        .push(format!("{name}/{stem}: {}", codes.join(", ")));
                    continue;
                }
            };
            let record = fixture_record(form, &stem, &example.language, clean, today);
            std::fs::create_dir_all(&out).map_err(|e| io(&out, e))?;
            let target = out.join(format!("{stem}.json"));
            let json = serde_json::to_string_pretty(&record).expect("records serialize") + "\n";
            std::fs::write(&target, json).map_err(|e| io(&target, e))?;
            written += 1;
        }
        if written == 0 {
            report.without_fixtures.push(name);
        }
        report.written += written;
    }
    Ok(report)
}

/// The record an importer receives for a fixture: id derived from the form and the fixture's
/// name, received at noon UTC on `today`. File fields keep the example's description; no
/// attachments are included.
pub fn fixture_record(
    form: &ResolvedForm,
    name: &str,
    language: &str,
    data: CleanData,
    today: Date,
) -> SubmissionRecord {
    let digest = Sha256::digest(format!("{}/{name}", name_of(form)));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    let received = OffsetDateTime::new_utc(today, time::Time::from_hms(12, 0, 0).expect("noon"));
    SubmissionRecord::new(form, id, received, language, data, Vec::new())
}
