//! `formfabrik check`: every diagnostic with its source line, the drift report, one summary line;
//! and the warnings about what the built sites need beyond a valid form (a published form that
//! search engines and the portal network cannot describe or place).

use std::fmt::Write;

use form_model::{CheckReport, Drift};

/// Adds to `report` a warning for every catalog form version that municipalities publish
/// without a LeiKa key (its entries in onlinedienste.json cannot be attached to a service,
/// docs/portal.md) or without an intro (its page has no description of its own for search
/// engines and falls back to the purpose). One warning per catalog form version, at its `id`,
/// naming who publishes it: a form used by thousands of municipalities is one thing to fix.
pub fn add_findability_warnings(report: &mut CheckReport) {
    let project = &report.project;
    for c in &project.catalog {
        let (id, version) = (&c.form.id, c.form.version);
        // Forms with errors are not published; their errors are reported already.
        let published: Vec<_> = report
            .resolved
            .iter()
            .filter(|r| &r.form.id == id && r.form.version == version)
            .collect();
        if published.is_empty() {
            continue;
        }
        if c.form.leika.is_none() {
            let by = names(published.iter().map(|r| r.municipality.id.as_str()));
            report.diagnostics.warning(
                &project.sources,
                c.file,
                "id",
                format!(
                    "{id}@{version} is published ({by}) but has no LeiKa key: the portal \
                     network cannot link its service to the online form (write `leika:`)"
                ),
            );
        }
        let undescribed: Vec<_> = published
            .iter()
            .filter(|r| {
                let lang = r.languages.first().map_or("de", String::as_str);
                view::seo::intro_description(&r.form, lang).is_none()
            })
            .map(|r| r.municipality.id.as_str())
            .collect();
        if !undescribed.is_empty() {
            report.diagnostics.warning(
                &project.sources,
                c.file,
                "id",
                format!(
                    "{id}@{version} is published without an intro ({}): search engines describe \
                     its page by its purpose (write `intro:`, or set it in the overlay)",
                    names(undescribed.into_iter())
                ),
            );
        }
    }
    report.diagnostics.sort();
}

/// `by a, b and c` or `by a, b, c and 7 more`.
fn names<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = ids.collect();
    match ids.len() {
        0..=4 => format!("by {}", ids.join(", ")),
        n => format!("by {} and {} more", ids[..3].join(", "), n - 3),
    }
}

/// The full report as the designer sees it.
pub fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    for diagnostic in &report.diagnostics.items {
        let _ = writeln!(out, "{diagnostic}");
    }
    out.push_str(&render_drift(report));
    let _ = writeln!(out, "check: {}", report.summary());
    out
}

/// What `serve` says when a rebuild fails, in the terminal and on the open page: the errors
/// only (no warnings, no drift report), each with its source line and caret as `check` shows
/// it, and the summary.
pub fn render_errors(report: &CheckReport) -> String {
    let mut out = String::new();
    for diagnostic in report
        .diagnostics
        .items
        .iter()
        .filter(|d| d.severity == form_model::diagnostics::Severity::Error)
    {
        let _ = writeln!(out, "{diagnostic}");
    }
    let _ = writeln!(out, "check: {}", report.summary());
    out
}

/// Which municipalities diverge from the catalog, and where. A form that is not published
/// because of its errors is said to be so, not "up to date".
pub fn render_drift(report: &CheckReport) -> String {
    let drift: &[Drift] = &report.drift;
    let mut out = String::from("drift report:\n");
    if drift.is_empty() {
        out.push_str("  no municipalities\n");
    }
    for m in drift {
        let _ = writeln!(out, "  {}", m.municipality);
        for f in &m.forms {
            let adapted = match f.adaptations {
                0 => "as in the catalog".to_string(),
                1 => "1 adaptation".to_string(),
                n => format!("{n} adaptations"),
            };
            if f.is_outdated() {
                let _ = writeln!(
                    out,
                    "    {}: pins version {}, the catalog's newest is {} ({adapted})",
                    f.form, f.pinned, f.latest
                );
                let _ = writeln!(out, "      at {}", location(&f.at));
                if f.breaks.is_empty() {
                    let _ = writeln!(
                        out,
                        "      its adaptations apply to version {} unchanged",
                        f.latest
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "      on version {} these adaptations would break:",
                        f.latest
                    );
                    for b in &f.breaks {
                        let _ = writeln!(out, "        {}", b.headline());
                    }
                }
            } else if report.resolved.iter().any(|r| {
                r.municipality.id == m.municipality
                    && r.form.id == f.form
                    && r.form.version == f.pinned
            }) {
                let _ = writeln!(out, "    {}@{}: up to date ({adapted})", f.form, f.pinned);
            } else {
                let _ = writeln!(
                    out,
                    "    {}@{}: not published, it has errors (see above)",
                    f.form, f.pinned
                );
            }
        }
    }
    out
}

fn location(d: &form_model::Diagnostic) -> String {
    format!("{}:{}:{}", d.file.display(), d.line, d.column)
}
