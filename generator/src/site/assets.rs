//! The files every site loads besides its pages: the stylesheets and the page script's
//! variants, minified and named by their content (`site.3f2a9c1b7e.css`), so a browser may
//! cache them for ever; the municipality's colour (in its stylesheet) and logo.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use form_model::load::LoadedMunicipality;
use form_model::resolve::ResolvedForm;
use view::SiteAssets;
use view::script;

use super::{BuildError, file_error};

/// The asset sources of the site templates (`assets/`), ready to ship.
pub struct Assets {
    /// The stylesheet, minified; each site's adds the municipality's colour.
    css: Vec<u8>,
    /// The search box's styles (`assets/combobox.css`), for pages with a long list only.
    combobox: Sheet,
    /// The services list's styles (`assets/index.css`), for the index only.
    index: Sheet,
    /// The confirmation page's styles (`assets/confirmation.css`), for it only.
    confirmation: Sheet,
    /// What a form page with sign-in loads on coming back from the provider
    /// (`assets/sign-in.js`), minified: only those who sign in download it.
    sign_in: Script,
    /// What a form page whose fees depend on the answers loads when the check-your-answers
    /// step opens (`assets/fees.js`), minified: the amount due.
    fees: Script,
    js_source: String,
    js_path: PathBuf,
    /// Minified script variants by the parts they keep (a handful per build; see
    /// [`view::script`]).
    scripts: Mutex<HashMap<BTreeSet<&'static str>, Arc<Script>>>,
    /// The sha256 state after `css`: a site's stylesheet is `css` and its colour, so its name
    /// hashes only the colour on top (hashing the whole sheet again for each site was most of
    /// what naming its files cost).
    css_hashed: Sha256,
}

/// The stylesheets, colour and logo of one site.
pub struct SiteFiles {
    /// Their names, for the pages.
    pub names: SiteAssets,
    /// The files for the site's `assets/` folder: name and bytes.
    pub files: Vec<(String, Vec<u8>)>,
}

/// A stylesheet only some pages load, as shipped: minified, with its fingerprinted name.
struct Sheet {
    name: String,
    bytes: Vec<u8>,
}

/// One variant of the page script, as shipped.
pub struct Script {
    /// Content-addressed file name: `site.3f2a9c1b7e.js`.
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Assets {
    /// The assets of the templates folder `dir`. Every part of the script is minified once
    /// here: a mistake in it stops the build at once, not halfway.
    pub fn load(dir: &Path) -> Result<Assets, BuildError> {
        let read = |name: &str| {
            let p = dir.join("assets").join(name);
            fs::read(&p).map_err(|e| file_error(&p, e))
        };
        let css_path = dir.join("assets/site.css");
        let js_path = dir.join("assets/site.js");
        let css = minify_css(&String::from_utf8_lossy(&read("site.css")?))
            .map_err(|e| file_error(&css_path, e))?;
        let sheet = |stem: &str| -> Result<Sheet, BuildError> {
            let file = format!("{stem}.css");
            let css = minify_css(&String::from_utf8_lossy(&read(&file)?))
                .map_err(|e| file_error(&dir.join("assets").join(&file), e))?;
            Ok(Sheet {
                name: fingerprint(stem, "css", css.as_bytes()),
                bytes: css.into_bytes(),
            })
        };
        let js_source = String::from_utf8_lossy(&read("site.js")?).into_owned();
        // The scripts a form page loads only when needed, minified like the page script.
        let on_demand = |stem: &str| -> Result<Script, BuildError> {
            let file = format!("{stem}.js");
            let js = minify_js(&String::from_utf8_lossy(&read(&file)?))
                .map_err(|e| file_error(&dir.join("assets").join(&file), e))?;
            Ok(Script {
                name: fingerprint(stem, "js", js.as_bytes()),
                bytes: js.into_bytes(),
            })
        };
        let css_hashed = Sha256::new_with_prefix(css.as_bytes());
        let assets = Assets {
            sign_in: on_demand("sign-in")?,
            fees: on_demand("fees")?,
            css: css.into_bytes(),
            combobox: sheet("combobox")?,
            index: sheet("index")?,
            confirmation: sheet("confirmation")?,
            js_source,
            js_path,
            scripts: Mutex::new(HashMap::new()),
            css_hashed,
        };
        assets.script(&script::PARTS.into_iter().collect())?;
        Ok(assets)
    }

    /// The page script with exactly `parts` (see [`view::script`]), minified and fingerprinted.
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

    /// Whether the file `name` of a site's `assets/` is one that every site shares (the page
    /// scripts and the stylesheets without the site's colour), not the site's own (its
    /// stylesheet with its colour, its logo).
    pub fn shared(&self, name: &str) -> bool {
        [&self.combobox, &self.index, &self.confirmation]
            .iter()
            .any(|sheet| sheet.name == name)
            || [&self.sign_in, &self.fees].iter().any(|js| js.name == name)
            || self
                .scripts
                .lock()
                .expect("not poisoned")
                .values()
                .any(|js| js.name == name)
    }

    /// The stylesheets, colour and logo of municipality `m`'s site (publishing `forms`): their
    /// names, for its pages, and the files (name, bytes) for its `assets/` folder, since each
    /// site can be deployed on its own. The page scripts go there with the pages that load
    /// them.
    pub fn for_site(
        &self,
        m: &LoadedMunicipality,
        forms: &[&ResolvedForm],
    ) -> Result<SiteFiles, BuildError> {
        // The municipality's colour at the end of the stylesheet (the later `:root` wins): one
        // file per site instead of two, since every site has its own `assets/` folder anyway.
        let mut css = self.css.clone();
        let colour = format!(":root{{--brand:{}}}", m.config.branding.primary_color);
        css.extend_from_slice(colour.as_bytes());
        let css_name = named("site", "css", self.css_hashed.clone().chain_update(&colour));
        let mut files = vec![(css_name.clone(), css)];
        let mut add = |sheet: &Sheet| files.push((sheet.name.clone(), sheet.bytes.clone()));
        add(&self.index);
        if !forms.is_empty() {
            add(&self.confirmation);
        }
        if forms
            .iter()
            .any(|f| script::form_parts(&f.form).contains("combobox"))
        {
            add(&self.combobox);
        }
        for (part, js) in [("sign-in", &self.sign_in), ("fees", &self.fees)] {
            if forms
                .iter()
                .any(|f| script::form_parts(&f.form).contains(part))
            {
                files.push((js.name.clone(), js.bytes.clone()));
            }
        }
        let logo = match &m.config.branding.logo {
            Some(rel) => {
                let src = m.dir.join(rel);
                let bytes = fs::read(&src).map_err(|e| file_error(&src, e))?;
                let ext = src.extension().and_then(|e| e.to_str()).unwrap_or("svg");
                let name = fingerprint("logo", ext, &bytes);
                files.push((name.clone(), bytes));
                Some(name)
            }
            None => None,
        };
        let names = SiteAssets {
            css: css_name,
            logo,
            combobox: self.combobox.name.clone(),
            index: self.index.name.clone(),
            confirmation: self.confirmation.name.clone(),
            sign_in: self.sign_in.name.clone(),
            fees: self.fees.name.clone(),
        };
        Ok(SiteFiles { names, files })
    }
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

/// Content-addressed name: `site.3f2a9c1b7e.css`.
fn fingerprint(stem: &str, ext: &str, bytes: &[u8]) -> String {
    named(stem, ext, Sha256::new_with_prefix(bytes))
}

/// The content-addressed name of the bytes `hashed` has taken in.
fn named(stem: &str, ext: &str, hashed: Sha256) -> String {
    let hash = hex::encode(hashed.finalize());
    format!("{stem}.{}.{ext}", &hash[..10])
}
