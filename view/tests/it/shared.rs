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

/// Copies the folder `from` to `to`.
fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Gives municipality `id`'s bulky waste entry the records `records`.
fn set_records(forms: &Path, id: &str, records: &str) {
    let path = forms
        .join("municipalities")
        .join(id)
        .join("municipality.yaml");
    let yaml = std::fs::read_to_string(&path).unwrap();
    let entry = "  - use: sperrmuell-anmeldung@1\n";
    assert!(yaml.contains(entry), "{id} publishes bulky waste");
    std::fs::write(
        &path,
        yaml.replacen(entry, &format!("{entry}    records: {records}\n"), 1),
    )
    .unwrap();
}

#[test]
fn municipalities_that_change_a_form_the_same_way_share_one_form_and_one_body_each_with_its_own_frame()
 {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    copy_dir(&repo().join("forms"), &forms);
    let same = r#"{ plan-key: "123.45", retention-years: 7 }"#;
    set_records(&forms, "gruenwiesen", same);
    set_records(&forms, "neustadt-am-see", same);
    set_records(
        &forms,
        "beispieldorf",
        r#"{ plan-key: "123.45", retention-years: 8 }"#,
    );
    let report = form_model::check(&forms);
    assert!(report.is_ok(), "{:?}", report.diagnostics);
    let bulky = |id: &str| {
        report
            .resolved
            .iter()
            .find(|r| r.form.id == "sperrmuell-anmeldung" && r.municipality.id == id)
            .unwrap()
    };
    let (a, b, other) = (
        bulky("gruenwiesen"),
        bulky("neustadt-am-see"),
        bulky("beispieldorf"),
    );
    assert!(
        Arc::ptr_eq(&a.form, &b.form),
        "changed the same way: one copy"
    );
    assert!(
        !Arc::ptr_eq(&a.form, &other.form),
        "changed otherwise: its own"
    );
    assert!(!Arc::ptr_eq(&a.form, &bulky("musterstadt").form));
    assert_ne!(
        a.sha256, b.sha256,
        "each municipality's form has its own hash"
    );

    let shared = Theme::load(&repo().join("site-templates")).unwrap();
    let mut pages = Vec::new();
    for r in [a, b, other] {
        let m = report
            .project
            .municipalities
            .iter()
            .find(|m| m.config.id == r.municipality.id)
            .unwrap()
            .config
            .clone();
        let html = render(&shared, &m, r);
        let alone = render(&Theme::load(&repo().join("site-templates")).unwrap(), &m, r);
        assert_eq!(html, alone, "{}", m.id);
        pages.push(html);
    }
    assert_eq!(shared.shared_bodies(), 2, "one body per distinct form");
    assert_ne!(pages[0], pages[1], "each site has its own frame");
}
