//! Lays a [`Receipt`] out on A4 pages and writes it with krilla as tagged PDF/UA-1 and
//! PDF/A-2a: headings, tables with header cells, a list of attachments, page numbers as
//! artifacts, an outline, document language and title. krilla checks both standards while it
//! writes and refuses to produce a file that breaks them.
//!
//! Layout happens first (so the footer can say "page 1 of 3"), drawing second: every piece of
//! text is a leaf of the structure tree, and a leaf that continues on the next page becomes one
//! marked-content sequence per page, in reading order.

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
use crate::words::fill;

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

    fn receipt_body(&mut self, r: &Receipt) -> Vec<SNode> {
        let w = &r.words;
        let mut body = Vec::new();

        // The authority, as on a letterhead.
        let mut letterhead = vec![self.paragraph(&r.authority.name, None, BODY_BOLD)];
        if let Some(office) = &r.authority.office {
            letterhead.push(self.paragraph(office, None, BODY));
        }
        for line in &r.authority.address {
            letterhead.push(self.paragraph(line, None, BODY));
        }
        body.push(self.p(letterhead));
        self.y += 18.0;

        body.push(self.heading(1, &Phrase::plain(w.title.clone())));
        let service = self.paragraph(&r.service.title.text, r.service.title.lang.as_deref(), H2);
        body.push(self.p(vec![service]));
        self.y += 6.0;
        let intro = fill(&w.intro, &[("authority", &r.authority.name)]);
        let intro = self.paragraph(&intro, None, BODY);
        body.push(self.p(vec![intro]));

        body.push(self.heading(2, &Phrase::plain(w.overview.clone())));
        let mut overview = vec![
            (
                Phrase::plain(&w.reference),
                vec![Phrase::plain(&r.reference)],
            ),
            (Phrase::plain(&w.received), vec![Phrase::plain(&r.received)]),
            (Phrase::plain(&w.service), vec![r.service.title.clone()]),
        ];
        if let Some(leika) = &r.service.leika {
            overview.push((Phrase::plain(&w.leika), vec![Phrase::plain(leika)]));
        }
        overview.push((
            Phrase::plain(&w.form_version),
            vec![Phrase::plain(format!(
                "{} @ {}",
                r.service.form, r.service.version
            ))],
        ));
        let mut authority = vec![Phrase::plain(&r.authority.name)];
        authority.extend(r.authority.office.iter().map(Phrase::plain));
        overview.push((Phrase::plain(&w.authority), authority));
        overview.push((Phrase::plain(&w.ags), vec![Phrase::plain(&r.authority.ags)]));
        body.push(self.table(overview));

        for section in &r.sections {
            let mut parts = vec![self.heading(2, &section.title)];
            let mut pending: Vec<(Phrase, Vec<Phrase>)> = Vec::new();
            for item in &section.items {
                match item {
                    Item::Answer(a) => pending.push(answer_row(a)),
                    Item::Group(g) => {
                        if !pending.is_empty() {
                            parts.push(self.table(std::mem::take(&mut pending)));
                        }
                        parts.extend(self.group(g));
                    }
                }
            }
            if !pending.is_empty() {
                parts.push(self.table(pending));
            }
            body.push(SNode::Group(Tag::Section.into(), parts));
        }

        if let Some(fees) = &r.fees {
            let mut parts = vec![self.heading(2, &Phrase::plain(&w.fees))];
            parts.push(self.fee_table(r));
            if let Some(reference) = &fees.payment_reference {
                let rows = vec![(
                    Phrase::plain(&w.payment_reference),
                    vec![Phrase::plain(reference)],
                )];
                parts.push(self.table(rows));
            }
            body.push(SNode::Group(Tag::Section.into(), parts));
        }

        if !r.attachments.is_empty() {
            let mut parts = vec![self.heading(2, &Phrase::plain(&w.attachments))];
            parts.push(self.attachment_list(r));
            body.push(SNode::Group(Tag::Section.into(), parts));
        }

        if let Some(identity) = &r.identity {
            let mut parts = vec![self.heading(2, &Phrase::plain(&w.identity))];
            let mut rows = vec![(
                Phrase::plain(&w.identity_method),
                vec![identity.method.clone()],
            )];
            rows.extend(identity.attributes.iter().map(answer_row));
            parts.push(self.table(rows));
            body.push(SNode::Group(Tag::Section.into(), parts));
        }

        let mut parts = vec![self.heading(2, &Phrase::plain(&w.integrity))];
        let intro = self.paragraph(&w.integrity_intro, None, BODY);
        parts.push(self.p(vec![intro]));
        self.y += 4.0;
        parts.push(self.table(vec![(
            Phrase::plain(&w.data_sha512),
            vec![Phrase::plain(&r.data_sha512)],
        )]));
        body.push(SNode::Group(Tag::Section.into(), parts));
        body
    }

    /// A group: its label as a heading, then one table per entry (with the entry's title as a
    /// heading for the items of a list).
    fn group(&mut self, g: &Group) -> Vec<SNode> {
        let mut parts = vec![self.heading(3, &g.label)];
        if g.entries.is_empty()
            && let Some(empty) = &g.empty
        {
            let leaf = self.paragraph(&empty.text, empty.lang.as_deref(), BODY);
            parts.push(self.p(vec![leaf]));
        }
        for Entry { title, answers } in &g.entries {
            if let Some(title) = title {
                parts.push(self.heading(4, title));
            }
            parts.push(self.table(answers.iter().map(answer_row).collect()));
        }
        vec![SNode::Group(Tag::Div.into(), parts)]
    }

    /// Fees: a column header row, one row per fee, the total.
    fn fee_table(&mut self, r: &Receipt) -> SNode {
        let w = &r.words;
        let fees = r.fees.as_ref().expect("called with fees");
        let amount_width = 110.0;
        let label_width = CONTENT_WIDTH - CELL_GAP - amount_width;
        let (label_x, amount_x) = if self.rtl {
            (MARGIN + amount_width + CELL_GAP, MARGIN)
        } else {
            (MARGIN, MARGIN + label_width + CELL_GAP)
        };
        let mut rows = Vec::new();
        let cell = |doc: &mut Layout, text: &str, lang: Option<&str>, style, x, width| {
            let lines = text::lines(text, style, width);
            let leaf = doc.leaf(lang);
            let end = doc.place(
                leaf,
                lines,
                style,
                0,
                x,
                width,
                doc.page,
                doc.y + ROW_PADDING,
            );
            (SNode::Leaf(leaf), end)
        };
        // Header row.
        self.keep(4.0 * BODY.line_height());
        self.rule(self.y);
        let (item, e1) = cell(self, &w.fee_item, None, BODY_BOLD, label_x, label_width);
        let (amount, e2) = cell(self, &w.fee_amount, None, BODY_BOLD, amount_x, amount_width);
        (self.page, self.y) = later(e1, e2);
        self.y += ROW_PADDING;
        let head = SNode::Group(
            Tag::THead.into(),
            vec![SNode::Group(
                Tag::TR.into(),
                vec![
                    SNode::Group(Tag::TH(TableHeaderScope::Column).into(), vec![item]),
                    SNode::Group(Tag::TH(TableHeaderScope::Column).into(), vec![amount]),
                ],
            )],
        );
        for fee in &fees.items {
            self.keep(2.0 * BODY.line_height());
            self.rule(self.y);
            let label = match &fee.detail {
                Some(detail) => format!("{} ({detail})", fee.label.text),
                None => fee.label.text.clone(),
            };
            let (l, e1) = cell(
                self,
                &label,
                fee.label.lang.as_deref(),
                BODY,
                label_x,
                label_width,
            );
            let (a, e2) = cell(self, &fee.amount, None, BODY, amount_x, amount_width);
            (self.page, self.y) = later(e1, e2);
            self.y += ROW_PADDING;
            rows.push(SNode::Group(
                Tag::TR.into(),
                vec![
                    SNode::Group(Tag::TD.into(), vec![l]),
                    SNode::Group(Tag::TD.into(), vec![a]),
                ],
            ));
        }
        self.keep(2.0 * BODY.line_height());
        self.rule(self.y);
        let (l, e1) = cell(self, &w.fee_total, None, BODY_BOLD, label_x, label_width);
        let (a, e2) = cell(self, &fees.total, None, BODY_BOLD, amount_x, amount_width);
        (self.page, self.y) = later(e1, e2);
        self.y += ROW_PADDING;
        self.rule(self.y);
        rows.push(SNode::Group(
            Tag::TR.into(),
            vec![
                SNode::Group(Tag::TH(TableHeaderScope::Row).into(), vec![l]),
                SNode::Group(Tag::TD.into(), vec![a]),
            ],
        ));
        SNode::Group(
            Tag::Table.into(),
            vec![head, SNode::Group(Tag::TBody.into(), rows)],
        )
    }

    /// Attachments as a numbered list: file name, question, size, checksum.
    fn attachment_list(&mut self, r: &Receipt) -> SNode {
        let w = &r.words;
        let label_width = 22.0;
        let body_width = CONTENT_WIDTH - label_width;
        let (label_x, body_x) = if self.rtl {
            (MARGIN + body_width, MARGIN)
        } else {
            (MARGIN, MARGIN + label_width)
        };
        let mut items = Vec::new();
        for (i, a) in r.attachments.iter().enumerate() {
            self.keep(5.0 * BODY.line_height());
            let number = format!("{}.", i + 1);
            let lines = text::lines(&number, BODY_BOLD, label_width);
            let lbl = self.leaf(None);
            self.place(
                lbl,
                lines,
                BODY_BOLD,
                0,
                label_x,
                label_width,
                self.page,
                self.y,
            );
            let mut paragraphs = Vec::new();
            let line = |doc: &mut Layout, text: &str, lang: Option<&str>, style| {
                let lines = text::lines(text, style, body_width);
                let leaf = doc.leaf(lang);
                (doc.page, doc.y) =
                    doc.place(leaf, lines, style, 0, body_x, body_width, doc.page, doc.y);
                SNode::Group(Tag::P.into(), vec![SNode::Leaf(leaf)])
            };
            paragraphs.push(line(self, &a.file_name, None, BODY_BOLD));
            let question = format!("{}: {}", w.attachment_question, a.question.text);
            paragraphs.push(line(self, &question, a.question.lang.as_deref(), BODY));
            let size = format!("{}: {}", w.attachment_size, a.size);
            paragraphs.push(line(self, &size, None, BODY));
            paragraphs.push(line(self, &format!("SHA-512: {}", a.sha512), None, SMALL));
            self.y += 6.0;
            items.push(SNode::Group(
                Tag::LI.into(),
                vec![
                    SNode::Group(Tag::Lbl.into(), vec![SNode::Leaf(lbl)]),
                    SNode::Group(Tag::LBody.into(), paragraphs),
                ],
            ));
        }
        SNode::Group(Tag::L(ListNumbering::Decimal).into(), items)
    }

    /// Draws every page, builds the structure tree and the outline, and lets krilla check
    /// PDF/UA-1 and PDF/A-2a.
    fn write(mut self, r: &Receipt, body: Vec<SNode>) -> Result<Vec<u8>, RenderError> {
        let total = self.pages.len();
        for (n, page) in self.pages.iter_mut().enumerate() {
            let footer = format!(
                "{} {} · {}",
                r.words.reference,
                r.reference,
                fill(
                    &r.words.page,
                    &[("n", &(n + 1).to_string()), ("m", &total.to_string())]
                )
            );
            let lines = text::lines(&footer, SMALL, CONTENT_WIDTH);
            let placed = lines
                .into_iter()
                .map(|line| Placed {
                    x: if self.rtl {
                        MARGIN + CONTENT_WIDTH - line.width
                    } else {
                        MARGIN
                    },
                    baseline: FOOTER_BASELINE,
                    line,
                    style: SMALL,
                    grey: LABEL_GREY,
                })
                .collect();
            page.push(Chunk {
                leaf: None,
                lines: placed,
                rules: Vec::new(),
            });
        }

        let configuration = ConfigurationBuilder::new()
            .with_accessibility_validator(Accessibility::UA1)
            .with_archival_validator(Archival::A2_A)
            .finish()
            .map_err(|e| RenderError::Configuration(format!("{e:?}")))?;
        let settings = SerializeSettings {
            configuration,
            enable_tagging: true,
            ..SerializeSettings::default()
        };
        let mut document = Document::new_with(settings);
        let mut identifiers: Vec<Vec<Identifier>> = vec![Vec::new(); self.leaves.len()];
        let size = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a valid size");
        for chunks in &self.pages {
            let mut page = document.start_page_with(size.clone());
            let mut surface = page.surface();
            for chunk in chunks {
                draw_chunk(&mut surface, chunk, &self.leaves, &mut identifiers);
            }
            surface.finish();
            page.finish();
        }

        let mut tree = TagTree::new().with_lang(Some(r.language.clone()));
        for node in body {
            tree.push(to_krilla(node, &mut identifiers));
        }
        document.set_tag_tree(tree);
        document.set_outline(outline(&self.headings));
        document.set_metadata(metadata(r));
        document
            .finish()
            .map_err(|e| RenderError::Pdf(format!("{e:?}")))
    }
}

/// The later of two places (page, then height on the page).
fn later(a: (usize, f32), b: (usize, f32)) -> (usize, f32) {
    if (b.0, b.1) > (a.0, a.1) { b } else { a }
}

fn answer_row(a: &Answer) -> (Phrase, Vec<Phrase>) {
    (a.label.clone(), a.value.clone())
}

fn draw_chunk(
    surface: &mut Surface<'_>,
    chunk: &Chunk,
    leaves: &[Leaf],
    identifiers: &mut [Vec<Identifier>],
) {
    draw_rules(surface, &chunk.rules);
    let Some(leaf) = chunk.leaf else {
        let kind = if chunk.rules.is_empty() {
            ArtifactType::PaginationOther
        } else {
            ArtifactType::Layout
        };
        surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)));
        draw_lines(surface, &chunk.lines);
        surface.end_tagged();
        return;
    };
    let span = SpanTag::empty().with_lang(leaves[leaf].lang.as_deref());
    identifiers[leaf].push(surface.start_tagged(ContentTag::Span(span)));
    draw_lines(surface, &chunk.lines);
    surface.end_tagged();
}

/// Row separators: artifacts, they only help the eye.
fn draw_rules(surface: &mut Surface<'_>, rules: &[(f32, f32, f32)]) {
    if rules.is_empty() {
        return;
    }
    surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
        ArtifactType::Layout,
    )));
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        paint: luma::Color::new(RULE_GREY).into(),
        width: 0.5,
        ..Stroke::default()
    }));
    for (y, from, to) in rules {
        let mut path = PathBuilder::new();
        path.move_to(*from, *y);
        path.line_to(*to, *y);
        if let Some(path) = path.finish() {
            surface.draw_path(&path);
        }
    }
    surface.set_stroke(None);
    surface.end_tagged();
}

fn draw_lines(surface: &mut Surface<'_>, lines: &[Placed]) {
    for placed in lines {
        surface.set_fill(Some(Fill {
            paint: luma::Color::new(placed.grey).into(),
            ..Fill::default()
        }));
        let mut x = placed.x;
        for run in &placed.line.runs {
            surface.draw_glyphs(
                Point::from_xy(x, placed.baseline),
                &run.glyphs,
                run.face().pdf(),
                &run.text,
                placed.style.size,
                false,
            );
            x += run.width;
        }
    }
}

fn to_krilla(node: SNode, identifiers: &mut [Vec<Identifier>]) -> Node {
    match node {
        SNode::Group(tag, children) => {
            let mut group = TagGroup::new(tag);
            for child in children {
                match child {
                    SNode::Leaf(leaf) => {
                        for id in std::mem::take(&mut identifiers[leaf]) {
                            group.push(id);
                        }
                    }
                    group_node => group.push(to_krilla(group_node, identifiers)),
                }
            }
            group.into()
        }
        SNode::Leaf(leaf) => {
            // A leaf at the top level is wrapped in a paragraph (the tree's children are
            // structure elements).
            let mut group = TagGroup::new(Tag::P);
            for id in std::mem::take(&mut identifiers[leaf]) {
                group.push(id);
            }
            group.into()
        }
    }
}

/// Headings of level 1 and 2 as bookmarks (PDF/UA asks for an outline).
fn outline(headings: &[Heading]) -> Outline {
    let mut outline = Outline::new();
    let mut top: Option<OutlineNode> = None;
    for h in headings.iter().filter(|h| h.level <= 2) {
        let node = OutlineNode::new(
            h.text.clone(),
            XyzDestination::new(h.page, Point::from_xy(0.0, h.y)),
        );
        if h.level == 1 {
            if let Some(done) = top.take() {
                outline.push_child(done);
            }
            top = Some(node.with_open(true));
        } else if let Some(parent) = top.as_mut() {
            parent.push_child(node);
        } else {
            outline.push_child(node);
        }
    }
    if let Some(done) = top {
        outline.push_child(done);
    }
    outline
}

/// Title, language, direction, author and a creation date taken from the content (the time
/// received), never from the clock; the document id is a hash of the content.
fn metadata(r: &Receipt) -> Metadata {
    let utc = r.received_at;
    let offset = utc.offset();
    let created = DateTime::new(utc.year() as u16)
        .month(utc.month() as u8)
        .day(utc.day())
        .hour(utc.hour())
        .minute(utc.minute())
        .second(utc.second())
        .utc_offset_hour(offset.whole_hours())
        .utc_offset_minute(offset.minutes_past_hour().unsigned_abs());
    let canonical = serde_json::to_vec(r).expect("receipts serialize");
    Metadata::new()
        .title(format!(
            "{}: {} ({})",
            r.words.title, r.service.title.text, r.reference
        ))
        .language(r.language.clone())
        .authors(vec![r.authority.name.clone()])
        .creator("Formfabrik".into())
        .producer("Formfabrik receipt (krilla)".into())
        .creation_date(created)
        .document_id(hex::encode(Sha256::digest(canonical)))
        .text_direction(if r.rtl {
            TextDirection::RightToLeft
        } else {
            TextDirection::LeftToRight
        })
}
