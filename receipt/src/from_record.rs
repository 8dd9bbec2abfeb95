//! From a submission record and the resolved form it was validated against to a [`Receipt`]:
//! every shown question under its step, in the form's order, with the answer as the page's
//! check-your-answers step words it (option labels, dates, addresses, file names), the entries
//! of groups and lists, fees, attachments with their checksums.
//!
//! Uses form-model's types read-only. The checksums are not in the record: the caller has the
//! bytes (the function when it stores them, the back office when it pulls them).

use form_model::fees::{AmountDue, amount_due};
use form_model::messages::euros_from_cents;
use form_model::model::{Contact, Field, FieldType, Form, Text};
use form_model::record::SubmissionRecord;
use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;
use form_model::validate::{ADDRESS_PARTS, fmt_number, is_answered};
use serde_json::{Map, Value};
use thiserror::Error;

use crate::format;
use crate::model::{
    Answer, AttachmentFacts, Authority, Entry, Fee, Fees, Group, Item, Phrase, Receipt, Section,
    Service,
};
use crate::words::Words;

/// Why a record cannot be described with a form.
#[derive(Debug, Error, PartialEq)]
pub enum MapError {
    #[error(
        "submission {id}: the record is for form {record}, the form given is {form} (resolve the form the record names)"
    )]
    OtherForm {
        id: String,
        record: String,
        form: String,
    },
    #[error(
        "submission {id}: {found} attachment checksums given for {expected} attachments (one sha512 per entry of the record's attachments, in order)"
    )]
    Checksums {
        id: String,
        expected: usize,
        found: usize,
    },
    #[error(
        "submission {id}: attachment {index} answers \"{field}\", but the record's data has no file description there"
    )]
    NoFile {
        id: String,
        index: usize,
        field: String,
    },
}

/// The checksums the receipt shows: SHA-512 (lower-case hex) of the record's stored bytes, and
/// of each attachment, in the order of the record's `attachments`.
#[derive(Debug, Clone, Copy)]
pub struct Checksums<'a> {
    pub data_sha512: &'a str,
    pub attachments_sha512: &'a [String],
}

/// The authority: the municipality's name and AGS, and its contact (the office and address
/// citizens write to).
pub fn authority(name: &str, ags: &str, contact: &Contact) -> Authority {
    Authority {
        name: name.to_string(),
        office: (contact.name != name).then(|| contact.name.clone()),
        address: contact.address.clone(),
        ags: ags.to_string(),
    }
}

/// The receipt for `record`, in `language` (the record's own language for the citizen; any
/// other, for example German for the e-file).
pub fn from_record(
    record: &SubmissionRecord,
    form: &ResolvedForm,
    authority: Authority,
    checksums: Checksums<'_>,
    language: &str,
) -> Result<Receipt, MapError> {
    let id = record.id.to_string();
    if record.form.id != form.form.id || record.form.version != form.form.version {
        return Err(MapError::OtherForm {
            id,
            record: format!("{}@{}", record.form.id, record.form.version),
            form: format!("{}@{}", form.form.id, form.form.version),
        });
    }
    if checksums.attachments_sha512.len() != record.attachments.len() {
        return Err(MapError::Checksums {
            id,
            expected: record.attachments.len(),
            found: checksums.attachments_sha512.len(),
        });
    }
    let words = Words::for_language(language);
    let m = Mapper {
        form: &form.form,
        data: &record.data,
        lang: language,
        words: &words,
    };
    let offset = format::german_offset(record.received_at);
    let received_at = record.received_at.to_offset(offset);
    // Conditions with dates relative to today are judged on the German day it was received.
    let day = received_at.date();
    // The amount the function computed and stored; records from before it did are computed
    // here by the same rule.
    let due = record
        .amount_due
        .clone()
        .unwrap_or_else(|| amount_due(&form.form, &record.data, day));

    let sections = form
        .form
        .steps
        .iter()
        .filter(|s| {
            s.show_if
                .as_ref()
                .is_none_or(|c| c.holds(&record.data, day))
        })
        .map(|step| Section {
            title: m.phrase(&step.title),
            // Only questions: a text-block has no answer to confirm.
            items: step
                .questions()
                .filter(|f| {
                    f.show_if
                        .as_ref()
                        .is_none_or(|c| c.holds(&record.data, day))
                })
                .map(|f| m.item(f))
                .collect(),
        })
        .collect();

    let attachments = record
        .attachments
        .iter()
        .zip(checksums.attachments_sha512)
        .enumerate()
        .map(|(index, (attachment, sha512))| {
            let no_file = || MapError::NoFile {
                id: id.clone(),
                index,
                field: attachment.field.clone(),
            };
            let file_name = value_at(&record.data, &attachment.field)
                .and_then(|v| v.get("name"))
                .and_then(Value::as_str)
                .ok_or_else(no_file)?;
            let question = m.question_of(&attachment.field).ok_or_else(no_file)?;
            Ok(AttachmentFacts {
                file_name: file_name.to_string(),
                question,
                size: format::bytes(attachment.size, &words, language),
                sha512: sha512.clone(),
            })
        })
        .collect::<Result<Vec<_>, MapError>>()?;

    Ok(Receipt {
        language: language.to_string(),
        rtl: form_model::languages::is_rtl(language),
        authority,
        service: Service {
            title: m.phrase(&form.form.title),
            leika: form.form.leika.clone(),
            form: form.form.id.clone(),
            version: form.form.version,
        },
        reference: record.reference.clone(),
        received: format::received(received_at, &words, language),
        received_at,
        sections,
        fees: m.fees(&record.reference, &due),
        attachments,
        data_sha512: checksums.data_sha512.to_string(),
        identity: None,
        words,
    })
}

/// The answer at a dotted input name (`hunde.0.foto`, `zulassung.nachweis`).
pub fn value_at<'d>(data: &'d Map<String, Value>, path: &str) -> Option<&'d Value> {
    let mut parts = path.split('.');
    let mut value = data.get(parts.next()?)?;
    for part in parts {
        value = match value {
            Value::Object(o) => o.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

struct Mapper<'a> {
    form: &'a Form,
    data: &'a Map<String, Value>,
    lang: &'a str,
    words: &'a Words,
}

impl Mapper<'_> {
    /// A form text in the receipt's language, marked with the language it falls back to.
    fn phrase(&self, text: &Text) -> Phrase {
        let chosen = text_in(text, self.lang);
        let source = if text.contains_key(self.lang) {
            None
        } else {
            text.iter()
                .find(|(_, t)| **t == chosen)
                .map(|(lang, _)| lang.clone())
        };
        Phrase {
            text: chosen,
            lang: source,
        }
    }

    fn not_answered(&self) -> Vec<Phrase> {
        vec![Phrase::plain(&self.words.not_answered)]
    }

    fn item(&self, field: &Field) -> Item {
        let value = self.data.get(&field.id).filter(|v| is_answered(v));
        if field.kind != FieldType::Group {
            return Item::Answer(self.answer(field, value));
        }
        let label = self.phrase(&field.label);
        let entries: Vec<Entry> = match (field.repeat, value) {
            (_, None) => Vec::new(),
            (Some(_), Some(Value::Array(items))) => items
                .iter()
                .filter_map(Value::as_object)
                .enumerate()
                .map(|(i, entry)| Entry {
                    title: Some(Phrase {
                        text: format!("{} {}", label.text, i + 1),
                        lang: label.lang.clone(),
                    }),
                    answers: self.entry_answers(field, entry),
                })
                .collect(),
            (_, Some(Value::Object(entry))) => vec![Entry {
                title: None,
                answers: self.entry_answers(field, entry),
            }],
            (_, Some(_)) => Vec::new(),
        };
        Item::Group(Group {
            empty: entries
                .is_empty()
                .then(|| Phrase::plain(&self.words.not_answered)),
            label,
            entries,
        })
    }

    fn entry_answers(&self, group: &Field, entry: &Map<String, Value>) -> Vec<Answer> {
        group
            .questions()
            .map(|child| self.answer(child, entry.get(&child.id).filter(|v| is_answered(v))))
            .collect()
    }

    fn answer(&self, field: &Field, value: Option<&Value>) -> Answer {
        Answer {
            label: self.phrase(&field.label),
            value: match value {
                Some(v) => self.words_for(field, v),
                None => self.not_answered(),
            },
        }
    }

    /// An answer as the page shows it, one phrase per line.
    fn words_for(&self, field: &Field, value: &Value) -> Vec<Phrase> {
        let option = |v: &str| match field.options.iter().find(|o| o.value == v) {
            Some(o) => self.phrase(&o.label),
            None => Phrase::plain(v),
        };
        let plain_lines = |s: &str| s.lines().map(Phrase::plain).collect::<Vec<_>>();
        match (field.kind, value) {
            (FieldType::Radios | FieldType::Select, Value::String(v)) => vec![option(v)],
            (FieldType::Checkboxes, Value::Array(items)) => {
                items.iter().filter_map(Value::as_str).map(option).collect()
            }
            (FieldType::Date, Value::String(v)) => {
                let iso = time::macros::format_description!("[year]-[month]-[day]");
                match time::Date::parse(v, &iso) {
                    Ok(d) => vec![Phrase::plain(format::date(d, self.lang))],
                    Err(_) => vec![Phrase::plain(v)],
                }
            }
            (FieldType::Number, Value::Number(n)) => {
                vec![Phrase::plain(n.as_f64().map_or(n.to_string(), fmt_number))]
            }
            (FieldType::Address, Value::Object(parts)) => {
                let part = |i: usize| {
                    parts
                        .get(ADDRESS_PARTS[i].key)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .trim()
                        .to_string()
                };
                // Street and number on one line, postcode and town on the next.
                [(0, 1), (2, 3)]
                    .iter()
                    .map(|(a, b)| format!("{} {}", part(*a), part(*b)).trim().to_string())
                    .filter(|l| !l.is_empty())
                    .map(Phrase::plain)
                    .collect()
            }
            (FieldType::File, Value::Object(file)) => vec![Phrase::plain(
                file.get("name").and_then(Value::as_str).unwrap_or(""),
            )],
            (_, Value::String(s)) => plain_lines(s),
            (_, other) => vec![Phrase::plain(other.to_string())],
        }
    }

    /// The question a file answers, from its input name: `Sachkundenachweis`,
    /// `Verantwortliche Person 1 – Sachkundenachweis`, `Zulassung – Nachweis`.
    fn question_of(&self, path: &str) -> Option<Phrase> {
        let mut parts = path.split('.');
        let top = self.form.top_level_field(parts.next()?)?;
        let rest: Vec<&str> = parts.collect();
        let label = self.phrase(&top.label);
        let (prefix, child_id) = match (top.repeat, rest.as_slice()) {
            (_, []) => return Some(label),
            (Some(_), [index, child]) => {
                let n = index.parse::<usize>().ok()? + 1;
                (format!("{} {n}", label.text), *child)
            }
            (None, [child]) => (label.text.clone(), *child),
            _ => return None,
        };
        let child = top.fields.iter().find(|c| c.id == child_id)?;
        let child_label = self.phrase(&child.label);
        Some(Phrase {
            text: format!("{prefix} – {}", child_label.text),
            lang: child_label.lang.or(label.lang),
        })
    }

    /// The fees the form charges for these answers (`due`, as form-model computed it); the
    /// reference is what to write on the transfer (the FIT-Connect metadata's
    /// `transactionReference`).
    fn fees(&self, reference: &str, due: &AmountDue) -> Option<Fees> {
        if self.form.fees.is_empty() {
            return None;
        }
        let items = due
            .items
            .iter()
            .filter_map(|item| {
                let fee = self.form.fees.iter().find(|f| f.id == item.id)?;
                let unit = euros_from_cents(item.unit_cents, self.lang);
                let choice = item.choice.as_ref().and_then(|value| {
                    let field = self.form.top_level_field(&fee.by_choice.as_ref()?.field)?;
                    let option = field.options.iter().find(|o| &o.value == value)?;
                    Some(self.phrase(&option.label).text)
                });
                let times = item.quantity.map(|t| format!("{} × {unit}", fmt_number(t)));
                Some(Fee {
                    label: self.phrase(&fee.label),
                    detail: match (choice, times) {
                        (Some(c), Some(t)) => Some(format!("{c}: {t}")),
                        (c, t) => c.or(t),
                    },
                    amount: euros_from_cents(item.cents, self.lang),
                })
            })
            .collect();
        Some(Fees {
            items,
            total: euros_from_cents(due.total_cents, self.lang),
            payment_reference: Some(reference.to_string()),
        })
    }
}
