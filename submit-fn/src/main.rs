//! `submit-fn`: the submission function's binary. Without a subcommand it runs on AWS Lambda
//! (settings from `FORMFABRIK_*` environment variables; with `FORMFABRIK_LAMBDA=reconcile` as
//! the scheduled payment reconciliation); `serve` runs the same handler as a local HTTP
//! server; `template` prints the deployment template for a registry.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use store::layout::FUNCTION_PROBE_PREFIX;
use store::{S3Options, StoreUrl};
use submit_fn::config::{load_full_registry, load_pages, load_registry, theme_beside};
use submit_fn::{DEFAULT_BODY_LIMIT, Handler};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(name = "submit-fn", version, about = "Formfabrik submission function")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run on AWS Lambda (the default when no subcommand is given).
    Lambda(Settings),
    /// Run on AWS Lambda as the scheduled payment reconciliation, invoked by an EventBridge
    /// schedule (the default without a subcommand when FORMFABRIK_LAMBDA=reconcile).
    ReconcileLambda(Settings),
    /// Run the same handler as a local HTTP server.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787", env = "FORMFABRIK_ADDR")]
        addr: SocketAddr,
        #[command(flatten)]
        settings: Settings,
        #[command(flatten)]
        limits: ServeLimits,
    },
    /// Print the AWS SAM template for a registry (CORS origins, lifecycle rules per form).
    Template {
        /// registry.json to read.
        #[arg(long, conflicts_with = "forms")]
        registry: Option<PathBuf>,
        /// Or a forms/ folder to check and build the registry from.
        #[arg(long)]
        forms: Option<PathBuf>,
        /// Where the built function is, relative to the template.
        #[arg(long, default_value = submit_fn::sam_template::DEFAULT_CODE_URI)]
        code_uri: String,
    },
}

#[derive(Debug, Args)]
struct Settings {
    /// The registry built by the generator.
    #[arg(
        long,
        env = "FORMFABRIK_REGISTRY",
        default_value = "dist/function/registry.json"
    )]
    registry: PathBuf,
    /// The theme built with the registry: the templates the function renders a form page with
    /// when a browser post has errors. Default: theme.json beside the registry.
    #[arg(long, env = "FORMFABRIK_THEME")]
    theme: Option<PathBuf>,
    /// Where submissions go: file:<folder> or s3://<bucket>[/<prefix>].
    #[arg(long, env = "FORMFABRIK_STORE", default_value = "file:./data")]
    store: String,
    /// Endpoint of an S3-compatible store (MinIO, Garage, Ceph, IONOS, ...).
    #[arg(long, env = "FORMFABRIK_S3_ENDPOINT")]
    s3_endpoint: Option<String>,
    /// Path-style addressing (https://endpoint/bucket/key); most S3-compatible stores need it.
    #[arg(long, env = "FORMFABRIK_S3_PATH_STYLE")]
    s3_path_style: bool,
    /// Region, if not given by the AWS environment.
    #[arg(long, env = "FORMFABRIK_S3_REGION")]
    s3_region: Option<String>,
    /// Largest accepted request body in bytes.
    #[arg(long, env = "FORMFABRIK_BODY_LIMIT", default_value_t = DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// Sign-in with BundID: the JSON file naming each municipality's broker (docs/identity.md).
    /// Its secrets come from where --secrets says. Without it, no sign-in is offered.
    #[arg(long, env = "FORMFABRIK_SIGN_IN")]
    sign_in: Option<PathBuf>,
    /// Where sign-in's secrets are: `env` (FORMFABRIK_SESSION_KEYS, FORMFABRIK_OIDC_CLIENT_SECRET,
    /// ...), `ssm:/<path>` (SSM Parameter Store, SecureString parameters below the path) or
    /// `secretsmanager:<prefix>` (Secrets Manager). The payment platforms' secrets are named in
    /// the registry (`aws-ssm-parameter`, `aws-secrets-manager`, `env`, `file`).
    #[arg(long, env = "FORMFABRIK_SECRETS", default_value = "env")]
    secrets: submit_fn::secrets::SecretLocation,
    /// Seconds a secret fetched from SSM or Secrets Manager is used before it is asked for
    /// again (a rotated payment secret is picked up after this).
    #[arg(long, env = "FORMFABRIK_SECRETS_TTL", default_value_t = submit_fn::secrets::DEFAULT_TTL.as_secs())]
    secrets_ttl: u64,
    /// Days a signed-in citizen's saved draft is kept (the bucket's lifecycle rule for
    /// `_drafts/` removes it then too; the SAM template sets both from DraftRetentionDays).
    #[arg(long, env = "FORMFABRIK_DRAFT_DAYS", default_value_t = store::drafts::DEFAULT_DAYS)]
    draft_days: u32,
}

/// Limits of the local server (on Lambda, API Gateway sets them).
#[derive(Debug, Args)]
struct ServeLimits {
    /// Seconds within which the whole request body must arrive (else 408).
    #[arg(long, env = "FORMFABRIK_BODY_TIMEOUT", default_value_t = 120)]
    body_timeout: u64,
    /// Seconds within which a request is answered (else 503, nothing acknowledged).
    #[arg(long, env = "FORMFABRIK_REQUEST_TIMEOUT", default_value_t = 150)]
    request_timeout: u64,
    /// Connections served at once; more wait in the listen queue.
    #[arg(long, env = "FORMFABRIK_MAX_CONNECTIONS", default_value_t = 1024)]
    max_connections: usize,
    /// Megabytes (MiB) of request bodies held in memory at once; past it, 503 `busy`.
    #[arg(long, env = "FORMFABRIK_BODY_MEMORY_MB", default_value_t = 256)]
    body_memory_mb: usize,
}

impl ServeLimits {
    fn options(&self) -> submit_fn::server::ServerOptions {
        submit_fn::server::ServerOptions {
            body_timeout: std::time::Duration::from_secs(self.body_timeout),
            request_timeout: std::time::Duration::from_secs(self.request_timeout),
            max_connections: self.max_connections,
            body_memory: self.body_memory_mb.saturating_mul(1024 * 1024),
            ..submit_fn::server::ServerOptions::default()
        }
    }
}

impl Settings {
    /// Loads the registry (stopping with a clear message when it is broken), opens the store
    /// and finds out whether it honours create-only writes. On one that does not, only a
    /// single process may write (`single_process`: `serve`), which takes the store's
    /// single-runner right; Lambda (many instances) refuses to start.
    async fn handler(&self, single_process: bool) -> Result<Handler> {
        let registry = load_registry(&self.registry)?;
        let theme = self
            .theme
            .clone()
            .unwrap_or_else(|| theme_beside(&self.registry));
        let pages = Arc::new(load_pages(&theme, &registry)?);
        let store = self.open_store().await?;
        tracing::info!(
            registry = %self.registry.display(),
            theme = %theme.display(),
            forms = registry.form_count(),
            store = %store.describe(),
            body_limit = self.body_limit,
            "submission function ready"
        );
        let secrets = Arc::new(self.secret_source());
        let sign_in = match &self.sign_in {
            None => None,
            Some(path) => {
                let settings = submit_fn::auth::SignInSettings::read(path)?;
                let mut sign_in = submit_fn::auth::SignIn::load(
                    &settings,
                    &registry,
                    secrets.as_ref(),
                    Arc::new(identity::transport::HttpsTransport::new()?),
                    Arc::new(identity::SystemClock),
                )
                .await?;
                sign_in.draft_days = self.draft_days;
                tracing::info!(
                    municipalities = settings.municipalities.len(),
                    "sign-in with BundID offered"
                );
                Some(Arc::new(sign_in))
            }
        };
        let payments = submit_fn::payment::Payments::if_any(&registry, secrets);
        let mut handler = Handler::new(registry, store.clone())
            .with_body_limit(self.body_limit)
            .with_pages(pages);
        if let Some(payments) = payments {
            handler = handler.with_payments(Arc::new(payments));
        }
        if let Some(sign_in) = sign_in {
            handler = handler.with_sign_in(sign_in);
        }
        let owner = format!("submit-fn {}:{}", hostname(), std::process::id());
        let now = time::OffsetDateTime::now_utc();
        if !single_process {
            let mode = store::exclusive::write_mode(store.as_ref(), FUNCTION_PROBE_PREFIX).await?;
            anyhow::ensure!(
                mode == store::exclusive::WriteMode::CreateOnly,
                "the store {} ignores create-only writes (If-None-Match): the claim protocol \
                 cannot stay exactly-once with several function instances. Use a store that \
                 honours If-None-Match (AWS S3, ...), or run one `submit-fn serve` process",
                store.describe()
            );
            return Ok(handler.with_probed_create_only_store());
        }
        match store::exclusive::function_runner(store.clone(), &owner, now).await? {
            None => Ok(handler.with_probed_create_only_store()),
            Some(lock) => {
                tracing::warn!(
                    store = %store.describe(),
                    "the store ignores create-only writes: single-runner mode (one process)"
                );
                store::exclusive::spawn_renewal(lock.clone(), std::time::Duration::from_secs(40));
                Ok(handler.with_single_runner(lock))
            }
        }
    }
}

impl Settings {
    async fn open_store(&self) -> Result<Arc<dyn store::Store>> {
        let url: StoreUrl = self.store.parse()?;
        let s3 = S3Options {
            endpoint: self.s3_endpoint.clone(),
            path_style: self.s3_path_style,
            region: self.s3_region.clone(),
        };
        Ok(url.open(&s3).await)
    }

    /// Secrets from SSM Parameter Store and Secrets Manager (the AWS environment's region and
    /// credentials: on Lambda the function's role), environment variables and files.
    fn secret_source(&self) -> submit_fn::secrets::AwsSecrets {
        submit_fn::secrets::AwsSecrets::from_environment(
            self.secrets.clone(),
            std::time::Duration::from_secs(self.secrets_ttl),
        )
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

fn init_logs() {
    // JSON lines; FORMFABRIK_LOG takes tracing's filter syntax ("info", "submit_fn=debug").
    // Keep the AWS SDK below trace: at trace level it may log request bodies.
    let filter =
        EnvFilter::try_from_env("FORMFABRIK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_target(true)
        .init();
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Template {
            registry,
            forms,
            code_uri,
        }) => {
            let registry = match (registry, forms) {
                (Some(path), _) => load_full_registry(&path)?,
                (None, Some(dir)) => {
                    let report = form_model::check(&dir);
                    anyhow::ensure!(
                        report.is_ok(),
                        "{} has errors; run `formfabrik check` ({})",
                        dir.display(),
                        report.summary()
                    );
                    form_model::registry::Registry::build(&report, |m| m.site_origin.clone())
                }
                (None, None) => anyhow::bail!("give --registry <file> or --forms <folder>"),
            };
            print!(
                "{}",
                submit_fn::sam_template::template(&registry, &code_uri)
            );
            Ok(())
        }
        Some(Command::Serve {
            addr,
            settings,
            limits,
        }) => {
            init_logs();
            let handler = Arc::new(settings.handler(true).await?);
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            tracing::info!(addr = %listener.local_addr()?, "listening");
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            submit_fn::server::serve_with(listener, handler.clone(), limits.options(), shutdown)
                .await?;
            handler.release().await;
            Ok(())
        }
        Some(Command::Lambda(settings)) => run_lambda(settings).await,
        Some(Command::ReconcileLambda(settings)) => run_reconcile(settings).await,
        None if std::env::var("FORMFABRIK_LAMBDA").as_deref() == Ok("reconcile") => {
            run_reconcile(Settings::parse_from_env()).await
        }
        None => run_lambda(Settings::parse_from_env()).await,
    }
}

/// The scheduled reconciliation: every event runs `submit_fn::payment::scheduled`.
async fn run_reconcile(settings: Settings) -> Result<()> {
    use lambda_http::{LambdaEvent, service_fn};
    use submit_fn::payment::scheduled::Scheduled;
    init_logs();
    // Every form parsed: the reconciliation reads only the municipalities, but it runs on a
    // schedule, not in a citizen's request, and `Scheduled` keeps the whole registry.
    let registry = load_full_registry(&settings.registry)?;
    let store = settings.open_store().await?;
    let secrets = Arc::new(settings.secret_source());
    let payments = Arc::new(submit_fn::payment::Payments::new(&registry, secrets));
    let scheduled = Arc::new(Scheduled {
        store,
        registry,
        payments,
        options: submit_fn::payment::reconcile::ReconcileOptions::default(),
    });
    tracing::info!("payment reconciliation ready");
    lambda_http::lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let scheduled = Arc::clone(&scheduled);
        async move {
            let now = time::OffsetDateTime::now_utc();
            scheduled
                .handle(event.payload, now)
                .await
                .map_err(lambda_http::Error::from)
        }
    }))
    .await
    .map_err(|e| anyhow::anyhow!("Lambda runtime stopped: {e}"))
}

async fn run_lambda(settings: Settings) -> Result<()> {
    init_logs();
    let handler = Arc::new(settings.handler(false).await?);
    submit_fn::lambda::run(handler)
        .await
        .map_err(|e| anyhow::anyhow!("Lambda runtime stopped: {e}"))
}

impl Settings {
    /// Settings from the environment alone (Lambda starts `bootstrap` without arguments).
    fn parse_from_env() -> Settings {
        #[derive(Parser)]
        struct Env {
            #[command(flatten)]
            settings: Settings,
        }
        Env::parse_from(["submit-fn"]).settings
    }
}
