//! `formfabrik build`: the sites, the JSON Schemas and the function's registry.

use std::process::ExitCode;

use crate::site::{BuildError, BuildOptions, build};

// (No doc comment: the subcommand's help is the one on `Command::Build`.)
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub folders: super::Folders,
    /// Build for a local try-out: pages at <base>/<municipality>, posting to <base>/v1.
    #[arg(long)]
    pub local_base: Option<String>,
    #[command(flatten)]
    pub lang: super::Lang,
}

/// Builds and prints what was built, or the check report and why it failed.
pub fn run(args: Args) -> ExitCode {
    let lang = args.lang.lang;
    let opts = BuildOptions {
        forms_dir: args.folders.forms,
        templates_dir: args.folders.templates,
        out_dir: args.folders.out,
        local_base: args.local_base,
        progress: true,
        dev_reload: false,
    };
    match build(&opts) {
        Ok(r) if !r.checked => {
            println!(
                "built {} pages for {} municipalities ({} forms) in {:.2?}: nothing changed since the last build; {} files unchanged",
                r.pages, r.municipalities, r.forms, r.elapsed, r.unchanged
            );
            ExitCode::SUCCESS
        }
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
            if let BuildError::Check(report) = &err {
                print!("{}", crate::check::render(report, &lang));
            }
            eprintln!("build failed: {err}");
            ExitCode::FAILURE
        }
    }
}
