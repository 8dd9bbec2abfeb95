//! A form that several municipalities publish as it is is rendered once per language and put
//! into each site's frame; every page is exactly the page rendered on its own.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use form_model::model::Municipality;
use view::{Frame, Site, SiteAddress, Theme, pages};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn site(m: &Municipality) -> Site<'_> {
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

fn render(theme: &Theme, m: &Municipality, form: &form_model::resolve::ResolvedForm) -> String {
    let site = site(m);
    let frame = Frame::new(theme, &site, "de").unwrap();
    theme
        .render(&pages::form(&frame, form, Some("site.js"), None).unwrap())
        .unwrap()
}

#[test]
fn a_form_published_as_it_is_by_several_sites_is_rendered_once_and_each_page_is_its_own() {
    let report = form_model::check(&repo().join("forms"));
    let bulky: Vec<_> = report
        .resolved
        .iter()
        .filter(|r| r.form.id == "sperrmuell-anmeldung")
        .collect();
    assert!(bulky.len() >= 3, "the sample sites publish bulky waste");
    assert!(
        bulky
            .windows(2)
            .all(|w| Arc::ptr_eq(&w[0].form, &w[1].form)),
        "published as it is, the form is one shared copy"
    );
    let config = |id: &str| {
        report
            .project
            .municipalities
            .iter()
            .find(|m| m.config.id == id)
            .unwrap()
            .config
            .clone()
    };
    let shared = Theme::load(&repo().join("site-templates")).unwrap();
    let mut pages = Vec::new();
    for r in &bulky {
        let m = config(&r.municipality.id);
        let html = render(&shared, &m, r);
        // The same page from a theme that has rendered nothing before.
        let alone = render(&Theme::load(&repo().join("site-templates")).unwrap(), &m, r);
        assert_eq!(html, alone, "{}", r.municipality.id);
        assert!(html.contains(&format!("https://api.{}.example/v1/{}/", m.id, m.id)));
        pages.push(html);
    }
    assert_eq!(
        shared.shared_bodies(),
        1,
        "one body for all sites in German"
    );
    assert!(
        pages.windows(2).all(|w| w[0] != w[1]),
        "each site has its own frame"
    );

    // A form changed by an overlay is a form of its own.
    let dog: Vec<_> = report
        .resolved
        .iter()
        .filter(|r| r.form.id == "hundesteuer-anmeldung")
        .collect();
    for r in &dog {
        render(&shared, &config(&r.municipality.id), r);
    }
    assert!(shared.shared_bodies() > 1);
}
