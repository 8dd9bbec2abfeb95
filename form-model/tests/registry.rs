//! The registry the function loads: built from `check`, round-trips, and refuses to load when
//! it was tampered with or is inconsistent.

use std::path::Path;

use form_model::registry::{Registry, RegistryError};

fn registry() -> Registry {
    let forms = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms");
    let report = form_model::check(&forms);
    Registry::build(&report, |m| m.site_origin.clone())
}

#[test]
fn registry_round_trips_and_finds_forms_and_urls() {
    let r = registry();
    let back = Registry::from_json(&r.to_json()).unwrap();
    assert_eq!(back, r);
    assert!(back.form("musterstadt", "hundesteuer-anmeldung").is_some());
    assert!(back.form("musterstadt", "gibt-es-nicht").is_none());
    let m = back.municipality("musterstadt").unwrap();
    assert_eq!(
        m.confirmation_url("sperrmuell-anmeldung", "de", "MUS-2026-7K3F9Q"),
        format!(
            "{}/sperrmuell-anmeldung/danke/?ref=MUS-2026-7K3F9Q",
            m.site_url
        )
    );
    assert_eq!(
        m.form_url("sperrmuell-anmeldung", "en"),
        format!("{}/en/sperrmuell-anmeldung/", m.site_url)
    );
}

#[test]
fn refuses_a_registry_whose_form_was_edited_by_hand() {
    let mut r = registry();
    r.forms[0].form.retention_days = 1;
    let err = Registry::from_json(&r.to_json()).unwrap_err();
    assert!(matches!(err, RegistryError::Hash { .. }), "{err}");
}

#[test]
fn refuses_unknown_format_and_dangling_municipality() {
    let mut r = registry();
    r.format = "formfabrik.registry/99".into();
    assert!(matches!(
        Registry::from_json(&r.to_json()),
        Err(RegistryError::Format { .. })
    ));
    let mut r = registry();
    r.municipalities.retain(|m| m.id != "musterstadt");
    assert!(matches!(
        Registry::from_json(&r.to_json()),
        Err(RegistryError::UnknownMunicipality { .. })
    ));
    assert!(matches!(
        Registry::from_json("{ not json"),
        Err(RegistryError::Shape(_))
    ));
}
