//! The one file a lint is looking at, and where its findings go; and the check every id gets.

use crate::diagnostics::{Diagnostics, FileId, Msg, Sources};
use crate::{ids, msg};

/// Lints one file: findings are reported at YAML paths of `file`.
pub(super) struct Linter<'a> {
    pub(super) sources: &'a Sources,
    pub(super) file: FileId,
    pub(super) diags: &'a mut Diagnostics,
}

impl Linter<'_> {
    pub(super) fn error(&mut self, path: &str, message: Msg) {
        self.diags.error(self.sources, self.file, path, message);
    }

    pub(super) fn error_help(&mut self, path: &str, message: Msg, help: Msg) {
        self.diags
            .error_help(self.sources, self.file, path, message, help);
    }

    pub(super) fn error_detail(&mut self, path: &str, message: Msg, detail: Msg, help: Msg) {
        self.diags
            .error_detail(self.sources, self.file, path, message, detail, Some(help));
    }
}

/// Ids (of forms, steps, fields, fees, municipalities) must be slugs. `what` is the message
/// naming the kind of id (`id-form`, `id-step`, …).
pub(super) fn slug(cx: &mut Linter, path: &str, value: &str, what: Msg) {
    if !ids::is_slug(value) {
        cx.error_help(
            path,
            msg!("id-not-a-slug", what = what, value = value),
            msg!("id-not-a-slug-help"),
        );
    }
}
