//! `formfabrik payments reconcile`: argument parsing and printing only; the work is
//! `submit_fn::payment::reconcile` (the same decisions as the function's return route).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use submit_fn::payment::Payments;
use submit_fn::payment::reconcile::{ReconcileOptions, reconcile};
use submit_fn::secrets::{AwsSecrets, DEFAULT_TTL, SecretLocation};

use super::inbox_store::{StoreArgs, open};

#[derive(Subcommand, Debug)]
pub enum PaymentsCommand {
    /// Pull every transaction of a submission still awaiting payment: release the paid ones
    /// to the back office, expire the unpaid ones after the municipality's
    /// `expire-after-hours`. Run it every few minutes (XBezahldienste v1 has no push).
    Reconcile {
        #[command(flatten)]
        store: StoreArgs,
        /// The registry with the municipalities' payment platforms (`formfabrik build`).
        #[arg(long, default_value = "dist/function/registry.json")]
        registry: PathBuf,
        /// Transactions younger than this many minutes are left alone (the citizen may still
        /// be on the pay page).
        #[arg(long, default_value_t = 15)]
        min_age_minutes: u32,
        /// Expire unpaid submissions after this many hours instead of each municipality's
        /// `expire-after-hours`.
        #[arg(long)]
        expire_after_hours: Option<u32>,
        /// Delete expired submissions this many hours after they expired (withdrawn ones are
        /// deleted at the next run); a payment that arrives before is still released.
        #[arg(long, default_value_t = 168)]
        purge_after_hours: u32,
        /// Reach every municipality's platform at this address instead (the local platform
        /// `formfabrik serve` starts and prints: its API and `oauth/token` below it).
        #[arg(long)]
        platform_url: Option<String>,
    },
}

pub fn run(command: PaymentsCommand) -> ExitCode {
    super::block_on("payments", run_async(command))
}

async fn run_async(command: PaymentsCommand) -> Result<ExitCode, String> {
    let PaymentsCommand::Reconcile {
        store,
        registry,
        min_age_minutes,
        expire_after_hours,
        purge_after_hours,
        platform_url,
    } = command;
    let text =
        std::fs::read_to_string(&registry).map_err(|e| format!("{}: {e}", registry.display()))?;
    let mut registry = form_model::registry::Registry::from_json(&text)
        .map_err(|e| format!("{}: {e}", registry.display()))?;
    if let Some(base) = platform_url {
        let base = format!("{}/", base.trim_end_matches('/'));
        for m in &mut registry.municipalities {
            if let Some(p) = m.payment.as_mut() {
                p.platform.base_url = base.clone();
                if let Some(o) = p.platform.auth.oauth2.as_mut() {
                    o.token_url = format!("{base}oauth/token");
                }
            }
        }
    }
    let store = open(&store).await?;
    // A release must be created once; a store that may replace objects could release twice.
    if store.honours_create_only() == Some(false) {
        return Err(format!(
            "{} does not refuse to overwrite objects; reconcile where the function runs in single-runner mode",
            store.describe()
        ));
    }
    // The names the registry gives: environment variables, files, SSM parameters and Secrets
    // Manager secrets (with the AWS environment's credentials).
    let secrets = AwsSecrets::from_environment(SecretLocation::Env, DEFAULT_TTL);
    let payments = Payments::new(&registry, Arc::new(secrets));
    let options = ReconcileOptions {
        min_age: time::Duration::minutes(i64::from(min_age_minutes)),
        expire_after: expire_after_hours.map(|h| time::Duration::hours(i64::from(h))),
        purge_after: time::Duration::hours(i64::from(purge_after_hours)),
    };
    let now = time::OffsetDateTime::now_utc();
    let report = reconcile(store.as_ref(), &registry, &payments, now, options).await;
    println!(
        "reconcile: {} checked, {} released, {} expired, {} deleted, {} still awaiting payment, {} too young",
        report.checked,
        report.released,
        report.expired,
        report.purged,
        report.waiting,
        report.young
    );
    for e in &report.errors {
        eprintln!("  {e}");
    }
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
