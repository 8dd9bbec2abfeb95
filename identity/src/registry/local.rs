//! A local registry service: the JSON protocol of [`super`] over a YAML file of test residents,
//! on 127.0.0.1. Tests start it as a library; `formfabrik serve` starts it next to the test
//! OpenID provider so a process designer can try the look-up.
//!
//! Residents match when family name, given names and birth date are equal; names compare
//! case-insensitively after Unicode normalisation (the ID card's chip has names in capitals).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use thiserror::Error;
use time::Date;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use unicode_normalization::UnicodeNormalization;

use super::{LookUp, LookUpRequest, ResidentQuery, iso_date};
use crate::claims::Address;

/// The residents file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Residents {
    pub municipality: RegistryMunicipality,
    pub residents: Vec<Resident>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RegistryMunicipality {
    /// Amtlicher Gemeindeschlüssel.
    pub ags: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Resident {
    pub family_name: String,
    pub given_names: String,
    #[serde(with = "iso_date")]
    pub birth_date: Date,
    pub address: Address,
    #[serde(default, with = "iso_date::option")]
    pub registered_since: Option<Date>,
}

/// Why a residents file cannot be used.
#[derive(Debug, Error)]
pub enum ResidentsError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Residents {
    /// Reads a residents file; mistakes are reported with line and column.
    pub fn load(path: &Path) -> Result<Self, ResidentsError> {
        let text = std::fs::read_to_string(path).map_err(|e| ResidentsError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Reads residents from `text`; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, ResidentsError> {
        serde_yaml::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            // serde_yaml ends its message with the position, which the error leads with.
            let message = e.to_string();
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            ResidentsError::Parse {
                path: path.to_string(),
                line,
                column,
                message,
            }
        })
    }

    /// The registry's answer for `query`.
    pub fn look_up(&self, query: &ResidentQuery) -> LookUp {
        let family = normalise(&query.family_name);
        let given = normalise(&query.given_names);
        let matches: Vec<&Resident> = self
            .residents
            .iter()
            .filter(|r| {
                r.birth_date == query.birth_date
                    && normalise(&r.family_name) == family
                    && normalise(&r.given_names) == given
            })
            .collect();
        match matches.as_slice() {
            [] => LookUp::NotFound,
            [one] => LookUp::Found {
                address: one.address.clone(),
                registered_since: one.registered_since,
            },
            _ => LookUp::Ambiguous,
        }
    }
}

fn normalise(name: &str) -> String {
    name.nfc()
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Told of every look-up the service answered (`formfabrik serve` prints it, so a designer and
/// the browser tests can see whether the registry was asked).
pub type Observer = Arc<dyn Fn(&ResidentQuery, &LookUp) + Send + Sync>;

/// A running local registry service.
pub struct RunningRegistry {
    url: String,
    look_ups: Arc<std::sync::atomic::AtomicUsize>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningRegistry {
    /// The base URL for [`super::http::HttpRegistry::new`].
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many look-ups the service has answered.
    pub fn look_ups(&self) -> usize {
        self.look_ups.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Stops accepting requests and waits for the server task.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningRegistry {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts the registry service for `residents` on `addr` (`127.0.0.1:0` picks a free port),
/// answering requests that carry `token`.
pub async fn start(
    residents: Residents,
    token: SecretString,
    addr: SocketAddr,
) -> std::io::Result<RunningRegistry> {
    start_observed(residents, token, addr, None).await
}

/// [`start`], telling `observer` of every look-up answered.
pub async fn start_observed(
    residents: Residents,
    token: SecretString,
    addr: SocketAddr,
    observer: Option<Observer>,
) -> std::io::Result<RunningRegistry> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let look_ups = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let state = Arc::new(State {
        residents,
        token,
        look_ups: look_ups.clone(),
        observer,
    });
    let (tx, mut rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut rx => break,
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let state = state.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |req| {
                            let state = state.clone();
                            async move { Ok::<_, std::convert::Infallible>(answer(&state, req).await) }
                        });
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        }
    });
    Ok(RunningRegistry {
        url: format!("http://{local}/"),
        look_ups,
        shutdown: Some(tx),
        task: Some(task),
    })
}

struct State {
    residents: Residents,
    token: SecretString,
    look_ups: Arc<std::sync::atomic::AtomicUsize>,
    observer: Option<Observer>,
}

async fn answer(state: &State, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (residents, token) = (&state.residents, &state.token);
    if req.uri().path() != "/v1/look-up" {
        return json(StatusCode::NOT_FOUND, r#"{"error":"not found"}"#.into());
    }
    if req.method() != Method::POST {
        return json(
            StatusCode::METHOD_NOT_ALLOWED,
            r#"{"error":"use POST"}"#.into(),
        );
    }
    let expected = format!("Bearer {}", token.expose_secret());
    let authorised = req.headers().get(header::AUTHORIZATION).is_some_and(|v| {
        aws_lc_rs::constant_time::verify_slices_are_equal(v.as_bytes(), expected.as_bytes()).is_ok()
    });
    if !authorised {
        let mut response = json(
            StatusCode::UNAUTHORIZED,
            r#"{"error":"missing or wrong bearer token"}"#.into(),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
        return response;
    }
    let body = match Limited::new(req.into_body(), 16 * 1024).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return json(
                StatusCode::PAYLOAD_TOO_LARGE,
                r#"{"error":"request too large"}"#.into(),
            );
        }
    };
    let request: LookUpRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error": e.to_string() }).to_string(),
            );
        }
    };
    let result = residents.look_up(&request.query);
    state
        .look_ups
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    if let Some(observer) = &state.observer {
        observer(&request.query, &result);
    }
    json(
        StatusCode::OK,
        serde_json::to_string(&result).expect("answers serialise"),
    )
}

fn json(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Full::new(Bytes::from(body)))
        .expect("static response parts")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const FILE: &str = r#"
municipality: { ags: "06531019", name: Stadt Musterstadt }
residents:
  - family-name: Mustermann
    given-names: Erika
    birth-date: 1964-08-12
    address: { street: Lindenweg, house-number: "7", postcode: "35399", city: Musterstadt }
    registered-since: 2025-03-01
  - family-name: Schmidt
    given-names: Anna
    birth-date: 1990-01-01
    address: { street: Am Markt, house-number: "1", postcode: "35399", city: Musterstadt }
  - family-name: Schmidt
    given-names: Anna
    birth-date: 1990-01-01
    address: { street: Am Markt, house-number: "3", postcode: "35399", city: Musterstadt }
"#;

    fn query(family: &str, given: &str, birth: Date) -> ResidentQuery {
        ResidentQuery {
            family_name: family.into(),
            given_names: given.into(),
            birth_date: birth,
        }
    }

    #[test]
    fn a_resident_is_found_by_name_and_birth_date_in_any_case() {
        let r = Residents::parse(FILE, "residents.yaml").unwrap();
        let found = r.look_up(&query("MUSTERMANN", " Erika ", date!(1964 - 08 - 12)));
        assert!(
            matches!(&found, LookUp::Found { address, registered_since: Some(d) }
                if address.street == "Lindenweg" && *d == date!(2025 - 03 - 01)),
            "{found:?}"
        );
        assert_eq!(
            r.look_up(&query("Mustermann", "Erika", date!(1964 - 08 - 13))),
            LookUp::NotFound
        );
    }

    #[test]
    fn two_matching_residents_disclose_nothing() {
        let r = Residents::parse(FILE, "residents.yaml").unwrap();
        assert_eq!(
            r.look_up(&query("Schmidt", "Anna", date!(1990 - 01 - 01))),
            LookUp::Ambiguous
        );
    }

    #[test]
    fn a_mistake_in_the_residents_file_is_reported_with_line_and_column() {
        let bad = FILE.replace(
            "registered-since: 2025-03-01",
            "registerd-since: 2025-03-01",
        );
        let err = Residents::parse(&bad, "residents.yaml").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("residents.yaml:8:5: "), "{text}");
        assert!(!text.contains(" at line "), "position given twice: {text}");
        assert!(text.contains("registerd-since"), "{text}");
    }
}
