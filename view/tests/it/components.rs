//! Every component folder holds a template and examples; every example renders in every
//! language of the site texts, and its ids, labels and aria-describedby fit together.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;
use view::Theme;
use view::components;

fn templates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../site-templates")
}

fn ids(html: &str) -> Vec<String> {
    Regex::new(r#"\sid="([^"]+)""#)
        .unwrap()
        .captures_iter(html)
        .map(|c| c[1].to_string())
        .collect()
}

#[test]
fn every_component_example_renders_with_consistent_ids_and_descriptions() {
    let theme = Theme::load(&templates()).unwrap();
    let mut names: Vec<String> = fs::read_dir(templates().join("components"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 15, "{names:?}");
    let describedby = Regex::new(r#"aria-describedby="([^"]+)""#).unwrap();
    let label_for = Regex::new(r#"<label[^>]*\sfor="([^"]+)""#).unwrap();
    let mut rendered = 0;
    for name in &names {
        let examples = components::examples(&templates(), name).unwrap();
        assert!(!examples.is_empty(), "{name} has no examples");
        for example in &examples {
            for lang in ["de", "en", "ar"] {
                let html = components::render(&theme, name, example, lang)
                    .unwrap_or_else(|e| panic!("{name} / {}: {e}", example.name));
                rendered += 1;
                let all = ids(&html);
                let unique: HashSet<&String> = all.iter().collect();
                assert_eq!(
                    unique.len(),
                    all.len(),
                    "{name} / {}: duplicate ids in\n{html}",
                    example.name
                );
                for c in describedby.captures_iter(&html) {
                    for id in c[1].split(' ') {
                        assert!(
                            all.iter().any(|i| i == id),
                            "{name} / {}: aria-describedby names missing id {id}\n{html}",
                            example.name
                        );
                    }
                }
                for c in label_for.captures_iter(&html) {
                    assert!(
                        all.iter().any(|i| *i == c[1]),
                        "{name} / {}: label for missing id {}\n{html}",
                        example.name,
                        &c[1]
                    );
                }
                if let (Some(field), Some(error)) = (&example.field, &example.error) {
                    assert!(html.contains(error.as_str()), "{name}: error text missing");
                    let hint = format!("f-{}-hint", field.id);
                    let err = format!("f-{}-error", field.id);
                    let expected = if field.hint.is_some() {
                        format!("{hint} {err}")
                    } else {
                        err
                    };
                    assert!(
                        html.contains(&format!("aria-describedby=\"{expected}\"")),
                        "{name} / {}: describedby must be hint then error ({expected})\n{html}",
                        example.name
                    );
                }
            }
        }
    }
    assert!(rendered >= 3 * 20);
}

#[test]
fn a_field_that_is_only_sometimes_asked_carries_no_required_attribute_and_says_when_to_answer() {
    let theme = Theme::load(&templates()).unwrap();
    let examples = components::examples(&templates(), "file").unwrap();
    let html = components::render(&theme, "file", &examples[0], "de").unwrap();
    assert!(!html.contains(" required"), "{html}");
    assert!(
        html.contains("Nur beantworten, wenn Sie bei „Gefährlich?“ „Ja“ gewählt haben."),
        "{html}"
    );
    assert!(
        html.contains(r#"accept="application/pdf,image/jpeg""#),
        "{html}"
    );
}

#[test]
fn a_text_block_renders_its_markdown_without_an_input_and_says_its_condition_in_words() {
    let theme = Theme::load(&templates()).unwrap();
    let examples = components::examples(&templates(), "text-block").unwrap();
    let plain = examples
        .iter()
        .find(|e| e.field.as_ref().unwrap().show_if.is_none())
        .unwrap();
    let html = components::render(&theme, "text-block", plain, "de").unwrap();
    assert!(html.contains("data-field=\"hinweis-unterlagen\""), "{html}");
    assert!(html.contains("<strong>Personalausweis</strong>"), "{html}");
    assert!(html.contains("<li>"), "{html}");
    assert!(
        !html.contains("<input") && !html.contains("<label"),
        "{html}"
    );
    assert!(!html.contains("class=\"condition\""), "{html}");

    let conditional = examples
        .iter()
        .find(|e| e.field.as_ref().unwrap().show_if.is_some())
        .unwrap();
    let html = components::render(&theme, "text-block", conditional, "de").unwrap();
    assert!(
        html.contains("<p class=\"condition\">Gilt nur, wenn"),
        "{html}"
    );
    assert!(html.contains("Ist der Hund gefährlich?"), "{html}");
    let html = components::render(&theme, "text-block", conditional, "en").unwrap();
    assert!(html.contains("Applies only if"), "{html}");
    assert!(html.contains("<strong>permit</strong>"), "{html}");
}

#[test]
fn a_text_block_inside_a_group_is_rendered_in_every_entry_with_entry_keys() {
    let theme = Theme::load(&templates()).unwrap();
    let examples = components::examples(&templates(), "group").unwrap();
    let bank = examples
        .iter()
        .find(|e| e.field.as_ref().unwrap().id == "bank")
        .unwrap();
    let html = components::render(&theme, "group", bank, "de").unwrap();
    assert!(html.contains("data-field=\"bank-hinweis-konto\""), "{html}");
    assert!(html.contains("<strong>Ihren Namen</strong>"), "{html}");
}
