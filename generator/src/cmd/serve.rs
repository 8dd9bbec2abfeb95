//! `formfabrik serve`: the sites and the function on this machine, rebuilt on changes.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::serve::{ServeError, ServeOptions, serve};
use crate::site::BuildError;

// (No doc comment: the subcommand's help is the one on `Command::Serve`.)
#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub folders: super::Folders,
    /// Where submissions are stored (a folder store).
    #[arg(long, default_value = "data")]
    pub data: PathBuf,
    /// Do not rebuild on changes.
    #[arg(long)]
    pub no_watch: bool,
    #[command(flatten)]
    pub lang: super::Lang,
}

/// Serves until Ctrl-C.
pub fn run(args: Args) -> ExitCode {
    let opts = ServeOptions {
        addr: args.addr,
        forms_dir: args.folders.forms,
        templates_dir: args.folders.templates,
        out_dir: args.folders.out,
        data_dir: args.data,
        watch: !args.no_watch,
        lang: args.lang.lang.clone(),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(serve(opts, async {
        let _ = tokio::signal::ctrl_c().await;
    }));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(ServeError::Build(BuildError::Check(report))) => {
            print!("{}", crate::check::render(&report, &args.lang.lang));
            eprintln!("serve failed: the forms have errors");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("serve failed: {e}");
            ExitCode::FAILURE
        }
    }
}
