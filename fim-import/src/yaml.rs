//! A small YAML writer for catalog forms, in the style of the hand-written catalog, with
//! comments at their places (serde_yaml cannot write comments). Only what a catalog form holds
//! is written; every scalar is plain only when YAML cannot misread it, otherwise quoted or a
//! block. The tests parse the output back and compare it with the form it was written from.

use std::collections::HashMap;
use std::fmt::Write;

use form_model::Field;
use form_model::model::{Bound, Choice, Condition, FimRef, Form, Step, Text};

use crate::map::Anchor;
use crate::text::wrap;

/// Longest line the writer aims for.
const WIDTH: usize = 100;

/// Writes `form` with `header` lines at the top and `comments` above their anchors.
pub fn write_form(
    form: &Form,
    header: &[String],
    comments: &HashMap<Anchor, Vec<String>>,
) -> String {
    let mut w = W {
        out: String::new(),
        comments,
    };
    for line in header {
        w.comment(0, line);
    }
    w.key_plain(0, "id", &form.id);
    w.line(0, &format!("version: {}", form.version));
    if let Some(leika) = &form.leika {
        w.line(0, &format!("leika: {}", quoted(leika)));
    }
    if let Some(fim) = &form.fim {
        w.line(0, &format!("fim: {}", fim_ref(fim)));
    }
    w.text(0, "title", &form.title);
    if let Some(t) = &form.intro {
        w.text(0, "intro", t);
    }
    w.text(0, "purpose", &form.purpose);
    w.text(0, "legal-basis", &form.legal_basis);
    if let Some(t) = &form.recipients {
        w.text(0, "recipients", t);
    }
    w.line(0, &format!("retention-days: {}", form.retention_days));
    w.anchor(0, &Anchor::Top);
    w.line(0, "steps:");
    for step in &form.steps {
        w.step(step);
    }
    assert!(form.fees.is_empty(), "imported forms have no fees");
    w.out
}

struct W<'a> {
    out: String,
    comments: &'a HashMap<Anchor, Vec<String>>,
}

impl W<'_> {
    fn line(&mut self, indent: usize, s: &str) {
        let _ = writeln!(self.out, "{:indent$}{s}", "");
    }

    fn comment(&mut self, indent: usize, text: &str) {
        if text.is_empty() {
            self.line(indent, "#");
            return;
        }
        for l in wrap(text, WIDTH.saturating_sub(indent + 2).max(40)) {
            self.line(indent, &format!("# {l}"));
        }
    }

    fn anchor(&mut self, indent: usize, a: &Anchor) {
        if let Some(lines) = self.comments.get(a) {
            for l in lines.clone() {
                self.comment(indent, &l);
            }
        }
    }

    fn key_plain(&mut self, indent: usize, key: &str, value: &str) {
        self.line(indent, &format!("{key}: {}", scalar(value, false)));
    }

    /// `key: { de: Text }` when that is safe and short, else a block.
    fn text(&mut self, indent: usize, key: &str, t: &Text) {
        let flow = t
            .iter()
            .map(|(lang, v)| {
                (plain_ok(v, true) && !v.contains('\n')).then(|| format!("{lang}: {v}"))
            })
            .collect::<Option<Vec<_>>>();
        if let Some(parts) = flow {
            let line = format!("{key}: {{ {} }}", parts.join(", "));
            if indent + line.chars().count() <= WIDTH {
                self.line(indent, &line);
                return;
            }
        }
        self.line(indent, &format!("{key}:"));
        for (lang, v) in t {
            self.block_value(indent + 2, lang, v);
        }
    }

    /// `key: value` with the value plain, quoted, folded (`>-`) or literal (`|-`).
    fn block_value(&mut self, indent: usize, key: &str, v: &str) {
        let head = format!("{key}: ");
        let one_line_fits = indent + head.len() + v.chars().count() <= WIDTH;
        if !v.contains('\n') && plain_ok(v, false) && one_line_fits {
            self.line(indent, &format!("{head}{v}"));
            return;
        }
        let blockable = !v.is_empty()
            && v.trim() == v
            && !v.contains('\t')
            && !v.contains('\r')
            && v.lines().all(|l| l.trim_end() == l && !l.starts_with(' '))
            && !v.chars().any(|c| c.is_control() && c != '\n');
        if blockable && !v.contains('\n') && !v.contains("  ") {
            if one_line_fits {
                self.line(indent, &format!("{head}{}", quoted(v)));
                return;
            }
            self.line(indent, &format!("{key}: >-"));
            for l in wrap(v, WIDTH.saturating_sub(indent + 2).max(40)) {
                self.line(indent + 2, &l);
            }
            return;
        }
        if blockable {
            self.line(indent, &format!("{key}: |-"));
            for l in v.lines() {
                if l.is_empty() {
                    self.out.push('\n');
                } else {
                    self.line(indent + 2, l);
                }
            }
            return;
        }
        self.line(indent, &format!("{head}{}", quoted(v)));
    }

    fn step(&mut self, step: &Step) {
        self.anchor(2, &Anchor::Step(step.id.clone()));
        self.line(2, &format!("- id: {}", scalar(&step.id, false)));
        self.text(4, "title", &step.title);
        if let Some(t) = &step.intro {
            self.text(4, "intro", t);
        }
        if let Some(c) = &step.show_if {
            self.condition(4, "show-if", c);
        }
        self.line(4, "fields:");
        for f in &step.fields {
            self.field(6, f);
        }
        self.anchor(6, &Anchor::StepEnd(step.id.clone()));
    }

    /// A field as a list item at `indent` (the `-`).
    fn field(&mut self, indent: usize, f: &Field) {
        self.anchor(indent, &Anchor::Field(f.id.clone()));
        let i = indent + 2;
        self.line(indent, &format!("- id: {}", scalar(&f.id, false)));
        self.line(i, &format!("type: {}", f.kind.name()));
        if let Some(fim) = &f.fim {
            self.line(i, &format!("fim: {}", fim_ref(fim)));
        }
        // A text-block has its text instead of a label.
        if !f.label.is_empty() {
            self.text(i, "label", &f.label);
        }
        if let Some(t) = &f.text {
            self.text(i, "text", t);
        }
        if let Some(h) = &f.hint {
            self.text(i, "hint", h);
        }
        if f.required {
            self.line(i, "required: true");
        }
        if f.locked {
            self.line(i, "locked: true");
        }
        if let Some(c) = &f.show_if {
            self.condition(i, "show-if", c);
        }
        if let Some(c) = &f.required_if {
            self.condition(i, "required-if", c);
        }
        if let Some(a) = &f.autocomplete {
            self.key_plain(i, "autocomplete", a);
        }
        if let Some(n) = f.min_length {
            self.line(i, &format!("min-length: {n}"));
        }
        if let Some(n) = f.max_length {
            self.line(i, &format!("max-length: {n}"));
        }
        if let Some(p) = &f.pattern {
            self.line(i, &format!("pattern: {}", quoted(p)));
        }
        if let Some(t) = &f.pattern_message {
            self.text(i, "pattern-message", t);
        }
        for (key, b) in [("min", &f.min), ("max", &f.max)] {
            if let Some(b) = b {
                let v = match b {
                    Bound::Number(n) => number(*n),
                    Bound::Text(s) => quoted(s),
                };
                self.line(i, &format!("{key}: {v}"));
            }
        }
        if let Some(s) = f.step {
            self.line(i, &format!("step: {}", number(s)));
        }
        if let Some(r) = f.rows {
            self.line(i, &format!("rows: {r}"));
        }
        if !f.accept.is_empty() {
            let items: Vec<String> = f.accept.iter().map(|a| scalar(a, true)).collect();
            self.line(i, &format!("accept: [{}]", items.join(", ")));
        }
        if let Some(mb) = f.max_size_mb {
            self.line(i, &format!("max-size-mb: {}", number(mb)));
        }
        if let Some(n) = f.min_selected {
            self.line(i, &format!("min-selected: {n}"));
        }
        if let Some(n) = f.max_selected {
            self.line(i, &format!("max-selected: {n}"));
        }
        if let Some(o) = f.option_order {
            let order = match o {
                form_model::model::OptionOrder::AsWritten => "as-written",
                form_model::model::OptionOrder::ByLabel => "by-label",
            };
            self.line(i, &format!("option-order: {order}"));
        }
        if !f.options.is_empty() {
            self.line(i, "options:");
            for o in &f.options {
                self.option(i + 2, o);
            }
        }
        if let Some(r) = &f.repeat {
            match r.max {
                Some(max) => self.line(i, &format!("repeat: {{ min: {}, max: {max} }}", r.min)),
                None => self.line(i, &format!("repeat: {{ min: {} }}", r.min)),
            }
        }
        if let Some(p) = &f.date_parts {
            let named: Vec<String> = p
                .named()
                .into_iter()
                .map(|(k, id)| format!("{k}: {}", scalar(id, true)))
                .collect();
            self.line(i, &format!("date-parts: {{ {} }}", named.join(", ")));
        }
        if !f.fields.is_empty() {
            self.line(i, "fields:");
            for c in &f.fields {
                self.field(i + 2, c);
            }
        }
    }

    fn option(&mut self, indent: usize, o: &Choice) {
        let value = scalar(&o.value, true);
        if o.hint.is_none() {
            let label = o
                .label
                .iter()
                .map(|(l, v)| plain_ok(v, true).then(|| format!("{l}: {v}")))
                .collect::<Option<Vec<_>>>();
            if let Some(parts) = label {
                let line = format!("- {{ value: {value}, label: {{ {} }} }}", parts.join(", "));
                if indent + line.chars().count() <= WIDTH {
                    self.line(indent, &line);
                    return;
                }
            }
        }
        self.line(indent, &format!("- value: {value}"));
        self.text(indent + 2, "label", &o.label);
        if let Some(h) = &o.hint {
            self.text(indent + 2, "hint", h);
        }
    }

    fn condition(&mut self, indent: usize, key: &str, c: &Condition) {
        let value = serde_json::to_value(c).unwrap_or_default();
        self.line(indent, &format!("{key}: {}", flow(&value)));
    }
}

/// A condition as the form's YAML writes it, in flow style: `{ answered: [a, b] }`.
pub fn flow_condition(c: &Condition) -> String {
    flow(&serde_json::to_value(c).unwrap_or_default())
}

/// A condition in YAML's flow style, as people write it: `{ answered: [a, b] }`.
fn flow(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(o) => {
            let members: Vec<String> = o.iter().map(|(k, v)| format!("{k}: {}", flow(v))).collect();
            format!("{{ {} }}", members.join(", "))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(flow).collect();
            format!("[{}]", items.join(", "))
        }
        Value::String(s) => scalar(s, true),
        other => other.to_string(),
    }
}

fn fim_ref(f: &FimRef) -> String {
    format!(
        "{{ id: {}, version: {} }}",
        scalar(&f.id, true),
        quoted(&f.version)
    )
}

/// Whole numbers without a fraction (`5`, not `5.0`).
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A scalar: plain when safe, else double-quoted.
fn scalar(s: &str, flow: bool) -> String {
    if plain_ok(s, flow) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// Whether `s` can be written plain, without YAML reading it as something else: starts with a
/// letter, holds only letters, digits, blanks and harmless punctuation, and is not a word YAML
/// reads as a boolean or null. In flow context (`{ }`, `[ ]`) `, [ ] { }` are not allowed
/// either.
fn plain_ok(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !first.is_alphabetic() || s.ends_with(' ') || s.contains("  ") {
        return false;
    }
    let harmless = |c: char| {
        c.is_alphanumeric()
            || c == ' '
            || ".-/()§+'’„“”–_!;%=<>*&$€²³°".contains(c)
            || (!flow && ",[]{}?".contains(c))
    };
    if !s.chars().all(harmless) {
        return false;
    }
    !matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
    )
}

/// A double-quoted YAML string.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_are_only_written_when_yaml_cannot_misread_them() {
        assert!(plain_ok("Vorname", true));
        assert!(plain_ok("Straße und Hausnummer (Inland)", true));
        for bad in [
            "001", "yes", "No", "a: b", "x #y", "- a", "", " a", "a ", "[a]", "\"a\"", "@a", "a:b",
            "a\nb",
        ] {
            assert!(!plain_ok(bad, false), "{bad:?}");
        }
        assert!(!plain_ok("a, b", true));
        assert!(plain_ok("a, b", false));
    }

    #[test]
    fn quoted_strings_escape_what_yaml_needs() {
        assert_eq!(quoted("a \"b\" \\ c\n"), "\"a \\\"b\\\" \\\\ c\\n\"");
    }

    #[test]
    fn numbers_are_written_without_a_needless_fraction() {
        assert_eq!(number(5.0), "5");
        assert_eq!(number(0.01), "0.01");
        assert_eq!(number(-3.5), "-3.5");
    }
}
