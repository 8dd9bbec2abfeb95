//! `formfabrik check`: every diagnostic with its source line, the drift report, one summary line.

use std::fmt::Write;

use form_model::{CheckReport, Drift};

/// The full report as the designer sees it.
pub fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    for diagnostic in &report.diagnostics.items {
        let _ = writeln!(out, "{diagnostic}");
    }
    out.push_str(&render_drift(&report.drift));
    let _ = writeln!(out, "check: {}", report.summary());
    out
}

/// Which municipalities diverge from the catalog, and where.
pub fn render_drift(drift: &[Drift]) -> String {
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
            } else {
                let _ = writeln!(out, "    {}@{}: up to date ({adapted})", f.form, f.pinned);
            }
        }
    }
    out
}

fn location(d: &form_model::Diagnostic) -> String {
    format!("{}:{}:{}", d.file.display(), d.line, d.column)
}
