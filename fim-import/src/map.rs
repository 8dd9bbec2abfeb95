//! FIM tree → catalog form. The rules are written down for designers in `docs/fim.md`; in
//! short:
//!
//! - Top-level groups become steps; runs of top-level fields become steps of their own.
//! - Inside a step, a group of fields only, or a repeatable group, becomes a `group` field
//!   (`repeat` for `0:*`, `1:*`, `n:m`); a group that holds groups is dissolved into its parent
//!   (the form language nests one level), and so is every group inside a `group` field.
//! - `required` is FIM's `min >= 1`, as far as the form language can say it: a required field
//!   in an optional group outside a `group` field becomes optional, and the report says so.
//! - Rules are never turned into conditions: each becomes a comment at the element it is about
//!   and an entry in the report.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use form_model::Field;
use form_model::model::{Bound, Choice, DateParts, FieldType, FimRef, Form, Repeat, Step, Text};
use regex::Regex;
use serde_json::json;

use crate::error::ImportError;
use crate::report::{Finding, Kind, LeftOutCodes, Report, RuleNote};
use crate::text::{
    MAX_ID, PARENS, cut, first_words, id_source, is_email_pattern, join_paragraphs, one_line,
    paragraphs, pattern_message, portable_pattern, slug,
};
use crate::xdf::{
    Anzahl, Child, Code, Codes, Datentyp, Element, Feldart, Group, MessageKind, Rule, Schema,
};
use crate::xdf::{CodeLists, LeftOut, Selection};

/// Accepted media types of a file field when FIM names none.
pub const DEFAULT_ACCEPT: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];
/// Largest file in MB when FIM names none (a whole submission may be at most 6 MB).
pub const DEFAULT_MAX_SIZE_MB: f64 = 5.0;
/// Retention when nothing better is known; flagged in the report.
pub const DEFAULT_RETENTION_DAYS: u32 = 365;
/// Free text longer than this becomes a textarea.
pub const TEXTAREA_FROM: u32 = 256;
/// `max-length` of a text field for which FIM gives none.
pub const DEFAULT_MAX_LENGTH: u32 = 1000;
/// Select fields with at most this many values are shown as radios.
pub const RADIOS_UP_TO: usize = 5;
/// A list of up to this many values (`anzahl` 2:5) becomes numbered questions.
pub const NUMBERED_UP_TO: u32 = 10;

/// Where a comment goes in the YAML.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// Above `steps:`.
    Top,
    /// Above the step's `- id:`.
    Step(String),
    /// Above the field's `- id:` (also a group member).
    Field(String),
    /// After the last field of the step.
    StepEnd(String),
}

impl Anchor {
    pub fn describe(&self) -> String {
        match self {
            Anchor::Top => "at the top of the steps".into(),
            Anchor::Step(s) => format!("above step `{s}`"),
            Anchor::Field(f) => format!("above field `{f}`"),
            Anchor::StepEnd(s) => format!("at the end of step `{s}`"),
        }
    }
}

/// A mapped form with the comments to write next to it.
#[derive(Debug, Clone)]
pub struct Mapped {
    pub form: Form,
    /// Lines (without `# `) above the form's first key.
    pub header: Vec<String>,
    pub comments: HashMap<Anchor, Vec<String>>,
    pub report: Report,
}

/// What the importer is asked for besides the schema.
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    /// The form id; default: a slug of the schema's name.
    pub form_id: Option<String>,
}

/// Maps a parsed schema. Errors are references the importer cannot resolve (code lists).
pub fn map(
    schema: &Schema,
    file: &Path,
    codelists: &CodeLists,
    opts: &MapOptions,
) -> Result<Mapped, Vec<ImportError>> {
    let mut m = Mapper {
        file,
        codelists,
        errors: Vec::new(),
        report: Report::default(),
        field_ids: HashSet::new(),
        step_ids: HashSet::new(),
        comments: HashMap::new(),
        anchors: HashMap::new(),
        waiting: Vec::new(),
        pending: Vec::new(),
        left_out: None,
        yaml_of: HashMap::new(),
        default_length: Vec::new(),
        default_file: Vec::new(),
    };
    let form = m.form(schema, opts);
    m.place_rules(schema);
    let review = crate::review::optional_applicant_details(schema, &m.yaml_of);
    m.report.findings.extend(review);
    let mut aggregated = Vec::new();
    if !m.default_length.is_empty() {
        aggregated.push(format!(
            "textarea with max-length {DEFAULT_MAX_LENGTH} where FIM sets no maxLength ({} fields; make short answers type: text): {}",
            m.default_length.len(),
            m.default_length.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    if !m.default_file.is_empty() {
        aggregated.push(format!(
            "file fields without FIM media types or size accept {} up to {DEFAULT_MAX_SIZE_MB} MB: {}",
            DEFAULT_ACCEPT.join(", "),
            m.default_file.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    let mut seen = HashSet::new();
    let mut defaults: Vec<String> = aggregated;
    defaults.extend(std::mem::take(&mut m.report.defaults));
    defaults.retain(|d| seen.insert(d.clone()));
    m.report.defaults = defaults;
    if !m.errors.is_empty() {
        return Err(m.errors);
    }
    m.report.form_id = form.id.clone();
    m.report.steps = form.steps.len();
    for step in &form.steps {
        for f in &step.fields {
            if f.kind == FieldType::Group {
                m.report.groups += 1;
                m.report.questions += f.fields.len();
                m.report.in_groups += f.fields.len();
            } else {
                m.report.questions += 1;
            }
        }
    }
    let header = vec![
        format!("{} – importiert aus FIM", text_de(&form.title)),
        format!(
            "Quelle: FIM-Stammdatenschema {} Version {} ({}), mit `formfabrik import-fim`.",
            schema.id,
            schema.version,
            schema.xdf.name()
        ),
        "Vor der Veröffentlichung: Import-Bericht lesen, die FIM-Regeln (Kommentare „FIM-Regel“) als show-if umsetzen, purpose, legal-basis und retention-days prüfen. FIM liefert nur deutsche Texte; weitere Sprachen gehören in die Texte oder in ein Overlay.".into(),
    ];
    Ok(Mapped {
        form,
        header,
        comments: m.comments,
        report: m.report,
    })
}

fn text_de(t: &Text) -> String {
    t.get("de").cloned().unwrap_or_default()
}

fn de(s: impl Into<String>) -> Text {
    Text::from([("de".to_string(), s.into())])
}

/// The questions of a group that are a date's day, month and year (number questions labelled
/// „Tag“, „Monat“, „Jahr“, and nothing else), as `date-parts`.
fn date_parts_of(fields: &[Field]) -> Option<DateParts> {
    let (mut day, mut month, mut year) = (None, None, None);
    for f in fields {
        let label = f.label.get("de").map(|l| l.trim().to_lowercase());
        let slot = match (f.kind, label.as_deref()) {
            (FieldType::Number, Some("tag")) => &mut day,
            (FieldType::Number, Some("monat")) => &mut month,
            (FieldType::Number, Some("jahr")) => &mut year,
            _ => return None,
        };
        *slot = Some(f.id.clone());
    }
    if day.is_some() && month.is_none() {
        return None;
    }
    Some(DateParts {
        day,
        month,
        year: year?,
    })
}

/// A field with only id, type and label; everything else at its default. Built through serde
/// so that keys added to the form language later keep their defaults here.
fn blank(id: &str, kind: FieldType, label: &str) -> Field {
    serde_json::from_value(json!({ "id": id, "type": kind.name(), "label": { "de": label } }))
        .expect("a field with id, type and label is complete")
}

/// Where the mapper is: what the questions it writes belong to.
#[derive(Debug, Clone)]
struct Ctx {
    /// FIM requires the container whenever the form is filled in: a required FIM field is a
    /// required question here.
    mandatory: bool,
    /// Inside a `group` field (which cannot hold groups).
    in_group: bool,
    /// Label of the dissolved group the questions come from, for their hints.
    prefix: Option<String>,
    /// Slug that makes a clashing id unique.
    context: String,
    /// The optional group that made `mandatory` false, for the report.
    optional_by: Option<String>,
}

struct Mapper<'a> {
    file: &'a Path,
    codelists: &'a CodeLists,
    errors: Vec<ImportError>,
    report: Report,
    field_ids: HashSet<String>,
    step_ids: HashSet<String>,
    comments: HashMap<Anchor, Vec<String>>,
    /// FIM element occurrence (uid) → where its comments go.
    anchors: HashMap<usize, Anchor>,
    /// Elements whose comments go wherever the next question goes (dissolved groups, skipped
    /// fields).
    waiting: Vec<usize>,
    /// Comment lines for the next anchor.
    pending: Vec<String>,
    /// Entries the code list of the field being mapped marks historic or internal (with the
    /// list's name), until the field has its id.
    left_out: Option<(String, Vec<LeftOut>)>,
    /// FIM element occurrence (uid) → its id in the form.
    yaml_of: HashMap<usize, String>,
    /// Text fields without FIM maxLength, and file fields without FIM media types or size.
    default_length: Vec<String>,
    default_file: Vec<String>,
}

fn fim_name(id: &str, version: &str) -> String {
    if version.is_empty() {
        id.to_string()
    } else {
        format!("{id} {version}")
    }
}

impl Mapper<'_> {
    /// Marks where the next YAML element is; everything waiting goes there.
    fn anchor(&mut self, a: Anchor) {
        for uid in self.waiting.drain(..) {
            self.anchors.insert(uid, a.clone());
        }
        if !self.pending.is_empty() {
            let lines = std::mem::take(&mut self.pending);
            self.comments.entry(a).or_default().extend(lines);
        }
    }

    fn finding(&mut self, kind: Kind, fim: String, label: &str, yaml: Option<&str>, why: String) {
        self.report.findings.push(Finding {
            kind,
            fim,
            label: one_line(label),
            yaml: yaml.map(str::to_string),
            why,
        });
    }

    /// An id unique in the form: from `source` (see [`id_source`]); on a clash from the name or
    /// the label, then with the context's first words in front, then numbered.
    fn field_id(&mut self, source: &str, context: &str) -> String {
        self.field_id_from(source, &[], context)
    }

    fn field_id_from(&mut self, source: &str, alternatives: &[&str], context: &str) -> String {
        let base = slug(source, MAX_ID);
        let mut candidates = vec![base.clone()];
        for a in alternatives {
            let a = PARENS.replace_all(a, "");
            if !a.trim().is_empty() {
                candidates.push(slug(&a, MAX_ID));
            }
        }
        let ctx = first_words(context, 2);
        if !ctx.is_empty() && !base.starts_with(&ctx) {
            candidates.push(cut(&format!("{ctx}-{base}"), MAX_ID + 12));
        }
        for c in candidates {
            if self.field_ids.insert(c.clone()) {
                return c;
            }
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| self.field_ids.insert(c.clone()))
            .expect("some number is free")
    }

    fn step_id(&mut self, source: &str) -> String {
        let base = slug(source, MAX_ID);
        if self.step_ids.insert(base.clone()) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| self.step_ids.insert(c.clone()))
            .expect("some number is free")
    }

    fn form(&mut self, schema: &Schema, opts: &MapOptions) -> Form {
        let title = if schema.label.is_empty() {
            one_line(&schema.name)
        } else {
            one_line(&schema.label)
        };
        let id = match &opts.form_id {
            Some(id) => id.clone(),
            None => slug(
                if schema.name.is_empty() {
                    &schema.label
                } else {
                    &schema.name
                },
                50,
            ),
        };
        self.report.source = format!(
            "{} „{}“ ({})",
            fim_name(&schema.id, &schema.version),
            one_line(if schema.name.is_empty() {
                &schema.label
            } else {
                &schema.name
            }),
            schema.xdf.name()
        );
        if opts.form_id.is_none() {
            self.report.defaults.push(format!(
                "form id `{id}`: from the schema's name (pass --id to choose another)"
            ));
        }

        let mut steps = Vec::new();
        let mut run: Vec<&Child> = Vec::new();
        for child in &schema.children {
            match &child.element {
                Element::Field(_) => run.push(child),
                Element::Group(g) => {
                    if !run.is_empty() {
                        let r = std::mem::take(&mut run);
                        let first = steps.is_empty();
                        steps.extend(self.field_step(&r, first));
                    }
                    steps.extend(self.group_step(g, child.anzahl));
                }
            }
        }
        if !run.is_empty() {
            let first = steps.is_empty();
            steps.extend(self.field_step(&run, first));
        }
        if !self.pending.is_empty() || !self.waiting.is_empty() {
            match steps.last() {
                Some(s) => self.anchor(Anchor::StepEnd(s.id.clone())),
                None => self.anchor(Anchor::Top),
            }
        }

        let purpose = [&schema.beschreibung, &schema.definition]
            .into_iter()
            .map(|t| paragraphs(t))
            .find(|t| !t.is_empty());
        let purpose = match purpose {
            Some(p) => {
                self.report.defaults.push(
                    "purpose: taken from the schema's beschreibung/definition; check that it says what the data is used for".into(),
                );
                p
            }
            None => {
                self.report.defaults.push(
                    "purpose: FIM has none; a general sentence was written from the schema's title. Say what the data is used for".into(),
                );
                format!("Bearbeitung Ihres Anliegens „{title}“ durch die zuständige Behörde.")
            }
        };
        let legal_basis = self.legal_basis(schema);
        self.report.defaults.push(format!(
            "retention-days: {DEFAULT_RETENTION_DAYS} (FIM names no retention period); set the period the records schedule of the authority prescribes"
        ));
        self.report.defaults.push(
            "languages: FIM has German texts only, so the form has `de` texts only; a municipality that offers more languages needs the texts added (or an overlay) before it can use the form".into(),
        );
        let fim = (schema.message == MessageKind::Schema).then(|| FimRef {
            id: schema.id.clone(),
            version: schema.version.clone(),
        });
        if schema.leika.is_none() {
            self.report
                .defaults
                .push("leika: the schema names no LeiKa key; add it if the service has one".into());
        }
        let intro = paragraphs(&schema.help);
        Form {
            id,
            version: 1,
            leika: schema.leika.clone(),
            title: de(title),
            intro: (!intro.is_empty()).then(|| de(intro)),
            purpose: de(purpose),
            legal_basis: de(legal_basis),
            recipients: None,
            retention_days: DEFAULT_RETENTION_DAYS,
            steps,
            fees: Vec::new(),
            fim,
        }
    }

    /// The schema's `bezug` (the statutes of the whole process); without one the distinct
    /// `bezug` texts of the top-level groups. Field-level references name data standards
    /// (XInneres, XÖV core components) and the like, not the legal basis, so they stay out.
    fn legal_basis(&mut self, schema: &Schema) -> String {
        let split = |t: &str| -> Vec<String> {
            t.split([';', '\n'])
                .map(one_line)
                .filter(|s| !s.is_empty())
                .collect()
        };
        let mut items = split(&schema.bezug);
        let from_schema = !items.is_empty();
        if !from_schema {
            for c in &schema.children {
                if let Element::Group(g) = &c.element {
                    for i in split(&group_bezug(g)) {
                        if !items.contains(&i) {
                            items.push(i);
                        }
                    }
                }
            }
        }
        if items.is_empty() {
            self.report.defaults.push(
                "legal-basis: the schema names no bezug; a placeholder was written. Name the statutes".into(),
            );
            return "Art. 6 Abs. 1 Buchst. e DSGVO in Verbindung mit dem Fachrecht (bitte ergänzen)."
                .into();
        }
        self.report.defaults.push(format!(
            "legal-basis: the {} bezug ({}); add the GDPR basis (usually Art. 6 Abs. 1 Buchst. c or e DSGVO) if the data protection notice needs it",
            if from_schema { "schema's" } else { "top-level groups'" },
            items.join("; ")
        ));
        items.join("; ")
    }

    /// A step for a run of top-level fields.
    fn field_step(&mut self, run: &[&Child], first: bool) -> Option<Step> {
        let names: Vec<String> = run
            .iter()
            .filter_map(|c| match &c.element {
                Element::Field(f) => {
                    Some(one_line(if f.name.is_empty() { &f.label } else { &f.name }))
                }
                Element::Group(_) => None,
            })
            .collect();
        let title = if names.len() == 1 {
            names[0].clone()
        } else {
            let common = common_words(&names);
            if common.split_whitespace().count() >= 2 {
                common
            } else if first {
                "Allgemeine Angaben".into()
            } else {
                "Weitere Angaben".into()
            }
        };
        let id = self.step_id(&title);
        self.anchor(Anchor::Step(id.clone()));
        self.report.defaults.push(format!(
            "step `{id}` „{title}“: made for FIM fields directly under the schema ({})",
            run.iter()
                .map(|c| match &c.element {
                    Element::Field(f) => f.id.clone(),
                    Element::Group(g) => g.id.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ));
        let ctx = Ctx {
            mandatory: true,
            in_group: false,
            prefix: None,
            context: id.clone(),
            optional_by: None,
        };
        let children: Vec<Child> = run.iter().map(|c| (*c).clone()).collect();
        let mut fields = Vec::new();
        let note = self.children(&children, &ctx, &mut fields);
        self.finish_step(id, title, note.unwrap_or_default(), fields)
    }

    fn finish_step(
        &mut self,
        id: String,
        title: String,
        intro: String,
        fields: Vec<Field>,
    ) -> Option<Step> {
        if !self.pending.is_empty() || !self.waiting.is_empty() {
            self.anchor(Anchor::StepEnd(id.clone()));
        }
        if fields.is_empty() {
            self.finding(
                Kind::NotMapped,
                "step".into(),
                &title,
                None,
                "no question of this step could be mapped, so the step is left out".into(),
            );
            self.step_ids.remove(&id);
            for a in [Anchor::Step(id.clone()), Anchor::StepEnd(id.clone())] {
                if let Some(lines) = self.comments.remove(&a) {
                    self.pending.extend(lines);
                }
                let uids: Vec<usize> = self
                    .anchors
                    .iter()
                    .filter(|(_, v)| **v == a)
                    .map(|(k, _)| *k)
                    .collect();
                for u in uids {
                    self.anchors.remove(&u);
                    self.waiting.push(u);
                }
            }
            return None;
        }
        Some(Step {
            id,
            title: de(title),
            intro: (!intro.is_empty()).then(|| de(intro)),
            show_if: None,
            fields,
        })
    }

    /// A step for a top-level group.
    fn group_step(&mut self, g: &Group, anzahl: Anzahl) -> Option<Step> {
        let id = self.step_id(&id_source(&g.name, &g.label));
        let title = one_line(&g.label);
        self.waiting.push(g.uid);
        self.anchor(Anchor::Step(id.clone()));
        self.yaml_of.insert(g.uid, format!("step `{id}`"));
        let mut fields = Vec::new();
        let mut intro = paragraphs(&g.help);
        if anzahl.is_list() {
            // A repeatable top-level group: the step asks for a list of entries.
            let ctx = Ctx {
                mandatory: true,
                in_group: false,
                prefix: None,
                context: id.clone(),
                optional_by: None,
            };
            let inner = Group {
                help: String::new(),
                ..g.clone()
            };
            self.group(&inner, anzahl, &ctx, &mut fields, true);
        } else {
            let optional_by = (anzahl.min == 0).then(|| describe_group(g, anzahl));
            if anzahl.min == 0 {
                self.finding(
                    Kind::Partial,
                    fim_name(&g.id, &g.version),
                    &g.label,
                    Some(&id),
                    "optional in FIM (0:1), but a step is always asked unless it has a show-if; its required questions were made optional (see below). Add the show-if its rules describe".into(),
                );
            }
            let ctx = Ctx {
                mandatory: anzahl.min >= 1,
                in_group: false,
                prefix: None,
                context: id.clone(),
                optional_by,
            };
            if let Some(note) = self.children(&g.children, &ctx, &mut fields) {
                intro = join_paragraphs([intro.as_str(), note.as_str()]);
            }
        }
        self.finish_step(id, title, intro, fields)
    }

    /// Maps `children` into `out`. Returns the text of label fields that found no question to
    /// go with.
    fn children(&mut self, children: &[Child], ctx: &Ctx, out: &mut Vec<Field>) -> Option<String> {
        let mut note: Option<String> = None;
        for child in children {
            let before = out.len();
            match &child.element {
                Element::Field(f) if f.feldart == Feldart::Label => {
                    let text = if f.inhalt.is_empty() {
                        join_paragraphs([one_line(&f.label).as_str(), paragraphs(&f.help).as_str()])
                    } else {
                        paragraphs(&f.inhalt)
                    };
                    note = Some(join_paragraphs([
                        note.as_deref().unwrap_or(""),
                        text.as_str(),
                    ]));
                    self.waiting.push(f.uid);
                    self.finding(
                        Kind::Partial,
                        fim_name(&f.id, &f.version),
                        &f.label,
                        None,
                        "a label (static text) is not a question: its text is put into the hint of the next question, or into the step's intro when none follows".into(),
                    );
                    continue;
                }
                Element::Field(f) => {
                    let fields = self.field(f, child.anzahl, ctx);
                    out.extend(fields);
                }
                Element::Group(g) => self.group(g, child.anzahl, ctx, out, false),
            }
            if out.len() > before
                && let Some(n) = note.take()
            {
                let first = &mut out[before];
                let hint = first.hint.as_ref().map(text_de).unwrap_or_default();
                first.hint = Some(de(join_paragraphs([n.as_str(), hint.as_str()])));
            }
        }
        note
    }

    /// A group inside a step (or a repeatable top-level group when `whole_step`).
    fn group(
        &mut self,
        g: &Group,
        anzahl: Anzahl,
        ctx: &Ctx,
        out: &mut Vec<Field>,
        whole_step: bool,
    ) {
        let list = anzahl.is_list();
        let fim = fim_name(&g.id, &g.version);
        if !ctx.in_group && (g.is_leaf() || list) {
            let id = self.field_id_from(
                &id_source(&g.name, &g.label),
                &[&g.name, &g.label],
                &ctx.context,
            );
            self.waiting.push(g.uid);
            self.anchor(Anchor::Field(id.clone()));
            self.yaml_of.insert(g.uid, format!("`{id}`"));
            let label = match &ctx.prefix {
                Some(p) if !g.label.contains(p.as_str()) => format!("{p}: {}", one_line(&g.label)),
                _ => one_line(&g.label),
            };
            let inner = Ctx {
                mandatory: true,
                in_group: true,
                prefix: None,
                context: id.clone(),
                optional_by: None,
            };
            let mut members = Vec::new();
            let note = self.children(&g.children, &inner, &mut members);
            if members.is_empty() {
                self.finding(
                    Kind::NotMapped,
                    fim,
                    &g.label,
                    None,
                    "none of the group's fields could be mapped, so the group is left out".into(),
                );
                self.field_ids.remove(&id);
                if let Some(lines) = self.comments.remove(&Anchor::Field(id.clone())) {
                    self.pending.extend(lines);
                }
                self.anchors.remove(&g.uid);
                self.waiting.push(g.uid);
                return;
            }
            let mut field = blank(&id, FieldType::Group, &label);
            let hint =
                join_paragraphs([paragraphs(&g.help).as_str(), note.as_deref().unwrap_or("")]);
            field.hint = (!hint.is_empty()).then(|| de(hint));
            let any_required = members.iter().any(|m| m.required);
            if list {
                let min = if ctx.mandatory { anzahl.min } else { 0 };
                if anzahl.min > 0 && !ctx.mandatory {
                    self.made_optional(ctx, &id);
                }
                field.repeat = Some(Repeat {
                    min,
                    max: anzahl.max,
                });
            } else if anzahl.min >= 1 && any_required {
                if ctx.mandatory {
                    field.required = true;
                } else {
                    self.made_optional(ctx, &id);
                }
            }
            field.fim = Some(FimRef {
                id: g.id.clone(),
                version: g.version.clone(),
            });
            field.fields = members;
            if let Some(parts) = date_parts_of(&field.fields) {
                // FIM's "Datum (teilbekannt)": day, month and year as numbers. Together they
                // must be a real date, and a birth date cannot lie in the future.
                let birth = [&g.name, &g.label]
                    .iter()
                    .any(|t| t.to_lowercase().contains("geburt"));
                if birth {
                    field.max = Some(Bound::Text("today".into()));
                }
                self.report.defaults.push(format!(
                    "`{id}`: day, month and year of {fim} „{}“ → date-parts, so they must form a real date{}",
                    one_line(&g.label),
                    if birth {
                        ", and a birth date not after today (max: today)"
                    } else {
                        ""
                    }
                ));
                field.date_parts = Some(parts);
            }
            if whole_step {
                self.report.defaults.push(format!(
                    "step for {fim} „{}“ ({}): the whole step is the list `{id}`",
                    one_line(&g.label),
                    anzahl.show()
                ));
            }
            out.push(field);
            return;
        }
        // Dissolve: the group's questions go into the container.
        let container = if ctx.in_group {
            "the group around it"
        } else {
            "its step"
        };
        if list {
            self.finding(
                Kind::Partial,
                fim.clone(),
                &g.label,
                None,
                format!(
                    "repeatable ({}) inside a group; the form language has no list inside a group, so its fields are asked once, directly in {container}",
                    anzahl.show()
                ),
            );
        } else {
            self.finding(
                Kind::Flattened,
                fim.clone(),
                &g.label,
                None,
                format!(
                    "{} ({}) dissolved into {container}; its fields keep their FIM ids, the group's id is only in this report and a YAML comment",
                    if g.is_leaf() { "group" } else { "group of groups" },
                    anzahl.show()
                ),
            );
        }
        self.waiting.push(g.uid);
        self.pending.push(format!(
            "FIM-Gruppe {fim} „{}“ ({}) aufgelöst: ihre Felder folgen.",
            one_line(&g.label),
            anzahl.show()
        ));
        let optional_here = anzahl.min == 0 && ctx.mandatory;
        let inner = Ctx {
            mandatory: ctx.mandatory && anzahl.min >= 1,
            in_group: ctx.in_group,
            prefix: Some(one_line(&g.label)),
            context: slug(&id_source(&g.name, &g.label), MAX_ID),
            optional_by: if optional_here {
                Some(describe_group(g, anzahl))
            } else {
                ctx.optional_by.clone()
            },
        };
        let before = out.len();
        let note = self.children(&g.children, &inner, out);
        let help = paragraphs(&g.help);
        let intro = join_paragraphs([help.as_str(), note.as_deref().unwrap_or("")]);
        if !intro.is_empty()
            && let Some(first) = out.get_mut(before)
        {
            let hint = first.hint.as_ref().map(text_de).unwrap_or_default();
            let label = one_line(&g.label);
            let joined = if hint.starts_with(&format!("{label}:")) {
                // The prefix is already there: put the group's help after it.
                let rest = hint[label.len() + 1..].trim();
                format!("{label}: {}", join_paragraphs([intro.as_str(), rest]))
            } else {
                join_paragraphs([intro.as_str(), hint.as_str()])
            };
            first.hint = Some(de(joined));
        }
    }

    fn made_optional(&mut self, ctx: &Ctx, id: &str) {
        let by = ctx
            .optional_by
            .clone()
            .unwrap_or_else(|| "an optional group".into());
        self.report
            .made_optional
            .entry(by)
            .or_default()
            .push(id.to_string());
    }

    /// Maps one field; returns no question for what cannot be asked and several for a short
    /// list of values.
    fn field(&mut self, f: &crate::xdf::Field, anzahl: Anzahl, ctx: &Ctx) -> Vec<Field> {
        let fim = fim_name(&f.id, &f.version);
        let label = one_line(&f.label);
        let start = self.report.findings.len();
        let out = self.field_inner(f, anzahl, ctx, &fim, &label);
        for x in &out {
            let text = matches!(f.datentyp, Datentyp::Text | Datentyp::TextLatin);
            if text && x.kind == FieldType::Textarea && f.praezisierung.max_length.is_none() {
                self.default_length.push(x.id.clone());
            }
            if x.kind == FieldType::File && (f.media_types.is_empty() || f.max_size.is_none()) {
                self.default_file.push(x.id.clone());
            }
        }
        if let Some(first) = out.first() {
            for finding in &mut self.report.findings[start..] {
                if finding.yaml.is_none() {
                    finding.yaml = Some(first.id.clone());
                }
            }
        }
        out
    }

    fn field_inner(
        &mut self,
        f: &crate::xdf::Field,
        anzahl: Anzahl,
        ctx: &Ctx,
        fim: &str,
        label: &str,
    ) -> Vec<Field> {
        let fim = fim.to_string();
        let label = label.to_string();
        let skip = |m: &mut Self, why: String| {
            m.finding(Kind::NotMapped, fim.clone(), &label, None, why.clone());
            m.waiting.push(f.uid);
            m.pending
                .push(format!("FIM-Feld {fim} „{label}“ nicht übernommen: {why}"));
            Vec::new()
        };
        match f.feldart {
            Feldart::Hidden => {
                return skip(
                    self,
                    "feldart hidden: a hidden value is not a question".into(),
                );
            }
            Feldart::Locked => {
                return skip(
                    self,
                    "feldart locked: a read-only value is not a question".into(),
                );
            }
            _ => {}
        }
        match f.datentyp {
            Datentyp::Obj => {
                return skip(
                    self,
                    "datentyp obj (an object such as a signature) has no counterpart in the form language".into(),
                );
            }
            Datentyp::DateTime => {
                return skip(
                    self,
                    "datentyp datetime has no counterpart in the form language".into(),
                );
            }
            _ => {}
        }
        let required = anzahl.min >= 1 && ctx.mandatory;
        let relaxed = anzahl.min >= 1 && !ctx.mandatory;

        // Values from a code list: radios, select, or checkboxes for a list of values.
        if f.feldart == Feldart::Select || f.codes.is_some() {
            let Some(codes) = self.codes(f) else {
                return Vec::new();
            };
            let id = self.field_id_from(
                &id_source(&f.name, &f.label),
                &[&f.name, &f.label],
                &ctx.context,
            );
            if let Some((list, entries)) = self.left_out.take() {
                // Above the field in the YAML, and in the report.
                let names: Vec<String> = entries
                    .iter()
                    .map(|e| format!("{} „{}“", e.value, e.label))
                    .collect();
                self.pending.push(format!(
                    "Aus der Codeliste weggelassen (historisch oder intern): {}",
                    names.join(", ")
                ));
                self.report.left_out_codes.push(LeftOutCodes {
                    field: id.clone(),
                    fim: fim.clone(),
                    list,
                    entries,
                });
            }
            self.note_field(f.uid, &id);
            let mut field = blank(&id, FieldType::Select, &label);
            field.options = self.options(f, &codes, &fim);
            let n = field.options.len();
            field.kind = if anzahl.is_list() {
                FieldType::Checkboxes
            } else if (2..=RADIOS_UP_TO).contains(&n) {
                FieldType::Radios
            } else {
                FieldType::Select
            };
            if field.kind == FieldType::Checkboxes {
                if required && anzahl.min > 1 {
                    field.min_selected = Some(anzahl.min);
                }
                if let Some(max) = anzahl.max.filter(|m| (*m as usize) < n) {
                    field.max_selected = Some(max);
                }
                self.report.defaults.push(format!(
                    "`{id}`: FIM select with {} values → checkboxes",
                    anzahl.show()
                ));
            }
            self.finish(f, &mut field, required, relaxed, ctx);
            return vec![field];
        }

        let mut field = match f.datentyp {
            Datentyp::Text | Datentyp::TextLatin => self.text_field(f, &label),
            Datentyp::Time => {
                let mut x = blank("", FieldType::Text, &label);
                x.max_length = Some(5);
                x.pattern = Some("([01][0-9]|2[0-3]):[0-5][0-9]".into());
                x.pattern_message = Some(de("Geben Sie die Uhrzeit als hh:mm an, z. B. 08:30."));
                self.finding(
                    Kind::Partial,
                    fim.clone(),
                    &label,
                    None,
                    "datentyp time: a text field with the pattern hh:mm".into(),
                );
                x
            }
            Datentyp::Date => {
                let mut x = blank("", FieldType::Date, &label);
                let p = &f.praezisierung;
                for (value, slot) in [(&p.min_value, &mut x.min), (&p.max_value, &mut x.max)] {
                    if let Some(v) = value {
                        if is_iso_date(v) {
                            *slot = Some(Bound::Text(v.clone()));
                        } else {
                            self.finding(
                                Kind::Partial,
                                fim.clone(),
                                &label,
                                None,
                                format!("date bound \"{v}\" is not a date (YYYY-MM-DD); left out"),
                            );
                        }
                    }
                }
                x
            }
            Datentyp::Bool => self.bool_field(f, &label, &fim),
            Datentyp::Num | Datentyp::NumInt | Datentyp::NumCurrency => {
                let mut x = blank("", FieldType::Number, &label);
                x.step = match f.datentyp {
                    Datentyp::NumInt => Some(1.0),
                    Datentyp::NumCurrency => Some(0.01),
                    _ => None,
                };
                let p = &f.praezisierung;
                for (value, slot) in [(&p.min_value, &mut x.min), (&p.max_value, &mut x.max)] {
                    if let Some(v) = value {
                        match v.replace(',', ".").parse::<f64>() {
                            Ok(n) if n.is_finite() => *slot = Some(Bound::Number(n)),
                            _ => self.finding(
                                Kind::Partial,
                                fim.clone(),
                                &label,
                                None,
                                format!("number bound \"{v}\" is not a number; left out"),
                            ),
                        }
                    }
                }
                x
            }
            Datentyp::File => self.file_field(f, &label),
            Datentyp::Obj | Datentyp::DateTime => unreachable!("skipped above"),
        };
        if !f.inhalt.is_empty() {
            self.finding(
                Kind::Partial,
                fim.clone(),
                &label,
                None,
                format!(
                    "predefined value „{}“ (inhalt) is not preset: the form language has no default answers",
                    one_line(&f.inhalt)
                ),
            );
        }
        if !f.praezisierung.other.is_empty() {
            self.finding(
                Kind::Partial,
                fim.clone(),
                &label,
                None,
                format!(
                    "praezisierung {} has no counterpart; left out",
                    f.praezisierung.other.join(", ")
                ),
            );
        }
        let base = id_source(&f.name, &f.label);

        // A list of values (anzahl 2:5 and the like).
        if anzahl.is_list() {
            match (field.kind, anzahl.max) {
                (FieldType::File | FieldType::Checkboxes | FieldType::Radios, _) | (_, None) => {
                    let what = if field.kind == FieldType::File {
                        "files; the form takes one file (several documents can be combined into one PDF)"
                    } else {
                        "values; the form asks for one"
                    };
                    self.finding(
                        Kind::Partial,
                        fim.clone(),
                        &label,
                        None,
                        format!("FIM allows a list ({}) of {what}", anzahl.show()),
                    );
                }
                (_, Some(max)) if max <= NUMBERED_UP_TO => {
                    let mut out = Vec::new();
                    let first_id = slug(&base, MAX_ID - 3);
                    for i in 1..=max {
                        let id = self.field_id(&format!("{first_id} {i}"), &ctx.context);
                        if i == 1 {
                            self.note_field(f.uid, &id);
                        }
                        let mut x = field.clone();
                        x.id = id;
                        x.label = de(format!("{label} {i}"));
                        let req = i <= anzahl.min;
                        self.finish(f, &mut x, req && ctx.mandatory, req && !ctx.mandatory, ctx);
                        out.push(x);
                    }
                    self.finding(
                        Kind::Partial,
                        fim.clone(),
                        &label,
                        Some(&out[0].id),
                        format!(
                            "a list of {} values: asked as {max} numbered questions, the first {} required; all carry the same FIM id",
                            anzahl.show(),
                            anzahl.min
                        ),
                    );
                    return out;
                }
                _ => {
                    self.finding(
                        Kind::Partial,
                        fim.clone(),
                        &label,
                        None,
                        format!(
                            "FIM allows a list ({}) of values; the form asks for one",
                            anzahl.show()
                        ),
                    );
                }
            }
        }
        let id = self.field_id_from(&base, &[&f.name, &f.label], &ctx.context);
        self.note_field(f.uid, &id);
        field.id = id;
        self.finish(f, &mut field, required, relaxed, ctx);
        vec![field]
    }

    fn note_field(&mut self, uid: usize, id: &str) {
        self.waiting.push(uid);
        self.anchor(Anchor::Field(id.to_string()));
        self.yaml_of.insert(uid, format!("`{id}`"));
    }

    /// What every mapped field gets: hint, required, FIM id.
    fn finish(
        &mut self,
        f: &crate::xdf::Field,
        field: &mut Field,
        required: bool,
        relaxed: bool,
        ctx: &Ctx,
    ) {
        let mut hint = paragraphs(&f.help);
        if let Some(extra) = field.hint.as_ref().map(text_de) {
            hint = join_paragraphs([hint.as_str(), extra.as_str()]);
        }
        if let Some(p) = &ctx.prefix {
            let label = text_de(&field.label);
            if !label.contains(p.as_str()) {
                hint = if hint.is_empty() {
                    p.clone()
                } else {
                    format!("{p}: {hint}")
                };
            }
        }
        field.hint = (!hint.is_empty()).then(|| de(hint));
        field.required = required;
        if relaxed {
            self.made_optional(ctx, &field.id);
        }
        field.fim = Some(FimRef {
            id: f.id.clone(),
            version: f.version.clone(),
        });
    }

    fn codes(&mut self, f: &crate::xdf::Field) -> Option<Vec<Code>> {
        match &f.codes {
            None => {
                self.errors.push(ImportError::NoCodeList {
                    file: self.file.to_path_buf(),
                    pos: f.pos,
                    field: f.id.clone(),
                });
                None
            }
            Some(Codes::Inline(v)) => Some(v.clone()),
            Some(Codes::Reference(r)) => match self.codelists.find(r) {
                Some(list) => match list.codes(r) {
                    Ok(Selection { codes: c, left_out }) if !c.is_empty() => {
                        if !left_out.is_empty() {
                            self.left_out = Some((r.describe(), left_out));
                        }
                        self.report.defaults.push(format!(
                            "options of {} from code list {} in {} (value: its code column, label: its name column)",
                            f.id,
                            r.describe(),
                            list.file
                                .file_name()
                                .map(|n| n.to_string_lossy().to_string())
                                .unwrap_or_default()
                        ));
                        Some(c)
                    }
                    Ok(_) => {
                        self.errors.push(ImportError::CodeList {
                            file: list.file.clone(),
                            pos: crate::xdf::Pos { line: 1, col: 1 },
                            message: format!(
                                "{} has no values (used by datenfeld {})",
                                r.describe(),
                                f.id
                            ),
                        });
                        None
                    }
                    Err(message) => {
                        self.errors.push(ImportError::CodeList {
                            file: list.file.clone(),
                            pos: crate::xdf::Pos { line: 1, col: 1 },
                            message: format!("{message} (used by datenfeld {})", f.id),
                        });
                        None
                    }
                },
                None => {
                    let mut extra = String::new();
                    let others = self.codelists.other_versions(r);
                    if !others.is_empty() {
                        let v: Vec<String> = others.iter().map(|l| l.version.clone()).collect();
                        extra = format!(" (the folder has version {} of this list)", v.join(", "));
                    }
                    if !self.codelists.unreadable.is_empty() {
                        let u: Vec<String> = self
                            .codelists
                            .unreadable
                            .iter()
                            .map(|(p, e)| format!("{}: {e}", p.display()))
                            .collect();
                        extra.push_str(&format!("; unreadable files there: {}", u.join("; ")));
                    }
                    self.errors.push(ImportError::MissingCodeList {
                        file: self.file.to_path_buf(),
                        pos: r.pos,
                        field: f.id.clone(),
                        list: r.describe(),
                        dir: self.codelists.dir.clone(),
                        extra,
                    });
                    None
                }
            },
        }
    }

    fn options(&mut self, f: &crate::xdf::Field, codes: &[Code], fim: &str) -> Vec<Choice> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut changed = Vec::new();
        for c in codes {
            let mut value = c.value.clone();
            if !form_model::lint::is_option_value(&value) {
                value = slug(&value, 60).trim_start_matches("f-").to_string();
                changed.push(format!("\"{}\" → \"{value}\"", c.value));
            }
            if !seen.insert(value.clone()) {
                changed.push(format!(
                    "\"{}\" left out (same value as another code)",
                    c.value
                ));
                continue;
            }
            out.push(Choice {
                value,
                label: de(one_line(&c.label)),
                hint: c.help.as_ref().map(|h| de(paragraphs(h))),
            });
        }
        if !changed.is_empty() {
            self.finding(
                Kind::Partial,
                fim.to_string(),
                &f.label,
                None,
                format!(
                    "codes that are not valid option values were rewritten: {}; the back office must map them back",
                    changed.join(", ")
                ),
            );
        }
        out
    }

    fn text_field(&mut self, f: &crate::xdf::Field, label: &str) -> Field {
        let fim = fim_name(&f.id, &f.version);
        let p = &f.praezisierung;
        let mut x = blank("", FieldType::Text, label);
        match p.max_length {
            None => {
                x.kind = FieldType::Textarea;
                x.max_length = Some(DEFAULT_MAX_LENGTH);
                x.rows = Some(3);
            }
            Some(m) if m >= TEXTAREA_FROM => {
                x.kind = FieldType::Textarea;
                x.max_length = Some(m);
                x.rows = Some(if m > 1000 { 6 } else { 3 });
            }
            Some(m) => x.max_length = Some(m),
        }
        if let Some(min) = p.min_length.filter(|m| *m > 1) {
            x.min_length = Some(min.min(x.max_length.unwrap_or(u32::MAX)));
        }
        if let Some(pattern) = p.pattern.as_ref().filter(|p| is_email_pattern(p)) {
            // Its pattern is ASCII only and would refuse priya@müller.de; the form language's
            // e-mail check is the standard's, internationalised domains included.
            x.kind = FieldType::Email;
            x.rows = None;
            self.report.defaults.push(format!(
                "{fim} „{label}“: an e-mail address by its FIM pattern ({pattern}) → type: email (which accepts internationalised addresses such as priya@müller.de); the pattern is left out"
            ));
        } else if let Some(pattern) = &p.pattern {
            match portable_pattern(pattern) {
                Some(pat) => {
                    let (message, precise) = pattern_message(&pat, label);
                    if !precise {
                        self.finding(
                            Kind::Partial,
                            fim.clone(),
                            label,
                            None,
                            format!("pattern {pat}: a general pattern-message was written; say what is expected"),
                        );
                    }
                    x.pattern = Some(pat);
                    x.pattern_message = Some(de(message));
                }
                None => self.finding(
                    Kind::Partial,
                    fim.clone(),
                    label,
                    None,
                    format!("pattern {pattern} is not a regular expression the form language can check; left out"),
                ),
            }
        }
        if f.datentyp == Datentyp::TextLatin {
            self.finding(
                Kind::Partial,
                fim,
                label,
                None,
                "datentyp text_latin: the restriction to Latin characters (DIN SPEC 91379) is not checked".into(),
            );
        }
        x
    }

    fn bool_field(&mut self, f: &crate::xdf::Field, label: &str, fim: &str) -> Field {
        if is_declaration(label) {
            let title = one_line(&f.name);
            let title = if title.is_empty() || title == label {
                "Erklärung".to_string()
            } else {
                title
            };
            let mut x = blank("", FieldType::Checkboxes, &title);
            x.locked = true;
            x.options = vec![Choice {
                value: "ja".into(),
                label: de(label),
                hint: None,
            }];
            self.finding(
                Kind::Declaration,
                fim.to_string(),
                label,
                None,
                "a yes/no field worded as a declaration (\"Hiermit …\"): one checkbox to tick (value ja), locked; the back office reads a ticked box as true. If declining must be possible, use radios ja/nein".into(),
            );
            return x;
        }
        let mut x = blank("", FieldType::Radios, label);
        x.options = vec![
            Choice {
                value: "ja".into(),
                label: de("Ja"),
                hint: None,
            },
            Choice {
                value: "nein".into(),
                label: de("Nein"),
                hint: None,
            },
        ];
        x
    }

    fn file_field(&mut self, f: &crate::xdf::Field, label: &str) -> Field {
        let mut x = blank("", FieldType::File, label);
        x.accept = if f.media_types.is_empty() {
            DEFAULT_ACCEPT.iter().map(|s| s.to_string()).collect()
        } else {
            f.media_types.clone()
        };
        let mb = f
            .max_size
            .map(|b| (b as f64 / 1_000_000.0).min(DEFAULT_MAX_SIZE_MB))
            .unwrap_or(DEFAULT_MAX_SIZE_MB);
        x.max_size_mb = Some(mb);
        let formats: Vec<String> = x
            .accept
            .iter()
            .map(|m| match m.as_str() {
                "application/pdf" => "PDF".to_string(),
                "image/jpeg" => "JPEG".to_string(),
                "image/png" => "PNG".to_string(),
                other => other.to_string(),
            })
            .collect();
        let mb_text = format!("{mb}").replace('.', ",");
        x.hint = Some(de(format!(
            "Erlaubt: {}, höchstens {mb_text} MB.",
            formats.join(", ")
        )));
        x
    }

    /// Puts each rule as a comment at the element it is about and lists it in the report.
    fn place_rules(&mut self, schema: &Schema) {
        let tree = crate::rules::Tree::new(schema);
        let mut index = Vec::new();
        let mut rules: Vec<(Option<usize>, String, &Rule)> = Vec::new();
        for r in &schema.rules {
            rules.push((None, fim_name(&schema.id, &schema.version), r));
        }
        walk(&schema.children, None, &mut index, &mut rules);
        for (owner, owner_name, rule) in rules {
            let mentioned = mentioned_ids(&rule.text);
            let target = rule_target(&rule.text, &mentioned);
            let find = |id: &str| -> Option<usize> {
                let in_owner = owner.and_then(|o| {
                    index
                        .iter()
                        .find(|n: &&Node| n.id == id && (n.uid == o || is_below(&index, n.uid, o)))
                        .map(|n| n.uid)
                });
                in_owner.or_else(|| index.iter().find(|n| n.id == id).map(|n| n.uid))
            };
            let target_uid = target.as_deref().and_then(find).or(owner);
            let anchor = target_uid
                .and_then(|u| self.anchors.get(&u).cloned())
                .or_else(|| owner.and_then(|u| self.anchors.get(&u).cloned()))
                .unwrap_or(Anchor::Top);
            let refs: Vec<(String, String)> = mentioned
                .iter()
                .map(|id| {
                    let what = match find(id) {
                        Some(u) => self.yaml_of.get(&u).cloned().unwrap_or_else(|| {
                            "no question of its own (dissolved or not mapped)".into()
                        }),
                        None => "not in this schema".into(),
                    };
                    (id.clone(), what)
                })
                .collect();
            // One logical line each; the writer wraps them.
            let mut lines = vec![String::new()];
            lines.push(format!(
                "FIM-Regel {} „{}“: {}",
                fim_name(&rule.id, &rule.version),
                one_line(&rule.name),
                one_line(&rule.text)
            ));
            if !refs.is_empty() {
                let r: Vec<String> = refs.iter().map(|(f, y)| format!("{f} = {y}")).collect();
                lines.push(format!("Elemente: {}", r.join(", ")));
            }
            let list = self.comments.entry(anchor.clone()).or_default();
            if list.is_empty() {
                lines.remove(0);
            }
            list.extend(lines);
            self.report.rules.push(RuleNote {
                id: rule.id.clone(),
                version: rule.version.clone(),
                name: one_line(&rule.name),
                text: paragraphs(&rule.text),
                owner: owner_name,
                placed: anchor.describe(),
                refs,
                reading: crate::rules::read(&rule.text, owner, &tree, self.codelists).for_report(),
            });
        }
    }
}

/// An element occurrence with its parent, for finding the element a rule means.
struct Node {
    uid: usize,
    id: String,
    parent: Option<usize>,
}

fn walk<'s>(
    children: &'s [Child],
    parent: Option<usize>,
    index: &mut Vec<Node>,
    rules: &mut Vec<(Option<usize>, String, &'s Rule)>,
) {
    for c in children {
        match &c.element {
            Element::Group(g) => {
                index.push(Node {
                    uid: g.uid,
                    id: g.id.clone(),
                    parent,
                });
                for r in &g.rules {
                    rules.push((Some(g.uid), fim_name(&g.id, &g.version), r));
                }
                walk(&g.children, Some(g.uid), index, rules);
            }
            Element::Field(f) => {
                index.push(Node {
                    uid: f.uid,
                    id: f.id.clone(),
                    parent,
                });
                for r in &f.rules {
                    rules.push((Some(f.uid), fim_name(&f.id, &f.version), r));
                }
            }
        }
    }
}

fn is_below(index: &[Node], uid: usize, ancestor: usize) -> bool {
    let mut cur = index.iter().find(|n| n.uid == uid).and_then(|n| n.parent);
    while let Some(p) = cur {
        if p == ancestor {
            return true;
        }
        cur = index.iter().find(|n| n.uid == p).and_then(|n| n.parent);
    }
    false
}

static FIM_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[FG]\d{8,11}(?:\.[FG]\d{8,11})*\b").unwrap());
static CONSEQUENCE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bdann\b").unwrap());
static MODAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(muss|darf|soll|kann)\b").unwrap());
static CONDITIONAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bwenn\b").unwrap());

/// Field and group ids a rule names, in order, each once (`G00000283.F00000522` counts as
/// `F00000522`).
pub fn mentioned_ids(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in FIM_ID.find_iter(text) {
        let last = m.as_str().rsplit('.').next().unwrap_or("").to_string();
        if !out.contains(&last) {
            out.push(last);
        }
    }
    out
}

/// The element a rule is about: in "Wenn …, dann … X …" the first element after "dann" (or,
/// without "dann", after "muss", "darf", "soll" or "kann"); in a rule without "wenn" the one
/// element it names, if it names exactly one. `None`: the element that carries the rule.
pub fn rule_target(text: &str, mentioned: &[String]) -> Option<String> {
    if let Some(w) = CONDITIONAL.find(text) {
        let start = CONSEQUENCE
            .find_at(text, w.end())
            .or_else(|| MODAL.find_at(text, w.end()))?
            .end();
        let m = FIM_ID.find_at(text, start)?;
        return m.as_str().rsplit('.').next().map(str::to_string);
    }
    (mentioned.len() == 1).then(|| mentioned[0].clone())
}

fn is_iso_date(s: &str) -> bool {
    static DATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{4}-\d{2}-\d{2}$").unwrap());
    DATE.is_match(s)
}

/// "Hiermit bestätige ich …", "Ich versichere …": a declaration to confirm, not a question.
pub fn is_declaration(label: &str) -> bool {
    let l = label.trim_start();
    l.starts_with("Hiermit ") || l.starts_with("Ich ")
}

fn describe_group(g: &Group, anzahl: Anzahl) -> String {
    format!(
        "{} „{}“ ({})",
        fim_name(&g.id, &g.version),
        one_line(&g.label),
        anzahl.show()
    )
}

fn group_bezug(g: &Group) -> String {
    g.bezug.clone()
}

/// The words all names start with.
fn common_words(names: &[String]) -> String {
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut common: Vec<&str> = first.split_whitespace().collect();
    for n in &names[1..] {
        let words: Vec<&str> = n.split_whitespace().collect();
        let same = common
            .iter()
            .zip(words.iter())
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(same);
    }
    common.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_is_about_the_element_after_dann() {
        let t = "Wenn im Datenfeld F00000463 der Wert 009 angegeben wurde, dann soll F00000601 zum Pflichtfeld werden.";
        assert_eq!(
            rule_target(t, &mentioned_ids(t)).as_deref(),
            Some("F00000601")
        );
        let t = "Wenn das Feld G00000283.G00001373.F00002492 \"x\" = \"wahr\", dann muss die Feldgruppe G00001378.G00001457 \"y\" befüllt sein.";
        assert_eq!(
            rule_target(t, &mentioned_ids(t)).as_deref(),
            Some("G00001457")
        );
        assert_eq!(mentioned_ids(t), vec!["F00002492", "G00001457"]);
    }

    #[test]
    fn a_rule_without_dann_is_about_the_element_after_muss() {
        let t = "Wenn (aktuelles Datum - F00000539 \"Beginn\") < 7 Tage muss das Feld F00002543 \"Fristverkürzung\" befüllt sein.";
        assert_eq!(
            rule_target(t, &mentioned_ids(t)).as_deref(),
            Some("F00002543")
        );
    }

    #[test]
    fn a_rule_about_several_elements_stays_with_its_owner() {
        let t = "Es muss mindestens eines der Felder F00000069 \"Telefon\", F00000072 \"Telefax\" oder F00000071 \"E-Mail\" befüllt sein.";
        assert_eq!(rule_target(t, &mentioned_ids(t)), None);
        let t = "Das Feld F00002508 kann bis zu dreimal ausgefüllt werden.";
        assert_eq!(
            rule_target(t, &mentioned_ids(t)).as_deref(),
            Some("F00002508")
        );
    }

    #[test]
    fn declarations_are_recognised_by_their_first_words() {
        assert!(is_declaration("Hiermit bestätige ich, dass ..."));
        assert!(is_declaration("Ich versichere, dass ..."));
        assert!(!is_declaration("Tätigkeiten mit geringer Exposition"));
        assert!(!is_declaration("Ichthyologie"));
    }

    #[test]
    fn step_titles_for_field_runs_use_the_common_words() {
        assert_eq!(
            common_words(&[
                "Beschäftigungsverhältnis Frau".into(),
                "Beschäftigungsverhältnis Frau Sonstiges".into()
            ]),
            "Beschäftigungsverhältnis Frau"
        );
        assert_eq!(common_words(&["A b".into(), "C d".into()]), "");
    }
}
