//! The registry the function loads: built from `check`, round-trips, and refuses to load when
//! it was tampered with or is inconsistent.

use std::path::Path;

use form_model::registry::{Registry, RegistryError, RegistryIndex, ServedRegistry};

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
fn a_registry_written_from_its_parts_one_at_a_time_is_the_registry_serde_writes() {
    let mut r = registry();
    let from_parts = |r: &Registry| {
        let mut out = Vec::new();
        form_model::registry::write_json_from(
            &mut out,
            r.municipalities.iter().cloned().map(Ok),
            r.forms.iter().map(Ok),
            r.earlier_versions.iter().map(Ok),
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    };
    assert!(!r.earlier_versions.is_empty());
    assert_eq!(from_parts(&r), serde_json::to_string_pretty(&r).unwrap());
    r.earlier_versions.clear();
    assert_eq!(from_parts(&r), serde_json::to_string_pretty(&r).unwrap());
    r.forms.clear();
    r.municipalities.clear();
    assert_eq!(from_parts(&r), serde_json::to_string_pretty(&r).unwrap());
    // A part that cannot be read fails the writing.
    let failed = form_model::registry::write_json_from(
        Vec::new(),
        std::iter::once(Err::<form_model::registry::RegistryMunicipality, _>(
            std::io::Error::other("gone"),
        )),
        r.forms.iter().map(Ok),
        r.earlier_versions.iter().map(Ok),
    );
    assert!(failed.is_err());
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

/// The registry's JSON with `edit` applied to it.
fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut json: serde_json::Value = serde_json::from_str(&registry().to_json()).unwrap();
    edit(&mut json);
    json.to_string()
}

#[test]
fn the_served_registry_reads_each_form_on_its_first_lookup_as_the_whole_registry_has_it() {
    let r = registry();
    let served = ServedRegistry::from_json(&r.to_json()).unwrap();
    assert_eq!(served.form_count(), r.forms.len());
    assert_eq!(served.municipalities, r.municipalities);
    assert_eq!(served.earlier_versions, r.earlier_versions);
    assert!(served.published_forms().eq(r.published_forms()));
    for f in &r.forms {
        let found = served.form(&f.municipality.id, &f.form.id).unwrap();
        assert_eq!(found, f);
        // Remembered: the same form again, not parsed anew.
        assert!(std::ptr::eq(
            found,
            served.form(&f.municipality.id, &f.form.id).unwrap()
        ));
    }
    assert!(served.lookup("musterstadt", "gibt-es-nicht").is_none());
    assert!(served.municipality("musterstadt").is_some());
    // A registry with its forms parsed already serves the same.
    let given = ServedRegistry::from(r.clone());
    assert!(given.published_forms().eq(r.published_forms()));
    assert_eq!(
        given.form("musterstadt", "sperrmuell-anmeldung"),
        r.form("musterstadt", "sperrmuell-anmeldung")
    );
}

#[test]
fn a_served_registry_whose_one_form_is_not_a_form_loads_and_refuses_only_that_form() {
    let text = edited(|json| json["forms"][0]["form"]["version"] = "eins".into());
    let r = registry();
    let broken = &r.forms[0];
    let served = ServedRegistry::from_json(&text).expect("starts");
    for _ in 0..2 {
        let err = served
            .lookup(&broken.municipality.id, &broken.form.id)
            .unwrap()
            .unwrap_err();
        assert!(matches!(err, RegistryError::FormShape { .. }), "{err}");
        assert!(err.to_string().contains("invalid type"), "{err}");
    }
    assert!(
        served
            .form(&broken.municipality.id, &broken.form.id)
            .is_none()
    );
    for f in &r.forms[1..] {
        assert!(served.form(&f.municipality.id, &f.form.id).is_some());
    }
}

#[test]
fn a_served_registry_refuses_a_form_edited_by_hand_on_its_first_lookup() {
    let mut r = registry();
    std::sync::Arc::make_mut(&mut r.forms[0].form).retention_days = 1;
    let served = ServedRegistry::from_json(&r.to_json()).expect("loads without hashing");
    let f = &r.forms[0];
    let err = served
        .lookup(&f.municipality.id, &f.form.id)
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, RegistryError::Hash { .. }), "{err}");
    assert!(
        served
            .form(&r.forms[1].municipality.id, &r.forms[1].form.id)
            .is_some()
    );
}

#[test]
fn a_served_registry_still_refuses_at_start_what_needs_no_form_parsed() {
    let load = |text: &str| ServedRegistry::from_json(text).map(|_| ());
    let r = registry();
    let mut twice = r.clone();
    twice.forms.push(r.forms[0].clone());
    assert!(matches!(
        load(&twice.to_json()),
        Err(RegistryError::Duplicate { .. })
    ));
    let mut dangling = r.clone();
    let m = dangling.forms[0].municipality.id.clone();
    dangling.municipalities.retain(|x| x.id != m);
    assert!(matches!(
        load(&dangling.to_json()),
        Err(RegistryError::UnknownMunicipality { .. })
    ));
    let mut two = r.clone();
    two.municipalities.push(r.municipalities[0].clone());
    assert!(matches!(
        load(&two.to_json()),
        Err(RegistryError::DuplicateMunicipality(_))
    ));
    let mut other = r.clone();
    other.format = "formfabrik.registry/99".into();
    assert!(matches!(
        load(&other.to_json()),
        Err(RegistryError::Format { .. })
    ));
    // An entry whose ids cannot be read, a member the registry does not have, no JSON.
    let no_id = edited(|json| {
        json["forms"][0]["form"]
            .as_object_mut()
            .unwrap()
            .remove("id");
    });
    assert!(matches!(load(&no_id), Err(RegistryError::Shape(_))));
    let unknown = edited(|json| json["extra"] = true.into());
    assert!(matches!(load(&unknown), Err(RegistryError::Shape(_))));
    assert!(matches!(load("{ not json"), Err(RegistryError::Shape(_))));
}
