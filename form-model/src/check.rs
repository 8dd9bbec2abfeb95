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

/// Loads, lints and resolves everything under `forms_dir`, and computes the drift report:
/// [`Checking`]'s chunks, all kept.
pub fn check(forms_dir: &Path) -> CheckReport {
    let mut checking = Checking::start(forms_dir);
    let mut municipalities = Vec::new();
    let mut resolved = Vec::new();
    let mut drift = Vec::new();
    let mut found = Vec::new();
    for chunk in &mut checking {
        municipalities.extend(chunk.municipalities);
        resolved.extend(chunk.resolved.into_iter().flatten());
        drift.extend(chunk.drift);
        found.extend(chunk.diagnostics.items);
    }
    let (mut project, mut diagnostics) = checking.finish();
    project.municipalities = municipalities;
    diagnostics.items.extend(found);
    diagnostics.sort();
    CheckReport {
        project,
        diagnostics,
        resolved,
        drift,
    }
}

/// One chunk of municipalities as [`Checking`] hands them out, in folder order.
#[derive(Debug)]
pub struct CheckedChunk {
    pub municipalities: Vec<LoadedMunicipality>,
    /// The forms each of them publishes as it publishes them (those without errors), in the
    /// order of `municipalities`.
    pub resolved: Vec<Vec<ResolvedForm>>,
    pub drift: Vec<Drift>,
    /// What was found in their files and forms (not sorted).
    pub diagnostics: Diagnostics,
}

/// `check` a chunk of municipalities at a time, for a caller that need not hold them all:
/// the catalog is loaded and linted at the start; then each [`CheckedChunk`] is loaded,
/// linted and resolved when it is asked for (each chunk's municipalities in parallel), every
/// finding about it made before its files' text and positions are let go of (the project's
/// sources keep the catalog's files; of a municipality's files only the path). What the
/// chunks hand out is the caller's; [`Checking::finish`] gives the rest.
pub struct Checking {
    project: Project,
    /// The catalog's findings.
    diagnostics: Diagnostics,
    /// Errors found so far, the catalog's and the chunks' handed out.
    errors: usize,
    /// Files of the catalog with errors: overlays on a broken catalog form would only repeat
    /// its errors.
    broken_catalog: HashSet<PathBuf>,
    /// What one municipality's resolution found out, for the others.
    shared: resolve::Shared,
    /// The municipality folders not checked yet, in folder order.
    dirs: std::vec::IntoIter<PathBuf>,
}

impl Checking {
    /// Loads and lints the catalog of `forms_dir`; the municipalities come with the chunks.
    pub fn start(forms_dir: &Path) -> Checking {
        let mut diagnostics = Diagnostics::default();
        let project = load::load_catalog(forms_dir, &mut diagnostics);
        lint::lint_catalog(&project, &mut diagnostics);
        let broken_catalog = files_with_errors(&diagnostics);
        Checking {
            errors: diagnostics.errors(),
            broken_catalog,
            shared: resolve::Shared::default(),
            dirs: load::municipality_dirs(forms_dir).into_iter(),
            project,
            diagnostics,
        }
    }

    /// Whether an error was found so far (in the catalog or a chunk handed out).
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// The project (its catalog, and the sources: the catalog's files, of the municipalities'
    /// only the paths; no municipalities) and the catalog's findings (not sorted).
    pub fn finish(self) -> (Project, Diagnostics) {
        (self.project, self.diagnostics)
    }
}

impl Iterator for Checking {
    type Item = CheckedChunk;

    fn next(&mut self) -> Option<CheckedChunk> {
        let dirs: Vec<PathBuf> = self.dirs.by_ref().take(CHUNK).collect();
        if dirs.is_empty() {
            return None;
        }
        let project = &mut self.project;
        let first_file = FileId(project.sources.len());
        let mut found = Diagnostics::default();
        let range = load::load_municipalities(project, &dirs, &mut found);
        lint::lint_municipalities(project, range.clone(), &mut found);
        // A municipality's own files and the catalog are all its resolution looks at.
        let mut broken = files_with_errors(&found);
        broken.extend(self.broken_catalog.iter().cloned());
        let shared = &self.shared;
        let per_municipality: Vec<(Vec<ResolvedForm>, Diagnostics, Drift)> = project.municipalities
            [range.clone()]
        .par_iter()
        .map(|m| {
            let (forms, own) = resolve_municipality(project, m, &broken, shared);
            (forms, own, resolve::drift_of(project, m))
        })
        .collect();
        let mut resolved = Vec::with_capacity(per_municipality.len());
        let mut drift = Vec::with_capacity(per_municipality.len());
        for (forms, own, d) in per_municipality {
            resolved.push(forms);
            found.items.extend(own.items);
            drift.push(d);
        }
        project.sources.release_from(first_file);
        self.errors += found.errors();
        Some(CheckedChunk {
            municipalities: project.municipalities.drain(range).collect(),
            resolved,
            drift,
            diagnostics: found,
        })
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
