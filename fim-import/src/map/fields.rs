//! One FIM field → questions: what cannot be asked (hidden, locked, objects, date-times) is
//! left out with a comment; a short list of values (`anzahl` 2:5) becomes numbered questions;
//! every question gets its hint, `required` and FIM id.

use form_model::Field;
use form_model::model::{FieldType, FimRef};

use super::defaults::NUMBERED_UP_TO;
use super::ids::{MAX_ID, id_source, slug};
use super::mapper::{Mapper, Scope, de, fim_name, text_de};
use crate::report::Kind;
use crate::text::{join_paragraphs, one_line, paragraphs};
use crate::xdf::{self, Anzahl, Datentyp, Feldart};

impl Mapper<'_> {
    /// Maps one field; returns no question for what cannot be asked and several for a short
    /// list of values.
    pub(super) fn field(&mut self, f: &xdf::Field, anzahl: Anzahl, scope: &Scope) -> Vec<Field> {
        let fim = fim_name(&f.id, &f.version);
        let label = one_line(&f.label);
        let start = self.report.findings.len();
        let out = self.field_inner(f, anzahl, scope, &fim, &label);
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

    /// The questions for `f`; [`Self::field`] adds what the report needs of them.
    fn field_inner(
        &mut self,
        f: &xdf::Field,
        anzahl: Anzahl,
        scope: &Scope,
        fim: &str,
        label: &str,
    ) -> Vec<Field> {
        let fim = fim.to_string();
        let label = label.to_string();
        // What cannot be asked is left out, with a comment where its question would be.
        let not_a_question = match (f.feldart, f.datentyp) {
            (Feldart::Hidden, _) => Some("feldart hidden: a hidden value is not a question"),
            (Feldart::Locked, _) => Some("feldart locked: a read-only value is not a question"),
            (_, Datentyp::Obj) => Some(
                "datentyp obj (an object such as a signature) has no counterpart in the form language",
            ),
            (_, Datentyp::DateTime) => {
                Some("datentyp datetime has no counterpart in the form language")
            }
            _ => None,
        };
        if let Some(why) = not_a_question {
            self.finding(Kind::NotMapped, fim.clone(), &label, None, why.into());
            self.comments.wait(f.uid);
            self.comments
                .note(format!("FIM-Feld {fim} „{label}“ nicht übernommen: {why}"));
            return Vec::new();
        }
        let required = anzahl.min >= 1 && scope.mandatory;
        let relaxed = anzahl.min >= 1 && !scope.mandatory;

        // Values from a code list: radios, select, or checkboxes for a list of values.
        if f.feldart == Feldart::Select || f.codes.is_some() {
            let Some(mut field) = self.choice_field(f, anzahl, scope, &fim, &label, required)
            else {
                return Vec::new();
            };
            self.finish(f, &mut field, required, relaxed, scope);
            return vec![field];
        }

        let mut field = self.typed_field(f, &label, &fim);
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
                        let id = self
                            .ids
                            .field(&format!("{first_id} {i}"), &[], &scope.context);
                        if i == 1 {
                            self.note_field(f.uid, &id);
                        }
                        let mut x = field.clone();
                        x.id = id;
                        x.label = de(format!("{label} {i}"));
                        let req = i <= anzahl.min;
                        self.finish(
                            f,
                            &mut x,
                            req && scope.mandatory,
                            req && !scope.mandatory,
                            scope,
                        );
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
        let id = self.ids.field(&base, &[&f.name, &f.label], &scope.context);
        self.note_field(f.uid, &id);
        field.id = id;
        self.finish(f, &mut field, required, relaxed, scope);
        vec![field]
    }

    /// What every mapped field gets: hint, required, FIM id.
    fn finish(
        &mut self,
        f: &xdf::Field,
        field: &mut Field,
        required: bool,
        relaxed: bool,
        scope: &Scope,
    ) {
        let mut hint = paragraphs(&f.help);
        if let Some(extra) = field.hint.as_ref().map(text_de) {
            hint = join_paragraphs([hint.as_str(), extra.as_str()]);
        }
        if let Some(p) = &scope.prefix {
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
            self.made_optional(scope, &field.id);
        }
        field.fim = Some(FimRef {
            id: f.id.clone(),
            version: f.version.clone(),
        });
    }
}
