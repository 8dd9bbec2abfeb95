//! View models: what templates render, computed from a resolved form in one language. Every
//! id, input name and `aria-describedby` is built here and nowhere else (hint before error, as
//! GOV.UK Frontend does), and every constraint attribute comes from form-model, so the page
//! announces exactly the rules the function applies.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};

use form_model::conditions::Shape;
use form_model::form_post::input_name;
use form_model::model::{Bound, Condition, Field, FieldType, Form, Step};
use form_model::resolve::ResolvedForm;
use form_model::rules::DateExpr;
use form_model::validate::{
    ADDRESS_PARTS, AddressPart, Problem, fmt_number, group_prefix, message, text_in,
};

use crate::collate;
use crate::markdown;

/// One question as a template renders it.
#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    /// Field id (the key in submitted data).
    pub id: String,
    /// The field's key on the page: its id, or `<group>-<entry>-<id>` inside a group.
    pub key: String,
    /// Component to render: text-input, textarea, radios, checkboxes, select, date, file, address.
    pub component: &'static str,
    /// Form-model type (text, email, iban, ...).
    pub kind: &'static str,
    /// id of the input (the first one for groups).
    pub input_id: String,
    /// id of the fieldset of a group. For an address it is `f-<field>`, where the function's
    /// error page links a problem with the address as a whole.
    pub group_id: String,
    pub name: String,
    pub label: String,
    pub hint_html: Option<String>,
    pub hint_id: Option<String>,
    pub error_id: String,
    /// Only set when rendering a known error (component examples, error pages).
    pub error: Option<String>,
    /// `hint error` ids, in that order.
    pub describedby: String,
    /// Marked "(optional)" in the label.
    pub optional: bool,
    /// HTML `required`: only for questions that are always asked and required, so a page
    /// without JavaScript never blocks on a question that does not apply.
    pub required_attr: bool,
    /// Constraint and input attributes (`type`, `maxlength`, `pattern`, `min`, `autocomplete`,
    /// `inputmode`, `accept`, ...), in a stable order.
    pub attrs: Vec<(String, String)>,
    /// The options in the order the page shows them (`option-order`; long lists by label).
    pub options: Vec<OptionView>,
    /// A select the script turns into a search box (a long list; see `LONG_LIST`).
    pub combobox: bool,
    /// Several answers from a long list: one select per answer ("choose one, add another").
    pub slots: Vec<SlotView>,
    pub parts: Vec<PartView>,
    pub rows: u32,
    /// "Only answer this if ..." for readers without JavaScript.
    pub condition_text: Option<String>,
    /// Current value (examples and refilled forms).
    pub value: String,
    /// For groups: the entries (one without `repeat`).
    pub entries: Vec<EntryView>,
    pub repeat: bool,
    /// For lists: the most entries the page offers, and whether the form allows more.
    pub limit_note: bool,
}

/// One entry of a group: a fieldset with the group's questions, ids and names numbered.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    pub index: usize,
    pub legend: String,
    pub fields: Vec<FieldView>,
    /// Entries after the first few are offered in a "more" section without JavaScript.
    pub first_extra: bool,
    pub last_extra: bool,
}

/// Where a field sits: ids and names are prefixed inside groups.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// `hunde-2-` (for ids)
    pub id: String,
    /// `hunde.2.` (for input names)
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionView {
    pub value: String,
    pub label: String,
    pub input_id: String,
    pub hint_html: Option<String>,
    pub hint_id: Option<String>,
    pub checked: bool,
}

/// One select of a multiple choice from a long list.
#[derive(Debug, Clone, Serialize)]
pub struct SlotView {
    pub input_id: String,
    pub label: String,
    pub value: String,
}

/// One input of an address.
#[derive(Debug, Clone, Serialize)]
pub struct PartView {
    pub key: String,
    pub label: String,
    pub input_id: String,
    pub name: String,
    pub autocomplete: String,
    pub attrs: Vec<(String, String)>,
    pub value: String,
    pub width: &'static str,
}

/// A step: a section without JavaScript, a wizard page with it.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub id: String,
    pub section_id: String,
    pub heading_id: String,
    pub number: usize,
    pub title: String,
    pub intro_html: Option<String>,
    pub condition_text: Option<String>,
    pub fields: Vec<FieldView>,
}

/// A fee line.
#[derive(Debug, Clone, Serialize)]
pub struct FeeView {
    pub label: String,
    pub amount: String,
    pub per: Option<String>,
    pub hint_html: Option<String>,
}

/// The id of a field's input on the page (`f-<field>`; the function's error page links there).
pub fn input_id(field: &str) -> String {
    format!("f-{field}")
}

/// Entries a list shows at first, and the most it offers without JavaScript.
pub fn slots(repeat: form_model::model::Repeat) -> (usize, usize) {
    let initial = repeat.min.max(1) as usize;
    let total = repeat
        .max
        .map_or(initial + 4, |m| m as usize)
        .min(initial.max(10))
        .max(initial);
    (initial, total)
}

/// How many selects a multiple choice from a long list offers: as many as may be chosen, 5
/// when the form sets no limit, never more than 10 (with JavaScript they are added one by one).
pub fn select_slots(field: &Field) -> usize {
    field.max_selected.map_or(5, |m| m as usize).clamp(1, 10)
}

/// The id of a part of an address (also the fragment error links point to).
pub fn part_input_id(field: &str, part: &str) -> String {
    format!("f-{field}-{part}")
}

fn step_id(step: &str) -> String {
    format!("s-{step}")
}

/// Builds the view of one field in `lang`. `always_asked` is false inside a conditional step.
pub fn field_view(
    form: &Form,
    field: &Field,
    lang: &str,
    always_asked: bool,
    t: &dyn Fn(&str) -> String,
) -> FieldView {
    field_view_in(form, field, lang, always_asked, t, &Scope::default())
}

/// A field's view inside `scope` (a group entry), or at the top when the scope is empty.
pub fn field_view_in(
    form: &Form,
    field: &Field,
    lang: &str,
    always_asked: bool,
    t: &dyn Fn(&str) -> String,
    scope: &Scope,
) -> FieldView {
    let key = format!("{}{}", scope.id, field.id);
    let input = input_id(&key);
    let hint_html = field
        .hint
        .as_ref()
        .map(|h| markdown::inline(&text_in(h, lang)));
    let hint_id = hint_html.as_ref().map(|_| format!("{input}-hint"));
    let error_id = format!("{input}-error");
    let describedby = hint_id.clone().unwrap_or_default();
    let asked_always = always_asked && field.show_if.is_none();
    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: String| attrs.push((k.to_string(), v));
    let component = match field.kind {
        FieldType::Text
        | FieldType::Email
        | FieldType::Tel
        | FieldType::Number
        | FieldType::Iban
        | FieldType::Postcode
        | FieldType::TaxId => "text-input",
        FieldType::Textarea => "textarea",
        // A long list is a select (searchable with the script), for several answers one per
        // answer: 200 radio buttons or checkboxes are a page nobody can scan.
        FieldType::Radios | FieldType::Select if field.is_long_list() => "select",
        FieldType::Radios => "radios",
        FieldType::Checkboxes if field.is_long_list() => "select-list",
        FieldType::Checkboxes => "checkboxes",
        FieldType::Select => "select",
        FieldType::Date => "date",
        FieldType::File => "file",
        FieldType::Address => "address",
        FieldType::Group => "group",
    };
    match field.kind {
        FieldType::Text | FieldType::Textarea => push("type", "text".into()),
        // Not type=email: Firefox and Safari refuse an internationalised address
        // (priya@müller.de) before the page can check it, and Chrome sends it as punycode.
        // The keyboard is the e-mail one all the same.
        FieldType::Email => {
            push("type", "text".into());
            push("inputmode", "email".into());
            push("spellcheck", "false".into());
            push("autocapitalize", "none".into());
        }
        FieldType::Tel => push("type", "tel".into()),
        FieldType::Number => push("type", "number".into()),
        FieldType::Date => push("type", "date".into()),
        FieldType::File => push("type", "file".into()),
        FieldType::Iban => {
            push("type", "text".into());
            push("spellcheck", "false".into());
            push("autocapitalize", "characters".into());
        }
        FieldType::Postcode | FieldType::TaxId => {
            push("type", "text".into());
            push("inputmode", "numeric".into());
            push("spellcheck", "false".into());
        }
        _ => {}
    }
    if field.kind == FieldType::Textarea {
        attrs.clear();
    }
    let mut push = |k: &str, v: String| attrs.push((k.to_string(), v));
    if let Some(min) = field.min_length {
        push("minlength", min.to_string());
    }
    // `maxlength` cuts what is typed or pasted without a word: " 86899" pasted into a postcode
    // became " 8689". Only free text keeps it; where spaces or separators are usual (postcode,
    // IBAN, tax ID, phone, e-mail) the answer is trimmed and normalised first and a message
    // says when it is too long.
    if let Some(max) = field
        .max_length
        .filter(|_| matches!(field.kind, FieldType::Text | FieldType::Textarea))
    {
        push("maxlength", max.to_string());
    }
    if field.kind == FieldType::Postcode {
        push("autocomplete", "postal-code".into());
    }
    // The browser checks a pattern against the untrimmed value; the rules trim first.
    if let Some(p) = &field.pattern {
        push("pattern", format!("\\s*(?:{p})\\s*"));
    }
    match (&field.kind, &field.min, &field.max) {
        (FieldType::Number, min, max) => {
            if let Some(Bound::Number(n)) = min {
                push("min", fmt_number(*n));
            }
            if let Some(Bound::Number(n)) = max {
                push("max", fmt_number(*n));
            }
            push(
                "step",
                field.step.map(fmt_number).unwrap_or_else(|| "any".into()),
            );
            push(
                "inputmode",
                if field.step == Some(1.0) {
                    "numeric"
                } else {
                    "decimal"
                }
                .into(),
            );
        }
        (FieldType::Date, min, max) => {
            // Relative bounds ("today-18y") move every day; the page's script sets them.
            for (key, bound) in [("min", min), ("max", max)] {
                if let Some(Bound::Text(expr)) = bound {
                    if let Some(DateExpr::Fixed(d)) = DateExpr::parse(expr) {
                        push(key, d.to_string());
                    } else {
                        push(&format!("data-{key}"), expr.clone());
                    }
                }
            }
        }
        _ => {}
    }
    if field.kind == FieldType::File {
        push("accept", field.accept.join(","));
    }
    if let Some(a) = &field.autocomplete {
        push("autocomplete", a.clone());
    } else if matches!(field.kind, FieldType::Iban | FieldType::TaxId) {
        push("autocomplete", "off".into());
    }
    let mut choices: Vec<&form_model::model::Choice> = field.options.iter().collect();
    if field.sorts_options() {
        collate::sort_by_label(&mut choices, lang, |c| text_in(&c.label, lang));
    }
    let select_list = if component == "select-list" {
        (0..select_slots(field))
            .map(|i| SlotView {
                input_id: if i == 0 {
                    input.clone()
                } else {
                    format!("{input}-{}", i + 1)
                },
                label: t("select-list-item").replace("{n}", &(i + 1).to_string()),
                value: String::new(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let options = choices
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            let oid = if i == 0 {
                // The first option carries the field's id: error links land on it.
                input.clone()
            } else {
                format!("{input}-{}", o.value)
            };
            let hint_html = o.hint.as_ref().map(|h| markdown::inline(&text_in(h, lang)));
            OptionView {
                hint_id: hint_html.as_ref().map(|_| format!("{oid}-hint")),
                value: o.value.clone(),
                label: markdown::inline(&text_in(&o.label, lang)),
                input_id: oid,
                hint_html,
                checked: false,
            }
        })
        .collect();
    let parts = if field.kind == FieldType::Address {
        ADDRESS_PARTS
            .iter()
            .map(|p| part_view(&key, &format!("{}{}", scope.name, field.id), p, lang))
            .collect()
    } else {
        Vec::new()
    };
    let entries = if field.kind == FieldType::Group {
        group_entries(form, field, lang, t, &key)
    } else {
        Vec::new()
    };
    let inside_group = !scope.id.is_empty();
    FieldView {
        id: field.id.clone(),
        key: key.clone(),
        entries,
        repeat: field.repeat.is_some(),
        limit_note: field
            .repeat
            .is_some_and(|r| r.max.is_none_or(|m| m as usize > slots(r).1)),
        component,
        kind: field.kind.name(),
        group_id: if matches!(field.kind, FieldType::Address | FieldType::Group) {
            input.clone()
        } else {
            format!("{input}-group")
        },
        input_id: if field.kind == FieldType::Address {
            part_input_id(&key, ADDRESS_PARTS[0].key)
        } else {
            input
        },
        name: format!("{}{}", scope.name, input_name(&field.id, None)),
        label: markdown::inline(&text_in(&field.label, lang)),
        hint_html,
        hint_id,
        error_id,
        error: None,
        describedby,
        optional: !form_model::validate::is_required(field),
        // Inside a group nothing is required by the browser: unused entries stay empty.
        required_attr: field.required && asked_always && !inside_group,
        attrs,
        options,
        combobox: field.is_long_list(),
        slots: select_list,
        parts,
        rows: field.rows.unwrap_or(5),
        condition_text: field.show_if.as_ref().map(|c| {
            format!(
                "{} {}.",
                t("only-answer-if"),
                describe(form, c, lang, false)
            )
        }),
        value: String::new(),
    }
}

/// The entries of a group: one without `repeat`; for a list the first few, then more in a
/// section a citizen without JavaScript can open.
fn group_entries(
    form: &Form,
    group: &Field,
    lang: &str,
    t: &dyn Fn(&str) -> String,
    key: &str,
) -> Vec<EntryView> {
    let label = text_in(&group.label, lang);
    let (initial, total) = match group.repeat {
        Some(r) => slots(r),
        None => (1, 1),
    };
    (0..total)
        .map(|i| {
            let scope = match group.repeat {
                Some(_) => Scope {
                    id: format!("{key}-{i}-"),
                    name: format!("{}.{i}.", group.id),
                },
                None => Scope {
                    id: format!("{key}-"),
                    name: format!("{}.", group.id),
                },
            };
            EntryView {
                index: i,
                legend: match group.repeat {
                    Some(_) => format!("{label} {}", i + 1),
                    None => label.clone(),
                },
                fields: group
                    .fields
                    .iter()
                    .map(|c| field_view_in(form, c, lang, false, t, &scope))
                    .collect(),
                first_extra: group.repeat.is_some() && i == initial && initial < total,
                last_extra: group.repeat.is_some() && i + 1 == total && initial < total,
            }
        })
        .collect()
}

fn part_view(key: &str, name: &str, part: &AddressPart, lang: &str) -> PartView {
    let mut attrs = vec![("type".to_string(), "text".to_string())];
    // As for a postcode field: no maxlength or pattern that a pasted " 35390" would fail.
    if part.postcode {
        attrs.push(("inputmode".into(), "numeric".into()));
    } else {
        attrs.push(("maxlength".into(), part.max_length.to_string()));
    }
    PartView {
        key: part.key.to_string(),
        label: part.label(lang).to_string(),
        input_id: part_input_id(key, part.key),
        name: input_name(name, Some(part.key)),
        autocomplete: part.autocomplete.to_string(),
        attrs,
        value: String::new(),
        width: match part.key {
            "house-number" | "postcode" => "narrow",
            _ => "wide",
        },
    }
}

/// Refreshes `describedby` after an error was set (hint first, then error).
pub fn set_error(view: &mut FieldView, error: Option<String>) {
    view.error = error;
    view.describedby = [
        view.hint_id.clone(),
        view.error.as_ref().map(|_| view.error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
}

/// All steps of a form in `lang`.
pub fn steps(form: &Form, lang: &str, t: &dyn Fn(&str) -> String) -> Vec<StepView> {
    form.steps
        .iter()
        .enumerate()
        .map(|(i, step)| step_view(form, step, i + 1, lang, t))
        .collect()
}

fn step_view(
    form: &Form,
    step: &Step,
    number: usize,
    lang: &str,
    t: &dyn Fn(&str) -> String,
) -> StepView {
    let sid = step_id(&step.id);
    StepView {
        id: step.id.clone(),
        heading_id: format!("{sid}-heading"),
        section_id: sid,
        number,
        title: text_in(&step.title, lang),
        intro_html: step
            .intro
            .as_ref()
            .map(|i| markdown::to_html(&text_in(i, lang), 2)),
        condition_text: step.show_if.as_ref().map(|c| {
            format!(
                "{} {}.",
                t("only-fill-section-if"),
                describe(form, c, lang, false)
            )
        }),
        fields: step
            .fields
            .iter()
            .map(|f| field_view(form, f, lang, step.show_if.is_none(), t))
            .collect(),
    }
}

/// The fees in `lang`, amounts in euros as Germans write them.
pub fn fees(form: &Form, lang: &str) -> Vec<FeeView> {
    form.fees
        .iter()
        .map(|fee| FeeView {
            label: text_in(&fee.label, lang),
            amount: euros(fee.amount_eur, lang),
            per: fee
                .per
                .as_ref()
                .and_then(|p| form.field(p))
                .map(|f| text_in(&f.label, lang)),
            hint_html: fee
                .hint
                .as_ref()
                .map(|h| markdown::inline(&text_in(h, lang))),
        })
        .collect()
}

/// `96,00 €` (de), `€96.00` (en), `96.00 €` (others).
pub fn euros(amount: f64, lang: &str) -> String {
    let fixed = format!("{amount:.2}");
    match lang {
        "de" => format!("{} €", fixed.replace('.', ",")),
        "en" => format!("€{fixed}"),
        _ => format!("{fixed} €"),
    }
}

fn label_of(form: &Form, field: &str, lang: &str) -> String {
    form.field(field)
        .map(|f| text_in(&f.label, lang))
        .unwrap_or_else(|| field.to_string())
}

fn option_label(form: &Form, field: &str, value: &str, lang: &str) -> String {
    form.field(field)
        .and_then(|f| f.options.iter().find(|o| o.value == value))
        .map(|o| text_in(&o.label, lang))
        .unwrap_or_else(|| value.to_string())
}

fn quote(s: &str, lang: &str) -> String {
    match lang {
        "de" => format!("„{s}“"),
        "ar" => format!("«{s}»"),
        _ => format!("“{s}”"),
    }
}

/// A condition in words: "Sie bei „Gefährlich?“ „Ja“ gewählt haben".
pub fn describe(form: &Form, cond: &Condition, lang: &str, negated: bool) -> String {
    let or = |lang: &str| match lang {
        "de" => " oder ",
        "ar" => " أو ",
        _ => " or ",
    };
    let and = |lang: &str| match lang {
        "de" => " und ",
        "ar" => " و",
        _ => " and ",
    };
    match cond.shape() {
        Ok(Shape::Equals(f, v)) => leaf(form, f, &[v.to_string()], lang, negated),
        Ok(Shape::In(f, vs)) => leaf(form, f, vs, lang, negated),
        Ok(Shape::All(cs)) => {
            let joiner = if negated { or(lang) } else { and(lang) };
            cs.iter()
                .map(|c| describe(form, c, lang, negated))
                .collect::<Vec<_>>()
                .join(joiner)
        }
        Ok(Shape::Any(cs)) => {
            let joiner = if negated { and(lang) } else { or(lang) };
            cs.iter()
                .map(|c| describe(form, c, lang, negated))
                .collect::<Vec<_>>()
                .join(joiner)
        }
        Ok(Shape::Not(c)) => describe(form, c, lang, !negated),
        Err(_) => String::new(),
    }
}

fn leaf(form: &Form, field: &str, values: &[String], lang: &str, negated: bool) -> String {
    let label = quote(&label_of(form, field, lang), lang);
    let multi = form
        .field(field)
        .is_some_and(|f| f.kind == FieldType::Checkboxes);
    let or = match lang {
        "de" => " oder ",
        "ar" => " أو ",
        _ => " or ",
    };
    let answers = values
        .iter()
        .map(|v| quote(&option_label(form, field, v, lang), lang))
        .collect::<Vec<_>>()
        .join(or);
    match (lang, multi, negated) {
        ("de", false, false) => format!("Sie bei {label} {answers} gewählt haben"),
        ("de", false, true) => format!("Sie bei {label} nicht {answers} gewählt haben"),
        ("de", true, false) => format!("Sie bei {label} {answers} angekreuzt haben"),
        ("de", true, true) => format!("Sie bei {label} nicht {answers} angekreuzt haben"),
        ("ar", _, false) => format!("اخترت {answers} في {label}"),
        ("ar", _, true) => format!("لم تختر {answers} في {label}"),
        (_, false, false) => format!("you chose {answers} for {label}"),
        (_, false, true) => format!("you did not choose {answers} for {label}"),
        (_, true, false) => format!("you ticked {answers} for {label}"),
        (_, true, true) => format!("you did not tick {answers} for {label}"),
    }
}

/// The data the page's script works from: fields with their rules and conditions, and the
/// messages form-model writes for each rule, so script and function say the same thing.
///
/// Kept small because it travels with every form page: empty rules are left out, option labels
/// are read from the page itself, and each distinct message is written once, as a template
/// with [`LABEL_MARKER`] where the field's name goes (`messages` holds the templates, a field's
/// `messages` the index of each of its codes).
pub fn script_data(form: &ResolvedForm, lang: &str) -> Value {
    let mut templates = Templates::default();
    let mut fields = Vec::new();
    for step in &form.form.steps {
        for field in &step.fields {
            let label = text_in(&field.label, lang);
            fields.push(field_data(field, &step.id, lang, &label, &mut templates));
        }
    }
    let has_iban = form.form.all_fields().any(|f| f.kind == FieldType::Iban);
    let mut data = json!({
        "form": form.form.id,
        "version": form.form.version,
        "language": lang,
        "steps": form.form.steps.iter().map(|s| {
            let mut step = json!({ "id": s.id });
            if let Some(c) = &s.show_if {
                step["show-if"] = json!(c);
            }
            step
        }).collect::<Vec<_>>(),
        "fields": fields,
        "messages": templates.list,
        "address-parts": ADDRESS_PARTS.iter().map(|p| json!({
            "key": p.key, "max-length": p.max_length, "postcode": p.postcode,
        })).collect::<Vec<_>>(),
    });
    if has_iban {
        data["iban-formats"] = json!(form_model::rules::iban_formats());
    }
    data
}

/// Where the script writes the number of a list entry into a message ("Hund 2 – Name").
pub const ENTRY_MARKER: &str = "\u{E000}";
/// Where the script writes a field's name into a message template.
pub const LABEL_MARKER: &str = "\u{E001}";

/// The distinct message templates of one page, in first-use order.
#[derive(Default)]
struct Templates {
    list: Vec<String>,
    index: HashMap<String, usize>,
}

impl Templates {
    fn id(&mut self, text: String) -> usize {
        if let Some(&i) = self.index.get(&text) {
            return i;
        }
        self.list.push(text.clone());
        self.index.insert(text, self.list.len() - 1);
        self.list.len() - 1
    }
}

/// One field's rules and messages for the script. `name` is how messages call the field: its
/// label, or "Hund \u{E000} – Name" inside a list.
fn field_data(
    field: &Field,
    step: &str,
    lang: &str,
    name: &str,
    templates: &mut Templates,
) -> Value {
    let mut messages = serde_json::Map::new();
    let mut put = |code: &str, text: String| {
        messages.insert(code.to_string(), json!(templates.id(text)));
    };
    let msg = |p: Problem| message(&p, lang, LABEL_MARKER);
    put("required", msg(form_model::validate::missing(field)));
    put("wrong-type", msg(Problem::WrongType));
    if let Some(n) = field.min_length {
        put("too-short", msg(Problem::TooShort(n)));
    }
    if let Some(n) = field.max_length {
        put("too-long", msg(Problem::TooLong(n)));
    }
    if field.pattern.is_some() {
        put(
            "pattern",
            msg(Problem::Pattern(
                field.pattern_message.as_ref().map(|m| text_in(m, lang)),
            )),
        );
    }
    match field.kind {
        FieldType::Number => {
            put("not-a-number", msg(Problem::NotANumber));
            if let Some(Bound::Number(n)) = field.min {
                put("too-small", msg(Problem::TooSmall(n)));
            }
            if let Some(Bound::Number(n)) = field.max {
                put("too-large", msg(Problem::TooLarge(n)));
            }
            if let Some(s) = field.step {
                put("step", msg(Problem::Step(s)));
            }
        }
        FieldType::Email => put("invalid-email", msg(Problem::InvalidEmail)),
        FieldType::Tel => put("invalid-tel", msg(Problem::InvalidTel)),
        FieldType::Iban => put("invalid-iban", msg(Problem::InvalidIban)),
        FieldType::Postcode => put("invalid-postcode", msg(Problem::InvalidPostcode)),
        FieldType::TaxId => put("invalid-tax-id", msg(Problem::InvalidTaxId)),
        FieldType::Radios | FieldType::Select => put("invalid-option", msg(Problem::InvalidOption)),
        FieldType::Checkboxes => {
            put("invalid-option", msg(Problem::InvalidOption));
            if let Some(n) = field.min_selected {
                put("too-few-selected", msg(Problem::TooFewSelected(n)));
            }
            if let Some(n) = field.max_selected {
                put("too-many-selected", msg(Problem::TooManySelected(n)));
            }
        }
        FieldType::File => {
            put("file-type", msg(Problem::FileType(field.accept.clone())));
            if let Some(mb) = field.max_size_mb {
                put("file-too-large", msg(Problem::FileTooLarge(mb)));
            }
            put("invalid-file", msg(Problem::InvalidFile));
        }
        FieldType::Group => {
            if let Some(r) = field.repeat {
                put("too-few-items", msg(Problem::TooFewItems(r.min)));
                if let Some(max) = r.max {
                    put("too-many-items", msg(Problem::TooManyItems(max)));
                }
            }
        }
        FieldType::Address => {
            for part in &ADDRESS_PARTS {
                let part_name = format!("{LABEL_MARKER} – {}", part.label(lang));
                let pm = |p: Problem| message(&p, lang, &part_name);
                put(&format!("{}:required", part.key), pm(Problem::Required));
                put(&format!("{}:wrong-type", part.key), pm(Problem::WrongType));
                put(
                    &format!("{}:too-long", part.key),
                    pm(Problem::TooLong(part.max_length)),
                );
                if part.postcode {
                    put(
                        &format!("{}:invalid-postcode", part.key),
                        pm(Problem::InvalidPostcode),
                    );
                }
            }
        }
        _ => {}
    }
    // A date, or a group whose questions are a date's parts.
    if field.kind == FieldType::Date || field.date_parts.is_some() {
        put("invalid-date", msg(Problem::InvalidDate));
        // The date is filled in by the script; form-model words the sentence.
        let marker = time::macros::date!(1999 - 12 - 31);
        put("date-too-early", msg(Problem::DateTooEarly(marker)));
        put("date-too-late", msg(Problem::DateTooLate(marker)));
    }
    let label = text_in(&field.label, lang);
    let mut data = json!({
        "id": field.id,
        "step": step,
        "type": field.kind.name(),
        "label": label,
        "messages": messages,
    });
    if name != label {
        data["name"] = json!(name);
    }
    if field.required {
        data["required"] = json!(true);
    }
    let rules = non_empty(json!({
        "min-length": field.min_length,
        "max-length": field.max_length,
        "pattern": field.pattern,
        "min": field.min,
        "max": field.max,
        "step": field.step,
        "options": field.options.iter().map(|o| o.value.clone()).collect::<Vec<_>>(),
        "min-selected": field.min_selected,
        "max-selected": field.max_selected,
        "accept": field.accept,
        "max-size-mb": field.max_size_mb,
    }));
    if !rules.is_empty() {
        data["rules"] = Value::Object(rules);
    }
    if let Some(c) = &field.show_if {
        data["show-if"] = json!(c);
    }
    if let Some(r) = &field.repeat {
        data["repeat"] = json!(r);
    }
    if let Some(p) = &field.date_parts {
        data["date-parts"] = json!(p);
    }
    if !field.fields.is_empty() {
        data["fields"] = field
            .fields
            .iter()
            .map(|c| {
                // The entry number is not known here; the script puts it where the marker is.
                let entry = field.repeat.map(|_| ENTRY_MARKER);
                let child_name =
                    format!("{}{}", group_prefix(name, entry), text_in(&c.label, lang));
                field_data(c, step, lang, &child_name, templates)
            })
            .collect();
    }
    data
}

/// The members of a JSON object that say something: no nulls, no empty lists.
fn non_empty(v: Value) -> serde_json::Map<String, Value> {
    match v {
        Value::Object(m) => m
            .into_iter()
            .filter(|(_, x)| !x.is_null() && x.as_array().is_none_or(|a| !a.is_empty()))
            .collect(),
        _ => serde_json::Map::new(),
    }
}
