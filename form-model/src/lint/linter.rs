//! The one file a lint is looking at, and where its findings go; and the check every id gets.

use crate::diagnostics::{Diagnostics, FileId, Sources};
use crate::ids;

/// Lints one file: findings are reported at YAML paths of `file`.
pub(super) struct Linter<'a> {
    pub(super) sources: &'a Sources,
    pub(super) file: FileId,
    pub(super) diags: &'a mut Diagnostics,
}

impl Linter<'_> {
    pub(super) fn error(&mut self, path: &str, message: String) {
        self.diags.error(self.sources, self.file, path, message);
    }

    pub(super) fn error_help(&mut self, path: &str, message: String, help: &str) {
        self.diags
            .error_help(self.sources, self.file, path, message, help.to_string());
    }
}

/// Ids (of forms, steps, fields, fees, municipalities) must be slugs.
pub(super) fn slug(cx: &mut Linter, path: &str, value: &str, what: &str) {
    if !ids::is_slug(value) {
        cx.error_help(
            path,
            format!(
                "{what} \"{value}\" may only contain a-z, 0-9 and \"-\", starting with a letter"
            ),
            "write umlauts as ae, oe, ue and ß as ss, e.g. \"gefaehrlich\"",
        );
    }
}
