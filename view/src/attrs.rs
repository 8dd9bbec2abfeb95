//! The component a question is rendered with, and the attributes of its input: type, keyboard,
//! autocomplete, and every constraint the browser checks, taken from the field's rules in
//! form-model, so the page announces exactly the rules the function applies.

use form_model::model::{Bound, Field, FieldType};
use form_model::rules::DateExpr;
use form_model::validate::fmt_number;

/// The component that renders `field`: text-input, textarea, radios, checkboxes, select,
/// select-list, date, file, address, group or text-block.
pub fn component(field: &Field) -> &'static str {
    match field.kind {
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
        FieldType::TextBlock => "text-block",
    }
}

/// Constraint and input attributes (`type`, `maxlength`, `pattern`, `min`, `autocomplete`,
/// `inputmode`, `accept`, ...), in a stable order.
pub fn input_attrs(field: &Field) -> Vec<(String, String)> {
    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: String| attrs.push((k.to_string(), v));
    match field.kind {
        FieldType::Text => push("type", "text".into()),
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
    attrs
}
