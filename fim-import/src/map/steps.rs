//! The form and its steps: top-level groups become steps; runs of top-level fields become steps
//! of their own, titled by their common words. A step none of whose questions could be mapped
//! is left out, and its comments move on.

use form_model::Field;
use form_model::model::{FimRef, Form, Step};

use super::comments::Anchor;
use super::defaults::DEFAULT_RETENTION_DAYS;
use super::ids::{id_source, slug};
use super::mapper::{Mapper, Scope, de, fim_name};
use super::structure::describe_group;
use crate::report::Kind;
use crate::text::{one_line, paragraphs};
use crate::xdf::{Anzahl, Child, Element, Group, MessageKind, Schema};

impl Mapper<'_> {
    /// The form: its steps, texts and FIM reference.
    pub(super) fn form(&mut self, schema: &Schema, form_id: Option<&str>) -> Form {
        let title = if schema.label.is_empty() {
            one_line(&schema.name)
        } else {
            one_line(&schema.label)
        };
        let id = match form_id {
            Some(id) => id.to_string(),
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
        if form_id.is_none() {
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
        if self.comments.is_open() {
            match steps.last() {
                Some(s) => self.comments.place(Anchor::StepEnd(s.id.clone())),
                None => self.comments.place(Anchor::Top),
            }
        }

        let purpose = self.purpose(schema, &title);
        let legal_basis = self.legal_basis(schema);
        self.form_defaults(schema);
        let fim = (schema.message == MessageKind::Schema).then(|| FimRef {
            id: schema.id.clone(),
            version: schema.version.clone(),
        });
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
            records: None,
            steps,
            fees: Vec::new(),
            payment: Default::default(),
            identity: Default::default(),
            prefill: Default::default(),
            sepa_mandate: None,
            fim,
        }
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
        let id = self.ids.step(&title);
        self.comments.place(Anchor::Step(id.clone()));
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
        let scope = Scope::new(&id);
        let children: Vec<Child> = run.iter().map(|c| (*c).clone()).collect();
        let mut fields = Vec::new();
        self.children(&children, &scope, &mut fields);
        self.finish_step(id, title, String::new(), fields)
    }

    fn finish_step(
        &mut self,
        id: String,
        title: String,
        intro: String,
        fields: Vec<Field>,
    ) -> Option<Step> {
        if self.comments.is_open() {
            self.comments.place(Anchor::StepEnd(id.clone()));
        }
        if fields.is_empty() {
            self.finding(
                Kind::NotMapped,
                "step".into(),
                &title,
                None,
                "no question of this step could be mapped, so the step is left out".into(),
            );
            self.ids.release_step(&id);
            for a in [Anchor::Step(id.clone()), Anchor::StepEnd(id.clone())] {
                self.comments.take_back(&a);
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
        let id = self.ids.step(&id_source(&g.name, &g.label));
        let title = one_line(&g.label);
        self.comments.wait(g.uid);
        self.comments.place(Anchor::Step(id.clone()));
        self.yaml_of.insert(g.uid, format!("step `{id}`"));
        let mut fields = Vec::new();
        let intro = paragraphs(&g.help);
        if anzahl.is_list() {
            // A repeatable top-level group: the step asks for a list of entries.
            let scope = Scope::new(&id);
            let inner = Group {
                help: String::new(),
                ..g.clone()
            };
            self.group(&inner, anzahl, &scope, &mut fields, true);
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
            let scope = Scope {
                mandatory: anzahl.min >= 1,
                optional_by,
                ..Scope::new(&id)
            };
            self.children(&g.children, &scope, &mut fields);
            if anzahl.min == 0 {
                self.required_when_answered(scope.optional_by.as_deref(), &mut fields);
            }
        }
        self.finish_step(id, title, intro, fields)
    }
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
