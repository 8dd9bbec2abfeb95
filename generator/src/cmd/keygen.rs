//! `formfabrik keygen`: the back office's key pair.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::keygen::KeygenOptions;

// (No doc comment: the subcommand's help is the one on `Command::Keygen`.)
#[derive(clap::Args)]
pub struct Args {
    pub municipality: String,
    #[arg(long, default_value = "forms")]
    pub forms: PathBuf,
    /// Where to write the private key (default: keys/<municipality>.private.jwk).
    #[arg(long)]
    pub private_out: Option<PathBuf>,
    /// The build output, which must not receive the private key.
    #[arg(long, default_value = "dist")]
    pub out: PathBuf,
}

/// Makes the key pair and says where it went (`crate::inbox_cli::keygen`).
pub fn run(args: Args) -> ExitCode {
    crate::inbox_cli::keygen(&KeygenOptions {
        forms_dir: args.forms,
        municipality: args.municipality,
        private_out: args.private_out,
        dist_dir: args.out,
    })
}
