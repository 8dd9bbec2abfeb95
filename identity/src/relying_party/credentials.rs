//! The client's credentials at the token endpoint: a client secret (`client_secret_basic`) or a
//! private JWK (`private_key_jwt`), loaded from a secret source, and the client assertions the
//! private key signs.
//!
//! The assertion is a JWS compact serialization (RFC 7515) signed with aws-lc-rs (RS256, PS256,
//! ES256), the library this crate already seals sessions with: no system OpenSSL in the
//! function's artifact. Three signature algorithms over a fixed header and claims are a few
//! lines; the RS256 result is byte for byte what josekit (the former signer) made
//! (`tests/fixtures/jose/josekit-rs256.jws`).

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair as RsaKeyPair, KeyPairComponents, PublicKeyComponents};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RSA_PSS_SHA256,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};
use time::Duration;
use zeroize::Zeroizing;

use super::RelyingParty;
use super::error::IdentityError;
use super::settings::ClientAuth;
use crate::secrets::{self, SecretError, SecretSource};

/// How a client assertion is announced at the token endpoint (RFC 7523).
pub(super) const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The client's credentials, loaded from a secret source.
pub enum ClientCredentials {
    Secret(SecretString),
    PrivateKey {
        jwk: Box<SigningKey>,
        alg: &'static str,
    },
}

/// The private key of `private_key_jwt`, read from its JWK.
pub struct SigningKey {
    kid: Option<String>,
    pair: KeyPair,
}

enum KeyPair {
    Rsa(RsaKeyPair),
    P256(EcdsaKeyPair),
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
        let jwk: Map<String, Value> =
            serde_json::from_str(jwk_json).map_err(|e| format!("not a JWK: {e}"))?;
        let text = |name: &str| jwk.get(name).and_then(Value::as_str);
        if let Some(usage) = text("use").filter(|u| *u != "sig") {
            return Err(format!(
                "the key's use is {usage:?}; a signing key has \"sig\""
            ));
        }
        let kty = text("kty").ok_or("not a JWK: no kty")?;
        let alg = match (kty, text("alg"), text("crv")) {
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
        let pair = if kty == "RSA" {
            rsa_key_pair(&jwk)?
        } else {
            p256_key_pair(&jwk)?
        };
        Ok(ClientCredentials::PrivateKey {
            jwk: Box::new(SigningKey {
                kid: text("kid").map(str::to_string),
                pair,
            }),
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

/// A base64url member of a JWK, decoded (wiped when dropped: most are private).
fn member(jwk: &Map<String, Value>, name: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let text = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the private JWK has no \"{name}\""))?;
    B64.decode(text)
        .map(Zeroizing::new)
        .map_err(|_| format!("\"{name}\" is not base64url"))
}

fn rsa_key_pair(jwk: &Map<String, Value>) -> Result<KeyPair, String> {
    let components = KeyPairComponents {
        public_key: PublicKeyComponents {
            n: member(jwk, "n")?,
            e: member(jwk, "e")?,
        },
        d: member(jwk, "d")?,
        p: member(jwk, "p")?,
        q: member(jwk, "q")?,
        dP: member(jwk, "dp")?,
        dQ: member(jwk, "dq")?,
        qInv: member(jwk, "qi")?,
    };
    RsaKeyPair::from_components(&components)
        .map(KeyPair::Rsa)
        .map_err(|e| format!("not a usable RSA private key (2048 to 8192 bits): {e}"))
}

/// A P-256 key pair from `d`, with `x` and `y` when the JWK has them (then they must match).
/// Without them the public point is computed from `d`: josekit, the former signer, wrote EC
/// private JWKs with `d` only and accepted them.
fn p256_key_pair(jwk: &Map<String, Value>) -> Result<KeyPair, String> {
    let d = member(jwk, "d")?;
    let point = if jwk.contains_key("x") || jwk.contains_key("y") {
        let mut point = vec![0x04];
        point.extend_from_slice(&member(jwk, "x")?);
        point.extend_from_slice(&member(jwk, "y")?);
        point
    } else {
        use aws_lc_rs::agreement::{ECDH_P256, PrivateKey};
        let unusable = "not a usable P-256 private key".to_string();
        PrivateKey::from_private_key(&ECDH_P256, &d)
            .map_err(|_| unusable.clone())?
            .compute_public_key()
            .map_err(|_| unusable)?
            .as_ref()
            .to_vec()
    };
    EcdsaKeyPair::from_private_key_and_public_key(&ECDSA_P256_SHA256_FIXED_SIGNING, &d, &point)
        .map(KeyPair::P256)
        .map_err(|e| format!("not a usable P-256 private key: {e}"))
}

impl SigningKey {
    /// The JWS `header.claims.signature` of `claims` with `alg` (RS256, PS256 or ES256).
    fn sign_jwt(&self, alg: &str, claims: &Value) -> Result<String, String> {
        let mut header = json!({ "typ": "JWT", "alg": alg });
        if let Some(kid) = &self.kid {
            header["kid"] = kid.as_str().into();
        }
        let input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let rng = SystemRandom::new();
        let signature = match (&self.pair, alg) {
            (KeyPair::Rsa(pair), "RS256" | "PS256") => {
                let padding = if alg == "RS256" {
                    &RSA_PKCS1_SHA256
                } else {
                    &RSA_PSS_SHA256
                };
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(padding, &rng, input.as_bytes(), &mut signature)
                    .map_err(|_| format!("{alg} signing failed"))?;
                signature
            }
            (KeyPair::P256(pair), "ES256") => pair
                .sign(&rng, input.as_bytes())
                .map_err(|_| "ES256 signing failed".to_string())?
                .as_ref()
                .to_vec(),
            _ => return Err(format!("the key cannot sign {alg}")),
        };
        Ok(format!("{input}.{}", B64.encode(signature)))
    }
}

impl RelyingParty {
    /// A signed `private_key_jwt` client assertion for one token request: issued by and about
    /// the client, for the provider, valid for a minute.
    pub(super) fn client_assertion(
        &self,
        jwk: &SigningKey,
        alg: &str,
    ) -> Result<String, IdentityError> {
        let now = self.clock.now();
        let claims = json!({
            "iss": self.settings.client_id,
            "sub": self.settings.client_id,
            // The issuer identifier, as RFC 7523bis recommends (the token endpoint URL was
            // ambiguous across providers).
            "aud": self.issuer.as_str(),
            "jti": uuid::Uuid::new_v4().to_string(),
            "iat": now.unix_timestamp(),
            "exp": (now + Duration::seconds(60)).unix_timestamp(),
        });
        jwk.sign_jwt(alg, &claims)
            .map_err(IdentityError::ClientAssertion)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{
        ECDSA_P256_SHA256_FIXED, RSA_PSS_2048_8192_SHA256, RsaPublicKeyComponents,
        UnparsedPublicKey,
    };

    /// The test key of the store (RSA 4096), as a signing key.
    fn rsa_jwk(alg: Option<&str>) -> String {
        let mut jwk: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/keys/TEST-ONLY-private.jwk.json"
        ))
        .unwrap();
        jwk.as_object_mut().unwrap().remove("use");
        match alg {
            Some(alg) => jwk["alg"] = alg.into(),
            None => drop(jwk.as_object_mut().unwrap().remove("alg")),
        }
        jwk.to_string()
    }

    fn signing_key(json: &str) -> SigningKey {
        match ClientCredentials::private_key(json).unwrap() {
            ClientCredentials::PrivateKey { jwk, .. } => *jwk,
            ClientCredentials::Secret(_) => unreachable!(),
        }
    }

    #[test]
    fn private_keys_must_be_rsa_or_p256_and_usable() {
        assert!(ClientCredentials::private_key("{}").is_err());
        let p384 = include_str!("../../tests/fixtures/TEST-ONLY-p384.private.jwk.json");
        assert!(ClientCredentials::private_key(p384).is_err());
        let p256 = include_str!("../../tests/fixtures/TEST-ONLY-p256.private.jwk.json");
        assert!(matches!(
            ClientCredentials::private_key(p256),
            Ok(ClientCredentials::PrivateKey { alg: "ES256", .. })
        ));
        // An encryption key is not a signing key; a broken private part is caught at loading.
        let mut enc: Value = serde_json::from_str(&rsa_jwk(None)).unwrap();
        enc["use"] = "enc".into();
        assert!(ClientCredentials::private_key(&enc.to_string()).is_err());
        let mut broken: Value = serde_json::from_str(&rsa_jwk(None)).unwrap();
        broken["qi"] = broken["dp"].clone();
        assert!(ClientCredentials::private_key(&broken.to_string()).is_err());
    }

    #[test]
    fn an_rs256_signature_is_byte_for_byte_what_josekit_made() {
        let jws = include_str!("../../../tests/fixtures/jose/josekit-rs256.jws").trim();
        let (input, signature) = jws.rsplit_once('.').unwrap();
        let key = signing_key(&rsa_jwk(Some("RS256")));
        let KeyPair::Rsa(pair) = &key.pair else {
            unreachable!()
        };
        let mut ours = vec![0; pair.public_modulus_len()];
        pair.sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            input.as_bytes(),
            &mut ours,
        )
        .unwrap();
        assert_eq!(B64.encode(ours), signature);
    }

    #[test]
    fn ps256_and_es256_assertions_verify_with_the_public_key() {
        let claims = json!({"iss": "client", "aud": "https://broker.example"});
        let split = |jws: &str| {
            let (input, signature) = jws.rsplit_once('.').unwrap();
            let header: Value =
                serde_json::from_slice(&B64.decode(input.split('.').next().unwrap()).unwrap())
                    .unwrap();
            (input.to_string(), B64.decode(signature).unwrap(), header)
        };

        let rsa: Value = serde_json::from_str(&rsa_jwk(Some("PS256"))).unwrap();
        let jws = signing_key(&rsa.to_string())
            .sign_jwt("PS256", &claims)
            .unwrap();
        let (input, signature, header) = split(&jws);
        assert_eq!(header["alg"], "PS256");
        assert_eq!(header["kid"], rsa["kid"]);
        let b = |name: &str| B64.decode(rsa[name].as_str().unwrap()).unwrap();
        let public = RsaPublicKeyComponents {
            n: b("n"),
            e: b("e"),
        };
        public
            .verify(&RSA_PSS_2048_8192_SHA256, input.as_bytes(), &signature)
            .unwrap();

        let p256: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/TEST-ONLY-p256.private.jwk.json"
        ))
        .unwrap();
        let jws = signing_key(&p256.to_string())
            .sign_jwt("ES256", &claims)
            .unwrap();
        let (input, signature, header) = split(&jws);
        assert_eq!(header["alg"], "ES256");
        assert_eq!(signature.len(), 64, "r and s, 32 bytes each (RFC 7518 3.4)");
        let key = signing_key(&p256.to_string());
        let KeyPair::P256(pair) = &key.pair else {
            unreachable!()
        };
        let point = aws_lc_rs::signature::KeyPair::public_key(pair)
            .as_ref()
            .to_vec();
        // The fixture has `d` only (as josekit wrote EC keys); with `x` and `y` added it loads
        // the same, with a wrong `y` it is refused.
        let mut full = p256.clone();
        full["x"] = B64.encode(&point[1..33]).into();
        full["y"] = B64.encode(&point[33..]).into();
        assert!(ClientCredentials::private_key(&full.to_string()).is_ok());
        full["y"] = B64.encode([7u8; 32]).into();
        assert!(ClientCredentials::private_key(&full.to_string()).is_err());
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
            .verify(input.as_bytes(), &signature)
            .unwrap();
        // A key signs only its own kind.
        assert!(
            signing_key(&p256.to_string())
                .sign_jwt("RS256", &claims)
                .is_err()
        );
    }
}
