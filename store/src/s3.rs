//! A store in an S3 bucket, or in any S3-compatible store (MinIO, Garage, Ceph, IONOS, ...)
//! reached with a custom endpoint and path-style addressing. Credentials come from the standard
//! AWS chain (environment, profile, the Lambda role, ...).
//!
//! Create-only writes send `If-None-Match: *`: S3 answers 412 when the key exists, and keeps the
//! object that was there. Stores that ignore the header overwrite; see [`crate::protocol`] for how
//! the write protocol stays safe on them, and `docs/storage.md` for what each store guarantees.

use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{
    BehaviorVersion, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;

use crate::{Bounded, PutOutcome, Store, StoreError, StoreFuture, check_key};

/// How to reach an S3-compatible store other than AWS S3.
#[derive(Debug, Clone, Default)]
pub struct S3Options {
    /// `http://127.0.0.1:9000`, `https://s3.eu-central-3.ionoscloud.com`, ...
    pub endpoint: Option<String>,
    /// `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`; most
    /// S3-compatible stores need it.
    pub path_style: bool,
    /// Overrides the region from the environment (`AWS_REGION`).
    pub region: Option<String>,
}

#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    bucket: String,
    /// Without leading or trailing slash; may be empty.
    prefix: String,
    /// AWS S3 itself (no custom endpoint): documented to honour `If-None-Match: *` (since
    /// August 2024), so it is not probed.
    aws: bool,
    /// Direct uploads: the credentials that sign POST policies and the bucket's URL for
    /// them; without, the store takes no direct uploads ([`Store::presign_post`] is `None`).
    uploads: Option<Uploads>,
}

#[derive(Debug, Clone)]
struct Uploads {
    credentials: aws_sdk_s3::config::SharedCredentialsProvider,
    region: String,
    url: String,
}

impl S3Store {
    /// A store on an existing client (tests build one with static credentials).
    pub fn new(client: Client, bucket: impl Into<String>, prefix: &str) -> S3Store {
        S3Store {
            client,
            bucket: bucket.into(),
            prefix: prefix.trim_matches('/').to_string(),
            aws: false,
            uploads: None,
        }
    }

    /// Signs direct uploads (S3 POST policies) with `credentials`, for the bucket at
    /// `endpoint` (path-style: `<endpoint>/<bucket>`, else `<scheme>://<bucket>.<host>`), or at
    /// AWS S3 in the client's region when `endpoint` is `None`.
    pub fn with_uploads(
        mut self,
        credentials: aws_sdk_s3::config::SharedCredentialsProvider,
        endpoint: Option<&str>,
        path_style: bool,
    ) -> S3Store {
        let region = self
            .client
            .config()
            .region()
            .map_or_else(|| "us-east-1".to_string(), |r| r.to_string());
        let url = match endpoint {
            Some(e) if path_style => format!("{}/{}", e.trim_end_matches('/'), self.bucket),
            Some(e) => match e.split_once("://") {
                Some((scheme, host)) => {
                    format!("{scheme}://{}.{}", self.bucket, host.trim_end_matches('/'))
                }
                None => format!("https://{}.{}", self.bucket, e.trim_end_matches('/')),
            },
            None => format!("https://{}.s3.{region}.amazonaws.com", self.bucket),
        };
        self.uploads = Some(Uploads {
            credentials,
            region,
            url,
        });
        self
    }

    /// Loads credentials and region from the standard AWS chain and builds the client.
    pub async fn connect(bucket: &str, prefix: &str, options: &S3Options) -> S3Store {
        let mut loader = sdk_defaults();
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        let shared = loader.load().await;
        let mut config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(options.path_style)
            // A hanging store must turn into a 503 well before API Gateway's 30 s limit.
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(3))
                    .operation_attempt_timeout(Duration::from_secs(8))
                    .operation_timeout(Duration::from_secs(20))
                    .build(),
            );
        if shared.region().is_none() {
            // S3-compatible stores rarely care; the signature needs some region.
            config = config.region(Region::new("us-east-1"));
        }
        if let Some(endpoint) = &options.endpoint {
            // Many S3-compatible stores reject the checksum trailers the SDK adds by default.
            config = config
                .endpoint_url(endpoint.clone())
                .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
                .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        }
        let mut store = S3Store::new(Client::from_conf(config.build()), bucket, prefix);
        store.aws = options.endpoint.is_none();
        match shared.credentials_provider() {
            Some(credentials) => {
                store.with_uploads(credentials, options.endpoint.as_deref(), options.path_style)
            }
            None => store,
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    fn full_key(&self, key: &str) -> Result<String, StoreError> {
        check_key(key)?;
        Ok(self.locate(key))
    }
}

/// The AWS SDK's configuration loader with the standard chain for credentials and region, and
/// the HTTP/1.1 client of [`crate::sdk_http`]: what every SDK client of the function and the back
/// office is built from.
pub fn sdk_defaults() -> aws_config::ConfigLoader {
    aws_config::defaults(BehaviorVersion::latest()).http_client(crate::sdk_http::http_client())
}

impl Store for S3Store {
    fn put_new<'a>(
        &'a self,
        key: &'a str,
        bytes: Bytes,
        content_type: &'a str,
    ) -> StoreFuture<'a, PutOutcome> {
        Box::pin(async move {
            let full = self.full_key(key)?;
            let sent = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(&full)
                .content_type(content_type)
                .body(ByteStream::from(bytes))
                .if_none_match("*")
                .send()
                .await;
            match sent {
                // S3 answers only after the object is stored redundantly.
                Ok(_) => Ok(PutOutcome::Created),
                Err(e) => match e.raw_response().map(|r| r.status().as_u16()) {
                    Some(412) => Ok(PutOutcome::Exists),
                    // 409 ConditionalRequestConflict: another create-only write of the same key
                    // is in flight and may still fail, so nothing can be promised yet.
                    Some(409) => Err(StoreError::Unavailable(format!(
                        "concurrent write to {full}; retry"
                    ))),
                    _ => Err(StoreError::Unavailable(DisplayErrorContext(&e).to_string())),
                },
            }
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<Bytes>> {
        Box::pin(async move {
            match self.get_at_most(key, u64::MAX).await? {
                Bounded::Missing => Ok(None),
                Bounded::Found(bytes) => Ok(Some(bytes)),
                Bounded::TooLarge(size) => Err(StoreError::Unavailable(format!(
                    "object {key} of {size} bytes cannot be read"
                ))),
            }
        })
    }

    fn get_at_most<'a>(&'a self, key: &'a str, max_bytes: u64) -> StoreFuture<'a, Bounded> {
        Box::pin(async move {
            let full = self.full_key(key)?;
            let got = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(&full)
                .send()
                .await;
            let out = match got {
                Ok(out) => out,
                Err(e) => {
                    let missing = e.as_service_error().is_some_and(|s| s.is_no_such_key())
                        || e.raw_response().is_some_and(|r| r.status().as_u16() == 404);
                    return if missing {
                        Ok(Bounded::Missing)
                    } else {
                        Err(StoreError::Unavailable(DisplayErrorContext(&e).to_string()))
                    };
                }
            };
            // The announced length decides before any byte is read (the body is dropped
            // unread); the stream is counted as well, in case no length was announced.
            let announced = out.content_length().and_then(|n| u64::try_from(n).ok());
            if let Some(size) = announced.filter(|size| *size > max_bytes) {
                return Ok(Bounded::TooLarge(size));
            }
            let mut body = out.body;
            let mut bytes = Vec::with_capacity(announced.unwrap_or(0) as usize);
            while let Some(chunk) = body
                .try_next()
                .await
                .map_err(|e| StoreError::Unavailable(format!("reading {full}: {e}")))?
            {
                bytes.extend_from_slice(&chunk);
                if bytes.len() as u64 > max_bytes {
                    return Ok(Bounded::TooLarge(bytes.len() as u64));
                }
            }
            Ok(Bounded::Found(Bytes::from(bytes)))
        })
    }

    fn list<'a>(&'a self, prefix: &'a str) -> StoreFuture<'a, Vec<String>> {
        Box::pin(async move {
            crate::check_prefix(prefix)?;
            let full = if self.prefix.is_empty() {
                prefix.to_string()
            } else {
                format!("{}/{prefix}", self.prefix)
            };
            let strip = if self.prefix.is_empty() {
                0
            } else {
                self.prefix.len() + 1
            };
            let mut keys = Vec::new();
            let mut pages = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(&full)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page =
                    page.map_err(|e| StoreError::Unavailable(DisplayErrorContext(&e).to_string()))?;
                for object in page.contents() {
                    if let Some(key) = object.key()
                        && key.len() > strip
                    {
                        keys.push(key[strip..].to_string());
                    }
                }
            }
            keys.sort();
            Ok(keys)
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let full = self.full_key(key)?;
            // S3 answers 204 whether or not the key existed; look first to report it.
            let existed = self.get(key).await?.is_some();
            self.client
                .delete_object()
                .bucket(&self.bucket)
                .key(&full)
                .send()
                .await
                .map_err(|e| StoreError::Unavailable(DisplayErrorContext(&e).to_string()))?;
            Ok(existed)
        })
    }

    fn locate(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}/{key}", self.prefix)
        }
    }

    fn describe(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }

    fn honours_create_only(&self) -> Option<bool> {
        self.aws.then_some(true)
    }

    fn presign_post<'a>(
        &'a self,
        key: &'a str,
        content_type: &'a str,
        max_bytes: u64,
        now: time::OffsetDateTime,
    ) -> StoreFuture<'a, Option<crate::upload::PresignedPost>> {
        Box::pin(async move {
            let Some(uploads) = &self.uploads else {
                return Ok(None);
            };
            let full = self.full_key(key)?;
            use aws_sdk_s3::config::ProvideCredentials;
            let credentials = uploads
                .credentials
                .provide_credentials()
                .await
                .map_err(|e| StoreError::Unavailable(format!("credentials: {e}")))?;
            let signer = crate::upload::SigningKey {
                access_key_id: credentials.access_key_id().to_string(),
                secret: credentials.secret_access_key().to_string(),
                session_token: credentials.session_token().map(str::to_string),
                region: uploads.region.clone(),
            };
            let policy = crate::upload::Policy {
                key: full,
                content_type: content_type.to_string(),
                max_bytes,
                expires: now + time::Duration::minutes(crate::upload::POLICY_MINUTES),
            };
            Ok(Some(crate::upload::presign(
                &uploads.url,
                &self.bucket,
                &policy,
                &signer,
                now,
            )))
        })
    }
}
