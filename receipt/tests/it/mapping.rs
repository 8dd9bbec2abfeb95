use efile_testkit::catalog;
use pretty_assertions::assert_eq;
use receipt::model::{Answer, Identity, Item, Phrase, Receipt};
use receipt::{Checksums, MapError, authority, from_record, render};

use crate::support::{pdftotext, receipt_of, squeeze};

fn answers(r: &Receipt) -> Vec<(String, Vec<String>)> {
    let texts = |a: &Answer| {
        (
            a.label.text.clone(),
            a.value.iter().map(|v| v.text.clone()).collect::<Vec<_>>(),
        )
    };
    r.sections
        .iter()
        .flat_map(|s| &s.items)
        .flat_map(|item| match item {
            Item::Answer(a) => vec![texts(a)],
            Item::Group(g) => g
                .entries
                .iter()
                .flat_map(|e| &e.answers)
                .map(texts)
                .collect(),
        })
        .collect()
}

fn answer<'a>(all: &'a [(String, Vec<String>)], label: &str) -> &'a [String] {
    &all.iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no question {label:?} in {all:#?}"))
        .1
}

#[test]
fn answers_are_worded_as_the_page_shows_them_with_list_entries_fees_and_files() {
    let catalog = catalog();
    let (form, s) = catalog.example(
        "hundesteuer-anmeldung",
        3,
        "gefaehrlich-ja-lastschrift-ohne-chip-zwei-hunde",
        "en",
    );
    let r = receipt_of(&catalog, form, &s, "en");
    let all = answers(&r);
    assert_eq!(
        answer(&all, "How would you like to pay?"),
        ["By SEPA direct debit"]
    );
    assert_eq!(answer(&all, "Date of birth"), ["24 December 1990"]);
    assert_eq!(answer(&all, "Address"), ["Am Bahnhof 3", "35394 Gießen"]);
    assert_eq!(
        answer(&all, "Permit to keep a dangerous dog"),
        ["erlaubnis-ordnungsamt.png"]
    );

    let dogs = r
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .find_map(|i| match i {
            Item::Group(g) if g.label.text == "Dog" => Some(g),
            _ => None,
        })
        .unwrap();
    let titles: Vec<&str> = dogs
        .entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().text.as_str())
        .collect();
    assert_eq!(titles, ["Dog 1", "Dog 2"]);
    assert_eq!(dogs.entries[1].answers[1].value[0].text, "Waldi");

    let fees = r.fees.as_ref().unwrap();
    assert_eq!(fees.items[0].detail.as_deref(), Some("2 × €90.00"));
    // The fee by choice: the option chosen (a dangerous dog) and its amount.
    assert_eq!(
        fees.items[1].label.text,
        "Surcharge for dangerous dogs per year"
    );
    assert_eq!(fees.items[1].detail.as_deref(), Some("Yes"));
    assert_eq!(fees.items[1].amount, "€510.00");
    assert_eq!(fees.total, "€690.00");
    assert_eq!(
        fees.payment_reference.as_deref(),
        Some(s.record.reference.as_str())
    );

    assert_eq!(r.attachments.len(), 2);
    assert_eq!(r.attachments[0].file_name, "erlaubnis-ordnungsamt.png");
    assert_eq!(
        r.attachments[0].question.text,
        "Permit to keep a dangerous dog"
    );
    assert_eq!(r.attachments[0].size, "512,000 bytes");
    assert_eq!(r.attachments[0].sha512, s.attachments_sha512()[0]);
    assert_eq!(r.data_sha512, s.data_sha512());
    assert_eq!(r.received, "28 November 2026, 12:30 (CET)");
    assert_eq!(r.service.leika.as_deref(), Some("99108008000000"));
}

#[test]
fn questions_the_page_did_not_show_are_left_out_and_shown_unanswered_ones_say_so() {
    let catalog = catalog();
    let (form, s) = catalog.example(
        "hundesteuer-anmeldung",
        3,
        "gefaehrlich-nein-lastschrift",
        "de",
    );
    let r = receipt_of(&catalog, form, &s, "de");
    let all = answers(&r);
    // The permit is asked only for dangerous dogs.
    assert!(
        !all.iter()
            .any(|(l, _)| l.starts_with("Erlaubnis zur Haltung")),
        "{all:#?}"
    );
    assert!(all.iter().any(|(l, _)| l == "Rasse"), "{all:#?}");
    // The microchip number is optional and was left empty.
    let (form, s) = catalog.example(
        "hundesteuer-anmeldung",
        3,
        "gefaehrlich-ja-lastschrift-ohne-chip",
        "de",
    );
    let r = receipt_of(&catalog, form, &s, "de");
    let all = answers(&r);
    assert!(
        all.iter()
            .any(|(l, v)| l.starts_with("Transpondernummer") && v == &["Keine Angabe"]),
        "{all:#?}"
    );
}

#[test]
fn a_file_inside_a_group_or_a_list_entry_is_named_with_its_group() {
    let catalog = catalog();
    let (form, s) = catalog.example("asbest-anzeige", 1, "alle-angaben", "de");
    let r = receipt_of(&catalog, form, &s, "de");
    let questions: Vec<&str> = r
        .attachments
        .iter()
        .map(|a| a.question.text.as_str())
        .collect();
    assert!(
        questions.contains(&"Verantwortliche Person im Betrieb 1 – Sachkundenachweis"),
        "{questions:#?}"
    );
    assert!(
        questions.contains(&"Gefährdungsbeurteilung mit Arbeitsplan: Zulassung – Zulassung"),
        "{questions:#?}"
    );
    assert_eq!(r.attachments.len(), 6);
}

#[test]
fn form_texts_without_a_translation_are_marked_with_the_language_they_are_in() {
    let catalog = catalog();
    let (form, s) = catalog.example("waffenbesitzkarte", 1, "erbe", "ar");
    let r = receipt_of(&catalog, form, &s, "ar");
    assert!(r.rtl);
    assert_eq!(r.words.title, "إشعار استلام الطلب");
    assert_eq!(r.sections[0].title.lang.as_deref(), Some("de"));
    // The Sperrmüll form has Arabic texts: nothing to mark.
    let (form, s) = catalog.example("sperrmuell-anmeldung", 1, "moebel", "ar");
    let r = receipt_of(&catalog, form, &s, "ar");
    assert_eq!(r.sections[0].title.lang, None);
}

#[test]
fn a_record_of_another_form_or_with_missing_checksums_is_refused_with_what_is_wrong() {
    let catalog = catalog();
    let m = &catalog.municipality;
    let (form, s) = catalog.example(
        "hundesteuer-anmeldung",
        3,
        "gefaehrlich-ja-ueberweisung",
        "de",
    );
    let other = catalog
        .forms
        .iter()
        .find(|f| f.form.id == "sperrmuell-anmeldung")
        .unwrap();
    let data = s.data_sha512();
    let files = s.attachments_sha512();
    let err = from_record(
        &s.record,
        other,
        authority(&m.name, &m.ags, &m.contact),
        Checksums {
            data_sha512: &data,
            attachments_sha512: &files,
        },
        "de",
    )
    .unwrap_err();
    assert!(matches!(err, MapError::OtherForm { .. }), "{err}");
    assert!(err.to_string().contains("hundesteuer-anmeldung@3"), "{err}");
    let err = from_record(
        &s.record,
        form,
        authority(&m.name, &m.ags, &m.contact),
        Checksums {
            data_sha512: &data,
            attachments_sha512: &files[..1],
        },
        "de",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "submission {}: 1 attachment checksums given for 2 attachments (one sha512 per entry of the record's attachments, in order)",
            s.record.id
        )
    );
}

#[test]
fn an_identity_a_very_long_answer_and_characters_no_font_has_are_set_too() {
    let catalog = catalog();
    let (form, s) = catalog.example("sperrmuell-anmeldung", 1, "moebel", "de");
    let mut r = receipt_of(&catalog, form, &s, "de");
    r.identity = Some(Identity {
        method: Phrase::plain("BundID, Online-Ausweis, Vertrauensniveau hoch"),
        attributes: vec![Answer {
            label: Phrase::plain("Name"),
            value: vec![Phrase::plain("Erika Mustermann")],
        }],
    });
    // A text answer longer than a page, with an emoji and a private-use character.
    let long = "Sperrmüll vor dem Haus 🛋 \u{E000}. ".repeat(400);
    if let Item::Answer(a) = &mut r.sections[0].items[0] {
        a.value = vec![Phrase::plain(long)];
    }
    let pdf = render(&r).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.pdf");
    std::fs::write(&path, pdf).unwrap();
    let text = squeeze(&pdftotext(&path));
    assert!(text.contains("ErikaMustermann"));
    assert!(text.contains("BundID,Online-Ausweis,Vertrauensniveauhoch"));
    assert!(text.contains("Haus[U+1F6CB][U+E000]."), "{text}");
}
