//! `formfabrik check` as a library call: load the `forms/` folder, lint it, resolve every form
//! each municipality offers, and compute the drift report, in one [`CheckReport`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostics, FileId, Severity};
use crate::lint;
use crate::load::{self, LoadedMunicipality, Project};
use crate::msg;
use crate::resolve::{self, Drift, ResolvedForm};

/// Everything `formfabrik check` reports about a `forms/` folder.
#[derive(Debug)]
pub struct CheckReport {
    pub project: Project,
    pub diagnostics: Diagnostics,
    /// Forms as each municipality publishes them (those without errors).
    pub resolved: Vec<ResolvedForm>,
    pub drift: Vec<Drift>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        !self.diagnostics.has_errors()
    }

    /// [`CheckReport::summary_in`] German, the process designers' default.
    pub fn summary(&self) -> String {
        self.summary_in(crate::messages::SOURCE_LANGUAGE)
    }

    /// `4 catalog forms (5 versions), 3 municipalities, 8 published forms: 0 errors, 0 warnings`
    /// in `lang` (German: `4 Katalogformulare (5 Versionen), …`).
    pub fn summary_in(&self, lang: &str) -> String {
        msg!(
            "summary",
            forms = msg!("count-catalog-forms", n = self.project.form_ids().len()),
            versions = msg!("count-versions", n = self.project.catalog.len()),
            municipalities = msg!(
                "count-municipalities",
                n = self.project.municipalities.len()
            ),
            published = msg!("count-published", n = self.resolved.len()),
            errors = msg!("count-errors", n = self.diagnostics.errors()),
            warnings = msg!("count-warnings", n = self.diagnostics.warnings())
        )
        .render(lang)
    }
}

/// How many municipalities are loaded, checked and resolved at a time: their files' text and
/// positions are let go of before the next ones are read.
const CHUNK: usize = 512;

/// Loads, lints and resolves everything under `forms_dir`, and computes the drift report.
/// The catalog first; then the municipalities a chunk at a time (each chunk's in parallel),
/// every finding about them made before their files' text and positions are let go of
/// (`project.sources` keeps the catalog's files; of a municipality's files only the path).
pub fn check(forms_dir: &Path) -> CheckReport {
    let mut diagnostics = Diagnostics::default();
    let mut project = load::load_catalog(forms_dir, &mut diagnostics);
    lint::lint_catalog(&project, &mut diagnostics);
    // Overlays on a broken catalog form would only repeat its errors.
    let broken_catalog = files_with_errors(&diagnostics);
    // Each municipality's forms on their own, sharing what one resolution found out with the
    // others; forms and findings in folder order.
    let shared = resolve::Shared::default();
    let mut resolved = Vec::new();
    let mut drift = Vec::new();
    for dirs in load::municipality_dirs(forms_dir).chunks(CHUNK) {
        let first_file = FileId(project.sources.len());
        let mut found = Diagnostics::default();
        let range = load::load_municipalities(&mut project, dirs, &mut found);
        lint::lint_municipalities(&project, range.clone(), &mut found);
        // A municipality's own files and the catalog are all its resolution looks at.
        let mut broken = files_with_errors(&found);
        broken.extend(broken_catalog.iter().cloned());
        let per_municipality: Vec<(Vec<ResolvedForm>, Diagnostics, Drift)> = project.municipalities
            [range]
            .par_iter()
            .map(|m| {
                let (forms, own) = resolve_municipality(&project, m, &broken, &shared);
                (forms, own, resolve::drift_of(&project, m))
            })
            .collect();
        for (forms, own, d) in per_municipality {
            resolved.extend(forms);
            found.items.extend(own.items);
            drift.push(d);
        }
        diagnostics.items.extend(found.items);
        project.sources.release_from(first_file);
    }
    diagnostics.sort();
    CheckReport {
        project,
        diagnostics,
        resolved,
        drift,
    }
}

/// The files named by an error in `diagnostics`.
fn files_with_errors(diagnostics: &Diagnostics) -> HashSet<PathBuf> {
    diagnostics
        .items
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.file.clone())
        .collect()
}

/// The forms of `m` as it publishes them, and what their resolution found.
fn resolve_municipality(
    project: &Project,
    m: &LoadedMunicipality,
    broken: &HashSet<PathBuf>,
    shared: &resolve::Shared,
) -> (Vec<ResolvedForm>, Diagnostics) {
    let mut forms = Vec::new();
    let mut own = Diagnostics::default();
    if broken.contains(&project.sources.get(m.file).path) {
        return (forms, own);
    }
    for index in 0..m.config.forms.len() {
        let usable = load_usable(project, m, index, broken);
        if usable && let Some(r) = resolve::resolve_shared(project, m, index, shared, &mut own) {
            forms.push(r);
        }
    }
    (forms, own)
}

/// Whether form entry `index` of `m` refers to a catalog form without errors of its own.
fn load_usable(
    project: &Project,
    m: &LoadedMunicipality,
    index: usize,
    broken: &HashSet<PathBuf>,
) -> bool {
    let Some((id, version)) = m.config.forms[index].form_and_version() else {
        return false;
    };
    project
        .form(id, version)
        .is_some_and(|c| !broken.contains(&project.sources.get(c.file).path))
}
