//! `formfabrik`: check the form catalog and build the municipalities' sites.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "formfabrik",
    version,
    about = "Accessible online forms for municipalities"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load every catalog form and municipality, print problems and the drift report;
    /// exit 1 if there is any error.
    Check {
        /// The forms folder (catalog/ and municipalities/).
        #[arg(long, default_value = "forms")]
        forms: PathBuf,
    },
    /// Build the static site of every municipality, the JSON Schemas and the function's
    /// registry.
    Build {
        #[arg(long, default_value = "forms")]
        forms: PathBuf,
        /// The site templates (layouts, components, assets, strings.yaml).
        #[arg(long, default_value = "site-templates")]
        templates: PathBuf,
        /// Where to write dist/site, dist/schemas and dist/function.
        #[arg(long, default_value = "dist")]
        out: PathBuf,
        /// Build for a local try-out: pages at <base>/<municipality>, posting to <base>/v1.
        #[arg(long)]
        local_base: Option<String>,
    },
    /// Build the sites for this machine, serve them with the submission function at /v1 and a
    /// folder store, and rebuild and reload when forms/ or site-templates/ change.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        #[arg(long, default_value = "forms")]
        forms: PathBuf,
        #[arg(long, default_value = "site-templates")]
        templates: PathBuf,
        #[arg(long, default_value = "dist")]
        out: PathBuf,
        /// Where submissions are stored (a folder store).
        #[arg(long, default_value = "data")]
        data: PathBuf,
        /// Do not rebuild on changes.
        #[arg(long)]
        no_watch: bool,
    },
    /// Import a FIM Stammdatenschema (XDatenfelder 2.0 or 3.0) as a catalog form and print the
    /// import report: the FIM rules to turn into conditions, what could not be mapped fully.
    ImportFim {
        /// The schema file (xdatenfelder.stammdatenschema.0102, .datenfeldgruppe.0103 or
        /// .datenfeld.0104).
        schema: PathBuf,
        /// Folder with the genericode code lists (default: the schema's folder).
        #[arg(long)]
        codelists: Option<PathBuf>,
        /// Where to write the form (default: forms/catalog/<id>.yaml).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The form id (default: from the schema's name).
        #[arg(long)]
        id: Option<String>,
        /// Also write the report as Markdown to this file.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Overwrite an existing form file (a re-import loses what was written by hand).
        #[arg(long)]
        force: bool,
    },
    /// Make an RSA 4096 key pair for a municipality's back office: the public JWK into its
    /// folder, the private JWK (mode 0600) outside dist/ and forms/.
    Keygen {
        municipality: String,
        #[arg(long, default_value = "forms")]
        forms: PathBuf,
        /// Where to write the private key (default: keys/<municipality>.private.jwk).
        #[arg(long)]
        private_out: Option<PathBuf>,
        /// The build output, which must not receive the private key.
        #[arg(long, default_value = "dist")]
        out: PathBuf,
    },
    /// The back office's inbox: list, pull, ack, export, purge submissions.
    #[command(subcommand)]
    Inbox(generator::inbox_cli::InboxCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            addr,
            forms,
            templates,
            out,
            data,
            no_watch,
        } => {
            let opts = generator::serve::ServeOptions {
                addr,
                forms_dir: forms,
                templates_dir: templates,
                out_dir: out,
                data_dir: data,
                watch: !no_watch,
            };
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("cannot start: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let result = runtime.block_on(generator::serve::serve(opts, async {
                let _ = tokio::signal::ctrl_c().await;
            }));
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(generator::serve::ServeError::Build(generator::site::BuildError::Check(
                    report,
                ))) => {
                    print!("{}", generator::check::render(&report));
                    eprintln!("serve failed: the forms have errors");
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("serve failed: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Build {
            forms,
            templates,
            out,
            local_base,
        } => {
            let opts = generator::site::BuildOptions {
                forms_dir: forms,
                templates_dir: templates,
                out_dir: out,
                local_base,
                progress: true,
                dev_reload: false,
            };
            match generator::site::build(&opts) {
                Ok(r) => {
                    println!(
                        "built {} pages for {} municipalities ({} forms) in {:.2?}: {} rendered, {} up to date; {} files written, {} unchanged",
                        r.pages,
                        r.municipalities,
                        r.forms,
                        r.elapsed,
                        r.rendered,
                        r.pages - r.rendered,
                        r.written,
                        r.unchanged
                    );
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    if let generator::site::BuildError::Check(report) = &err {
                        print!("{}", generator::check::render(report));
                    }
                    eprintln!("build failed: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::ImportFim {
            schema,
            codelists,
            out,
            id,
            report,
            force,
        } => {
            let opts = fim_import::Options {
                codelists,
                form_id: id,
            };
            let imported = match fim_import::import_file(&schema, &opts) {
                Ok(i) => i,
                Err(e) => {
                    eprintln!("{e}");
                    eprintln!("import failed");
                    return ExitCode::FAILURE;
                }
            };
            let markdown = imported.report.markdown();
            print!("{markdown}");
            if let Some(path) = &report
                && let Err(e) = std::fs::write(path, &markdown)
            {
                eprintln!("cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
            for d in &imported.check {
                eprintln!("{}", d.headline());
            }
            if imported
                .check
                .iter()
                .any(|d| d.severity == form_model::Severity::Error)
            {
                eprintln!(
                    "import failed: the imported form does not pass the check; nothing written"
                );
                return ExitCode::FAILURE;
            }
            let out = out.unwrap_or_else(|| {
                PathBuf::from("forms/catalog").join(format!("{}.yaml", imported.form.id))
            });
            if out.exists() && !force {
                eprintln!(
                    "{} exists; pass --force to overwrite it (a re-import loses what was written by hand)",
                    out.display()
                );
                return ExitCode::FAILURE;
            }
            if let Err(e) = std::fs::write(&out, &imported.yaml) {
                eprintln!("cannot write {}: {e}", out.display());
                return ExitCode::FAILURE;
            }
            println!("wrote {}", out.display());
            ExitCode::SUCCESS
        }
        Command::Keygen {
            municipality,
            forms,
            private_out,
            out,
        } => generator::inbox_cli::keygen(&generator::keygen::KeygenOptions {
            forms_dir: forms,
            municipality,
            private_out,
            dist_dir: out,
        }),
        Command::Inbox(command) => generator::inbox_cli::run(command),
        Command::Check { forms } => {
            let report = form_model::check(&forms);
            print!("{}", generator::check::render(&report));
            if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
