//! A form page filled in again with what the citizen sent. When the function cannot accept a
//! form post made without JavaScript, its answer is the form page itself (GOV.UK's pattern):
//! the error summary on top, each problem at its question, every answer in its place. Files
//! are the exception: a browser does not send a file a second time, so the page says at each
//! file question that had one that it must be chosen again.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value};

use form_model::validate::{FieldError, is_answered};

use crate::field::{FieldView, SlotView, input_id, set_error, set_note};
use crate::form::StepView;

/// What the citizen sent.
#[derive(Debug, Clone, Copy)]
pub struct Filled<'a> {
    /// The answers as form-model decodes a post (`form_post::decode`): field id → value; a
    /// list for checkboxes and list entries, parts for an address.
    pub answers: &'a Map<String, Value>,
    /// The problems found, each at its field (`name`, `anschrift.postcode`, `hunde.0.name`).
    pub errors: &'a [FieldError],
    /// The amount due for these answers (form-model's `fees::amount_due`), shown under the
    /// fee table; `None` for a form without fees.
    pub due: Option<&'a form_model::fees::AmountDue>,
}

/// One line of the error summary: a problem, linking to its question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryItem {
    /// The id of the question's input on the page.
    pub target: String,
    pub message: String,
}

/// Where a problem at `field` (`hunde.0.name`) is on the page: the key its view has
/// (`hunde-0-name`).
pub fn page_key(field: &str) -> String {
    field.replace('.', "-")
}

/// Puts the answers and problems of `filled` into the views of a form's `steps` (`t`: the
/// frame texts of the page's language). Returns the error summary's lines, in the order of
/// the problems; a problem with no question on the page links to the form.
pub fn fill(
    steps: &mut [StepView],
    filled: &Filled,
    t: &dyn Fn(&str) -> String,
) -> Vec<SummaryItem> {
    let mut problems: HashMap<String, &str> = HashMap::new();
    for e in filled.errors {
        problems
            .entry(page_key(&e.field))
            .or_insert(e.message.as_str());
    }
    let mut filler = Filler {
        problems,
        on_page: HashSet::new(),
        file_again: t("file-again"),
        select_item: t("select-list-item"),
    };
    for step in steps {
        for view in &mut step.fields {
            let answer = filled.answers.get(&view.id);
            filler.field(view, answer);
        }
    }
    filled
        .errors
        .iter()
        .map(|e| {
            let key = page_key(&e.field);
            SummaryItem {
                target: if filler.on_page.contains(&key) {
                    input_id(&key)
                } else {
                    "form".into()
                },
                message: e.message.clone(),
            }
        })
        .collect()
}

struct Filler<'a> {
    /// The first problem at each page key.
    problems: HashMap<String, &'a str>,
    /// The keys that have an element `f-<key>` on the page.
    on_page: HashSet<String>,
    file_again: String,
    /// The label of a select of a list: "{n}. Auswahl".
    select_item: String,
}

impl Filler<'_> {
    fn field(&mut self, view: &mut FieldView, answer: Option<&Value>) {
        // A text-block has no answer and no input to link a problem to.
        if view.component == "text-block" {
            return;
        }
        self.on_page.insert(view.key.clone());
        let mut problem = self.problems.get(&view.key).copied();
        match view.component {
            "group" => {
                let entries: Vec<Option<&Map<String, Value>>> = match answer {
                    Some(Value::Array(items)) => items.iter().map(Value::as_object).collect(),
                    Some(Value::Object(entry)) => vec![Some(entry)],
                    _ => Vec::new(),
                };
                for (i, entry) in view.entries.iter_mut().enumerate() {
                    let answers = entries.get(i).copied().flatten();
                    for child in &mut entry.fields {
                        self.field(child, answers.and_then(|a| a.get(&child.id)));
                    }
                }
                // Entries offered under "more" open when one of them says something.
                let first = first_extra(view);
                view.more_open = view
                    .entries
                    .iter()
                    .any(|e| e.index >= first && e.fields.iter().any(says_something));
            }
            "address" => {
                let parts = answer.and_then(Value::as_object);
                for part in &mut view.parts {
                    part.value = text(parts.and_then(|p| p.get(&part.key)));
                    let key = format!("{}-{}", view.key, part.key);
                    problem = problem.or_else(|| self.problems.get(&key).copied());
                    self.on_page.insert(key);
                }
            }
            "checkboxes" => {
                let chosen = values(answer);
                for o in &mut view.options {
                    o.checked = chosen.contains(&o.value);
                }
            }
            "select-list" => {
                let chosen = values(answer);
                // One select per answer given, even past the ones the page offered.
                for i in view.slots.len()..chosen.len() {
                    view.slots.push(SlotView {
                        input_id: format!("{}-{}", input_id(&view.key), i + 1),
                        label: self.select_item.replace("{n}", &(i + 1).to_string()),
                        value: String::new(),
                    });
                }
                for (slot, value) in view.slots.iter_mut().zip(chosen) {
                    slot.value = value;
                }
            }
            "file" => {
                if answer.is_some_and(is_answered) {
                    set_note(view, Some(self.file_again.clone()));
                }
            }
            _ => {
                view.value = text(answer);
                for o in &mut view.options {
                    o.checked = o.value == view.value;
                }
            }
        }
        set_error(view, problem.map(str::to_string));
    }
}

/// The index of the first entry a list offers under "more" (none: past the end).
fn first_extra(view: &FieldView) -> usize {
    view.entries
        .iter()
        .find(|e| e.first_extra)
        .map_or(usize::MAX, |e| e.index)
}

/// Whether a question of an entry has an answer, a note or a problem to show.
fn says_something(view: &FieldView) -> bool {
    !view.value.is_empty()
        || view.error.is_some()
        || view.note.is_some()
        || view.options.iter().any(|o| o.checked)
        || view.slots.iter().any(|s| !s.value.is_empty())
        || view.parts.iter().any(|p| !p.value.is_empty())
        || view
            .entries
            .iter()
            .any(|e| e.fields.iter().any(says_something))
}

/// An answer as an input's value. A question that got several values shows the first.
fn text(answer: Option<&Value>) -> String {
    match answer {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Array(items)) => text(items.first()),
        _ => String::new(),
    }
}

/// The values of a question that takes several.
fn values(answer: Option<&Value>) -> Vec<String> {
    match answer {
        Some(Value::Array(items)) => items.iter().map(|v| text(Some(v))).collect(),
        Some(v) => vec![text(Some(v))],
        None => Vec::new(),
    }
}
