//! Where the citizen goes after signing in (or cancelling): only back to a page of the
//! municipality's own site that Formfabrik published, never anywhere a link says.
//!
//! A return URL from a query string is attacker-controlled. Instead of trying to recognise
//! every trick (`//evil`, `/\evil`, `https:evil`, userinfo, encoded slashes, dot segments,
//! control characters, look-alike hosts), the check is an allowlist: the candidate must be on
//! the site's origin and name exactly one of the known pages, and the result is rebuilt from
//! the configured site URL and that known path, so nothing of the input survives except the
//! choice among known pages.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use url::Url;

/// Longest return URL considered at all.
const MAX_LEN: usize = 2048;

/// Why a return URL was refused.
#[derive(Debug, Error, PartialEq)]
pub enum ReturnError {
    #[error("the return URL is empty")]
    Empty,
    #[error("the return URL is longer than {MAX_LEN} characters")]
    TooLong,
    #[error("the return URL contains a control character, white space or a backslash")]
    ForbiddenCharacter,
    #[error("the return URL contains percent-encoding, which no Formfabrik page needs")]
    Encoded,
    #[error("the return URL contains a `.` or `..` path segment")]
    DotSegment,
    #[error("the return URL is neither a path starting with one `/` nor an absolute URL")]
    NotAUrl,
    #[error("the return URL carries credentials")]
    Credentials,
    #[error("the return URL carries a query or fragment")]
    QueryOrFragment,
    #[error("the return URL points to {origin}, not to the site {site}")]
    ForeignOrigin { origin: String, site: String },
    #[error("the return URL names {path}, which is not a page of this site's forms")]
    UnknownPage { path: String },
    #[error("site URL \"{0}\" is not an absolute http(s) URL")]
    BadSite(String),
}

/// A checked return target: a URL built from the site's configuration. Only
/// [`ReturnPolicy::check`] makes one (and the sealed flow state carries it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReturnTarget(String);

impl ReturnTarget {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The pages a municipality's sign-in may return to.
#[derive(Debug, Clone)]
pub struct ReturnPolicy {
    site: Url,
    /// Absolute paths, each ending in `/` (the generator writes pages as `<path>/index.html`).
    pages: BTreeSet<String>,
}

impl ReturnPolicy {
    /// `site_url` is the municipality's `site-url` (`https://formulare.musterstadt.de`, or
    /// `http://127.0.0.1:8080/musterstadt` locally); `pages` are paths relative to it
    /// (`hundesteuer-anmeldung/`, `en/hundesteuer-anmeldung/`).
    pub fn new<I, S>(site_url: &str, pages: I) -> Result<Self, ReturnError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut site =
            Url::parse(site_url).map_err(|_| ReturnError::BadSite(site_url.to_string()))?;
        if !matches!(site.scheme(), "http" | "https")
            || site.host_str().is_none()
            || site.query().is_some()
            || site.fragment().is_some()
        {
            return Err(ReturnError::BadSite(site_url.to_string()));
        }
        if !site.path().ends_with('/') {
            let path = format!("{}/", site.path());
            site.set_path(&path);
        }
        let pages = pages
            .into_iter()
            .map(|p| {
                let rel = p.as_ref().trim_start_matches('/');
                let mut path = format!("{}{rel}", site.path());
                if !path.ends_with('/') {
                    path.push('/');
                }
                path
            })
            .collect();
        Ok(ReturnPolicy { site, pages })
    }

    /// The target `candidate` names, if it is one of the known pages of this site.
    pub fn check(&self, candidate: &str) -> Result<ReturnTarget, ReturnError> {
        if candidate.is_empty() {
            return Err(ReturnError::Empty);
        }
        if candidate.len() > MAX_LEN {
            return Err(ReturnError::TooLong);
        }
        if candidate
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        {
            return Err(ReturnError::ForbiddenCharacter);
        }
        if candidate.contains('%') {
            return Err(ReturnError::Encoded);
        }
        let url = if candidate.starts_with('/') {
            if candidate.starts_with("//") {
                // A scheme-relative URL: another host.
                return Err(ReturnError::NotAUrl);
            }
            check_segments(candidate)?;
            self.site
                .join(candidate)
                .map_err(|_| ReturnError::NotAUrl)?
        } else {
            let url = Url::parse(candidate).map_err(|_| ReturnError::NotAUrl)?;
            if !matches!(url.scheme(), "http" | "https") || !candidate.contains("://") {
                return Err(ReturnError::NotAUrl);
            }
            let after_scheme = &candidate[candidate.find("://").unwrap_or(0) + 3..];
            let path_start = after_scheme.find('/').unwrap_or(after_scheme.len());
            check_segments(&after_scheme[path_start..])?;
            url
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ReturnError::Credentials);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ReturnError::QueryOrFragment);
        }
        if url.origin() != self.site.origin() {
            return Err(ReturnError::ForeignOrigin {
                origin: url.origin().ascii_serialization(),
                site: self.site.origin().ascii_serialization(),
            });
        }
        let mut path = url.path().to_string();
        if !path.ends_with('/') {
            path.push('/');
        }
        if !self.pages.contains(&path) {
            return Err(ReturnError::UnknownPage { path });
        }
        let mut target = self.site.clone();
        target.set_path(&path);
        Ok(ReturnTarget(target.into()))
    }
}

/// Dot segments would be resolved away by URL parsing; a return URL with them is refused
/// before, so that what is checked is what was written.
fn check_segments(path: &str) -> Result<(), ReturnError> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    if path.split('/').any(|s| s == "." || s == "..") {
        return Err(ReturnError::DotSegment);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ReturnPolicy {
        ReturnPolicy::new(
            "https://formulare.musterstadt.example",
            ["hundesteuer-anmeldung/", "en/hundesteuer-anmeldung"],
        )
        .unwrap()
    }

    #[test]
    fn known_pages_are_accepted_as_paths_or_same_origin_urls() {
        let p = policy();
        let want = "https://formulare.musterstadt.example/hundesteuer-anmeldung/";
        for ok in [
            "/hundesteuer-anmeldung/",
            "/hundesteuer-anmeldung",
            "https://formulare.musterstadt.example/hundesteuer-anmeldung/",
            "https://FORMULARE.musterstadt.example:443/hundesteuer-anmeldung/",
        ] {
            assert_eq!(p.check(ok).unwrap().as_str(), want, "{ok}");
        }
        assert_eq!(
            p.check("/en/hundesteuer-anmeldung/").unwrap().as_str(),
            "https://formulare.musterstadt.example/en/hundesteuer-anmeldung/"
        );
    }

    #[test]
    fn a_site_below_a_path_prefix_only_returns_below_it() {
        let p = ReturnPolicy::new(
            "http://127.0.0.1:8080/musterstadt",
            ["sperrmuell-anmeldung/"],
        )
        .unwrap();
        assert_eq!(
            p.check("/musterstadt/sperrmuell-anmeldung/")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/musterstadt/sperrmuell-anmeldung/"
        );
        assert!(matches!(
            p.check("/sperrmuell-anmeldung/"),
            Err(ReturnError::UnknownPage { .. })
        ));
        assert!(matches!(
            p.check("/neustadt-am-see/sperrmuell-anmeldung/"),
            Err(ReturnError::UnknownPage { .. })
        ));
    }

    #[test]
    fn open_redirect_attempts_are_refused() {
        let p = policy();
        for (attempt, why) in [
            ("", ReturnError::Empty),
            ("//evil.example/", ReturnError::NotAUrl),
            (
                "//evil.example/hundesteuer-anmeldung/",
                ReturnError::NotAUrl,
            ),
            ("/\\evil.example/", ReturnError::ForbiddenCharacter),
            ("\\\\evil.example", ReturnError::ForbiddenCharacter),
            ("/\t/evil.example/", ReturnError::ForbiddenCharacter),
            ("/ /evil.example/", ReturnError::ForbiddenCharacter),
            (
                "/hundesteuer-anmeldung/\r\nSet-Cookie: x=y",
                ReturnError::ForbiddenCharacter,
            ),
            ("https:evil.example", ReturnError::NotAUrl),
            ("https:/evil.example/", ReturnError::NotAUrl),
            ("javascript:alert(1)", ReturnError::NotAUrl),
            (
                "data:text/html,<script>alert(1)</script>",
                ReturnError::NotAUrl,
            ),
            ("evil.example/hundesteuer-anmeldung/", ReturnError::NotAUrl),
            ("/%2F%2Fevil.example/", ReturnError::Encoded),
            ("/%5Cevil.example/", ReturnError::Encoded),
            (
                "/hundesteuer-anmeldung%2F..%2F..%2Fevil",
                ReturnError::Encoded,
            ),
            ("/hundesteuer-anmeldung/../../evil", ReturnError::DotSegment),
            ("/./hundesteuer-anmeldung/", ReturnError::DotSegment),
            (
                "https://formulare.musterstadt.example/x/../hundesteuer-anmeldung/",
                ReturnError::DotSegment,
            ),
            (
                "https://formulare.musterstadt.example@evil.example/hundesteuer-anmeldung/",
                ReturnError::Credentials,
            ),
            (
                "https://user:pw@formulare.musterstadt.example/hundesteuer-anmeldung/",
                ReturnError::Credentials,
            ),
            (
                "https://formulare.musterstadt.example.evil.example/hundesteuer-anmeldung/",
                ReturnError::ForeignOrigin {
                    origin: "https://formulare.musterstadt.example.evil.example".into(),
                    site: "https://formulare.musterstadt.example".into(),
                },
            ),
            (
                "http://formulare.musterstadt.example/hundesteuer-anmeldung/",
                ReturnError::ForeignOrigin {
                    origin: "http://formulare.musterstadt.example".into(),
                    site: "https://formulare.musterstadt.example".into(),
                },
            ),
            (
                "https://formulare.musterstadt.example:8443/hundesteuer-anmeldung/",
                ReturnError::ForeignOrigin {
                    origin: "https://formulare.musterstadt.example:8443".into(),
                    site: "https://formulare.musterstadt.example".into(),
                },
            ),
            (
                "https://formulаre.musterstadt.example/hundesteuer-anmeldung/",
                ReturnError::ForeignOrigin {
                    origin: "https://xn--formulre-66g.musterstadt.example".into(),
                    site: "https://formulare.musterstadt.example".into(),
                },
            ),
            (
                "/hundesteuer-anmeldung/?next=//evil.example",
                ReturnError::QueryOrFragment,
            ),
            (
                "/hundesteuer-anmeldung/#//evil.example",
                ReturnError::QueryOrFragment,
            ),
            ("/hundesteuer-anmeldung/?", ReturnError::QueryOrFragment),
            (
                "/impressum/",
                ReturnError::UnknownPage {
                    path: "/impressum/".into(),
                },
            ),
            (
                "/v1/musterstadt/auth/callback",
                ReturnError::UnknownPage {
                    path: "/v1/musterstadt/auth/callback/".into(),
                },
            ),
        ] {
            assert_eq!(p.check(attempt), Err(why), "{attempt:?}");
        }
        assert_eq!(p.check(&"/a".repeat(1100)), Err(ReturnError::TooLong));
    }

    #[test]
    fn a_site_url_must_be_absolute_http() {
        for bad in [
            "formulare.example",
            "ftp://x.example",
            "https://x.example/?q",
        ] {
            assert!(ReturnPolicy::new(bad, ["a/"]).is_err(), "{bad}");
        }
    }
}
