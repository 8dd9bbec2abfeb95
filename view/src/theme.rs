//! The site's templates and frame texts, loaded once and used for every page: tera over the
//! templates folder (`layouts/`, `pages/`, `components/`, `macros/`) with this crate's HTML
//! escaping, and `strings.yaml`, every frame text in every language.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tera::{Context, Tera};
use thiserror::Error;

use crate::escape::escape_html;

/// The frame texts (`site-templates/strings.yaml`): key → language → text.
pub type Strings = BTreeMap<String, BTreeMap<String, String>>;

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
    pub context: Context,
}

/// Loaded templates and frame texts.
pub struct Theme {
    pub tera: Tera,
    pub strings: Strings,
    strings_path: PathBuf,
}

impl Theme {
    /// The templates (`**/*.html`) and texts (`strings.yaml`) of the templates folder `dir`.
    pub fn load(dir: &Path) -> Result<Theme, ViewError> {
        let glob = format!("{}/**/*.html", dir.display());
        let mut tera = Tera::new(&glob).map_err(template_error)?;
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape_html);
        let strings_path = dir.join("strings.yaml");
        let text = fs::read_to_string(&strings_path).map_err(|e| file_error(&strings_path, e))?;
        let strings: Strings =
            serde_yaml::from_str(&text).map_err(|e| file_error(&strings_path, e))?;
        Ok(Theme {
            tera,
            strings,
            strings_path,
        })
    }

    /// The frame texts in `lang`; every key must exist.
    pub fn strings_in(&self, lang: &str) -> Result<BTreeMap<String, String>, ViewError> {
        self.strings
            .iter()
            .map(|(key, texts)| match texts.get(lang) {
                Some(t) if !t.trim().is_empty() => Ok((key.clone(), t.clone())),
                _ => Err(ViewError::MissingString {
                    path: self.strings_path.clone(),
                    key: key.clone(),
                    lang: lang.to_string(),
                }),
            })
            .collect()
    }

    /// The HTML of `page`.
    pub fn render(&self, page: &Page) -> Result<String, ViewError> {
        self.tera
            .render(page.template, &page.context)
            .map_err(template_error)
    }
}
