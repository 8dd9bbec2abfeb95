//! The scheduled report's Lambda entry point: every invocation (the schedule's event is
//! ignored) runs [`report_fn::run_once`] with the process's environment.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("FORMFABRIK_LOG"))
        .init();
    lambda_runtime::run(service_fn(|_event: LambdaEvent<Value>| async {
        let now = time::OffsetDateTime::now_utc();
        match report_fn::run_once(|name| std::env::var(name).ok(), now).await {
            Ok(counts) => {
                tracing::info!(%counts, "report sent");
                Ok::<Value, Error>(counts)
            }
            Err(e) => {
                tracing::error!(error = %e, "report not sent");
                Err(e.into())
            }
        }
    }))
    .await
}
