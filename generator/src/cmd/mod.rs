//! The subcommands of `formfabrik`, one file each: its arguments and a thin `run` that calls
//! the library and says what happened (`keygen` also holds the making of the key pair, which
//! only it needs).

use std::path::PathBuf;

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
