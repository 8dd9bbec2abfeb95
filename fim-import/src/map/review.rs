//! Questions a process designer should look at although the schema is formally fine.
//!
//! The applicant's own name, birth date and address marked optional in FIM (`anzahl` 0:1) are
//! usually a data error in the schema: a person applying has first names. The importer keeps
//! FIM's cardinality (it cannot know better) and lists these questions in the report.
//!
//! Whose question it is follows from the nearest enclosing group that names a person's role:
//! "Antragsteller", "antragstellende Person", "Anzeigende" mean the applicant; "Vertreter",
//! "Bevollmächtigte", "Ansprechpartner" someone else (a group "Gesetzlicher Vertreter
//! (Antragsteller)" is the representative's).

use std::collections::HashMap;

use crate::report::{Finding, Kind};
use crate::text::one_line;
use crate::xdf::{Child, Element, Group, Schema};

/// Words in a group's name that make it about someone other than the applicant. They are
/// looked for first: "Gesetzlicher Vertreter / Bevollmächtigter (Antragsteller)" is not the
/// applicant.
const SOMEONE_ELSE: [&str; 6] = [
    "vertreter",
    "vertretung",
    "bevollmächtigt",
    "ansprechp",
    "kontaktperson",
    "empfangsbevollm",
];
/// Words in a group's name that make it about the applicant.
const APPLICANT: [&str; 4] = [
    "antragsteller",
    "antragstellend",
    "anzeigend",
    "meldepflichtig",
];

/// What a field asks, as far as this review cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    Name,
    BirthDate,
    Address,
}

impl Detail {
    fn words(self) -> &'static str {
        match self {
            Detail::Name => "name",
            Detail::BirthDate => "birth date",
            Detail::Address => "address",
        }
    }
}

/// The applicant's name, birth date and address questions that FIM marks optional, as report
/// findings. `yaml_of` maps an element occurrence (`uid`) to where it is in the form.
pub fn optional_applicant_details(
    schema: &Schema,
    yaml_of: &HashMap<usize, String>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    walk(&schema.children, &mut Vec::new(), yaml_of, &mut out);
    out
}

fn walk<'s>(
    children: &'s [Child],
    groups: &mut Vec<&'s Group>,
    yaml_of: &HashMap<usize, String>,
    out: &mut Vec<Finding>,
) {
    for c in children {
        match &c.element {
            Element::Group(g) => {
                groups.push(g);
                walk(&g.children, groups, yaml_of, out);
                groups.pop();
            }
            Element::Field(f) => {
                if c.anzahl.min > 0 || !is_applicants(groups) {
                    continue;
                }
                let Some(detail) = detail(&f.name, groups) else {
                    continue;
                };
                out.push(Finding {
                    kind: Kind::Review,
                    fim: format!("{} {}", f.id, f.version),
                    label: one_line(&f.label),
                    // `yaml_of` describes the place ("`vornamen`"); the finding wants the id.
                    yaml: yaml_of
                        .get(&f.uid)
                        .and_then(|y| y.split('`').nth(1))
                        .map(str::to_string),
                    why: format!(
                        "part of the applicant's {}, optional in FIM ({}); make it required unless the process really allows leaving it out",
                        detail.words(),
                        c.anzahl.show()
                    ),
                });
            }
        }
    }
}

/// The nearest group naming a role decides whose question it is.
fn is_applicants(groups: &[&Group]) -> bool {
    for g in groups.iter().rev() {
        let words = format!("{} {}", g.name, g.label).to_lowercase();
        if SOMEONE_ELSE.iter().any(|w| words.contains(w)) {
            return false;
        }
        if APPLICANT.iter().any(|w| words.contains(w)) {
            return true;
        }
    }
    false
}

/// Name parts, birth date (also as day, month and year in a birth date group) and the parts of
/// an address (in an address group), by the field's FIM name.
fn detail(name: &str, groups: &[&Group]) -> Option<Detail> {
    let name = one_line(name);
    let parent = groups
        .last()
        .map(|g| g.name.to_lowercase())
        .unwrap_or_default();
    let in_address = groups.iter().any(|g| g.name.contains("Anschrift"));
    match name.as_str() {
        "Vorname" | "Vornamen" | "Familienname" | "Nachname" => Some(Detail::Name),
        "Geburtsdatum" => Some(Detail::BirthDate),
        "Tag (ohne Monat und Jahr)" | "Tag" | "Monat" | "Jahr"
            if parent.starts_with("geburtsdatum") =>
        {
            Some(Detail::BirthDate)
        }
        "Straße" | "Hausnummer" | "Postleitzahl" | "Ort" | "Wohnort" | "Staat" if in_address => {
            Some(Detail::Address)
        }
        _ => None,
    }
}
