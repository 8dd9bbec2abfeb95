//! The embedded fonts are subsets (fonts/README.md): every character a catalog form's receipt
//! shows, in every language, must be in them, or the receipt would write it as a code point.

use std::collections::BTreeSet;

use efile_testkit::{LANGUAGES, catalog, samples};

use crate::support::receipt_of;

const LATIN: [&[u8]; 2] = [
    include_bytes!("../../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../fonts/NotoSans-Bold.ttf"),
];
const ARABIC: [&[u8]; 2] = [
    include_bytes!("../../fonts/NotoSansArabic-Regular.ttf"),
    include_bytes!("../../fonts/NotoSansArabic-Bold.ttf"),
];

/// Every character of every string in `value`.
fn characters(value: &serde_json::Value, out: &mut BTreeSet<char>) {
    match value {
        serde_json::Value::String(s) => out.extend(s.chars()),
        serde_json::Value::Array(a) => a.iter().for_each(|v| characters(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| characters(v, out)),
        _ => {}
    }
}

#[test]
fn every_character_of_every_catalog_receipt_is_in_the_embedded_fonts() {
    let faces = |files: [&'static [u8]; 2]| {
        files.map(|f| rustybuzz::Face::from_slice(f, 0).expect("the font parses"))
    };
    let (latin, arabic) = (faces(LATIN), faces(ARABIC));
    let in_both =
        |faces: &[rustybuzz::Face; 2], c: char| faces.iter().all(|f| f.glyph_index(c).is_some());
    let catalog = catalog();
    let mut seen = BTreeSet::new();
    for form in &catalog.forms {
        for lang in LANGUAGES {
            for sample in samples(form, lang) {
                let receipt = receipt_of(&catalog, form, &sample, lang);
                // The receipt's words (headings, labels, the footer) are part of it.
                characters(&serde_json::to_value(&receipt).unwrap(), &mut seen);
            }
        }
    }
    // What the renderer adds itself: list numbers, "SHA-512: ", page numbers.
    seen.extend("0123456789.:- SHA".chars());
    let missing: Vec<String> = seen
        .iter()
        .filter(|c| !c.is_control())
        .filter(|&&c| !in_both(&latin, c) && !in_both(&arabic, c))
        .map(|c| format!("{c} U+{:04X}", *c as u32))
        .collect();
    assert!(missing.is_empty(), "not in the fonts: {missing:?}");
    // The receipts are German, English and Arabic, with euro amounts.
    for c in ['ä', 'ß', '€', 'ب'] {
        assert!(seen.contains(&c), "no {c} in the receipts");
    }
    assert!(seen.len() > 100, "only {} characters", seen.len());
}
