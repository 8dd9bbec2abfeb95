//! A municipality's payment platform, from `payment.platform` of its `municipality.yaml` (as
//! the registry carries it, form-model's types) to the `xbezahl` adapter's configuration. The
//! two are written in the same shape, so the conversion is serde's; the adapter's own checks
//! (ids, base URL) then run on it, so a registry edited by hand is refused at start.

use form_model::model::PaymentPlatform;
use thiserror::Error;

/// Why a platform configuration cannot be used.
#[derive(Debug, Error)]
pub enum PlatformConfigError {
    #[error("payment platform of {municipality}: {reason}")]
    Invalid {
        municipality: String,
        reason: String,
    },
}

/// The adapter's configuration for `platform`, the payment platform of `municipality`.
pub fn platform_config(
    municipality: &str,
    platform: &PaymentPlatform,
) -> Result<xbezahl::PlatformConfig, PlatformConfigError> {
    let invalid = |reason: String| PlatformConfigError::Invalid {
        municipality: municipality.to_string(),
        reason,
    };
    let written = serde_json::to_value(platform).map_err(|e| invalid(e.to_string()))?;
    let config: xbezahl::PlatformConfig =
        serde_json::from_value(written).map_err(|e| invalid(e.to_string()))?;
    config.check().map_err(|e| invalid(e.to_string()))?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use xbezahl::AuthConfig;
    use xbezahl::secret::SecretRef;

    fn platform(auth: serde_json::Value) -> PaymentPlatform {
        serde_json::from_value(serde_json::json!({
            "base-url": "https://pay.example/api/",
            "originator-id": "formfabrik",
            "endpoint-id": "06531019",
            "auth": auth,
        }))
        .unwrap()
    }

    #[test]
    fn each_way_to_authenticate_reaches_the_adapter_with_its_secrets_named() {
        let oauth2 = platform(json!({ "oauth2": {
            "token-url": "https://pay.example/oauth/token",
            "client-id": "ff",
            "client-secret": { "env": "FORMFABRIK_PAYMENT_MUSTERSTADT_CLIENT_SECRET" },
            "client-authentication": "basic",
        } }));
        let config = platform_config("musterstadt", &oauth2).unwrap();
        assert_eq!(config.endpoint_id, "06531019");
        let AuthConfig::Oauth2(o) = config.auth else {
            panic!("{:?}", config.auth)
        };
        assert_eq!(
            o.client_secret,
            SecretRef::Env("FORMFABRIK_PAYMENT_MUSTERSTADT_CLIENT_SECRET".into())
        );
        assert_eq!(
            o.client_authentication,
            xbezahl::config::ClientAuthentication::Basic
        );

        let basic = platform(json!({ "basic": {
            "username": "ff",
            "password": { "aws-ssm-parameter": "/formfabrik/musterstadt/payment-password" },
        } }));
        let AuthConfig::Basic(b) = platform_config("musterstadt", &basic).unwrap().auth else {
            panic!()
        };
        assert_eq!(
            b.password,
            SecretRef::AwsSsmParameter("/formfabrik/musterstadt/payment-password".into())
        );

        let mtls = platform(json!({ "mtls": {
            "certificate": { "aws-secrets-manager": "pay-cert" },
            "private-key": { "file": "key.pem" },
        } }));
        let AuthConfig::Mtls(m) = platform_config("musterstadt", &mtls).unwrap().auth else {
            panic!()
        };
        assert_eq!(
            m.certificate,
            SecretRef::AwsSecretsManager("pay-cert".into())
        );
    }

    #[test]
    fn a_configuration_the_adapter_refuses_is_named_with_its_municipality() {
        let mut two = platform(json!({
            "basic": { "username": "ff", "password": { "env": "A" } },
            "oauth2": {
                "token-url": "https://pay.example/t",
                "client-id": "x",
                "client-secret": { "env": "B" },
            },
        }));
        let e = platform_config("musterstadt", &two)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("payment platform of musterstadt: "), "{e}");
        two.auth.oauth2 = None;
        two.base_url = "http://pay.example/api/".into();
        assert!(platform_config("musterstadt", &two).is_err());
    }
}
