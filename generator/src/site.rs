//! `formfabrik build`: the static site of every municipality in every language it offers, the
//! JSON Schema of every published form, and the registry the function loads. Pages render in
//! parallel on all cores; a file whose content did not change is not rewritten, so a web
//! server's caches and a deploy's diff stay quiet; a municipality whose inputs and files did
//! not change since the last build is not rendered at all (`state`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tera::{Context, Tera};
use thiserror::Error;

use form_model::load::LoadedMunicipality;
use form_model::registry::Registry;
use form_model::resolve::ResolvedForm;
use form_model::validate::text_in;
use form_model::{CheckReport, Diagnostics, lint};

use crate::markdown;
use crate::script;
use crate::state;
use crate::view;

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
}

#[derive(Debug, Error)]
pub enum BuildError {
    #[error("the forms have errors; `formfabrik check` lists them")]
    Check(Box<CheckReport>),
    #[error("template error: {0}")]
    Template(String),
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("{path}: the site texts have no \"{key}\" in {lang}; add it")]
    MissingString {
        path: PathBuf,
        key: String,
        lang: String,
    },
}

fn file_error(path: &Path, err: impl std::fmt::Display) -> BuildError {
    BuildError::File {
        path: path.to_path_buf(),
        message: err.to_string(),
    }
}

fn template_error(err: tera::Error) -> BuildError {
    // tera's Display is the outermost cause only; the chain says what went wrong.
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    BuildError::Template(message)
}

/// The frame texts (`site-templates/strings.yaml`): key → language → text.
pub type Strings = BTreeMap<String, BTreeMap<String, String>>;

/// Loaded templates, texts and asset sources.
pub struct Theme {
    pub tera: Tera,
    pub strings: Strings,
    strings_path: PathBuf,
    css: Vec<u8>,
    /// The search box's styles (`assets/combobox.css`), for pages with a long list only.
    combobox_css: Vec<u8>,
    js_source: String,
    js_path: PathBuf,
    /// Minified script variants by the parts they keep (a handful per build; see `script`).
    scripts: Mutex<HashMap<BTreeSet<&'static str>, Arc<Script>>>,
}

/// One variant of the page script, as shipped.
pub struct Script {
    /// Content-addressed file name: `site.3f2a9c1b7e.js`.
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Theme {
    pub fn load(dir: &Path) -> Result<Theme, BuildError> {
        let glob = format!("{}/**/*.html", dir.display());
        let mut tera = Tera::new(&glob).map_err(template_error)?;
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape_html);
        let strings_path = dir.join("strings.yaml");
        let text = fs::read_to_string(&strings_path).map_err(|e| file_error(&strings_path, e))?;
        let strings: Strings =
            serde_yaml::from_str(&text).map_err(|e| file_error(&strings_path, e))?;
        let read = |name: &str| {
            let p = dir.join("assets").join(name);
            fs::read(&p).map_err(|e| file_error(&p, e))
        };
        let css_path = dir.join("assets/site.css");
        let js_path = dir.join("assets/site.js");
        let css = minify_css(&String::from_utf8_lossy(&read("site.css")?))
            .map_err(|e| file_error(&css_path, e))?;
        let combobox_path = dir.join("assets/combobox.css");
        let combobox_css = minify_css(&String::from_utf8_lossy(&read("combobox.css")?))
            .map_err(|e| file_error(&combobox_path, e))?;
        let js_source = String::from_utf8_lossy(&read("site.js")?).into_owned();
        let theme = Theme {
            tera,
            strings,
            strings_path,
            css: css.into_bytes(),
            combobox_css: combobox_css.into_bytes(),
            js_source,
            js_path,
            scripts: Mutex::new(HashMap::new()),
        };
        // Every part at once: a mistake in the script stops the build here, not halfway.
        theme.script(&script::PARTS.into_iter().collect())?;
        Ok(theme)
    }

    /// The page script with exactly `parts` (see [`script`]), minified and fingerprinted.
    pub fn script(&self, parts: &BTreeSet<&'static str>) -> Result<Arc<Script>, BuildError> {
        if let Some(s) = self.scripts.lock().expect("not poisoned").get(parts) {
            return Ok(s.clone());
        }
        let made = script::select(&self.js_source, parts)
            .and_then(|source| minify_js(&source))
            .map_err(|e| file_error(&self.js_path, e))?;
        let made = Arc::new(Script {
            name: fingerprint("site", "js", made.as_bytes()),
            bytes: made.into_bytes(),
        });
        Ok(self
            .scripts
            .lock()
            .expect("not poisoned")
            .entry(parts.clone())
            .or_insert(made)
            .clone())
    }

    /// The frame texts in `lang`; every key must exist.
    pub fn strings_in(&self, lang: &str) -> Result<BTreeMap<String, String>, BuildError> {
        self.strings
            .iter()
            .map(|(key, texts)| match texts.get(lang) {
                Some(t) if !t.trim().is_empty() => Ok((key.clone(), t.clone())),
                _ => Err(BuildError::MissingString {
                    path: self.strings_path.clone(),
                    key: key.clone(),
                    lang: lang.to_string(),
                }),
            })
            .collect()
    }
}

/// HTML escaping for text and double-quoted attributes (every attribute in the templates is
/// double-quoted). Unlike tera's default it leaves `/` and `'` alone, so URLs and the CSP stay
/// readable and pages smaller.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// The page script as shipped: minified with oxc (names mangled), so every form page stays
/// light. The differential test and the browser tests run this output, not the source.
pub fn minify_js(source: &str) -> Result<String, String> {
    use oxc_allocator::Allocator;
    use oxc_codegen::{Codegen, CodegenOptions};
    use oxc_minifier::{Minifier, MinifierOptions};
    use oxc_parser::Parser;
    use oxc_span::SourceType;
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::cjs()).parse();
    if let Some(first) = parsed.diagnostics.first() {
        return Err(format!("JavaScript does not parse: {first}"));
    }
    let mut program = parsed.program;
    let minified = Minifier::new(MinifierOptions::default()).minify(&allocator, &mut program);
    Ok(Codegen::new()
        .with_options(CodegenOptions::minify())
        .with_scoping(minified.scoping)
        .build(&program)
        .code)
}

/// The stylesheet as shipped: comments and whitespace removed.
pub fn minify_css(source: &str) -> Result<String, String> {
    minifier::css::minify(source)
        .map(|m| m.to_string())
        .map_err(|e| format!("CSS does not parse: {e}"))
}

/// A page to render: template, context, target file.
struct PageJob {
    path: PathBuf,
    /// The script variant the page loads, if any.
    script: Option<Arc<Script>>,
    template: &'static str,
    context: Context,
}

/// Content-addressed name: `site.3f2a9c1b7e.css`.
fn fingerprint(stem: &str, ext: &str, bytes: &[u8]) -> String {
    let hash = hex::encode(Sha256::digest(bytes));
    format!("{stem}.{}.{ext}", &hash[..10])
}

/// Writes `bytes` unless the file already holds exactly them. Returns whether it wrote.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool, BuildError> {
    if let Ok(existing) = fs::read(path)
        && existing == bytes
    {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| file_error(parent, e))?;
    }
    fs::write(path, bytes).map_err(|e| file_error(path, e))?;
    Ok(true)
}

#[derive(Serialize)]
struct LangLink {
    code: String,
    name: String,
    href: String,
    current: bool,
}

/// Per municipality: what every page of it shares.
struct SiteInfo<'a> {
    m: &'a LoadedMunicipality,
    dev_reload: bool,
    endpoint: String,
    assets: Value,
}

/// Builds everything. Fails (without writing) when the forms have errors.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let report = form_model::check(&opts.forms_dir);
    if !report.is_ok() {
        return Err(BuildError::Check(Box::new(report)));
    }
    let theme = Theme::load(&opts.templates_dir)?;
    let site_dir = opts.out_dir.join("site");
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
    let css = fingerprint("site", "css", &theme.css);
    let combobox_css = fingerprint("combobox", "css", &theme.combobox_css);
    let mut by_municipality: std::collections::HashMap<&str, Vec<&ResolvedForm>> =
        std::collections::HashMap::new();
    for f in &report.resolved {
        by_municipality
            .entry(f.municipality.id.as_str())
            .or_default()
            .push(f);
    }
    // Per language: the index, two pages per form, three legal pages and the feedback page.
    let total: usize = report
        .project
        .municipalities
        .iter()
        .map(|m| {
            let forms = by_municipality
                .get(m.config.id.as_str())
                .map_or(0, Vec::len);
            m.config.languages.len() * (1 + 2 * forms + 4)
        })
        .sum();
    let bar = progress_bar(opts.progress, total);
    let previous = state::BuildState::load(&opts.out_dir);
    let global_key = state::global_key(
        &opts.templates_dir,
        &format!("{:?} {}", opts.local_base, opts.dev_reload),
    )
    .map_err(|e| file_error(&opts.templates_dir, e))?;
    let skipped = AtomicUsize::new(0);
    let entries = Mutex::new(BTreeMap::new());

    // Each municipality is built on its own (in parallel): its pages are rendered and written
    // as they are made, so memory holds one municipality per core, not the whole country.
    report
        .project
        .municipalities
        .par_iter()
        .try_for_each(|m| -> Result<(), BuildError> {
            let id = &m.config.id;
            let mdir = site_dir.join(id);
            let forms: &[&ResolvedForm] =
                by_municipality.get(id.as_str()).map_or(&[], Vec::as_slice);
            let key = state::municipality_key(&global_key, m, forms);
            if let Some(entry) = key
                .as_deref()
                .and_then(|k| previous.up_to_date(&opts.out_dir, id, k))
            {
                skipped.fetch_add(entry.pages, Ordering::Relaxed);
                unchanged.fetch_add(entry.files.len(), Ordering::Relaxed);
                if let Some(bar) = &bar {
                    bar.inc(entry.pages as u64);
                }
                entries
                    .lock()
                    .expect("state lock")
                    .insert(id.clone(), entry.clone());
                return Ok(());
            }
            // Every file this municipality gets, for the state the next build compares with.
            let mut outputs: Vec<PathBuf> = Vec::new();
            let mut put = |path: PathBuf, bytes: &[u8]| -> Result<(), BuildError> {
                count(write_if_changed(&path, bytes)?);
                outputs.push(path);
                Ok(())
            };
            // Assets go into every municipality's folder: each site can be deployed on its own.
            let brand_css = format!(
                "/* {} */\n:root {{ --brand: {}; }}\n",
                m.config.name, m.config.branding.primary_color
            );
            let brand = fingerprint("brand", "css", brand_css.as_bytes());
            put(mdir.join("assets").join(&css), &theme.css)?;
            put(mdir.join("assets").join(&brand), brand_css.as_bytes())?;
            if forms
                .iter()
                .any(|f| script::form_parts(&f.form).contains("combobox"))
            {
                put(mdir.join("assets").join(&combobox_css), &theme.combobox_css)?;
            }
            let logo = match &m.config.branding.logo {
                Some(rel) => {
                    let src = m.dir.join(rel);
                    let bytes = fs::read(&src).map_err(|e| file_error(&src, e))?;
                    let ext = src.extension().and_then(|e| e.to_str()).unwrap_or("svg");
                    let name = fingerprint("logo", ext, &bytes);
                    put(mdir.join("assets").join(&name), &bytes)?;
                    Some(name)
                }
                None => None,
            };
            let endpoint = match &opts.local_base {
                Some(base) => format!("{}/v1", base.trim_end_matches('/')),
                None => m
                    .config
                    .submission_endpoint
                    .trim_end_matches('/')
                    .to_string(),
            };
            let info = SiteInfo {
                m,
                dev_reload: opts.dev_reload,
                endpoint,
                assets: json!({ "css": css, "brand": brand, "logo": logo, "combobox": combobox_css }),
            };
            let mut jobs = Vec::new();
            for lang in &m.config.languages {
                page_jobs(&theme, &info, forms, lang, &mdir, &mut jobs)?;
            }
            let mut scripts = HashSet::new();
            let pages = jobs.len();
            for job in jobs {
                if let Some(script) = &job.script
                    && scripts.insert(script.name.clone())
                {
                    put(mdir.join("assets").join(&script.name), &script.bytes)?;
                }
                let html = theme
                    .tera
                    .render(job.template, &job.context)
                    .map_err(template_error)?;
                put(job.path, html.as_bytes())?;
                rendered.fetch_add(1, Ordering::Relaxed);
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
            }
            // The importer contract of each form: its JSON Schema and CSV columns.
            for form in forms {
                let path = opts.out_dir.join(format!(
                    "schemas/{}/{}/v{}.schema.json",
                    form.municipality.id, form.form.id, form.form.version
                ));
                let schema_value = form_model::schema::json_schema(form);
                let schema =
                    serde_json::to_string_pretty(&schema_value).expect("schemas serialize");
                put(path.clone(), schema.as_bytes())?;
                // The CSV column spec of `formfabrik inbox export` (docs/backoffice.md).
                let columns = inbox::export::column_spec(&schema_value);
                put(
                    path.with_extension("").with_extension("csv-columns.json"),
                    (serde_json::to_string_pretty(&columns).expect("JSON serializes") + "\n")
                        .as_bytes(),
                )?;
            }
            if let Some(key) = key {
                let entry = state::record(&opts.out_dir, key, pages, &outputs)
                    .map_err(|e| file_error(&mdir, e))?;
                entries
                    .lock()
                    .expect("state lock")
                    .insert(id.clone(), entry);
            }
            Ok(())
        })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    // The function's registry.
    let registry = Registry::build(&report, |m| match &opts.local_base {
        Some(base) => format!("{}/{}", base.trim_end_matches('/'), m.id),
        None => m.site_origin.clone(),
    });
    count(write_if_changed(
        &opts.out_dir.join("function/registry.json"),
        registry.to_json().as_bytes(),
    )?);
    // Retention as code: the bucket's lifecycle rules, the same the SAM template has.
    let lifecycle = submit_fn::lifecycle::configuration(
        &registry,
        submit_fn::lifecycle::DEFAULT_STORAGE_PREFIX,
    );
    count(write_if_changed(
        &opts.out_dir.join("function/lifecycle.json"),
        (serde_json::to_string_pretty(&lifecycle).expect("JSON serializes") + "\n").as_bytes(),
    )?);

    state::BuildState::new(entries.into_inner().expect("state lock"))
        .save(&opts.out_dir)
        .map_err(|e| file_error(&opts.out_dir.join(state::STATE_FILE), e))?;

    let rendered = rendered.into_inner();
    Ok(BuildReport {
        pages: rendered + skipped.into_inner(),
        rendered,
        written: written.into_inner(),
        unchanged: unchanged.into_inner(),
        municipalities: report.project.municipalities.len(),
        forms: report.resolved.len(),
        elapsed: started.elapsed(),
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

/// The site texts the page script shows (`ui` in site.js), by the script part that uses them:
/// a form page carries those of its parts and no others.
pub const SCRIPT_WORDS: [(&str, &[&str]); 3] = [
    (
        "form",
        &[
            "step-of",
            "continue",
            "back",
            "change",
            "review-return",
            "confirm-required",
            "not-answered",
            "sending",
            "send-failed",
            "error-prefix",
        ],
    ),
    ("group", &["group-add", "group-remove"]),
    (
        "combobox",
        &[
            "select-list-add",
            "combobox-hint",
            "combobox-results",
            "combobox-result",
            "combobox-none",
        ],
    ),
];

/// The pages of one municipality in one language.
fn page_jobs(
    theme: &Theme,
    info: &SiteInfo,
    forms: &[&ResolvedForm],
    lang: &str,
    mdir: &Path,
    jobs: &mut Vec<PageJob>,
) -> Result<(), BuildError> {
    let m = &info.m.config;
    let dev_reload = info.dev_reload;
    let strings = theme.strings_in(lang)?;
    let t = |key: &str| strings.get(key).cloned().unwrap_or_default();
    let default_lang = m.languages.first().map(String::as_str) == Some(lang);
    let lang_dir = if default_lang {
        mdir.to_path_buf()
    } else {
        mdir.join(lang)
    };
    // Relative links, so a site works wherever it is put (its own domain or a sub-folder).
    let page_base = |depth: usize| "../".repeat(depth + usize::from(!default_lang));
    let endpoint_origin = submit_fn::respond::origin_of(&info.endpoint);
    let csp = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
         connect-src {endpoint_origin}; form-action {endpoint_origin}; base-uri 'none'"
    );
    let site = json!({
        "id": m.id,
        "name": m.name,
        "contact": m.contact,
        "lang": m.languages.first().cloned().unwrap_or_else(|| "de".into()),
    });
    let notices: Vec<Value> = forms
        .iter()
        .map(|f| privacy_notice(info.m, f, lang, &t))
        .collect();

    // Every page gets the same frame; `rel` is its folder below the language root.
    let mut add = |rel: &str,
                   template: &'static str,
                   title: String,
                   script: Option<Arc<Script>>,
                   extra: Value| {
        let depth = rel.split('/').filter(|s| !s.is_empty()).count();
        let base = page_base(depth);
        let here = format!("{}{}", "../".repeat(depth), "");
        let lang_root = if here.is_empty() {
            "./".to_string()
        } else {
            here.clone()
        };
        let languages: Vec<LangLink> = m
            .languages
            .iter()
            .map(|l| {
                let target_root = if m.languages.first() == Some(l) {
                    base.clone()
                } else {
                    format!("{base}{l}/")
                };
                LangLink {
                    code: l.clone(),
                    name: lint::LANGUAGES
                        .iter()
                        .find(|(c, _, _)| c == l)
                        .map(|(_, n, _)| n.to_string())
                        .unwrap_or_else(|| l.clone()),
                    href: format!("{target_root}{rel}"),
                    current: l == lang,
                }
            })
            .collect();
        let page = json!({
            "lang": lang,
            "dir": if lint::is_rtl(lang) { "rtl" } else { "ltr" },
            "title": title,
            "base": base,
            "home": lang_root,
            "csp": csp,
            "script": script.as_ref().map(|s| s.name.clone()),
            "dev_reload": dev_reload,
            "languages": languages,
            "links": {
                "home": lang_root,
                "imprint": format!("{lang_root}impressum/"),
                "privacy": format!("{lang_root}datenschutz/"),
                "accessibility": format!("{lang_root}barrierefreiheit/"),
                "feedback": format!("{lang_root}feedback/"),
            },
        });
        let mut context = Context::new();
        context.insert("page", &page);
        context.insert("site", &site);
        context.insert("assets", &info.assets);
        context.insert("t", &strings);
        if let Value::Object(extra) = extra {
            for (k, v) in extra {
                context.insert(k, &v);
            }
        }
        jobs.push(PageJob {
            path: lang_dir.join(rel).join("index.html"),
            script,
            template,
            context,
        });
    };

    let services: Vec<Value> = forms
        .iter()
        .map(|f| {
            let title = text_in(&f.form.title, lang);
            let summary = f
                .form
                .intro
                .as_ref()
                .map(|i| first_sentence(&text_in(i, lang)));
            json!({
                "href": format!("{}/", f.form.id),
                "search": format!("{} {}", title, summary.clone().unwrap_or_default()).to_lowercase(),
                "title": title,
                "summary": summary,
            })
        })
        .collect();
    add(
        "",
        "pages/index.html",
        t("services-title"),
        Some(theme.script(&BTreeSet::from(["index"]))?),
        json!({ "services": services }),
    );

    for form in forms {
        let f = &form.form;
        let title = text_in(&f.title, lang);
        let action = format!("{}/{}/{}", info.endpoint, m.id, f.id);
        let has_files = f.fields().any(|x| x.kind == form_model::FieldType::File);
        let script_data = escape_json_for_html(&view::script_data(form, lang));
        let parts = script::form_parts(f);
        let ui: BTreeMap<&str, String> = SCRIPT_WORDS
            .iter()
            .filter(|(part, _)| parts.contains(part))
            .flat_map(|(_, keys)| keys.iter())
            .map(|k| (*k, t(k)))
            .collect();
        add(
            &format!("{}/", f.id),
            "pages/form.html",
            title.clone(),
            Some(theme.script(&parts)?),
            json!({
                "form": {
                    "id": f.id,
                    "title": title,
                    "intro_html": f.intro.as_ref().map(|i| markdown::to_html(&text_in(i, lang), 1)),
                    "action": action,
                    "enctype": if has_files { "multipart/form-data" } else { "application/x-www-form-urlencoded" },
                    "confirmation": "danke/",
                },
                "steps": view::steps(f, lang, &t),
                "fees": view::fees(f, lang),
                "privacy": privacy_notice(info.m, form, lang, &t),
                "script_data": script_data,
                "ui_data": escape_json_for_html(&json!(ui)),
                // Further stylesheets: the search box's, where there is a long list.
                "styles": if parts.contains("combobox") { vec![info.assets["combobox"].clone()] } else { vec![] },
            }),
        );
        add(
            &format!("{}/danke/", f.id),
            "pages/confirmation.html",
            t("confirmation-title"),
            Some(theme.script(&BTreeSet::from(["confirmation"]))?),
            json!({
                "form": { "title": title },
                "reference_pattern": form_model::record::reference_pattern(&m.id),
            }),
        );
    }

    for (kind, slug, key) in [
        ("imprint", "impressum", "imprint"),
        ("privacy", "datenschutz", "privacy"),
        ("accessibility", "barrierefreiheit", "accessibility"),
    ] {
        let body = info
            .m
            .pages
            .get(&(kind.to_string(), lang.to_string()))
            .map(|p| markdown::to_html(&strip_first_h1(&p.markdown), 0))
            .unwrap_or_default();
        let extra = match kind {
            "privacy" => json!({ "body_html": body, "notices": notices }),
            "accessibility" => json!({
                "body_html": body,
                "notices": [],
                "statement": accessibility_statement(m, lang, &t),
            }),
            _ => json!({ "body_html": body, "notices": [] }),
        };
        add(&format!("{slug}/"), "pages/legal.html", t(key), None, extra);
    }
    let mailto = format!(
        "mailto:{}?subject={}",
        m.contact.email,
        percent_encode(&t("feedback-email-subject"))
    );
    add(
        "feedback/",
        "pages/feedback.html",
        t("feedback"),
        None,
        json!({ "feedback_mailto": mailto }),
    );
    Ok(())
}

/// The fields of the accessibility statement in the page's language.
fn accessibility_statement(
    m: &form_model::model::Municipality,
    lang: &str,
    t: &dyn Fn(&str) -> String,
) -> Value {
    let a = &m.accessibility;
    let c = m
        .accessibility
        .feedback_contact
        .as_ref()
        .unwrap_or(&m.contact);
    let date = |iso: &str| statement_date(iso, lang);
    json!({
        "status": t(&format!("a11y-status-{}", a.status.key())),
        "non_accessible": a.non_accessible.iter().map(|x| markdown::inline(&text_in(x, lang))).collect::<Vec<_>>(),
        "prepared": t("a11y-prepared").replace("{date}", &date(&a.prepared_on)),
        "reviewed": a.reviewed_on.as_ref().map(|d| t("a11y-reviewed").replace("{date}", &date(d))),
        "method": t(&format!("a11y-method-{}", a.method.key())),
        "feedback": { "name": c.name, "address": c.address, "phone": c.phone, "email": c.email, "web": c.web },
        "enforcement": a.enforcement_body,
    })
}

/// `2026-11-02` as a German page writes it (`2.11.2026`); other languages keep the ISO form.
fn statement_date(iso: &str, lang: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match (lang, parts.as_slice()) {
        ("de", [y, m, d]) => format!(
            "{}.{}.{y}",
            d.trim_start_matches('0'),
            m.trim_start_matches('0')
        ),
        _ => iso.to_string(),
    }
}

/// The Art. 13 DSGVO notice of one form.
fn privacy_notice(
    m: &LoadedMunicipality,
    form: &ResolvedForm,
    lang: &str,
    t: &dyn Fn(&str) -> String,
) -> Value {
    let c = &m.config;
    let contact = |x: &form_model::model::Contact| {
        format!("{}, {}, {}", x.name, x.address.join(", "), x.email)
    };
    json!({
        "form_id": form.form.id,
        "title": format!("{}: {}", t("privacy-notice-title"), text_in(&form.form.title, lang)),
        "controller": format!("{}, {}, {}", c.name, c.contact.address.join(", "), c.contact.email),
        "dpo": contact(&c.data_protection_officer),
        "purpose_html": markdown::inline(&text_in(&form.form.purpose, lang)),
        "legal_basis_html": markdown::inline(&text_in(&form.form.legal_basis, lang)),
        "recipients_html": form.form.recipients.as_ref().map(|r| markdown::inline(&text_in(r, lang))),
        "retention": t("privacy-retention-days").replace("{n}", &form.form.retention_days.to_string()),
        "authority": contact(&c.supervisory_authority),
    })
}

/// The page's h1 comes from the frame; an author's own top heading would be a second one.
fn strip_first_h1(markdown: &str) -> String {
    let mut lines = markdown.lines().skip_while(|l| l.trim().is_empty());
    match lines.clone().next() {
        Some(first) if first.starts_with("# ") => {
            lines.next();
            lines.collect::<Vec<_>>().join("\n")
        }
        _ => markdown.to_string(),
    }
}

/// The first sentence of a Markdown text, as plain text, for the services list.
fn first_sentence(markdown: &str) -> String {
    let plain: String = markdown
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace("**", "")
        .replace('*', "");
    match plain.find(". ") {
        Some(i) => plain[..=i].to_string(),
        None => plain,
    }
}

/// JSON inside `<script type="application/json">` must not close the element.
fn escape_json_for_html(v: &Value) -> String {
    serde_json::to_string(v)
        .expect("json serializes")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Diagnostics of a failed check, for the CLI.
pub fn diagnostics(err: &BuildError) -> Option<&Diagnostics> {
    match err {
        BuildError::Check(report) => Some(&report.diagnostics),
        _ => None,
    }
}
