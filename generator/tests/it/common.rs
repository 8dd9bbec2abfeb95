//! What several generator test files need: a copy of the repository's forms or templates that
//! a test may edit, and the repository's sites built as published.

use std::fs;
use std::path::{Path, PathBuf};

use generator::site::{BuildOptions, build};

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The repository's forms built into a new temp folder (removed when dropped), as published
/// (the municipalities' own site origins, their own submission endpoints).
#[allow(dead_code)] // not every test file builds the repository as published
pub fn built_as_published() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    build(&BuildOptions {
        forms_dir: repo().join("forms"),
        templates_dir: repo().join("site-templates"),
        out_dir: out.path().to_path_buf(),
        local_base: None,
        progress: false,
        dev_reload: false,
    })
    .unwrap();
    out
}

/// Copies the folder `from` (recursively) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}
