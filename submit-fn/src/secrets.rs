//! The function's secrets from AWS Systems Manager Parameter Store and AWS Secrets Manager
//! ([`AwsSecrets`]): the payment platforms' credentials that `municipality.yaml` names as
//! `{ aws-ssm-parameter: … }` or `{ aws-secrets-manager: … }` (xbezahl's `SecretSource`), and
//! sign-in's secrets (the OIDC client secret or private key, the session key ring, the
//! registry's token; identity's `SecretSource`) below a path given by `FORMFABRIK_SECRETS`
//! (`ssm:/formfabrik` or `secretsmanager:formfabrik/`), else from `FORMFABRIK_*` environment
//! variables. Values are kept for a time-to-live (the life of a warm Lambda, at most
//! [`DEFAULT_TTL`] by default), so a rotated payment secret is picked up without a cold start
//! and a warm function does not ask the store on every request. Errors name the secret and
//! the store; values never reach a log.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings};
use identity::secrets::{EnvSecrets, SecretError as IdentitySecretError};
use identity::transport::{HttpsTransport, Transport, error_chain};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use xbezahl::secret::{LocalSecrets, Secret, SecretError, SecretRef};

/// How long a fetched value is used before it is asked for again.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// Where sign-in's secrets live (`FORMFABRIK_SECRETS`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SecretLocation {
    /// `FORMFABRIK_*` environment variables (`identity::secrets::EnvSecrets`).
    #[default]
    Env,
    /// SecureString parameters below a path: `ssm:/formfabrik` reads `session-keys` from
    /// `/formfabrik/session-keys`, `musterstadt/oidc-client-secret` from
    /// `/formfabrik/musterstadt/oidc-client-secret`.
    Ssm(String),
    /// Secrets named with a prefix: `secretsmanager:formfabrik/` reads `session-keys` from the
    /// secret `formfabrik/session-keys` (its string value).
    SecretsManager(String),
}

impl SecretLocation {
    /// Where the secret `name` is kept.
    pub fn reference(&self, name: &str) -> Option<SecretRef> {
        match self {
            SecretLocation::Env => None,
            SecretLocation::Ssm(path) => Some(SecretRef::AwsSsmParameter(format!(
                "{}/{name}",
                path.trim_end_matches('/')
            ))),
            SecretLocation::SecretsManager(prefix) => {
                Some(SecretRef::AwsSecretsManager(format!("{prefix}{name}")))
            }
        }
    }
}

impl FromStr for SecretLocation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "FORMFABRIK_SECRETS is \"{s}\": give env, ssm:/<path> (SSM Parameter Store) or \
                 secretsmanager:<prefix> (Secrets Manager)"
            )
        };
        if s == "env" || s.is_empty() {
            return Ok(SecretLocation::Env);
        }
        match s.split_once(':') {
            Some(("ssm", path)) if path.starts_with('/') && path.len() > 1 => {
                Ok(SecretLocation::Ssm(path.trim_end_matches('/').to_string()))
            }
            Some(("secretsmanager", prefix)) if !prefix.is_empty() => {
                Ok(SecretLocation::SecretsManager(prefix.to_string()))
            }
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for SecretLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretLocation::Env => f.write_str("env"),
            SecretLocation::Ssm(path) => write!(f, "ssm:{path}"),
            SecretLocation::SecretsManager(prefix) => write!(f, "secretsmanager:{prefix}"),
        }
    }
}

/// Secrets from the two AWS stores (and, for references to them, environment variables and
/// files), kept for a time-to-live.
pub struct AwsSecrets {
    /// Made at the first secret asked of AWS: a process that reads only environment variables
    /// and files does not look for a region or credentials.
    clients: tokio::sync::OnceCell<Clients>,
    sign_in: SecretLocation,
    ttl: Duration,
    cache: Mutex<HashMap<SecretRef, (SecretString, Instant)>>,
}

/// The two stores' APIs, each one JSON `POST` (`AmazonSSM.GetParameter`,
/// `secretsmanager.GetSecretValue`), signed with SigV4 and sent over identity's hyper + rustls
/// transport (the HTTP and TLS stack the function already links). Two SDK client crates for
/// two calls made the Lambda artifact larger by more than either API is worth (issue 17).
struct Clients {
    region: Option<String>,
    credentials: Option<SharedCredentialsProvider>,
    /// `AWS_ENDPOINT_URL` or the config's endpoint (tests: moto); else the regional endpoint.
    endpoint: Option<String>,
    transport: Result<HttpsTransport, String>,
}

/// One of the two stores: its SigV4 service name, its API's target prefix, the error type that
/// means "no such secret".
#[derive(Clone, Copy)]
struct Service {
    signing_name: &'static str,
    target: &'static str,
    not_found: &'static str,
}

const SSM: Service = Service {
    signing_name: "ssm",
    target: "AmazonSSM.GetParameter",
    not_found: "ParameterNotFound",
};

const SECRETS_MANAGER: Service = Service {
    signing_name: "secretsmanager",
    target: "secretsmanager.GetSecretValue",
    not_found: "ResourceNotFoundException",
};

/// How long one call may take (the SDK's clients gave up after about as long).
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

impl Clients {
    fn new(config: &SdkConfig) -> Clients {
        Clients {
            region: config.region().map(|r| r.as_ref().to_string()),
            credentials: config.credentials_provider(),
            endpoint: config.endpoint_url().map(str::to_string),
            transport: HttpsTransport::new()
                .map(|t| t.with_timeout(CALL_TIMEOUT))
                .map_err(|e| e.to_string()),
        }
    }

    /// The answer of `service` to `body` (JSON), or why there is none.
    async fn call(&self, service: Service, body: serde_json::Value) -> Result<Value, Fetch> {
        let failed = |m: String| Fetch::Failed(m);
        let region = self.region.as_deref().ok_or_else(|| {
            failed("no AWS region is set (AWS_REGION, or the profile's region)".into())
        })?;
        let provider = self
            .credentials
            .as_ref()
            .ok_or_else(|| failed("no AWS credentials are configured".into()))?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| failed(format!("no AWS credentials: {}", error_chain(&e))))?;
        let endpoint = match &self.endpoint {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => {
                let domain = if region.starts_with("cn-") {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                };
                format!("https://{}.{region}.{domain}", service.signing_name)
            }
        };
        let url = format!("{endpoint}/");
        let body = serde_json::to_vec(&body).expect("a JSON value serializes");
        let mut request = http::Request::post(&url)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", service.target)
            .body(body)
            .map_err(|e| failed(format!("{url}: {e}")))?;
        let host = request
            .uri()
            .authority()
            .map(|a| a.as_str().to_string())
            .ok_or_else(|| failed(format!("{url} names no host")))?;
        request.headers_mut().insert(
            http::header::HOST,
            http::HeaderValue::from_str(&host).map_err(|e| failed(e.to_string()))?,
        );
        let identity = credentials.into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(service.signing_name)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| failed(e.to_string()))?
            .into();
        let headers: Vec<(&str, &str)> = request
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
            .collect();
        let signable = SignableRequest::new(
            "POST",
            url.as_str(),
            headers.into_iter(),
            SignableBody::Bytes(request.body()),
        )
        .map_err(|e| failed(e.to_string()))?;
        let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
            .map_err(|e| failed(e.to_string()))?
            .into_parts();
        instructions.apply_to_request_http1x(&mut request);
        let transport = self.transport.as_ref().map_err(|e| failed(e.clone()))?;
        let response = transport
            .send(request)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        let answer: Value = serde_json::from_slice(response.body()).map_err(|e| {
            failed(format!(
                "{url} answered {status} with a body that is not JSON: {e}"
            ))
        })?;
        if status.is_success() {
            return Ok(answer);
        }
        // `__type` is `ParameterNotFound` or `com.amazonaws…#ParameterNotFound`; the header
        // says the same on some endpoints.
        let kind = answer
            .get("__type")
            .and_then(Value::as_str)
            .or_else(|| {
                response
                    .headers()
                    .get("x-amzn-errortype")
                    .and_then(|v| v.to_str().ok())
            })
            .map(|t| t.rsplit('#').next().unwrap_or(t))
            .map(|t| t.split(':').next().unwrap_or(t))
            .unwrap_or("")
            .to_string();
        if kind == service.not_found {
            return Err(Fetch::NotFound);
        }
        let message = ["message", "Message"]
            .iter()
            .find_map(|k| answer.get(*k).and_then(Value::as_str))
            .unwrap_or("");
        Err(failed(format!("{status} {kind}: {message}")))
    }
}

/// Why a store did not hand out a value: it has no such secret, or it could not be asked.
enum Fetch {
    NotFound,
    Failed(String),
}

impl AwsSecrets {
    /// Clients for `config` (on Lambda: `aws_config::load_defaults`, the function's role and
    /// region); sign-in's secrets from `sign_in`.
    pub fn new(config: &SdkConfig, sign_in: SecretLocation, ttl: Duration) -> AwsSecrets {
        AwsSecrets {
            clients: tokio::sync::OnceCell::new_with(Some(Clients::new(config))),
            sign_in,
            ttl,
            cache: Mutex::default(),
        }
    }

    /// Clients for the AWS environment (region and credentials as the SDK finds them: on
    /// Lambda the function's role), made when the first secret is asked of AWS.
    pub fn from_environment(sign_in: SecretLocation, ttl: Duration) -> AwsSecrets {
        AwsSecrets {
            clients: tokio::sync::OnceCell::new(),
            sign_in,
            ttl,
            cache: Mutex::default(),
        }
    }

    async fn clients(&self) -> &Clients {
        self.clients
            .get_or_init(|| async { Clients::new(&store::s3::sdk_defaults().load().await) })
            .await
    }

    /// Where sign-in's secrets come from.
    pub fn sign_in_location(&self) -> &SecretLocation {
        &self.sign_in
    }

    /// The value `reference` names, from the cache while it is fresh.
    pub async fn value(&self, reference: &SecretRef) -> Result<SecretString, SecretError> {
        if let Some(v) = self.cached(reference) {
            return Ok(v);
        }
        let fetched = match reference {
            SecretRef::Env(_) | SecretRef::File(_) => {
                let s = LocalSecrets::read(reference)?;
                return Ok(SecretString::from(s.expose().to_string()));
            }
            SecretRef::AwsSsmParameter(name) => self.parameter(name).await,
            SecretRef::AwsSecretsManager(id) => self.secret(id).await,
        };
        match fetched {
            Ok(value) => {
                self.lock()
                    .insert(reference.clone(), (clone(&value), Instant::now()));
                Ok(value)
            }
            Err(Fetch::NotFound) => Err(SecretError::Missing(reference.clone())),
            Err(Fetch::Failed(message)) => Err(SecretError::Unreadable {
                reference: reference.clone(),
                message,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SecretRef, (SecretString, Instant)>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cached(&self, reference: &SecretRef) -> Option<SecretString> {
        let cache = self.lock();
        let (value, at) = cache.get(reference)?;
        (at.elapsed() < self.ttl).then(|| clone(value))
    }

    async fn parameter(&self, name: &str) -> Result<SecretString, Fetch> {
        let answer = self
            .clients()
            .await
            .call(SSM, json!({ "Name": name, "WithDecryption": true }))
            .await?;
        answer
            .pointer("/Parameter/Value")
            .and_then(Value::as_str)
            .map(SecretString::from)
            .ok_or_else(|| Fetch::Failed("the answer has no value".into()))
    }

    async fn secret(&self, id: &str) -> Result<SecretString, Fetch> {
        let answer = self
            .clients()
            .await
            .call(SECRETS_MANAGER, json!({ "SecretId": id }))
            .await?;
        answer
            .get("SecretString")
            .and_then(Value::as_str)
            .map(SecretString::from)
            .ok_or_else(|| {
                Fetch::Failed("it holds a binary value; store the secret as a string".into())
            })
    }
}

fn clone(s: &SecretString) -> SecretString {
    SecretString::from(s.expose_secret().to_string())
}

impl xbezahl::SecretSource for AwsSecrets {
    fn resolve<'a>(&'a self, reference: &'a SecretRef) -> xbezahl::secret::SecretFuture<'a> {
        Box::pin(async move {
            let value = self.value(reference).await?;
            Ok(Secret::new(value.expose_secret()))
        })
    }
}

impl identity::secrets::SecretSource for AwsSecrets {
    fn get<'a>(&'a self, name: &'a str) -> identity::secrets::SecretFuture<'a> {
        Box::pin(async move {
            let Some(reference) = self.sign_in.reference(name) else {
                return EnvSecrets::default().get(name).await;
            };
            match self.value(&reference).await {
                Ok(v) => Ok(Some(v)),
                Err(SecretError::Missing(_)) => Ok(None),
                Err(e) => Err(IdentitySecretError::Source {
                    name: name.to_string(),
                    message: e.to_string(),
                }),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_location_of_sign_in_secrets_is_env_a_parameter_path_or_a_name_prefix() {
        assert_eq!("env".parse(), Ok(SecretLocation::Env));
        let ssm: SecretLocation = "ssm:/formfabrik/".parse().unwrap();
        assert_eq!(ssm, SecretLocation::Ssm("/formfabrik".into()));
        assert_eq!(
            ssm.reference("musterstadt/session-keys"),
            Some(SecretRef::AwsSsmParameter(
                "/formfabrik/musterstadt/session-keys".into()
            ))
        );
        let sm: SecretLocation = "secretsmanager:formfabrik/".parse().unwrap();
        assert_eq!(
            sm.reference("oidc-client-secret"),
            Some(SecretRef::AwsSecretsManager(
                "formfabrik/oidc-client-secret".into()
            ))
        );
        assert_eq!(SecretLocation::Env.reference("session-keys"), None);
        for bad in ["ssm:formfabrik", "ssm:/", "vault:x", "secretsmanager:"] {
            let e = bad.parse::<SecretLocation>().unwrap_err();
            assert!(e.contains("FORMFABRIK_SECRETS"), "{e}");
        }
        assert_eq!(ssm.to_string(), "ssm:/formfabrik");
    }
}
