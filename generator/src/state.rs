//! What the last build produced, per municipality, so the next build renders only the
//! municipalities whose inputs changed or whose output was touched since.
//!
//! A municipality's files depend on the binary, the build options, the site templates, its
//! config, its legal pages, its logo and its resolved forms (whose sha256 covers the catalog
//! form and the municipality's adaptations). `<out>/.formfabrik-build.json` keeps a key over
//! all of these and the size and modification time of every file the municipality got. When
//! the key and every file still match, rendering would produce exactly those files again, so
//! the municipality is skipped. Anything unreadable, missing or different means: render.
//!
//! Before any of that, the build asks whether anything changed at all: the state also keeps
//! the size and modification time of every file of the forms folder and of the function's
//! files. When the shared key, every input file and every output file are as the last build
//! left them, the build is done without loading or checking the forms (a warm build of a
//! whole country in well under a second). A file modified in the second before the last build
//! started is not trusted by its time (its content may have changed again within the clock's
//! resolution), so the next build loads everything.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use form_model::load::LoadedMunicipality;
use form_model::resolve::ResolvedForm;

use crate::spill::{Spill, SpilledMap};

/// Next to `site/`, `schemas/` and `function/`; not part of any deployed folder.
pub const STATE_FILE: &str = ".formfabrik-build.json";
/// Bumped when the file's meaning changes; an older file is ignored.
const FORMAT: u32 = 2;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct BuildState {
    format: u32,
    municipalities: BTreeMap<String, Entry>,
    /// What the whole build read and wrote besides the municipalities' files; `None` when
    /// the inputs could not be trusted by their metadata (see the module's comment).
    #[serde(default)]
    whole: Option<Whole>,
}

/// The whole build's inputs and shared outputs, to find out that nothing changed at all.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Whole {
    /// The shared key (binary, options, templates) and the forms folder's path.
    key: String,
    /// Every file below the forms folder.
    inputs: Vec<InputFile>,
    /// The function's files (registry, lifecycle rules, theme).
    outputs: Vec<OutputFile>,
    /// What the build reported, to report it again.
    pub summary: Summary,
}

/// The counts a build reports.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Summary {
    pub pages: usize,
    pub municipalities: usize,
    pub forms: usize,
}

/// An input file as the build read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct InputFile {
    /// Relative to the forms folder.
    path: String,
    len: u64,
    modified: (u64, u32),
}

/// The files of the forms folder, sorted by path; `trusted` is false when one of them was
/// modified so shortly before `since` that its time does not prove its content.
pub struct Inputs {
    files: Vec<InputFile>,
    trusted: bool,
}

/// How far before the build's start a modification makes a file's time untrustworthy: file
/// times come from a coarse clock, so a file written right after the start may carry a time
/// just before it.
const RACY: std::time::Duration = std::time::Duration::from_secs(1);

/// Lists every file below `forms_dir` with its size and modification time, in the order of a
/// walk that visits each folder's entries sorted by name. The folders are listed in parallel:
/// a country has tens of thousands of files.
pub fn scan_inputs(forms_dir: &Path, since: std::time::SystemTime) -> io::Result<Inputs> {
    let limit = since
        .checked_sub(RACY)
        .unwrap_or(UNIX_EPOCH)
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let files = scan_dir(forms_dir, "")?;
    let trusted = files
        .iter()
        .all(|f| std::time::Duration::new(f.modified.0, f.modified.1) < limit);
    Ok(Inputs { files, trusted })
}

/// The files below `dir` (whose path relative to the forms folder is `rel`), depth first,
/// each folder's entries by name; symbolic links are neither files nor folders here.
fn scan_dir(dir: &Path, rel: &str) -> io::Result<Vec<InputFile>> {
    use rayon::prelude::*;
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.sort_by_key(fs::DirEntry::file_name);
    let found: Vec<Vec<InputFile>> = entries
        .par_iter()
        .map(|entry| {
            let kind = entry.file_type()?;
            let name = entry.file_name();
            let path = match rel {
                "" => name.to_string_lossy().into_owned(),
                _ => format!("{rel}/{}", name.to_string_lossy()),
            };
            if kind.is_dir() {
                return scan_dir(&entry.path(), &path);
            }
            if !kind.is_file() {
                return Ok(Vec::new());
            }
            let meta = entry.metadata()?;
            let t = meta
                .modified()?
                .duration_since(UNIX_EPOCH)
                .map_err(io::Error::other)?;
            Ok(vec![InputFile {
                path,
                len: meta.len(),
                modified: (t.as_secs(), t.subsec_nanos()),
            }])
        })
        .collect::<io::Result<_>>()?;
    Ok(found.into_iter().flatten().collect())
}

/// The key of the whole build: the shared key and where the forms are.
pub fn whole_key(global: &str, forms_dir: &Path) -> String {
    let dir = fs::canonicalize(forms_dir).unwrap_or_else(|_| forms_dir.to_path_buf());
    format!("{global} {}", dir.display())
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
        OutputFile::with_metadata(out_dir, path, &fs::metadata(path)?)
    }

    /// The file `path` below `out_dir` with its metadata `meta` as its writer saw it last.
    pub fn with_metadata(
        out_dir: &Path,
        path: &Path,
        meta: &fs::Metadata,
    ) -> io::Result<OutputFile> {
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

/// The output folder, opened: its files are looked at relative to it, and a municipality's
/// relative to its own folders (`site/<m>`, `schemas/<m>`), so the kernel does not walk the
/// whole path again for each of a country's hundreds of thousands of files.
pub struct OutDir {
    /// `None` when the folder cannot be opened (nothing in it is intact then).
    dir: Option<rustix::fd::OwnedFd>,
}

impl OutDir {
    pub fn open(out_dir: &Path) -> OutDir {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
        OutDir {
            dir: rustix::fs::open(out_dir, flags, Mode::empty()).ok(),
        }
    }

    /// Whether each of `files` still has the size and modification time recorded.
    pub fn intact(&self, files: &[OutputFile]) -> bool {
        use rustix::fs::{AtFlags, Mode, OFlags, openat, statat};
        let Some(root) = &self.dir else {
            return files.is_empty();
        };
        // The folder of the files before (their first two path components), kept open.
        let mut held: Option<(&str, rustix::fd::OwnedFd)> = None;
        files.iter().all(|f| {
            let (folder, rest) = match f.path.match_indices('/').nth(1) {
                Some((cut, _)) => (&f.path[..cut], &f.path[cut + 1..]),
                None => ("", f.path.as_str()),
            };
            let stat = if folder.is_empty() {
                statat(root, rest, AtFlags::empty())
            } else {
                if held.as_ref().is_none_or(|(name, _)| *name != folder) {
                    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
                    match openat(root, folder, flags, Mode::empty()) {
                        Ok(fd) => held = Some((folder, fd)),
                        Err(_) => return false,
                    }
                }
                let (_, fd) = held.as_ref().expect("just opened");
                statat(fd, rest, AtFlags::empty())
            };
            stat.is_ok_and(|st| {
                let (Ok(secs), Ok(nanos), Ok(len)) = (
                    u64::try_from(st.st_mtime),
                    u32::try_from(st.st_mtime_nsec),
                    u64::try_from(st.st_size),
                ) else {
                    return false;
                };
                len == f.len && (secs, nanos) == f.modified
            })
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
    pub fn up_to_date(&self, out: &OutDir, id: &str, key: &str) -> Option<&Entry> {
        let entry = self.municipalities.get(id)?;
        let intact = entry.key == key && out.intact(&entry.files);
        intact.then_some(entry)
    }

    /// What the last build reported, if nothing it read or wrote has changed since: same
    /// shared `key`, the same `inputs`, and every output file as it left it.
    pub fn nothing_changed(&self, out: &OutDir, key: &str, inputs: &Inputs) -> Option<Summary> {
        use rayon::prelude::*;
        let whole = self.whole.as_ref()?;
        if whole.key != key || whole.inputs != inputs.files {
            return None;
        }
        let all_intact = out.intact(&whole.outputs)
            && self
                .municipalities
                .par_iter()
                .all(|(_, entry)| out.intact(&entry.files));
        all_intact.then_some(whole.summary)
    }

    /// How many files the last build left: the municipalities' and the function's.
    pub fn files(&self) -> usize {
        self.municipalities
            .values()
            .map(|e| e.files.len())
            .sum::<usize>()
            + self.whole.as_ref().map_or(0, |w| w.outputs.len())
    }

    /// The state of a build: what the whole build read and wrote, when the inputs can be
    /// trusted by their metadata. Each municipality's entry is put into a [`Spill`] as the
    /// build goes (see [`BuildState::save`]).
    pub fn new(whole: Option<(String, Inputs, Vec<OutputFile>, Summary)>) -> BuildState {
        BuildState {
            format: FORMAT,
            municipalities: BTreeMap::new(),
            whole: whole.filter(|(_, inputs, _, _)| inputs.trusted).map(
                |(key, inputs, outputs, summary)| Whole {
                    key,
                    inputs: inputs.files,
                    outputs,
                    summary,
                },
            ),
        }
    }

    /// Writes the state, with the municipalities' entries of `entries` (by id), atomically (a
    /// temporary file renamed over the old one). The entries wait on disk until now: a
    /// country's would grow the build's memory with every municipality. The file is the one
    /// this state would be with those entries in `municipalities`, byte for byte.
    pub fn save(&self, out_dir: &Path, entries: &Spill) -> io::Result<()> {
        /// [`BuildState`]'s members, in its order.
        #[derive(Serialize)]
        struct Saved<'a> {
            format: u32,
            municipalities: SpilledMap<'a>,
            whole: &'a Option<Whole>,
        }
        fs::create_dir_all(out_dir)?;
        let tmp = out_dir.join(format!("{STATE_FILE}.tmp"));
        let mut w = io::BufWriter::new(fs::File::create(&tmp)?);
        let saved = Saved {
            format: self.format,
            municipalities: entries.map()?,
            whole: &self.whole,
        };
        serde_json::to_writer(&mut w, &saved).map_err(io::Error::other)?;
        w.into_inner().map_err(io::IntoInnerError::into_error)?;
        fs::rename(&tmp, out_dir.join(STATE_FILE))
    }
}

/// Records what a municipality got: its `files` as they were left when written.
pub fn record(key: String, pages: usize, files: Vec<OutputFile>) -> Entry {
    Entry { key, pages, files }
}

/// The size and modification time of each of `files`, as written below `out_dir`.
pub fn outputs(out_dir: &Path, files: &[PathBuf]) -> io::Result<Vec<OutputFile>> {
    files.iter().map(|p| OutputFile::of(out_dir, p)).collect()
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
