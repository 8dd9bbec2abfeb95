//! Payment as process designers and municipalities write it: whether a form asks for payment
//! before its submission reaches the back office (`payment: required` / `optional`, in the
//! catalog form and per form in `municipality.yaml`), and the municipality's payment platform
//! (`payment:` in `municipality.yaml`): an XBezahldienste platform, reached with OAuth2, mutual
//! TLS or HTTP Basic, its secrets named (an environment variable, a file, AWS Secrets Manager or
//! SSM Parameter Store), never written. The shape is the one the `xbezahl` adapter reads (the
//! function converts it; a test there keeps the two in step). The lint checks it (`lint::payment`).

use serde::{Deserialize, Serialize};

/// Whether a form's fees are paid online before the submission is handed on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentMode {
    /// Not offered: fees are charged by notice.
    #[default]
    None,
    /// Paid online first: the back office receives the submission only once it is paid.
    Required,
    /// Offered: the citizen may pay online or be charged by notice.
    Optional,
}

impl PaymentMode {
    pub fn is_none(&self) -> bool {
        *self == PaymentMode::None
    }
}

/// `payment:` in `municipality.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Payment {
    /// The XBezahldienste platform the municipality's cash office uses.
    pub platform: PaymentPlatform,
    /// How long a submission may await its payment before reconciliation expires it.
    #[serde(default = "default_expire_hours")]
    pub expire_after_hours: u32,
}

fn default_expire_hours() -> u32 {
    24
}

/// How the function reaches the payment platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PaymentPlatform {
    /// The URL `paymenttransaction/…` is appended to: https (http only on 127.0.0.1/localhost).
    pub base_url: String,
    /// The online service as the platform knows it (1 to 36 of `A-Z a-z 0-9 _ -`).
    pub originator_id: String,
    /// The authority as the platform knows it, often its AGS (1 to 36 of `A-Z a-z 0-9 _ -`).
    pub endpoint_id: String,
    /// Exactly one of `oauth2`, `mtls`, `basic`.
    pub auth: PaymentAuth,
    /// A certificate (PEM) to trust besides the system's roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_certificate: Option<SecretName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
}

/// One way of authenticating, written with exactly one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PaymentAuth {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuth2Auth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtls: Option<MtlsAuth>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic: Option<BasicAuth>,
}

/// OAuth2 client credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OAuth2Auth {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: SecretName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `body` (default) or `basic` (RFC 6749 2.3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_authentication: Option<ClientAuthentication>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAuthentication {
    Body,
    Basic,
}

/// Mutual TLS with a client certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MtlsAuth {
    pub certificate: SecretName,
    pub private_key: SecretName,
}

/// HTTP Basic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BasicAuth {
    pub username: String,
    pub password: SecretName,
}

/// Where a secret comes from, with exactly one key; the secret itself is never written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SecretName {
    /// An environment variable's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// A file (a mounted secret), relative to the working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// An AWS Secrets Manager secret id or ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_secrets_manager: Option<String>,
    /// An AWS Systems Manager Parameter Store name (SecureString).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_ssm_parameter: Option<String>,
}

impl SecretName {
    /// How many of the four places are named (exactly one is right).
    pub fn named(&self) -> usize {
        [
            &self.env,
            &self.file,
            &self.aws_secrets_manager,
            &self.aws_ssm_parameter,
        ]
        .iter()
        .filter(|x| x.is_some())
        .count()
    }
}

impl PaymentAuth {
    /// How many of the three ways are written (exactly one is right).
    pub fn written(&self) -> usize {
        usize::from(self.oauth2.is_some())
            + usize::from(self.mtls.is_some())
            + usize::from(self.basic.is_some())
    }
}
