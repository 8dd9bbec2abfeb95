//! Direct uploads: files that go from the browser to the store without passing through the
//! function, so that a submission's files are not bound by the function's body limit (6 MB on
//! Lambda, base64 included).
//!
//! The function hands out one S3 POST policy per file ([`presign`]): an HTML-form upload to
//! the bucket, signed with Signature Version 4 over the base64 policy, whose conditions fix the
//! key (under `_staging/<municipality>/<id>/`, [`staging_key`]), the `Content-Type` and the
//! size range (at most the field's `max-size-mb`), and which expires after a few minutes. The
//! store refuses any upload that breaks a condition. When the answers are submitted, the
//! function reads each referenced staging object, checks it (size, type by its first bytes,
//! sha256), stores it into the submission's folder through the write protocol (encrypted when
//! the municipality has a key) and deletes the staging object; staging objects that are never
//! submitted expire by the lifecycle rule on `_staging/`.
//!
//! A store without POST uploads of its own (a folder, memory) gets the same flow from the
//! function's local upload endpoint, which checks the same policy itself ([`check`]) before
//! it writes the staging object.

use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use uuid::Uuid;

/// The top-level folder of staging objects (uploaded, not yet submitted).
pub const STAGING: &str = "_staging";

/// Days after which a staging object expires (lifecycle rule on `_staging/`): uploads that
/// were never submitted. One day is the shortest expiry S3 offers.
pub const STAGING_DAYS: u32 = 1;

/// `_staging/<municipality>/<id>/<token>`: where a file for submission `id` is uploaded.
/// `token` is random per upload ([`new_token`]), so nobody can guess another file's key.
pub fn staging_key(municipality: &str, id: Uuid, token: &str) -> String {
    format!("{STAGING}/{municipality}/{}/{token}", id.hyphenated())
}

/// A fresh upload token: 32 lower-case hex digits.
pub fn new_token() -> String {
    Uuid::new_v4().simple().to_string()
}

/// Whether `token` has the shape [`new_token`] gives (so it can be put into a key).
pub fn is_token(token: &str) -> bool {
    token.len() == 32
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// How long a policy is valid after it was handed out.
pub const POLICY_MINUTES: i64 = 15;

/// What one upload may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The full key in the bucket (with the store's prefix).
    pub key: String,
    pub content_type: String,
    /// The largest size in bytes (the smallest is 1).
    pub max_bytes: u64,
    pub expires: OffsetDateTime,
}

/// Who signs: an access key and its secret (and the session token of temporary credentials,
/// such as a Lambda role's), for one region.
#[derive(Clone)]
pub struct SigningKey {
    pub access_key_id: String,
    pub secret: String,
    pub session_token: Option<String>,
    pub region: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// A signed upload: the URL to POST a `multipart/form-data` body to, and the fields to send
/// before the file (in this order; the file goes last, as the part `file`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedPost {
    pub url: String,
    pub fields: Vec<(String, String)>,
}

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The policy document for `policy` in `bucket`, signed by `key` at `now`, to be posted to
/// `url`.
pub fn presign(
    url: &str,
    bucket: &str,
    policy: &Policy,
    key: &SigningKey,
    now: OffsetDateTime,
) -> PresignedPost {
    let date = now
        .format(format_description!("[year][month][day]"))
        .expect("dates format");
    let amz_date = now
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .expect("dates format");
    let credential = format!(
        "{}/{date}/{}/s3/aws4_request",
        key.access_key_id, key.region
    );
    let mut conditions = vec![
        json!({ "bucket": bucket }),
        json!(["eq", "$key", policy.key]),
        json!(["eq", "$Content-Type", policy.content_type]),
        json!(["content-length-range", 1, policy.max_bytes]),
        json!({ "x-amz-algorithm": ALGORITHM }),
        json!({ "x-amz-credential": credential }),
        json!({ "x-amz-date": amz_date }),
    ];
    if let Some(token) = &key.session_token {
        conditions.push(json!({ "x-amz-security-token": token }));
    }
    let document = json!({
        "expiration": policy.expires.format(&Rfc3339).expect("UTC times format"),
        "conditions": conditions,
    });
    let encoded = STANDARD.encode(serde_json::to_vec(&document).expect("JSON serializes"));
    let signature = sign(&key.secret, now, &key.region, &encoded);
    let mut fields = vec![
        ("key".to_string(), policy.key.clone()),
        ("Content-Type".to_string(), policy.content_type.clone()),
        ("x-amz-algorithm".to_string(), ALGORITHM.to_string()),
        ("x-amz-credential".to_string(), credential),
        ("x-amz-date".to_string(), amz_date),
    ];
    if let Some(token) = &key.session_token {
        fields.push(("x-amz-security-token".to_string(), token.clone()));
    }
    fields.push(("policy".to_string(), encoded));
    fields.push(("x-amz-signature".to_string(), signature));
    PresignedPost {
        url: url.to_string(),
        fields,
    }
}

/// SigV4's signature of a POST policy: HMAC-SHA256 of the base64 policy with the signing key
/// of the day, region and service `s3` (aws-sigv4's derivation).
fn sign(secret: &str, at: OffsetDateTime, region: &str, encoded_policy: &str) -> String {
    let at: SystemTime = at.into();
    let signing_key = aws_sigv4::sign::v4::generate_signing_key(secret, at, region, "s3");
    aws_sigv4::sign::v4::calculate_signature(signing_key, encoded_policy.as_bytes())
}

/// Why an upload was refused: the code S3 answers with (`AccessDenied`, `EntityTooLarge`,
/// `EntityTooSmall`, `InvalidPolicyDocument`, `SignatureDoesNotMatch`) and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub reason: String,
}

fn refused(code: &'static str, reason: impl Into<String>) -> Refused {
    Refused {
        code,
        reason: reason.into(),
    }
}

/// Checks an upload as S3 does: `fields` are the form's fields before the file (names
/// compared case-insensitively, as S3 does), `size` the file's size, signed by `key` for
/// `bucket`. Every condition must hold, every field but `policy`, `x-amz-signature` and the
/// file must be named by a condition, and the policy must not have expired at `now`. Returns
/// the key to write and its content type.
pub fn check(
    fields: &[(String, String)],
    size: u64,
    bucket: &str,
    key: &SigningKey,
    now: OffsetDateTime,
) -> Result<(String, String), Refused> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let encoded = field("policy").ok_or_else(|| refused("AccessDenied", "no policy"))?;
    let signature =
        field("x-amz-signature").ok_or_else(|| refused("AccessDenied", "no signature"))?;
    if field("x-amz-algorithm") != Some(ALGORITHM) {
        return Err(refused("InvalidArgument", "not AWS4-HMAC-SHA256"));
    }
    let credential = field("x-amz-credential").unwrap_or("");
    let mut scope = credential.split('/');
    let (Some(access_key), Some(date), Some(region), Some("s3"), Some("aws4_request"), None) = (
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
    ) else {
        return Err(refused("InvalidArgument", "malformed credential"));
    };
    if access_key != key.access_key_id || region != key.region {
        return Err(refused("InvalidAccessKeyId", "unknown access key"));
    }
    let day = time::Date::parse(date, format_description!("[year][month][day]"))
        .map_err(|_| refused("InvalidArgument", "malformed credential date"))?;
    let expected = sign(&key.secret, day.midnight().assume_utc(), region, encoded);
    if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(refused("SignatureDoesNotMatch", "signature does not match"));
    }
    let document: Value = STANDARD
        .decode(encoded)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| refused("InvalidPolicyDocument", "not base64 JSON"))?;
    let expiration = document["expiration"]
        .as_str()
        .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        .ok_or_else(|| refused("InvalidPolicyDocument", "no expiration"))?;
    if now >= expiration {
        return Err(refused("AccessDenied", "policy expired"));
    }
    let conditions = document["conditions"]
        .as_array()
        .ok_or_else(|| refused("InvalidPolicyDocument", "no conditions"))?;
    let mut named: Vec<String> = Vec::new();
    let value_of = |name: &str| -> String {
        if name.eq_ignore_ascii_case("bucket") {
            bucket.to_string()
        } else {
            field(name).unwrap_or("").to_string()
        }
    };
    for condition in conditions {
        match condition {
            Value::Object(o) if o.len() == 1 => {
                let (name, want) = o.iter().next().expect("one entry");
                let want = want
                    .as_str()
                    .ok_or_else(|| refused("InvalidPolicyDocument", "condition not a string"))?;
                if value_of(name) != want {
                    return Err(refused(
                        "AccessDenied",
                        format!("policy condition failed: {name}"),
                    ));
                }
                named.push(name.to_ascii_lowercase());
            }
            Value::Array(a) => match a.as_slice() {
                [Value::String(op), Value::String(name), Value::String(want)]
                    if op == "eq" || op == "starts-with" =>
                {
                    let name = name
                        .strip_prefix('$')
                        .ok_or_else(|| refused("InvalidPolicyDocument", "field without $"))?;
                    let have = value_of(name);
                    let ok = if op == "eq" {
                        have == *want
                    } else {
                        have.starts_with(want.as_str())
                    };
                    if !ok {
                        return Err(refused(
                            "AccessDenied",
                            format!("policy condition failed: {name}"),
                        ));
                    }
                    named.push(name.to_ascii_lowercase());
                }
                [Value::String(op), min, max] if op == "content-length-range" => {
                    let (Some(min), Some(max)) = (min.as_u64(), max.as_u64()) else {
                        return Err(refused("InvalidPolicyDocument", "malformed range"));
                    };
                    if size > max {
                        return Err(refused(
                            "EntityTooLarge",
                            format!("{size} bytes, at most {max}"),
                        ));
                    }
                    if size < min {
                        return Err(refused(
                            "EntityTooSmall",
                            format!("{size} bytes, at least {min}"),
                        ));
                    }
                }
                _ => return Err(refused("InvalidPolicyDocument", "unknown condition")),
            },
            _ => return Err(refused("InvalidPolicyDocument", "unknown condition")),
        }
    }
    for (name, _) in fields {
        let lower = name.to_ascii_lowercase();
        if !matches!(lower.as_str(), "policy" | "x-amz-signature" | "file")
            && !named.contains(&lower)
        {
            return Err(refused(
                "AccessDenied",
                format!("field {name} is not named by the policy"),
            ));
        }
    }
    let object = field("key").ok_or_else(|| refused("InvalidArgument", "no key"))?;
    let content_type = field("Content-Type").unwrap_or("application/octet-stream");
    Ok((object.to_string(), content_type.to_string()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn signer() -> SigningKey {
        SigningKey {
            access_key_id: "AKIDLOCAL".into(),
            secret: "secret".into(),
            session_token: None,
            region: "eu-central-1".into(),
        }
    }

    fn policy(now: OffsetDateTime) -> Policy {
        Policy {
            key: "p/_staging/m/x/abc".into(),
            content_type: "application/pdf".into(),
            max_bytes: 100,
            expires: now + time::Duration::minutes(POLICY_MINUTES),
        }
    }

    #[test]
    fn a_signed_policy_passes_its_own_check_and_nothing_else_does() {
        let now = datetime!(2026-12-02 14:00 UTC);
        let post = presign("http://x/b", "b", &policy(now), &signer(), now);
        let later = now + time::Duration::minutes(3);
        assert_eq!(
            check(&post.fields, 100, "b", &signer(), later),
            Ok(("p/_staging/m/x/abc".into(), "application/pdf".into()))
        );
        let code = |fields: &[(String, String)], size, at| {
            check(fields, size, "b", &signer(), at).unwrap_err().code
        };
        assert_eq!(code(&post.fields, 101, later), "EntityTooLarge");
        assert_eq!(code(&post.fields, 0, later), "EntityTooSmall");
        assert_eq!(
            code(&post.fields, 10, now + time::Duration::minutes(16)),
            "AccessDenied"
        );
        let with = |name: &str, value: &str| {
            let mut f = post.fields.clone();
            f.iter_mut().find(|(n, _)| n == name).unwrap().1 = value.into();
            f
        };
        assert_eq!(code(&with("key", "p/other"), 10, later), "AccessDenied");
        assert_eq!(
            code(&with("Content-Type", "text/html"), 10, later),
            "AccessDenied"
        );
        assert_eq!(
            code(&with("x-amz-signature", &"0".repeat(64)), 10, later),
            "SignatureDoesNotMatch"
        );
        let mut extra = post.fields.clone();
        extra.push(("acl".into(), "public-read".into()));
        assert_eq!(code(&extra, 10, later), "AccessDenied");
        assert_eq!(
            check(&post.fields, 10, "other-bucket", &signer(), later)
                .unwrap_err()
                .code,
            "AccessDenied"
        );
    }

    #[test]
    fn tokens_and_keys() {
        let t = new_token();
        assert!(is_token(&t));
        assert!(!is_token("../x"));
        let id = Uuid::nil();
        assert_eq!(
            staging_key("musterstadt", id, &t),
            format!("_staging/musterstadt/00000000-0000-0000-0000-000000000000/{t}")
        );
        crate::check_key(&staging_key("musterstadt", id, &t)).unwrap();
    }
}
