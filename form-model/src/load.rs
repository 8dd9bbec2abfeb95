//! Reading the `forms/` folder: catalog forms (current ones in `catalog/<id>.yaml`, frozen older
//! versions in `catalog/archive/<id>@<version>.yaml`) and municipality folders with their
//! config, overlays and Markdown pages. Files that cannot be read or parsed become diagnostics;
//! everything that did parse is kept so that one run reports as many problems as possible.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostics, FileId, Severity, Sources, suggestion};
use crate::model::{Form, Municipality, Overlay};
use crate::msg;
use crate::positions::{self, Pos};
use crate::repeated_keys::{self, Step};
use crate::yaml_errors::explain_yaml_error;

/// A catalog form as loaded, with the file it came from.
#[derive(Debug, Clone)]
pub struct CatalogForm {
    /// Shared with every municipality that publishes it without an overlay.
    pub form: std::sync::Arc<Form>,
    pub file: FileId,
    /// True for frozen older versions in `catalog/archive/`.
    pub archived: bool,
}

/// An overlay file as loaded.
#[derive(Debug, Clone)]
pub struct LoadedOverlay {
    pub overlay: Overlay,
    pub file: FileId,
}

/// A Markdown page of a municipality (imprint, privacy, accessibility) in one language.
#[derive(Debug, Clone)]
pub struct Page {
    pub path: PathBuf,
    pub markdown: String,
}

/// A municipality folder as loaded.
#[derive(Debug, Clone)]
pub struct LoadedMunicipality {
    pub config: Municipality,
    pub file: FileId,
    pub dir: PathBuf,
    /// Overlays by index into `config.forms`.
    pub overlays: BTreeMap<usize, LoadedOverlay>,
    /// Pages by (`imprint` | `privacy` | `accessibility`, language).
    pub pages: BTreeMap<(String, String), Page>,
}

/// Everything under `forms/`.
#[derive(Debug, Default, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub sources: Sources,
    pub catalog: Vec<CatalogForm>,
    pub municipalities: Vec<LoadedMunicipality>,
    /// Names (file stems) of catalog files that could not be read; their problems are reported
    /// once, not again at every municipality that uses them.
    pub unreadable_catalog: Vec<String>,
}

impl Project {
    /// The catalog form `id` at `version`.
    pub fn form(&self, id: &str, version: u32) -> Option<&CatalogForm> {
        self.catalog
            .iter()
            .find(|c| c.form.id == id && c.form.version == version)
    }

    /// The newest version of catalog form `id`.
    pub fn latest(&self, id: &str) -> Option<&CatalogForm> {
        self.catalog
            .iter()
            .filter(|c| c.form.id == id)
            .max_by_key(|c| c.form.version)
    }

    /// Distinct catalog form ids, sorted.
    pub fn form_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.catalog.iter().map(|c| c.form.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

/// Loads `forms_dir`. Paths in diagnostics are `forms_dir` joined with the file's relative path,
/// so running from the repository root shows `forms/catalog/...`.
pub fn load(forms_dir: &Path, diags: &mut Diagnostics) -> Project {
    let mut project = load_catalog(forms_dir, diags);
    load_municipalities(&mut project, &municipality_dirs(forms_dir), diags);
    project
}

/// Loads the catalog of `forms_dir` (current and archived versions) into a project without
/// municipalities; [`load_municipalities`] adds them.
pub fn load_catalog(forms_dir: &Path, diags: &mut Diagnostics) -> Project {
    let mut project = Project {
        root: forms_dir.to_path_buf(),
        ..Project::default()
    };
    let catalog_dir = forms_dir.join("catalog");
    if !catalog_dir.is_dir() {
        diags.file_error(&catalog_dir, msg!("catalog-folder-missing"));
    }
    for path in yaml_files(&catalog_dir) {
        load_catalog_form(&mut project, &path, false, diags);
    }
    for path in yaml_files(&catalog_dir.join("archive")) {
        load_catalog_form(&mut project, &path, true, diags);
    }
    project
}

/// The municipality folders of `forms_dir`, in folder order.
pub fn municipality_dirs(forms_dir: &Path) -> Vec<PathBuf> {
    subdirs(&forms_dir.join("municipalities"))
}

/// Loads the municipality folders `dirs` into `project`; returns where they are in
/// `project.municipalities` (a folder that could not be loaded has no entry there).
pub fn load_municipalities(
    project: &mut Project,
    dirs: &[PathBuf],
    diags: &mut Diagnostics,
) -> std::ops::Range<usize> {
    let first = project.municipalities.len();
    // Each municipality's files are read and parsed on their own (in parallel), then put
    // together in folder order: the same file ids and diagnostics as one after the other.
    let loaded: Vec<(Sources, Diagnostics, Option<LoadedMunicipality>)> = dirs
        .par_iter()
        .map(|dir| {
            let mut sources = Sources::default();
            let mut own = Diagnostics::default();
            let m = load_municipality(&mut sources, dir, &mut own);
            (sources, own, m)
        })
        .collect();
    for (sources, own, m) in loaded {
        let offset = project.sources.append(sources);
        diags.items.extend(own.items);
        if let Some(mut m) = m {
            m.file = FileId(m.file.0 + offset);
            for o in m.overlays.values_mut() {
                o.file = FileId(o.file.0 + offset);
            }
            project.municipalities.push(m);
        }
    }
    first..project.municipalities.len()
}

fn load_catalog_form(project: &mut Project, path: &Path, archived: bool, diags: &mut Diagnostics) {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let Some((file, form)) = parse_file::<Form>(&mut project.sources, path, diags) else {
        let id = stem.split('@').next().unwrap_or(stem);
        project.unreadable_catalog.push(id.to_string());
        return;
    };
    let expected = if archived {
        format!("{}@{}", form.id, form.version)
    } else {
        form.id.clone()
    };
    if stem != expected {
        let message = if archived {
            msg!("archived-file-name", expected = expected)
        } else {
            msg!("catalog-file-name", expected = expected)
        };
        diags.error_help(
            &project.sources,
            file,
            "id",
            message,
            msg!("file-name-help"),
        );
    }
    project.catalog.push(CatalogForm {
        form: form.into(),
        file,
        archived,
    });
}

/// Loads the municipality folder `dir`, its files added to `sources`.
fn load_municipality(
    sources: &mut Sources,
    dir: &Path,
    diags: &mut Diagnostics,
) -> Option<LoadedMunicipality> {
    let path = dir.join("municipality.yaml");
    if !path.is_file() {
        diags.file_error(&path, msg!("municipality-file-missing"));
        return None;
    }
    let (file, config) = parse_file_noting::<Municipality>(sources, &path, USES, diags)?;
    let mut overlays = BTreeMap::new();
    for (index, form_use) in config.forms.iter().enumerate() {
        let Some(rel) = &form_use.overlay else {
            continue;
        };
        let yaml_path = format!("forms[{index}].overlay");
        let Some(overlay_path) = referenced_file(sources, file, &yaml_path, dir, rel, diags) else {
            continue;
        };
        if let Some((ofile, overlay)) = parse_file::<Overlay>(sources, &overlay_path, diags) {
            overlays.insert(
                index,
                LoadedOverlay {
                    overlay,
                    file: ofile,
                },
            );
        }
    }
    let mut pages = BTreeMap::new();
    for (kind, texts) in [
        ("imprint", &config.pages.imprint),
        ("privacy", &config.pages.privacy),
        ("accessibility", &config.pages.accessibility),
    ] {
        for (lang, rel) in texts {
            let yaml_path = format!("pages.{kind}.{lang}");
            let Some(page_path) = referenced_file(sources, file, &yaml_path, dir, rel, diags)
            else {
                continue;
            };
            match fs::read_to_string(&page_path) {
                Ok(markdown) => {
                    pages.insert(
                        (kind.to_string(), lang.clone()),
                        Page {
                            path: page_path,
                            markdown,
                        },
                    );
                }
                Err(err) => diags.file_error(
                    &page_path,
                    msg!("page-unreadable", problem = err.to_string()),
                ),
            }
        }
    }
    Some(LoadedMunicipality {
        config,
        file,
        dir: dir.to_path_buf(),
        overlays,
        pages,
    })
}

/// Resolves a path written in a municipality file; reports it if it leaves the folder or does
/// not exist.
pub fn referenced_file(
    sources: &Sources,
    file: FileId,
    yaml_path: &str,
    dir: &Path,
    rel: &str,
    diags: &mut Diagnostics,
) -> Option<PathBuf> {
    let rel_path = Path::new(rel);
    let escapes = rel_path.is_absolute()
        || rel_path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir));
    if escapes {
        diags.error(
            sources,
            file,
            yaml_path,
            msg!("path-outside-folder", path = rel),
        );
        return None;
    }
    let full = dir.join(rel_path);
    if !full.is_file() {
        let siblings = full
            .parent()
            .map(|p| {
                fs::read_dir(p)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let name = rel_path.file_name().and_then(|n| n.to_str()).unwrap_or(rel);
        let hint = suggestion(name, siblings.iter().map(String::as_str));
        diags.error(
            sources,
            file,
            yaml_path,
            msg!("file-not-found", path = rel, hint = hint),
        );
        return None;
    }
    Some(full)
}

/// Where each `use:` of a municipality file is: the drift report shows it for every form pinned
/// below the newest catalog version, so it is noted during the one parse.
const USES: &[Step] = &[Step::Key("forms"), Step::Item, Step::Key("use")];

/// Reads and deserializes one YAML file; problems become diagnostics.
pub fn parse_file<T: DeserializeOwned>(
    sources: &mut Sources,
    path: &Path,
    diags: &mut Diagnostics,
) -> Option<(FileId, T)> {
    let file = read_source(sources, path, diags)?;
    parse_source(sources, file, diags).map(|value| (file, value))
}

/// [`parse_file`], noting where the values at paths matching `pattern` are
/// ([`Sources::note`]), so that asking for their position needs no index of the file.
fn parse_file_noting<T: DeserializeOwned>(
    sources: &mut Sources,
    path: &Path,
    pattern: &'static [Step],
    diags: &mut Diagnostics,
) -> Option<(FileId, T)> {
    let file = read_source(sources, path, diags)?;
    parse_noting(sources, file, Some(pattern), diags).map(|value| (file, value))
}

/// Reads a file into `sources`; a file that cannot be read or is not UTF-8 is a diagnostic.
fn read_source(sources: &mut Sources, path: &Path, diags: &mut Diagnostics) -> Option<FileId> {
    let text = match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                diags.file_error(
                    path,
                    msg!("not-utf8", byte = err.utf8_error().valid_up_to()),
                );
                return None;
            }
        },
        Err(err) => {
            diags.file_error(path, msg!("file-unreadable", problem = err.to_string()));
            return None;
        }
    };
    Some(sources.add(path.to_path_buf(), text))
}

/// Deserializes an already added source.
pub fn parse_source<T: DeserializeOwned>(
    sources: &Sources,
    file: FileId,
    diags: &mut Diagnostics,
) -> Option<T> {
    parse_noting(sources, file, None, diags)
}

/// [`parse_source`], noting the positions of the values at paths matching `pattern`.
fn parse_noting<T: DeserializeOwned>(
    sources: &Sources,
    file: FileId,
    pattern: Option<&'static [Step]>,
    diags: &mut Diagnostics,
) -> Option<T> {
    let source = sources.get(file);
    // Parsed once; the positions are looked up only for a file with something to report.
    let (parsed, doubtful) = match pattern {
        None => repeated_keys::from_str::<T>(&source.text),
        Some(pattern) => {
            let (parsed, doubtful, found) =
                repeated_keys::from_str_noting::<T>(&source.text, pattern);
            // Only a clean file's positions are the index's (a key written twice moves them).
            if !doubtful && parsed.is_ok() {
                sources.note(file, positions::borrowed_scalars(&source.text, found));
            }
            (parsed, doubtful)
        }
    };
    if !doubtful && let Ok(value) = parsed {
        return Some(value);
    }
    // A key written twice: serde_yaml refuses it in a struct (at the mapping, not the key) and
    // silently keeps the last one in a map of texts. Each is reported at its second
    // occurrence, naming the first.
    let duplicates = source.index().duplicates();
    for d in &duplicates {
        diags.push_at(
            sources,
            file,
            d.again,
            Severity::Error,
            msg!("key-twice", key = &d.key),
            Some(msg!(
                "key-twice-help",
                key = &d.key,
                line = d.first.line,
                column = d.first.column
            )),
        );
    }
    match parsed {
        Ok(_) if !duplicates.is_empty() => None,
        Ok(value) => Some(value),
        Err(_) if !duplicates.is_empty() => None,
        Err(err) => {
            let pos = err
                .location()
                .map(|l| Pos {
                    line: l.line(),
                    column: l.column(),
                })
                .unwrap_or(Pos { line: 1, column: 1 });
            let (message, help, detail) = explain_yaml_error(&err.to_string());
            diags.push_at(sources, file, pos, Severity::Error, message, help);
            if let Some(last) = diags.items.last_mut() {
                last.detail = detail;
            }
            None
        }
    }
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    files.sort();
    files
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}
