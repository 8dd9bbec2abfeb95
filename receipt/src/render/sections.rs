//! The receipt's parts in reading order: letterhead, title, overview, one section per step
//! (with groups and list entries), fees, attachments, identity, checksums.

use super::*;

impl Layout {
    pub(super) fn receipt_body(&mut self, r: &Receipt) -> Vec<SNode> {
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
}

fn answer_row(a: &Answer) -> (Phrase, Vec<Phrase>) {
    (a.label.clone(), a.value.clone())
}
