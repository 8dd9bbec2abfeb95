//! `formfabrik build`: the static site of every municipality in every language it offers, the
//! JSON Schema of every published form, and the registry the function loads. Pages render in
//! parallel on all cores; a file whose content did not change is not rewritten, so a web
//! server's caches and a deploy's diff stay quiet; a municipality whose inputs and files did
//! not change since the last build is not rendered at all (`state`).
//!
//! This module plans and writes; the pages are rendered by the `view` crate.

pub mod artifacts;
pub mod assets;
mod checked;
pub mod crawlers;
pub mod pages;
pub mod portal;
mod registered;
mod write;

pub use write::{stream_if_changed, write_if_changed};

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use thiserror::Error;

use form_model::CheckReport;
use form_model::load::LoadedMunicipality;
use form_model::model::Municipality;
use form_model::registry::RegistryMunicipality;
use form_model::resolve::ResolvedForm;
use view::bundle::SiteBundle;
use view::paths::origin_of;
use view::{Site, SiteAddress, SiteAssets, Theme, ViewError, script};

use crate::spill::Spill;
use crate::state;
use assets::Assets;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub forms_dir: PathBuf,
    pub templates_dir: PathBuf,
    pub out_dir: PathBuf,
    /// Local try-out: pages of municipality `m` live at `<base>/<m>` and post to `<base>/v1`
    /// instead of their published origin and endpoint.
    pub local_base: Option<String>,
    /// Draw a progress bar (only when stdout is a terminal).
    pub progress: bool,
    /// Add the reload script `formfabrik serve` uses to refresh pages after a rebuild.
    pub dev_reload: bool,
}

/// What a build did.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// Pages of all sites: rendered now or still as the last build left them.
    pub pages: usize,
    /// Pages rendered by this build; the others belong to municipalities whose inputs and
    /// files did not change (see `state`).
    pub rendered: usize,
    pub written: usize,
    pub unchanged: usize,
    pub municipalities: usize,
    pub forms: usize,
    pub elapsed: Duration,
    /// Whether the forms were loaded and checked; `false` when nothing the build reads or
    /// writes had changed since the last build (see `state`).
    pub checked: bool,
}

#[derive(Debug, Error)]
pub enum BuildError {
    #[error("the forms have errors; `formfabrik check` lists them")]
    Check(Box<CheckReport>),
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    /// A template or the site texts.
    #[error(transparent)]
    View(#[from] ViewError),
}

/// Writes one output file: counts it, and records it for the next build's state.
pub type Put<'a> = dyn FnMut(PathBuf, &[u8]) -> Result<(), BuildError> + 'a;

/// Writes one output file whose bytes a function writes into a stream, without holding them;
/// several files at once (on threads of their own).
pub type PutStream<'a> = dyn Fn(PathBuf, &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> Result<(), BuildError>
    + Sync
    + 'a;

fn file_error(path: &Path, err: impl std::fmt::Display) -> BuildError {
    BuildError::File {
        path: path.to_path_buf(),
        message: err.to_string(),
    }
}

/// Builds everything. Fails (without writing) when the forms have errors.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let since = std::time::SystemTime::now();
    // The last build's state and the forms folder's files, read side by side.
    let (previous, inputs) = rayon::join(
        || state::BuildState::load(&opts.out_dir),
        || state::scan_inputs(&opts.forms_dir, since),
    );
    let global_key = state::global_key(
        &opts.templates_dir,
        &format!("{:?} {}", opts.local_base, opts.dev_reload),
    )
    .map_err(|e| file_error(&opts.templates_dir, e))?;
    // Nothing read or written changed since the last build: it would write the same files.
    let whole_key = state::whole_key(&global_key, &opts.forms_dir);
    let inputs = inputs.map_err(|e| file_error(&opts.forms_dir, e))?;
    let out = state::OutDir::open(&opts.out_dir);
    if let Some(summary) = previous.nothing_changed(&out, &whole_key, &inputs) {
        return Ok(BuildReport {
            pages: summary.pages,
            rendered: 0,
            written: 0,
            unchanged: previous.files(),
            municipalities: summary.municipalities,
            forms: summary.forms,
            elapsed: started.elapsed(),
            checked: false,
        });
    }
    // Every municipality is checked before anything is written; each checked chunk waits on
    // disk until it is built, so that memory does not grow with the municipalities.
    let aside = spill_dir(&opts.out_dir);
    let aside_error = |e: io::Error| file_error(&aside, format!("checked municipalities: {e}"));
    let mut forms = checked::Forms::new(&aside).map_err(aside_error)?;
    let mut checked = checked::Checked::new(&aside).map_err(aside_error)?;
    let mut checking = form_model::Checking::start(&opts.forms_dir);
    // A chunk is put aside while the next one is checked (putting aside is one thread's work
    // at its start, and the check's merging of a chunk's files too).
    let mut passed = None;
    loop {
        let (next, put) = rayon::join(
            || checking.next(),
            || {
                passed
                    .take()
                    .map_or(Ok(()), |chunk| checked.put(chunk, &mut forms))
            },
        );
        put.map_err(aside_error)?;
        match next {
            Some(chunk) if !checking.has_errors() => passed = Some(chunk),
            _ => break,
        }
    }
    if checking.has_errors() {
        // The report of every finding, as `check` makes it, for the one who fixes them: the
        // chunks checked were let go of, and those after the first error were not checked.
        drop(checking);
        return Err(BuildError::Check(Box::new(form_model::check(
            &opts.forms_dir,
        ))));
    }
    // The catalog, for the registry's earlier versions; the files' text and positions and the
    // catalog's findings were for the check's messages.
    let (project, _) = checking.finish();
    let catalog = project.catalog;
    let theme = Theme::load(&opts.templates_dir)?;
    let assets = Assets::load(&opts.templates_dir)?;
    let written = AtomicUsize::new(0);
    let unchanged = AtomicUsize::new(0);
    let rendered = AtomicUsize::new(0);
    let count = |wrote: bool| {
        if wrote {
            written.fetch_add(1, Ordering::Relaxed);
        } else {
            unchanged.fetch_add(1, Ordering::Relaxed);
        }
    };
    let total = checked.pages;
    let bar = progress_bar(opts.progress, total);
    let skipped = AtomicUsize::new(0);
    // Each municipality's build-state entry and its site's part of the function's theme wait
    // on disk until their files are written, so that memory does not grow with them.
    let spill = |what: &str| {
        Spill::new(&opts.out_dir).map_err(|e| file_error(&opts.out_dir, format!("{what}: {e}")))
    };
    let entries = spill("the build state's entries")?;
    let sites = spill("the theme's sites")?;
    let jsons = artifacts::FormJsons::default();
    let copies = write::Copies::default();
    let contracts = inbox::contract::SharedContracts::default();
    let summary_counts = (checked.municipalities, checked.published);
    let mut registered = registered::Registered::new(&aside).map_err(aside_error)?;

    // Each municipality is built on its own (in parallel): its pages are rendered and written
    // as they are made, so memory holds one municipality per core, not the whole country.
    // What the function's files need of it is put into a spill (its registry entries, its
    // theme part, its state entry), and then it is let go of.
    let build_one = |(m, resolved): (LoadedMunicipality, Vec<ResolvedForm>)| -> Result<
        (RegistryMunicipality, Vec<ResolvedForm>),
        BuildError,
    > {
        let id = &m.config.id;
        let forms: Vec<&ResolvedForm> = resolved.iter().collect();
        let forms = forms.as_slice();
        let site_files = assets.for_site(&m, forms)?;
        // What the function needs to render its form pages, up to date or not.
        let bundle = site_bundle(opts, &assets, &m, forms, site_files.names)?;
        let registered = RegistryMunicipality::of(&m, &bundle.address.url);
        let spilled = |e: io::Error| file_error(&opts.out_dir, format!("{id}: {e}"));
        sites.put(id, &bundle).map_err(spilled)?;
        let key = state::municipality_key(&global_key, &m, forms);
        if let Some(entry) = key
            .as_deref()
            .and_then(|k| previous.up_to_date(&out, id, k))
        {
            skipped.fetch_add(entry.pages, Ordering::Relaxed);
            unchanged.fetch_add(entry.files.len(), Ordering::Relaxed);
            if let Some(bar) = &bar {
                bar.inc(entry.pages as u64);
            }
            entries.put(id, entry).map_err(spilled)?;
            return Ok((registered, resolved));
        }
        let dir = opts.out_dir.join("site").join(id);
        let assets_dir = dir.join("assets");
        let schema_file = dir.join(portal::SCHEMA_FILE);
        // Every file this municipality gets, for the state the next build compares with.
        let mut outputs: Vec<state::OutputFile> = Vec::new();
        let mut writer = write::Writer::default();
        let mut put = |path: PathBuf, bytes: &[u8]| -> Result<(), BuildError> {
            // Every file in a site's `assets/` is named by its content (`assets`); those all
            // sites share are written once and linked (a site's own are not kept track of).
            // So is the portal list's schema, the same bytes under the same name in every
            // site (10,800 file creations fewer in a country's cold build).
            let shared = (path.parent() == Some(assets_dir.as_path())
                && path
                    .file_name()
                    .is_some_and(|n| assets.shared(&n.to_string_lossy())))
                || path == schema_file;
            let (wrote, meta) = match shared {
                true => writer.write_named(&path, bytes, &copies)?,
                false => writer.write(&path, bytes)?,
            };
            count(wrote);
            outputs.push(
                state::OutputFile::with_metadata(&opts.out_dir, &path, &meta)
                    .map_err(|e| file_error(&path, e))?,
            );
            Ok(())
        };
        let site = Site {
            dev_reload: opts.dev_reload,
            ..bundle.on_site()
        };
        for (name, bytes) in &site_files.files {
            put(dir.join("assets").join(name), bytes)?;
        }
        let sources = Sources {
            theme: &theme,
            assets: &assets,
        };
        let pages = write_site(&dir, &sources, &site, &m, forms, &mut put, &|| {
            rendered.fetch_add(1, Ordering::Relaxed);
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        })?;
        // The importer contract of each form: its JSON Schema, CSV columns and the form as
        // published.
        for form in forms {
            artifacts::write_contract(
                &opts.out_dir,
                form,
                &m.config.contact,
                &jsons,
                &contracts,
                &mut put,
            )?;
        }
        if let Some(key) = key {
            entries
                .put(id, &state::record(key, pages, outputs))
                .map_err(spilled)?;
        }
        Ok((registered, resolved))
    };
    // While a chunk is built, the one before is registered and the one after read back (on
    // the side: each is done by one thread, and a chunk's last municipalities leave the
    // other cores idle).
    let register = |registered: &mut registered::Registered,
                    made: Vec<(RegistryMunicipality, Vec<ResolvedForm>)>|
     -> io::Result<()> {
        for (m, resolved) in &made {
            registered.put(m, resolved, &forms, &catalog)?;
        }
        Ok(())
    };
    let mut chunks = checked.chunks(&forms).map_err(aside_error)?;
    let mut next = chunks.next().transpose().map_err(aside_error)?;
    let mut made = Vec::new();
    while let Some(chunk) = next.take() {
        let (built, (registered_before, read)) = rayon::join(
            || {
                chunk
                    .into_par_iter()
                    .map(&build_one)
                    .collect::<Result<Vec<_>, _>>()
            },
            || {
                (
                    register(&mut registered, std::mem::take(&mut made)),
                    chunks.next().transpose(),
                )
            },
        );
        registered_before.map_err(aside_error)?;
        made = built?;
        next = read.map_err(aside_error)?;
    }
    register(&mut registered, made).map_err(aside_error)?;
    drop(chunks);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    drop(checked);

    registered.flush().map_err(aside_error)?;
    let function_files = Mutex::new(Vec::new());
    let function = artifacts::Function {
        registered: &registered,
        forms: &forms,
        theme: &theme,
        sites: &sites,
    };
    artifacts::write_function(opts, function, &|path, write| {
        count(stream_if_changed(&path, write)?);
        function_files.lock().expect("files lock").push(path);
        Ok(())
    })?;
    drop(registered);
    // In the order the function's files are named, whichever was written first.
    let mut function_files = function_files.into_inner().expect("files lock");
    function_files.sort();

    let rendered = rendered.into_inner();
    let summary = state::Summary {
        pages: rendered + skipped.into_inner(),
        municipalities: summary_counts.0,
        forms: summary_counts.1,
    };
    let function_files = state::outputs(&opts.out_dir, &function_files)
        .map_err(|e| file_error(&opts.out_dir.join("function"), e))?;
    state::BuildState::new(Some((whole_key, inputs, function_files, summary)))
        .save(&opts.out_dir, &entries)
        .map_err(|e| file_error(&opts.out_dir.join(state::STATE_FILE), e))?;

    Ok(BuildReport {
        pages: summary.pages,
        rendered,
        written: written.into_inner(),
        unchanged: unchanged.into_inner(),
        municipalities: summary.municipalities,
        forms: summary.forms,
        elapsed: started.elapsed(),
        checked: true,
    })
}

/// Where the checked municipalities and the registry's entries wait until they are used
/// (unnamed temporary files, gone when the build ends): the output folder, or, before the
/// check has passed and so before anything is written there, the nearest folder above it
/// that exists.
fn spill_dir(out_dir: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|dir| dir.is_dir())
        .map_or_else(std::env::temp_dir, Path::to_path_buf)
}

/// The templates and asset sources every site is made from.
struct Sources<'a> {
    theme: &'a Theme,
    assets: &'a Assets,
}

/// Writes the pages of municipality `m`'s `site` in every language into `dir` with `put`,
/// each with the page script it loads, calling `done` after each page; then its robots.txt,
/// sitemap and list of online services. Returns the number of pages.
fn write_site(
    dir: &Path,
    Sources { theme, assets }: &Sources,
    site: &Site,
    m: &LoadedMunicipality,
    forms: &[&ResolvedForm],
    put: &mut Put<'_>,
    done: &dyn Fn(),
) -> Result<usize, BuildError> {
    let mut jobs = Vec::new();
    for lang in &m.config.languages {
        jobs.extend(pages::plan(theme, assets, site, m, forms, lang)?);
    }
    let mut scripts = HashSet::new();
    let count = jobs.len();
    let mut links = Vec::with_capacity(count);
    for job in jobs {
        if let Some(script) = &job.script
            && scripts.insert(script.name.clone())
        {
            put(dir.join("assets").join(&script.name), &script.bytes)?;
        }
        let html = theme.render(&job.page)?;
        put(dir.join(&job.page.path), html.as_bytes())?;
        links.push(job.page.links);
        done();
    }
    // For crawlers and the portal network, from the addresses the pages name.
    let url = &site.address.url;
    put(dir.join("robots.txt"), crawlers::robots_txt(url).as_bytes())?;
    put(
        dir.join("sitemap.xml"),
        &crawlers::sitemap_xml(&links.iter().collect::<Vec<_>>()),
    )?;
    portal::write(dir, &m.config, url, forms, put)?;
    Ok(count)
}

/// Where municipality `m`'s pages are: its published origin, or `<base>/<m>` for a local
/// try-out.
fn site_url(opts: &BuildOptions, m: &Municipality) -> String {
    match &opts.local_base {
        Some(base) => format!("{}/{}", base.trim_end_matches('/'), m.id),
        None => m.site_origin.clone(),
    }
}

/// Everything besides the templates that `m`'s form pages need: where the site is, where its
/// forms post, and the assets each page loads.
fn site_bundle(
    opts: &BuildOptions,
    assets: &Assets,
    m: &LoadedMunicipality,
    forms: &[&ResolvedForm],
    site_assets: SiteAssets,
) -> Result<SiteBundle, BuildError> {
    let endpoint = match &opts.local_base {
        Some(base) => format!("{}/v1", base.trim_end_matches('/')),
        None => m
            .config
            .submission_endpoint
            .trim_end_matches('/')
            .to_string(),
    };
    let url = site_url(opts, &m.config);
    let mut scripts = BTreeMap::new();
    for form in forms {
        let script = assets.script(&script::form_parts(&form.form))?;
        scripts.insert(form.form.id.clone(), script.name.clone());
    }
    Ok(SiteBundle {
        municipality: m.config.clone(),
        address: SiteAddress {
            origin: origin_of(&url).to_string(),
            url,
        },
        endpoint_origin: origin_of(&endpoint).to_string(),
        endpoint,
        assets: site_assets,
        scripts,
    })
}

fn progress_bar(enabled: bool, len: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stdout().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} pages {elapsed}")
            .expect("static template"),
    );
    Some(bar)
}
