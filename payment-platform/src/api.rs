//! The XBezahldienste API of the platform: the OAuth2 token endpoint, who is calling
//! (certificate, bearer token or Basic credentials), and create, pull and service status with
//! the standard's refusals. Errors are `application/problem+json` within the standard's own
//! constraints; missing or wrong credentials are FORBIDDEN with 403 (the status the standard
//! lists), while the token endpoint answers as RFC 6749 says (401 `invalid_client`).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use base64::Engine;
use http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode};
use xbezahl::{FunctionalCode, PaymentRequest, PaymentStatus, PaymentTransaction, Problem};

use crate::answer::{Answer, json, problem};
use crate::config::{ClientAccount, Credential, Tenant};
use crate::ledger::{LedgerError, Record};
use crate::state::{Connection, Shared, lock};

impl Shared {
    /// `POST oauth/token` with `grant_type=client_credentials`; the client's id and secret in
    /// the form or in an HTTP Basic header.
    pub(crate) fn token(&self, headers: &HeaderMap, body: &[u8]) -> Answer {
        self.token_requests.fetch_add(1, Ordering::SeqCst);
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        match form.get("grant_type").map(String::as_str) {
            Some("client_credentials") => {}
            Some(_) => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
            None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request"),
        }
        let (id, secret) = match basic_credentials(headers) {
            Some(pair) => pair,
            None => match (form.get("client_id"), form.get("client_secret")) {
                (Some(id), Some(secret)) => (id.clone(), secret.clone()),
                _ => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client"),
            },
        };
        let client = self.config.clients.iter().position(|c| {
            matches!(&c.credential, Credential::Oauth2 { client_id, client_secret }
                if *client_id == id && *client_secret == secret)
        });
        let Some(client) = client else {
            return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
        };
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let lifetime = self.config.token_lifetime_seconds;
        lock(&self.tokens).insert(
            token.clone(),
            (client, Instant::now() + Duration::from_secs(lifetime)),
        );
        let body = serde_json::json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": lifetime,
        });
        let mut r = json(StatusCode::OK, "application/json", &body);
        r.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }

    /// The client account behind a request: its certificate, bearer token or Basic
    /// credentials.
    fn caller(&self, connection: &Connection, headers: &HeaderMap) -> Option<&ClientAccount> {
        if let Some(i) = connection.certificate_client {
            return self.config.clients.get(i);
        }
        let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
        if let Some(token) = strip_scheme(value, "Bearer") {
            let tokens = lock(&self.tokens);
            let (client, expires) = tokens.get(token)?;
            return (Instant::now() < *expires).then(|| &self.config.clients[*client]);
        }
        let (user, pass) = basic_credentials(headers)?;
        self.config.clients.iter().find(|c| {
            matches!(&c.credential, Credential::Basic { username, password }
                if *username == user && *password == pass)
        })
    }

    /// Authentication, tenant, authorisation: the checks every API call starts with.
    fn admit(
        &self,
        connection: &Connection,
        headers: &HeaderMap,
        originator_id: &str,
        endpoint_id: &str,
    ) -> Result<&Tenant, Box<Answer>> {
        let refuse = |status, code, detail| Box::new(problem(status, code, detail));
        let Some(client) = self.caller(connection, headers) else {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                FunctionalCode::Forbidden,
                "Missing or invalid credentials",
            ));
        };
        let tenant = self
            .config
            .tenant(originator_id, endpoint_id)
            .ok_or_else(|| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    FunctionalCode::NoValidOriginatorOrEndpoint,
                    "No tenant can be found for this originatorId and endPointId",
                )
            })?;
        if !client.may_use(originator_id, endpoint_id) {
            return Err(refuse(
                StatusCode::FORBIDDEN,
                FunctionalCode::Forbidden,
                "These credentials are not authorised for this originatorId and endPointId",
            ));
        }
        Ok(tenant)
    }

    pub(crate) fn create(
        &self,
        connection: &Connection,
        headers: &HeaderMap,
        originator_id: &str,
        endpoint_id: &str,
        body: &[u8],
    ) -> Answer {
        let tenant = match self.admit(connection, headers, originator_id, endpoint_id) {
            Ok(t) => t,
            Err(answer) => return *answer,
        };
        let is_json = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/json"));
        if !is_json {
            return problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                FunctionalCode::ValidationError,
                "A PaymentRequest is sent as application/json",
            );
        }
        let de = &mut serde_json::Deserializer::from_slice(body);
        let request: PaymentRequest = match serde_path_to_error::deserialize(de) {
            Ok(r) => r,
            Err(e) => {
                let path = dotted(e.path());
                return problem(
                    StatusCode::BAD_REQUEST,
                    FunctionalCode::ValidationError,
                    &format!("{path} {}", e.into_inner()),
                );
            }
        };
        if let Err(violations) = request.check() {
            return problem(
                StatusCode::BAD_REQUEST,
                violations.code(),
                &violations.to_string(),
            );
        }
        let missing: Vec<String> = request
            .items
            .iter()
            .enumerate()
            .flat_map(|(i, item)| {
                tenant
                    .required_booking_data
                    .iter()
                    .filter(|k| {
                        item.booking_data
                            .get(*k)
                            .is_none_or(|v| v.trim().is_empty())
                    })
                    .map(move |k| format!("items.{i}.bookingData lacks {k}"))
            })
            .collect();
        if !missing.is_empty() {
            return problem(
                StatusCode::BAD_REQUEST,
                FunctionalCode::BookingDataMissing,
                &missing.join(". "),
            );
        }
        let created = lock(&self.ledger).create(originator_id, endpoint_id, request);
        match created {
            Ok((id, record, new)) => {
                if new {
                    tracing::info!(transaction = %id, request = %record.request.request_id, gross = %record.request.gros_amount, "transaction created");
                }
                self.transaction_answer(connection, &id, &record)
            }
            Err(LedgerError::Exists { .. }) => problem(
                StatusCode::CONFLICT,
                FunctionalCode::PaymentExists,
                "A different PaymentRequest with this requestId was placed already",
            ),
            Err(e) => {
                tracing::error!(error = %e, "transaction could not be kept");
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    FunctionalCode::Unspecified,
                    "The transaction could not be stored",
                )
            }
        }
    }

    pub(crate) fn pull(
        &self,
        connection: &Connection,
        headers: &HeaderMap,
        originator_id: &str,
        endpoint_id: &str,
        transaction_id: &str,
    ) -> Answer {
        if let Err(answer) = self.admit(connection, headers, originator_id, endpoint_id) {
            return *answer;
        }
        let record = lock(&self.ledger)
            .get(transaction_id)
            .filter(|r| r.originator_id == originator_id && r.endpoint_id == endpoint_id)
            .cloned();
        match record {
            Some(r) => self.transaction_answer(connection, transaction_id, &r),
            None => problem(
                StatusCode::NOT_FOUND,
                FunctionalCode::Unspecified,
                "There is no transaction with this transactionId for this originatorId and endPointId",
            ),
        }
    }

    pub(crate) fn service_status(
        &self,
        connection: &Connection,
        headers: &HeaderMap,
        originator_id: &str,
        endpoint_id: &str,
    ) -> Answer {
        if let Err(answer) = self.admit(connection, headers, originator_id, endpoint_id) {
            return *answer;
        }
        let ok = Problem {
            kind: Some("about:blank".into()),
            status: Some(200),
            title: Some("OK".into()),
            detail: Some("The payment platform serves this originatorId and endPointId".into()),
            functional_code: None,
        };
        json(StatusCode::OK, "application/problem+json", &ok)
    }

    /// The transaction as the API returns it, with the URLs of where it is served.
    fn transaction_answer(&self, connection: &Connection, id: &str, record: &Record) -> Answer {
        let mut info = record.information.clone();
        info.transaction_url = Some(
            connection
                .base
                .join(&format!(
                    "paymenttransaction/{}/{}/{id}",
                    record.originator_id, record.endpoint_id
                ))
                .expect("ids of the standard's class make a path")
                .to_string(),
        );
        if info.status == PaymentStatus::Initial {
            info.transaction_redirect_url = Some(self.pay_url(id).to_string());
        }
        let transaction = PaymentTransaction {
            payment_information: info,
            payment_request: Some(
                serde_json::to_value(&record.request).expect("a payment request serialises"),
            ),
        };
        json(StatusCode::OK, "application/json", &transaction)
    }
}

fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (s, rest) = value.split_once(' ')?;
    s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let encoded = strip_scheme(value, "Basic")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}

/// A serde path as the standard's detail may spell it: `items.0.totalNetAmount`.
fn dotted(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let parts: Vec<String> = path
        .iter()
        .map(|s| match s {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } => key.clone(),
            Segment::Enum { variant } => variant.clone(),
            Segment::Unknown => "?".into(),
        })
        .collect();
    if parts.is_empty() {
        "body".into()
    } else {
        parts.join(".")
    }
}

fn oauth_error(status: StatusCode, error: &'static str) -> Answer {
    let mut r = json(
        status,
        "application/json",
        &serde_json::json!({ "error": error }),
    );
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"payment-platform\""),
        );
    }
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
