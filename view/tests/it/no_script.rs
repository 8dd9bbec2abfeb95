//! Without JavaScript a form's files travel in the post to the function, where on AWS Lambda a
//! request is at most 6 MB with the files base64-encoded (docs/deploy.md); with the script each
//! file goes straight to the store. So a page with file questions says, for those without the
//! script only (`<noscript>`), how large all files together may be; a page without files says
//! nothing of it.

use view::{Frame, Theme, pages};

use crate::{repo, site};

/// Musterstadt's page of form `id` in `lang`.
fn page(id: &str, lang: &str) -> String {
    let (m, forms) = crate::musterstadt();
    let form = forms
        .iter()
        .find(|r| r.form.id == id)
        .unwrap_or_else(|| panic!("Musterstadt publishes {id}"));
    let theme = Theme::load(&repo().join("site-templates")).unwrap();
    let site = site(&m, false);
    let frame = Frame::new(&theme, &site, lang).unwrap();
    theme
        .render(&pages::form(&frame, form, Some("site.js"), None).unwrap())
        .unwrap()
}

/// The text of the page's `<noscript>` note on files, if it has one.
fn files_note(html: &str) -> Option<String> {
    let at = html.find(r#"<noscript><p class="hint" id="files-note">"#)?;
    let text = &html[at..];
    let text = &text[text.find("\">").unwrap() + 2..];
    let note = &text[..text
        .find("</p></noscript>")
        .expect("the note ends the noscript")];
    Some(note.to_string())
}

#[test]
fn a_page_with_files_tells_those_without_javascript_the_limit_of_all_files_together() {
    // The weapons permit asks for documents.
    let de = files_note(&page("waffenbesitzkarte", "de")).expect("a note on files");
    assert!(de.contains("höchstens 4,5 MB"), "{de}");
    assert!(de.starts_with("Ohne JavaScript"), "{de}");
    let en = files_note(&page("waffenbesitzkarte", "en")).expect("a note on files");
    assert!(en.contains("at most 4.5 MB"), "{en}");
    // Inside the form, before its steps: read before a file is chosen.
    let html = page("waffenbesitzkarte", "de");
    let form = html.find(r#"<form class="form" id="form""#).unwrap();
    let note = html.find(r#"id="files-note""#).unwrap();
    let first_step = html[form..].find("<fieldset").map(|i| form + i).unwrap();
    assert!(form < note && note < first_step);
}

#[test]
fn a_page_without_files_says_nothing_of_them() {
    // The certificate of registration asks for no document.
    assert_eq!(files_note(&page("meldebescheinigung", "de")), None);
}
