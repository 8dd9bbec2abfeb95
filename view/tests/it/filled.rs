//! A form post the function cannot accept comes back as the form page itself: the error
//! summary on top, each problem at its question, every answer in its place, and a word at each
//! file question that the file must be chosen again. The answers and problems here are what
//! form-model makes of a real post (`form_post::decode`, `validate`), as in the function.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use form_model::form_post;
use form_model::model::{Form, Municipality};
use form_model::resolve::{MunicipalityRef, ResolvedForm};
use form_model::validate::{ErrorCode, FieldError, validate};
use regex::Regex;
use serde_json::{Map, Value, json};
use view::filled::Filled;
use view::{Frame, Site, SiteAddress, Theme, pages};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn form() -> ResolvedForm {
    let countries: String = (1..=20)
        .map(|i| format!("{{ value: c{i}, label: {{ de: Land {i} }} }}, "))
        .collect();
    let yaml = format!(
        r#"
id: probe
version: 1
title: {{ de: Probe }}
purpose: {{ de: Probe }}
legal-basis: {{ de: Probe }}
retention-days: 1
steps:
  - id: a
    title: {{ de: Angaben }}
    fields:
      - {{ id: name, type: text, label: {{ de: Name }}, min-length: 2, hint: {{ de: Wie im Ausweis }} }}
      - id: kind
        type: radios
        label: {{ de: Art }}
        options: [ {{ value: ja, label: {{ de: Ja }} }}, {{ value: nein, label: {{ de: Nein }} }} ]
      - id: classes
        type: checkboxes
        label: {{ de: Klassen }}
        options: [ {{ value: A, label: {{ de: A }} }}, {{ value: B, label: {{ de: B }} }}, {{ value: BE, label: {{ de: BE }} }} ]
      - {{ id: anschrift, type: address, label: {{ de: Anschrift }} }}
      - {{ id: permit, type: file, label: {{ de: Erlaubnis }}, accept: [application/pdf] }}
      - id: laender
        type: checkboxes
        label: {{ de: Länder }}
        options: [ {countries} ]
      - id: hunde
        type: group
        label: {{ de: Hund }}
        repeat: {{ min: 1 }}
        fields:
          - {{ id: hundename, type: text, label: {{ de: Name des Hundes }}, required: true }}
          - {{ id: rasse, type: text, label: {{ de: Rasse }} }}
"#
    );
    let form: Form = serde_yaml::from_str(&yaml).unwrap();
    ResolvedForm::new(
        MunicipalityRef {
            id: "musterstadt".into(),
            name: "Musterstadt".into(),
            ags: "00000000".into(),
        },
        vec!["de".into()],
        form,
    )
}

fn municipality() -> Municipality {
    let report = form_model::check(&repo().join("forms"));
    report
        .project
        .municipalities
        .into_iter()
        .find(|m| m.config.id == "musterstadt")
        .unwrap()
        .config
}

fn site(m: &Municipality) -> Site<'_> {
    Site {
        municipality: m,
        endpoint: "https://api.example/v1".into(),
        endpoint_origin: "https://api.example".into(),
        assets: crate::assets(),
        dev_reload: false,
        address: SiteAddress {
            url: "https://formulare.example".into(),
            origin: "https://formulare.example".into(),
        },
        elsewhere: false,
    }
}

/// What the function gets from a browser that posts the page as filled in below.
fn post(form: &ResolvedForm) -> (Map<String, Value>, Vec<FieldError>) {
    let pairs = [
        ("_lang", "de"),
        ("name", "A"),
        ("kind", "ja"),
        ("classes", "A"),
        ("classes", "BE"),
        ("anschrift.street", "Hauptstraße"),
        ("anschrift.house-number", "1"),
        ("anschrift.postcode", "1234"),
        ("anschrift.city", "Musterstadt"),
        ("laender", "c3"),
        ("laender", "c17"),
        ("hunde.0.hundename", "Bello"),
        ("hunde.0.rasse", "Dackel <Rauhaar> & \"Co\""),
        ("hunde.2.rasse", "Pudel"),
    ];
    let mut decoded = form_post::decode(
        form,
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    );
    // An uploaded file goes in as its description, as the function puts it.
    form_post::insert(
        form,
        &mut decoded.submission.data,
        "permit",
        json!({ "name": "erlaubnis.pdf", "type": "application/pdf", "size": 1000 }),
    );
    let today = time::macros::date!(2026 - 11 - 28);
    let errors = validate(form, &decoded.submission, today).unwrap_err();
    (decoded.submission.data, errors)
}

fn render(form: &ResolvedForm, filled: Option<&Filled>) -> String {
    let theme = Theme::load(&repo().join("site-templates")).unwrap();
    let m = municipality();
    let site = site(&m);
    let frame = Frame::new(&theme, &site, "de").unwrap();
    let page = pages::form(&frame, form, Some("site.js"), filled).unwrap();
    theme.render(&page).unwrap()
}

/// The opening tag of the element with `id`.
fn tag<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!(" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element #{id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

#[test]
fn a_post_with_problems_comes_back_as_the_form_page_with_every_answer_and_each_problem_at_its_question()
 {
    let form = form();
    let (answers, errors) = post(&form);
    let codes: Vec<(&str, ErrorCode)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert!(codes.contains(&("name", ErrorCode::TooShort)), "{codes:?}");
    assert!(
        codes.contains(&("anschrift.postcode", ErrorCode::InvalidPostcode)),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("hunde.2.hundename", ErrorCode::Required)),
        "{codes:?}"
    );
    let html = render(
        &form,
        Some(&Filled {
            answers: &answers,
            errors: &errors,
            due: None,
        }),
    );

    // The title says there is a problem; the summary is shown and links to each question.
    assert!(html.contains("<title>Fehler: Probe – "), "{html}");
    assert!(!tag(&html, "error-summary").contains("hidden"));
    for e in &errors {
        let target = format!("f-{}", e.field.replace('.', "-"));
        let link = format!(
            "<li><a href=\"#{target}\">{}</a></li>",
            view::escape_html(&e.message)
        );
        assert!(html.contains(&link), "summary lacks {link}");
        assert!(
            html.contains(&format!(" id=\"{target}\"")),
            "#{target} is not on the page"
        );
    }

    // Each problem at its question: the message, aria-invalid, described by hint then error.
    let name = tag(&html, "f-name");
    assert!(name.contains("value=\"A\""), "{name}");
    assert!(name.contains("aria-invalid=\"true\""), "{name}");
    assert!(
        name.contains("aria-describedby=\"f-name-hint f-name-error\""),
        "{name}"
    );
    let name_error = errors.iter().find(|e| e.field == "name").unwrap();
    assert!(tag(&html, "f-name-error").contains("error-message"));
    assert!(html.contains(&view::escape_html(&name_error.message)));
    // A problem with an address part is shown at the address.
    assert!(tag(&html, "f-anschrift-error").contains("error-message"));

    // Every answer in its place, escaped.
    assert!(tag(&html, "f-kind").contains(" checked"), "ja is chosen");
    assert!(!tag(&html, "f-kind-nein").contains(" checked"));
    assert!(tag(&html, "f-classes").contains(" checked"));
    assert!(!tag(&html, "f-classes-B").contains(" checked"));
    assert!(tag(&html, "f-classes-BE").contains(" checked"));
    assert!(tag(&html, "f-anschrift-street").contains("value=\"Hauptstraße\""));
    assert!(tag(&html, "f-anschrift-postcode").contains("value=\"1234\""));
    assert!(tag(&html, "f-hunde-0-hundename").contains("value=\"Bello\""));
    assert!(
        tag(&html, "f-hunde-0-rasse")
            .contains("value=\"Dackel &lt;Rauhaar&gt; &amp; &quot;Co&quot;\"")
    );
    assert!(tag(&html, "f-hunde-2-rasse").contains("value=\"Pudel\""));
    // The third dog is among the entries offered under "more": they are open.
    assert!(
        html.contains("<details class=\"group__more\" open>"),
        "{html}"
    );
    // A long list's selects hold the answers in order.
    let first = html.find("id=\"f-laender\"").unwrap();
    let list = &html[first..first + html[first..].find("</select>").unwrap()];
    assert!(list.contains("<option value=\"c3\" selected>"), "{list}");
    let second = html.find("id=\"f-laender-2\"").unwrap();
    let list = &html[second..second + html[second..].find("</select>").unwrap()];
    assert!(list.contains("<option value=\"c17\" selected>"), "{list}");

    // The file must be chosen again, and the page says so at the question.
    let permit = tag(&html, "f-permit");
    assert!(!permit.contains("value="), "{permit}");
    assert!(
        permit.contains("aria-describedby=\"f-permit-note\""),
        "{permit}"
    );
    assert!(tag(&html, "f-permit-note").contains("hint"));
    assert!(html.contains("Bitte wählen Sie sie noch einmal aus."));

    // Ids are unique; every description and label points at something on the page.
    let ids: Vec<String> = Regex::new(r#"\sid="([^"]+)""#)
        .unwrap()
        .captures_iter(&html)
        .map(|c| c[1].to_string())
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids");
    for c in Regex::new(r#"aria-describedby="([^"]+)""#)
        .unwrap()
        .captures_iter(&html)
    {
        for id in c[1].split(' ') {
            assert!(
                unique.contains(&id.to_string()),
                "describedby names missing #{id}"
            );
        }
    }
    for c in Regex::new(r#"<label[^>]*\sfor="([^"]+)""#)
        .unwrap()
        .captures_iter(&html)
    {
        assert!(
            unique.contains(&c[1].to_string()),
            "label for missing #{}",
            &c[1]
        );
    }
    nu_html_checker_finds_nothing_in(&html);
}

#[test]
fn a_page_filled_with_nothing_is_the_sites_page() {
    let form = form();
    let empty = Map::new();
    assert_eq!(
        render(
            &form,
            Some(&Filled {
                answers: &empty,
                errors: &[],
                due: None,
            })
        ),
        render(&form, None)
    );
}

#[test]
fn a_problem_with_no_question_on_the_page_links_to_the_form() {
    let form = form();
    let empty = Map::new();
    let errors = [FieldError {
        field: "language".into(),
        code: ErrorCode::UnknownLanguage,
        message: "Unbekannte Sprache".into(),
    }];
    let html = render(
        &form,
        Some(&Filled {
            answers: &empty,
            errors: &errors,
            due: None,
        }),
    );
    assert!(html.contains("<li><a href=\"#form\">Unbekannte Sprache</a></li>"));
    assert!(html.contains(" id=\"form\""));
}

/// The Nu Html Checker (tests/e2e's vnu-jar, run with the system's Java, as the browser tests
/// do; scripts/test installs both) reports no error.
fn nu_html_checker_finds_nothing_in(html: &str) {
    let jar = repo().join("tests/e2e/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(
        jar.exists(),
        "{} is missing: run npm ci in tests/e2e",
        jar.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("filled.html");
    std::fs::write(&page, html).unwrap();
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "text"])
        .arg(&page)
        .output()
        .expect("java runs");
    assert!(
        out.status.success(),
        "vnu found errors:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn answers_the_account_locks_are_shown_as_label_and_text_and_sent_as_hidden_inputs() {
    let form = form();
    let mut answers = Map::new();
    answers.insert("name".into(), json!("Max Erich Mustermann"));
    answers.insert(
        "anschrift".into(),
        json!({ "street": "Lindenweg", "house-number": "4a", "postcode": "35399", "city": "Musterstadt" }),
    );
    let locked = vec!["name".to_string(), "anschrift".to_string()];
    let account = view::account::Account {
        name: "Max Erich Mustermann",
        locked: &locked,
        from_registry: &[],
        registry_message: None,
    };
    let theme = Theme::load(&repo().join("site-templates")).unwrap();
    let m = municipality();
    let site = site(&m);
    let frame = Frame::new(&theme, &site, "de").unwrap();
    let filled = Filled {
        answers: &answers,
        errors: &[],
        due: None,
    };
    let page = pages::form_signed_in(
        &frame,
        &form,
        Some("site.js"),
        Some(&filled),
        Some(&account),
    )
    .unwrap();
    let html = theme.render(&page).unwrap();

    // The label as a term, the answer as its definition, the note where it comes from.
    assert!(
        html.contains(r#"<dt class="label">Name</dt><dd class="locked__value" id="f-name-shown">Max Erich Mustermann</dd>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<dd class="locked__value" id="f-anschrift-street-shown">Lindenweg 4a, 35399 Musterstadt</dd>"#),
        "{html}"
    );
    assert!(html.contains("Aus Ihrem BundID-Konto"), "{html}");
    // Sent, but not as anything the citizen can change.
    assert_eq!(
        tag(&html, "f-name"),
        r#"<input type="hidden" id="f-name" name="name" value="Max Erich Mustermann">"#
    );
    assert!(tag(&html, "f-anschrift-postcode").contains(r#"type="hidden""#));
    assert!(
        !html.contains(r#"class="input input--text" id="f-name""#),
        "{html}"
    );
    // A question the account does not lock stays an input.
    assert!(tag(&html, "f-hunde-0-hundename").starts_with("<input class=\"input"));
}
