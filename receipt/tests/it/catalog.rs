use efile_testkit::{LANGUAGES, catalog, samples};
use receipt::model::{Item, Receipt};
use receipt::render;

use crate::support::{pdftotext, qpdf_check, receipt_of, squeeze};

/// Every answer line, file name and checksum the receipt must show.
fn expected_texts(r: &Receipt) -> Vec<String> {
    let mut texts = vec![r.reference.clone(), r.data_sha512.clone()];
    for section in &r.sections {
        texts.push(section.title.text.clone());
        for item in &section.items {
            match item {
                Item::Answer(a) => texts.extend(a.value.iter().map(|v| v.text.clone())),
                Item::Group(g) => {
                    for entry in &g.entries {
                        for a in &entry.answers {
                            texts.extend(a.value.iter().map(|v| v.text.clone()));
                        }
                    }
                }
            }
        }
    }
    // Amounts and sizes by their digits: poppler orders a line that mixes a right-to-left
    // paragraph with digits by the page's majority direction, so "€" or "بايت" may stand on
    // either side of the number in the extracted text.
    let digits = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
            .collect()
    };
    if let Some(fees) = &r.fees {
        texts.push(digits(&fees.total));
        texts.extend(fees.payment_reference.clone());
    }
    for a in &r.attachments {
        texts.extend([a.file_name.clone(), digits(&a.size), a.sha512.clone()]);
    }
    texts
}

/// Whether every word of `expected` is in `text`, in reading order. pdftotext guesses columns
/// from positions, and may put a short question between the lines of a long answer beside
/// it; the words of the answer still come out whole and in order.
fn words_in_order(text: &str, expected: &str) -> bool {
    let mut rest = text;
    for word in expected.split_whitespace() {
        let word = squeeze(word);
        match rest.find(&word) {
            Some(at) => rest = &rest[at + word.len()..],
            None => return false,
        }
    }
    true
}

/// Arabic typed into a German or English receipt: poppler orders the right-to-left runs of a
/// line on a mostly left-to-right page from left to right, so a comma between two runs swaps
/// them, and may move the punctuation between them. Every word must still be there (and in
/// order on the Arabic receipts).
fn all_words(text: &str, expected: &str) -> bool {
    expected.split_whitespace().all(|w| {
        let letters: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
        text.contains(&letters)
    })
}

fn is_right_to_left(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF))
}

#[test]
fn every_catalog_form_in_every_language_is_pdf_ua_and_pdf_a_and_shows_every_answer() {
    let catalog = catalog();
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for form in &catalog.forms {
        for lang in LANGUAGES {
            for sample in samples(form, lang) {
                let name = format!("{}@{}/{}", form.form.id, form.form.version, sample.name);
                let receipt = crate::support::receipt_of(&catalog, form, &sample, lang);
                // krilla refuses to write a document that breaks PDF/UA-1 or PDF/A-2a.
                let pdf = render(&receipt).unwrap_or_else(|e| panic!("{name}: {e}"));
                let xmp = String::from_utf8_lossy(&pdf);
                assert!(
                    xmp.contains("<pdfuaid:part>1</pdfuaid:part>"),
                    "{name}: no PDF/UA id"
                );
                assert!(
                    xmp.contains("<pdfaid:part>2</pdfaid:part>"),
                    "{name}: no PDF/A id"
                );
                assert!(
                    xmp.contains("<pdfaid:conformance>A</pdfaid:conformance>"),
                    "{name}"
                );
                let path = dir.path().join(format!("{}.pdf", name.replace('/', "_")));
                std::fs::write(&path, &pdf).unwrap();
                qpdf_check(&path).unwrap_or_else(|e| panic!("{name}: qpdf --check: {e}"));
                let text = squeeze(&pdftotext(&path));
                for expected in expected_texts(&receipt) {
                    let found = if !receipt.rtl && is_right_to_left(&expected) {
                        all_words(&text, &expected)
                    } else {
                        words_in_order(&text, &expected)
                    };
                    assert!(
                        found,
                        "{name}: pdftotext does not find {expected:?} in\n{}",
                        pdftotext(&path)
                    );
                }
                checked += 1;
            }
        }
    }
    // 8 catalog versions, 22 examples, 3 languages.
    assert!(checked >= 66, "only {checked} receipts checked");
}

#[test]
fn arabic_answers_are_extracted_in_reading_order_ligatures_included() {
    let catalog = catalog();
    let form = catalog
        .forms
        .iter()
        .find(|f| f.form.id == "sperrmuell-anmeldung")
        .unwrap();
    let sample = samples(form, "ar")
        .into_iter()
        .find(|s| s.name.starts_with("elektrogeraete"))
        .unwrap();
    let pdf = render(&receipt_of(&catalog, form, &sample, "ar")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ar.pdf");
    std::fs::write(&path, pdf).unwrap();
    let text = pdftotext(&path);
    // "Large electrical appliances (such as fridge, washing machine and cooker)": the option
    // label in logical order, with the lam-alef of الثلاجة in the right order.
    assert!(
        squeeze(&text).contains(&squeeze(
            "أجهزة كهربائية كبيرة (مثل الثلاجة والغسالة والموقد)"
        )),
        "{text}"
    );
    assert!(squeeze(&text).contains("إشعاراستلامالطلب"), "{text}");
}
