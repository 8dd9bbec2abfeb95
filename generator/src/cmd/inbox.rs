//! `formfabrik inbox <list|pull|ack|export|contract|purge>`: argument parsing and printing
//! only; the work is done by the `inbox` crate.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use inbox::import::{self, FolderSink, RunOptions};
use inbox::{Filter, Inbox, Schemas};
use store::{S3Options, StoreUrl};
use time::Date;
use uuid::Uuid;

#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// `file:./data` or `s3://bucket[/prefix]`.
    #[arg(long, env = "FORMFABRIK_STORE")]
    pub store: String,
    #[arg(long, env = "FORMFABRIK_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    #[arg(long, env = "FORMFABRIK_S3_PATH_STYLE")]
    pub s3_path_style: bool,
    #[arg(long, env = "FORMFABRIK_S3_REGION")]
    pub s3_region: Option<String>,
}

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
        /// The back office's private key (JWK), from `formfabrik keygen`.
        #[arg(long)]
        key: Option<PathBuf>,
        /// The importer contract: `dist/schemas` from `formfabrik build`.
        #[arg(long, default_value = "dist/schemas")]
        schemas: PathBuf,
        /// Where submissions are written: `<out>/<municipality>/<form>/v<version>/<id>/`.
        #[arg(long)]
        out: PathBuf,
        /// How long another run waits before taking over a submission this run leased.
        #[arg(long, default_value_t = 15)]
        lease_minutes: i64,
    },
    /// Mark submissions imported (for importers that pull by other means).
    Ack {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        municipality: String,
        ids: Vec<Uuid>,
    },
    /// Write the submissions pulled into a folder as CSV or JSON Lines (stdout).
    Export {
        /// The `--out` folder of `inbox pull`.
        #[arg(long)]
        pulled: PathBuf,
        #[arg(long)]
        municipality: String,
        #[arg(long)]
        form: String,
        #[arg(long)]
        version: u32,
        #[arg(long, value_parser = ["csv", "jsonl"], default_value = "csv")]
        format: String,
        #[arg(long, default_value = "dist/schemas")]
        schemas: PathBuf,
    },
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
    /// Folder stores: remove submissions received more than N days ago.
    Purge {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        municipality: String,
        #[arg(long)]
        older_than: u32,
        /// Also remove complete submissions that were never acknowledged.
        #[arg(long)]
        include_unimported: bool,
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
    }
}

async fn open(args: &StoreArgs) -> Result<Arc<dyn store::Store>, String> {
    let url: StoreUrl = args.store.parse().map_err(|e| format!("{e}"))?;
    Ok(url
        .open(&S3Options {
            endpoint: args.s3_endpoint.clone(),
            path_style: args.s3_path_style,
            region: args.s3_region.clone(),
        })
        .await)
}

fn owner() -> String {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    format!("{}:{}", host.trim(), std::process::id())
}

/// Runs an inbox command.
pub fn run(command: InboxCommand) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_async(command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("inbox: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_async(command: InboxCommand) -> Result<ExitCode, String> {
    let s = |e: inbox::InboxError| e.to_string();
    match command {
        InboxCommand::List { store, which, all } => {
            let inbox = Inbox::new(open(&store).await?, None, Schemas::from_dir("."));
            for e in inbox.list(&filter(&which, all)).await.map_err(s)? {
                println!(
                    "{}\t{}\t{}\tv{}\t{}{}{}",
                    e.date,
                    e.id,
                    e.form,
                    e.version,
                    e.dir,
                    if e.encrypted { "\tencrypted" } else { "" },
                    if e.acked { "\tacknowledged" } else { "" }
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
            lease_minutes,
        } => {
            let decryptor = match &key {
                Some(k) => Some(Inbox::read_private_key(k).map_err(s)?),
                None => None,
            };
            let inbox = Inbox::new(open(&store).await?, decryptor, Schemas::from_dir(schemas));
            let now = time::OffsetDateTime::now_utc;
            let opts = RunOptions {
                owner: owner(),
                lease: time::Duration::minutes(lease_minutes),
                now: &now,
            };
            let mut sink = FolderSink::new(&out);
            let report = import::run(&inbox, &filter(&which, false), &opts, &mut sink)
                .await
                .map_err(s)?;
            for id in &report.imported {
                println!("imported\t{id}");
            }
            for id in &report.busy {
                println!("leased by another run\t{id}");
            }
            for (id, why) in &report.failed {
                eprintln!("FAILED\t{id}\t{why}");
            }
            if report.single_runner {
                println!(
                    "note: the store ignores create-only writes (If-None-Match); this run was the only import run of {} (single-runner mode)",
                    which.municipality
                );
            }
            println!(
                "{} imported, {} leased elsewhere, {} imported by another run, {} failed",
                report.imported.len(),
                report.busy.len(),
                report.already.len(),
                report.failed.len()
            );
            Ok(if report.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
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
                let Some(entry) = all.iter().find(|e| e.id == id) else {
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
        InboxCommand::Export {
            pulled,
            municipality,
            form,
            version,
            format,
            schemas,
        } => {
            let records =
                inbox::export::read_delivered(&pulled, &municipality, &form, version).map_err(s)?;
            let text = if format == "jsonl" {
                inbox::export::to_jsonl(&records)
            } else {
                let name = inbox::contract::name(&municipality, &form, version);
                let path = schemas.join(inbox::contract::schema_file(&name));
                let schema: serde_json::Value = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))
                    .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))?;
                inbox::export::to_csv(&schema, &records)
            };
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        InboxCommand::Contract {
            forms,
            examples,
            schemas,
            today,
        } => {
            let report = form_model::check(&forms);
            if !report.is_ok() {
                print!("{}", crate::check::render(&report));
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
            older_than,
            include_unimported,
        } => {
            if !store.store.starts_with("file:") {
                return Err(
                    "purge works on folder stores; S3 buckets expire objects by lifecycle rule (dist/function/lifecycle.json)".into(),
                );
            }
            let inbox = Inbox::new(open(&store).await?, None, Schemas::from_dir("."));
            let today = time::OffsetDateTime::now_utc().date();
            let report =
                inbox::purge::purge(&inbox, &municipality, older_than, today, include_unimported)
                    .await
                    .map_err(s)?;
            for id in &report.kept_unimported {
                eprintln!("kept (never imported)\t{id}");
            }
            println!(
                "{} submissions purged ({} objects), {} kept because never imported",
                report.purged.len(),
                report.objects_removed,
                report.kept_unimported.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
