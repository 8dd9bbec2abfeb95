//! The deployment template `submit-fn template` writes: the sign-in and payment routes, CORS
//! with credentials for exact origins only, the secrets by exact ARN (never a value), the
//! scheduled reconciliation; and cfn-lint (the version `scripts/test` installs into
//! `.tools/py`) passes it, for `forms/` and for payment secrets in SSM and Secrets Manager.

use form_model::registry::Registry;
use serde_yaml::Value;
use test_support::repo;

fn registry() -> Registry {
    let report = form_model::check(&repo().join("forms"));
    assert!(report.is_ok(), "{}", report.summary());
    Registry::build(&report, |m| m.site_origin.clone())
}

/// Musterstadt's payment platform with its client secret in SSM and its CA in Secrets Manager.
fn with_aws_secrets(mut registry: Registry) -> Registry {
    let m = registry
        .municipalities
        .iter_mut()
        .find(|m| m.id == "musterstadt")
        .unwrap();
    let platform = &mut m.payment.as_mut().expect("Musterstadt takes fees").platform;
    let oauth2 = platform.auth.oauth2.as_mut().unwrap();
    oauth2.client_secret.env = None;
    oauth2.client_secret.aws_ssm_parameter =
        Some("/formfabrik/musterstadt/payment-client-secret".into());
    platform.ca_certificate = Some(
        serde_json::from_value(
            serde_json::json!({ "aws-secrets-manager": "formfabrik/musterstadt/payment-ca" }),
        )
        .unwrap(),
    );
    registry
}

fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => &t.value,
        other => other,
    }
}

fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| {
        untag(v)
            .get(k)
            .unwrap_or_else(|| panic!("no {k} in the template at {path:?}"))
    })
}

fn strings(v: &Value) -> Vec<String> {
    match untag(v) {
        Value::Sequence(items) => items.iter().flat_map(strings).collect(),
        Value::String(s) => vec![s.clone()],
        other => panic!("not a string: {other:?}"),
    }
}

/// The statements of a function's role, by `Sid`.
fn statement<'a>(template: &'a Value, function: &str, sid: &str) -> Option<&'a Value> {
    let policies = at(template, &["Resources", function, "Properties", "Policies"]);
    policies
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|p| p["Statement"].as_sequence().unwrap())
        .find(|s| s["Sid"].as_str() == Some(sid))
}

fn cfn_lint(text: &str) {
    let bin = repo().join(".tools/py/bin/cfn-lint");
    assert!(
        bin.exists(),
        "cfn-lint is not installed at {}; run scripts/test once (it installs the test tools)",
        bin.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, text).unwrap();
    let out = std::process::Command::new(bin).arg(&path).output().unwrap();
    assert!(
        out.status.success(),
        "cfn-lint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sign_in_and_payment_routes_reach_the_function_with_credentials_for_exact_origins_only() {
    let registry = registry();
    let text = submit_fn::sam_template::template(&registry, "../target/lambda/submit-fn/");
    let t: Value = serde_yaml::from_str(&text).unwrap();
    let cors = at(
        &t,
        &[
            "Resources",
            "SubmissionApi",
            "Properties",
            "CorsConfiguration",
        ],
    );
    assert_eq!(cors["AllowCredentials"], Value::Bool(true));
    let mut origins: Vec<String> = registry
        .municipalities
        .iter()
        .map(|m| m.site_origin.trim_end_matches('/').to_string())
        .collect();
    origins.sort();
    assert_eq!(strings(&cors["AllowOrigins"]), origins);
    assert!(origins.iter().all(|o| o.starts_with("https://")));

    let events = at(&t, &["Resources", "SubmitFunction", "Properties", "Events"]);
    for (event, method, path) in [
        ("SignIn", "GET", "/v1/{municipality}/auth/{action}"),
        ("SignInPost", "POST", "/v1/{municipality}/auth/{action}"),
        (
            "PaymentReturn",
            "GET",
            "/v1/{municipality}/payment/{id}/return",
        ),
        (
            "PaymentButtons",
            "POST",
            "/v1/{municipality}/payment/{id}/{action}",
        ),
    ] {
        let p = &events[event]["Properties"];
        assert_eq!(p["Method"].as_str(), Some(method), "{event}");
        assert_eq!(p["Path"].as_str(), Some(path), "{event}");
        // Every route the template opens is one the function answers, and the payment
        // buttons' route takes each of the buttons' actions.
        let actions: &[&str] = if event.starts_with("Sign") {
            &["login"]
        } else {
            &["retry", "cancel", "without-payment"]
        };
        for action in actions {
            let concrete = path
                .replace("{municipality}", "musterstadt")
                .replace("{id}", "6f1c5e1e-6b43-4c1b-9d0e-1d2f3a4b5c6d")
                .replace("{action}", action);
            assert!(
                submit_fn::auth::route(&concrete).is_some()
                    || submit_fn::payment::route(&concrete).is_some(),
                "{concrete}"
            );
        }
    }

    let env = at(
        &t,
        &[
            "Resources",
            "SubmitFunction",
            "Properties",
            "Environment",
            "Variables",
        ],
    );
    assert_eq!(env["FORMFABRIK_SIGN_IN"].as_str(), Some("sign-in.json"));
    assert_eq!(strings(&env["FORMFABRIK_SECRETS"]), ["ssm:${SecretsPath}"]);
    // Sign-in's secrets: exactly these parameters (Musterstadt offers sign-in).
    let p = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${SecretsPath}";
    let read = statement(&t, "SubmitFunction", "ReadSignInParameters").unwrap();
    assert_eq!(read["Action"].as_str(), Some("ssm:GetParameter"));
    let mut expected: Vec<String> = [
        "musterstadt/oidc-client-private-key",
        "musterstadt/oidc-client-secret",
        "oidc-client-private-key",
        "oidc-client-secret",
        "session-keys",
    ]
    .iter()
    .map(|n| format!("{p}/{n}"))
    .collect();
    expected.sort();
    assert_eq!(strings(&read["Resource"]), expected);
    // Musterstadt's payment secret is an environment variable: named in a note, not granted.
    assert!(text.contains("# Note: musterstadt: the payment platform's environment variable FORMFABRIK_PAYMENT_MUSTERSTADT_CLIENT_SECRET cannot be read on Lambda"), "{text}");
    assert!(statement(&t, "SubmitFunction", "ReadPaymentPlatformParameters").is_none());

    // The scheduled reconciliation: the same bootstrap in reconcile mode, on a schedule.
    let r = at(&t, &["Resources", "ReconcileFunction", "Properties"]);
    assert_eq!(
        r["Environment"]["Variables"]["FORMFABRIK_LAMBDA"].as_str(),
        Some("reconcile")
    );
    assert_eq!(r["Events"]["Scheduled"]["Type"].as_str(), Some("Schedule"));
    assert_eq!(
        r["CodeUri"],
        at(
            &t,
            &["Resources", "SubmitFunction", "Properties", "CodeUri"]
        )
        .clone()
    );
    assert!(statement(&t, "ReconcileFunction", "ReadSignInParameters").is_none());
    assert!(statement(&t, "ReconcileFunction", "DeleteUnpaid").is_some());
    // The submission function deletes drafts and staged uploads only, never a submission.
    let deletes: Vec<String> =
        t["Resources"]["SubmitFunction"]["Properties"]["Policies"][0]["Statement"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter(|s| strings(&s["Action"]).iter().any(|a| a == "s3:DeleteObject"))
            .flat_map(|s| strings(&s["Resource"]))
            .collect();
    assert_eq!(
        deletes,
        [
            "${SubmissionsBucket.Arn}/${StoragePrefix}/_drafts/*",
            "${SubmissionsBucket.Arn}/${StoragePrefix}/_staging/*"
        ]
    );

    cfn_lint(&text);
}

#[test]
fn payment_secrets_in_ssm_and_secrets_manager_are_granted_by_exact_arn_and_pass_cfn_lint() {
    let registry = with_aws_secrets(registry());
    let text = submit_fn::sam_template::template(&registry, "../target/lambda/submit-fn/");
    assert!(!text.contains("# Note:"), "{text}");
    let t: Value = serde_yaml::from_str(&text).unwrap();
    for function in ["SubmitFunction", "ReconcileFunction"] {
        let ssm = statement(&t, function, "ReadPaymentPlatformParameters").unwrap();
        assert_eq!(ssm["Action"].as_str(), Some("ssm:GetParameter"));
        assert_eq!(
            strings(&ssm["Resource"]),
            [
                "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/formfabrik/musterstadt/payment-client-secret"
            ]
        );
        let sm = statement(&t, function, "ReadPaymentPlatformSecrets").unwrap();
        assert_eq!(sm["Action"].as_str(), Some("secretsmanager:GetSecretValue"));
        assert_eq!(
            strings(&sm["Resource"]),
            [
                "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:formfabrik/musterstadt/payment-ca-??????"
            ]
        );
    }
    cfn_lint(&text);
}
