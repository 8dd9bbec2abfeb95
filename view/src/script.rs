//! The page script ships in variants: `site-templates/assets/site.js` is one source with
//! optional parts marked by lines `// @if name` … `// @end`, and each page gets only the parts
//! it uses (the services index its filter, a form page the rules and behaviour of the question
//! types it has). Page weight is a budget (docs/BENCHMARKS.md); a form without an IBAN should
//! not carry the IBAN check. Unmarked lines are in every variant; the markers are plain
//! comments, so the whole file is still valid JavaScript (the differential test runs it as is).

use std::collections::BTreeSet;

use form_model::FieldType;
use form_model::conditions::Shape;
use form_model::model::{Condition, Form};

/// The names a part may be marked with: page kinds, then question types with code of their own.
pub const PARTS: [&str; 16] = [
    "index",
    "confirmation",
    "form",
    "conditions",
    "email",
    "iban",
    "tax-id",
    "file",
    "address",
    "group",
    "combobox",
    "text-block",
    "fees",
    "payment",
    "area",
    "sign-in",
];

/// The site texts the page script shows (`ui` in site.js), by the script part that uses them:
/// a form page carries those of its parts and no others.
pub const SCRIPT_WORDS: [(&str, &[&str]); 3] = [
    (
        "form",
        &[
            "step-of",
            "continue",
            "back",
            "change",
            "review-return",
            "confirm-required",
            "not-answered",
            "sending",
            "send-failed",
            "error-prefix",
        ],
    ),
    ("group", &["group-add", "group-remove"]),
    (
        "combobox",
        &[
            "select-list-add",
            "combobox-hint",
            "combobox-results",
            "combobox-result",
            "combobox-none",
        ],
    ),
];

/// The parts a form page needs: `form`, every question type of the form that has a part,
/// `conditions` when a condition tests dates or answers or a question has a `required-if`,
/// `text-block` when a text-block has a `show-if`, `fees` when what is due depends on the
/// answers (a fee by choice, under a condition or per quantity: the check-your-answers step
/// shows the amount due, computed by `assets/fees.js`, which this part loads when that step
/// first opens; for fixed fees the fee table already says it), `payment` when its fees
/// are paid online, and `sign-in` when the form offers sign-in.
pub fn form_parts(form: &Form) -> BTreeSet<&'static str> {
    let mut parts = BTreeSet::from(["form"]);
    let rich = form
        .steps
        .iter()
        .filter_map(|s| s.show_if.as_ref())
        .chain(form.all_elements().filter_map(|f| f.show_if.as_ref()))
        .chain(form.fees.iter().filter_map(|f| f.show_if.as_ref()))
        .any(beyond_options);
    if rich || form.all_fields().any(|f| f.required_if.is_some()) {
        parts.insert("conditions");
    }
    // The amount due on the check-your-answers step, where the answers decide it.
    if form.fees.iter().any(|f| f.depends_on_answers()) {
        parts.insert("fees");
    }
    // Payment online: the page script goes on to the pay page.
    if !form.fees.is_empty() && !form.payment.is_none() {
        parts.insert("payment");
    }
    // Text-blocks under a condition are shown and hidden by the script.
    if form
        .all_elements()
        .any(|f| !f.is_question() && f.show_if.is_some())
    {
        parts.insert("text-block");
    }
    // Sign-in with BundID: the prefill and the session cookie on sending.
    if form.identity.offers_sign_in() {
        parts.insert("sign-in");
    }
    for field in form.all_fields() {
        // A long list is searched in a combobox (a select without the script).
        if field.is_long_list() {
            parts.insert("combobox");
        }
        // The municipality's area (postcodes, streets) an answer must lie in.
        if field.area.is_some() {
            parts.insert("area");
        }
        let name = match field.kind {
            FieldType::Email => "email",
            FieldType::Iban => "iban",
            FieldType::TaxId => "tax-id",
            FieldType::File => "file",
            FieldType::Address => "address",
            FieldType::Group => "group",
            _ => continue,
        };
        parts.insert(name);
    }
    parts
}

/// Whether `cond` uses more than the tests of options (`equals`, `in`) and their combinators.
fn beyond_options(cond: &Condition) -> bool {
    match cond.shape() {
        Ok(Shape::Equals(..) | Shape::In(..)) | Err(_) => false,
        Ok(Shape::All(cs) | Shape::Any(cs)) => cs.iter().any(beyond_options),
        Ok(Shape::Not(c)) => beyond_options(c),
        Ok(Shape::Date(..) | Shape::Answered(_) | Shape::ExactlyOne(_)) => true,
    }
}

/// The source with the parts in `keep` and without the others (marker lines removed). A part
/// marked with several names (`// @if a b`) is kept when any of them is. Errors name the line.
pub fn select(source: &str, keep: &BTreeSet<&str>) -> Result<String, String> {
    let mut out = String::with_capacity(source.len());
    // One entry per open `@if`: whether its lines are kept, and where it opened.
    let mut open: Vec<(bool, usize)> = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let n = i + 1;
        let text = line.trim();
        if let Some(names) = text.strip_prefix("// @if ") {
            let names: Vec<&str> = names.split_whitespace().collect();
            if let Some(unknown) = names.iter().find(|x| !PARTS.contains(x)) {
                return Err(format!(
                    "line {n}: unknown part \"{unknown}\" (known: {})",
                    PARTS.join(", ")
                ));
            }
            let outer = open.last().is_none_or(|(kept, _)| *kept);
            open.push((outer && names.iter().any(|x| keep.contains(x)), n));
        } else if text == "// @end" {
            if open.pop().is_none() {
                return Err(format!("line {n}: \"// @end\" without \"// @if\""));
            }
        } else if open.last().is_none_or(|(kept, _)| *kept) {
            out.push_str(line);
            out.push('\n');
        }
    }
    match open.last() {
        Some((_, n)) => Err(format!(
            "line {n}: \"// @if\" is never closed by \"// @end\""
        )),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "a\n// @if form\nb\n  // @if iban\n  c\n  // @end\nd\n// @end\n// @if index confirmation\ne\n// @end\nf\n";

    fn keep(names: &[&'static str]) -> BTreeSet<&'static str> {
        names.iter().copied().collect()
    }

    #[test]
    fn keeps_only_the_marked_parts_asked_for() {
        assert_eq!(select(SOURCE, &keep(&[])).unwrap(), "a\nf\n");
        assert_eq!(select(SOURCE, &keep(&["form"])).unwrap(), "a\nb\nd\nf\n");
        assert_eq!(
            select(SOURCE, &keep(&["form", "iban"])).unwrap(),
            "a\nb\n  c\nd\nf\n"
        );
        assert_eq!(
            select(SOURCE, &keep(&["confirmation"])).unwrap(),
            "a\ne\nf\n"
        );
    }

    fn form_with(field: &str) -> Form {
        let yaml = format!(
            "id: f\nversion: 1\ntitle: {{ de: F }}\npurpose: {{ de: P }}\nlegal-basis: {{ de: L }}\nretention-days: 1\nsteps:\n  - id: s\n    title: {{ de: S }}\n    fields:\n      - {{ id: a, type: radios, label: {{ de: A }}, options: [ {{ value: x, label: {{ de: X }} }} ] }}\n      - {field}\n"
        );
        serde_yaml::from_str(&yaml).unwrap()
    }

    #[test]
    fn only_forms_with_date_or_answer_conditions_or_required_if_carry_the_conditions_part() {
        let parts = |f: &str| form_parts(&form_with(f)).contains("conditions");
        assert!(!parts(
            "{ id: b, type: text, label: { de: B }, show-if: { not: { field: a, equals: x } } }"
        ));
        assert!(parts(
            "{ id: b, type: text, label: { de: B }, show-if: { any: [ { answered: a } ] } }"
        ));
        assert!(parts(
            "{ id: b, type: date, label: { de: B }, required-if: { field: a, equals: x } }"
        ));
    }

    #[test]
    fn only_forms_with_a_text_block_under_a_condition_carry_the_text_block_part() {
        let parts = |f: &str| form_parts(&form_with(f));
        assert!(!parts("{ id: b, type: text-block, text: { de: B } }").contains("text-block"));
        let conditional =
            parts("{ id: b, type: text-block, text: { de: B }, show-if: { answered: a } }");
        assert!(conditional.contains("text-block"));
        // A date or answer condition on a text-block needs the conditions part like a question's.
        assert!(conditional.contains("conditions"));
    }

    #[test]
    fn an_inner_part_needs_its_outer_part() {
        assert_eq!(select(SOURCE, &keep(&["iban"])).unwrap(), "a\nf\n");
    }

    #[test]
    fn rejects_unbalanced_and_unknown_markers() {
        assert_eq!(
            select("// @if form\nx\n", &keep(&[])).unwrap_err(),
            "line 1: \"// @if\" is never closed by \"// @end\""
        );
        assert_eq!(
            select("x\n// @end\n", &keep(&[])).unwrap_err(),
            "line 2: \"// @end\" without \"// @if\""
        );
        assert!(
            select("// @if ibna\n// @end\n", &keep(&[]))
                .unwrap_err()
                .starts_with("line 1: unknown part \"ibna\"")
        );
    }
}
