//! Markdown for texts authors write (intros, hints, legal pages) through pulldown-cmark. Raw
//! HTML in Markdown is shown as text, never passed through: an author cannot inject script or
//! markup that breaks the page's accessibility or its CSP.

use std::cell::RefCell;
use std::collections::HashMap;

use pulldown_cmark::{Event, Options, Parser, html};

/// How many texts each thread remembers the HTML or first paragraph of before it forgets them
/// all: a form's texts (intro, purpose, legal basis, hints) are the same on the page of every
/// municipality that publishes it, so a country's build would otherwise parse each of them
/// tens of thousands of times; the distinct ones in use at a time are a few hundred.
const REMEMBERED: usize = 4096;

thread_local! {
    /// [`to_html`]'s answers on this thread, by heading offset and text.
    static HTML: RefCell<Vec<HashMap<String, String>>> = const { RefCell::new(Vec::new()) };
    /// [`first_paragraph_text`]'s answers on this thread, by text.
    static FIRST: RefCell<HashMap<String, Option<String>>> = RefCell::new(HashMap::new());
}

/// `make(text)`, remembered in `map` (a pure function of the text: the same either way).
fn remembered<T: Clone>(
    map: &mut HashMap<String, T>,
    text: &str,
    make: impl FnOnce(&str) -> T,
) -> T {
    if let Some(known) = map.get(text) {
        return known.clone();
    }
    let made = make(text);
    if map.len() >= REMEMBERED {
        map.clear();
    }
    map.insert(text.to_string(), made.clone());
    made
}

/// Block Markdown (paragraphs, lists, headings) as HTML. Headings are shifted down by
/// `heading_offset` levels so a page keeps exactly one `h1`.
pub fn to_html(markdown: &str, heading_offset: u8) -> String {
    HTML.with_borrow_mut(|maps| {
        let offset = usize::from(heading_offset);
        if maps.len() <= offset {
            maps.resize_with(offset + 1, HashMap::new);
        }
        remembered(&mut maps[offset], markdown, |text| {
            html_of(parse(text), heading_offset)
        })
    })
}

/// [`to_html`] and [`first_paragraph_text`] of the same Markdown, parsed once (a legal page
/// is shown and described by its first paragraph).
pub fn to_html_and_first_paragraph(markdown: &str, heading_offset: u8) -> (String, Option<String>) {
    let mut first = FirstParagraph::default();
    let html = html_of(
        parse(markdown).inspect(|event| first.take(event)),
        heading_offset,
    );
    (html, first.words())
}

fn parse(markdown: &str) -> Parser<'_> {
    Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
}

/// The HTML of Markdown `events`: raw HTML as text, headings shifted by `heading_offset`.
fn html_of<'a>(events: impl Iterator<Item = Event<'a>>, heading_offset: u8) -> String {
    let parser = events.map(|event| match event {
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
    FIRST.with_borrow_mut(|map| remembered(map, markdown, first_paragraph_of))
}

fn first_paragraph_of(markdown: &str) -> Option<String> {
    let mut first = FirstParagraph::default();
    for event in parse(markdown) {
        first.take(&event);
        if first.done {
            break;
        }
    }
    first.words()
}

/// The text of the first paragraph with words, gathered from Markdown events.
#[derive(Default)]
struct FirstParagraph {
    text: String,
    inside: bool,
    done: bool,
}

impl FirstParagraph {
    fn take(&mut self, event: &Event<'_>) {
        use pulldown_cmark::{Tag, TagEnd};
        if self.done {
            return;
        }
        match event {
            Event::Start(Tag::Paragraph) => self.inside = true,
            Event::End(TagEnd::Paragraph) => {
                self.inside = false;
                self.done = !self.text.trim().is_empty();
            }
            // Raw HTML is shown as text on the page (`to_html`), so it is text here too.
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t)
                if self.inside =>
            {
                self.text.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak if self.inside => self.text.push(' '),
            _ => {}
        }
    }

    fn words(&self) -> Option<String> {
        let words = self.text.split_whitespace().collect::<Vec<_>>().join(" ");
        (!words.is_empty()).then_some(words)
    }
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
    fn html_and_first_paragraph_at_once_are_each_as_on_their_own() {
        for md in [
            "# Titel\n\nMelden Sie **hier** an,\nbis zu [5 m³](x) `ab`.\n\nZwei <b>x</b>",
            "# Nur ein Titel\n",
            "\n\n<p>roh</p>\n\nText  mit\nUmbruch\n\n## Zwei\n\nDrei",
            "",
        ] {
            assert_eq!(
                to_html_and_first_paragraph(md, 1),
                (to_html(md, 1), first_paragraph_text(md))
            );
        }
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
