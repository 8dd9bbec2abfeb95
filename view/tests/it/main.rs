//! The view crate's integration tests, one binary (a module per concern).

mod components;
mod filled;
mod no_script;
mod pay_notice;
mod seo;
mod shared;
mod splice;

use std::path::{Path, PathBuf};

use form_model::model::Municipality;
use form_model::resolve::ResolvedForm;
use view::{Site, SiteAddress};

pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Musterstadt (de, en; it has a payment platform) and the forms it publishes, from the
/// repository's forms.
pub(crate) fn musterstadt() -> (Municipality, Vec<ResolvedForm>) {
    let report = form_model::check(&repo().join("forms"));
    let m = report
        .project
        .municipalities
        .iter()
        .find(|m| m.config.id == "musterstadt")
        .unwrap()
        .config
        .clone();
    let forms = report
        .resolved
        .into_iter()
        .filter(|f| f.municipality.id == "musterstadt")
        .collect();
    (m, forms)
}

/// Musterstadt's site; `elsewhere`: its pages served from elsewhere (the function's answer to a
/// post).
pub(crate) fn site(m: &Municipality, elsewhere: bool) -> Site<'_> {
    Site {
        municipality: m,
        endpoint: "https://api.musterstadt.example/v1".into(),
        endpoint_origin: "https://api.musterstadt.example".into(),
        assets: crate::assets(),
        dev_reload: false,
        address: SiteAddress {
            url: m.site_origin.clone(),
            origin: m.site_origin.clone(),
        },
        elsewhere,
    }
}

/// The assets a test site names (the files need not exist: the tests read the HTML).
fn assets() -> view::SiteAssets {
    view::SiteAssets {
        css: "site.css".into(),
        logo: None,
        combobox: "combobox.css".into(),
        index: "index.css".into(),
        confirmation: "confirmation.css".into(),
        sign_in: "sign-in.js".into(),
        fees: "fees.js".into(),
    }
}
