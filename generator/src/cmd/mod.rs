//! The subcommands of `formfabrik`, one file each: its arguments and a thin `run` that calls
//! the library and says what happened (`keygen` also holds the making of the key pair, which
//! only it needs).

use std::future::Future;
use std::path::PathBuf;
use std::process::ExitCode;

pub mod build;
pub mod check;
pub mod import_fim;
pub mod inbox;
mod inbox_export;
mod inbox_report;
mod inbox_store;
pub mod keygen;
pub mod payments;
pub mod schema;
pub mod serve;

// The folders `build` and `serve` read and write (no doc comment: clap would show it).
#[derive(clap::Args)]
pub struct Folders {
    #[arg(long, default_value = "forms")]
    pub forms: PathBuf,
    /// The site templates (layouts, pages, components, macros, assets).
    #[arg(long, default_value = "site-templates")]
    pub templates: PathBuf,
    /// Where to write dist/site, dist/schemas and dist/function.
    #[arg(long, default_value = "dist")]
    pub out: PathBuf,
}

// The language of what `check` and `serve` say to process designers (no doc comment: clap
// would show it).
#[derive(clap::Args)]
pub struct Lang {
    /// The language of the diagnostics: de (the default) or en.
    #[arg(long, default_value = "de", value_parser = ["de", "en"])]
    pub lang: String,
}

/// Runs an asynchronous command on a Tokio runtime of its own: its exit code, or its error
/// said on stderr after `label` (`inbox: …`) and exit code 1.
fn block_on(label: &str, command: impl Future<Output = Result<ExitCode, String>>) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(command).unwrap_or_else(|e| {
        eprintln!("{label}: {e}");
        ExitCode::FAILURE
    })
}
