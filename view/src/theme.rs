//! The site's templates and frame texts, loaded once and used for every page: tera over the
//! templates folder (`layouts/`, `pages/`, `components/`, `macros/`) with this crate's HTML
//! escaping, and the frame texts in every language (form-model's messages, `site.yaml`).
//!
//! Compiling the templates is most of what loading a theme costs. [`Theme::load`] (the
//! generator, which renders every page) compiles them at once; a theme from a bundle
//! ([`Theme::from_sources`], the function, which may never render a page in its life) checks
//! their shape at once ([`crate::theme_shape`]) and compiles them on the first page.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use form_model::messages::SITE;
use serde::Serialize;
use serde_json::Value;
use tera::{Context, Tera};
use thiserror::Error;

use crate::escape::escape_html;

/// The frame texts (form-model's `messages/site.yaml`): key → language → text.
pub type Strings = BTreeMap<String, BTreeMap<String, String>>;

/// Where the frame texts are written, for error messages.
const SITE_STRINGS: &str = "form-model/messages/site.yaml";

/// The frame texts, every language the site is written in.
pub fn site_strings() -> Strings {
    SITE.languages
        .iter()
        .map(|lang| (*lang, SITE.texts_in(lang)))
        .fold(Strings::new(), |mut strings, (lang, texts)| {
            for (key, text) in texts {
                strings
                    .entry(key)
                    .or_default()
                    .insert(lang.to_string(), text);
            }
            strings
        })
}

/// Why a page cannot be rendered.
#[derive(Debug, Error)]
pub enum ViewError {
    #[error("template error: {0}")]
    Template(String),
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("{path}: the site texts have no \"{key}\" in {lang}; add it")]
    MissingString {
        path: PathBuf,
        key: String,
        lang: String,
    },
}

pub(crate) fn file_error(path: &Path, err: impl std::fmt::Display) -> ViewError {
    ViewError::File {
        path: path.to_path_buf(),
        message: err.to_string(),
    }
}

pub(crate) fn template_error(err: tera::Error) -> ViewError {
    // tera's Display is the outermost cause only; the chain says what went wrong.
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    ViewError::Template(message)
}

/// A page ready to render: its template, everything the template reads, and where it goes.
pub struct Page {
    /// The file below the site's folder: `[<lang>/]<folder>/index.html`.
    pub path: PathBuf,
    pub template: &'static str,
    /// What every page of its frame reads (the site, its assets, the frame texts): made once
    /// per frame ([`crate::Frame`]), not per page.
    pub(crate) shared: Arc<crate::splice::SharedContext>,
    /// The page's own variables (`page` and its template's), over the shared ones.
    pub(crate) own: Vec<(String, Value)>,
    /// The shared variables as values, for splicing (`crate::splice`).
    pub(crate) frame: Arc<crate::splice::FrameValues>,
    /// Its addresses, as its `<head>` names them (the sitemap lists the same).
    pub links: PageLinks,
}

/// Where a page is, for search engines: what its `<link rel="canonical">` and
/// `<link rel="alternate" hreflang>` say, and whether it may be indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageLinks {
    /// The page's absolute address.
    pub canonical: String,
    /// The same page in every language of the site, then `x-default` (the first language's).
    pub alternates: Vec<Alternate>,
    /// `false`: the page carries `<meta name="robots" content="noindex">` and is not in the
    /// sitemap.
    pub indexed: bool,
}

/// One `<link rel="alternate" hreflang="…" href="…">`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternate {
    /// A language code, or `x-default`.
    pub hreflang: String,
    pub href: String,
}

/// Loaded templates and frame texts.
pub struct Theme {
    /// The compiled templates, or why they do not compile: made on first use ([`Theme::tera`]).
    tera: OnceLock<Result<Tera, String>>,
    pub strings: Strings,
    /// Every template's source by its name (`pages/form.html`), for a bundle (`crate::bundle`).
    templates: BTreeMap<String, String>,
    /// Where the texts came from (a file or a bundle), for error messages.
    strings_origin: PathBuf,
    /// Form bodies rendered once and shared by the pages of every site (`crate::form_body`).
    pub(crate) bodies: crate::form_body::Bodies,
    /// Pages rendered once with stand-ins and spliced for others (`crate::splice`).
    splice: crate::splice::Splicer,
    /// The frame texts by language, made once ([`Theme::shared_strings_in`]): every frame of a
    /// language has the same, and a country's build makes two frames per municipality.
    by_lang: std::sync::Mutex<std::collections::HashMap<String, LangStrings>>,
}

/// The frame texts of one language, as a map and as the value templates read as `t`.
#[derive(Clone)]
pub(crate) struct LangStrings {
    pub map: Arc<BTreeMap<String, String>>,
    pub value: Arc<Value>,
}

impl Theme {
    /// The templates (`**/*.html`) of the templates folder `dir`, and the site's texts.
    pub fn load(dir: &Path) -> Result<Theme, ViewError> {
        let mut templates = BTreeMap::new();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| file_error(dir, e))?;
            let path = entry.path();
            if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            // Named as tera names templates found by a glob: the path below `dir`, with `/`.
            let name = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let source = fs::read_to_string(path).map_err(|e| file_error(path, e))?;
            templates.insert(name, source);
        }
        let names: Vec<String> = templates.keys().cloned().collect();
        // Compiled now: the generator renders pages with every one, and a template that does
        // not compile should stop the build before the first page.
        Theme::from_sources(templates, site_strings(), PathBuf::from(SITE_STRINGS))
            .and_then(|theme| {
                theme.tera()?;
                Ok(theme)
            })
            .map_err(|e| match e {
                // Tera and the shape check name a template that does not parse by its name;
                // say which file it is.
                ViewError::Template(mut message) => {
                    for name in &names {
                        let file = dir.join(name);
                        message =
                            message.replace(&format!("'{name}'"), &format!("{}", file.display()));
                        if let Some(rest) = message.strip_prefix(&format!("{name}: ")) {
                            message = format!("{}: {rest}", file.display());
                        }
                    }
                    ViewError::Template(message)
                }
                other => other,
            })
    }

    /// A theme from the sources of its templates by name and its texts; `origin` says where
    /// they came from in error messages. The templates' shape is checked now (every page
    /// template there, every template one names there, tags closed: [`crate::theme_shape`]);
    /// they are compiled when the first page is rendered.
    pub fn from_sources(
        templates: BTreeMap<String, String>,
        strings: Strings,
        origin: PathBuf,
    ) -> Result<Theme, ViewError> {
        crate::theme_shape::check(&templates).map_err(ViewError::Template)?;
        Ok(Theme {
            tera: OnceLock::new(),
            strings,
            templates,
            strings_origin: origin,
            bodies: Default::default(),
            splice: Default::default(),
            by_lang: Default::default(),
        })
    }

    /// The compiled templates: compiled on the first call, by the thread that comes first
    /// (others wait for it); a template that does not compile fails every call alike.
    pub fn tera(&self) -> Result<&Tera, ViewError> {
        self.tera
            .get_or_init(|| {
                let mut tera = Tera::default();
                tera.add_raw_templates(
                    self.templates.iter().map(|(n, s)| (n.as_str(), s.as_str())),
                )
                .map_err(|e| match template_error(e) {
                    ViewError::Template(message) => message,
                    other => other.to_string(),
                })?;
                tera.autoescape_on(vec![".html"]);
                tera.set_escape_fn(escape_html);
                Ok(tera)
            })
            .as_ref()
            .map_err(|message| ViewError::Template(message.clone()))
    }

    /// How many form bodies this theme has rendered and keeps for other sites
    /// (`crate::form_body`).
    pub fn shared_bodies(&self) -> usize {
        self.bodies.len()
    }

    /// This theme, keeping at most `max` pages rendered with stand-ins for splicing
    /// (`crate::splice`; 20,000 unless set): a process that renders pages on request for as
    /// long as it runs keeps its memory bounded with a small number.
    pub fn keeping_spliced_renderings(mut self, max: usize) -> Theme {
        self.splice = crate::splice::Splicer::keeping_at_most(max);
        self
    }

    /// How many pages were spliced into a page of their kind rendered before, not rendered
    /// by tera (`crate::splice`).
    pub fn spliced_pages(&self) -> usize {
        self.splice.spliced()
    }

    /// Every template's source by its name.
    pub fn templates(&self) -> &BTreeMap<String, String> {
        &self.templates
    }

    /// The frame texts in `lang`; every key must exist.
    pub fn strings_in(&self, lang: &str) -> Result<BTreeMap<String, String>, ViewError> {
        self.strings
            .iter()
            .map(|(key, texts)| match texts.get(lang) {
                Some(t) if !t.trim().is_empty() => Ok((key.clone(), t.clone())),
                _ => Err(ViewError::MissingString {
                    path: self.strings_origin.clone(),
                    key: key.clone(),
                    lang: lang.to_string(),
                }),
            })
            .collect()
    }

    /// [`Theme::strings_in`], made once per language and shared by the frames.
    pub(crate) fn shared_strings_in(&self, lang: &str) -> Result<LangStrings, ViewError> {
        if let Some(kept) = self.by_lang.lock().expect("strings lock").get(lang) {
            return Ok(kept.clone());
        }
        let map = self.strings_in(lang)?;
        let value = serde_json::to_value(&map).expect("strings serialize");
        let made = LangStrings {
            map: Arc::new(map),
            value: Arc::new(value),
        };
        self.by_lang
            .lock()
            .expect("strings lock")
            .insert(lang.to_string(), made.clone());
        Ok(made)
    }

    /// The HTML of `page`: spliced into the page of its kind rendered before where it can be
    /// (`crate::splice`), else rendered by tera.
    pub fn render(&self, page: &Page) -> Result<String, ViewError> {
        let Ok(tera) = self.tera() else {
            return self.render_full(page);
        };
        let values = crate::splice::PageValues {
            template: page.template,
            own: &page.own,
            frame: &page.frame,
            shared: &page.shared,
        };
        match self.splice.render(tera, &values, || self.render_full(page)) {
            Some(html) => html,
            None => self.render_full(page),
        }
    }

    /// The HTML of `page`, rendered by tera.
    fn render_full(&self, page: &Page) -> Result<String, ViewError> {
        // The shared variables of the page's frame are copied into this thread's context once
        // per frame; each page puts its own in, and takes them out (or back to the shared
        // value) after rendering. Tera reads one context, so a page sees exactly what a
        // context made for it alone would hold.
        FRAME_CONTEXT.with(|cell| {
            let mut kept = cell.borrow_mut();
            let context = match &mut *kept {
                Some((shared, context)) if Arc::ptr_eq(shared, &page.shared) => context,
                other => {
                    let (_, context) =
                        other.insert((Arc::clone(&page.shared), page.shared.get().clone()));
                    context
                }
            };
            for (key, value) in &page.own {
                context.insert(key.as_str(), value);
            }
            let html = self
                .tera()
                .and_then(|tera| tera.render(page.template, context).map_err(template_error));
            for (key, _) in &page.own {
                match page.shared.get().get(key) {
                    Some(value) => context.insert(key.as_str(), value),
                    None => {
                        context.remove(key);
                    }
                }
            }
            html
        })
    }
}

thread_local! {
    /// The context of the frame this thread rendered a page of last (see [`Theme::render`]):
    /// the frame's shared variables (kept alive, so its address stays its own) and the
    /// context holding them.
    static FRAME_CONTEXT: RefCell<Option<(Arc<crate::splice::SharedContext>, Context)>> = const { RefCell::new(None) };
}
