//! Pages spliced into a page of their kind rendered once with stand-ins are exactly the pages
//! tera renders for them alone, with the repository's templates and with templates that use
//! a value in ways a stand-in cannot show.

use std::collections::BTreeMap;

use form_model::model::Municipality;
use form_model::resolve::ResolvedForm;
use view::legal::{self, Legal};
use view::{Frame, Page, Site, SiteAddress, Theme, pages};

/// Every page of `m`'s site in every language.
fn site_pages(theme: &Theme, site: &Site, forms: &[&ResolvedForm]) -> Vec<Page> {
    let mut out = Vec::new();
    for lang in &site.municipality.languages {
        let frame = Frame::new(theme, site, lang).unwrap();
        out.push(pages::index(&frame, forms, Some("index.js")));
        for f in forms {
            out.push(pages::form(&frame, f, Some("site.js"), None).unwrap());
            out.push(pages::confirmation(&frame, f, Some("confirmation.js")));
        }
        for l in Legal::ALL {
            out.push(legal::page(&frame, l, Some("# Titel\n\nText."), forms));
        }
        out.push(pages::feedback(&frame));
    }
    out
}

fn site_of(m: &Municipality) -> Site<'_> {
    Site {
        municipality: m,
        endpoint: format!("https://api.{}.example/v1", m.id),
        endpoint_origin: format!("https://api.{}.example", m.id),
        assets: crate::assets(),
        dev_reload: false,
        address: SiteAddress {
            url: m.site_origin.clone(),
            origin: m.site_origin.clone(),
        },
        elsewhere: false,
    }
}

/// Renders every page of every sample site three times with `theme` (so that pages of one
/// kind are spliced), each time comparing it with the page rendered by a theme made by
/// `fresh` that has rendered nothing else. Returns how many pages `theme` spliced.
fn every_page_is_its_own(theme: &Theme, fresh: &dyn Fn() -> Theme) -> usize {
    let report = form_model::check(&crate::repo().join("forms"));
    let mut alone: BTreeMap<(String, std::path::PathBuf), String> = BTreeMap::new();
    for round in 0..3 {
        for loaded in &report.project.municipalities {
            let m = &loaded.config;
            let forms: Vec<&ResolvedForm> = report
                .resolved
                .iter()
                .filter(|f| f.municipality.id == m.id)
                .collect();
            let site = site_of(m);
            for page in site_pages(theme, &site, &forms) {
                let html = theme.render(&page).unwrap();
                let key = (m.id.clone(), page.path.clone());
                let expected = alone.entry(key).or_insert_with(|| {
                    let fresh = fresh();
                    let again = site_pages(&fresh, &site, &forms);
                    let same = again.iter().find(|p| p.path == page.path).unwrap();
                    fresh.render(same).unwrap()
                });
                assert!(
                    html == *expected,
                    "round {round}, {} {}",
                    m.id,
                    page.path.display()
                );
            }
        }
    }
    theme.spliced_pages()
}

#[test]
fn spliced_pages_of_the_sample_sites_are_the_pages_tera_renders() {
    let load = || Theme::load(&crate::repo().join("site-templates")).unwrap();
    let spliced = every_page_is_its_own(&load(), &load);
    assert!(spliced > 50, "{spliced} pages spliced");
}

#[test]
fn a_value_a_template_compares_filters_or_indexes_decides_which_pages_share_a_rendering() {
    let base = Theme::load(&crate::repo().join("site-templates")).unwrap();
    let mut templates = base.templates().clone();
    // The municipality's name compared, a title filtered, a text indexed by a value, a list
    // looped over by a macro given a value made of two: none of them a plain stand-in.
    let feedback = templates.get_mut("pages/feedback.html").unwrap();
    *feedback = feedback.replace(
        "{% block content %}",
        "{% block content %}{% if site.name == \"Musterstadt\" %}<p>M</p>{% endif %}\
         <p>{{ page.title | upper }} {{ t[site.lang] | default(value=\"-\") }} \
         {{ site.name ~ page.lang }}</p>{% set n = page.description %}<p>{{ n }}</p>",
    );
    let make = || {
        Theme::from_sources(
            templates.clone(),
            view::theme::site_strings(),
            "test".into(),
        )
        .unwrap()
    };
    let theme = make();
    let spliced = every_page_is_its_own(&theme, &make);
    assert!(spliced > 0, "the other pages are still spliced");
}

#[test]
fn a_theme_keeping_few_renderings_splices_only_into_those_and_renders_every_other_page_alike() {
    let load = || Theme::load(&crate::repo().join("site-templates")).unwrap();
    let unbounded = every_page_is_its_own(&load(), &load);
    let bounded = every_page_is_its_own(&load().keeping_spliced_renderings(1), &load);
    assert!(
        bounded > 0 && bounded < unbounded,
        "one rendering kept: {bounded} pages spliced, against {unbounded} with the default"
    );
}
