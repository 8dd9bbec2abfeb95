//! The store options every `formfabrik inbox` subcommand that reads the store shares, and
//! opening the store from them.

use std::sync::Arc;

use clap::Args;
use store::{S3Options, StoreUrl};

#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// `file:./data` or `s3://bucket[/prefix]`.
    #[arg(long, env = "FORMFABRIK_STORE")]
    pub store: String,
    #[arg(long, env = "FORMFABRIK_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    #[arg(long, env = "FORMFABRIK_S3_PATH_STYLE")]
    pub s3_path_style: bool,
    #[arg(long, env = "FORMFABRIK_S3_REGION")]
    pub s3_region: Option<String>,
}

pub async fn open(args: &StoreArgs) -> Result<Arc<dyn store::Store>, String> {
    let url: StoreUrl = args.store.parse().map_err(|e| format!("{e}"))?;
    Ok(url
        .open(&S3Options {
            endpoint: args.s3_endpoint.clone(),
            path_style: args.s3_path_style,
            region: args.s3_region.clone(),
        })
        .await)
}
