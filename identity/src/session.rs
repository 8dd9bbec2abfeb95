//! The sign-in's state between requests, kept by the browser and not by the function: there
//! is no session store and no account database.
//!
//! - **Flow cookie** (`ff-flow`, 10 minutes, `SameSite=Lax`): state, nonce, PKCE verifier and
//!   return target between "Mit BundID anmelden" and the provider's redirect back. Lax, because
//!   that redirect is a cross-site top-level navigation and a Strict cookie would not come back
//!   with it; it holds no identity.
//! - **Session cookie** (`ff-session`, 30 minutes, `SameSite=Strict`): the verified identity,
//!   sent with the page's own requests (prefill, drafts, submission), never with a request
//!   another site starts.
//! - **Prefill answer** (5 minutes): the answers the page script fills in, signed (readable by
//!   the page) so that the function recognises it as its own.
//!
//! All three are sealed or signed by [`crate::seal::Sealer`] for a purpose that includes the
//! municipality, so a cookie of one municipality never opens at another, and a flow cookie
//! never passes as a session. Both cookies are `HttpOnly` and `Secure` (`__Secure-` names), and
//! scoped to the municipality's function path. Expiry is checked inside the token; the
//! cookie's `Max-Age` only tidies the browser.

use std::collections::BTreeMap;
use std::sync::Arc;

use http::{HeaderMap, HeaderValue, header};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;
use time::{Date, Duration, OffsetDateTime};

use crate::claims::{Address, TrustLevel, VerifiedIdentity};
use crate::clock::Clock;
use crate::return_to::ReturnTarget;
use crate::seal::{Opened, SealError, Sealer};

/// Browsers keep cookies up to 4096 bytes, name and attributes included.
const MAX_COOKIE: usize = 4000;

/// What the flow cookie carries from the start of a sign-in to the provider's redirect back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FlowState {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: ReturnTarget,
    /// The level the form requires; lower levels are refused at the callback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<TrustLevel>,
    /// What the caller wants back after the callback (form id, language).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, String>,
}

/// What the session cookie carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IdentitySession {
    pub identity: VerifiedIdentity,
}

/// The answers a form page is prefilled with after sign-in, and which of them the citizen
/// cannot change (the form requires a trust level).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PrefillAnswer {
    pub form: String,
    pub answers: Map<String, Value>,
    #[serde(default)]
    pub locked: Vec<String>,
    pub trust_level: TrustLevel,
}

/// What the municipality's resident registry answered for a signed-in citizen who agreed to
/// the look-up (the registry cookie, `ff-registry`): sealed, so the function can tell at the
/// submission that a registry-sourced answer is what the registry said, for this person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RegistryStatement {
    /// The session's person: the provider and its subject.
    pub provider: String,
    pub subject: String,
    pub address: Address,
    #[serde(
        default,
        with = "crate::registry::iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub registered_since: Option<Date>,
    #[serde(with = "time::serde::rfc3339")]
    pub consent_given_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub looked_up_at: OffsetDateTime,
}

impl RegistryStatement {
    /// Whether the statement is about `identity`'s person.
    pub fn is_about(&self, identity: &VerifiedIdentity) -> bool {
        self.provider == identity.provider && self.subject == identity.subject
    }
}

/// Why a cookie or token was refused.
#[derive(Debug, Error, PartialEq)]
pub enum SessionError {
    #[error("no {cookie} cookie was sent (signed out, expired, or cookies blocked)")]
    Missing { cookie: &'static str },
    #[error("the {cookie} cookie was refused: {source}")]
    Refused {
        cookie: &'static str,
        #[source]
        source: SealError,
    },
    #[error("the {what} would be {bytes} bytes, more than a browser keeps ({MAX_COOKIE})")]
    TooLarge { what: &'static str, bytes: usize },
    #[error("cookie path \"{path}\" must start with / and hold no spaces, `;` or `,`")]
    BadPath { path: String },
    #[error("the {what} cannot be written: {source}")]
    Seal {
        what: &'static str,
        #[source]
        source: SealError,
    },
}

/// How cookies are set. `secure: false` is for `formfabrik serve` on `http://127.0.0.1` only.
#[derive(Debug, Clone, PartialEq)]
pub struct CookieSettings {
    path: String,
    secure: bool,
}

impl CookieSettings {
    /// Cookies for `path`, the municipality's part of the function (`/v1/musterstadt/`).
    pub fn new(path: &str, secure: bool) -> Result<Self, SessionError> {
        let ok = path.starts_with('/')
            && path
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b';' && b != b',');
        if !ok {
            return Err(SessionError::BadPath {
                path: path.to_string(),
            });
        }
        Ok(CookieSettings {
            path: path.to_string(),
            secure,
        })
    }
}

/// Issues and reads the flow and session cookies and prefill tokens of one municipality.
pub struct Sessions {
    sealer: Arc<Sealer>,
    clock: Arc<dyn Clock>,
    scope: String,
    cookies: CookieSettings,
    pub flow_ttl: Duration,
    pub session_ttl: Duration,
    pub prefill_ttl: Duration,
}

impl Sessions {
    /// `scope` names the municipality; tokens of one scope never open in another.
    pub fn new(
        sealer: Arc<Sealer>,
        clock: Arc<dyn Clock>,
        scope: impl Into<String>,
        cookies: CookieSettings,
    ) -> Self {
        Sessions {
            sealer,
            clock,
            scope: scope.into(),
            cookies,
            flow_ttl: Duration::minutes(10),
            session_ttl: Duration::minutes(30),
            prefill_ttl: Duration::minutes(5),
        }
    }

    /// The time by this scope's clock (a registry look-up's consent and answer times).
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// The flow cookie's name.
    pub fn flow_cookie_name(&self) -> &'static str {
        if self.cookies.secure {
            "__Secure-ff-flow"
        } else {
            "ff-flow"
        }
    }

    /// The registry cookie's name.
    pub fn registry_cookie_name(&self) -> &'static str {
        if self.cookies.secure {
            "__Secure-ff-registry"
        } else {
            "ff-registry"
        }
    }

    /// The session cookie's name.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.cookies.secure {
            "__Secure-ff-session"
        } else {
            "ff-session"
        }
    }

    fn purpose(&self, what: &str) -> String {
        format!("{what}:{}", self.scope)
    }

    /// `Set-Cookie` for a new sign-in's flow state.
    pub fn flow_cookie(&self, flow: &FlowState) -> Result<HeaderValue, SessionError> {
        self.issue(Cookie::Flow, flow)
    }

    /// The flow state of the request's flow cookie.
    pub fn flow(&self, headers: &HeaderMap) -> Result<FlowState, SessionError> {
        self.read(Cookie::Flow, headers).map(|o| o.value)
    }

    /// `Set-Cookie` that removes the flow cookie (after the callback, used or not).
    pub fn clear_flow_cookie(&self) -> HeaderValue {
        self.clear(Cookie::Flow)
    }

    /// `Set-Cookie` for the session of a verified identity.
    pub fn session_cookie(&self, identity: &VerifiedIdentity) -> Result<HeaderValue, SessionError> {
        self.issue(
            Cookie::Session,
            &IdentitySession {
                identity: identity.clone(),
            },
        )
    }

    /// The session of the request's session cookie, with when it was made and expires.
    pub fn session(&self, headers: &HeaderMap) -> Result<Opened<IdentitySession>, SessionError> {
        self.read(Cookie::Session, headers)
    }

    /// `Set-Cookie` that ends the session (sign-out, after a submission).
    pub fn clear_session_cookie(&self) -> HeaderValue {
        self.clear(Cookie::Session)
    }

    /// `Set-Cookie` for what the registry answered (as long as a session lives).
    pub fn registry_cookie(
        &self,
        statement: &RegistryStatement,
    ) -> Result<HeaderValue, SessionError> {
        self.issue(Cookie::Registry, statement)
    }

    /// The registry statement of the request's registry cookie.
    pub fn registry_statement(
        &self,
        headers: &HeaderMap,
    ) -> Result<RegistryStatement, SessionError> {
        self.read(Cookie::Registry, headers).map(|o| o.value)
    }

    /// `Set-Cookie` that removes the registry cookie (sign-out, after a submission).
    pub fn clear_registry_cookie(&self) -> HeaderValue {
        self.clear(Cookie::Registry)
    }

    /// A signed prefill answer for the page script.
    pub fn prefill_token(&self, answer: &PrefillAnswer) -> Result<String, SessionError> {
        self.sealer
            .sign(
                &self.purpose("prefill"),
                answer,
                self.clock.now(),
                self.prefill_ttl,
            )
            .map_err(|source| SessionError::Seal {
                what: "prefill answer",
                source,
            })
    }

    /// The prefill answer of a token made by [`Sessions::prefill_token`], if still valid.
    pub fn prefill(&self, token: &str) -> Result<PrefillAnswer, SessionError> {
        self.sealer
            .verify(&self.purpose("prefill"), token, self.clock.now())
            .map(|o: Opened<PrefillAnswer>| o.value)
            .map_err(|source| SessionError::Refused {
                cookie: "prefill",
                source,
            })
    }

    /// The key ring, clock and municipality the drafts of this scope use ([`crate::draft`]).
    pub(crate) fn parts(&self) -> (&Sealer, &dyn Clock, &str) {
        (&self.sealer, self.clock.as_ref(), &self.scope)
    }

    fn name(&self, cookie: Cookie) -> &'static str {
        match cookie {
            Cookie::Flow => self.flow_cookie_name(),
            Cookie::Session => self.session_cookie_name(),
            Cookie::Registry => self.registry_cookie_name(),
        }
    }

    fn ttl(&self, cookie: Cookie) -> Duration {
        match cookie {
            Cookie::Flow => self.flow_ttl,
            Cookie::Session | Cookie::Registry => self.session_ttl,
        }
    }

    /// `Set-Cookie` with `value` sealed for `cookie`'s purpose and lifetime.
    fn issue<T: Serialize>(&self, cookie: Cookie, value: &T) -> Result<HeaderValue, SessionError> {
        let what = cookie.what();
        let ttl = self.ttl(cookie);
        let sealed = self
            .sealer
            .seal(
                &self.purpose(cookie.purpose()),
                value,
                self.clock.now(),
                ttl,
            )
            .map_err(|source| SessionError::Seal { what, source })?;
        let text = format!(
            "{}={sealed}; Path={}; Max-Age={}; HttpOnly; SameSite={}{}",
            self.name(cookie),
            self.cookies.path,
            ttl.whole_seconds(),
            cookie.same_site(),
            if self.cookies.secure { "; Secure" } else { "" }
        );
        if text.len() > MAX_COOKIE {
            return Err(SessionError::TooLarge {
                what,
                bytes: text.len(),
            });
        }
        Ok(HeaderValue::from_str(&text).expect("sealed values and paths are header-safe"))
    }

    /// The value sealed in the request's `cookie`.
    fn read<T: DeserializeOwned>(
        &self,
        cookie: Cookie,
        headers: &HeaderMap,
    ) -> Result<Opened<T>, SessionError> {
        let name = self.name(cookie);
        let value = self::cookie(headers, name).ok_or(SessionError::Missing { cookie: name })?;
        self.sealer
            .open(&self.purpose(cookie.purpose()), &value, self.clock.now())
            .map_err(|source| SessionError::Refused {
                cookie: name,
                source,
            })
    }

    fn clear(&self, cookie: Cookie) -> HeaderValue {
        let text = format!(
            "{}=; Path={}; Max-Age=0; HttpOnly; SameSite={}{}",
            self.name(cookie),
            self.cookies.path,
            cookie.same_site(),
            if self.cookies.secure { "; Secure" } else { "" }
        );
        HeaderValue::from_str(&text).expect("paths are header-safe")
    }
}

/// The three cookies.
#[derive(Debug, Clone, Copy)]
enum Cookie {
    Flow,
    Session,
    Registry,
}

impl Cookie {
    fn purpose(self) -> &'static str {
        match self {
            Cookie::Flow => "flow",
            Cookie::Session => "session",
            Cookie::Registry => "registry",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Cookie::Flow => "flow cookie",
            Cookie::Session => "session cookie",
            Cookie::Registry => "registry cookie",
        }
    }

    /// Lax for the flow: the provider's redirect back is a cross-site navigation.
    fn same_site(self) -> &'static str {
        match self {
            Cookie::Flow => "Lax",
            Cookie::Session | Cookie::Registry => "Strict",
        }
    }
}

/// The value of cookie `name` in the request's `Cookie` headers (the first, when several are
/// sent: browsers send the one with the longest path first).
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{Address, BirthDate};
    use crate::clock::FixedClock;
    use crate::return_to::ReturnPolicy;
    use crate::seal::KeyRing;
    use time::OffsetDateTime;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-28 10:00 UTC);

    fn identity() -> VerifiedIdentity {
        VerifiedIdentity {
            given_names: "Max Erich".into(),
            family_name: "Mustermann".into(),
            birth_date: Some(BirthDate::Full(date!(1988 - 02 - 29))),
            address: Some(Address {
                street: "Lindenweg".into(),
                house_number: "4a".into(),
                postcode: "35399".into(),
                city: "Musterstadt".into(),
                country: Some("DE".into()),
            }),
            email: Some("max.mustermann@example.org".into()),
            email_verified: true,
            bpk2: "TWF4TXVzdGVybWFubjE5ODgwMjI5TXVzdGVyc3RhZHQ=".into(),
            trust_level: TrustLevel::Substantial,
            trust_level_claim: "STORK-QAA-Level-3".into(),
            provider: "https://id.musterstadt.example/realms/bundid".into(),
            subject: "0b5e7a4c-1d2f-4a3b-9c8d-7e6f5a4b3c2d".into(),
            authenticated_at: NOW,
            verified_at: NOW,
        }
    }

    fn sessions_at(sealer: &Arc<Sealer>, scope: &str, now: OffsetDateTime) -> Sessions {
        Sessions::new(
            sealer.clone(),
            Arc::new(FixedClock(now)),
            scope,
            CookieSettings::new(&format!("/v1/{scope}/"), true).unwrap(),
        )
    }

    fn sealer() -> Arc<Sealer> {
        Arc::new(Sealer::new(KeyRing::generate("k1").unwrap()))
    }

    fn request_with(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie.to_str().unwrap().split(';').next().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {pair}; last=2")).unwrap(),
        );
        headers
    }

    fn flow() -> FlowState {
        FlowState {
            state: "s".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: ReturnPolicy::new("https://formulare.musterstadt.example", ["f/"])
                .unwrap()
                .check("/f/")
                .unwrap(),
            required: Some(TrustLevel::Substantial),
            context: BTreeMap::new(),
        }
    }

    #[test]
    fn cookies_are_http_only_secure_scoped_and_same_site() {
        let sealer = sealer();
        let s = sessions_at(&sealer, "musterstadt", NOW);
        let flow = s.flow_cookie(&flow()).unwrap();
        let flow = flow.to_str().unwrap();
        assert!(flow.starts_with("__Secure-ff-flow=1.k1."), "{flow}");
        assert!(
            flow.ends_with("; Path=/v1/musterstadt/; Max-Age=600; HttpOnly; SameSite=Lax; Secure"),
            "{flow}"
        );
        let session = s.session_cookie(&identity()).unwrap();
        let session = session.to_str().unwrap();
        assert!(
            session.ends_with(
                "; Path=/v1/musterstadt/; Max-Age=1800; HttpOnly; SameSite=Strict; Secure"
            ),
            "{session}"
        );
        assert!(!session.contains("Mustermann"));
        assert!(
            s.clear_session_cookie()
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
    }

    #[test]
    fn a_session_cookie_reads_back_until_it_expires() {
        let sealer = sealer();
        let set = sessions_at(&sealer, "musterstadt", NOW)
            .session_cookie(&identity())
            .unwrap();
        let headers = request_with(&set);
        let later = sessions_at(&sealer, "musterstadt", NOW + Duration::minutes(29));
        assert_eq!(later.session(&headers).unwrap().value.identity, identity());
        let expired = sessions_at(&sealer, "musterstadt", NOW + Duration::minutes(30));
        assert_eq!(
            expired.session(&headers),
            Err(SessionError::Refused {
                cookie: "__Secure-ff-session",
                source: SealError::Expired {
                    expired_at: NOW + Duration::minutes(30)
                }
            })
        );
    }

    #[test]
    fn a_cookie_of_another_municipality_or_purpose_is_refused() {
        let sealer = sealer();
        let musterstadt = sessions_at(&sealer, "musterstadt", NOW);
        let set = musterstadt.session_cookie(&identity()).unwrap();
        let neustadt = sessions_at(&sealer, "neustadt-am-see", NOW);
        assert!(matches!(
            neustadt.session(&request_with(&set)),
            Err(SessionError::Refused {
                source: SealError::Forged,
                ..
            })
        ));
        // A flow cookie's value presented as the session cookie.
        let flow = musterstadt.flow_cookie(&flow()).unwrap();
        let value = flow.to_str().unwrap().split(';').next().unwrap();
        let value = value.split_once('=').unwrap().1;
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("__Secure-ff-session={value}")).unwrap(),
        );
        assert!(matches!(
            musterstadt.session(&headers),
            Err(SessionError::Refused {
                source: SealError::Forged,
                ..
            })
        ));
    }

    #[test]
    fn no_cookie_is_a_missing_session() {
        let s = sessions_at(&sealer(), "musterstadt", NOW);
        assert_eq!(
            s.session(&HeaderMap::new()),
            Err(SessionError::Missing {
                cookie: "__Secure-ff-session"
            })
        );
    }

    #[test]
    fn a_prefill_answer_verifies_for_five_minutes() {
        let sealer = sealer();
        let s = sessions_at(&sealer, "musterstadt", NOW);
        let answer = PrefillAnswer {
            form: "meldebescheinigung".into(),
            answers: serde_json::json!({"vorname": "Max Erich"})
                .as_object()
                .unwrap()
                .clone(),
            locked: vec!["vorname".into()],
            trust_level: TrustLevel::Substantial,
        };
        let token = s.prefill_token(&answer).unwrap();
        assert_eq!(s.prefill(&token).unwrap(), answer);
        let late = sessions_at(&sealer, "musterstadt", NOW + Duration::minutes(5));
        assert!(matches!(
            late.prefill(&token),
            Err(SessionError::Refused {
                source: SealError::Expired { .. },
                ..
            })
        ));
    }

    #[test]
    fn local_http_cookies_have_plain_names_and_no_secure_flag() {
        let s = Sessions::new(
            sealer(),
            Arc::new(FixedClock(NOW)),
            "musterstadt",
            CookieSettings::new("/v1/musterstadt/", false).unwrap(),
        );
        let set = s.session_cookie(&identity()).unwrap();
        let set = set.to_str().unwrap();
        assert!(set.starts_with("ff-session="), "{set}");
        assert!(!set.contains("Secure"));
    }

    #[test]
    fn a_cookie_path_that_could_smuggle_attributes_is_refused() {
        for bad in [
            "v1/m/",
            "/v1/m/; Domain=evil.example",
            "/v1/m /",
            "/v1/\n/",
            "",
        ] {
            assert!(
                matches!(
                    CookieSettings::new(bad, true),
                    Err(SessionError::BadPath { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn cookie_values_are_found_among_several_headers() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; b=2"));
        headers.append(header::COOKIE, HeaderValue::from_static("c=\"3\""));
        assert_eq!(cookie(&headers, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&headers, "c").as_deref(), Some("3"));
        assert_eq!(cookie(&headers, "d"), None);
    }
}
