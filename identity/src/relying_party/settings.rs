//! Which OpenID provider (the broker) and client a municipality uses, as written in its
//! configuration: nothing secret (the secret or private key comes from a secret source).

use serde::{Deserialize, Serialize};

use crate::claims::ClaimMapping;

/// Which OpenID provider (the broker) and client a municipality uses. Nothing secret: the
/// client secret or private key comes from a [`SecretSource`].
///
/// [`SecretSource`]: crate::secrets::SecretSource
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProviderSettings {
    /// The broker's issuer URL (`https://id.musterstadt.de/realms/bundid`).
    pub issuer: String,
    pub client_id: String,
    /// How the client authenticates at the token endpoint.
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// The function's callback URL, registered at the broker.
    pub redirect_url: String,
    /// Scopes besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub claims: ClaimMapping,
    /// Ask for a fresh sign-in every time (`prompt=login`), so an earlier sign-in at the
    /// broker is never reused silently (a shared computer, a second person).
    #[serde(default = "yes")]
    pub force_login: bool,
}

fn default_scopes() -> Vec<String> {
    ["profile", "email", "address"].map(String::from).to_vec()
}

fn yes() -> bool {
    true
}

/// Client authentication at the token endpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientAuth {
    /// `client_secret_basic`, the secret [`secrets::CLIENT_SECRET`].
    ///
    /// [`secrets::CLIENT_SECRET`]: crate::secrets::CLIENT_SECRET
    #[default]
    ClientSecretBasic,
    /// `private_key_jwt`, the private JWK [`secrets::CLIENT_PRIVATE_KEY`] (RSA: RS256 or
    /// PS256 as its `alg` says; EC P-256: ES256). No shared secret leaves the function.
    ///
    /// [`secrets::CLIENT_PRIVATE_KEY`]: crate::secrets::CLIENT_PRIVATE_KEY
    PrivateKeyJwt,
}

impl ClientAuth {
    pub(super) fn method_name(self) -> &'static str {
        match self {
            ClientAuth::ClientSecretBasic => "client_secret_basic",
            ClientAuth::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_settings_read_as_kebab_case_and_refuse_secrets() {
        let yaml = r#"{"issuer": "https://id.example/realms/bundid", "client-id": "formfabrik",
                       "redirect-url": "https://api.example/v1/m/auth/callback"}"#;
        let s: ProviderSettings = serde_json::from_str(yaml).unwrap();
        assert_eq!(s.client_auth, ClientAuth::ClientSecretBasic);
        assert_eq!(s.scopes, ["profile", "email", "address"]);
        assert!(s.force_login);
        let with_secret = yaml.replace("{", r#"{"client-secret": "x", "#);
        let err = serde_json::from_str::<ProviderSettings>(&with_secret).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `client-secret`"),
            "{err}"
        );
    }
}
