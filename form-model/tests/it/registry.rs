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
    assert_eq!(m.services_url("de"), format!("{}/", m.site_url));
    assert_eq!(m.services_url("en"), format!("{}/en/", m.site_url));
    assert_eq!(
        m.form_url("sperrmuell-anmeldung", "de"),
        format!("{}/sperrmuell-anmeldung/", m.site_url)
    );
    assert_eq!(
        m.form_url("sperrmuell-anmeldung", "en"),
        format!("{}/en/sperrmuell-anmeldung/", m.site_url)
    );
}

#[test]
fn the_registry_is_written_as_serde_writes_it_with_shared_forms_written_once() {
    let mut r = registry();
    // Entries sharing one form (as municipalities publishing a catalog form as it is do),
    // one of them with no service and one with no earlier versions listed.
    let mut shared = r.forms[0].clone();
    shared.municipality.id = "zweite".into();
    shared.service = None;
    r.forms.push(shared.clone());
    shared.municipality.id = "dritte".into();
    r.forms.push(shared);
    assert!(std::sync::Arc::ptr_eq(
        &r.forms[0].form,
        r.forms.last().map(|f| &f.form).unwrap()
    ));
    assert_eq!(r.to_json(), serde_json::to_string_pretty(&r).unwrap());
    r.earlier_versions.clear();
    assert_eq!(r.to_json(), serde_json::to_string_pretty(&r).unwrap());
}

#[test]
fn every_municipality_carries_its_contact_from_municipality_yaml() {
    let r = registry();
    let contact = r
        .municipality("musterstadt")
        .unwrap()
        .contact
        .as_ref()
        .expect("contact in the registry");
    assert_eq!(contact.name, "Stadt Musterstadt, Bürgerbüro");
    assert_eq!(contact.address, ["Rathausplatz 1", "35399 Musterstadt"]);
    assert_eq!(contact.phone.as_deref(), Some("+49 6409 8810-0"));
    assert_eq!(contact.email, "buergerbuero@musterstadt.example");
    assert!(r.municipalities.iter().all(|m| m.contact.is_some()));
    // Written in the registry's kebab-case, as municipality.yaml has it.
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    let written = json["municipalities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "musterstadt")
        .unwrap();
    assert_eq!(written["contact"]["phone"], "+49 6409 8810-0");
    assert_eq!(written["contact"]["address"][1], "35399 Musterstadt");
}

#[test]
fn a_registry_written_before_contacts_were_added_still_loads() {
    let mut r = registry();
    for m in &mut r.municipalities {
        m.contact = None;
    }
    let text = r.to_json();
    assert!(
        !text.contains("\"contact\""),
        "no contact key when there is none"
    );
    let back = Registry::from_json(&text).unwrap();
    assert!(back.municipalities.iter().all(|m| m.contact.is_none()));
    // An unknown key in a contact is still refused (deny_unknown_fields).
    let mut json: serde_json::Value = serde_json::from_str(&registry().to_json()).unwrap();
    json["municipalities"][0]["contact"]["fax"] = serde_json::json!("0641 1");
    assert!(matches!(
        Registry::from_json(&json.to_string()),
        Err(RegistryError::Shape(_))
    ));
}

#[test]
fn refuses_a_registry_whose_form_was_edited_by_hand() {
    let mut r = registry();
    std::sync::Arc::make_mut(&mut r.forms[0].form).retention_days = 1;
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
