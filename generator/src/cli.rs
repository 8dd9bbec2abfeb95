//! The command line of `formfabrik`: one subcommand per file in [`crate::cmd`]. In the library
//! so that tests parse the command lines the docs quote with the same definition.

use clap::{Parser, Subcommand};

use crate::cmd;

#[derive(Parser)]
#[command(
    name = "formfabrik",
    version,
    about = "Accessible online forms for municipalities"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Load every catalog form and municipality, print problems and the drift report;
    /// exit 1 if there is any error.
    Check(cmd::check::Args),
    /// Build the static site of every municipality, the JSON Schemas and the function's
    /// registry.
    Build(cmd::build::Args),
    /// Build the sites for this machine, serve them with the submission function at /v1 and a
    /// folder store, and rebuild and reload when forms/ or site-templates/ change.
    Serve(cmd::serve::Args),
    /// Import a FIM Stammdatenschema (XDatenfelder 2.0 or 3.0) as a catalog form and print the
    /// import report: the FIM rules converted into conditions (coverage) and those left to do by
    /// hand, what could not be mapped fully.
    ImportFim(cmd::import_fim::Args),
    /// Make an RSA 4096 key pair for a municipality's back office: the public JWK into its
    /// folder, the private JWK (mode 0600) outside dist/ and forms/.
    Keygen(cmd::keygen::Args),
    /// Write the JSON Schemas of the form language (catalog form, overlay, municipality.yaml)
    /// that editors read to complete keys and flag unknown ones.
    Schema(cmd::schema::Args),
    /// The back office's inbox: list, pull, release, ack, export, purge submissions.
    #[command(subcommand)]
    Inbox(cmd::inbox::InboxCommand),
    /// Payments through the municipalities' XBezahldienste platforms: reconcile.
    #[command(subcommand)]
    Payments(cmd::payments::PaymentsCommand),
}
