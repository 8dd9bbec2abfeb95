//! Export of pulled submissions as CSV (for spreadsheets) and JSON Lines (for programs).
//!
//! CSV columns (per form version; published as its column spec, `crate::contract`): `id`, `reference`, `received_at`,
//! `municipality`, `form`, `version`, `language`, then one column per property of the form's
//! JSON Schema in schema order; an object property (address, file) becomes one column per
//! sub-property (`anschrift.street`, `erlaubnis.sha256`). Lists of texts (checkboxes) are joined
//! with `"; "`; other lists (repeatable groups) are written as compact JSON. Separator `,`,
//! line end CRLF, quoting as RFC 4180, UTF-8 without byte order mark.
//!
//! **Format characters:** a file's name is the citizen's, kept as data; in the CSV, the bidi
//! controls and other invisible format characters in it (U+202A–202E, U+2066–2069, ...) are
//! shown as `<U+202E>`, so `rechnung<U+202E>fdp.exe` cannot pose as `rechnungexe.pdf`.
//! Lists written as JSON, and JSON Lines, carry them as `\u202e` escapes: the same data for a
//! program, visible to a person.
//!
//! **Formula injection:** a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
//! return is prefixed with an apostrophe (`'`), so spreadsheet programs show it as text
//! instead of running it as a formula (OWASP "CSV Injection"). This also applies to a negative
//! number typed as text, e.g. `-5` becomes `'-5`.

use form_model::record::SubmissionRecord;
use serde_json::{Map, Value};

/// The fixed columns before the form's own.
pub const FIXED_COLUMNS: [&str; 7] = [
    "id",
    "reference",
    "received_at",
    "municipality",
    "form",
    "version",
    "language",
];

/// A data column: a property of `data`, or a sub-property of an object property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub property: String,
    pub sub: Option<String>,
}

impl Column {
    pub fn name(&self) -> String {
        match &self.sub {
            Some(sub) => format!("{}.{sub}", self.property),
            None => self.property.clone(),
        }
    }
}

/// The data columns for a form's JSON Schema.
pub fn columns(schema: &Value) -> Vec<Column> {
    let mut out = Vec::new();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return out;
    };
    for (name, prop) in props {
        let subs = prop
            .get("properties")
            .and_then(Value::as_object)
            .filter(|_| prop.get("type") == Some(&Value::String("object".into())));
        match subs {
            Some(subs) => out.extend(subs.keys().map(|s| Column {
                property: name.clone(),
                sub: Some(s.clone()),
            })),
            None => out.push(Column {
                property: name.clone(),
                sub: None,
            }),
        }
    }
    out
}

/// A cell made safe against formula injection (see the module docs), not yet quoted.
pub fn neutralise(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// A CSV field: neutralised, and quoted when it holds `,`, `"`, CR or LF.
pub fn csv_field(text: &str) -> String {
    let safe = neutralise(text);
    if safe.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe
    }
}

fn cell_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => String::from_utf8(form_model::record::to_json_escaped(other, false))
            .expect("JSON is UTF-8"),
    }
}

/// Whether `value` is a file answer (`{name, type, size, sha256}`).
fn is_file(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.contains_key("sha256") && o.contains_key("name"))
}

fn data_cell(data: &Map<String, Value>, column: &Column) -> String {
    let value = data.get(&column.property);
    match &column.sub {
        None => cell_text(value),
        // The citizen's file name: shown, never obeyed.
        Some(sub) if sub == "name" && value.is_some_and(is_file) => {
            form_model::record::display_safe(&cell_text(value.and_then(|v| v.get(sub))))
                .into_owned()
        }
        Some(sub) => cell_text(value.and_then(|v| v.get(sub))),
    }
}

/// CSV of `records` (all of one form version, whose JSON Schema is `schema`), with a header.
pub fn to_csv(schema: &Value, records: &[SubmissionRecord]) -> String {
    let columns = columns(schema);
    let mut out = String::new();
    let header: Vec<String> = FIXED_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(columns.iter().map(Column::name))
        .map(|c| csv_field(&c))
        .collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for r in records {
        let fixed = [
            r.id.to_string(),
            r.reference.clone(),
            r.received_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            r.municipality.id.clone(),
            r.form.id.clone(),
            r.form.version.to_string(),
            r.language.clone(),
        ];
        let row: Vec<String> = fixed
            .into_iter()
            .chain(columns.iter().map(|c| data_cell(&r.data, c)))
            .map(|c| csv_field(&c))
            .collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// JSON Lines: one record per line, as stored (`formfabrik.submission/1`).
pub fn to_jsonl(records: &[SubmissionRecord]) -> String {
    let mut out = String::new();
    for r in records {
        let line = form_model::record::to_json_escaped(r, false);
        out.push_str(std::str::from_utf8(&line).expect("JSON is UTF-8"));
        out.push('\n');
    }
    out
}

/// The payment object of a submission paid online, in its pulled folder.
pub const PAYMENT_FILE: &str = "payment.json";

/// A pulled submission as an export needs it: the record and, when the pulled folder has
/// them, its metadata (the fee and payment reference are there) and its payment object (the
/// items paid with their booking keys).
#[derive(Debug, Clone)]
pub struct Delivered {
    pub record: SubmissionRecord,
    pub metadata: Option<Value>,
    pub payment: Option<Value>,
}

/// [`read_delivered`] for `inbox export --pulled OUT`, with each record's metadata (fee and
/// payment reference, for the clerk's CSV): `OUT` must be a folder `inbox pull` wrote for
/// `municipality` (a wrong path is an error, not an empty export).
pub fn read_pulled(
    out: &std::path::Path,
    municipality: &str,
    form: &str,
    version: u32,
) -> Result<Vec<Delivered>, crate::InboxError> {
    if !out.join(municipality).is_dir() {
        return Err(crate::InboxError::Io(format!(
            "{}: no submissions of {municipality} were pulled here (expected {}); --pulled is the --out folder of `formfabrik inbox pull`",
            out.display(),
            out.join(municipality).display()
        )));
    }
    read_delivered_in(out, municipality, form, version)?
        .into_iter()
        .map(|(folder, record)| {
            Ok(Delivered {
                record,
                metadata: read_json_if_there(&folder.join("metadata.json"))?,
                payment: read_json_if_there(&folder.join(PAYMENT_FILE))?,
            })
        })
        .collect()
}

/// The JSON file at `path`, `None` when there is none.
fn read_json_if_there(path: &std::path::Path) -> Result<Option<Value>, crate::InboxError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(serde_json::from_str(&text).map_err(|e| {
            crate::InboxError::Damaged {
                key: path.display().to_string(),
                reason: e.to_string(),
            }
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(crate::InboxError::Io(format!("{}: {e}", path.display()))),
    }
}

/// Reads the records a [`crate::import::FolderSink`] delivered below `out` for one form
/// version (`<out>/<municipality>/<form>/v<version>/<reference>/submission.json`, and
/// `…/<id>/…` as pulls before folders were named by reference wrote it), oldest first.
pub fn read_delivered(
    out: &std::path::Path,
    municipality: &str,
    form: &str,
    version: u32,
) -> Result<Vec<SubmissionRecord>, crate::InboxError> {
    Ok(read_delivered_in(out, municipality, form, version)?
        .into_iter()
        .map(|(_, record)| record)
        .collect())
}

/// [`read_delivered`] with each record's folder.
fn read_delivered_in(
    out: &std::path::Path,
    municipality: &str,
    form: &str,
    version: u32,
) -> Result<Vec<(std::path::PathBuf, SubmissionRecord)>, crate::InboxError> {
    let dir = out.join(format!("{municipality}/{form}/v{version}"));
    let io = |e: std::io::Error| crate::InboxError::Io(format!("{}: {e}", dir.display()));
    let mut records = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(records),
        Err(e) => return Err(io(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io)?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path().join("submission.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| crate::InboxError::Io(format!("{}: {e}", path.display())))?;
        let record: SubmissionRecord =
            serde_json::from_str(&text).map_err(|e| crate::InboxError::Damaged {
                key: path.display().to_string(),
                reason: e.to_string(),
            })?;
        records.push((entry.path(), record));
    }
    records.sort_by_key(|(_, a)| (a.received_at, a.id));
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised() {
        for (input, expected) in [
            (
                "=HYPERLINK(\"http://evil\",\"x\")",
                "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"",
            ),
            ("+49 641 1234", "'+49 641 1234"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\r=1", "\"'\r=1\""),
            ("Müller, Erika", "\"Müller, Erika\""),
            ("harmlos", "harmlos"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_field(input), expected, "{input:?}");
        }
    }

    /// Issue 16: a file name with a right-to-left override posed as another file type in the
    /// back office's exports.
    #[test]
    fn bidi_controls_in_a_file_name_are_shown_not_obeyed_in_csv_and_json_lines() {
        let schema = serde_json::json!({
            "properties": {
                "erlaubnis": { "type": "object", "properties": {
                    "name": {}, "type": {}, "size": {}, "sha256": {} } },
                "bemerkung": { "type": "string" }
            }
        });
        let name = "rechnung\u{202E}fdp.exe";
        let record: SubmissionRecord = serde_json::from_value(serde_json::json!({
            "format": "formfabrik.submission/1",
            "id": "7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c",
            "reference": "MUS-2026-7K3F9Q",
            "received_at": "2026-11-28T10:00:00Z",
            "municipality": { "id": "m", "ags": "06412000" },
            "form": { "id": "f", "version": 1, "sha256": "ab" },
            "language": "ar",
            "data": {
                "erlaubnis": { "name": name, "type": "application/pdf", "size": 3, "sha256": "0".repeat(64) },
                "bemerkung": "\u{200F}نص"
            },
            "attachments": []
        }))
        .unwrap();
        let csv = to_csv(&schema, std::slice::from_ref(&record));
        assert!(csv.contains("rechnung<U+202E>fdp.exe"), "{csv}");
        assert!(!csv.contains('\u{202E}'));
        // Other answers stay as written (an Arabic text may carry a right-to-left mark).
        assert!(csv.contains("\u{200F}نص"));
        let jsonl = to_jsonl(std::slice::from_ref(&record));
        assert!(!jsonl.contains('\u{202E}'), "{jsonl}");
        assert!(jsonl.contains("rechnung\\u202efdp.exe"), "{jsonl}");
        let back: SubmissionRecord = serde_json::from_str(jsonl.trim_end()).unwrap();
        assert_eq!(back, record, "the same data for a program");
    }
}
