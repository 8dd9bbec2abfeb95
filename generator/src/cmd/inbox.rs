//! `formfabrik inbox <list|pull|release|ack|export|report|contract|purge>`: argument parsing and printing
//! only; the work is done by the `inbox` crate.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use inbox::import::{self, FolderSink, RunOptions};
use inbox::{Filter, Inbox, Schemas, words};
use time::Date;
use uuid::Uuid;

pub use super::inbox_store::{StoreArgs, open};

#[derive(Args, Debug, Clone)]
pub struct Which {
    #[arg(long)]
    pub municipality: String,
    #[arg(long)]
    pub form: Option<String>,
    /// First date received (UTC), `YYYY-MM-DD`.
    #[arg(long, value_parser = parse_date)]
    pub from: Option<Date>,
    /// Last date received (UTC), `YYYY-MM-DD`.
    #[arg(long, value_parser = parse_date)]
    pub to: Option<Date>,
}

#[derive(Subcommand, Debug)]
pub enum InboxCommand {
    /// List complete submissions not yet acknowledged (`--all`: also acknowledged ones).
    List {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        which: Which,
        #[arg(long)]
        all: bool,
    },
    /// Import new submissions into a folder, each exactly once: lease, download, decrypt,
    /// verify hashes, validate against the schema, write, acknowledge. Exit 1 if any failed.
    Pull {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        which: Which,
        /// The back office's private key (JWK) from `formfabrik keygen`, or a folder of keys;
        /// repeat for several (key rotation). Each object is opened with the key its `kid`
        /// names.
        #[arg(long)]
        key: Vec<PathBuf>,
        /// The importer contract: `dist/schemas` from `formfabrik build` (also the forms of
        /// earlier versions, for their receipts).
        #[arg(long, default_value = "dist/schemas")]
        schemas: PathBuf,
        /// Where submissions are written: `<out>/<municipality>/<form>/v<version>/<id>/`.
        #[arg(long)]
        out: PathBuf,
        /// The registry the receipts are made with (`receipt.pdf` beside each submission):
        /// default `function/registry.json` beside `--schemas`, as `formfabrik build` writes.
        #[arg(long)]
        registry: Option<PathBuf>,
        /// How long another run waits before taking over a submission this run leased.
        #[arg(long, default_value_t = 15)]
        lease_minutes: i64,
        /// Only this submission: its reference (`MUS-2026-7K3F9Q`) or id; repeatable.
        #[arg(long, value_name = "REF|ID")]
        only: Vec<String>,
    },
    /// Give up the leases a crashed run left, so the next run imports at once instead of
    /// waiting until they expire. Only for a run that is known to be dead.
    Release {
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        which: Which,
        /// Only the leases of this owner (`host:pid`, as `list` and the lease files show it).
        #[arg(long)]
        owner: Option<String>,
        /// Only these submissions (default: every new submission of the municipality).
        ids: Vec<Uuid>,
    },
    /// Mark submissions imported (for importers that pull by other means).
    Ack {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        municipality: String,
        /// References (`MUS-2026-7K3F9Q`, as `list` shows them) or submission ids.
        ids: Vec<String>,
    },
    /// Write the submissions pulled into a folder to stdout: by default as the CSV German
    /// Excel opens by double-click (labels, `;`, decimal comma, local time); `--format csv`
    /// for RFC 4180 CSV, `jsonl` for JSON Lines.
    Export(super::inbox_export::ExportArgs),
    /// A summary per municipality and form for the back office — new since the last report,
    /// imported, failed, stuck in a lease, waiting longest — as text, HTML and mail. References
    /// and counts only, never answers; needs no key.
    Report(super::inbox_report::ReportArgs),
    /// Publish the importer contract's fixtures next to the schemas:
    /// `<schemas>/<m>/<form>/v<version>.fixtures/<example>.json`, records as an import job
    /// receives them. Exit 1 if a published form version has none.
    Contract {
        #[arg(long, default_value = "forms")]
        forms: PathBuf,
        /// Example submissions: `<examples>/<form>@<version>/*.json`.
        #[arg(long, default_value = "tests/fixtures/submissions")]
        examples: PathBuf,
        #[arg(long, default_value = "dist/schemas")]
        schemas: PathBuf,
        /// The day the examples are checked for (relative date rules); default today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<Date>,
    },
    /// Folder stores: remove submissions whose form version's retention (`retention-days`)
    /// has run out — the rules of the S3 lifecycle configuration. Never-imported submissions
    /// are kept unless `--include-unimported`.
    Purge {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        municipality: String,
        /// The registry the retention rules come from (`formfabrik build`).
        #[arg(long, default_value = "dist/function/registry.json")]
        registry: PathBuf,
        /// Say what would be removed; remove nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also remove complete submissions that were never acknowledged (they are lost then).
        #[arg(long)]
        include_unimported: bool,
        /// The `--out` folder of `inbox pull`: remove the decrypted copies there too.
        #[arg(long)]
        pulled: Option<PathBuf>,
    },
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("{s:?} is not a date YYYY-MM-DD: {e}"))
}

fn filter(which: &Which, all: bool) -> Filter {
    Filter {
        municipality: which.municipality.clone(),
        form: which.form.clone(),
        from: which.from,
        to: which.to,
        include_acked: all,
        only: None,
    }
}

fn owner() -> String {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    format!("{}:{}", host.trim(), std::process::id())
}

/// Runs an inbox command.
pub fn run(command: InboxCommand) -> ExitCode {
    super::block_on("inbox", run_async(command))
}

async fn run_async(command: InboxCommand) -> Result<ExitCode, String> {
    let s = |e: inbox::InboxError| e.to_string();
    match command {
        InboxCommand::List { store, which, all } => {
            let inbox = Inbox::new(open(&store).await?, None, Schemas::from_dir("."));
            let w = |t: &str| t.to_string();
            println!(
                "{}",
                [
                    w(words::word("received-day")),
                    w(words::word("reference")),
                    w(words::word("form")),
                    w(words::word("version")),
                    w(words::word("state")),
                    w(words::word("submission-id")),
                ]
                .join("\t")
            );
            for e in inbox.list(&filter(&which, all)).await.map_err(s)? {
                let reference = inbox.reference(&e).await.map_err(s)?.unwrap_or_default();
                println!(
                    "{}\t{reference}\t{}\tv{}\t{}\t{}",
                    e.date,
                    e.form,
                    e.version,
                    if e.acked {
                        words::word("state-imported")
                    } else {
                        words::word("state-new")
                    },
                    e.id,
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        InboxCommand::Pull {
            store,
            which,
            key,
            schemas,
            out,
            registry,
            lease_minutes,
            only,
        } => {
            let registry = registry.unwrap_or_else(|| {
                schemas
                    .parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join("function/registry.json")
            });
            let maker = inbox::receipts::ReceiptMaker::from_file(&registry)
                .map_err(s)?
                .with_earlier_versions(&schemas);
            let decryptor = if key.is_empty() {
                None
            } else {
                Some(inbox::keys::read(&key).map_err(s)?)
            };
            let inbox = Inbox::new(open(&store).await?, decryptor, Schemas::from_dir(schemas));
            let now = time::OffsetDateTime::now_utc;
            let opts = RunOptions {
                owner: owner(),
                lease: time::Duration::minutes(lease_minutes),
                now: &now,
            };
            let mut sink = FolderSink::new(&out).with_receipts(maker);
            let mut wanted = filter(&which, false);
            if !only.is_empty() {
                let (ids, unknown) = inbox.resolve(&which.municipality, &only).await.map_err(s)?;
                if !unknown.is_empty() {
                    return Err(format!(
                        "no complete submission of {} is {} (a reference like MUS-2026-7K3F9Q, or an id; see `inbox list --all`)",
                        which.municipality,
                        unknown.join(", ")
                    ));
                }
                wanted.only = Some(ids);
            }
            let report = import::run(&inbox, &wanted, &opts, &mut sink)
                .await
                .map_err(s)?;
            // Each line names the submission as clerks do, by its reference, with the id beside
            // it for programs (and for a submission whose claim is gone).
            let name = |id: uuid::Uuid| {
                let inbox = &inbox;
                let municipality = &which.municipality;
                async move {
                    match inbox.reference_of(municipality, id).await {
                        Ok(Some(reference)) => format!("{reference}\t{id}"),
                        _ => format!("-\t{id}"),
                    }
                }
            };
            for id in &report.imported {
                println!("imported\t{}", name(*id).await);
            }
            // `--only` naming a submission imported before: nothing to do, and said so.
            for id in wanted.only.iter().flatten() {
                let touched = report.imported.contains(id)
                    || report.busy.contains(id)
                    || report.already.contains(id)
                    || report.failed.iter().any(|(f, _)| f == id);
                if !touched {
                    println!("imported before\t{}", name(*id).await);
                }
            }
            for id in &report.busy {
                println!("leased by another run\t{}", name(*id).await);
            }
            for (id, why) in &report.failed {
                eprintln!("FAILED\t{}\t{why}", name(*id).await);
            }
            if report.single_runner {
                println!(
                    "note: the store ignores create-only writes (If-None-Match); this run was the only import run of {} (single-runner mode)",
                    which.municipality
                );
            }
            // The last line: what a scheduler's mail shows first.
            if report.unimported() == 0 {
                println!("{}", report.summary(&which.municipality));
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("{}", report.summary(&which.municipality));
                Ok(ExitCode::FAILURE)
            }
        }
        InboxCommand::Release {
            store,
            which,
            owner: held_by,
            ids,
        } => {
            let inbox = Inbox::new(open(&store).await?, None, Schemas::from_dir("."));
            let released = import::release_leases(
                &inbox,
                &filter(&which, false),
                &ids,
                held_by.as_deref(),
                &owner(),
                time::OffsetDateTime::now_utc(),
            )
            .await
            .map_err(s)?;
            for r in &released {
                println!(
                    "released\t{}\t{}\theld by {} until {}",
                    r.entry.id, r.entry.form, r.owner, r.expires_at
                );
            }
            println!("{} leases released", released.len());
            Ok(ExitCode::SUCCESS)
        }
        InboxCommand::Ack {
            store,
            municipality,
            ids,
        } => {
            let inbox = Inbox::new(open(&store).await?, None, Schemas::from_dir("."));
            let all = inbox
                .list(&Filter {
                    municipality: municipality.clone(),
                    include_acked: true,
                    ..Filter::default()
                })
                .await
                .map_err(s)?;
            let mut code = ExitCode::SUCCESS;
            for id in ids {
                let Some(entry) = inbox.find(&all, &id).await.map_err(s)? else {
                    eprintln!("{id}: no complete submission of {municipality}");
                    code = ExitCode::FAILURE;
                    continue;
                };
                let created = import::ack(
                    &inbox,
                    entry,
                    None,
                    &owner(),
                    time::OffsetDateTime::now_utc(),
                )
                .await
                .map_err(s)?;
                println!(
                    "{id}\t{}",
                    if created {
                        "acknowledged"
                    } else {
                        "was acknowledged already"
                    }
                );
            }
            Ok(code)
        }
        InboxCommand::Export(args) => super::inbox_export::export(args),
        InboxCommand::Report(args) => super::inbox_report::run(args).await,
        InboxCommand::Contract {
            forms,
            examples,
            schemas,
            today,
        } => {
            let report = form_model::check(&forms);
            if !report.is_ok() {
                print!("{}", crate::check::render(&report, "de"));
                return Err("the forms have errors".into());
            }
            let registry =
                form_model::registry::Registry::build(&report, |m| m.site_origin.clone());
            let today = today.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
            let done = inbox::contract::write_fixtures(&registry, &examples, &schemas, today)
                .map_err(s)?;
            for problem in &done.invalid {
                eprintln!("not valid, skipped: {problem}");
            }
            for form in &done.without_fixtures {
                eprintln!("NO FIXTURES: {form}");
            }
            println!(
                "{} fixtures written below {}",
                done.written,
                schemas.display()
            );
            Ok(if done.without_fixtures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        InboxCommand::Purge {
            store,
            municipality,
            registry,
            dry_run,
            include_unimported,
            pulled,
        } => {
            if !store.store.starts_with("file:") {
                return Err(
                    "purge works on folder stores; S3 buckets expire objects by lifecycle rule (dist/function/lifecycle.json)".into(),
                );
            }
            let text = std::fs::read_to_string(&registry).map_err(|e| {
                format!(
                    "{}: {e} — the retention rules come from the registry `formfabrik build` writes; pass --registry",
                    registry.display()
                )
            })?;
            let registry = form_model::registry::Registry::from_json(&text)
                .map_err(|e| format!("{}: {e}", registry.display()))?;
            let rules = store::lifecycle::rules(&registry);
            let inbox = Inbox::new(open(&store).await?, None, Schemas::from_dir("."));
            let opts = inbox::purge::PurgeOptions {
                today: time::OffsetDateTime::now_utc().date(),
                include_unimported,
                dry_run,
                pulled,
            };
            let report = inbox::purge::purge(&inbox, &municipality, &rules, &opts)
                .await
                .map_err(s)?;
            let verb = if dry_run { "would purge" } else { "purged" };
            for p in &report.purged {
                println!(
                    "{verb}\t{}\treceived {}\tretention {} days{}",
                    p.id,
                    p.received,
                    p.retention_days,
                    if p.unimported { "\tNEVER IMPORTED" } else { "" }
                );
            }
            let lost = report.purged.iter().filter(|p| p.unimported).count();
            if lost > 0 {
                eprintln!(
                    "WARNING: {lost} submissions {verb} were never imported (--include-unimported): the back office never saw them"
                );
            }
            for id in &report.kept_unimported {
                eprintln!("kept (never imported)\t{id}");
            }
            for dir in &report.no_rule {
                eprintln!("kept (no retention rule in the registry)\t{dir}");
            }
            println!(
                "{} submissions {verb} ({} objects, {} decrypted copies), {} kept because never imported, {} old reports {verb}{}",
                report.purged.len(),
                report.objects_removed,
                report.copies_removed,
                report.kept_unimported.len(),
                report.reports_removed,
                if dry_run {
                    " — dry run, nothing removed"
                } else {
                    ""
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
