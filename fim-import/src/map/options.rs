//! Values from a code list: which list a select field means and its entries (those the list
//! marks historic or internal left out and reported), codes rewritten into valid option values,
//! and radios, select or checkboxes by the number of values and `anzahl`.

use std::collections::HashSet;

use form_model::Field;
use form_model::model::{Choice, FieldType};

use super::defaults::RADIOS_UP_TO;
use super::ids::{id_source, slug};
use super::mapper::{Mapper, Scope, blank, de};
use crate::error::ImportError;
use crate::report::{Kind, LeftOutCodes};
use crate::text::{one_line, paragraphs};
use crate::xdf::{self, Anzahl, Code, Codes, Pos, Selection};

impl Mapper<'_> {
    /// A question whose answers are the values of `f`'s code list, without hint and FIM id yet;
    /// `None` when the list cannot be read (the error is recorded).
    pub(super) fn choice_field(
        &mut self,
        f: &xdf::Field,
        anzahl: Anzahl,
        scope: &Scope,
        fim: &str,
        label: &str,
        required: bool,
    ) -> Option<Field> {
        let codes = self.codes(f)?;
        let id = self.ids.field(
            &id_source(&f.name, &f.label),
            &[&f.name, &f.label],
            &scope.context,
        );
        if let Some((list, entries)) = self.left_out.take() {
            // Above the field in the YAML, and in the report.
            let names: Vec<String> = entries
                .iter()
                .map(|e| format!("{} „{}“", e.value, e.label))
                .collect();
            self.comments.note(format!(
                "Aus der Codeliste weggelassen (historisch oder intern): {}",
                names.join(", ")
            ));
            self.report.left_out_codes.push(LeftOutCodes {
                field: id.clone(),
                fim: fim.to_string(),
                list,
                entries,
            });
        }
        self.note_field(f.uid, &id);
        let mut field = blank(&id, FieldType::Select, label);
        field.options = self.options(f, &codes, fim);
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
        Some(field)
    }

    fn codes(&mut self, f: &xdf::Field) -> Option<Vec<Code>> {
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
                            pos: Pos { line: 1, col: 1 },
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
                            pos: Pos { line: 1, col: 1 },
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

    fn options(&mut self, f: &xdf::Field, codes: &[Code], fim: &str) -> Vec<Choice> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut changed = Vec::new();
        for c in codes {
            let mut value = c.value.clone();
            if !form_model::ids::is_option_value(&value) {
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
}
