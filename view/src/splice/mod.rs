//! Pages made without tera: a page is rendered once with stand-ins for the values that only
//! come out as text (a title, an address, a form's body, the municipality's name — see
//! [`uses`]), and every other page with the same key — the template, the language and every
//! value that decides more than text (what is there, how many, the values used otherwise) —
//! is that rendering with its own values put in place of the stand-ins, escaped where the
//! template escapes them. Most pages of a country share their key with pages of other
//! municipalities; rendering the frame (`layouts/base.html`) and the page around its parts with
//! tera for each was about a third of a cold build.
//!
//! A stand-in is a private-use character, its number and `<`: escaped it reads `&lt;`, so the
//! rendering says how each comes out. A rendering in which a stand-in comes out any other way,
//! or whose first page spliced is not exactly its page as tera renders it, is not used: its
//! pages are rendered by tera, as are pages whose key was seen once only and pages whose key
//! holds the stand-ins' character.

mod tree;
mod uses;

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;
use tera::{Context, Tera};

use crate::escape::escape_html_into;
use tree::{CONSTANT_ROOTS, UseTree, Uses};

/// Starts a stand-in; no page value may hold it.
const MARK: char = '\u{10FFFD}';

/// At most this many renderings are kept by default (a country needs a few hundred; the
/// generator's theme). A long-running process that renders pages on request keeps fewer
/// ([`Splicer::keeping_at_most`]): each rendering is a page's worth of text.
const MAX_KEPT: usize = 20_000;

/// What pages share, for the variables they all read: the frame's values besides the
/// constant texts, and what the constant ones depend on (the language).
#[derive(Debug)]
pub(crate) struct FrameValues {
    pub roots: Vec<(String, Value)>,
    pub constants: String,
}

/// What every page of a frame reads (the site, its assets, the frame texts) as tera's context,
/// made when tera first renders a page of the frame: most pages are spliced (this module)
/// and never need it, and the texts of a language are hundreds of entries to copy.
pub(crate) struct SharedContext {
    values: Arc<FrameValues>,
    /// The frame texts, the theme's for the language (`t`).
    texts: Arc<Value>,
    context: OnceLock<Context>,
}

impl SharedContext {
    pub(crate) fn new(values: Arc<FrameValues>, texts: Arc<Value>) -> SharedContext {
        SharedContext {
            values,
            texts,
            context: OnceLock::new(),
        }
    }

    /// The context: the frame's values and its texts as `t`.
    pub(crate) fn get(&self) -> &Context {
        self.context.get_or_init(|| {
            let mut context = Context::new();
            for (name, value) in &self.values.roots {
                context.insert(name.as_str(), value);
            }
            context.insert("t", &*self.texts);
            context
        })
    }
}

/// What the splicer reads of a page: its template, its own variables, and its frame's (as
/// values, and as the context tera renders with).
pub(crate) struct PageValues<'a> {
    pub template: &'static str,
    pub own: &'a [(String, Value)],
    pub frame: &'a FrameValues,
    pub shared: &'a SharedContext,
}

/// The theme's renderings with stand-ins, by template and key.
pub(crate) struct Splicer {
    /// At most this many renderings are kept, and keys of at most 16 times as many pages are
    /// remembered; pages beyond are rendered by tera.
    max_kept: usize,
    /// Per page template: how it uses its variables; `None`: not spliced.
    uses: Mutex<HashMap<&'static str, Option<Arc<Uses>>>>,
    /// By key; `None`: its first page did not come out the same spliced.
    kept: Mutex<HashMap<String, Option<Arc<Skeleton>>>>,
    /// Keys seen once, by hash: a rendering is made when a second page has the key.
    seen: Mutex<HashSet<u64>>,
    /// Pages spliced so far.
    spliced: AtomicUsize,
}

/// A page rendered with stand-ins: text, and where each value goes.
struct Skeleton {
    html: String,
    /// A piece of `html`, then the value to put after it.
    parts: Vec<(Range<usize>, Option<Slot>)>,
}

/// Where a value goes: its number, and whether it is escaped.
type Slot = (usize, bool);

impl Skeleton {
    fn parse(html: String, values: usize) -> Option<Skeleton> {
        let mut parts = Vec::new();
        let mut from = 0;
        while let Some(at) = html[from..].find(MARK).map(|i| from + i) {
            let number = at + MARK.len_utf8();
            let digits = html[number..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            let index: usize = html[number..number + digits].parse().ok()?;
            let tail = &html[number + digits..];
            let (escaped, end) = if tail.starts_with('<') {
                (false, 1)
            } else if tail.starts_with("&lt;") {
                (true, 4)
            } else {
                return None;
            };
            if index >= values {
                return None;
            }
            parts.push((from..at, Some((index, escaped))));
            from = number + digits + end;
        }
        parts.push((from..html.len(), None));
        Some(Skeleton { html, parts })
    }

    fn splice(&self, values: &[&str]) -> String {
        let mut out = String::with_capacity(
            self.html.len() + values.iter().map(|v| v.len() + v.len() / 8).sum::<usize>(),
        );
        for (text, value) in &self.parts {
            out.push_str(&self.html[text.clone()]);
            match value {
                Some((i, true)) => escape_html_into(&mut out, values[*i]),
                Some((i, false)) => out.push_str(values[*i]),
                None => {}
            }
        }
        out
    }
}

/// A stand-in's text.
fn stand_in(index: usize) -> String {
    format!("{MARK}{index}<")
}

/// A value the key holds as it is has the stand-ins' character: the page is rendered by tera.
struct Marked;

/// Walks a page's values as its template uses them: writes the key, collects the values
/// that come out as text (in order), and makes the values with stand-ins when asked to.
struct Walk<'v> {
    key: String,
    values: Vec<&'v str>,
}

impl<'v> Walk<'v> {
    /// `v`, used as `uses` says (`None`: not at all); with `mask`, the value to render the
    /// page with stand-ins with.
    fn value(
        &mut self,
        uses: Option<&UseTree>,
        v: &'v Value,
        mask: bool,
    ) -> Result<Option<Value>, Marked> {
        let Some(uses) = uses else {
            self.key.push('_');
            return Ok(mask.then_some(Value::Null));
        };
        let u = uses.used;
        let verbatim = u.opaque
            || match v {
                Value::String(_) => u.iter || u.measure,
                Value::Array(_) => u.output,
                // An object's entries by number (`x.0`) are not followed.
                Value::Object(_) => u.output || u.iter || uses.any.is_some(),
                _ => true,
            };
        if verbatim {
            let json = serde_json::to_string(v).expect("json serializes");
            if json.contains(MARK) {
                return Err(Marked);
            }
            self.key.push_str(&json);
            self.key.push(',');
            return Ok(mask.then(|| v.clone()));
        }
        match v {
            Value::String(s) if s.is_empty() => {
                self.key.push_str("\"\",");
                Ok(mask.then(|| v.clone()))
            }
            Value::String(s) => {
                self.key.push('$');
                self.values.push(s);
                Ok(mask.then(|| Value::String(stand_in(self.values.len() - 1))))
            }
            Value::Array(items) => {
                self.key.push('[');
                let mut masked = Vec::new();
                for item in items {
                    masked.extend(self.value(uses.any.as_deref(), item, mask)?);
                }
                self.key.push(']');
                Ok(mask.then_some(Value::Array(masked)))
            }
            Value::Object(map) => {
                // How many entries (`length`, truth), and the entries the template names.
                self.key.push('{');
                self.key.push_str(&map.len().to_string());
                let mut masked = serde_json::Map::new();
                for (name, below) in &uses.children {
                    match map.get(name) {
                        Some(item) => {
                            self.key.push('+');
                            if let Some(m) = self.value(Some(below), item, mask)? {
                                masked.insert(name.clone(), m);
                            }
                        }
                        None => self.key.push('-'),
                    }
                }
                self.key.push('}');
                Ok(mask.then(|| {
                    for name in map.keys() {
                        if !masked.contains_key(name) {
                            masked.insert(name.clone(), Value::Null);
                        }
                    }
                    Value::Object(masked)
                }))
            }
            _ => unreachable!("scalars are verbatim"),
        }
    }

    /// The root variables of `page` the template names: the frame's (unless the page has its
    /// own of that name), then the page's own.
    fn roots(
        &mut self,
        uses: &UseTree,
        page: &PageValues<'v>,
        mask: bool,
    ) -> Result<Vec<(&'v str, Value)>, Marked> {
        let own = |name: &str| page.own.iter().any(|(k, _)| k == name);
        let shared = page.frame.roots.iter().filter(|(k, _)| !own(k));
        let mut masked = Vec::new();
        for (name, v) in shared.chain(page.own.iter()) {
            let Some(below) = uses.child(name) else {
                continue;
            };
            self.key.push_str(name);
            self.key.push('=');
            if let Some(m) = self.value(Some(below), v, mask)? {
                masked.push((name.as_str(), m));
            }
        }
        Ok(masked)
    }
}

impl Default for Splicer {
    fn default() -> Splicer {
        Splicer::keeping_at_most(MAX_KEPT)
    }
}

impl Splicer {
    /// A splicer that keeps at most `max_kept` renderings (and remembers at most 16 times as
    /// many keys), so that its memory stays bounded whatever pages it is asked for.
    pub(crate) fn keeping_at_most(max_kept: usize) -> Splicer {
        Splicer {
            max_kept,
            uses: Default::default(),
            kept: Default::default(),
            seen: Default::default(),
            spliced: Default::default(),
        }
    }

    /// `page` spliced from a rendering of its key, or rendered by `full` (tera; and a rendering
    /// made of it when its key was seen before); `None` when the page is not spliced at all.
    pub(crate) fn render<E>(
        &self,
        tera: &Tera,
        page: &PageValues,
        full: impl FnOnce() -> Result<String, E>,
    ) -> Option<Result<String, E>> {
        let uses = self.uses_of(tera, page.template)?;
        let named = |k: &String| CONSTANT_ROOTS.contains(&k.as_str()) || uses.set_names.contains(k);
        if page.own.iter().any(|(k, _)| named(k))
            || page
                .frame
                .roots
                .iter()
                .any(|(k, _)| uses.set_names.contains(k))
        {
            return None;
        }
        let mut key = String::with_capacity(512);
        key.push_str(page.template);
        key.push('\n');
        key.push_str(&page.frame.constants);
        key.push('\n');
        let mut walk = Walk {
            key,
            values: Vec::new(),
        };
        walk.roots(&uses.roots, page, false).ok()?;
        let Walk { key, values } = walk;
        let kept = self.kept.lock().expect("splice lock").get(&key).cloned();
        if let Some(kept) = kept {
            self.spliced
                .fetch_add(usize::from(kept.is_some()), Ordering::Relaxed);
            return kept.map(|s| Ok(s.splice(&values)));
        }
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        let first = {
            let mut seen = self.seen.lock().expect("splice lock");
            seen.len() >= self.max_kept.saturating_mul(16) || seen.insert(hasher.finish())
        };
        if first || self.kept.lock().expect("splice lock").len() >= self.max_kept {
            return None;
        }
        let full = full();
        let skeleton = full
            .as_ref()
            .ok()
            .and_then(|html| skeleton(tera, page, &uses, &values, html));
        self.kept
            .lock()
            .expect("splice lock")
            .insert(key, skeleton.map(Arc::new));
        Some(full)
    }

    /// How many pages were spliced.
    pub(crate) fn spliced(&self) -> usize {
        self.spliced.load(Ordering::Relaxed)
    }

    fn uses_of(&self, tera: &Tera, template: &'static str) -> Option<Arc<Uses>> {
        if let Some(u) = self.uses.lock().expect("splice lock").get(template) {
            return u.clone();
        }
        let read = uses::read(tera, template).ok().map(Arc::new);
        self.uses
            .lock()
            .expect("splice lock")
            .insert(template, read.clone());
        read
    }
}

/// The rendering with stand-ins of `page`'s key, if `page` spliced into it is `html`.
fn skeleton(
    tera: &Tera,
    page: &PageValues,
    uses: &Uses,
    values: &[&str],
    html: &str,
) -> Option<Skeleton> {
    let mut walk = Walk {
        key: String::new(),
        values: Vec::new(),
    };
    let masked = walk.roots(&uses.roots, page, true).ok()?;
    let mut context: Context = page.shared.get().clone();
    for (name, v) in &masked {
        context.insert(*name, v);
    }
    let rendered = tera.render(page.template, &context).ok()?;
    let skeleton = Skeleton::parse(rendered, values.len())?;
    (skeleton.splice(values) == html).then_some(skeleton)
}
