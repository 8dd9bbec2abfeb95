//! Direct uploads (`store::upload`): files that go from the browser to the store, outside the
//! submission's body, so that a form's files are not bound by the body limit (on Lambda 6 MB,
//! base64 included).
//!
//! - `POST …/v1/<municipality>/<form>/upload` with `{"id", "field", "type", "size"}` hands out
//!   one signed POST policy for one file of a file question: its key is
//!   `_staging/<municipality>/<id>/<token>` (token random), its `Content-Type` the declared
//!   type, its size at most the question's `max-size-mb`. The question, the type and the size
//!   are checked first (422 `unknown-field`, `file-type`, `file-too-large`, `invalid-file`).
//!   An S3 store signs it for the bucket; a store without uploads of its own (a folder, memory)
//!   gets it signed by this process for
//! - `POST …/v1/_upload`, the local upload endpoint: a `multipart/form-data` body as a browser
//!   posts it to S3 (the policy's fields, then the part `file`), checked against the policy as
//!   S3 does (`store::upload::check`; 403 with S3's code when a condition fails) and written
//!   create-only to the staging key (204).
//! - A script post (JSON) then answers a file question with `{"name", "type", "size",
//!   "sha256"?, "upload": <token>}`. Before validation, [`Handler::take_staged`] reads each
//!   such object, computes its sha256 (a sha256 sent must match), and turns the answer into
//!   the usual `{name, type, size, sha256}` with the object's real size: from there the checks
//!   (type by the first bytes, the question's types and size) and the write protocol are those
//!   of a multipart file, so the file is stored into the submission's folder as any other
//!   (encrypted when the municipality has a key). Once the submission is stored the staging
//!   objects are deleted; those never submitted expire by the lifecycle rule on `_staging/`.

use std::sync::OnceLock;

use bytes::Bytes;
use form_model::model::FieldType;
use form_model::resolve::ResolvedForm;
use form_model::validate::{Problem, accepts, max_file_bytes};
use http::request::Parts;
use http::{HeaderValue, Method, Response, StatusCode, header};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use store::PutOutcome;
use store::upload::{self as up, SigningKey};

use super::Handler;
use crate::attach;
use crate::decode::{self, BodyKind, request_body_kind};
use crate::metrics::Outcome;
use crate::respond::{Refusal, add_cors, json_response, origin_allowed, pick_language, response};
use crate::route::{Endpoint, is_slug, prefix_ok};

/// The last segment of the presign endpoint, below a form.
pub const PRESIGN_SEGMENT: &str = "upload";
/// The local upload endpoint, below `/v1`.
pub const LOCAL_SEGMENT: &str = "_upload";
/// The largest file of a question without `max-size-mb`.
pub const DEFAULT_MAX_BYTES: u64 = 20_000_000;
/// The bucket name the local upload endpoint signs for (its policies name it like S3's).
const LOCAL_BUCKET: &str = "formfabrik-local";

/// This process's key for the local upload endpoint: random at start, so a policy is valid
/// only for the process that signed it.
fn local_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey {
        access_key_id: "formfabrik-local".into(),
        secret: format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple()),
        session_token: None,
        region: "local".into(),
    })
}

/// Which upload endpoint a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UploadRoute<'a> {
    /// `…/v1/<municipality>/<form>/upload`; `base` is what stands before `/v1`.
    Presign {
        base: &'a str,
        municipality: &'a str,
        form: &'a str,
    },
    /// `…/v1/_upload`
    Local,
}

pub(super) fn upload_route(path: &str) -> Option<UploadRoute<'_>> {
    let path = path.strip_suffix('/').unwrap_or(path);
    if let Some(before) = path.strip_suffix(&format!("/v1/{LOCAL_SEGMENT}"))
        && prefix_ok(before)
    {
        return Some(UploadRoute::Local);
    }
    let form_path = path
        .strip_suffix(PRESIGN_SEGMENT)
        .and_then(|p| p.strip_suffix('/'))?;
    let mut parts = form_path.rsplitn(4, '/');
    let form = parts.next()?;
    let municipality = parts.next()?;
    let version = parts.next()?;
    let base = parts.next()?;
    (version == "v1" && prefix_ok(base) && is_slug(municipality) && is_slug(form)).then_some(
        UploadRoute::Presign {
            base,
            municipality,
            form,
        },
    )
}

/// What a presign request asks for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresignRequest {
    id: String,
    /// The file question's path (`erlaubnis`, `hunde.0.impfpass`).
    field: String,
    #[serde(rename = "type")]
    media_type: String,
    size: u64,
    #[serde(default)]
    language: Option<String>,
}

impl Handler {
    /// Answers the upload endpoints; `None` for any other path.
    pub(super) async fn upload_request(
        &self,
        parts: &Parts,
        body: &Bytes,
        outcome: &mut Outcome,
    ) -> Option<Response<Bytes>> {
        match upload_route(parts.uri.path())? {
            UploadRoute::Presign {
                base,
                municipality,
                form,
            } => Some(
                self.presign(parts, body, base, municipality, form, outcome)
                    .await,
            ),
            UploadRoute::Local => Some(self.local_upload(parts, body.clone(), outcome).await),
        }
    }

    async fn presign(
        &self,
        parts: &Parts,
        body: &Bytes,
        base: &str,
        m_id: &str,
        f_id: &str,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        let accept_language = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let refuse = |refusal: Refusal, lang: &str, outcome: &mut Outcome| {
            outcome.outcome = refusal.code();
            json_response(refusal.status(), &refusal.json(lang))
        };
        let Some(municipality) = self.registry.municipality(m_id) else {
            let lang = pick_language(accept_language, &[]);
            return refuse(Refusal::UnknownMunicipality(m_id.into()), &lang, outcome);
        };
        outcome.municipality = municipality.id.clone();
        let mut lang = pick_language(accept_language, &municipality.languages);
        let origin = parts
            .headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        let allowed = origin.filter(|o| origin_allowed(municipality, o));
        let with_cors = |mut r: Response<Bytes>| {
            if let Some(o) = allowed {
                add_cors(&mut r, o);
            }
            r
        };
        let Some(form) = self.registry.form(m_id, f_id) else {
            let refusal = Refusal::UnknownForm {
                municipality: municipality.name.clone(),
                form: f_id.into(),
            };
            return with_cors(refuse(refusal, &lang, outcome));
        };
        outcome.form = form.form.id.clone();
        if parts.method == Method::OPTIONS {
            if origin.is_some() && allowed.is_none() {
                return refuse(Refusal::OriginNotAllowed, &lang, outcome);
            }
            outcome.outcome = "preflight";
            let mut r = response(StatusCode::NO_CONTENT, None, Bytes::new());
            let h = r.headers_mut();
            h.insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
            super::answers::allow_post_preflight(h);
            return with_cors(r);
        }
        if parts.method != Method::POST {
            let mut r = refuse(Refusal::MethodNotAllowed(Endpoint::Submit), &lang, outcome);
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST, OPTIONS"));
            return with_cors(r);
        }
        match request_body_kind(&parts.headers) {
            Ok(BodyKind::Json) => {}
            Ok(_) => return with_cors(refuse(Refusal::UnsupportedMediaType, &lang, outcome)),
            Err(e) => {
                let refusal = self.decode_refusal(e, form, &lang);
                return with_cors(refuse(refusal, &lang, outcome));
            }
        }
        if body.len() > 4096 {
            let refusal = Refusal::PayloadTooLarge { limit: 4096 };
            return with_cors(refuse(refusal, &lang, outcome));
        }
        let asked: PresignRequest = match serde_json::from_slice(body) {
            Ok(a) => a,
            Err(e) => {
                return with_cors(refuse(Refusal::InvalidBody(e.to_string()), &lang, outcome));
            }
        };
        if let Some(l) = asked
            .language
            .as_ref()
            .filter(|l| form.languages.contains(l))
        {
            lang = l.clone();
        }
        let id = match Uuid::try_parse(asked.id.trim()) {
            Ok(id) if id.get_version() == Some(uuid::Version::Random) => id,
            _ => return with_cors(refuse(Refusal::InvalidId, &lang, outcome)),
        };
        outcome.id = id.to_string();
        let media_type = asked.media_type.trim().to_ascii_lowercase();
        let max = match file_question(form, &asked.field) {
            None => Err(Problem::UnknownField),
            Some(field) if !accepts(&field.accept, &media_type) => {
                Err(Problem::FileType(field.accept.clone()))
            }
            Some(field) => {
                let max = field
                    .max_size_mb
                    .map_or(DEFAULT_MAX_BYTES, |mb| max_file_bytes(mb) as u64);
                match field.max_size_mb {
                    _ if asked.size == 0 => Err(Problem::InvalidFile),
                    Some(mb) if asked.size > max => Err(Problem::FileTooLarge(mb)),
                    _ => Ok(max),
                }
            }
        };
        let max = match max {
            Ok(max) => max,
            Err(problem) => {
                let error = attach::field_error(form, &asked.field, problem, &lang);
                outcome.outcome = "invalid";
                outcome.error_codes = serde_json::to_value(error.code)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                return with_cors(json_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &json!({ "errors": [error], "error_count": 1 }),
                ));
            }
        };
        let token = up::new_token();
        let key = up::staging_key(&municipality.id, id, &token);
        let now = self.clock.now();
        let post = match self.store.presign_post(&key, &media_type, max, now).await {
            Ok(Some(post)) => post,
            Ok(None) => {
                let policy = up::Policy {
                    key: key.clone(),
                    content_type: media_type.clone(),
                    max_bytes: max,
                    expires: now + time::Duration::minutes(up::POLICY_MINUTES),
                };
                let url = format!("{base}/v1/{LOCAL_SEGMENT}");
                up::presign(&url, LOCAL_BUCKET, &policy, local_key(), now)
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot sign an upload");
                let mut r = refuse(Refusal::StoreUnavailable, &lang, outcome);
                outcome.outcome = "store-failed";
                r.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(crate::respond::RETRY_AFTER_SECONDS),
                );
                return with_cors(r);
            }
        };
        outcome.outcome = "upload-signed";
        let fields: Map<String, Value> = post
            .fields
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        with_cors(json_response(
            StatusCode::OK,
            &json!({ "upload": token, "url": post.url, "fields": fields, "max_size": max }),
        ))
    }

    /// The local upload endpoint: S3's browser POST, with the policy checked here.
    async fn local_upload(
        &self,
        parts: &Parts,
        body: Bytes,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        let answer = |status: StatusCode, code: &'static str, message: &str| {
            json_response(
                status,
                &json!({ "error": { "code": code, "message": message } }),
            )
        };
        if parts.method != Method::POST {
            outcome.outcome = "method-not-allowed";
            let mut r = answer(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "POST only",
            );
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return r;
        }
        let boundary = match request_body_kind(&parts.headers) {
            Ok(BodyKind::Multipart(b)) => b,
            _ => {
                outcome.outcome = "unsupported-media-type";
                return answer(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "InvalidArgument",
                    "multipart/form-data only",
                );
            }
        };
        let (fields, files) = match decode::multipart_fields(body, &boundary, self.body_limit).await
        {
            Ok(parsed) => parsed,
            Err(_) => {
                outcome.outcome = "malformed-multipart";
                return answer(
                    StatusCode::BAD_REQUEST,
                    "MalformedPOSTRequest",
                    "the body is not a readable multipart/form-data upload",
                );
            }
        };
        let [(name, bytes)] = files.as_slice() else {
            outcome.outcome = "malformed-multipart";
            return answer(
                StatusCode::BAD_REQUEST,
                "MalformedPOSTRequest",
                "exactly one file, in the part \"file\"",
            );
        };
        if name != "file" {
            outcome.outcome = "malformed-multipart";
            return answer(
                StatusCode::BAD_REQUEST,
                "MalformedPOSTRequest",
                "the file must be the part \"file\"",
            );
        }
        let now = self.clock.now();
        let (key, content_type) =
            match up::check(&fields, bytes.len() as u64, LOCAL_BUCKET, local_key(), now) {
                Ok(found) => found,
                Err(refused) => {
                    outcome.outcome = "upload-refused";
                    tracing::info!(code = refused.code, reason = %refused.reason, "upload refused");
                    let status = match refused.code {
                        "InvalidArgument" | "InvalidPolicyDocument" => StatusCode::BAD_REQUEST,
                        _ => StatusCode::FORBIDDEN,
                    };
                    return answer(status, refused.code, &refused.reason);
                }
            };
        // Only staging keys, whatever a policy says.
        let Some((municipality, id)) = staging_parts(&key) else {
            outcome.outcome = "upload-refused";
            return answer(StatusCode::FORBIDDEN, "AccessDenied", "not a staging key");
        };
        outcome.municipality = municipality.to_string();
        outcome.id = id.to_string();
        let mut r = match self.store.put_new(&key, bytes.clone(), &content_type).await {
            Ok(PutOutcome::Created) => {
                outcome.outcome = "uploaded";
                response(StatusCode::NO_CONTENT, None, Bytes::new())
            }
            Ok(PutOutcome::Exists) => {
                outcome.outcome = "upload-refused";
                answer(
                    StatusCode::CONFLICT,
                    "ObjectExists",
                    "this upload was made already",
                )
            }
            Err(e) => {
                tracing::error!(error = %e, "store failed; upload not taken");
                outcome.outcome = "store-failed";
                answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "the store failed; retry",
                )
            }
        };
        if let Some(m) = self.registry.municipality(municipality)
            && let Some(o) = parts
                .headers
                .get(header::ORIGIN)
                .and_then(|v| v.to_str().ok())
                .filter(|o| origin_allowed(m, o))
        {
            add_cors(&mut r, o);
        }
        r
    }
}

/// The file question a path names (`erlaubnis`, `zulassung.nachweis`, `hunde.0.impfpass`):
/// its last segment that is not an entry number, when that is a file question of the form and
/// the first segment a question of the form.
fn file_question<'a>(form: &'a ResolvedForm, path: &str) -> Option<&'a form_model::model::Field> {
    let first = path.split('.').next()?;
    form.top_level_field(first)?;
    let last = path
        .rsplit('.')
        .find(|s| !s.bytes().all(|b| b.is_ascii_digit()))?;
    form.form.find(last).filter(|f| f.kind == FieldType::File)
}

/// `_staging/<municipality>/<id>/<token>` → municipality and id.
fn staging_parts(key: &str) -> Option<(&str, Uuid)> {
    let mut parts = key.split('/');
    let (Some(up::STAGING), Some(m), Some(id), Some(token), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let id = Uuid::try_parse(id).ok()?;
    (is_slug(m) && up::is_token(token) && up::staging_key(m, id, token) == key).then_some((m, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_routes() {
        assert_eq!(upload_route("/v1/_upload"), Some(UploadRoute::Local));
        assert_eq!(upload_route("/prod/v1/_upload/"), Some(UploadRoute::Local));
        assert_eq!(
            upload_route("/prod/v1/musterstadt/hundesteuer-anmeldung/upload"),
            Some(UploadRoute::Presign {
                base: "/prod",
                municipality: "musterstadt",
                form: "hundesteuer-anmeldung"
            })
        );
        for other in [
            "/v1/m/upload",
            "/v1/m/f",
            "/v1/m/f/danke",
            "/v2/m/f/upload",
            "/x/../v1/_upload",
            "/v1/m/f/upload/x",
        ] {
            assert_eq!(upload_route(other), None, "{other}");
        }
    }

    #[test]
    fn only_staging_keys_are_written() {
        let id = Uuid::new_v4();
        let token = up::new_token();
        let key = up::staging_key("musterstadt", id, &token);
        assert_eq!(staging_parts(&key), Some(("musterstadt", id)));
        assert_eq!(
            staging_parts("musterstadt/f/v1/2026/11/28/x/submission.json"),
            None
        );
        assert_eq!(
            staging_parts(&format!("_claims/musterstadt/{id}/{token}")),
            None
        );
    }
}
