//! Drawing the laid-out pages with krilla, the structure tree, the outline and the metadata.

use super::*;

impl Layout {
    /// Draws every page, builds the structure tree and the outline, and lets krilla check
    /// PDF/UA-1 and PDF/A-2a.
    pub(super) fn write(mut self, r: &Receipt, body: Vec<SNode>) -> Result<Vec<u8>, RenderError> {
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
                &run.glyphs[..],
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
