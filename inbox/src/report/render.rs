//! The report as a mail's subject, plain text and HTML, in German or English; every word from
//! `back-office.yaml` (through [`crate::words`]), times in German local time (Europe/Berlin).
//! It shows references, form ids, versions, counts and times — the report holds nothing else.

use std::fmt::Write;

use form_model::messages::fill;
use pulldown_cmark_escape::escape_html;
use time::OffsetDateTime;

use super::{FormSummary, Item, MunicipalityReport, Report};
use crate::clerk::{berlin, local_time};
use crate::words::word_in;

/// The report, written out.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// How many references a list of the report names before it says how many more there are: a
/// store with thousands of new submissions still gives a mail a clerk can read (and a relay
/// accepts); `formfabrik inbox list` names them all.
pub const LISTED: usize = 50;

/// The first [`LISTED`] of `items`, and the line for the rest when there is a rest.
fn shown<'a>(items: &'a [Item], w: &dyn Fn(&str) -> &'static str) -> (&'a [Item], Option<String>) {
    let rest = items.len().saturating_sub(LISTED);
    let more = (rest > 0).then(|| fill(w("report-more"), &[("n", &rest.to_string())]));
    (&items[..items.len().min(LISTED)], more)
}

/// Writes `report` in `lang` (`de`, `en`; any other language gives German).
pub fn render(report: &Report, lang: &str) -> Rendered {
    let w = |key: &str| word_in(key, lang);
    let zone = berlin();
    let time = |at: OffsetDateTime| local_time(at, &zone);
    let names: Vec<&str> = report
        .municipalities
        .iter()
        .map(|m| m.municipality.as_str())
        .collect();
    let subject = fill(
        w("report-subject"),
        &[
            ("municipalities", &names.join(", ")),
            ("new", &report.new_count().to_string()),
            ("failed", &report.failed_count().to_string()),
            ("waiting", &report.waiting_count().to_string()),
        ],
    );
    let mut text = String::new();
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family: sans-serif\">\n",
        escape(&subject)
    );
    for m in &report.municipalities {
        municipality(m, report.made_at, &w, &time, &mut text, &mut html);
    }
    let footer = w("report-footer");
    let _ = writeln!(text, "{footer}");
    let _ = write!(
        html,
        "<p><small>{}</small></p>\n</body></html>\n",
        escape(footer)
    );
    Rendered {
        subject,
        text,
        html,
    }
}

fn municipality(
    m: &MunicipalityReport,
    made_at: OffsetDateTime,
    w: &dyn Fn(&str) -> &'static str,
    time: &dyn Fn(OffsetDateTime) -> String,
    text: &mut String,
    html: &mut String,
) {
    let title = fill(w("report-title"), &[("municipality", &m.municipality)]);
    let made = fill(w("report-made"), &[("time", &time(made_at))]);
    let since = match m.since {
        Some(at) => fill(w("report-since"), &[("time", &time(at))]),
        None => w("report-first").to_string(),
    };
    let _ = write!(
        text,
        "{title}\n{}\n{made} {since}\n\n",
        "=".repeat(title.chars().count())
    );
    let _ = write!(
        html,
        "<h1>{}</h1>\n<p>{} {}</p>\n",
        escape(&title),
        escape(&made),
        escape(&since)
    );
    if m.forms.is_empty() {
        let _ = write!(text, "{}\n\n", w("report-empty"));
        let _ = writeln!(html, "<p>{}</p>", escape(w("report-empty")));
        return;
    }
    let headers = [
        w("form"),
        w("report-new"),
        w("report-imported"),
        w("report-failed"),
        w("report-leased"),
        w("report-waiting"),
        w("report-oldest"),
    ];
    html.push_str(
        "<table border=\"1\" cellpadding=\"4\" style=\"border-collapse: collapse\">\n<tr>",
    );
    for h in headers {
        let _ = write!(html, "<th scope=\"col\">{}</th>", escape(h));
    }
    html.push_str("</tr>\n");
    for f in &m.forms {
        form(f, w, time, text, html);
    }
    html.push_str("</table>\n");
    // The references behind the counts, under the table (a cell of fifty references is
    // unreadable in most mail programs).
    for f in &m.forms {
        for (key, items) in [
            ("report-new", &f.new),
            ("report-failed", &f.failed),
            ("report-leased", &f.leased),
        ] {
            if items.is_empty() {
                continue;
            }
            let _ = write!(
                html,
                "<h2>{} – {}</h2>\n<ul>\n",
                escape(&f.form),
                escape(w(key))
            );
            let (items, more) = shown(items, w);
            for i in items {
                let _ = writeln!(html, "<li>{}</li>", escape(&described(i, w, time)));
            }
            html.push_str("</ul>\n");
            if let Some(more) = more {
                let _ = writeln!(html, "<p>{}</p>", escape(&more));
            }
        }
    }
}

fn form(
    f: &FormSummary,
    w: &dyn Fn(&str) -> &'static str,
    time: &dyn Fn(OffsetDateTime) -> String,
    text: &mut String,
    html: &mut String,
) {
    let oldest = f
        .oldest_waiting
        .as_ref()
        .map_or_else(|| w("report-none").to_string(), |i| described(i, w, time));
    let _ = writeln!(text, "{} {}", w("form"), f.form);
    let listed = |items: &[Item]| -> String {
        let (items, more) = shown(items, w);
        let mut refs: Vec<String> = items
            .iter()
            .map(|i| format!("{} (v{})", i.reference, i.version))
            .collect();
        refs.extend(more);
        if refs.is_empty() {
            String::new()
        } else {
            format!(": {}", refs.join(", "))
        }
    };
    let _ = writeln!(
        text,
        "  {}: {}{}",
        w("report-new"),
        f.new.len(),
        listed(&f.new)
    );
    let _ = writeln!(text, "  {}: {}", w("report-imported"), f.imported);
    let _ = writeln!(
        text,
        "  {}: {}{}",
        w("report-failed"),
        f.failed.len(),
        listed(&f.failed)
    );
    let _ = writeln!(
        text,
        "  {}: {}{}",
        w("report-leased"),
        f.leased.len(),
        listed(&f.leased)
    );
    let _ = writeln!(text, "  {}: {}", w("report-waiting"), f.waiting);
    let _ = write!(text, "  {}: {oldest}\n\n", w("report-oldest"));
    let _ = writeln!(
        html,
        "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(&f.form),
        f.new.len(),
        f.imported,
        f.failed.len(),
        f.leased.len(),
        f.waiting,
        escape(&oldest)
    );
}

/// `MUS-2026-7K3F9Q (v1), eingegangen 28.11.2026 10:15`
fn described(
    i: &Item,
    w: &dyn Fn(&str) -> &'static str,
    time: &dyn Fn(OffsetDateTime) -> String,
) -> String {
    format!(
        "{} (v{}), {}",
        i.reference,
        i.version,
        fill(w("report-received"), &[("time", &time(i.received_at))])
    )
}

fn escape(s: &str) -> String {
    let mut out = String::new();
    escape_html(&mut out, s).expect("writing to a String");
    out
}
