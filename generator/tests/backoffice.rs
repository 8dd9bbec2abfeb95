//! What the build and `formfabrik keygen` give the back office: the bucket's lifecycle rules
//! from the forms' retention, and a key pair whose public half the function then encrypts with.

mod common;

use std::fs;
use std::path::PathBuf;

use generator::cmd::keygen::{KeygenError, KeygenOptions, keygen};
use serde_json::Value;

use common::repo;

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
    // Claims, leases and acks of each municipality outlive its longest-kept form.
    for m in &registry.municipalities {
        let longest = registry
            .forms
            .iter()
            .filter(|f| f.municipality.id == m.id)
            .map(|f| f.form.retention_days)
            .max()
            .unwrap();
        for kind in ["_claims", "_leases", "_acks"] {
            let prefix = format!("submissions/{kind}/{}/", m.id);
            let rule = rules
                .iter()
                .find(|r| r["Filter"]["Prefix"] == prefix.as_str())
                .unwrap_or_else(|| panic!("no rule for {prefix}"));
            assert_eq!(rule["Expiration"]["Days"], longest);
        }
    }
    assert_eq!(
        rules.len(),
        1 + registry.forms.len() + 3 * registry.municipalities.len()
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
        let rendered = generator::check::render(&report);
        assert!(rendered.contains(expected), "{rendered}");
        assert!(
            rendered.contains("municipality.yaml:"),
            "positioned: {rendered}"
        );
    }
}
