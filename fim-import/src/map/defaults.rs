//! What the importer fills in where FIM says nothing, and how the report lists it: sizes and
//! formats of answers, the retention period, the purpose and legal basis of the form, and the
//! defaults many fields share, listed once.

use std::collections::HashSet;

use super::mapper::Mapper;
use crate::text::{one_line, paragraphs};
use crate::xdf::{Element, Schema};

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

impl Mapper<'_> {
    /// The form's purpose: the schema's `beschreibung` or `definition`, else a general sentence
    /// about the form's `title`.
    pub(super) fn purpose(&mut self, schema: &Schema, title: &str) -> String {
        let purpose = [&schema.beschreibung, &schema.definition]
            .into_iter()
            .map(|t| paragraphs(t))
            .find(|t| !t.is_empty());
        match purpose {
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
        }
    }

    /// The schema's `bezug` (the statutes of the whole process); without one the distinct
    /// `bezug` texts of the top-level groups. Field-level references name data standards
    /// (XInneres, XÖV core components) and the like, not the legal basis, so they stay out.
    pub(super) fn legal_basis(&mut self, schema: &Schema) -> String {
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
                    for i in split(&g.bezug) {
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

    /// The defaults of every imported form that FIM cannot fill: retention, languages, LeiKa.
    pub(super) fn form_defaults(&mut self, schema: &Schema) {
        self.report.defaults.push(format!(
            "retention-days: {DEFAULT_RETENTION_DAYS} (FIM names no retention period); set the period the records schedule of the authority prescribes"
        ));
        self.report.defaults.push(
            "languages: FIM has German texts only, so the form has `de` texts only; a municipality that offers more languages needs the texts added (or an overlay) before it can use the form".into(),
        );
        if schema.leika.is_none() {
            self.report
                .defaults
                .push("leika: the schema names no LeiKa key; add it if the service has one".into());
        }
    }

    /// The defaults many fields share, listed once before the others; each default listed once.
    pub(super) fn settle_defaults(&mut self) {
        let mut aggregated = Vec::new();
        if !self.default_length.is_empty() {
            aggregated.push(format!(
                "textarea with max-length {DEFAULT_MAX_LENGTH} where FIM sets no maxLength ({} fields; make short answers type: text): {}",
                self.default_length.len(),
                self.default_length.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        if !self.default_file.is_empty() {
            aggregated.push(format!(
                "file fields without FIM media types or size accept {} up to {DEFAULT_MAX_SIZE_MB} MB: {}",
                DEFAULT_ACCEPT.join(", "),
                self.default_file.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        let mut seen = HashSet::new();
        let mut defaults: Vec<String> = aggregated;
        defaults.extend(std::mem::take(&mut self.report.defaults));
        defaults.retain(|d| seen.insert(d.clone()));
        self.report.defaults = defaults;
    }
}
