//! `formfabrik inbox export`: the pulled submissions of one form version on stdout — the
//! clerk's CSV for German Excel (default, `inbox::clerk`), RFC 4180 CSV or JSON Lines — all of
//! them, or only the new ones (`--since`, `inbox::since`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use inbox::since::{ExportLog, Since, log_path, select};

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The `--out` folder of `inbox pull`.
    #[arg(long)]
    pulled: PathBuf,
    #[arg(long)]
    municipality: String,
    #[arg(long)]
    form: String,
    /// The form version, `1` or `v1` (as `list` shows it).
    #[arg(long, value_parser = parse_version)]
    version: u32,
    /// `excel`: the CSV German Excel opens by double-click; `csv`: RFC 4180 (`,`, UTF-8
    /// without BOM, the importer contract's columns); `jsonl`: JSON Lines.
    #[arg(long, value_parser = ["excel", "csv", "jsonl"], default_value = "excel")]
    format: String,
    /// `excel`: also a column with the code of every choice answer.
    #[arg(long)]
    codes: bool,
    /// Only what is new: `last` (what no earlier `--since last` export of this form wrote;
    /// remembered in the pulled folder), or a time (`2026-11-28T06:00:00Z`) or day
    /// (`2026-11-28`, midnight in Germany) received.
    #[arg(long)]
    since: Option<Since>,
    /// The forms' JSON Schemas (`--format csv`), from `formfabrik build`.
    #[arg(long, default_value = "dist/schemas")]
    schemas: PathBuf,
    /// The registry with the forms' labels (`--format excel`), from `formfabrik build`.
    #[arg(long, default_value = "dist/function/registry.json")]
    registry: PathBuf,
}

fn parse_version(s: &str) -> Result<u32, String> {
    s.strip_prefix('v')
        .unwrap_or(s)
        .parse()
        .map_err(|_| format!("{s:?} is not a form version (1 or v1)"))
}

fn read(path: &PathBuf, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| {
        format!(
            "{}: {e} — {what} from `formfabrik build`; run in the project folder or pass its path",
            path.display()
        )
    })
}

/// Runs `inbox export`.
pub(super) fn export(a: ExportArgs) -> Result<ExitCode, String> {
    let s = |e: inbox::InboxError| e.to_string();
    let rows =
        inbox::export::read_pulled(&a.pulled, &a.municipality, &a.form, a.version).map_err(s)?;
    let log_file = log_path(&a.pulled, &a.municipality, &a.form);
    let mut log = ExportLog::read(&log_file).map_err(s)?;
    let rows = select(rows, a.since.as_ref(), &log);
    let text = match a.format.as_str() {
        "jsonl" => {
            let records: Vec<_> = rows.iter().map(|d| d.record.clone()).collect();
            inbox::export::to_jsonl(&records)
        }
        "csv" => {
            let name = inbox::contract::name(&a.municipality, &a.form, a.version);
            let path = a.schemas.join(inbox::contract::schema_file(&name));
            let schema: serde_json::Value =
                serde_json::from_str(&read(&path, "the form's JSON Schema (--schemas)")?)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            let records: Vec<_> = rows.iter().map(|d| d.record.clone()).collect();
            inbox::export::to_csv(&schema, &records)
        }
        _ => {
            let text = read(&a.registry, "the registry (--registry)")?;
            let registry = form_model::registry::Registry::from_json(&text)
                .map_err(|e| format!("{}: {e}", a.registry.display()))?;
            let form = registry
                .form(&a.municipality, &a.form)
                .filter(|f| f.form.version == a.version)
                .ok_or_else(|| {
                    format!(
                        "{}: {} does not publish {} v{} (its labels are needed); use --format csv for an earlier version",
                        a.registry.display(),
                        a.municipality,
                        a.form,
                        a.version
                    )
                })?;
            inbox::clerk::to_clerk_csv(form, &rows, a.codes)
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("stdout: {e}"))?;
    // Remembered only once the export is written.
    if a.since == Some(Since::Last) {
        log.record(&log_file, &rows, time::OffsetDateTime::now_utc())
            .map_err(s)?;
    }
    eprintln!("{} submissions exported", rows.len());
    Ok(ExitCode::SUCCESS)
}
