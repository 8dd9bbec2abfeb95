//! The mapper's state while it walks the FIM tree: the ids given out, the comments waiting for
//! their place, the report, the errors; and what every part of the mapping shares: the scope it
//! maps in, findings, fields made optional, blank fields, German texts.

use std::collections::HashMap;
use std::path::Path;

use form_model::Field;
use form_model::model::{Condition, FieldType, Names, Text};
use serde_json::json;

use super::comments::{Anchor, Comments};
use super::ids::Ids;
use crate::error::ImportError;
use crate::report::{Finding, Kind, Report};
use crate::text::one_line;
use crate::xdf::{CodeLists, LeftOut};

/// Where the mapper is: what the questions it writes belong to.
#[derive(Debug, Clone)]
pub(super) struct Scope {
    /// FIM requires the container whenever the form is filled in: a required FIM field is a
    /// required question here.
    pub(super) mandatory: bool,
    /// Inside a `group` field (which cannot hold groups).
    pub(super) in_group: bool,
    /// Label of the dissolved group the questions come from, for their hints.
    pub(super) prefix: Option<String>,
    /// Slug that makes a clashing id unique.
    pub(super) context: String,
    /// The optional group that made `mandatory` false, for the report.
    pub(super) optional_by: Option<String>,
}

impl Scope {
    /// The scope of a step's or a `group` field's own questions: required in FIM is required
    /// here; `context` makes clashing ids unique.
    pub(super) fn new(context: &str) -> Scope {
        Scope {
            mandatory: true,
            in_group: false,
            prefix: None,
            context: context.to_string(),
            optional_by: None,
        }
    }
}

/// Everything the mapping of one schema builds up besides the form itself.
pub(super) struct Mapper<'a> {
    pub(super) file: &'a Path,
    pub(super) codelists: &'a CodeLists,
    pub(super) errors: Vec<ImportError>,
    pub(super) report: Report,
    pub(super) ids: Ids,
    pub(super) comments: Comments,
    /// Entries the code list of the field being mapped marks historic or internal (with the
    /// list's name), until the field has its id.
    pub(super) left_out: Option<(String, Vec<LeftOut>)>,
    /// FIM element occurrence (uid) → its id in the form.
    pub(super) yaml_of: HashMap<usize, String>,
    /// Text fields without FIM maxLength, and file fields without FIM media types or size.
    pub(super) default_length: Vec<String>,
    pub(super) default_file: Vec<String>,
}

impl<'a> Mapper<'a> {
    /// A mapper for the schema in `file`, whose select fields find their lists in `codelists`.
    pub(super) fn new(file: &'a Path, codelists: &'a CodeLists) -> Mapper<'a> {
        Mapper {
            file,
            codelists,
            errors: Vec::new(),
            report: Report::default(),
            ids: Ids::default(),
            comments: Comments::default(),
            left_out: None,
            yaml_of: HashMap::new(),
            default_length: Vec::new(),
            default_file: Vec::new(),
        }
    }

    /// An element not mapped one to one, for the report.
    pub(super) fn finding(
        &mut self,
        kind: Kind,
        fim: String,
        label: &str,
        yaml: Option<&str>,
        why: String,
    ) {
        self.report.findings.push(Finding {
            kind,
            fim,
            label: one_line(label),
            yaml: yaml.map(str::to_string),
            why,
        });
    }

    /// The question `id` is optional although FIM requires it, because of the optional group
    /// around it (the report lists them by group).
    pub(super) fn made_optional(&mut self, scope: &Scope, id: &str) {
        let by = scope
            .optional_by
            .clone()
            .unwrap_or_else(|| "an optional group".into());
        self.report
            .made_optional
            .entry(by)
            .or_default()
            .push(id.to_string());
    }

    /// FIM's "required in an optional group" for the group `by` whose questions are `fields`:
    /// each question it made optional is required once any of them is answered. A question of
    /// an optional group inside it keeps the condition of that inner group.
    pub(super) fn required_when_answered(&mut self, by: Option<&str>, fields: &mut [Field]) {
        let Some(relaxed) = by.and_then(|by| self.report.made_optional.get(by)) else {
            return;
        };
        // Text-blocks have no answer to count.
        let ids: Vec<String> = fields
            .iter()
            .filter(|f| f.is_question())
            .map(|f| f.id.clone())
            .collect();
        if ids.len() < 2 {
            return;
        }
        for f in fields
            .iter_mut()
            .filter(|f| relaxed.contains(&f.id) && f.required_if.is_none())
        {
            f.required_if = Some(Condition {
                answered: Some(Names::Many(ids.clone())),
                ..Condition::default()
            });
        }
    }

    /// The question `id` is where element occurrence `uid` went.
    pub(super) fn note_field(&mut self, uid: usize, id: &str) {
        self.comments.wait(uid);
        self.comments.place(Anchor::Field(id.to_string()));
        self.yaml_of.insert(uid, format!("`{id}`"));
    }
}

/// `F60000227 1.1`; the id alone when there is no version.
pub(super) fn fim_name(id: &str, version: &str) -> String {
    if version.is_empty() {
        id.to_string()
    } else {
        format!("{id} {version}")
    }
}

/// The German text of `t`.
pub(super) fn text_de(t: &Text) -> String {
    t.get("de").cloned().unwrap_or_default()
}

/// A German text.
pub(super) fn de(s: impl Into<String>) -> Text {
    Text::from([("de".to_string(), s.into())])
}

/// A field with only id, type and label; everything else at its default. Built through serde
/// so that keys added to the form language later keep their defaults here.
pub(super) fn blank(id: &str, kind: FieldType, label: &str) -> Field {
    serde_json::from_value(json!({ "id": id, "type": kind.name(), "label": { "de": label } }))
        .expect("a field with id, type and label is complete")
}
