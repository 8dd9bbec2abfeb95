//! What the last build produced, per municipality, so the next build renders only the
//! municipalities whose inputs changed or whose output was touched since.
//!
//! A municipality's files depend on the binary, the build options, the site templates, its
//! config, its legal pages, its logo and its resolved forms (whose sha256 covers the catalog
//! form and the municipality's adaptations). `<out>/.formfabrik-build.json` keeps a key over
//! all of these and the size and modification time of every file the municipality got. When
//! the key and every file still match, rendering would produce exactly those files again, so
//! the municipality is skipped. Anything unreadable, missing or different means: render.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use form_model::load::LoadedMunicipality;
use form_model::resolve::ResolvedForm;

/// Next to `site/`, `schemas/` and `function/`; not part of any deployed folder.
pub const STATE_FILE: &str = ".formfabrik-build.json";
/// Bumped when the file's meaning changes; an older file is ignored.
const FORMAT: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct BuildState {
    format: u32,
    municipalities: BTreeMap<String, Entry>,
}

/// One municipality as the last build left it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Entry {
    key: String,
    /// Pages it has (all languages), for the build's summary and progress.
    pub pages: usize,
    /// Every file it got: pages, assets, schemas.
    pub files: Vec<OutputFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct OutputFile {
    /// Relative to the output folder.
    path: String,
    len: u64,
    /// Modification time: seconds and nanoseconds since the Unix epoch.
    modified: (u64, u32),
}

impl OutputFile {
    fn of(out_dir: &Path, path: &Path) -> io::Result<OutputFile> {
        let meta = fs::metadata(path)?;
        let t = meta
            .modified()?
            .duration_since(UNIX_EPOCH)
            .map_err(io::Error::other)?;
        let rel = path.strip_prefix(out_dir).map_err(io::Error::other)?;
        Ok(OutputFile {
            path: rel.to_string_lossy().into_owned(),
            len: meta.len(),
            modified: (t.as_secs(), t.subsec_nanos()),
        })
    }
}

impl BuildState {
    /// The state the last build wrote; empty (render everything) if there is none or it is
    /// unreadable or of another format.
    pub fn load(out_dir: &Path) -> BuildState {
        fs::read(out_dir.join(STATE_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<BuildState>(&bytes).ok())
            .filter(|s| s.format == FORMAT)
            .unwrap_or_default()
    }

    /// The entry of municipality `id` if it was built with `key` and all its files are still
    /// as the build left them.
    pub fn up_to_date(&self, out_dir: &Path, id: &str, key: &str) -> Option<&Entry> {
        let entry = self.municipalities.get(id)?;
        let intact = entry.key == key
            && entry.files.iter().all(|f| {
                OutputFile::of(out_dir, &out_dir.join(&f.path)).is_ok_and(|now| now == *f)
            });
        intact.then_some(entry)
    }

    pub fn new(municipalities: BTreeMap<String, Entry>) -> BuildState {
        BuildState {
            format: FORMAT,
            municipalities,
        }
    }

    /// Writes the state atomically (a temporary file renamed over the old one).
    pub fn save(&self, out_dir: &Path) -> io::Result<()> {
        fs::create_dir_all(out_dir)?;
        let tmp = out_dir.join(format!("{STATE_FILE}.tmp"));
        fs::write(&tmp, serde_json::to_vec(self).map_err(io::Error::other)?)?;
        fs::rename(&tmp, out_dir.join(STATE_FILE))
    }
}

/// Records what a municipality got, right after its files were written.
pub fn record(out_dir: &Path, key: String, pages: usize, files: &[PathBuf]) -> io::Result<Entry> {
    Ok(Entry {
        key,
        pages,
        files: files
            .iter()
            .map(|p| OutputFile::of(out_dir, p))
            .collect::<io::Result<_>>()?,
    })
}

/// The part of every municipality's key that the whole build shares: this binary, the
/// options that change pages, and every file of the site templates.
pub fn global_key(templates_dir: &Path, options: &str) -> io::Result<String> {
    let mut h = Sha256::new();
    h.update(format!(
        "formfabrik {} state {FORMAT}\n",
        env!("CARGO_PKG_VERSION")
    ));
    // The binary by path, size and time: a rebuilt formfabrik may render differently.
    match std::env::current_exe().and_then(|exe| Ok((fs::metadata(&exe)?, exe))) {
        Ok((meta, exe)) => {
            let t = meta
                .modified()?
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            h.update(format!("{}\n{}\n{:?}\n", exe.display(), meta.len(), t));
        }
        // Unknown binary: a key no earlier build can have.
        Err(_) => h.update(format!("{:?}", std::time::SystemTime::now())),
    }
    h.update(options.as_bytes());
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(templates_dir)
        .into_iter()
        .map(|e| {
            e.map(walkdir::DirEntry::into_path)
                .map_err(io::Error::other)
        })
        .collect::<io::Result<Vec<_>>>()?
        .into_iter()
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for p in files {
        let bytes = fs::read(&p)?;
        h.update(format!(
            "\n{} {}\n",
            p.strip_prefix(templates_dir).unwrap_or(&p).display(),
            bytes.len()
        ));
        h.update(&bytes);
    }
    Ok(hex::encode(h.finalize()))
}

/// A municipality's key: the shared part, its config, legal pages and logo, and the sha256 of
/// each of its resolved forms in order. `None` when the logo cannot be read (the build reports
/// that while rendering).
pub fn municipality_key(
    global: &str,
    m: &LoadedMunicipality,
    forms: &[&ResolvedForm],
) -> Option<String> {
    let mut h = Sha256::new();
    h.update(global.as_bytes());
    h.update(serde_json::to_vec(&m.config).expect("a loaded config serializes"));
    for ((kind, lang), page) in &m.pages {
        h.update(format!("\npage {kind} {lang} {}\n", page.markdown.len()));
        h.update(page.markdown.as_bytes());
    }
    if let Some(rel) = &m.config.branding.logo {
        let bytes = fs::read(m.dir.join(rel)).ok()?;
        h.update(format!("\nlogo {}\n", bytes.len()));
        h.update(&bytes);
    }
    for f in forms {
        h.update(format!("\nform {}\n", f.sha256));
    }
    Some(hex::encode(h.finalize()))
}
