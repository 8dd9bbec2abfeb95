//! Sealed and signed tokens: what the function hands the browser instead of keeping sessions.
//!
//! - **Sealed** (encrypted and authenticated, AES-256-GCM): the sign-in flow's state and the
//!   verified identity travel in HttpOnly cookies that the browser cannot read or change.
//! - **Signed** (HMAC-SHA-256, readable): the prefill answer the page script reads, which the
//!   function can later recognise as its own.
//!
//! Format, `.`-separated and cookie-safe: `1.<kid>.<base64url(nonce ‖ ciphertext ‖ tag)>` and
//! `1.<kid>.<base64url(payload)>.<base64url(mac)>`. `1` is the format version, `<kid>` names
//! the key of the [`KeyRing`] that made it, so keys can be rotated: new tokens use the first
//! key, older keys stay for opening until the tokens they made have expired. Each use
//! (`purpose`: flow, session, prefill, …) gets its own key derived with HKDF-SHA-256, and the
//! purpose and kid are authenticated, so a token made for one purpose never opens as another.
//! Inside is `{"iat": …, "exp": …, "v": value}`; expiry is checked here, against the injected
//! clock, never trusted to the cookie's Max-Age.
//!
//! Why this and not JWE/JWT/PASETO: one fixed algorithm (nothing to negotiate, no `alg`
//! header to confuse), AES-GCM and HMAC-SHA-256 as BSI TR-02102-1 recommends them, from
//! aws-lc-rs, which rustls already links. Random 96-bit nonces are safe far beyond the number
//! of sign-ins a municipality sees per key (NIST SP 800-38D: 2^32 per key).

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::{hkdf, hmac, rand};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

const VERSION: &str = "1";
const KEY_LEN: usize = 32;
/// A token issued this far in the future is still accepted (clocks of Lambda instances differ).
const CLOCK_SKEW: Duration = Duration::seconds(60);

/// Why a key ring cannot be built.
#[derive(Debug, Error, PartialEq)]
pub enum KeyRingError {
    #[error("the key ring is empty (expected `kid:base64url-key`, comma-separated)")]
    Empty,
    #[error("key {position} of the key ring is not `kid:base64url-key`")]
    Shape { position: usize },
    #[error(
        "key id \"{kid}\" must be 1 to 16 characters of a-z, A-Z, 0-9, - and _ (it is written into every token)"
    )]
    KeyId { kid: String },
    #[error("key \"{kid}\" is not {KEY_LEN} bytes of base64url (got {got} bytes)")]
    KeyLength { kid: String, got: usize },
    #[error("key id \"{kid}\" is used twice")]
    Duplicate { kid: String },
    #[error("the system random generator failed")]
    Random,
}

/// The keys tokens are sealed and signed with. The first key makes new tokens; all keys open.
pub struct KeyRing {
    /// Wiped when the ring is dropped.
    keys: Vec<(String, Zeroizing<[u8; KEY_LEN]>)>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("KeyRing").field("kids", &kids).finish()
    }
}

impl KeyRing {
    /// Parses `kid:base64url-key,kid:base64url-key` (the secret [`crate::secrets::SESSION_KEYS`]).
    pub fn parse(spec: &SecretString) -> Result<Self, KeyRingError> {
        let mut keys: Vec<(String, Zeroizing<[u8; KEY_LEN]>)> = Vec::new();
        for (i, part) in spec.expose_secret().split(',').enumerate() {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (kid, key) = part
                .split_once(':')
                .ok_or(KeyRingError::Shape { position: i + 1 })?;
            check_kid(kid)?;
            if keys.iter().any(|(k, _)| k == kid) {
                return Err(KeyRingError::Duplicate {
                    kid: kid.to_string(),
                });
            }
            let bytes = Zeroizing::new(
                B64.decode(key.trim())
                    .map_err(|_| KeyRingError::Shape { position: i + 1 })?,
            );
            let key: [u8; KEY_LEN] =
                bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| KeyRingError::KeyLength {
                        kid: kid.to_string(),
                        got: bytes.len(),
                    })?;
            keys.push((kid.to_string(), Zeroizing::new(key)));
        }
        if keys.is_empty() {
            return Err(KeyRingError::Empty);
        }
        Ok(KeyRing { keys })
    }

    /// A ring with one new random key (`formfabrik serve`, tests).
    pub fn generate(kid: &str) -> Result<Self, KeyRingError> {
        check_kid(kid)?;
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        rand::fill(key.as_mut()).map_err(|_| KeyRingError::Random)?;
        Ok(KeyRing {
            keys: vec![(kid.to_string(), key)],
        })
    }

    /// This ring after a rotation: `newer` seals from now on, this ring's keys still open.
    pub fn rotated_to(self, newer: KeyRing) -> Result<Self, KeyRingError> {
        let mut keys = newer.keys.clone();
        for (kid, key) in &self.keys {
            if keys.iter().any(|(k, _)| k == kid) {
                return Err(KeyRingError::Duplicate { kid: kid.clone() });
            }
            keys.push((kid.clone(), key.clone()));
        }
        Ok(KeyRing { keys })
    }

    /// This ring in the form [`KeyRing::parse`] reads (to hand to a child process).
    pub fn to_spec(&self) -> SecretString {
        let parts: Vec<String> = self
            .keys
            .iter()
            .map(|(kid, key)| format!("{kid}:{}", B64.encode(key.as_slice())))
            .collect();
        SecretString::from(parts.join(","))
    }

    /// The key id new tokens are made with.
    pub fn current_kid(&self) -> &str {
        &self.keys[0].0
    }

    fn current(&self) -> (&str, &[u8; KEY_LEN]) {
        (&self.keys[0].0, &self.keys[0].1)
    }

    fn find(&self, kid: &str) -> Option<&[u8; KEY_LEN]> {
        self.keys
            .iter()
            .find(|(k, _)| k == kid)
            .map(|(_, key)| &**key)
    }
}

fn check_kid(kid: &str) -> Result<(), KeyRingError> {
    let ok = !kid.is_empty()
        && kid.len() <= 16
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(KeyRingError::KeyId {
            kid: kid.to_string(),
        })
    }
}

/// Why a token was refused. A token altered in any way, made for another purpose or with a
/// key that has been removed, is refused; nothing is guessed.
#[derive(Debug, Error, PartialEq)]
pub enum SealError {
    #[error("the token is not of the expected shape")]
    Malformed,
    #[error("the token was made with key \"{kid}\", which is not in the key ring (rotated out?)")]
    UnknownKey { kid: String },
    #[error("the token was altered or made for another purpose (authentication failed)")]
    Forged,
    #[error("the token expired at {expired_at}")]
    Expired { expired_at: OffsetDateTime },
    #[error("the token was issued in the future ({issued_at})")]
    NotYetValid { issued_at: OffsetDateTime },
    #[error("the value cannot be written into a token: {0}")]
    Encode(String),
    #[error("the system random generator failed")]
    Random,
}

/// What a token held, and when it was made and expires.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened<T> {
    pub value: T,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    iat: i64,
    exp: i64,
    v: T,
}

/// Seals, opens, signs and verifies tokens with one [`KeyRing`].
#[derive(Debug)]
pub struct Sealer {
    ring: KeyRing,
}

impl Sealer {
    pub fn new(ring: KeyRing) -> Self {
        Sealer { ring }
    }

    pub fn ring(&self) -> &KeyRing {
        &self.ring
    }

    /// Encrypts `value` for `purpose`, valid from `now` for `ttl`.
    pub fn seal<T: Serialize>(
        &self,
        purpose: &str,
        value: &T,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> Result<String, SealError> {
        let (kid, key) = self.ring.current();
        let mut data = envelope(value, now, ttl)?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce).map_err(|_| SealError::Random)?;
        aead_key(key, purpose)
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(purpose, kid).as_bytes()),
                &mut data,
            )
            .map_err(|_| SealError::Encode("encryption failed".into()))?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&data);
        Ok(format!("{VERSION}.{kid}.{}", B64.encode(blob)))
    }

    /// Decrypts a token made by [`Sealer::seal`] for `purpose` and checks that it is valid at
    /// `now`.
    pub fn open<T: DeserializeOwned>(
        &self,
        purpose: &str,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<Opened<T>, SealError> {
        let (kid, key, body) = self.split(token)?;
        let mut blob = B64.decode(body).map_err(|_| SealError::Malformed)?;
        if blob.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(SealError::Malformed);
        }
        let mut data = blob.split_off(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = blob.as_slice().try_into().expect("split at NONCE_LEN");
        let plain = aead_key(key, purpose)
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(purpose, kid).as_bytes()),
                &mut data,
            )
            .map_err(|_| SealError::Forged)?;
        unwrap_envelope(plain, now)
    }

    /// Signs `value` for `purpose`: readable by anyone, changeable by no one.
    pub fn sign<T: Serialize>(
        &self,
        purpose: &str,
        value: &T,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> Result<String, SealError> {
        let (kid, key) = self.ring.current();
        let payload = B64.encode(envelope(value, now, ttl)?);
        let input = format!("{VERSION}.{kid}.{payload}");
        let tag = hmac::sign(
            &hmac_key(key, purpose),
            mac_input(purpose, &input).as_bytes(),
        );
        Ok(format!("{input}.{}", B64.encode(tag.as_ref())))
    }

    /// A keyed hash (HMAC-SHA-256, hex) of `input` for `purpose` under each key of the ring,
    /// the current key's first: a name that can be found again from `input` by whoever holds
    /// the ring, and by no one else (drafts are stored under one, see [`crate::draft`]). Each
    /// key gives its own, so after a rotation the older keys still find what they named.
    pub fn keyed_hashes(&self, purpose: &str, input: &str) -> Vec<String> {
        self.ring
            .keys
            .iter()
            .map(|(_, key)| {
                let tag = hmac::sign(
                    &hmac_key(key, &format!("name/{purpose}")),
                    mac_input(purpose, input).as_bytes(),
                );
                tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
            })
            .collect()
    }

    /// Checks a token made by [`Sealer::sign`] for `purpose` and that it is valid at `now`.
    pub fn verify<T: DeserializeOwned>(
        &self,
        purpose: &str,
        token: &str,
        now: OffsetDateTime,
    ) -> Result<Opened<T>, SealError> {
        let (input, mac) = token.rsplit_once('.').ok_or(SealError::Malformed)?;
        let (_, key, payload) = self.split(input)?;
        let mac = B64.decode(mac).map_err(|_| SealError::Malformed)?;
        hmac::verify(
            &hmac_key(key, purpose),
            mac_input(purpose, input).as_bytes(),
            &mac,
        )
        .map_err(|_| SealError::Forged)?;
        let plain = B64.decode(payload).map_err(|_| SealError::Malformed)?;
        unwrap_envelope(&plain, now)
    }
}

impl Sealer {
    /// `1.<kid>.<body>`: the key `kid` names and the body.
    fn split<'t>(&self, token: &'t str) -> Result<(&'t str, &[u8; KEY_LEN], &'t str), SealError> {
        let mut parts = token.split('.');
        let (Some(VERSION), Some(kid), Some(body), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError::Malformed);
        };
        let key = self.ring.find(kid).ok_or_else(|| SealError::UnknownKey {
            kid: kid.to_string(),
        })?;
        Ok((kid, key, body))
    }
}

fn envelope<T: Serialize>(
    value: &T,
    now: OffsetDateTime,
    ttl: Duration,
) -> Result<Vec<u8>, SealError> {
    serde_json::to_vec(&Envelope {
        iat: now.unix_timestamp(),
        exp: (now + ttl).unix_timestamp(),
        v: value,
    })
    .map_err(|e| SealError::Encode(e.to_string()))
}

fn unwrap_envelope<T: DeserializeOwned>(
    plain: &[u8],
    now: OffsetDateTime,
) -> Result<Opened<T>, SealError> {
    // Authentic but unreadable means a value of another shape (an older format): refused too.
    let envelope: Envelope<T> = serde_json::from_slice(plain).map_err(|_| SealError::Malformed)?;
    let issued_at =
        OffsetDateTime::from_unix_timestamp(envelope.iat).map_err(|_| SealError::Malformed)?;
    let expires_at =
        OffsetDateTime::from_unix_timestamp(envelope.exp).map_err(|_| SealError::Malformed)?;
    if now >= expires_at {
        return Err(SealError::Expired {
            expired_at: expires_at,
        });
    }
    if issued_at > now + CLOCK_SKEW {
        return Err(SealError::NotYetValid { issued_at });
    }
    Ok(Opened {
        value: envelope.v,
        issued_at,
        expires_at,
    })
}

fn aad(purpose: &str, kid: &str) -> String {
    format!("formfabrik/{VERSION}/{purpose}/{kid}")
}

fn mac_input(purpose: &str, input: &str) -> String {
    format!("formfabrik/{VERSION}/{purpose}/{input}")
}

fn prk(key: &[u8; KEY_LEN]) -> hkdf::Prk {
    hkdf::Salt::new(hkdf::HKDF_SHA256, b"formfabrik-identity").extract(key)
}

fn aead_key(key: &[u8; KEY_LEN], purpose: &str) -> LessSafeKey {
    let info = [b"seal/".as_slice(), purpose.as_bytes()];
    let prk = prk(key);
    let okm = prk
        .expand(&info, &AES_256_GCM)
        .expect("32 bytes is a valid HKDF-SHA-256 output length");
    LessSafeKey::new(UnboundKey::from(okm))
}

fn hmac_key(key: &[u8; KEY_LEN], purpose: &str) -> hmac::Key {
    let info = [b"sign/".as_slice(), purpose.as_bytes()];
    let prk = prk(key);
    let okm = prk
        .expand(&info, hmac::HMAC_SHA256)
        .expect("32 bytes is a valid HKDF-SHA-256 output length");
    hmac::Key::from(okm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);

    fn ring(spec: &str) -> KeyRing {
        KeyRing::parse(&SecretString::from(spec.to_string())).unwrap()
    }

    fn key(byte: u8) -> String {
        B64.encode([byte; KEY_LEN])
    }

    #[test]
    fn a_sealed_value_opens_with_the_same_ring_and_purpose() {
        let sealer = Sealer::new(ring(&format!("k1:{}", key(1))));
        let token = sealer
            .seal("flow", &"geheim", NOW, Duration::minutes(10))
            .unwrap();
        assert!(token.starts_with("1.k1."), "{token}");
        assert!(!token.contains("geheim"));
        let opened: Opened<String> = sealer.open("flow", &token, NOW).unwrap();
        assert_eq!(opened.value, "geheim");
        assert_eq!(opened.expires_at, NOW + Duration::minutes(10));
    }

    #[test]
    fn a_sealed_token_made_for_one_purpose_does_not_open_as_another() {
        let sealer = Sealer::new(ring(&format!("k1:{}", key(1))));
        let token = sealer.seal("flow", &1, NOW, Duration::minutes(10)).unwrap();
        assert_eq!(
            sealer.open::<i32>("session", &token, NOW),
            Err(SealError::Forged)
        );
    }

    #[test]
    fn every_changed_character_of_a_sealed_token_is_detected() {
        let sealer = Sealer::new(ring(&format!("k1:{}", key(1))));
        let token = sealer.seal("flow", &1, NOW, Duration::minutes(10)).unwrap();
        for i in "1.k1.".len()..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(bytes).unwrap();
            assert!(
                sealer.open::<i32>("flow", &changed, NOW).is_err(),
                "change at {i} not detected"
            );
        }
    }

    #[test]
    fn an_expired_token_is_refused_at_the_second_it_expires() {
        let sealer = Sealer::new(ring(&format!("k1:{}", key(1))));
        let token = sealer.seal("flow", &1, NOW, Duration::minutes(10)).unwrap();
        let later = NOW + Duration::minutes(10);
        assert_eq!(
            sealer.open::<i32>("flow", &token, later),
            Err(SealError::Expired { expired_at: later })
        );
        assert!(
            sealer
                .open::<i32>("flow", &token, later - Duration::seconds(1))
                .is_ok()
        );
    }

    #[test]
    fn a_token_from_the_future_is_refused() {
        let sealer = Sealer::new(ring(&format!("k1:{}", key(1))));
        let token = sealer
            .seal("flow", &1, NOW + Duration::hours(1), Duration::hours(2))
            .unwrap();
        assert!(matches!(
            sealer.open::<i32>("flow", &token, NOW),
            Err(SealError::NotYetValid { .. })
        ));
    }

    #[test]
    fn after_a_rotation_old_tokens_open_and_new_ones_use_the_new_key() {
        let old = Sealer::new(ring(&format!("k1:{}", key(1))));
        let old_token = old.seal("session", &1, NOW, Duration::minutes(30)).unwrap();
        let rotated = Sealer::new(
            ring(&format!("k1:{}", key(1)))
                .rotated_to(ring(&format!("k2:{}", key(2))))
                .unwrap(),
        );
        assert_eq!(
            rotated
                .open::<i32>("session", &old_token, NOW)
                .unwrap()
                .value,
            1
        );
        let new_token = rotated
            .seal("session", &2, NOW, Duration::minutes(30))
            .unwrap();
        assert!(new_token.starts_with("1.k2."));
        // Once k1 is removed, its tokens are refused by name.
        let only_new = Sealer::new(ring(&format!("k2:{}", key(2))));
        assert_eq!(
            only_new.open::<i32>("session", &old_token, NOW),
            Err(SealError::UnknownKey { kid: "k1".into() })
        );
    }

    #[test]
    fn a_key_with_the_same_id_but_other_bytes_does_not_open() {
        let a = Sealer::new(ring(&format!("k1:{}", key(1))));
        let b = Sealer::new(ring(&format!("k1:{}", key(9))));
        let token = a.seal("flow", &1, NOW, Duration::minutes(1)).unwrap();
        assert_eq!(b.open::<i32>("flow", &token, NOW), Err(SealError::Forged));
    }

    #[test]
    fn a_signed_value_is_readable_and_verifies_but_not_when_changed() {
        let sealer = Sealer::new(ring(&format!("k1:{}", key(1))));
        let token = sealer
            .sign("prefill", &"Erika", NOW, Duration::minutes(5))
            .unwrap();
        let (_, rest) = token.split_at("1.k1.".len());
        let payload = B64.decode(rest.split('.').next().unwrap()).unwrap();
        assert!(String::from_utf8(payload).unwrap().contains("Erika"));
        assert_eq!(
            sealer
                .verify::<String>("prefill", &token, NOW)
                .unwrap()
                .value,
            "Erika"
        );
        let forged_payload = B64.encode(format!(
            r#"{{"iat":{},"exp":{},"v":"Mallory"}}"#,
            NOW.unix_timestamp(),
            (NOW + Duration::minutes(5)).unix_timestamp()
        ));
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("1.k1.{forged_payload}.{}", parts[3]);
        assert_eq!(
            sealer.verify::<String>("prefill", &forged, NOW),
            Err(SealError::Forged)
        );
        assert_eq!(
            sealer.verify::<String>("session", &token, NOW),
            Err(SealError::Forged)
        );
    }

    #[test]
    fn key_rings_are_checked_when_read() {
        let parse = |s: &str| KeyRing::parse(&SecretString::from(s.to_string())).map(|_| ());
        assert_eq!(parse(""), Err(KeyRingError::Empty));
        assert_eq!(parse("nokid"), Err(KeyRingError::Shape { position: 1 }));
        assert_eq!(
            parse(&format!("bad kid:{}", key(1))),
            Err(KeyRingError::KeyId {
                kid: "bad kid".into()
            })
        );
        assert_eq!(
            parse("k1:AAAA"),
            Err(KeyRingError::KeyLength {
                kid: "k1".into(),
                got: 3
            })
        );
        assert_eq!(
            parse(&format!("k1:{},k1:{}", key(1), key(2))),
            Err(KeyRingError::Duplicate { kid: "k1".into() })
        );
        let two = ring(&format!("k2:{}, k1:{}", key(2), key(1)));
        assert_eq!(two.current_kid(), "k2");
        assert!(!format!("{two:?}").contains(&key(2)));
        assert_eq!(KeyRing::parse(&two.to_spec()).unwrap().current_kid(), "k2");
    }
}
