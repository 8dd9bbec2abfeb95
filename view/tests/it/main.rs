//! The view crate's integration tests, one binary (a module per concern).

mod components;
mod filled;
mod seo;
mod shared;

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
