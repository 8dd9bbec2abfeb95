//! Markdown for texts authors write (intros, hints, legal pages) through pulldown-cmark. Raw
//! HTML in Markdown is shown as text, never passed through: an author cannot inject script or
//! markup that breaks the page's accessibility or its CSP.

use pulldown_cmark::{Event, Options, Parser, html};

/// Block Markdown (paragraphs, lists, headings) as HTML. Headings are shifted down by
/// `heading_offset` levels so a page keeps exactly one `h1`.
pub fn to_html(markdown: &str, heading_offset: u8) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(pulldown_cmark::Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(pulldown_cmark::Tag::Heading {
            level: shift(level, heading_offset),
            id,
            classes,
            attrs,
        }),
        Event::End(pulldown_cmark::TagEnd::Heading(level)) => Event::End(
            pulldown_cmark::TagEnd::Heading(shift(level, heading_offset)),
        ),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

/// Inline Markdown (a label or a one-paragraph hint): the paragraph wrapper is dropped.
pub fn inline(markdown: &str) -> String {
    let html = to_html(markdown, 1);
    let trimmed = html.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

/// The words of the first paragraph of `markdown` as plain text (emphasis, links and code
/// reduced to their words, line breaks and runs of spaces to one space); `None` when it has no
/// paragraph with words.
pub fn first_paragraph_text(markdown: &str) -> Option<String> {
    use pulldown_cmark::{Tag, TagEnd};
    let mut text = String::new();
    let mut inside = false;
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Start(Tag::Paragraph) => inside = true,
            Event::End(TagEnd::Paragraph) => {
                inside = false;
                if !text.trim().is_empty() {
                    break;
                }
            }
            // Raw HTML is shown as text on the page (`to_html`), so it is text here too.
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) if inside => {
                text.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak if inside => text.push(' '),
            _ => {}
        }
    }
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!words.is_empty()).then_some(words)
}

fn shift(level: pulldown_cmark::HeadingLevel, by: u8) -> pulldown_cmark::HeadingLevel {
    use pulldown_cmark::HeadingLevel::*;
    let n = (level as u8 + by).min(6);
    match n {
        1 => H1,
        2 => H2,
        3 => H3,
        4 => H4,
        5 => H5,
        _ => H6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_raw_html_written_in_markdown() {
        let html = to_html(
            "Hallo <script>alert(1)</script> **Welt**\n\n<img src=x onerror=alert(1)>",
            0,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("<strong>Welt</strong>"), "{html}");
    }

    #[test]
    fn shifts_headings_so_the_page_keeps_one_h1() {
        assert_eq!(to_html("# Titel", 1), "<h2>Titel</h2>\n");
    }

    #[test]
    fn the_first_paragraph_is_its_words_without_markup() {
        assert_eq!(
            first_paragraph_text(
                "# Titel\n\nMelden Sie **hier** an,\nbis zu [5 m³](x) `ab`.\n\nZwei"
            )
            .as_deref(),
            Some("Melden Sie hier an, bis zu 5 m³ ab.")
        );
        assert_eq!(first_paragraph_text("# Nur ein Titel\n"), None);
    }

    #[test]
    fn inline_drops_the_paragraph() {
        assert_eq!(
            inline("Nur **ein** Satz."),
            "Nur <strong>ein</strong> Satz."
        );
        assert!(inline("Eins\n\nZwei").starts_with("<p>"));
    }
}
