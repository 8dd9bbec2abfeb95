//! Sending the report by SMTP: always STARTTLS (never a plaintext session: the mail names
//! references, and the password goes over it), AUTH when a user is set, settings from the
//! environment (names below, documented in docs/backoffice.md). lettre writes the message — a
//! `multipart/alternative` with the text and the HTML part — and talks SMTP over rustls.
//!
//! | variable | |
//! |---|---|
//! | `FORMFABRIK_SMTP_HOST` | the relay (`email-smtp.eu-central-1.amazonaws.com` for SES) |
//! | `FORMFABRIK_SMTP_PORT` | default 587 (submission with STARTTLS) |
//! | `FORMFABRIK_SMTP_USER`, `FORMFABRIK_SMTP_PASSWORD` | AUTH (PLAIN or LOGIN); both or neither |
//! | `FORMFABRIK_SMTP_FROM` | sender, `Formfabrik <formfabrik@musterstadt.de>` |
//! | `FORMFABRIK_SMTP_TO` | recipients, separated by commas |
//! | `FORMFABRIK_SMTP_CA_FILE` | optional: a PEM CA certificate to trust besides the system's (an internal relay) |

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use thiserror::Error;

use super::Rendered;

/// The environment variables the settings come from.
pub const HOST: &str = "FORMFABRIK_SMTP_HOST";
pub const PORT: &str = "FORMFABRIK_SMTP_PORT";
pub const USER: &str = "FORMFABRIK_SMTP_USER";
pub const PASSWORD: &str = "FORMFABRIK_SMTP_PASSWORD";
pub const FROM: &str = "FORMFABRIK_SMTP_FROM";
pub const TO: &str = "FORMFABRIK_SMTP_TO";
pub const CA_FILE: &str = "FORMFABRIK_SMTP_CA_FILE";

/// The submission port: SMTP with STARTTLS (RFC 6409), what SES and most relays offer.
pub const DEFAULT_PORT: u16 = 587;

#[derive(Debug, Error)]
pub enum MailError {
    #[error(
        "{0} is not set (the report's mail settings come from the environment, see docs/backoffice.md)"
    )]
    Missing(&'static str),
    #[error("{name}={value:?}: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
    #[error("{USER} and {PASSWORD} go together: set both or neither")]
    HalfCredentials,
    #[error("{CA_FILE}={}: {reason}", path.display())]
    CaFile { path: PathBuf, reason: String },
    #[error("the mail cannot be written: {0}")]
    Message(String),
    #[error("sending the report to {host}:{port} failed: {reason}")]
    Send {
        host: String,
        port: u16,
        reason: String,
    },
}

/// Where and how the report is sent.
#[derive(Clone)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    /// User and password for AUTH.
    pub credentials: Option<(String, String)>,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    /// A CA certificate (its file, and its PEM) trusted besides the system's roots.
    pub ca: Option<(PathBuf, Vec<u8>)>,
}

impl std::fmt::Debug for Settings {
    // Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("from", &self.from)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// The settings from the environment, read through `var` (`std::env::var` in the
    /// command; tests pass their own, since tests share the process's environment).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Settings, MailError> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let host = var(HOST).ok_or(MailError::Missing(HOST))?;
        let port = match var(PORT) {
            None => DEFAULT_PORT,
            Some(v) => {
                v.trim()
                    .parse()
                    .map_err(|e: std::num::ParseIntError| MailError::Invalid {
                        name: PORT,
                        value: v.clone(),
                        reason: e.to_string(),
                    })?
            }
        };
        let credentials = match (var(USER), var(PASSWORD)) {
            (Some(u), Some(p)) => Some((u, p)),
            (None, None) => None,
            _ => return Err(MailError::HalfCredentials),
        };
        let mailbox = |name: &'static str, v: &str| {
            v.trim().parse::<Mailbox>().map_err(|e| MailError::Invalid {
                name,
                value: v.to_string(),
                reason: e.to_string(),
            })
        };
        let from = mailbox(FROM, &var(FROM).ok_or(MailError::Missing(FROM))?)?;
        let to = var(TO)
            .ok_or(MailError::Missing(TO))?
            .split(',')
            .filter(|a| !a.trim().is_empty())
            .map(|a| mailbox(TO, a))
            .collect::<Result<Vec<_>, _>>()?;
        if to.is_empty() {
            return Err(MailError::Missing(TO));
        }
        let ca = match var(CA_FILE) {
            None => None,
            Some(path) => {
                let path = PathBuf::from(path);
                let pem = std::fs::read(&path).map_err(|e| MailError::CaFile {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
                Some((path, pem))
            }
        };
        Ok(Settings {
            host,
            port,
            credentials,
            from,
            to,
            ca,
        })
    }
}

/// The report as a mail: subject, a text and an HTML alternative.
pub fn message(settings: &Settings, report: &Rendered) -> Result<Message, MailError> {
    let mut builder = Message::builder()
        .from(settings.from.clone())
        .subject(report.subject.clone());
    for to in &settings.to {
        builder = builder.to(to.clone());
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            report.text.clone(),
            report.html.clone(),
        ))
        .map_err(|e| MailError::Message(e.to_string()))
}

/// Sends the report; returns once the relay accepted it.
pub async fn send(settings: &Settings, report: &Rendered) -> Result<(), MailError> {
    let failed = |reason: String| MailError::Send {
        host: settings.host.clone(),
        port: settings.port,
        reason,
    };
    let mut tls = TlsParameters::builder(settings.host.clone());
    if let Some((path, pem)) = &settings.ca {
        let certificate = Certificate::from_pem(pem).map_err(|e| MailError::CaFile {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        tls = tls.add_root_certificate(certificate);
    }
    let tls = tls.build_rustls().map_err(|e| failed(e.to_string()))?;
    let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
        .port(settings.port)
        .tls(Tls::Required(tls))
        .timeout(Some(Duration::from_secs(60)));
    if let Some((user, password)) = &settings.credentials {
        transport = transport.credentials(Credentials::new(user.clone(), password.clone()));
    }
    let message = message(settings, report)?;
    transport
        .build()
        .send(message)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(())
}
