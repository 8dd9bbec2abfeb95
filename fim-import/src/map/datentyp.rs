//! One question per FIM `datentyp`: text (a textarea when long or unbounded, its pattern, an
//! e-mail address as `type: email`), time, date and number with their bounds, yes/no (or a
//! declaration to tick), file with formats and size.

use std::sync::LazyLock;

use form_model::Field;
use form_model::model::{Bound, Choice, FieldType};
use regex::Regex;

use super::defaults::{DEFAULT_ACCEPT, DEFAULT_MAX_LENGTH, DEFAULT_MAX_SIZE_MB, TEXTAREA_FROM};
use super::mapper::{Mapper, blank, de, fim_name};
use super::patterns::{is_email_pattern, pattern_message, portable_pattern};
use crate::report::Kind;
use crate::text::one_line;
use crate::xdf::{self, Datentyp};

impl Mapper<'_> {
    /// The question for `f`'s datentyp, without id, hint and `required` yet.
    pub(super) fn typed_field(&mut self, f: &xdf::Field, label: &str, fim: &str) -> Field {
        match f.datentyp {
            Datentyp::Text | Datentyp::TextLatin => self.text_field(f, label),
            Datentyp::Time => {
                let mut x = blank("", FieldType::Text, label);
                x.max_length = Some(5);
                x.pattern = Some("([01][0-9]|2[0-3]):[0-5][0-9]".into());
                x.pattern_message = Some(de("Geben Sie die Uhrzeit als hh:mm an, z. B. 08:30."));
                self.finding(
                    Kind::Partial,
                    fim.to_string(),
                    label,
                    None,
                    "datentyp time: a text field with the pattern hh:mm".into(),
                );
                x
            }
            Datentyp::Date => {
                let mut x = blank("", FieldType::Date, label);
                let p = &f.praezisierung;
                for (value, slot) in [(&p.min_value, &mut x.min), (&p.max_value, &mut x.max)] {
                    if let Some(v) = value {
                        if is_iso_date(v) {
                            *slot = Some(Bound::Text(v.clone()));
                        } else {
                            self.finding(
                                Kind::Partial,
                                fim.to_string(),
                                label,
                                None,
                                format!("date bound \"{v}\" is not a date (YYYY-MM-DD); left out"),
                            );
                        }
                    }
                }
                x
            }
            Datentyp::Bool => self.bool_field(f, label, fim),
            Datentyp::Num | Datentyp::NumInt | Datentyp::NumCurrency => {
                let mut x = blank("", FieldType::Number, label);
                x.step = match f.datentyp {
                    Datentyp::NumInt => Some(1.0),
                    Datentyp::NumCurrency => Some(0.01),
                    _ => None,
                };
                let p = &f.praezisierung;
                for (value, slot) in [(&p.min_value, &mut x.min), (&p.max_value, &mut x.max)] {
                    if let Some(v) = value {
                        match v.replace(',', ".").parse::<f64>() {
                            Ok(n) if n.is_finite() => *slot = Some(Bound::Number(n)),
                            _ => self.finding(
                                Kind::Partial,
                                fim.to_string(),
                                label,
                                None,
                                format!("number bound \"{v}\" is not a number; left out"),
                            ),
                        }
                    }
                }
                x
            }
            Datentyp::File => self.file_field(f, label),
            Datentyp::Obj | Datentyp::DateTime => unreachable!("skipped above"),
        }
    }

    fn text_field(&mut self, f: &xdf::Field, label: &str) -> Field {
        let fim = fim_name(&f.id, &f.version);
        let p = &f.praezisierung;
        let mut x = blank("", FieldType::Text, label);
        match p.max_length {
            None => {
                x.kind = FieldType::Textarea;
                x.max_length = Some(DEFAULT_MAX_LENGTH);
                x.rows = Some(3);
            }
            Some(m) if m >= TEXTAREA_FROM => {
                x.kind = FieldType::Textarea;
                x.max_length = Some(m);
                x.rows = Some(if m > 1000 { 6 } else { 3 });
            }
            Some(m) => x.max_length = Some(m),
        }
        if let Some(min) = p.min_length.filter(|m| *m > 1) {
            x.min_length = Some(min.min(x.max_length.unwrap_or(u32::MAX)));
        }
        if let Some(pattern) = p.pattern.as_ref().filter(|p| is_email_pattern(p)) {
            // Its pattern is ASCII only and would refuse priya@müller.de; the form language's
            // e-mail check is the standard's, internationalised domains included.
            x.kind = FieldType::Email;
            x.rows = None;
            self.report.defaults.push(format!(
                "{fim} „{label}“: an e-mail address by its FIM pattern ({pattern}) → type: email (which accepts internationalised addresses such as priya@müller.de); the pattern is left out"
            ));
        } else if let Some(pattern) = &p.pattern {
            match portable_pattern(pattern) {
                Some(pat) => {
                    let (message, precise) = pattern_message(&pat, label);
                    if !precise {
                        self.finding(
                            Kind::Partial,
                            fim.clone(),
                            label,
                            None,
                            format!("pattern {pat}: a general pattern-message was written; say what is expected"),
                        );
                    }
                    x.pattern = Some(pat);
                    x.pattern_message = Some(de(message));
                }
                None => self.finding(
                    Kind::Partial,
                    fim.clone(),
                    label,
                    None,
                    format!("pattern {pattern} is not a regular expression the form language can check; left out"),
                ),
            }
        }
        if f.datentyp == Datentyp::TextLatin {
            self.finding(
                Kind::Partial,
                fim,
                label,
                None,
                "datentyp text_latin: the restriction to Latin characters (DIN SPEC 91379) is not checked".into(),
            );
        }
        x
    }

    fn bool_field(&mut self, f: &xdf::Field, label: &str, fim: &str) -> Field {
        if is_declaration(label) {
            let title = one_line(&f.name);
            let title = if title.is_empty() || title == label {
                "Erklärung".to_string()
            } else {
                title
            };
            let mut x = blank("", FieldType::Checkboxes, &title);
            x.locked = true;
            x.options = vec![Choice {
                value: "ja".into(),
                label: de(label),
                hint: None,
            }];
            self.finding(
                Kind::Declaration,
                fim.to_string(),
                label,
                None,
                "a yes/no field worded as a declaration (\"Hiermit …\"): one checkbox to tick (value ja), locked; the back office reads a ticked box as true. If declining must be possible, use radios ja/nein".into(),
            );
            return x;
        }
        let mut x = blank("", FieldType::Radios, label);
        x.options = vec![
            Choice {
                value: "ja".into(),
                label: de("Ja"),
                hint: None,
            },
            Choice {
                value: "nein".into(),
                label: de("Nein"),
                hint: None,
            },
        ];
        x
    }

    fn file_field(&mut self, f: &xdf::Field, label: &str) -> Field {
        let mut x = blank("", FieldType::File, label);
        x.accept = if f.media_types.is_empty() {
            DEFAULT_ACCEPT.iter().map(|s| s.to_string()).collect()
        } else {
            f.media_types.clone()
        };
        let mb = f
            .max_size
            .map(|b| (b as f64 / 1_000_000.0).min(DEFAULT_MAX_SIZE_MB))
            .unwrap_or(DEFAULT_MAX_SIZE_MB);
        x.max_size_mb = Some(mb);
        let formats: Vec<String> = x
            .accept
            .iter()
            .map(|m| match m.as_str() {
                "application/pdf" => "PDF".to_string(),
                "image/jpeg" => "JPEG".to_string(),
                "image/png" => "PNG".to_string(),
                other => other.to_string(),
            })
            .collect();
        let mb_text = format!("{mb}").replace('.', ",");
        x.hint = Some(de(format!(
            "Erlaubt: {}, höchstens {mb_text} MB.",
            formats.join(", ")
        )));
        x
    }
}

fn is_iso_date(s: &str) -> bool {
    static DATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{4}-\d{2}-\d{2}$").unwrap());
    DATE.is_match(s)
}

/// "Hiermit bestätige ich …", "Ich versichere …": a declaration to confirm, not a question.
fn is_declaration(label: &str) -> bool {
    let l = label.trim_start();
    l.starts_with("Hiermit ") || l.starts_with("Ich ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_are_recognised_by_their_first_words() {
        assert!(is_declaration("Hiermit bestätige ich, dass ..."));
        assert!(is_declaration("Ich versichere, dass ..."));
        assert!(!is_declaration("Tätigkeiten mit geringer Exposition"));
        assert!(!is_declaration("Ichthyologie"));
    }
}
