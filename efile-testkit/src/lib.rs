//! Test support for the e-file crates (`receipt`, `xdomea`): every catalog form of the
//! repository, resolved through form-model's public API for a sample municipality in every site
//! language, and its example submissions (`tests/fixtures/submissions`) as the function stores
//! them — a validated record, its bytes, and attachments with content of the declared size.
//!
//! Everything is derived from the fixtures and fixed dates, so two runs (or two processes) see
//! the same records byte for byte.

use std::path::{Path, PathBuf};

use form_model::model::{Field, FieldType};
use form_model::record::{Attachment, SubmissionRecord};
use form_model::resolve::{MunicipalityRef, ResolvedForm};
use form_model::{Municipality, Submission, validate};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha512};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The day the examples are validated on (their dates are chosen to be valid then).
pub const TODAY: Date = date!(2026 - 11 - 28);
/// When the example submissions were received.
pub const RECEIVED_AT: OffsetDateTime = datetime!(2026-11-28 11:30:00 UTC);
/// The site languages.
pub const LANGUAGES: [&str; 3] = ["de", "en", "ar"];
/// The municipality whose configuration the samples use.
pub const MUNICIPALITY: &str = "musterstadt";

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The catalog and the sample municipality.
pub struct Catalog {
    pub municipality: Municipality,
    /// Every catalog form version (archived ones too), as the sample municipality would
    /// publish it in German, English and Arabic.
    pub forms: Vec<ResolvedForm>,
}

impl Catalog {
    /// Catalog form `id@version` and its example whose name starts with `example`, in `lang`.
    pub fn example(
        &self,
        id: &str,
        version: u32,
        example: &str,
        lang: &str,
    ) -> (&ResolvedForm, Sample) {
        let form = self
            .forms
            .iter()
            .find(|f| f.form.id == id && f.form.version == version)
            .unwrap_or_else(|| panic!("no catalog form {id}@{version}"));
        let sample = samples(form, lang)
            .into_iter()
            .find(|s| s.name.starts_with(example))
            .unwrap_or_else(|| panic!("{id}@{version} has no example {example}"));
        (form, sample)
    }
}

/// Loads and checks `forms/`; panics with the diagnostics when it has errors.
pub fn catalog() -> Catalog {
    let report = form_model::check(&repo().join("forms"));
    assert!(
        report.is_ok(),
        "forms/ has errors: {:#?}",
        report.diagnostics.items
    );
    let municipality = report
        .project
        .municipalities
        .iter()
        .find(|m| m.config.id == MUNICIPALITY)
        .unwrap_or_else(|| panic!("forms/municipalities/{MUNICIPALITY} is missing"))
        .config
        .clone();
    let forms = report
        .project
        .catalog
        .iter()
        .map(|c| {
            // A form that leaves option lists or an area to the municipality is only complete
            // as a municipality publishes it: take the one this kit stands for.
            let parameters = c
                .form
                .all_fields()
                .any(|f| f.options_from.is_some() || f.within.is_some());
            if parameters
                && let Some(published) = report.resolved.iter().find(|r| {
                    r.municipality.id == municipality.id
                        && r.form.id == c.form.id
                        && r.form.version == c.form.version
                })
            {
                return ResolvedForm::new(
                    published.municipality.clone(),
                    LANGUAGES.iter().map(|l| l.to_string()).collect(),
                    published.form.clone(),
                );
            }
            ResolvedForm::new(
                MunicipalityRef {
                    id: municipality.id.clone(),
                    name: municipality.name.clone(),
                    ags: municipality.ags.clone(),
                },
                LANGUAGES.iter().map(|l| l.to_string()).collect(),
                c.form.clone(),
            )
        })
        .collect();
    Catalog {
        municipality,
        forms,
    }
}

/// An example submission as stored.
#[derive(Debug, Clone)]
pub struct Sample {
    /// `<fixture>.<language>`
    pub name: String,
    pub record: SubmissionRecord,
    /// The record as the function writes it (pretty JSON).
    pub record_bytes: Vec<u8>,
    pub files: Vec<StoredFile>,
}

/// An attachment as stored: its record entry, its object name and its bytes.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub attachment: Attachment,
    /// `<field>-<n>.<ext>`
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Sample {
    /// SHA-512 (hex) of the record's bytes.
    pub fn data_sha512(&self) -> String {
        hex::encode(Sha512::digest(&self.record_bytes))
    }

    /// SHA-512 (hex) of each attachment, in the record's order.
    pub fn attachments_sha512(&self) -> Vec<String> {
        self.files
            .iter()
            .map(|f| hex::encode(Sha512::digest(&f.bytes)))
            .collect()
    }
}

/// The form's example submissions in `language`; panics when one does not validate.
pub fn samples(form: &ResolvedForm, language: &str) -> Vec<Sample> {
    let dir = repo().join(format!(
        "tests/fixtures/submissions/{}@{}",
        form.form.id, form.form.version
    ));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let stem = path.file_stem().expect("file name").to_string_lossy();
            let text = std::fs::read_to_string(path).expect("fixture is readable");
            let mut submission: Submission =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            submission.language = language.to_string();
            let data = validate(form, &submission, TODAY)
                .unwrap_or_else(|e| panic!("{}: does not validate: {e:?}", path.display()));
            let id = derived_id(&format!(
                "{}@{}/{stem}/{language}",
                form.form.id, form.form.version
            ));
            let dir = format!(
                "{}/{}/v{}/2026/11/28/{id}/",
                form.municipality.id, form.form.id, form.form.version
            );
            let files: Vec<StoredFile> = file_answers(&form.form.steps, &data)
                .into_iter()
                .map(|(field, description)| stored_file(&dir, field, &description))
                .collect();
            let attachments = files.iter().map(|f| f.attachment.clone()).collect();
            let record = SubmissionRecord::new(form, id, RECEIVED_AT, language, data, attachments);
            let record_bytes = serde_json::to_vec_pretty(&record).expect("records serialize");
            Sample {
                name: format!("{stem}.{language}"),
                record,
                record_bytes,
                files,
            }
        })
        .collect()
}

fn derived_id(name: &str) -> Uuid {
    let digest = Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Every file answer with its input name, in the order of the form (a file inside a group is
/// `group.child`, inside a list entry `list.<i>.child`).
fn file_answers(
    steps: &[form_model::model::Step],
    data: &Map<String, Value>,
) -> Vec<(String, Map<String, Value>)> {
    let mut out = Vec::new();
    let file = |v: Option<&Value>| v.and_then(Value::as_object).cloned();
    for field in steps.iter().flat_map(|s| s.fields.iter()) {
        match (field.kind, data.get(&field.id)) {
            (FieldType::File, v) => out.extend(file(v).map(|d| (field.id.clone(), d))),
            (FieldType::Group, Some(Value::Array(entries))) => {
                for (i, entry) in entries.iter().enumerate() {
                    out.extend(children(field, entry, &format!("{}.{i}", field.id)));
                }
            }
            (FieldType::Group, Some(entry)) => out.extend(children(field, entry, &field.id)),
            _ => {}
        }
    }
    out
}

fn children(group: &Field, entry: &Value, prefix: &str) -> Vec<(String, Map<String, Value>)> {
    group
        .fields
        .iter()
        .filter(|c| c.kind == FieldType::File)
        .filter_map(|c| {
            let d = entry.get(&c.id)?.as_object()?.clone();
            Some((format!("{prefix}.{}", c.id), d))
        })
        .collect()
}

/// Content of the declared size that starts like a file of the declared type.
fn stored_file(dir: &str, field: String, description: &Map<String, Value>) -> StoredFile {
    let media_type = description["type"].as_str().expect("file type").to_string();
    let size = description["size"].as_u64().expect("file size") as usize;
    let (magic, ext): (&[u8], &str) = match media_type.as_str() {
        "application/pdf" => (b"%PDF-1.7\n", "pdf"),
        "image/png" => (b"\x89PNG\r\n\x1a\n", "png"),
        "image/jpeg" => (b"\xff\xd8\xff\xe0", "jpg"),
        _ => (b"", "bin"),
    };
    let mut bytes = magic.to_vec();
    let mut block = Sha256::digest(field.as_bytes()).to_vec();
    while bytes.len() < size {
        bytes.extend_from_slice(&block);
        block = Sha256::digest(&block).to_vec();
    }
    bytes.truncate(size);
    let safe: String = field
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = format!("{safe}-1.{ext}");
    StoredFile {
        attachment: Attachment {
            field,
            key: format!("{dir}{name}"),
            sha256: hex::encode(Sha256::digest(&bytes)),
            size: bytes.len() as u64,
            media_type,
        },
        name,
        bytes,
    }
}
