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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
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
