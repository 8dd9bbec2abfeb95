//! The drift report: how each municipality's pinned forms and overlays stand against the newest
//! catalog version.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::load::{LoadedMunicipality, Project};
use crate::msg;
use crate::positions::{child, item};

use super::overlay::apply_overlay;

/// How one municipality's adaptations stand against the newest catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub municipality: String,
    pub forms: Vec<FormDrift>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormDrift {
    pub form: String,
    pub pinned: u32,
    pub latest: u32,
    /// Where the `use:` line is, for a form pinned below the newest version (the report shows
    /// it only for those; finding a position costs an index of the file).
    pub at: Option<Diagnostic>,
    /// Number of overlay operations and fee overrides (how far it diverges from the catalog).
    pub adaptations: usize,
    /// Overlay operations that would fail on the newest version.
    pub breaks: Vec<Diagnostic>,
}

impl FormDrift {
    pub fn is_outdated(&self) -> bool {
        self.pinned < self.latest
    }
}

/// The drift report: per municipality, which forms it pins below the newest catalog version and
/// which of its overlay operations would break on that version.
pub fn drift(project: &Project) -> Vec<Drift> {
    project
        .municipalities
        .iter()
        .map(|m| drift_of(project, m))
        .collect()
}

/// The drift report's entry of municipality `m`.
pub fn drift_of(project: &Project, m: &LoadedMunicipality) -> Drift {
    Drift {
        municipality: m.config.id.clone(),
        forms: m
            .config
            .forms
            .iter()
            .enumerate()
            .filter_map(|(i, form_use)| {
                let (id, version) = form_use.form_and_version()?;
                let latest = project.latest(id)?;
                let overlay = m.overlays.get(&i);
                let breaks = match overlay {
                    Some(o) if latest.form.version != version => {
                        let mut form = (*latest.form).clone();
                        let mut origins = HashMap::new();
                        apply_overlay(&project.sources, &mut form, o, &mut origins)
                    }
                    _ => Vec::new(),
                };
                let at = (version < latest.form.version).then(|| {
                    let mut at = Diagnostics::default();
                    at.push_at(
                        &project.sources,
                        m.file,
                        project
                            .sources
                            .pos(m.file, &child(&item("forms", i), "use")),
                        Severity::Warning,
                        msg!(
                            "pins-older-version",
                            municipality = &m.config.id,
                            id = id,
                            version = version,
                            latest = latest.form.version
                        ),
                        None,
                    );
                    at.items.remove(0)
                });
                Some(FormDrift {
                    form: id.to_string(),
                    pinned: version,
                    latest: latest.form.version,
                    at,
                    adaptations: overlay.map_or(0, |o| o.overlay.operations.len())
                        + form_use.fees.len(),
                    breaks,
                })
            })
            .collect(),
    }
}
