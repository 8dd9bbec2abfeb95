//! Encryption of stored submissions: JWE compact serialization with RSA-OAEP-256 key management
//! and A256GCM content encryption — the algorithms FIT-Connect uses. The function only ever
//! holds the municipality's public key ([`Encryptor`]); the back office opens objects with the
//! private key ([`Decryptor`]). Keys are JSON Web Keys (RFC 7517) of at least
//! [`MIN_RSA_BITS`] bits, as FIT-Connect requires.

use josekit::jwe::alg::rsaes::{RsaesJweDecrypter, RsaesJweEncrypter};
use josekit::jwe::{self, JweHeader, RSA_OAEP_256};
use josekit::jwk::Jwk;
use serde_json::{Map, Value};
use thiserror::Error;

/// The key management algorithm (`alg`).
pub const ALG: &str = "RSA-OAEP-256";
/// The content encryption algorithm (`enc`).
pub const ENC: &str = "A256GCM";
/// The smallest RSA modulus accepted.
pub use form_model::jwk::MIN_RSA_BITS;

#[derive(Debug, Error)]
pub enum CryptoError {
    #[error("the key is not a usable RSA JWK: {0}")]
    Key(String),
    #[error("the RSA key has {bits} bits; at least {MIN_RSA_BITS} are required")]
    TooShort { bits: usize },
    #[error("a public key was expected, but the JWK holds private parts (\"d\")")]
    NotPublic,
    #[error("a private key was expected, but the JWK has no private parts")]
    NotPrivate,
    #[error("encryption failed: {0}")]
    Encrypt(String),
    #[error("cannot decrypt: {0}")]
    Decrypt(String),
    #[error(
        "no private key for kid {kid:?} (keys given: {}); pass the key of that kid with --key (a file or a folder of keys)",
        if known.is_empty() { "none with a kid".to_string() } else { known.join(", ") }
    )]
    NoKeyForKid { kid: String, known: Vec<String> },
    #[error("unexpected JWE header: alg {alg:?}, enc {enc:?} (expected {ALG} + {ENC})")]
    Algorithms {
        alg: Option<String>,
        enc: Option<String>,
    },
}

/// Encrypts for one municipality's back office.
pub struct Encryptor {
    encrypter: RsaesJweEncrypter,
    kid: Option<String>,
}

impl std::fmt::Debug for Encryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encryptor").field("kid", &self.kid).finish()
    }
}

impl Encryptor {
    /// From a public RSA JWK of at least [`MIN_RSA_BITS`] bits.
    pub fn from_jwk(jwk: &Value) -> Result<Encryptor, CryptoError> {
        let jwk = rsa_jwk(jwk)?;
        if jwk.parameter("d").is_some() {
            return Err(CryptoError::NotPublic);
        }
        let encrypter = RSA_OAEP_256
            .encrypter_from_jwk(&jwk)
            .map_err(|e| CryptoError::Key(e.to_string()))?;
        Ok(Encryptor {
            encrypter,
            kid: jwk.key_id().map(str::to_string),
        })
    }

    /// `payload` as JWE compact serialization; `cty` names the media type of the plaintext.
    pub fn encrypt(&self, payload: &[u8], content_type: &str) -> Result<String, CryptoError> {
        let mut header = JweHeader::new();
        header.set_content_encryption(ENC);
        header.set_content_type(content_type);
        if let Some(kid) = &self.kid {
            header.set_key_id(kid);
        }
        jwe::serialize_compact(payload, &header, &self.encrypter)
            .map_err(|e| CryptoError::Encrypt(e.to_string()))
    }
}

/// Opens what an [`Encryptor`] for one of its public keys made. It holds one private key or
/// several (key rotation: the new key and the old ones still needed for reading); each object
/// is opened with the key its JWE header's `kid` names.
pub struct Decryptor {
    keys: Vec<PrivateKey>,
}

struct PrivateKey {
    kid: Option<String>,
    decrypter: RsaesJweDecrypter,
}

impl std::fmt::Debug for Decryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decryptor")
            .field("kids", &self.kids())
            .finish()
    }
}

/// A decrypted object.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub payload: Vec<u8>,
    /// The `cty` header: the plaintext's media type.
    pub content_type: Option<String>,
}

impl Decryptor {
    /// From a private RSA JWK.
    pub fn from_jwk(jwk: &Value) -> Result<Decryptor, CryptoError> {
        let mut d = Decryptor { keys: Vec::new() };
        d.add(jwk)?;
        Ok(d)
    }

    /// Adds another private RSA JWK (an older key kept for reading, or a newer one).
    pub fn add(&mut self, jwk: &Value) -> Result<(), CryptoError> {
        let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_string);
        // Without `kid` for josekit: it would then demand the same `kid` in every header. The
        // key is picked by `kid` below instead.
        let mut jwk = jwk.clone();
        if let Value::Object(map) = &mut jwk {
            map.remove("kid");
        }
        let jwk = rsa_jwk(&jwk)?;
        if jwk.parameter("d").is_none() {
            return Err(CryptoError::NotPrivate);
        }
        let decrypter = RSA_OAEP_256
            .decrypter_from_jwk(&jwk)
            .map_err(|e| CryptoError::Key(e.to_string()))?;
        self.keys.push(PrivateKey { kid, decrypter });
        Ok(())
    }

    /// The `kid`s of the keys held (keys without one are left out).
    pub fn kids(&self) -> Vec<String> {
        self.keys.iter().filter_map(|k| k.kid.clone()).collect()
    }

    /// Decrypts a JWE compact serialization with the key its header's `kid` names (every key
    /// in turn when the header has no `kid`); refuses any algorithm other than RSA-OAEP-256 +
    /// A256GCM. A changed byte anywhere fails the GCM tag check.
    pub fn decrypt(&self, compact: &[u8]) -> Result<Opened, CryptoError> {
        let not_jwe = || CryptoError::Decrypt("not a JWE compact serialization".into());
        let text = std::str::from_utf8(compact).map_err(|_| not_jwe())?.trim();
        let kid = header_kid(text).ok_or_else(not_jwe)?;
        let candidates: Vec<&PrivateKey> = match &kid {
            Some(kid) => {
                let exact: Vec<&PrivateKey> = self
                    .keys
                    .iter()
                    .filter(|k| k.kid.as_deref() == Some(kid.as_str()))
                    .collect();
                // A key given without `kid` may still be the right one: try those last.
                let unnamed = self.keys.iter().filter(|k| k.kid.is_none());
                let all: Vec<&PrivateKey> = exact.into_iter().chain(unnamed).collect();
                if all.is_empty() {
                    return Err(CryptoError::NoKeyForKid {
                        kid: kid.clone(),
                        known: self.kids(),
                    });
                }
                all
            }
            None => self.keys.iter().collect(),
        };
        let mut last = None;
        for key in candidates {
            match jwe::deserialize_compact(text, &key.decrypter) {
                Ok((payload, header)) => {
                    let alg = header.algorithm().map(str::to_string);
                    let enc = header.content_encryption().map(str::to_string);
                    if alg.as_deref() != Some(ALG) || enc.as_deref() != Some(ENC) {
                        return Err(CryptoError::Algorithms { alg, enc });
                    }
                    return Ok(Opened {
                        payload,
                        content_type: header.content_type().map(str::to_string),
                    });
                }
                Err(e) => last = Some(e),
            }
        }
        let which = kid.map_or_else(
            || "no kid in the header".to_string(),
            |k| format!("kid {k:?}"),
        );
        Err(CryptoError::Decrypt(format!(
            "{which}: the key does not open it (a wrong key or a changed byte){}",
            last.map(|e| format!(" [{e}]")).unwrap_or_default()
        )))
    }
}

/// The `kid` of a JWE compact serialization's protected header: `Some(None)` when it has none,
/// `None` when the header is not base64url JSON.
fn header_kid(compact: &str) -> Option<Option<String>> {
    use base64::Engine;
    let first = compact.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(first)
        .ok()?;
    let header: Value = serde_json::from_slice(&bytes).ok()?;
    Some(
        header
            .get("kid")
            .and_then(Value::as_str)
            .map(str::to_string),
    )
}

/// A new RSA key pair of `bits` bits (use [`MIN_RSA_BITS`] or more): `(public, private)` JWKs,
/// both with `kid`, `use: enc` and `alg: RSA-OAEP-256`.
pub fn generate_key_pair(bits: u32, kid: &str) -> Result<(Value, Value), CryptoError> {
    let mut private = Jwk::generate_rsa_key(bits).map_err(|e| CryptoError::Key(e.to_string()))?;
    private.set_key_id(kid);
    private.set_key_use("enc");
    private.set_algorithm(ALG);
    let mut public = private
        .to_public_key()
        .map_err(|e| CryptoError::Key(e.to_string()))?;
    public.set_key_id(kid);
    public.set_key_use("enc");
    public.set_algorithm(ALG);
    let to_value = |jwk: &Jwk| Value::Object(Map::clone(jwk.as_ref()));
    Ok((to_value(&public), to_value(&private)))
}

/// Checks that `jwk` is a public RSA key of at least [`MIN_RSA_BITS`] bits and usable for
/// encryption; returns its size in bits.
pub fn check_public_key(jwk: &Value) -> Result<usize, CryptoError> {
    Encryptor::from_jwk(jwk)?;
    modulus_bits(jwk)
}

fn rsa_jwk(value: &Value) -> Result<Jwk, CryptoError> {
    let Value::Object(map) = value else {
        return Err(CryptoError::Key("not a JSON object".into()));
    };
    let jwk = Jwk::from_map(map.clone()).map_err(|e| CryptoError::Key(e.to_string()))?;
    if jwk.key_type() != "RSA" {
        return Err(CryptoError::Key(format!(
            "kty is {:?}, expected \"RSA\"",
            jwk.key_type()
        )));
    }
    let bits = modulus_bits(value)?;
    if bits < MIN_RSA_BITS {
        return Err(CryptoError::TooShort { bits });
    }
    Ok(jwk)
}

/// Bits of the modulus, measured as the lint measures it.
fn modulus_bits(jwk: &Value) -> Result<usize, CryptoError> {
    form_model::jwk::rsa_modulus_bits(jwk).map_err(CryptoError::Key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_keys() -> (Value, Value) {
        let public = include_str!("../../tests/fixtures/keys/TEST-ONLY-public.jwk.json");
        let private = include_str!("../../tests/fixtures/keys/TEST-ONLY-private.jwk.json");
        (
            serde_json::from_str(public).unwrap(),
            serde_json::from_str(private).unwrap(),
        )
    }

    #[test]
    fn what_is_encrypted_with_the_public_key_opens_with_the_private_key_only() {
        let (public, private) = test_keys();
        let jwe = Encryptor::from_jwk(&public)
            .unwrap()
            .encrypt(b"Erika Mustermann", "application/json")
            .unwrap();
        assert_eq!(jwe.split('.').count(), 5);
        assert!(!jwe.contains("Erika"));
        use base64::Engine;
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(jwe.split('.').next().unwrap())
            .unwrap();
        let header: Value = serde_json::from_slice(&header).unwrap();
        assert_eq!(header["alg"], ALG);
        assert_eq!(header["enc"], ENC);
        let opened = Decryptor::from_jwk(&private)
            .unwrap()
            .decrypt(jwe.as_bytes())
            .unwrap();
        assert_eq!(opened.payload, b"Erika Mustermann");
        assert_eq!(opened.content_type.as_deref(), Some("application/json"));
    }

    #[test]
    fn a_changed_ciphertext_does_not_decrypt() {
        let (public, private) = test_keys();
        let jwe = Encryptor::from_jwk(&public)
            .unwrap()
            .encrypt(b"secret", "text/plain")
            .unwrap();
        let mut parts: Vec<String> = jwe.split('.').map(str::to_string).collect();
        let c = parts[3].pop().unwrap();
        parts[3].push(if c == 'A' { 'B' } else { 'A' });
        let tampered = parts.join(".");
        let err = Decryptor::from_jwk(&private)
            .unwrap()
            .decrypt(tampered.as_bytes());
        assert!(err.is_err());
    }

    #[test]
    fn several_keys_are_picked_by_kid_and_a_missing_kid_is_named() {
        let (old_public, old_private) = test_keys();
        let (new_public, new_private) = generate_key_pair(MIN_RSA_BITS as u32, "m-new").unwrap();
        let old_kid = old_public["kid"].as_str().unwrap().to_string();
        let sealed_old = Encryptor::from_jwk(&old_public)
            .unwrap()
            .encrypt(b"alt", "text/plain")
            .unwrap();
        let sealed_new = Encryptor::from_jwk(&new_public)
            .unwrap()
            .encrypt(b"neu", "text/plain")
            .unwrap();
        // Only the new key: the old object's kid is named, no raw library text.
        let only_new = Decryptor::from_jwk(&new_private).unwrap();
        let err = only_new.decrypt(sealed_old.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, CryptoError::NoKeyForKid { kid, known } if *kid == old_kid && known == &["m-new".to_string()]),
            "{err}"
        );
        assert!(err.to_string().contains(&old_kid), "{err}");
        // Both keys: each object opens with its own.
        let mut both = Decryptor::from_jwk(&new_private).unwrap();
        both.add(&old_private).unwrap();
        assert_eq!(both.decrypt(sealed_old.as_bytes()).unwrap().payload, b"alt");
        assert_eq!(both.decrypt(sealed_new.as_bytes()).unwrap().payload, b"neu");
    }

    #[test]
    fn short_private_and_non_rsa_keys_are_refused_for_encryption() {
        let (public, private) = test_keys();
        assert_eq!(check_public_key(&public).unwrap(), 4096);
        assert!(matches!(
            Encryptor::from_jwk(&private),
            Err(CryptoError::NotPublic)
        ));
        let mut short = public.clone();
        short["n"] = Value::String(public["n"].as_str().unwrap()[..342].to_string());
        assert!(matches!(
            Encryptor::from_jwk(&short),
            Err(CryptoError::TooShort { bits: 2048 })
        ));
        let ec = serde_json::json!({"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"});
        assert!(Encryptor::from_jwk(&ec).is_err());
        assert!(matches!(
            Decryptor::from_jwk(&public),
            Err(CryptoError::NotPrivate)
        ));
    }
}
