//! The lint of a whole `forms/` folder: every catalog form, the catalog's versions, and every
//! municipality.

use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostics, FileId};
use crate::load::Project;
use crate::msg;

use super::form::lint_form;
use super::municipality::lint_municipality;

/// Lints every catalog form and every municipality config.
pub fn lint_project(project: &Project, diags: &mut Diagnostics) {
    lint_catalog(project, diags);
    lint_municipalities(project, 0..project.municipalities.len(), diags);
}

/// Lints every catalog form and the catalog's versions.
pub fn lint_catalog(project: &Project, diags: &mut Diagnostics) {
    let mut seen: HashMap<(&str, u32), FileId> = HashMap::new();
    for entry in &project.catalog {
        lint_form(&project.sources, entry.file, &entry.form, diags);
        let key = (entry.form.id.as_str(), entry.form.version);
        if let Some(first) = seen.insert(key, entry.file) {
            let first_path = project.sources.get(first).path.display().to_string();
            diags.error(
                &project.sources,
                entry.file,
                "version",
                msg!(
                    "version-twice",
                    id = key.0,
                    version = key.1,
                    first = first_path
                ),
            );
        }
    }
    for id in project.form_ids() {
        let latest = project.latest(id).expect("id comes from the catalog");
        if latest.archived {
            diags.error_help(
                &project.sources,
                latest.file,
                "version",
                msg!("newest-in-archive", id = id),
                msg!("newest-in-archive-help"),
            );
        }
    }
}

/// Lints the municipality configs `project.municipalities[range]`.
pub fn lint_municipalities(project: &Project, range: Range<usize>, diags: &mut Diagnostics) {
    // Each municipality on its own (in parallel); their findings in folder order.
    let found: Vec<Diagnostics> = project.municipalities[range]
        .par_iter()
        .map(|m| {
            let mut own = Diagnostics::default();
            lint_municipality(project, m, &mut own);
            own
        })
        .collect();
    for own in found {
        diags.items.extend(own.items);
    }
}
