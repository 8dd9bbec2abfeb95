//! The import report: what a process designer has to look at before the form is published.
//! Every FIM rule (with where its comment went), every element that could not be mapped fully
//! and why, and every default the importer filled in.

use std::collections::BTreeMap;
use std::fmt::Write;

/// A FIM rule, listed for a person to turn into a condition.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleNote {
    pub id: String,
    pub version: String,
    pub name: String,
    pub text: String,
    /// The FIM element that carries the rule (schema, group or field id).
    pub owner: String,
    /// Where the comment is in the YAML: ``before field `x` ``, ``before step `y` ``.
    pub placed: String,
    /// FIM ids the rule text names, with what became of them (`` `field-id` ``, `not in the form`).
    pub refs: Vec<(String, String)>,
    /// What the importer read in the rule's text.
    pub reading: RuleReading,
    /// Whether the rule became conditions of the form.
    pub conversion: Conversion,
}

/// What became of a rule in the form.
#[derive(Debug, Clone, PartialEq)]
pub enum Conversion {
    /// The changes made, one entry per change with the elements it applies to
    /// (``"`a`, `b`: show-if { field: x, equals: ja }"``).
    Converted(Vec<String>),
    /// Why the rule stays a comment only.
    NotConverted(String),
}

/// What the importer read in a rule's text (see `rules`). Only a rule read can be converted.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleReading {
    /// Read, and every element and value found: the reading in the rules' notation
    /// (`if F00000462 = 001 then required F00000467`), with notes for a person to check.
    Read { reading: String, notes: Vec<String> },
    /// The text is not one the grammar reads: where reading stopped and what was not understood.
    Unreadable(String),
    /// Read, but an element or a value does not fit the schema.
    Unresolved {
        reading: String,
        problems: Vec<String>,
    },
}

/// How an element was mapped when it was not mapped one to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Left out of the form.
    NotMapped,
    /// In the form, but something of FIM's meaning is lost or approximated.
    Partial,
    /// A group dissolved into its parent (the form language nests one level).
    Flattened,
    /// A yes/no declaration mapped to a single required checkbox.
    Declaration,
    /// Mapped as FIM says, but FIM is probably wrong: the applicant's name, birth date or
    /// address marked optional.
    Review,
}

impl Kind {
    fn title(self) -> &'static str {
        match self {
            Kind::NotMapped => "Not in the form",
            Kind::Partial => "Mapped, but not fully",
            Kind::Flattened => "Groups flattened (the form language nests one level)",
            Kind::Declaration => "Declarations mapped to a single checkbox",
            Kind::Review => {
                "Optional in FIM, probably by mistake: the applicant's name, birth date, address"
            }
        }
    }
}

/// One element that was not mapped one to one.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: Kind,
    /// `F60000227 1.1`.
    pub fim: String,
    pub label: String,
    /// The field, group or step id in the form, if the element is there.
    pub yaml: Option<String>,
    pub why: String,
}

/// The entries of a code list a field does not offer, because the list marks them historic
/// or internal.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftOutCodes {
    /// The field's id in the form.
    pub field: String,
    /// `F60000227 1.1`.
    pub fim: String,
    /// The code list (its canonical version URI).
    pub list: String,
    pub entries: Vec<crate::xdf::LeftOut>,
}

/// Everything `formfabrik import-fim` tells the designer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// `S00000094 1.0 „Benachrichtigung …“ (XDatenfelder 2.0)`.
    pub source: String,
    pub form_id: String,
    pub steps: usize,
    /// Questions, group members included, groups not.
    pub questions: usize,
    pub groups: usize,
    /// Questions inside groups.
    pub in_groups: usize,
    pub rules: Vec<RuleNote>,
    pub findings: Vec<Finding>,
    /// Required FIM fields that had to become optional because a group around them is
    /// optional, keyed by that group.
    pub made_optional: BTreeMap<String, Vec<String>>,
    /// Code-list entries left out, per field.
    pub left_out_codes: Vec<LeftOutCodes>,
    pub defaults: Vec<String>,
}

impl RuleReading {
    /// The reading as the report's lines under a rule (indented two spaces, each ending in a
    /// line break).
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        match self {
            RuleReading::Read { reading, notes } => {
                let _ = writeln!(s, "  Read as: `{reading}`");
                for n in notes {
                    let _ = writeln!(s, "  Check: {n}");
                }
            }
            RuleReading::Unreadable(why) => {
                let _ = writeln!(s, "  Not read: {why}");
            }
            RuleReading::Unresolved { reading, problems } => {
                let _ = writeln!(s, "  Not read: the text reads as `{reading}`, but:");
                for p in problems {
                    let _ = writeln!(s, "  - {p}");
                }
            }
        }
        s
    }
}

impl Report {
    /// Rules whose text was read and whose elements were all found.
    pub fn rules_read(&self) -> usize {
        self.rules
            .iter()
            .filter(|r| matches!(r.reading, RuleReading::Read { .. }))
            .count()
    }

    /// `46 of 51 (90 %)`.
    pub fn rule_coverage(&self) -> String {
        let (read, all) = (self.rules_read(), self.rules.len());
        let percent = (read * 100).checked_div(all).unwrap_or(100);
        format!("{read} of {all} ({percent} %)")
    }

    /// Rules that became conditions of the form.
    pub fn rules_converted(&self) -> usize {
        self.rules
            .iter()
            .filter(|r| matches!(r.conversion, Conversion::Converted(_)))
            .count()
    }

    /// `38 of 51 (74 %)`.
    pub fn conversion_coverage(&self) -> String {
        let (done, all) = (self.rules_converted(), self.rules.len());
        let percent = (done * 100).checked_div(all).unwrap_or(100);
        format!("{done} of {all} ({percent} %)")
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }

    /// The report as Markdown (also what the command prints).
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# FIM import: {}", self.source);
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "Catalog form `{}`: {} steps, {} questions, {} of them in {} groups. FIM rules converted into conditions: {} (read: {}); {} elements not mapped fully.",
            self.form_id,
            self.steps,
            self.questions,
            self.in_groups,
            self.groups,
            self.conversion_coverage(),
            self.rule_coverage(),
            self.findings
                .iter()
                .filter(|f| f.kind != Kind::Review)
                .count()
                + self.made_optional.values().map(Vec::len).sum::<usize>(),
        );
        let _ = writeln!(s);
        let _ = writeln!(s, "## FIM rules ({})", self.rules.len());
        let _ = writeln!(s);
        if self.rules.is_empty() {
            let _ = writeln!(s, "None.");
        } else {
            let _ = writeln!(
                s,
                "FIM rules are prose. Rules converted: {}. A rule read is converted into `show-if` / `required-if` on the elements it names when the form language can say it there; each rule is also a `# FIM-Regel` comment in the YAML at the place named here, saying whether it was converted. Write the rules not converted by hand.",
                self.conversion_coverage()
            );
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "Rules read: {}. A rule is read when the whole text follows the shapes FIM editors write and every element and value it names is in the schema; each entry below says what was read, or where reading stopped.",
                self.rule_coverage()
            );
        }
        for r in &self.rules {
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "- **{} {}** „{}“ (carried by {}), comment {}:",
                r.id, r.version, r.name, r.owner, r.placed
            );
            let _ = writeln!(s, "  > {}", r.text.replace('\n', "\n  > "));
            if !r.refs.is_empty() {
                let refs: Vec<String> = r.refs.iter().map(|(f, y)| format!("{f} → {y}")).collect();
                let _ = writeln!(s, "  Elements: {}", refs.join(", "));
            }
            s.push_str(&r.reading.markdown());
            match &r.conversion {
                Conversion::Converted(done) => {
                    let _ = writeln!(s, "  Converted:");
                    for d in done {
                        let _ = writeln!(s, "  - {d}");
                    }
                }
                Conversion::NotConverted(why) => {
                    let _ = writeln!(s, "  Not converted: {why}");
                }
            }
        }
        let _ = writeln!(s);
        for kind in [
            Kind::Review,
            Kind::NotMapped,
            Kind::Partial,
            Kind::Flattened,
            Kind::Declaration,
        ] {
            let items: Vec<&Finding> = self.findings.iter().filter(|f| f.kind == kind).collect();
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(s, "## {} ({})", kind.title(), items.len());
            let _ = writeln!(s);
            for f in items {
                let place = f
                    .yaml
                    .as_ref()
                    .map(|y| format!(" → `{y}`"))
                    .unwrap_or_default();
                let _ = writeln!(s, "- {} „{}“{place}: {}", f.fim, f.label, f.why);
            }
            let _ = writeln!(s);
        }
        if !self.made_optional.is_empty() {
            let n: usize = self.made_optional.values().map(Vec::len).sum();
            let _ = writeln!(s, "## Required in FIM, optional in the form ({n})");
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "These fields are required in FIM only when an optional group around them is given. The group is not a `group` field here (it was dissolved, or is a step), so they are not `required: true` but `required-if: {{ answered: [...] }}`: required once any question of that group is answered. Once a rule's `show-if` decides when the group is asked, `required: true` says it more simply."
            );
            let _ = writeln!(s);
            for (group, ids) in &self.made_optional {
                let ids: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
                let _ = writeln!(s, "- {group}: {}", ids.join(", "));
            }
            let _ = writeln!(s);
        }
        if !self.left_out_codes.is_empty() {
            let n: usize = self.left_out_codes.iter().map(|l| l.entries.len()).sum();
            let _ = writeln!(s, "## Code-list entries left out ({n})");
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "The code list marks these entries historic (an end of validity before the list was published) or for internal use, so no citizen can choose them. If one must be offered, add it to the field's `options` by hand."
            );
            for l in &self.left_out_codes {
                let _ = writeln!(s);
                let _ = writeln!(s, "- `{}` ({}, code list {}):", l.field, l.fim, l.list);
                for e in &l.entries {
                    let _ = writeln!(s, "  - {} „{}“: {}", e.value, e.label, e.why);
                }
            }
            let _ = writeln!(s);
        }
        let _ = writeln!(s, "## Defaults applied ({})", self.defaults.len());
        let _ = writeln!(s);
        for d in &self.defaults {
            let _ = writeln!(s, "- {d}");
        }
        s
    }
}
