//! `formfabrik check`: every diagnostic with its source line, the drift report, one summary line;
//! and the warnings about what the built sites need beyond a valid form (a published form that
//! search engines and the portal network cannot describe or place).

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use form_model::msg;
use form_model::msg::Msg;
use form_model::{CheckReport, Drift};

/// Adds to `report` a warning for every catalog form version that municipalities publish
/// without a LeiKa key (its entries in onlinedienste.json cannot be attached to a service,
/// docs/portal.md) or without an intro (its page has no description of its own for search
/// engines and falls back to the purpose). One warning per catalog form version, at its `id`,
/// naming who publishes it: a form used by thousands of municipalities is one thing to fix.
pub fn add_findability_warnings(report: &mut CheckReport) {
    let project = &report.project;
    let mut by_form: HashMap<(&str, u32), Vec<&form_model::ResolvedForm>> = HashMap::new();
    for r in &report.resolved {
        by_form
            .entry((r.form.id.as_str(), r.form.version))
            .or_default()
            .push(r);
    }
    for c in &project.catalog {
        let (id, version) = (&c.form.id, c.form.version);
        // Forms with errors are not published; their errors are reported already.
        let published: &[&form_model::ResolvedForm] = by_form
            .get(&(id.as_str(), version))
            .map_or(&[], Vec::as_slice);
        if published.is_empty() {
            continue;
        }
        if c.form.leika.is_none() {
            let by = names(published.iter().map(|r| r.municipality.id.as_str()));
            report.diagnostics.warning(
                &project.sources,
                c.file,
                "id",
                msg!(
                    "published-without-leika",
                    id = id,
                    version = version,
                    by = by
                ),
            );
        }
        // Municipalities share their forms: each shared form and language is looked at once.
        let mut described: HashMap<(*const form_model::model::Form, &str), bool> = HashMap::new();
        let undescribed: Vec<_> = published
            .iter()
            .filter(|r| {
                let lang = r.languages.first().map_or("de", String::as_str);
                !*described
                    .entry((std::sync::Arc::as_ptr(&r.form), lang))
                    .or_insert_with(|| view::seo::intro_description(&r.form, lang).is_some())
            })
            .map(|r| r.municipality.id.as_str())
            .collect();
        if !undescribed.is_empty() {
            report.diagnostics.warning(
                &project.sources,
                c.file,
                "id",
                msg!(
                    "published-without-intro",
                    id = id,
                    version = version,
                    by = names(undescribed.into_iter())
                ),
            );
        }
    }
    report.diagnostics.sort();
}

/// `by a, b, c` or `by a, b, c and 7 more`.
fn names<'a>(ids: impl Iterator<Item = &'a str>) -> Msg {
    let ids: Vec<&str> = ids.collect();
    match ids.len() {
        0..=4 => msg!("published-by", names = ids.join(", ")),
        n => msg!(
            "published-by-and-more",
            names = ids[..3].join(", "),
            n = n - 3
        ),
    }
}

/// The full report as the designer sees it, in `lang` (`de` or `en`).
pub fn render(report: &CheckReport, lang: &str) -> String {
    let mut out = String::new();
    for diagnostic in &report.diagnostics.items {
        let _ = writeln!(out, "{}", diagnostic.render(lang));
    }
    out.push_str(&render_drift(report, lang));
    let _ = writeln!(out, "check: {}", report.summary_in(lang));
    out
}

/// What `serve` says when a rebuild fails, in the terminal and on the open page: the errors
/// only (no warnings, no drift report), each with its source line and caret as `check` shows
/// it, and the summary.
pub fn render_errors(report: &CheckReport, lang: &str) -> String {
    let mut out = String::new();
    for diagnostic in report
        .diagnostics
        .items
        .iter()
        .filter(|d| d.severity == form_model::diagnostics::Severity::Error)
    {
        let _ = writeln!(out, "{}", diagnostic.render(lang));
    }
    let _ = writeln!(out, "check: {}", report.summary_in(lang));
    out
}

/// Which municipalities diverge from the catalog, and where, in `lang`. A form that is not
/// published because of its errors is said to be so, not "up to date".
pub fn render_drift(report: &CheckReport, lang: &str) -> String {
    let drift: &[Drift] = &report.drift;
    let say = |m: Msg| m.render(lang);
    // What each municipality publishes, to tell "up to date" from "not published".
    let published: HashSet<(&str, &str, u32)> = report
        .resolved
        .iter()
        .map(|r| {
            (
                r.municipality.id.as_str(),
                r.form.id.as_str(),
                r.form.version,
            )
        })
        .collect();
    let mut out = format!("{}\n", say(msg!("drift-title")));
    if drift.is_empty() {
        let _ = writeln!(out, "  {}", say(msg!("drift-no-municipalities")));
    }
    for m in drift {
        let _ = writeln!(out, "  {}", m.municipality);
        for f in &m.forms {
            let adapted = match f.adaptations {
                0 => msg!("drift-as-in-catalog"),
                n => msg!("drift-adaptations", n = n),
            };
            let (form, pinned, latest) = (f.form.as_str(), f.pinned, f.latest);
            if f.is_outdated() {
                let _ = writeln!(
                    out,
                    "    {}",
                    say(msg!(
                        "drift-outdated",
                        form = form,
                        pinned = pinned,
                        latest = latest,
                        adapted = adapted
                    ))
                );
                if let Some(at) = &f.at {
                    let _ = writeln!(out, "      {}", say(msg!("drift-at", place = location(at))));
                }
                if f.breaks.is_empty() {
                    let _ = writeln!(
                        out,
                        "      {}",
                        say(msg!("drift-applies-unchanged", latest = latest))
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "      {}",
                        say(msg!("drift-would-break", latest = latest))
                    );
                    for b in &f.breaks {
                        let _ = writeln!(out, "        {}", b.headline_in(lang));
                    }
                }
            } else if published.contains(&(m.municipality.as_str(), form, pinned)) {
                let _ = writeln!(
                    out,
                    "    {}",
                    say(msg!(
                        "drift-up-to-date",
                        form = form,
                        pinned = pinned,
                        adapted = adapted
                    ))
                );
            } else {
                let _ = writeln!(
                    out,
                    "    {}",
                    say(msg!("drift-not-published", form = form, pinned = pinned))
                );
            }
        }
    }
    out
}

fn location(d: &form_model::Diagnostic) -> String {
    format!("{}:{}:{}", d.file.display(), d.line, d.column)
}
