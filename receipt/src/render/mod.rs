//! Lays a [`Receipt`] out on A4 pages and writes it with krilla as tagged PDF/UA-1 and
//! PDF/A-2a: headings, tables with header cells, a list of attachments, page numbers as
//! artifacts, an outline, document language and title. krilla checks both standards while it
//! writes and refuses to produce a file that breaks them.
//!
//! Layout happens first (so the footer can say "page 1 of 3"), drawing second: every piece of
//! text is a leaf of the structure tree, and a leaf that continues on the next page becomes one
//! marked-content sequence per page, in reading order.

mod sections;
mod write;

use std::num::NonZeroU16;

use krilla::color::luma;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata, TextDirection};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, Node, SpanTag, TableHeaderScope,
    Tag, TagGroup, TagKind, TagTree,
};
use krilla::{Document, SerializeSettings};
use sha2::{Digest, Sha256};

use crate::RenderError;
use crate::model::{Answer, Entry, Group, Item, Phrase, Receipt};
use crate::text::{self, Line, Style, Weight};
use form_model::messages::fill;

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.7;
const TOP: f32 = 56.7;
/// Content ends here; the footer sits below.
const BOTTOM: f32 = PAGE_HEIGHT - 68.0;
const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 36.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Share of a question/answer table the question column takes.
const LABEL_SHARE: f32 = 0.4;
const CELL_GAP: f32 = 12.0;
const ROW_PADDING: f32 = 4.0;

const BODY: Style = Style {
    size: 10.0,
    weight: Weight::Regular,
};
const BODY_BOLD: Style = Style {
    size: 10.0,
    weight: Weight::Bold,
};
const SMALL: Style = Style {
    size: 8.5,
    weight: Weight::Regular,
};
const H1: Style = Style {
    size: 17.0,
    weight: Weight::Bold,
};
const H2: Style = Style {
    size: 13.0,
    weight: Weight::Bold,
};
const H3: Style = Style {
    size: 11.0,
    weight: Weight::Bold,
};
const H4: Style = Style {
    size: 10.0,
    weight: Weight::Bold,
};

/// Labels are a shade lighter than answers (contrast 10:1 on white, above WCAG AAA).
const LABEL_GREY: u8 = 0x40;
const RULE_GREY: u8 = 0xb0;

/// Writes the PDF.
pub fn render(receipt: &Receipt) -> Result<Vec<u8>, RenderError> {
    let mut doc = Layout::new(receipt);
    let tree = doc.receipt_body(receipt);
    doc.write(receipt, tree)
}

/// The structure tree while laying out: leaves are indexes into [`Layout::leaves`].
enum SNode {
    Group(TagKind, Vec<SNode>),
    Leaf(usize),
}

/// Text placed on a page.
struct Placed {
    x: f32,
    baseline: f32,
    line: Line,
    style: Style,
    grey: u8,
}

/// One marked-content sequence on a page.
struct Chunk {
    /// The leaf it belongs to; `None` for artifacts (page numbers, rules).
    leaf: Option<usize>,
    lines: Vec<Placed>,
    /// Horizontal rules: (y, x from, x to).
    rules: Vec<(f32, f32, f32)>,
}

struct Leaf {
    lang: Option<String>,
}

struct Heading {
    level: u16,
    text: String,
    page: usize,
    y: f32,
}

struct Layout {
    rtl: bool,
    pages: Vec<Vec<Chunk>>,
    leaves: Vec<Leaf>,
    headings: Vec<Heading>,
    /// Current page and the y of the next line's top.
    page: usize,
    y: f32,
}

impl Layout {
    fn new(receipt: &Receipt) -> Layout {
        Layout {
            rtl: receipt.rtl,
            pages: vec![Vec::new()],
            leaves: Vec::new(),
            headings: Vec::new(),
            page: 0,
            y: TOP,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.page = self.pages.len() - 1;
        self.y = TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn keep(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn leaf(&mut self, lang: Option<&str>) -> usize {
        self.leaves.push(Leaf {
            lang: lang.map(str::to_string),
        });
        self.leaves.len() - 1
    }

    /// Places `lines` in the box from `x` of `width`, from (`page`, `y`) on, continuing on the
    /// next page at the bottom. Returns where the next line would go.
    #[allow(clippy::too_many_arguments)]
    fn place(
        &mut self,
        leaf: usize,
        lines: Vec<Line>,
        style: Style,
        grey: u8,
        x: f32,
        width: f32,
        mut page: usize,
        mut y: f32,
    ) -> (usize, f32) {
        let mut chunk = Chunk {
            leaf: Some(leaf),
            lines: Vec::new(),
            rules: Vec::new(),
        };
        for line in lines {
            if y + style.line_height() > BOTTOM && y > TOP {
                self.pages[page].push(std::mem::replace(
                    &mut chunk,
                    Chunk {
                        leaf: Some(leaf),
                        lines: Vec::new(),
                        rules: Vec::new(),
                    },
                ));
                page += 1;
                if page == self.pages.len() {
                    self.pages.push(Vec::new());
                }
                y = TOP;
            }
            // Right-to-left text is set flush right in its box.
            let left = if self.rtl { x + width - line.width } else { x };
            chunk.lines.push(Placed {
                x: left,
                baseline: y + style.ascent(),
                line,
                style,
                grey,
            });
            y += style.line_height();
        }
        self.pages[page].push(chunk);
        (page, y)
    }

    /// A paragraph across the full width at the cursor.
    fn paragraph(&mut self, text: &str, lang: Option<&str>, style: Style) -> SNode {
        let lines = text::lines(text, style, CONTENT_WIDTH);
        let leaf = self.leaf(lang);
        let (page, y) = self.place(
            leaf,
            lines,
            style,
            0,
            MARGIN,
            CONTENT_WIDTH,
            self.page,
            self.y,
        );
        self.page = page;
        self.y = y;
        SNode::Leaf(leaf)
    }

    fn p(&mut self, parts: Vec<SNode>) -> SNode {
        SNode::Group(Tag::P.into(), parts)
    }

    /// A heading, kept together with the two lines after it.
    fn heading(&mut self, level: u16, text: &Phrase) -> SNode {
        let style = match level {
            1 => H1,
            2 => H2,
            3 => H3,
            _ => H4,
        };
        self.y += match level {
            1 => 0.0,
            2 => 14.0,
            _ => 8.0,
        };
        self.keep(style.line_height() + 5.0 * BODY.line_height());
        if self.y > TOP || level > 1 {
            self.headings.push(Heading {
                level,
                text: text.text.clone(),
                page: self.page,
                y: self.y,
            });
        }
        let leaf = self.paragraph(&text.text, text.lang.as_deref(), style);
        self.y += 2.0;
        let tag = Tag::Hn(
            NonZeroU16::new(level).expect("heading levels start at 1"),
            Some(text.text.clone()),
        )
        .with_lang(text.lang.clone());
        SNode::Group(tag.into(), vec![leaf])
    }

    /// A two-column table: each row a header cell (the question) and a data cell (the answer,
    /// one paragraph per phrase).
    fn table(&mut self, rows: Vec<(Phrase, Vec<Phrase>)>) -> SNode {
        let label_width = (CONTENT_WIDTH - CELL_GAP) * LABEL_SHARE;
        let value_width = CONTENT_WIDTH - CELL_GAP - label_width;
        let (label_x, value_x) = if self.rtl {
            (MARGIN + value_width + CELL_GAP, MARGIN)
        } else {
            (MARGIN, MARGIN + label_width + CELL_GAP)
        };
        let mut trs = Vec::new();
        for (label, values) in rows {
            let label_lines = text::lines(&label.text, BODY, label_width);
            let value_lines: Vec<(Option<String>, Vec<Line>)> = values
                .iter()
                .map(|v| (v.lang.clone(), text::lines(&v.text, BODY, value_width)))
                .collect();
            let height = BODY.line_height()
                * label_lines
                    .len()
                    .max(value_lines.iter().map(|(_, l)| l.len()).sum()) as f32
                + 2.0 * ROW_PADDING;
            self.keep(height);
            self.rule(self.y);
            let top = self.y + ROW_PADDING;
            let th_leaf = self.leaf(label.lang.as_deref());
            let label_end = self.place(
                th_leaf,
                label_lines,
                BODY,
                LABEL_GREY,
                label_x,
                label_width,
                self.page,
                top,
            );
            let mut value_end = (self.page, top);
            let mut td = Vec::new();
            for (lang, lines) in value_lines {
                let leaf = self.leaf(lang.as_deref());
                value_end = self.place(
                    leaf,
                    lines,
                    BODY,
                    0,
                    value_x,
                    value_width,
                    value_end.0,
                    value_end.1,
                );
                td.push(SNode::Leaf(leaf));
            }
            let (page, y) = later(label_end, value_end);
            self.page = page;
            self.y = y + ROW_PADDING;
            trs.push(SNode::Group(
                Tag::TR.into(),
                vec![
                    SNode::Group(
                        Tag::TH(TableHeaderScope::Row).into(),
                        vec![SNode::Leaf(th_leaf)],
                    ),
                    SNode::Group(Tag::TD.into(), td),
                ],
            ));
        }
        self.rule(self.y);
        SNode::Group(Tag::Table.into(), trs)
    }

    /// A thin line across the content width (an artifact: it only separates rows).
    fn rule(&mut self, y: f32) {
        self.pages[self.page].push(Chunk {
            leaf: None,
            lines: Vec::new(),
            rules: vec![(y, MARGIN, MARGIN + CONTENT_WIDTH)],
        });
    }
}

/// The later of two places (page, then height on the page).
fn later(a: (usize, f32), b: (usize, f32)) -> (usize, f32) {
    if (b.0, b.1) > (a.0, a.1) { b } else { a }
}
