//! `formfabrik inbox export`: the pulled submissions of one form version on stdout — the
//! clerk's CSV for German Excel (default, `inbox::clerk`), RFC 4180 CSV or JSON Lines — all of
//! them, or only the new ones (`--since`, `inbox::since`); or, with `--xdomea DIR`, every
//! pulled submission not yet handed over as an xdomea package (`inbox::xdomea_export`); or,
//! with `--bookings`, the fees paid online as a booking file for the finance system
//! (`inbox::bookings`).

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
    /// The form (with `--xdomea` or `--bookings`: only this form; default all).
    #[arg(long, required_unless_present_any = ["xdomea", "bookings"])]
    form: Option<String>,
    /// The form version, `1` or `v1` (as `list` shows it; with `--xdomea` or `--bookings`:
    /// default all).
    #[arg(long, value_parser = parse_version, required_unless_present_any = ["xdomea", "bookings"])]
    version: Option<u32>,
    /// The fees paid online of every pulled submission (or of `--form`), one row per fee with
    /// its Kassenzeichen, Haushaltsstelle and Produktkonto, as the finance system imports them:
    /// on stdout, shaped by `--profile` (docs/payment.md, "Booking export").
    /// With `--since last`: only the fees of submissions no earlier `--since last` booking
    /// export with this profile held (remembered per municipality and profile).
    #[arg(long, conflicts_with_all = ["xdomea", "codes"])]
    bookings: bool,
    /// With `--bookings`: a built-in profile by name (`kommunal`, the default) or a profile
    /// file (YAML: columns, delimiter, decimal separator, encoding, date format).
    #[arg(long, requires = "bookings", default_value = "kommunal")]
    profile: String,
    /// With `--bookings`: instead of the fees paid, the SEPA direct-debit mandates given with
    /// the pulled submissions, one row per mandate, in the profile's format and its
    /// `mandate-columns` (docs/payment.md, "Mandate export").
    #[arg(long, requires = "bookings")]
    mandates: bool,
    /// Hand every pulled submission over to the e-file: one xdomea 3.1 package
    /// (`<ProzessID>_Abgabe.Abgabe.0401.zip`, receipt PDF as main document, record,
    /// attachments) per submission into this folder, the DMS's transfer folder — each exactly
    /// once, also across crashed and concurrent runs (journal `.xdomea.json` in the pulled
    /// folder). Exit 1 if any failed.
    #[arg(long, conflicts_with_all = ["since", "codes"])]
    xdomea: Option<PathBuf>,
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
    /// The forms' JSON Schemas (`--format csv`) and, for `--xdomea`, the forms of earlier
    /// versions, from `formfabrik build`.
    #[arg(long, default_value = "dist/schemas")]
    schemas: PathBuf,
    /// The registry with the forms' labels (`--format excel`) and, for `--xdomea`, the
    /// municipality's DMS identifiers and the forms' records plan, from `formfabrik build`.
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
    if let Some(dir) = &a.xdomea {
        return xdomea(&a, dir);
    }
    if a.bookings {
        return bookings(&a);
    }
    let (Some(form), Some(version)) = (a.form.clone(), a.version) else {
        return Err("--form and --version are needed (except with --xdomea)".into());
    };
    let rows = inbox::export::read_pulled(&a.pulled, &a.municipality, &form, version).map_err(s)?;
    let log_file = log_path(&a.pulled, &a.municipality, &form);
    let mut log = ExportLog::read(&log_file).map_err(s)?;
    let rows = select(rows, a.since.as_ref(), &log);
    let text = match a.format.as_str() {
        "jsonl" => {
            let records: Vec<_> = rows.iter().map(|d| d.record.clone()).collect();
            inbox::export::to_jsonl(&records)
        }
        "csv" => {
            let name = inbox::contract::name(&a.municipality, &form, version);
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
            let resolved = registry
                .form(&a.municipality, &form)
                .filter(|f| f.form.version == version)
                .ok_or_else(|| {
                    format!(
                        "{}: {} does not publish {} v{} (its labels are needed); use --format csv for an earlier version",
                        a.registry.display(),
                        a.municipality,
                        form,
                        version
                    )
                })?;
            inbox::clerk::to_clerk_csv(resolved, &rows, a.codes)
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

/// `inbox export --bookings` (with `--mandates`: the mandate file).
fn bookings(a: &ExportArgs) -> Result<ExitCode, String> {
    let s = |e: inbox::InboxError| e.to_string();
    let profile = inbox::bookings::Profile::load(&a.profile).map_err(s)?;
    let rows =
        inbox::bookings::read_all_pulled(&a.pulled, &a.municipality, a.form.as_deref(), a.version)
            .map_err(s)?;
    let log_file = if a.mandates {
        inbox::since::mandates_log_path(&a.pulled, &a.municipality, &a.profile)
    } else {
        inbox::since::bookings_log_path(&a.pulled, &a.municipality, &a.profile)
    };
    let mut log = ExportLog::read(&log_file).map_err(s)?;
    let rows = select(rows, a.since.as_ref(), &log);
    let (bytes, n, what) = if a.mandates {
        let (bytes, n) = inbox::bookings::to_mandate_file(&profile, &rows).map_err(s)?;
        (bytes, n, "mandates")
    } else {
        // The registry gives the payer's name where the form takes it from the account's;
        // without one only a verified identity gives it (said on stderr), the bookings are all
        // there.
        let registry = match std::fs::read_to_string(&a.registry) {
            Ok(text) => Some(
                form_model::registry::Registry::from_json(&text)
                    .map_err(|e| format!("{}: {e}", a.registry.display()))?,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!(
                    "{}: not found; the payer's name only where the citizen signed in (--registry)",
                    a.registry.display()
                );
                None
            }
            Err(e) => return Err(format!("{}: {e}", a.registry.display())),
        };
        let (bytes, n) =
            inbox::bookings::to_booking_file(&profile, &rows, registry.as_ref()).map_err(s)?;
        (bytes, n, "fees paid")
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("stdout: {e}"))?;
    // Remembered only once the file is written.
    if a.since == Some(Since::Last) {
        log.record(&log_file, &rows, time::OffsetDateTime::now_utc())
            .map_err(s)?;
    }
    eprintln!("{n} {what} exported");
    Ok(ExitCode::SUCCESS)
}

/// `inbox export --xdomea DIR`.
fn xdomea(a: &ExportArgs, dir: &std::path::Path) -> Result<ExitCode, String> {
    let s = |e: inbox::InboxError| e.to_string();
    let maker = inbox::receipts::ReceiptMaker::from_file(&a.registry)
        .map_err(s)?
        .with_earlier_versions(&a.schemas);
    let which = inbox::xdomea_export::Which {
        municipality: a.municipality.clone(),
        form: a.form.clone(),
        version: a.version,
    };
    let report = inbox::xdomea_export::export(
        &a.pulled,
        &which,
        &maker,
        dir,
        time::OffsetDateTime::now_utc(),
    )
    .map_err(s)?;
    for (id, path) in &report.written {
        println!("handed over\t{id}\t{}", path.display());
    }
    for (folder, why) in &report.failed {
        eprintln!("FAILED\t{folder}\t{why}");
    }
    let line = format!(
        "{}: {} packages written, {} handed over before, {} failed",
        a.municipality,
        report.written.len(),
        report.already.len(),
        report.failed.len()
    );
    if report.failed.is_empty() {
        println!("{line}");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{line}");
        Ok(ExitCode::FAILURE)
    }
}
