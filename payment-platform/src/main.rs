//! `payment-platform serve --config platform.yaml`: the local payment platform in the
//! foreground until Ctrl-C. `payment-platform certs --out DIR`: a CA, a server certificate and
//! a client certificate for trying the mTLS variant.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use payment_platform::config::Config;
use payment_platform::pki::Authority;

#[derive(Parser)]
#[command(version, about = "A local XBezahldienste v1.0.0 payment platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the pay page.
    Serve {
        /// The platform's YAML configuration (tenants, clients, optional mTLS listener).
        #[arg(long)]
        config: PathBuf,
        /// Keep transactions in this file across restarts (overrides `state-file`).
        #[arg(long)]
        state_file: Option<PathBuf>,
    },
    /// Write a CA, a server certificate for 127.0.0.1 and a client certificate (PEM) into a
    /// folder, and print the client certificate's SHA-256 for the configuration.
    Certs {
        #[arg(long)]
        out: PathBuf,
        /// The client certificate's common name.
        #[arg(long, default_value = "formfabrik")]
        client: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve { config, state_file } => {
            let mut config = Config::load(&config)?;
            if state_file.is_some() {
                config.state_file = state_file;
            }
            let platform = payment_platform::start(config).await?;
            println!("payment platform: {}", platform.base_url());
            if let Some(url) = platform.mtls_base_url() {
                println!("mTLS listener:    {url}");
            }
            tokio::signal::ctrl_c()
                .await
                .context("waiting for Ctrl-C")?;
            platform.stop().await;
        }
        Command::Certs { out, client } => {
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            let ca = Authority::new("payment-platform local CA")?;
            let server = ca.server()?;
            let issued = ca.client(&client)?;
            let files = [
                ("ca.pem", ca.certificate_pem()),
                ("server.pem", server.certificate_pem),
                ("server-key.pem", server.private_key_pem),
                ("client.pem", issued.certificate_pem),
                ("client-key.pem", issued.private_key_pem),
            ];
            for (name, text) in files {
                let path = out.join(name);
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            println!("client certificate sha256: {}", issued.sha256);
        }
    }
    Ok(())
}
