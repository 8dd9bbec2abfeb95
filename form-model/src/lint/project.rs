//! The lint of a whole `forms/` folder: every catalog form, the catalog's versions, and every
//! municipality.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostics, FileId};
use crate::load::Project;

use super::form::lint_form;
use super::municipality::lint_municipality;

/// Lints every catalog form and every municipality config.
pub fn lint_project(project: &Project, diags: &mut Diagnostics) {
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
                format!(
                    "{}@{} is defined twice (also in {first_path}); bump the version of the newer one",
                    key.0, key.1
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
                format!(
                    "the newest version of \"{id}\" is in the archive; the current version belongs in catalog/{id}.yaml"
                ),
                "move the file out of archive/ or raise the version of the current form".into(),
            );
        }
    }
    for m in &project.municipalities {
        lint_municipality(project, m, diags);
    }
}
