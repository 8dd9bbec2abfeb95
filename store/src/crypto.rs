//! Encryption of stored submissions: JWE compact serialization (RFC 7516) with RSA-OAEP-256 key
//! management and A256GCM content encryption — the algorithms FIT-Connect uses. The function
//! only ever holds the municipality's public key ([`Encryptor`]); the back office opens objects
//! with the private key ([`Decryptor`]). Keys are JSON Web Keys (RFC 7517) of at least
//! [`MIN_RSA_BITS`] bits, as FIT-Connect requires.
//!
//! The primitives are aws-lc-rs's (RSA-OAEP with SHA-256, AES-256-GCM, the system RNG): the
//! library rustls and the AWS SDK already link, so the function's artifact needs no system
//! library (the former josekit linked the system OpenSSL, which `cargo lambda build` cannot
//! cross-compile). No maintained JOSE crate offers RSA-OAEP-256 on aws-lc-rs or RustCrypto, so
//! the compact serialization of this one algorithm pair is written here, small, and tested
//! against objects josekit made (`tests/fixtures/jose/`): records stored before the change and
//! the back office's existing keys keep working.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{
    KeyPair, KeyPairComponents, KeySize, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey,
    OaepPublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey, PublicKeyComponents,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Map, Value};
use thiserror::Error;
use zeroize::Zeroizing;

/// The key management algorithm (`alg`).
pub const ALG: &str = "RSA-OAEP-256";
/// The content encryption algorithm (`enc`).
pub const ENC: &str = "A256GCM";
/// The smallest RSA modulus accepted.
pub use form_model::jwk::MIN_RSA_BITS;

/// Bytes of an A256GCM content encryption key.
const CEK_LEN: usize = 32;
/// Bytes of a GCM authentication tag.
const TAG_LEN: usize = 16;

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
    key: OaepPublicEncryptingKey,
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
        let map = rsa_jwk(jwk)?;
        if map.contains_key("d") {
            return Err(CryptoError::NotPublic);
        }
        let components = PublicKeyComponents {
            n: member(map, "n")?,
            e: member(map, "e")?,
        };
        let public: PublicEncryptingKey = components
            .try_into()
            .map_err(|_| CryptoError::Key("n and e do not form an RSA public key".into()))?;
        let key = OaepPublicEncryptingKey::new(public)
            .map_err(|_| CryptoError::Key("not usable for RSA-OAEP".into()))?;
        Ok(Encryptor {
            key,
            kid: map.get("kid").and_then(Value::as_str).map(str::to_string),
        })
    }

    /// `payload` as JWE compact serialization; `cty` names the media type of the plaintext.
    pub fn encrypt(&self, payload: &[u8], content_type: &str) -> Result<String, CryptoError> {
        let failed = |what: &str| CryptoError::Encrypt(what.to_string());
        let mut header = Map::new();
        header.insert("alg".into(), ALG.into());
        header.insert("enc".into(), ENC.into());
        header.insert("cty".into(), content_type.into());
        if let Some(kid) = &self.kid {
            header.insert("kid".into(), kid.as_str().into());
        }
        let header = B64.encode(Value::Object(header).to_string());

        let mut cek = Zeroizing::new([0u8; CEK_LEN]);
        let mut iv = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(cek.as_mut()).map_err(|_| failed("no random bytes"))?;
        aws_lc_rs::rand::fill(&mut iv).map_err(|_| failed("no random bytes"))?;

        let mut wrapped = vec![0u8; self.key.ciphertext_size()];
        let wrapped = self
            .key
            .encrypt(&OAEP_SHA256_MGF1SHA256, cek.as_ref(), &mut wrapped, None)
            .map_err(|_| failed("RSA-OAEP-256 of the content key"))?;

        let gcm = LessSafeKey::new(
            UnboundKey::new(&AES_256_GCM, cek.as_ref()).map_err(|_| failed("AES-256 key"))?,
        );
        let mut ciphertext = payload.to_vec();
        let tag = gcm
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(iv),
                Aad::from(header.as_bytes()),
                &mut ciphertext,
            )
            .map_err(|_| failed("AES-256-GCM"))?;

        Ok([
            header,
            B64.encode(wrapped),
            B64.encode(iv),
            B64.encode(&ciphertext),
            B64.encode(tag.as_ref()),
        ]
        .join("."))
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
    key: OaepPrivateDecryptingKey,
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

/// The five parts of a JWE compact serialization, decoded; `aad` is the encoded header.
struct Compact<'a> {
    aad: &'a str,
    header: Map<String, Value>,
    wrapped_key: Vec<u8>,
    iv: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
    tag: [u8; TAG_LEN],
}

impl<'a> Compact<'a> {
    fn parse(text: &'a str) -> Option<Compact<'a>> {
        let parts: Vec<&str> = text.split('.').collect();
        let [aad, wrapped_key, iv, ciphertext, tag] = parts[..] else {
            return None;
        };
        let Value::Object(header) = serde_json::from_slice(&B64.decode(aad).ok()?).ok()? else {
            return None;
        };
        Some(Compact {
            aad,
            header,
            wrapped_key: B64.decode(wrapped_key).ok()?,
            iv: B64.decode(iv).ok()?.try_into().ok()?,
            ciphertext: B64.decode(ciphertext).ok()?,
            tag: B64.decode(tag).ok()?.try_into().ok()?,
        })
    }

    fn header_text(&self, name: &str) -> Option<String> {
        self.header
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// The plaintext, when `key` unwraps the content key and the GCM tag checks.
    fn open(&self, key: &OaepPrivateDecryptingKey) -> Option<Vec<u8>> {
        let mut cek = Zeroizing::new(vec![0u8; key.min_output_size()]);
        let cek = key
            .decrypt(&OAEP_SHA256_MGF1SHA256, &self.wrapped_key, &mut cek, None)
            .ok()?;
        if cek.len() != CEK_LEN {
            return None;
        }
        let gcm = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, cek).ok()?);
        let mut in_out = Vec::with_capacity(self.ciphertext.len() + TAG_LEN);
        in_out.extend_from_slice(&self.ciphertext);
        in_out.extend_from_slice(&self.tag);
        let len = gcm
            .open_in_place(
                Nonce::assume_unique_for_key(self.iv),
                Aad::from(self.aad.as_bytes()),
                &mut in_out,
            )
            .ok()?
            .len();
        in_out.truncate(len);
        Some(in_out)
    }
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
        let map = rsa_jwk(jwk)?;
        if !map.contains_key("d") {
            return Err(CryptoError::NotPrivate);
        }
        if map.contains_key("oth") {
            return Err(CryptoError::Key(
                "multi-prime RSA keys (\"oth\") are not supported".into(),
            ));
        }
        let secret = |name: &str| member(map, name).map(Zeroizing::new);
        let components = KeyPairComponents {
            public_key: PublicKeyComponents {
                n: member(map, "n")?,
                e: member(map, "e")?,
            },
            d: secret("d")?,
            p: secret("p")?,
            q: secret("q")?,
            dP: secret("dp")?,
            dQ: secret("dq")?,
            qInv: secret("qi")?,
        };
        let rejected = |e: aws_lc_rs::error::KeyRejected| {
            CryptoError::Key(format!("the private parts do not form an RSA key ({e})"))
        };
        let pair = KeyPair::from_components(&components).map_err(rejected)?;
        let pkcs8 = pair
            .as_der()
            .map_err(|_| CryptoError::Key("cannot be encoded as PKCS #8".into()))?;
        let private = PrivateDecryptingKey::from_pkcs8(pkcs8.as_ref()).map_err(rejected)?;
        let key = OaepPrivateDecryptingKey::new(private)
            .map_err(|_| CryptoError::Key("not usable for RSA-OAEP".into()))?;
        let kid = map.get("kid").and_then(Value::as_str).map(str::to_string);
        self.keys.push(PrivateKey { kid, key });
        Ok(())
    }

    /// The `kid`s of the keys held (keys without one are left out).
    pub fn kids(&self) -> Vec<String> {
        self.keys.iter().filter_map(|k| k.kid.clone()).collect()
    }

    /// Decrypts a JWE compact serialization with the key its header's `kid` names (every key
    /// in turn when the header has no `kid`); refuses any algorithm other than RSA-OAEP-256 +
    /// A256GCM, and compression or critical header parameters, which this writer never sets.
    /// A changed byte anywhere fails the GCM tag check.
    pub fn decrypt(&self, compact: &[u8]) -> Result<Opened, CryptoError> {
        let not_jwe = || CryptoError::Decrypt("not a JWE compact serialization".into());
        let text = std::str::from_utf8(compact).map_err(|_| not_jwe())?.trim();
        let jwe = Compact::parse(text).ok_or_else(not_jwe)?;
        let kid = jwe.header_text("kid");
        let candidates: Vec<&PrivateKey> = match &kid {
            Some(kid) => {
                let exact = self
                    .keys
                    .iter()
                    .filter(|k| k.kid.as_deref() == Some(kid.as_str()));
                // A key given without `kid` may still be the right one: try those last.
                let unnamed = self.keys.iter().filter(|k| k.kid.is_none());
                let all: Vec<&PrivateKey> = exact.chain(unnamed).collect();
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
        let alg = jwe.header_text("alg");
        let enc = jwe.header_text("enc");
        if alg.as_deref() != Some(ALG) || enc.as_deref() != Some(ENC) {
            return Err(CryptoError::Algorithms { alg, enc });
        }
        for unsupported in ["zip", "crit"] {
            if jwe.header.contains_key(unsupported) {
                return Err(CryptoError::Decrypt(format!(
                    "the JWE header has {unsupported:?}, which is not supported"
                )));
            }
        }
        for key in candidates {
            if let Some(payload) = jwe.open(&key.key) {
                return Ok(Opened {
                    payload,
                    content_type: jwe.header_text("cty"),
                });
            }
        }
        let which = kid.map_or_else(
            || "no kid in the header".to_string(),
            |k| format!("kid {k:?}"),
        );
        Err(CryptoError::Decrypt(format!(
            "{which}: the key does not open it (a wrong key or a changed byte)"
        )))
    }
}

/// A new RSA key pair of `bits` bits (2048, 3072, 4096 or 8192; at least [`MIN_RSA_BITS`]):
/// `(public, private)` JWKs, both with `kid`, `use: enc` and `alg: RSA-OAEP-256`.
pub fn generate_key_pair(bits: u32, kid: &str) -> Result<(Value, Value), CryptoError> {
    use pkcs1::der::Decode;
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        8192 => KeySize::Rsa8192,
        other => {
            return Err(CryptoError::Key(format!(
                "{other} bits: RSA keys are made with 2048, 3072, 4096 or 8192 bits"
            )));
        }
    };
    if (bits as usize) < MIN_RSA_BITS {
        return Err(CryptoError::TooShort {
            bits: bits as usize,
        });
    }
    let failed = |what: &str| CryptoError::Key(format!("key generation: {what}"));
    let pair = KeyPair::generate(size).map_err(|_| failed("no key"))?;
    let pkcs8 = pair.as_der().map_err(|_| failed("no PKCS #8 encoding"))?;
    // aws-lc-rs gives the private parts only as PKCS #8; the RustCrypto DER types read them.
    let info = pkcs8::PrivateKeyInfo::from_der(pkcs8.as_ref()).map_err(|_| failed("PKCS #8"))?;
    let rsa = pkcs1::RsaPrivateKey::from_der(info.private_key).map_err(|_| failed("PKCS #1"))?;
    let b64 = |uint: pkcs1::UintRef<'_>| Value::String(B64.encode(uint.as_bytes()));
    let mut public = Map::new();
    public.insert("kty".into(), "RSA".into());
    public.insert("kid".into(), kid.into());
    public.insert("use".into(), "enc".into());
    public.insert("alg".into(), ALG.into());
    public.insert("n".into(), b64(rsa.modulus));
    public.insert("e".into(), b64(rsa.public_exponent));
    let mut private = public.clone();
    private.insert("d".into(), b64(rsa.private_exponent));
    private.insert("p".into(), b64(rsa.prime1));
    private.insert("q".into(), b64(rsa.prime2));
    private.insert("dp".into(), b64(rsa.exponent1));
    private.insert("dq".into(), b64(rsa.exponent2));
    private.insert("qi".into(), b64(rsa.coefficient));
    Ok((Value::Object(public), Value::Object(private)))
}

/// Checks that `jwk` is a public RSA key of at least [`MIN_RSA_BITS`] bits and usable for
/// encryption; returns its size in bits.
pub fn check_public_key(jwk: &Value) -> Result<usize, CryptoError> {
    Encryptor::from_jwk(jwk)?;
    modulus_bits(jwk)
}

/// `value` as an RSA JWK meant for this encryption: `kty` RSA, at least [`MIN_RSA_BITS`] bits,
/// and `use`/`alg`, when present, `enc`/RSA-OAEP-256.
fn rsa_jwk(value: &Value) -> Result<&Map<String, Value>, CryptoError> {
    let Value::Object(map) = value else {
        return Err(CryptoError::Key("not a JSON object".into()));
    };
    match map.get("kty") {
        Some(Value::String(kty)) if kty == "RSA" => {}
        Some(other) => {
            return Err(CryptoError::Key(format!(
                "kty is {other}, expected \"RSA\""
            )));
        }
        None => return Err(CryptoError::Key("no kty".into())),
    }
    for (name, expected) in [("use", "enc"), ("alg", ALG)] {
        match map.get(name) {
            None => {}
            Some(Value::String(v)) if v == expected => {}
            Some(other) => {
                return Err(CryptoError::Key(format!(
                    "{name} is {other}, expected {expected:?}"
                )));
            }
        }
    }
    let bits = modulus_bits(value)?;
    if bits < MIN_RSA_BITS {
        return Err(CryptoError::TooShort { bits });
    }
    Ok(map)
}

/// A base64url member of a JWK, decoded.
fn member(map: &Map<String, Value>, name: &str) -> Result<Vec<u8>, CryptoError> {
    let text = map
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| CryptoError::Key(format!("no \"{name}\" member")))?;
    B64.decode(text)
        .map_err(|_| CryptoError::Key(format!("\"{name}\" is not base64url")))
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

/// Objects josekit (the former implementation, on OpenSSL) encrypted for the test key: records
/// stored before the change open with the same private JWK.
#[cfg(test)]
mod josekit_compatibility {
    use super::*;

    fn private_key() -> Decryptor {
        let private = include_str!("../../tests/fixtures/keys/TEST-ONLY-private.jwk.json");
        Decryptor::from_jwk(&serde_json::from_str(private).unwrap()).unwrap()
    }

    #[test]
    fn a_record_josekit_encrypted_opens_with_the_existing_private_jwk() {
        let jwe = include_bytes!("../../tests/fixtures/jose/josekit-record.jwe");
        let opened = private_key().decrypt(jwe).unwrap();
        assert_eq!(
            opened.payload,
            include_bytes!(
                "../../tests/fixtures/submissions/bewohnerparkausweis@1/eigenes-fahrzeug-zone-a.json"
            )
        );
        assert_eq!(opened.content_type.as_deref(), Some("application/json"));
    }

    #[test]
    fn a_binary_object_josekit_encrypted_without_kid_opens_too() {
        let jwe = include_bytes!("../../tests/fixtures/jose/josekit-binary-no-kid.jwe");
        let opened = private_key().decrypt(jwe).unwrap();
        let expected: Vec<u8> = (0..4000u32).map(|i| (i * 7 % 256) as u8).collect();
        assert_eq!(opened.payload, expected);
        assert_eq!(
            opened.content_type.as_deref(),
            Some("application/octet-stream")
        );
    }

    #[test]
    fn a_josekit_object_with_a_changed_header_byte_does_not_open() {
        let jwe = include_str!("../../tests/fixtures/jose/josekit-record.jwe");
        // The header is the GCM's additional data: re-encode it with another `cty`.
        let (header, rest) = jwe.split_once('.').unwrap();
        let mut decoded: Value = serde_json::from_slice(&B64.decode(header).unwrap()).unwrap();
        decoded["cty"] = "text/plain".into();
        let changed = format!("{}.{rest}", B64.encode(decoded.to_string()));
        let err = private_key().decrypt(changed.as_bytes()).unwrap_err();
        assert!(matches!(err, CryptoError::Decrypt(_)), "{err}");
    }

    #[test]
    fn other_algorithms_and_compression_are_refused_before_decrypting() {
        let jwe = include_str!("../../tests/fixtures/jose/josekit-record.jwe");
        let (header, rest) = jwe.split_once('.').unwrap();
        let with = |change: &dyn Fn(&mut Value)| {
            let mut decoded: Value = serde_json::from_slice(&B64.decode(header).unwrap()).unwrap();
            change(&mut decoded);
            format!("{}.{rest}", B64.encode(decoded.to_string()))
        };
        let oaep_sha1 = with(&|h| h["alg"] = "RSA-OAEP".into());
        assert!(matches!(
            private_key().decrypt(oaep_sha1.as_bytes()),
            Err(CryptoError::Algorithms { alg: Some(a), .. }) if a == "RSA-OAEP"
        ));
        let zipped = with(&|h| h["zip"] = "DEF".into());
        let err = private_key().decrypt(zipped.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("zip"), "{err}");
        assert!(matches!(
            private_key().decrypt(b"a.b.c"),
            Err(CryptoError::Decrypt(_))
        ));
    }

    #[test]
    fn generated_keys_are_jwks_with_all_private_parts_and_work_together() {
        let (public, private) = generate_key_pair(MIN_RSA_BITS as u32, "m-2026").unwrap();
        for member in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(private.get(member).is_some(), "{member}");
            assert!(public.get(member).is_none(), "{member}");
        }
        assert_eq!(public["kid"], "m-2026");
        assert_eq!(check_public_key(&public).unwrap(), MIN_RSA_BITS);
        let sealed = Encryptor::from_jwk(&public)
            .unwrap()
            .encrypt(b"Hallo", "text/plain")
            .unwrap();
        let opened = Decryptor::from_jwk(&private)
            .unwrap()
            .decrypt(sealed.as_bytes())
            .unwrap();
        assert_eq!(opened.payload, b"Hallo");
        assert!(matches!(
            generate_key_pair(2048, "weak"),
            Err(CryptoError::TooShort { bits: 2048 })
        ));
        assert!(generate_key_pair(4000, "odd").is_err());
    }
}
