//! Where the pages of a site live, below the folder of its language (the first language at
//! the site's root, the others in `<lang>/`): the folders of the legal pages, the feedback
//! page and a form's confirmation page. Links in the frame and the pages are made from these,
//! and the pages' Content-Security-Policy from the origins of the site and the endpoint.

/// A legal page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legal {
    Imprint,
    Privacy,
    Accessibility,
}

impl Legal {
    pub const ALL: [Legal; 3] = [Legal::Imprint, Legal::Privacy, Legal::Accessibility];

    /// Its name in the municipality's `pages/` and its title's key in the frame texts.
    pub fn kind(self) -> &'static str {
        match self {
            Legal::Imprint => "imprint",
            Legal::Privacy => "privacy",
            Legal::Accessibility => "accessibility",
        }
    }

    /// Its folder on the site.
    pub fn slug(self) -> &'static str {
        match self {
            Legal::Imprint => "impressum",
            Legal::Privacy => "datenschutz",
            Legal::Accessibility => "barrierefreiheit",
        }
    }
}

/// The feedback page's folder.
pub const FEEDBACK: &str = "feedback";

/// A form's confirmation page, in the form's folder: where the script sends the citizen after
/// the function accepted the answers.
pub const CONFIRMATION: &str = "danke";

/// The origin of a URL: `https://host[:port]` (what a CSP and CORS name).
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(origin_of("https://a.example/x/y"), "https://a.example");
        assert_eq!(
            origin_of("http://127.0.0.1:8080/m"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(origin_of("https://a.example"), "https://a.example");
    }
}
