//! Groups inside a step: a group of fields only, or a repeatable group, becomes a `group` field
//! (`repeat` for `0:*`, `1:*`, `n:m`); a group that holds groups is dissolved into its parent
//! (the form language nests one level), and so is every group inside a `group` field. Label
//! fields (FIM's static text) become text-blocks where they stand. A required FIM field in an optional group outside
//! a `group` field becomes required once any question of that group is answered
//! (`required-if: { answered: [...] }`), and the report says so.

use form_model::Field;
use form_model::model::{Bound, DateParts, FieldType, FimRef, Repeat};

use super::comments::Anchor;
use super::ids::{MAX_ID, id_source, slug};
use super::mapper::{Mapper, Scope, blank, de, fim_name, text_de};
use crate::report::Kind;
use crate::text::{join_paragraphs, one_line, paragraphs};
use crate::xdf::{Anzahl, Child, Element, Feldart, Group};

impl Mapper<'_> {
    /// Maps `children` into `out`.
    pub(super) fn children(&mut self, children: &[Child], scope: &Scope, out: &mut Vec<Field>) {
        for child in children {
            match &child.element {
                Element::Field(f) if f.feldart == Feldart::Label => self.text_block(f, scope, out),
                Element::Field(f) => {
                    let fields = self.field(f, child.anzahl, scope);
                    out.extend(fields);
                }
                Element::Group(g) => self.group(g, child.anzahl, scope, out, false),
            }
        }
    }

    /// A label field (FIM's static text) as a text-block where it stands: its content, else
    /// its name and help. One with no words at all is left out.
    fn text_block(&mut self, f: &crate::xdf::Field, scope: &Scope, out: &mut Vec<Field>) {
        let text = if f.inhalt.is_empty() {
            join_paragraphs([one_line(&f.label).as_str(), paragraphs(&f.help).as_str()])
        } else {
            paragraphs(&f.inhalt)
        };
        if text.is_empty() {
            self.comments.wait(f.uid);
            return;
        }
        let id = self.ids.field(
            &id_source(&f.name, &f.label),
            &[&f.name, &f.label],
            &scope.context,
        );
        // Its comments go with it, but it is no place for a rule: a condition names questions.
        self.comments.wait(f.uid);
        self.comments.place(Anchor::Field(id.clone()));
        let mut block: Field = serde_json::from_value(serde_json::json!({
            "id": id, "type": FieldType::TextBlock.name(), "text": { "de": text },
        }))
        .expect("a text-block with id, type and text is complete");
        block.fim = Some(FimRef {
            id: f.id.clone(),
            version: f.version.clone(),
        });
        out.push(block);
    }

    /// A group inside a step (or a repeatable top-level group when `whole_step`).
    pub(super) fn group(
        &mut self,
        g: &Group,
        anzahl: Anzahl,
        scope: &Scope,
        out: &mut Vec<Field>,
        whole_step: bool,
    ) {
        let list = anzahl.is_list();
        let fim = fim_name(&g.id, &g.version);
        if !scope.in_group && (g.is_leaf() || list) {
            let id = self.ids.field(
                &id_source(&g.name, &g.label),
                &[&g.name, &g.label],
                &scope.context,
            );
            self.comments.wait(g.uid);
            self.comments.place(Anchor::Field(id.clone()));
            self.yaml_of.insert(g.uid, format!("`{id}`"));
            let label = match &scope.prefix {
                Some(p) if !g.label.contains(p.as_str()) => format!("{p}: {}", one_line(&g.label)),
                _ => one_line(&g.label),
            };
            let inner = Scope {
                in_group: true,
                ..Scope::new(&id)
            };
            let mut members = Vec::new();
            self.children(&g.children, &inner, &mut members);
            if !members.iter().any(Field::is_question) {
                self.finding(
                    Kind::NotMapped,
                    fim,
                    &g.label,
                    None,
                    "none of the group's fields could be mapped, so the group is left out".into(),
                );
                self.ids.release_field(&id);
                self.comments.take_back_lines(&Anchor::Field(id.clone()));
                self.comments.unplace(g.uid);
                return;
            }
            let mut field = blank(&id, FieldType::Group, &label);
            let hint = paragraphs(&g.help);
            field.hint = (!hint.is_empty()).then(|| de(hint));
            let any_required = members.iter().any(|m| m.required);
            if list {
                let min = if scope.mandatory { anzahl.min } else { 0 };
                if anzahl.min > 0 && !scope.mandatory {
                    self.made_optional(scope, &id);
                }
                field.repeat = Some(Repeat {
                    min,
                    max: anzahl.max,
                });
            } else if anzahl.min >= 1 && any_required {
                if scope.mandatory {
                    field.required = true;
                } else {
                    self.made_optional(scope, &id);
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
        let container = if scope.in_group {
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
        self.comments.wait(g.uid);
        self.comments.note(format!(
            "FIM-Gruppe {fim} „{}“ ({}) aufgelöst: ihre Felder folgen.",
            one_line(&g.label),
            anzahl.show()
        ));
        let optional_here = anzahl.min == 0 && scope.mandatory;
        let inner = Scope {
            mandatory: scope.mandatory && anzahl.min >= 1,
            in_group: scope.in_group,
            prefix: Some(one_line(&g.label)),
            context: slug(&id_source(&g.name, &g.label), MAX_ID),
            optional_by: if optional_here {
                Some(describe_group(g, anzahl))
            } else {
                scope.optional_by.clone()
            },
        };
        let before = out.len();
        self.children(&g.children, &inner, out);
        if optional_here {
            self.required_when_answered(inner.optional_by.as_deref(), &mut out[before..]);
        }
        let intro = paragraphs(&g.help);
        // The group's help goes with its first question (a text-block has no hint).
        if !intro.is_empty()
            && let Some(first) = out[before..].iter_mut().find(|f| f.is_question())
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

/// `G00000123 1.0 „Label“ (0:1)`, for the report.
pub(super) fn describe_group(g: &Group, anzahl: Anzahl) -> String {
    format!(
        "{} „{}“ ({})",
        fim_name(&g.id, &g.version),
        one_line(&g.label),
        anzahl.show()
    )
}
