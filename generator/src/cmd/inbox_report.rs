//! `formfabrik inbox report`: the summary per municipality and form (new since the last
//! report, imported, failed, stuck in a lease, waiting longest) as text on stdout, as HTML
//! (`--html FILE`), and by mail (`--mail`, SMTP settings from the environment). The work is
//! `inbox::report`'s; the report is remembered in the store only once it was delivered.

use std::process::ExitCode;

use clap::Args;
use inbox::report::{self, mail};
use inbox::{Inbox, Schemas};

use super::inbox_store::{StoreArgs, open};

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// A municipality to report on; repeat for several (one report, one mail).
    #[arg(long, required = true)]
    municipality: Vec<String>,
    /// The report's language.
    #[arg(long, value_parser = ["de", "en"], default_value = "de")]
    language: String,
    /// Also write the report as HTML to this file.
    #[arg(long)]
    html: Option<std::path::PathBuf>,
    /// Send the report by SMTP with STARTTLS; settings from FORMFABRIK_SMTP_HOST, _PORT (587),
    /// _USER, _PASSWORD, _FROM, _TO (comma-separated) and _CA_FILE (see docs/backoffice.md).
    #[arg(long)]
    mail: bool,
    /// Show the report without remembering it: the next report still counts from the last
    /// one that was remembered.
    #[arg(long)]
    preview: bool,
}

/// Runs `inbox report`.
pub(super) async fn run(a: ReportArgs) -> Result<ExitCode, String> {
    // The settings are checked before anything is read, so a missing variable fails fast.
    let settings = if a.mail {
        Some(mail::Settings::from_env(|name| std::env::var(name).ok()).map_err(|e| e.to_string())?)
    } else {
        None
    };
    let inbox = Inbox::new(open(&a.store).await?, None, Schemas::from_dir("."));
    let now = time::OffsetDateTime::now_utc();
    let gathered = report::gather(&inbox, &a.municipality, now)
        .await
        .map_err(|e| e.to_string())?;
    let rendered = report::render(&gathered, &a.language);
    print!("{}", rendered.text);
    if let Some(path) = &a.html {
        std::fs::write(path, &rendered.html).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(settings) = &settings {
        mail::send(settings, &rendered)
            .await
            .map_err(|e| e.to_string())?;
        eprintln!(
            "report sent to {}",
            settings
                .to
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // Remembered only once it was delivered.
    if !a.preview {
        let raced = gathered
            .remember(inbox.store())
            .await
            .map_err(|e| e.to_string())?;
        for m in raced {
            eprintln!(
                "{m}: another report run was remembered at the same time; the next report counts from that one"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
