//! The view of one question: what its component template renders, computed from the form in
//! one language. Every id, input name and `aria-describedby` is built here and nowhere else
//! (hint before error, as GOV.UK Frontend does); the constraint attributes come from [`attrs`].

use serde::Serialize;

use form_model::form_post::input_name;
use form_model::model::{Field, FieldType, Form};
use form_model::texts::text_in;
use form_model::validate::{ADDRESS_PARTS, AddressPart};

use crate::attrs;
use crate::collate;
use crate::conditions::describe;
use crate::markdown;

/// One question as a template renders it.
#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    /// Field id (the key in submitted data).
    pub id: String,
    /// The field's key on the page: its id, or `<group>-<entry>-<id>` inside a group.
    pub key: String,
    /// Component to render: text-input, textarea, radios, checkboxes, select, date, file,
    /// address, group, or text-block (no question).
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
    /// A text-block's Markdown as HTML (its headings below the step's).
    pub text_html: Option<String>,
    pub error_id: String,
    /// id of the note, when there is one.
    pub note_id: String,
    /// A word at the question that is not an error: on a page filled in again, that a file
    /// must be chosen again.
    pub note: Option<String>,
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
    /// For lists: the entries offered under "more" are shown open (a page filled in again
    /// with answers there).
    pub more_open: bool,
    /// For lists: the most entries the page offers, and whether the form allows more.
    pub limit_note: bool,
    /// The answer as a signed-in citizen's page shows it when it comes from the account and
    /// the form locks it (a required level): shown as text, sent as hidden inputs
    /// ([`crate::account`]). `None`: an input as usual.
    pub locked: Option<String>,
    /// The locked answer is the resident registry's, not the account's (its note says so).
    pub locked_from_registry: bool,
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
    let own_hint = field
        .hint
        .as_ref()
        .map(|h| markdown::inline(&text_in(h, lang)));
    // The consent of a SEPA mandate: the mandate text first, then the question's own hint.
    let mandate = scope
        .id
        .is_empty()
        .then(|| crate::sepa::mandate_text(form, &field.id, t))
        .flatten();
    let hint_html = match (mandate, own_hint) {
        (Some(m), Some(h)) => Some(format!("{m}<p>{h}</p>")),
        (m, h) => m.or(h),
    };
    let hint_id = hint_html.as_ref().map(|_| format!("{input}-hint"));
    let error_id = format!("{input}-error");
    let note_id = format!("{input}-note");
    let describedby = hint_id.clone().unwrap_or_default();
    let asked_always = always_asked && field.show_if.is_none();
    let component = attrs::component(field);
    let attrs = attrs::input_attrs(field);
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
        more_open: false,
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
        text_html: field
            .text
            .as_ref()
            .map(|x| markdown::to_html(&text_in(x, lang), 2)),
        error_id,
        note_id,
        note: None,
        error: None,
        describedby,
        optional: !form_model::validate::is_required(field) && field.required_if.is_none(),
        // Inside a group nothing is required by the browser: unused entries stay empty.
        required_attr: field.required && asked_always && !inside_group,
        attrs,
        options,
        combobox: field.is_long_list(),
        slots: select_list,
        parts,
        rows: field.rows.unwrap_or(5),
        condition_text: condition_text(form, field, lang, t),
        value: String::new(),
        locked: None,
        locked_from_registry: false,
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
    describe_by(view);
}

/// Refreshes `describedby` after a note was set (hint, note, error).
pub fn set_note(view: &mut FieldView, note: Option<String>) {
    view.note = note;
    describe_by(view);
}

fn describe_by(view: &mut FieldView) {
    view.describedby = [
        view.hint_id.clone(),
        view.note.as_ref().map(|_| view.note_id.clone()),
        view.error.as_ref().map(|_| view.error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
}

/// When to answer, in words: "Nur beantworten, wenn …. Pflichtangabe, wenn …."
fn condition_text(
    form: &Form,
    field: &Field,
    lang: &str,
    t: &dyn Fn(&str) -> String,
) -> Option<String> {
    // A text-block is read, not answered: "Gilt nur, wenn …".
    let shown = if field.is_question() {
        "only-answer-if"
    } else {
        "only-applies-if"
    };
    let sentences: Vec<String> = [(shown, &field.show_if), ("required-if", &field.required_if)]
        .into_iter()
        .filter_map(|(key, c)| {
            c.as_ref()
                .map(|c| format!("{} {}.", t(key), describe(form, c, lang, false)))
        })
        .collect();
    (!sentences.is_empty()).then(|| sentences.join(" "))
}
