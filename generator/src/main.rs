//! `formfabrik`: check the form catalog and build the municipalities' sites. Each subcommand
//! is a file in `generator::cmd`; this only parses the command line.

use std::process::ExitCode;

use clap::Parser;
use generator::cli::{Cli, Command};
use generator::cmd;

/// mimalloc instead of the system's malloc: a cold build allocates and frees small strings and
/// JSON values for every page on every core, and glibc's malloc and free were a quarter of its
/// instructions (callgrind at 300 municipalities).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check(args) => cmd::check::run(args),
        Command::Build(args) => cmd::build::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::ImportFim(args) => cmd::import_fim::run(args),
        Command::Keygen(args) => cmd::keygen::run(args),
        Command::Schema(args) => cmd::schema::run(args),
        Command::Inbox(command) => cmd::inbox::run(command),
        Command::Payments(command) => cmd::payments::run(command),
    }
}
