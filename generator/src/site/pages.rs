//! Which pages a site has in one language, and which page script each loads: the services
//! index, a form page and its confirmation per form, the legal pages and the feedback page.
//! What they say and look like is the `view` crate's.

use std::collections::BTreeSet;
use std::sync::Arc;

use form_model::load::LoadedMunicipality;
use form_model::resolve::ResolvedForm;
use view::legal::{self, Legal};
use view::{Frame, Page, Site, Theme, pages, script};

use super::BuildError;
use super::assets::{Assets, Script};

/// A page to render, with the script variant it loads (written beside it).
pub struct PageJob {
    pub page: Page,
    pub script: Option<Arc<Script>>,
}

/// Pages per language: the index, two per form, three legal pages and the feedback page.
pub fn count(forms: usize) -> usize {
    1 + 2 * forms + Legal::ALL.len() + 1
}

/// The pages of municipality `m`'s `site` in `lang`.
pub fn plan(
    theme: &Theme,
    assets: &Assets,
    site: &Site,
    m: &LoadedMunicipality,
    forms: &[&ResolvedForm],
    lang: &str,
) -> Result<Vec<PageJob>, BuildError> {
    let frame = Frame::new(theme, site, lang)?;
    let mut jobs = Vec::with_capacity(count(forms.len()));
    let mut add = |page: Page, script: Option<Arc<Script>>| jobs.push(PageJob { page, script });
    let index = assets.script(&BTreeSet::from(["index"]))?;
    add(pages::index(&frame, forms, Some(&index.name)), Some(index));
    for form in forms {
        let script = assets.script(&script::form_parts(&form.form))?;
        add(
            pages::form(&frame, form, Some(&script.name), None)?,
            Some(script),
        );
        let confirmation = assets.script(&BTreeSet::from(["confirmation"]))?;
        add(
            pages::confirmation(&frame, form, Some(&confirmation.name)),
            Some(confirmation),
        );
    }
    for l in Legal::ALL {
        let markdown = m
            .pages
            .get(&(l.kind().to_string(), lang.to_string()))
            .map(|p| p.markdown.as_str());
        add(legal::page(&frame, l, markdown, forms), None);
    }
    add(pages::feedback(&frame), None);
    Ok(jobs)
}
