//! The theme as one file, for pages rendered away from the site: the generator writes it
//! beside the function's registry (`function/theme.json`) with every template, every frame
//! text and, per municipality, what its form pages load (the fingerprinted stylesheets, logo
//! and page scripts on the site's origin). The function loads it once and renders a form page
//! with the same templates and the same view of the form as the site's own page; only the
//! links differ (to the site's address instead of relative) and the CSP (the site's origin
//! instead of `'self'`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use form_model::model::Municipality;
use form_model::resolve::ResolvedForm;

use crate::filled::Filled;
use crate::frame::{Frame, Site, SiteAddress, SiteAssets};
use crate::pages;
use crate::theme::{Strings, Theme, ViewError};

/// What this version writes and reads; an older or newer bundle is refused, not misread.
pub const BUNDLE_FORMAT: &str = "formfabrik-theme-2";

/// The theme and every site's frame, as written to `function/theme.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Bundle {
    pub format: String,
    /// Every template's source by its name (`pages/form.html`).
    pub templates: BTreeMap<String, String>,
    pub strings: Strings,
    /// By municipality id.
    pub sites: BTreeMap<String, SiteBundle>,
}

/// What a municipality's form pages need besides the templates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SiteBundle {
    pub municipality: Municipality,
    pub address: SiteAddress,
    /// Where its forms post (`<endpoint>/<municipality>/<form>`), and that URL's origin.
    pub endpoint: String,
    pub endpoint_origin: String,
    pub assets: SiteAssets,
    /// The page script each form page loads, by form id.
    pub scripts: BTreeMap<String, String>,
}

impl SiteBundle {
    /// The site as its own pages see it: relative links, as the generator wrote them.
    pub fn on_site(&self) -> Site<'_> {
        Site {
            municipality: &self.municipality,
            endpoint: self.endpoint.clone(),
            endpoint_origin: self.endpoint_origin.clone(),
            assets: self.assets.clone(),
            dev_reload: false,
            address: self.address.clone(),
            elsewhere: false,
        }
    }

    /// The language a page of this site is served in: `lang` when the site offers it, else its
    /// first language.
    pub fn language<'a>(&'a self, lang: &'a str) -> &'a str {
        let languages = &self.municipality.languages;
        match languages.iter().find(|l| *l == lang) {
            Some(l) => l.as_str(),
            None => languages.first().map_or("de", String::as_str),
        }
    }

    /// The site as a page served from elsewhere sees it: links and assets at its address.
    pub fn elsewhere(&self) -> Site<'_> {
        Site {
            elsewhere: true,
            ..self.on_site()
        }
    }
}

impl Bundle {
    /// A bundle of `theme` with `sites`.
    pub fn new(theme: &Theme, sites: BTreeMap<String, SiteBundle>) -> Bundle {
        Bundle {
            format: BUNDLE_FORMAT.into(),
            templates: theme.templates().clone(),
            strings: theme.strings.clone(),
            sites,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a bundle serializes")
    }

    /// Reads a bundle; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Bundle, ViewError> {
        let file = |message: String| ViewError::File {
            path: PathBuf::from(origin),
            message,
        };
        // The format first: another version's bundle may not even have this shape. (Read
        // alone, skipping the rest unparsed: the bundle is read on the function's cold start.)
        #[derive(Deserialize)]
        struct Format {
            format: Option<serde_json::Value>,
        }
        let format = serde_json::from_str::<Format>(text)
            .map_err(|e| file(e.to_string()))?
            .format
            .and_then(|f| f.as_str().map(str::to_string));
        if format.as_deref() != Some(BUNDLE_FORMAT) {
            return Err(file(format!(
                "the theme's format is {}, this version reads \"{BUNDLE_FORMAT}\"",
                format.map_or("missing".into(), |f| format!("\"{f}\""))
            )));
        }
        serde_json::from_str(text).map_err(|e| file(e.to_string()))
    }

    /// The theme of this bundle.
    pub fn theme(&self, origin: &str) -> Result<Theme, ViewError> {
        Theme::from_sources(
            self.templates.clone(),
            self.strings.clone(),
            PathBuf::from(origin),
        )
    }
}

/// A page rendered away from the site, and the policy to send with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePage {
    pub html: String,
    /// The page's Content-Security-Policy: send it as the response's header, since a header
    /// and the page's `<meta>` both apply.
    pub csp: String,
}

/// How many renderings with stand-ins [`RemotePages`] keeps (each is a page's worth of text,
/// a few dozen KB at most).
const REMOTE_SPLICED_RENDERINGS: usize = 128;

/// The form pages of every site, rendered away from the site: what the function holds.
pub struct RemotePages {
    theme: Theme,
    sites: BTreeMap<String, SiteBundle>,
}

impl RemotePages {
    /// From the text of `function/theme.json`; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<RemotePages, ViewError> {
        let Bundle {
            templates,
            strings,
            sites,
            ..
        } = Bundle::from_json(text, origin)?;
        // The function renders a page per request for as long as it runs: it keeps a few
        // renderings to splice into (its pages are mostly one municipality's few kinds),
        // never a country's worth.
        Ok(RemotePages {
            theme: Theme::from_sources(templates, strings, PathBuf::from(origin))?
                .keeping_spliced_renderings(REMOTE_SPLICED_RENDERINGS),
            sites,
        })
    }

    /// Whether the bundle has what `form`'s page needs: its municipality's site and the page
    /// script of the form (a registry and a theme from different builds may not).
    pub fn has_form_page(&self, form: &ResolvedForm) -> bool {
        self.has_page_for(&form.municipality.id, &form.form.id)
    }

    /// [`RemotePages::has_form_page`] by ids: the function checks its theme at start against
    /// the registry's entries without parsing their forms.
    pub fn has_page_for(&self, municipality: &str, form: &str) -> bool {
        self.sites
            .get(municipality)
            .is_some_and(|site| site.scripts.contains_key(form))
    }

    /// The page of `form` in `lang` (its municipality's first language when it does not offer
    /// `lang`), filled in again with `filled`; `None` when the bundle has no site or no page
    /// script for the form (a registry and a theme from different builds).
    pub fn form_page(
        &self,
        form: &ResolvedForm,
        lang: &str,
        filled: Option<&Filled>,
    ) -> Option<Result<RemotePage, ViewError>> {
        self.form_page_signed_in(form, lang, filled, None)
    }

    /// [`Self::form_page`] for a citizen signed in with BundID (see [`crate::account`]).
    pub fn form_page_signed_in(
        &self,
        form: &ResolvedForm,
        lang: &str,
        filled: Option<&Filled>,
        account: Option<&crate::account::Account>,
    ) -> Option<Result<RemotePage, ViewError>> {
        let bundle = self.sites.get(&form.municipality.id)?;
        let script = bundle.scripts.get(&form.form.id)?;
        let lang = bundle.language(lang);
        let site = bundle.elsewhere();
        Some((|| {
            let frame = Frame::new(&self.theme, &site, lang)?;
            let page = pages::form_signed_in(&frame, form, Some(script), filled, account)?;
            Ok(RemotePage {
                html: self.theme.render(&page)?,
                csp: frame.csp().to_string(),
            })
        })())
    }
}

impl RemotePages {
    /// A notice about a submission of `form` (`crate::pages::notice`) in `lang`, in the
    /// design of the form's site; `None` when the bundle has no site for it.
    pub fn notice_page(
        &self,
        form: &ResolvedForm,
        lang: &str,
        notice: &crate::pages::Notice,
    ) -> Option<Result<RemotePage, ViewError>> {
        let bundle = self.sites.get(&form.municipality.id)?;
        let lang = bundle.language(lang);
        let site = bundle.elsewhere();
        Some((|| {
            let frame = Frame::new(&self.theme, &site, lang)?;
            let page = pages::notice(&frame, form, notice);
            Ok(RemotePage {
                html: self.theme.render(&page)?,
                csp: frame.csp().to_string(),
            })
        })())
    }

    /// Where the forms of `municipality`'s site post (`…/v1`), as the build wrote it.
    pub fn endpoint(&self, municipality: &str) -> Option<&str> {
        self.sites.get(municipality).map(|s| s.endpoint.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_of_another_format_is_refused_with_the_format_it_has() {
        let err = Bundle::from_json(
            r#"{ "format": "formfabrik-theme-0" }"#,
            "function/theme.json",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "function/theme.json: the theme's format is \"formfabrik-theme-0\", this version reads \"formfabrik-theme-2\""
        );
        let err = Bundle::from_json("{}", "t.json").unwrap_err().to_string();
        assert!(err.contains("the theme's format is missing"), "{err}");
        let err = Bundle::from_json("[", "t.json").unwrap_err().to_string();
        assert!(err.starts_with("t.json: "), "{err}");
    }
}
