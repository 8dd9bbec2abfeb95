//! `formfabrik check`: load every catalog form and municipality, print the report.

use std::path::PathBuf;
use std::process::ExitCode;

// (No doc comment: the subcommand's help is the one on `Command::Check`.)
#[derive(clap::Args)]
pub struct Args {
    /// The forms folder (catalog/ and municipalities/).
    #[arg(long, default_value = "forms")]
    pub forms: PathBuf,
    #[command(flatten)]
    pub lang: super::Lang,
}

/// Prints every problem and the drift report; fails if there is any error.
pub fn run(args: Args) -> ExitCode {
    let mut report = form_model::check(&args.forms);
    crate::check::add_findability_warnings(&mut report);
    print!("{}", crate::check::render(&report, &args.lang.lang));
    let code = if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    // The process ends here: freeing a country's report value by value (every municipality's
    // config, pages, resolved forms and findings, hundreds of megabytes of small allocations)
    // would only delay the exit, on one core, for memory the kernel takes back at once.
    std::mem::forget(report);
    code
}
