//! The frame every page of a municipality's site shares: header with the language links,
//! footer with the legal links and contact, the Content-Security-Policy, the stylesheets and
//! logo, and what a page tells search engines (description, canonical address, the same page in
//! the other languages, whether to index it). The site's own pages link relatively, so a site
//! works wherever it is put (its own domain or a sub-folder); a page served from elsewhere (the
//! function's answer to a post) links to the site's address. The first language lives at the
//! site's root, the others in `<lang>/`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use form_model::languages;
use form_model::model::Municipality;

use crate::paths::{FEEDBACK, Legal};
use crate::theme::{Alternate, Page, PageLinks, Theme, ViewError};

/// One municipality's site as its pages see it.
pub struct Site<'a> {
    pub municipality: &'a Municipality,
    /// Where its forms post: `<endpoint>/<municipality>/<form>`.
    pub endpoint: String,
    /// The endpoint's origin (`https://host[:port]`): the pages' CSP lets them connect and post
    /// there and nowhere else.
    pub endpoint_origin: String,
    pub assets: SiteAssets,
    /// Load the script `formfabrik serve` uses to reload pages after a rebuild.
    pub dev_reload: bool,
    /// Where the site is published: every page's canonical address is below it.
    pub address: SiteAddress,
    /// The pages are served from elsewhere (the function's answer to a post): their links and
    /// assets point to `address`, their CSP allows its origin instead of `'self'`, and search
    /// engines are asked not to index them (the site's own page is the one to find). `false`
    /// for the site's own pages, which link relatively.
    pub elsewhere: bool,
}

/// Where a site is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SiteAddress {
    /// The base URL of its pages, without a trailing slash (`https://formulare.musterstadt.de`,
    /// `http://127.0.0.1:8080/musterstadt`).
    pub url: String,
    /// The origin of that URL, which serves its stylesheets, scripts and logo.
    pub origin: String,
}

/// The file names of the assets every page of a site loads, in its `assets/` folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteAssets {
    /// The stylesheet, with the municipality's colour.
    pub css: String,
    pub logo: Option<String>,
    /// The search box's styles, loaded by pages with a long list only.
    pub combobox: String,
    /// The services list's styles, loaded by the index only.
    pub index: String,
    /// The confirmation page's styles, loaded by it only.
    pub confirmation: String,
    /// The script a form page with sign-in loads on coming back from the provider
    /// (`assets/sign-in.js`): the prefill, locked answers, saving a draft. Empty for a site
    /// without sign-in.
    #[serde(default)]
    pub sign_in: String,
    /// The script a form page whose fees depend on the answers loads when the
    /// check-your-answers step opens (`assets/fees.js`): the amount due. Empty for a site
    /// without such a form.
    #[serde(default)]
    pub fees: String,
}

/// What a page says about itself in its `<head>`, besides what every page of its language
/// shares.
pub struct Head {
    /// The page's own title (the `<title>` adds the site's name).
    pub title: String,
    /// The `<meta name="description">`: a sentence or two of plain text (see
    /// [`crate::seo::description`]).
    pub description: String,
    /// Whether search engines may index it: not a confirmation page, which only makes sense
    /// after sending.
    pub indexed: bool,
}

#[derive(Serialize)]
struct LangLink {
    code: String,
    name: String,
    href: String,
    current: bool,
}

/// The absolute address of the page in folder `rel` (`""`, `"<form>/"`) in `lang`, on `m`'s
/// site published at `site_url`: the first language at the site's root, the others in
/// `<lang>/`.
pub fn page_url(site_url: &str, m: &Municipality, lang: &str, rel: &str) -> String {
    let base = site_url.trim_end_matches('/');
    match m.languages.first().is_some_and(|first| first == lang) {
        true => format!("{base}/{rel}"),
        false => format!("{base}/{lang}/{rel}"),
    }
}

/// One language of a site: what all its pages in that language share.
pub struct Frame<'a> {
    theme: &'a Theme,
    site: &'a Site<'a>,
    lang: &'a str,
    strings: Arc<BTreeMap<String, String>>,
    /// The site's first language, whose pages are at its root.
    default_lang: bool,
    csp: String,
    /// What every page of this frame reads besides its own: `site`, `assets` and `t`.
    shared: Arc<crate::splice::SharedContext>,
    /// `site` and `assets` as values, and the language `t` is in, for splicing.
    values: Arc<crate::splice::FrameValues>,
}

impl<'a> Frame<'a> {
    /// The frame of `site` in `lang`; fails when the frame texts lack a key in `lang`.
    pub fn new(
        theme: &'a Theme,
        site: &'a Site<'a>,
        lang: &'a str,
    ) -> Result<Frame<'a>, ViewError> {
        let m = site.municipality;
        let strings = theme.shared_strings_in(lang)?;
        let origin = &site.endpoint_origin;
        let assets = match site.elsewhere {
            true => site.address.origin.as_str(),
            false => "'self'",
        };
        let csp = format!(
            "default-src 'none'; script-src {assets}; style-src {assets}; img-src {assets}; \
             connect-src {origin}; form-action {origin}; base-uri 'none'"
        );
        let site_json = json!({
            "id": m.id,
            "name": m.name,
            "contact": m.contact,
            // The phone number as a `tel:` link has it, made here (not with a filter in the
            // templates), so the pages of every municipality can share one rendering
            // (`crate::splice`).
            "tel": m.contact.phone.as_ref().map(|p| p.replace(' ', "")),
            "lang": m.languages.first().cloned().unwrap_or_else(|| "de".into()),
        });
        let assets_json = serde_json::to_value(&site.assets).expect("assets serialize");
        let values = Arc::new(crate::splice::FrameValues {
            roots: vec![("site".into(), site_json), ("assets".into(), assets_json)],
            constants: lang.to_string(),
        });
        let shared =
            crate::splice::SharedContext::new(Arc::clone(&values), Arc::clone(&strings.value));
        Ok(Frame {
            theme,
            site,
            lang,
            strings: strings.map,
            default_lang: m.languages.first().map(String::as_str) == Some(lang),
            csp,
            shared: Arc::new(shared),
            values,
        })
    }

    /// The theme the frame was made with.
    pub fn theme(&self) -> &'a Theme {
        self.theme
    }

    /// The frame texts of this language.
    pub fn strings(&self) -> &BTreeMap<String, String> {
        &self.strings
    }

    pub fn site(&self) -> &Site<'a> {
        self.site
    }

    pub fn municipality(&self) -> &'a Municipality {
        self.site.municipality
    }

    pub fn lang(&self) -> &'a str {
        self.lang
    }

    /// The page's Content-Security-Policy (in its `<meta>`; a server sends it as a header too).
    pub fn csp(&self) -> &str {
        &self.csp
    }

    /// The frame text `key` in this language (every key exists: [`Theme::strings_in`]).
    pub fn t(&self, key: &str) -> String {
        self.strings.get(key).cloned().unwrap_or_default()
    }

    /// The absolute address of the page in folder `rel` (`""`, `"<form>/"`) in language `lang`.
    pub fn url_of(&self, lang: &str, rel: &str) -> String {
        page_url(&self.site.address.url, self.site.municipality, lang, rel)
    }

    /// From the page in folder `rel` to the site's root, and to this language's root.
    fn roots(&self, rel: &str) -> (String, String) {
        match self.site.elsewhere {
            true => {
                let base = format!("{}/", self.site.address.url.trim_end_matches('/'));
                let lang_root = self.url_of(self.lang, "");
                (base, lang_root)
            }
            false => {
                let depth = rel.split('/').filter(|s| !s.is_empty()).count();
                let base = "../".repeat(depth + usize::from(!self.default_lang));
                let lang_root = match depth {
                    0 => "./".to_string(),
                    _ => "../".repeat(depth),
                };
                (base, lang_root)
            }
        }
    }

    /// The link from the page in folder `rel` to its sub-folder `sub` (`danke/`).
    pub fn link_below(&self, rel: &str, sub: &str) -> String {
        match self.site.elsewhere {
            true => format!("{}{rel}{sub}", self.roots(rel).1),
            false => sub.to_string(),
        }
    }

    /// The page in folder `rel` below this language's root (`""`, `"<form>/"`), rendered with
    /// `template`, with `head` (title, description, whether to index it), loading the page
    /// script `script` (a file in `assets/`), with the members of `extra` as further template
    /// variables.
    pub fn page(
        &self,
        rel: &str,
        template: &'static str,
        head: Head,
        script: Option<&str>,
        extra: Value,
    ) -> Page {
        let m = self.site.municipality;
        let (base, lang_root) = self.roots(rel);
        let languages: Vec<LangLink> = m
            .languages
            .iter()
            .map(|l| {
                let target_root = if m.languages.first() == Some(l) {
                    base.clone()
                } else {
                    format!("{base}{l}/")
                };
                LangLink {
                    code: l.clone(),
                    name: languages::LANGUAGES
                        .iter()
                        .find(|(c, _, _)| c == l)
                        .map(|(_, n, _)| n.to_string())
                        .unwrap_or_else(|| l.clone()),
                    href: format!("{target_root}{rel}"),
                    current: l == self.lang,
                }
            })
            .collect();
        let links = PageLinks {
            canonical: self.url_of(self.lang, rel),
            alternates: m
                .languages
                .iter()
                .map(|l| (l.as_str(), l.as_str()))
                // x-default: the first language's page, for readers of any other language.
                .chain(m.languages.first().map(|l| ("x-default", l.as_str())))
                .map(|(hreflang, l)| Alternate {
                    hreflang: hreflang.to_string(),
                    href: self.url_of(l, rel),
                })
                .collect(),
            indexed: head.indexed && !self.site.elsewhere,
        };
        let legal = |l: Legal| format!("{lang_root}{}/", l.slug());
        let page = json!({
            "lang": self.lang,
            "dir": if languages::is_rtl(self.lang) { "rtl" } else { "ltr" },
            "title": head.title,
            "description": head.description,
            "canonical": links.canonical,
            "alternates": links.alternates,
            "noindex": !links.indexed,
            "base": base,
            "home": lang_root,
            "csp": self.csp,
            "script": script,
            "dev_reload": self.site.dev_reload,
            "languages": languages,
            "links": {
                "home": lang_root,
                "imprint": legal(Legal::Imprint),
                "privacy": legal(Legal::Privacy),
                "accessibility": legal(Legal::Accessibility),
                "feedback": format!("{lang_root}{FEEDBACK}/"),
            },
        });
        // Inserted in this order into one context before, so an extra named like `page`
        // wins over it.
        let mut own = vec![("page".to_string(), page)];
        if let Value::Object(extra) = extra {
            own.extend(extra);
        }
        let lang_dir = if self.default_lang {
            PathBuf::new()
        } else {
            PathBuf::from(self.lang)
        };
        Page {
            path: lang_dir.join(rel).join("index.html"),
            template,
            shared: Arc::clone(&self.shared),
            own,
            frame: Arc::clone(&self.values),
            links,
        }
    }
}
