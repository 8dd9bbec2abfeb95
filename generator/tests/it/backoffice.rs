//! What the build and `formfabrik keygen` give the back office: the bucket's lifecycle rules
//! from the forms' retention, and a key pair whose public half the function then encrypts with.

use crate::common;
use std::fs;
use std::path::PathBuf;

use generator::cmd::keygen::{KeygenError, KeygenOptions, keygen};
use serde_json::Value;

use crate::common::repo;

#[test]
fn the_build_writes_lifecycle_rules_from_each_forms_retention_matching_the_template_and_csv_column_specs()
 {
    let out = common::built_as_published();
    let text = fs::read_to_string(out.path().join("function/registry.json")).unwrap();
    let registry = form_model::registry::Registry::from_json(&text).unwrap();
    let lifecycle: Value = serde_json::from_str(
        &fs::read_to_string(out.path().join("function/lifecycle.json")).unwrap(),
    )
    .unwrap();
    let rules = lifecycle["Rules"].as_array().unwrap();
    let template = fs::read_to_string(repo().join("submit-fn/template.yaml")).unwrap();
    for f in &registry.forms {
        let prefix = format!(
            "submissions/{}/{}/v{}/",
            f.municipality.id, f.form.id, f.form.version
        );
        let rule = rules
            .iter()
            .find(|r| r["Filter"]["Prefix"] == prefix.as_str())
            .unwrap_or_else(|| panic!("no rule for {prefix}"));
        assert_eq!(
            rule["Expiration"]["Days"], f.form.retention_days,
            "{prefix}"
        );
        assert_eq!(rule["Status"], "Enabled");
        // The SAM template carries the same rule.
        let in_template = format!(
            "Prefix: !Sub \"${{StoragePrefix}}/{}/{}/v{}/\"\n            ExpirationInDays: {}\n",
            f.municipality.id, f.form.id, f.form.version, f.form.retention_days
        );
        assert!(template.contains(&in_template), "template lacks {prefix}");
        // The importer contract's CSV column spec is published next to the schema.
        let spec: Value = serde_json::from_str(
            &fs::read_to_string(out.path().join(format!(
                "schemas/{}/{}/v{}.csv-columns.json",
                f.municipality.id, f.form.id, f.form.version
            )))
            .unwrap(),
        )
        .unwrap();
        let schema = form_model::schema::json_schema(f);
        assert_eq!(spec, inbox::contract::column_spec(&schema));
    }
    // Claims, leases, acks and reports of each municipality outlive its longest-kept form.
    for m in &registry.municipalities {
        let longest = registry
            .forms
            .iter()
            .filter(|f| f.municipality.id == m.id)
            .map(|f| f.form.retention_days)
            .max()
            .unwrap();
        for kind in ["_claims", "_leases", "_acks", "_reports"] {
            let prefix = format!("submissions/{kind}/{}/", m.id);
            let rule = rules
                .iter()
                .find(|r| r["Filter"]["Prefix"] == prefix.as_str())
                .unwrap_or_else(|| panic!("no rule for {prefix}"));
            assert_eq!(rule["Expiration"]["Days"], longest);
        }
    }
    // Drafts of signed-in citizens go after the configured days (the template's parameter,
    // whose default the build's configuration uses).
    let drafts = rules
        .iter()
        .find(|r| r["Filter"]["Prefix"] == "submissions/_drafts/")
        .expect("no rule for the drafts");
    assert_eq!(drafts["Expiration"]["Days"], store::drafts::DEFAULT_DAYS);
    assert!(template.contains(
        "Prefix: !Sub \"${StoragePrefix}/_drafts/\"\n            ExpirationInDays: !Ref DraftRetentionDays\n"
    ));
    assert!(template.contains(&format!(
        "DraftRetentionDays:\n    Type: Number\n    Default: {}\n",
        store::drafts::DEFAULT_DAYS
    )));
    // Earlier versions still hold records (Grünwiesen publishes the dog tax form as v3; what
    // was submitted under v1 and v2 stays until its retention ends): each has its rule too.
    for v in [1, 2] {
        let prefix = format!("submissions/gruenwiesen/hundesteuer-anmeldung/v{v}/");
        let rule = rules
            .iter()
            .find(|r| r["Filter"]["Prefix"] == prefix.as_str())
            .unwrap_or_else(|| panic!("no rule for the earlier version {prefix}"));
        let published = registry
            .form("gruenwiesen", "hundesteuer-anmeldung")
            .unwrap();
        assert!(
            rule["Expiration"]["Days"].as_u64().unwrap()
                >= u64::from(published.form.retention_days)
        );
    }
    let earlier = registry
        .earlier_versions
        .iter()
        .filter(|e| {
            !registry.forms.iter().any(|f| {
                f.municipality.id == e.municipality
                    && f.form.id == e.form
                    && f.form.version == e.version
            })
        })
        .count();
    assert!(earlier > 0);
    assert_eq!(
        rules.len(),
        // abort-incomplete-multipart-uploads, _staging and _drafts, then forms, versions, and
        // per municipality _claims, _leases, _acks, _reports, _payments
        3 + registry.forms.len() + earlier + 5 * registry.municipalities.len()
    );
    let expected =
        submit_fn::sam_template::template(&registry, submit_fn::sam_template::DEFAULT_CODE_URI);
    assert_eq!(template, expected, "submit-fn/template.yaml is out of date");
}

#[test]
fn keygen_publishes_the_public_key_and_keeps_the_private_key_private_and_outside_dist() {
    let tmp = tempfile::tempdir().unwrap();
    let forms = tmp.path().join("forms");
    common::copy_dir(&repo().join("forms"), &forms);
    let dist = tmp.path().join("dist");
    let opts = |private_out: PathBuf| KeygenOptions {
        forms_dir: forms.clone(),
        municipality: "beispieldorf".into(),
        private_out: Some(private_out),
        dist_dir: dist.clone(),
        rotate: false,
    };
    let err = keygen(&opts(dist.join("function/k.private.jwk"))).unwrap_err();
    assert!(matches!(err, KeygenError::Unsafe(..)), "{err}");
    let err = keygen(&opts(forms.join("k.private.jwk"))).unwrap_err();
    assert!(matches!(err, KeygenError::Unsafe(..)), "{err}");

    let private = tmp.path().join("keys/beispieldorf.private.jwk");
    let report = keygen(&opts(private.clone())).unwrap();
    assert!(report.yaml_updated);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Never over an existing key.
    let err = keygen(&opts(private.clone())).unwrap_err();
    assert!(matches!(err, KeygenError::Exists(_)), "{err}");

    // The forms still check, and the registry carries the public key for the function.
    let report = form_model::check(&forms);
    assert!(report.is_ok(), "{}", report.summary());
    let registry = form_model::registry::Registry::build(&report, |m| m.site_origin.clone());
    let key = registry
        .municipality("beispieldorf")
        .unwrap()
        .encryption_key
        .clone()
        .expect("key in registry");
    assert!(key.get("d").is_none(), "public only");
    assert_eq!(store::crypto::check_public_key(&key).unwrap(), 4096);
    assert!(
        registry
            .municipality("musterstadt")
            .unwrap()
            .encryption_key
            .is_none()
    );
    // What the function encrypts with it, the private key opens.
    let private: Value = serde_json::from_str(&fs::read_to_string(&private).unwrap()).unwrap();
    let jwe = store::crypto::Encryptor::from_jwk(&key)
        .unwrap()
        .encrypt(b"x", "text/plain")
        .unwrap();
    let opened = store::crypto::Decryptor::from_jwk(&private)
        .unwrap()
        .decrypt(jwe.as_bytes())
        .unwrap();
    assert_eq!(opened.payload, b"x");
}

#[test]
fn keygen_rotate_publishes_a_new_key_with_a_new_kid_and_the_old_private_key_still_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let forms = tmp.path().join("forms");
    common::copy_dir(&repo().join("forms"), &forms);
    let keys = tmp.path().join("keys");
    let opts = |private_out: PathBuf, rotate: bool| KeygenOptions {
        forms_dir: forms.clone(),
        municipality: "beispieldorf".into(),
        private_out: Some(private_out),
        dist_dir: tmp.path().join("dist"),
        rotate,
    };
    let err = keygen(&opts(keys.join("x.private.jwk"), true)).unwrap_err();
    assert!(matches!(err, KeygenError::NothingToRotate(_)), "{err}");
    let old_private = keys.join("beispieldorf.private.jwk");
    let first = keygen(&opts(old_private.clone(), false)).unwrap();
    let public_path = forms.join("municipalities/beispieldorf/encryption-key.jwk.json");
    let read =
        |p: &PathBuf| -> Value { serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap() };
    let old_public = read(&public_path);
    let old_private_text = fs::read_to_string(&old_private).unwrap();
    let seal = |public: &Value, text: &[u8]| {
        store::crypto::Encryptor::from_jwk(public)
            .unwrap()
            .encrypt(text, "text/plain")
            .unwrap()
    };
    let sealed_old = seal(&old_public, b"vorher");

    // Rotation: a new key pair under a new kid (also on the same day), the old private key
    // untouched, municipality.yaml still naming the published file.
    let rotated = keygen(&opts(keys.join("beispieldorf-2.private.jwk"), true)).unwrap();
    assert_eq!(rotated.replaced_kid.as_deref(), Some(first.kid.as_str()));
    assert_ne!(rotated.kid, first.kid);
    let new_public = read(&public_path);
    assert_eq!(new_public["kid"], rotated.kid.as_str());
    assert_eq!(fs::read_to_string(&old_private).unwrap(), old_private_text);
    assert!(!rotated.yaml_updated);
    let report = form_model::check(&forms);
    assert!(report.is_ok(), "{}", report.summary());
    let sealed_new = seal(&new_public, b"nachher");

    // The folder of both keys reads both; the new key alone names the kid it lacks.
    let both = inbox::keys::read(std::slice::from_ref(&keys)).unwrap();
    assert_eq!(
        both.decrypt(sealed_old.as_bytes()).unwrap().payload,
        b"vorher"
    );
    assert_eq!(
        both.decrypt(sealed_new.as_bytes()).unwrap().payload,
        b"nachher"
    );
    let only_new = inbox::keys::read(&[keys.join("beispieldorf-2.private.jwk")]).unwrap();
    let err = only_new.decrypt(sealed_old.as_bytes()).unwrap_err();
    assert!(err.to_string().contains(&first.kid), "{err}");
}

#[test]
fn lint_refuses_an_encryption_key_that_is_private_or_too_short_with_a_position() {
    let tmp = tempfile::tempdir().unwrap();
    let forms = tmp.path().join("forms");
    common::copy_dir(&repo().join("forms"), &forms);
    let dir = forms.join("municipalities/neustadt-am-see");
    let yaml = dir.join("municipality.yaml");
    let mut text = fs::read_to_string(&yaml).unwrap();
    text.push_str("encryption-key: key.jwk.json\n");
    fs::write(&yaml, text).unwrap();
    let private: Value = serde_json::from_str(
        &fs::read_to_string(repo().join("tests/fixtures/keys/TEST-ONLY-private.jwk.json")).unwrap(),
    )
    .unwrap();
    let mut short = private.clone();
    short.as_object_mut().unwrap().remove("d");
    short["n"] = Value::String(private["n"].as_str().unwrap()[..342].to_string());
    for (key, expected) in [
        (private, "private key"),
        (short, "2048 bits"),
        (serde_json::json!({"kty": "EC"}), "not an RSA JWK"),
    ] {
        fs::write(dir.join("key.jwk.json"), key.to_string()).unwrap();
        let report = form_model::check(&forms);
        assert!(!report.is_ok());
        let rendered = generator::check::render(&report, "en");
        assert!(rendered.contains(expected), "{rendered}");
        assert!(
            rendered.contains("municipality.yaml:"),
            "positioned: {rendered}"
        );
    }
}
