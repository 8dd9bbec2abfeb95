//! The client's credentials at the token endpoint: a client secret (`client_secret_basic`) or a
//! private JWK (`private_key_jwt`), loaded from a secret source, and the client assertions the
//! private key signs.

use josekit::jwk::Jwk;
use josekit::jws::{ES256, JwsHeader, JwsSigner, PS256, RS256};
use josekit::jwt::JwtPayload;
use secrecy::{ExposeSecret, SecretString};
use time::Duration;

use super::RelyingParty;
use super::error::IdentityError;
use super::settings::ClientAuth;
use crate::secrets::{self, SecretError, SecretSource};

/// How a client assertion is announced at the token endpoint (RFC 7523).
pub(super) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The client's credentials, loaded from a secret source.
pub enum ClientCredentials {
    Secret(SecretString),
    PrivateKey { jwk: Box<Jwk>, alg: &'static str },
}

impl ClientCredentials {
    /// Loads what `auth` needs from `source`; `prefix` (a municipality, with `/`) selects the
    /// municipality's own secrets when brokers differ.
    pub async fn load(
        auth: ClientAuth,
        source: &dyn SecretSource,
        prefix: &str,
    ) -> Result<Self, SecretError> {
        match auth {
            ClientAuth::ClientSecretBasic => Ok(ClientCredentials::Secret(
                secrets::require(source, &format!("{prefix}{}", secrets::CLIENT_SECRET)).await?,
            )),
            ClientAuth::PrivateKeyJwt => {
                let name = format!("{prefix}{}", secrets::CLIENT_PRIVATE_KEY);
                let text = secrets::require(source, &name).await?;
                Self::private_key(text.expose_secret())
                    .map_err(|reason| SecretError::Invalid { name, reason })
            }
        }
    }

    /// A private JWK (with `d`) for `private_key_jwt`.
    pub fn private_key(jwk_json: &str) -> Result<Self, String> {
        let jwk = Jwk::from_bytes(jwk_json.as_bytes()).map_err(|e| format!("not a JWK: {e}"))?;
        let alg = match (jwk.key_type(), jwk.algorithm(), jwk.curve()) {
            ("RSA", None | Some("RS256"), _) => "RS256",
            ("RSA", Some("PS256"), _) => "PS256",
            ("EC", None | Some("ES256"), Some("P-256")) => "ES256",
            (kty, alg, crv) => {
                return Err(format!(
                    "unsupported key: kty {kty}, alg {}, crv {} (use RSA with RS256/PS256 or EC P-256)",
                    alg.unwrap_or("-"),
                    crv.unwrap_or("-")
                ));
            }
        };
        // Fail now, not at the first sign-in.
        signer(&jwk, alg)?;
        Ok(ClientCredentials::PrivateKey {
            jwk: Box::new(jwk),
            alg,
        })
    }

    pub(super) fn auth(&self) -> ClientAuth {
        match self {
            ClientCredentials::Secret(_) => ClientAuth::ClientSecretBasic,
            ClientCredentials::PrivateKey { .. } => ClientAuth::PrivateKeyJwt,
        }
    }
}

fn signer(jwk: &Jwk, alg: &str) -> Result<Box<dyn JwsSigner>, String> {
    let signer: Box<dyn JwsSigner> = match alg {
        "RS256" => Box::new(RS256.signer_from_jwk(jwk).map_err(|e| e.to_string())?),
        "PS256" => Box::new(PS256.signer_from_jwk(jwk).map_err(|e| e.to_string())?),
        "ES256" => Box::new(ES256.signer_from_jwk(jwk).map_err(|e| e.to_string())?),
        other => return Err(format!("unsupported algorithm {other}")),
    };
    Ok(signer)
}

impl RelyingParty {
    /// A signed `private_key_jwt` client assertion for one token request: issued by and about
    /// the client, for the provider, valid for a minute.
    pub(super) fn client_assertion(&self, jwk: &Jwk, alg: &str) -> Result<String, IdentityError> {
        let now = self.clock.now();
        let mut header = JwsHeader::new();
        header.set_token_type("JWT");
        if let Some(kid) = jwk.key_id() {
            header.set_key_id(kid);
        }
        let mut payload = JwtPayload::new();
        payload.set_issuer(&self.settings.client_id);
        payload.set_subject(&self.settings.client_id);
        // The issuer identifier, as RFC 7523bis recommends (the token endpoint URL was
        // ambiguous across providers).
        payload.set_audience(vec![self.issuer.as_str()]);
        payload.set_jwt_id(uuid::Uuid::new_v4().to_string());
        payload.set_issued_at(&std::time::SystemTime::from(now));
        payload.set_expires_at(&std::time::SystemTime::from(now + Duration::seconds(60)));
        let signer = signer(jwk, alg).map_err(IdentityError::ClientAssertion)?;
        josekit::jwt::encode_with_signer(&payload, &header, &*signer)
            .map_err(|e| IdentityError::ClientAssertion(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_keys_must_be_rsa_or_p256_and_usable() {
        assert!(ClientCredentials::private_key("{}").is_err());
        let ec = josekit::jwk::alg::ec::EcKeyPair::generate(josekit::jwk::alg::ec::EcCurve::P384)
            .unwrap()
            .to_jwk_private_key();
        assert!(ClientCredentials::private_key(&ec.to_string()).is_err());
        let p256 = josekit::jwk::alg::ec::EcKeyPair::generate(josekit::jwk::alg::ec::EcCurve::P256)
            .unwrap()
            .to_jwk_private_key();
        assert!(matches!(
            ClientCredentials::private_key(&p256.to_string()),
            Ok(ClientCredentials::PrivateKey { alg: "ES256", .. })
        ));
    }
}
