//! FIM rules in the imported form: each rule read is converted into `show-if` / `required-if`
//! where the form language can say it (`convert`), and only when the form with it still passes
//! the check; every rule also becomes a comment at the element it is about (in „Wenn …, dann …
//! X …“ the element after „dann“) saying whether it was converted, and an entry in the report
//! with what the rule reader made of it.

use std::sync::LazyLock;

use regex::Regex;

use form_model::model::Form;

use super::apply::apply;
use super::comments::Anchor;
use super::convert::{Converter, Edit};
use super::logic::pretty;
use super::mapper::{Mapper, fim_name};
use crate::report::{Conversion, RuleNote};
use crate::rules::{self, Outcome, Tree};
use crate::text::{one_line, paragraphs};
use crate::xdf::{Element, Rule, Schema};

impl Mapper<'_> {
    /// Converts each rule that was read into conditions of `form` where it can, puts each rule
    /// as a comment at the element it is about and lists it in the report.
    pub(super) fn place_rules(&mut self, schema: &Schema, form: &mut Form) {
        let tree = Tree::new(schema);
        let mut to_place: Vec<(Option<usize>, String, &Rule)> = Vec::new();
        for r in &schema.rules {
            to_place.push((None, fim_name(&schema.id, &schema.version), r));
        }
        for (_, node) in tree.iter() {
            let (uid, name, own) = match node.element {
                Element::Group(g) => (g.uid, fim_name(&g.id, &g.version), &g.rules),
                Element::Field(f) => (f.uid, fim_name(&f.id, &f.version), &f.rules),
            };
            to_place.extend(own.iter().map(|r| (Some(uid), name.clone(), r)));
        }
        let outcomes: Vec<Outcome> = to_place
            .iter()
            .map(|(owner, _, rule)| rules::read(&rule.text, *owner, &tree, self.codelists))
            .collect();
        let mut conversions = self.convert(&tree, &outcomes, form).into_iter();
        for ((owner, owner_name, rule), outcome) in to_place.into_iter().zip(outcomes) {
            let mentioned = mentioned_ids(&rule.text);
            let target = rule_target(&rule.text, &mentioned);
            // The first occurrence of `id` inside the rule's owner, else in the whole schema.
            let find = |id: &str| -> Option<usize> {
                let found: Vec<usize> = tree
                    .iter()
                    .filter(|(_, n)| n.id() == id)
                    .map(|(at, _)| at)
                    .collect();
                let scope = owner.and_then(|o| tree.at_uid(o));
                scope
                    .and_then(|s| found.iter().copied().find(|&at| tree.within(at, s)))
                    .or(found.first().copied())
                    .map(|at| tree.uid(at))
            };
            let target_uid = target.as_deref().and_then(find).or(owner);
            let anchor = target_uid
                .and_then(|u| self.comments.anchor_of(u))
                .or_else(|| owner.and_then(|u| self.comments.anchor_of(u)))
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
            let conversion = conversions.next().expect("one conversion per rule");
            lines.push(match &conversion {
                Conversion::Converted(done) => format!("Umgesetzt: {}", done.join("; ")),
                Conversion::NotConverted(why) => format!("Nicht umgesetzt: {why}"),
            });
            let list = self.comments.at(anchor.clone());
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
                reading: outcome.for_report(),
                conversion,
            });
        }
    }
}

impl Mapper<'_> {
    /// What becomes of each rule (`outcomes`, in order), with `form` changed accordingly. The
    /// edits are worked out on the form as mapped (they change conditions, never the ids,
    /// options or steps they are worked out from). All of them are tried at once first: the
    /// form's check is the slow part, and usually every edit passes it. When the form with all
    /// of them does not pass, each rule is tried on its own, in order, and those that break the
    /// check are not converted.
    fn convert(&self, tree: &Tree, outcomes: &[Outcome], form: &mut Form) -> Vec<Conversion> {
        let converter = Converter {
            tree,
            yaml_of: &self.yaml_of,
            form,
        };
        let edits: Vec<Result<Vec<Edit>, String>> = outcomes
            .iter()
            .map(|o| match o {
                Outcome::Read { text, resolved } => converter.rule(text, resolved),
                _ => Err("the rule was not read".into()),
            })
            .collect();
        let baseline = check_messages(form);
        let mut all = form.clone();
        let applied = edits
            .iter()
            .flatten()
            .flatten()
            .all(|e| apply(&mut all, e).is_ok());
        if applied && check_messages(&all).iter().all(|m| baseline.contains(m)) {
            *form = all;
            return edits
                .into_iter()
                .map(|e| match e {
                    Ok(edits) => Conversion::Converted(describe(&edits)),
                    Err(why) => Conversion::NotConverted(why),
                })
                .collect();
        }
        edits
            .into_iter()
            .map(|e| match e {
                Ok(edits) => try_edits(form, &edits, &baseline),
                Err(why) => Conversion::NotConverted(why),
            })
            .collect()
    }
}

/// The messages `formfabrik check` gives for `form` on its own.
fn check_messages(form: &Form) -> Vec<String> {
    let yaml = crate::yaml::write_form(form, &[], &Default::default());
    crate::check_yaml(&yaml, &form.id)
        .into_iter()
        .map(|d| d.message.render("en"))
        .collect()
}

/// Applies `edits` to `form` when the form with them passes the check as before; otherwise
/// leaves `form` as it is and says what the check found.
fn try_edits(form: &mut Form, edits: &[Edit], baseline: &[String]) -> Conversion {
    let mut candidate = form.clone();
    for e in edits {
        if let Err(why) = apply(&mut candidate, e) {
            return Conversion::NotConverted(why);
        }
    }
    let new: Vec<String> = check_messages(&candidate)
        .into_iter()
        .filter(|m| !baseline.contains(m))
        .collect();
    if let Some(first) = new.first() {
        return Conversion::NotConverted(format!("the form language refuses it there: {first}"));
    }
    *form = candidate;
    Conversion::Converted(describe(edits))
}

/// The edits in words, one entry per change with the elements it applies to:
/// ``"`a`, `b`: show-if { field: x, equals: ja }"``.
fn describe(edits: &[Edit]) -> Vec<String> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for e in edits {
        let (what, change) = match e {
            Edit::StepShowIf(s, c) => (
                format!("step `{s}`"),
                format!("show-if {}", crate::yaml::flow_condition(&pretty(c))),
            ),
            Edit::ShowIf(q, c) => (
                format!("`{q}`"),
                format!("show-if {}", crate::yaml::flow_condition(&pretty(c))),
            ),
            Edit::Require(q) => (format!("`{q}`"), "required".to_string()),
            Edit::MaxSelected(q, n) => (format!("`{q}`"), format!("max-selected {n}")),
            Edit::RequireIf(q, c) => (
                format!("`{q}`"),
                format!("required-if {}", crate::yaml::flow_condition(&pretty(c))),
            ),
        };
        match out.iter_mut().find(|(c, _)| *c == change) {
            Some((_, whats)) => {
                if !whats.contains(&what) {
                    whats.push(what)
                }
            }
            None => out.push((change, vec![what])),
        }
    }
    out.into_iter()
        .map(|(change, whats)| format!("{}: {change}", whats.join(", ")))
        .collect()
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
}
