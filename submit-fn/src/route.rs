//! Which of a form's endpoints a request's path names, and the addresses the function sends a
//! browser to: `POST …/v1/<municipality>/<form>` takes submissions, `GET
//! …/v1/<municipality>/<form>/danke` is the confirmation page a browser form post is
//! redirected to ([`confirmation_location`]), `POST …/v1/<municipality>/<form>/receipt` makes
//! the receipt of a stored submission ([`receipt_action`]).

/// Which of a form's endpoints a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `…/v1/<municipality>/<form>`: submissions.
    Submit,
    /// `…/v1/<municipality>/<form>/danke`: the confirmation page.
    Confirmation,
    /// `…/v1/<municipality>/<form>/receipt`: the receipt of a stored submission, on request.
    Receipt,
}

impl Endpoint {
    /// The `Allow` header of a 405.
    pub fn allow(self) -> &'static str {
        match self {
            Endpoint::Submit => "POST, OPTIONS",
            Endpoint::Confirmation => "GET",
            Endpoint::Receipt => "POST, OPTIONS",
        }
    }
}

/// What a path resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route<'a> {
    pub municipality: &'a str,
    pub form: &'a str,
    pub endpoint: Endpoint,
}

/// The endpoint a path names: `…/v1/<municipality>/<form>[/]`,
/// `…/v1/<municipality>/<form>/danke[/]` or `…/v1/<municipality>/<form>/receipt[/]`. Anything
/// before `/v1` (an API Gateway stage, a mount point) must be plain path segments. A path that
/// could be read both ways (only with a prefix ending in a segment `v1` and a form called
/// `danke` or `receipt`) is the confirmation page or the receipt.
pub fn route(path: &str) -> Option<Route<'_>> {
    let path = path.strip_suffix('/').unwrap_or(path);
    for (segment, endpoint) in [
        (CONFIRMATION_SEGMENT, Endpoint::Confirmation),
        (RECEIPT_SEGMENT, Endpoint::Receipt),
    ] {
        if let Some(form_path) = path.strip_suffix(segment).and_then(|p| p.strip_suffix('/'))
            && let Some((municipality, form)) = submit_route(form_path)
        {
            return Some(Route {
                municipality,
                form,
                endpoint,
            });
        }
    }
    let (municipality, form) = submit_route(path)?;
    Some(Route {
        municipality,
        form,
        endpoint: Endpoint::Submit,
    })
}

/// Municipality and form from `…/v1/<municipality>/<form>` (no trailing slash).
fn submit_route(path: &str) -> Option<(&str, &str)> {
    let mut parts = path.rsplitn(4, '/');
    let form = parts.next()?;
    let municipality = parts.next()?;
    let version = parts.next()?;
    let before = parts.next()?;
    (version == "v1" && prefix_ok(before) && is_slug(municipality) && is_slug(form))
        .then_some((municipality, form))
}

/// What may stand before `/v1` in a path (an API Gateway stage, a mount point): nothing, or
/// plain path segments (ASCII letters, digits, `-`, `_`), each starting with `/`. The sign-in
/// routes (`auth::route`) use the same rule.
pub(crate) fn prefix_ok(before: &str) -> bool {
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    };
    before.is_empty() || (before.starts_with('/') && before[1..].split('/').all(plain))
}

/// Ids of municipalities and forms: form-model's slug rule, and at most 100 bytes (the router
/// reads paths from anyone).
pub(crate) fn is_slug(s: &str) -> bool {
    s.len() <= 100 && form_model::ids::is_slug(s)
}

/// The last path segment of the confirmation page, as on the static site (`<form>/danke/`).
pub const CONFIRMATION_SEGMENT: &str = "danke";
/// The last path segment of the receipt endpoint.
pub const RECEIPT_SEGMENT: &str = "receipt";

/// The receipt endpoint of the form a browser posted to, as a form's `action` relative to the
/// URL of that post (`./<form>/receipt` after `…/<form>`, `./receipt` after `…/<form>/`), for
/// the same reason as [`confirmation_location`].
pub fn receipt_action(path_ends_with_slash: bool, form: &str) -> String {
    if path_ends_with_slash {
        format!("./{RECEIPT_SEGMENT}")
    } else {
        format!("./{form}/{RECEIPT_SEGMENT}")
    }
}

/// The confirmation page of the form a browser posted to, as a Location relative to the URL
/// of that post (`./<form>/danke?…` after `…/<form>`, `./danke?…` after `…/<form>/`). Relative,
/// because the function does not know under which prefix the client reached it: an API
/// Gateway stage, a custom domain's base path, `formfabrik serve`'s `/v1` mount.
pub fn confirmation_location(
    path_ends_with_slash: bool,
    form: &str,
    reference: &str,
    lang: &str,
) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // Everything but RFC 3986's unreserved characters.
    const VALUE: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let base = if path_ends_with_slash {
        String::new()
    } else {
        format!("{form}/")
    };
    format!(
        "./{base}{CONFIRMATION_SEGMENT}?ref={}&lang={}",
        utf8_percent_encode(reference, VALUE),
        utf8_percent_encode(lang, VALUE),
    )
}

/// The first value of `name` in a query string (`application/x-www-form-urlencoded`: `+` is a
/// space, `%XX` a byte); `None` when it is missing or not UTF-8.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        };
        (decode(key)? == name).then(|| decode(value)).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submit(path: &str) -> Option<(&str, &str)> {
        route(path)
            .filter(|r| r.endpoint == Endpoint::Submit)
            .map(|r| (r.municipality, r.form))
    }

    fn confirmation(path: &str) -> Option<(&str, &str)> {
        route(path)
            .filter(|r| r.endpoint == Endpoint::Confirmation)
            .map(|r| (r.municipality, r.form))
    }

    #[test]
    fn routes_accept_only_slugs_after_v1() {
        assert_eq!(
            submit("/v1/musterstadt/hundesteuer-anmeldung"),
            Some(("musterstadt", "hundesteuer-anmeldung"))
        );
        assert_eq!(submit("/v1/m/f/"), Some(("m", "f")));
        assert_eq!(submit("/prod/v1/m/f"), Some(("m", "f")));
        for bad in [
            "/v1/m",
            "/v2/m/f",
            "/v1/../f",
            "/v1/m/..",
            "/v1/M/f",
            "/v1/m%2e/f",
            "/../v1/m/f",
            "v1/m/f",
            "/v1/m/f/x",
            "",
            "/",
        ] {
            assert_eq!(route(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_confirmation_page_is_danke_below_the_form() {
        assert_eq!(
            confirmation("/v1/musterstadt/sperrmuell-anmeldung/danke"),
            Some(("musterstadt", "sperrmuell-anmeldung"))
        );
        assert_eq!(confirmation("/v1/m/f/danke/"), Some(("m", "f")));
        assert_eq!(confirmation("/prod/v1/m/f/danke"), Some(("m", "f")));
        // A form called "danke" is still a form.
        assert_eq!(submit("/v1/m/danke"), Some(("m", "danke")));
        for bad in [
            "/v1/m/danke/danke/x",
            "/v1/m/f/danke/x",
            "/v1/m/f/dankeschoen",
            "/v1/m/fdanke",
            "/v1/m/f//danke",
            "/v1/m/f/DANKE",
            "/v1/m/../danke",
            "/v2/m/f/danke",
            "/v1/danke",
        ] {
            assert_eq!(confirmation(bad), None, "{bad}");
        }
        assert_eq!(route("/v1/m/f/danke/x"), None);
    }

    #[test]
    fn the_receipt_is_receipt_below_the_form() {
        let receipt = |path| {
            route(path)
                .filter(|r| r.endpoint == Endpoint::Receipt)
                .map(|r| (r.municipality, r.form))
        };
        assert_eq!(receipt("/v1/m/f/receipt"), Some(("m", "f")));
        assert_eq!(receipt("/prod/v1/m/f/receipt/"), Some(("m", "f")));
        assert_eq!(submit("/v1/m/receipt"), Some(("m", "receipt")));
        for bad in ["/v1/m/f/receipt/x", "/v1/m/f/receipts", "/v1/receipt"] {
            assert_eq!(receipt(bad), None, "{bad}");
        }
        assert_eq!(receipt_action(false, "f"), "./f/receipt");
        assert_eq!(receipt_action(true, "f"), "./receipt");
    }

    #[test]
    fn the_redirect_after_a_post_is_relative_to_the_posts_url() {
        assert_eq!(
            confirmation_location(false, "sperrmuell-anmeldung", "MUS-2026-7K3F9Q", "en"),
            "./sperrmuell-anmeldung/danke?ref=MUS-2026-7K3F9Q&lang=en"
        );
        assert_eq!(
            confirmation_location(true, "f", "MUS-2026-7K3F9Q", "de"),
            "./danke?ref=MUS-2026-7K3F9Q&lang=de"
        );
    }

    #[test]
    fn query_parameters_are_decoded_and_the_first_one_counts() {
        let q = Some("lang=en&ref=MUS-2026-7K3F9Q&ref=other&x=%3Cb%3E+c&bad=%FF");
        assert_eq!(query_param(q, "ref").as_deref(), Some("MUS-2026-7K3F9Q"));
        assert_eq!(query_param(q, "lang").as_deref(), Some("en"));
        assert_eq!(query_param(q, "x").as_deref(), Some("<b> c"));
        assert_eq!(query_param(q, "bad"), None);
        assert_eq!(query_param(q, "missing"), None);
        assert_eq!(query_param(None, "ref"), None);
        assert_eq!(query_param(Some("ref"), "ref").as_deref(), Some(""));
    }
}
