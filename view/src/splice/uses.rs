//! How a page template uses each variable, read from tera's syntax tree: which values only
//! ever come out as text (escaped or not) or are only tested for being there, so that a page
//! rendered once with stand-ins for them can be reused with each page's own values
//! ([`crate::splice`]). Whatever the reading does not understand counts as depending on the
//! value (it is part of the key the rendered page is kept under); a construct it cannot follow
//! at all (a filter section, a recursive macro, the whole context) rules the template out.

use std::collections::{HashMap, HashSet};

use tera::Tera;
use tera::ast::{Expr, ExprVal, FunctionCall, LogicOperator, MacroCall, Node};

use super::tree::{CONSTANT_ROOTS, Use, Uses};

/// The template cannot be read this way.
#[derive(Debug)]
pub(crate) struct Unsupported;

type Read<T = ()> = Result<T, Unsupported>;

/// What a name stands for where it is used.
#[derive(Clone)]
enum Binding {
    /// A page variable's path.
    Own(String),
    /// Something else: a loop's own variables, a literal, the result of an expression.
    Other,
}

/// Where names are looked up: the template file (for its macro imports), and the names bound
/// there (a macro's arguments, loop variables, `set`); any other name is the page's (tera's
/// macros see the context too).
struct Scope {
    file: String,
    frames: Vec<HashMap<String, Binding>>,
}

impl Scope {
    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.frames.iter().rev().find_map(|f| f.get(name))
    }

    fn bind(&mut self, name: &str, binding: Binding) {
        if let Some(frame) = self.frames.last_mut() {
            frame.insert(name.to_string(), binding);
        }
    }
}

/// The uses of every variable of page template `template` (with the templates it extends,
/// includes and the macros it calls).
pub(crate) fn read(tera: &Tera, template: &str) -> Read<Uses> {
    let mut reader = Reader {
        tera,
        paths: HashMap::new(),
        set_names: HashSet::new(),
        macros: Vec::new(),
    };
    let tpl = tera.get_template(template).map_err(|_| Unsupported)?;
    let mut chain = vec![template.to_string()];
    chain.extend(tpl.parents.iter().cloned());
    for name in &chain {
        let t = tera.get_template(name).map_err(|_| Unsupported)?;
        let mut scope = Scope {
            file: name.clone(),
            frames: vec![HashMap::new()],
        };
        reader.nodes(&t.ast, &mut scope)?;
    }
    let mut uses = Uses {
        set_names: reader.set_names,
        ..Uses::default()
    };
    for (path, used) in reader.paths {
        uses.roots.add(&path, used);
    }
    Ok(uses)
}

struct Reader<'t> {
    tera: &'t Tera,
    paths: HashMap<String, Use>,
    set_names: HashSet<String>,
    /// The macros being read (file, name): one that calls itself is not followed.
    macros: Vec<(String, String)>,
}

impl Reader<'_> {
    fn mark(&mut self, path: String, f: impl FnOnce(&mut Use)) {
        f(self.paths.entry(path).or_default());
    }

    fn nodes(&mut self, nodes: &[Node], scope: &mut Scope) -> Read {
        for node in nodes {
            self.node(node, scope)?;
        }
        Ok(())
    }

    fn node(&mut self, node: &Node, scope: &mut Scope) -> Read {
        match node {
            Node::VariableBlock(_, e) => self.output(e, scope),
            Node::If(i, _) => {
                for (_, condition, body) in &i.conditions {
                    self.condition(condition, scope)?;
                    self.nodes(body, scope)?;
                }
                match &i.otherwise {
                    Some((_, body)) => self.nodes(body, scope),
                    None => Ok(()),
                }
            }
            Node::Forloop(_, f, _) => {
                let mut item = Binding::Other;
                match bare_ident(&f.container) {
                    Some(id) => {
                        if let Some(p) = self.resolve(id, scope)? {
                            match f.key {
                                // Over an object's entries: its keys come out.
                                Some(_) => self.mark(p, |u| u.opaque = true),
                                None => {
                                    item = Binding::Own(format!("{p}.*"));
                                    self.mark(p, |u| u.iter = true);
                                }
                            }
                        }
                    }
                    None => self.opaque(&f.container, scope)?,
                }
                let mut frame = HashMap::new();
                frame.insert(f.value.clone(), item);
                if let Some(k) = &f.key {
                    frame.insert(k.clone(), Binding::Other);
                }
                frame.insert("loop".to_string(), Binding::Other);
                scope.frames.push(frame);
                let read = self.nodes(&f.body, scope);
                scope.frames.pop();
                read?;
                match &f.empty_body {
                    Some(body) => self.nodes(body, scope),
                    None => Ok(()),
                }
            }
            Node::Set(_, set) => {
                self.opaque(&set.value, scope)?;
                self.set_names.insert(set.key.clone());
                scope.bind(&set.key, Binding::Other);
                Ok(())
            }
            Node::Include(_, names, _) => {
                for name in names {
                    if let Ok(t) = self.tera.get_template(name) {
                        let file = std::mem::replace(&mut scope.file, name.clone());
                        let read = self.nodes(&t.ast, scope);
                        scope.file = file;
                        read?;
                    }
                }
                Ok(())
            }
            Node::Block(_, b, _) => self.nodes(&b.body, scope),
            // Output through a filter: the stand-ins would be changed with the text around them.
            Node::FilterSection(..) => Err(Unsupported),
            Node::Super
            | Node::Text(_)
            | Node::MacroDefinition(..)
            | Node::Extends(..)
            | Node::ImportMacro(..)
            | Node::Raw(..)
            | Node::Break(_)
            | Node::Continue(_)
            | Node::Comment(..) => Ok(()),
        }
    }

    /// `{{ e }}`: a variable as it is, escaped or `safe`, or a list `join`ed with a literal;
    /// a macro's output; anything else depends on its values.
    fn output(&mut self, e: &Expr, scope: &mut Scope) -> Read {
        if !e.negated {
            if let ExprVal::Ident(id) = &e.val {
                let names: Vec<&str> = e.filters.iter().map(|f| f.name.as_str()).collect();
                let joined = e.filters.first().is_some_and(literal_join);
                let plain = matches!(names.as_slice(), [] | ["safe"]);
                let join = joined && matches!(names.as_slice(), ["join"] | ["join", "safe"]);
                if plain || join {
                    if let Some(p) = self.resolve(id, scope)? {
                        match join {
                            true => {
                                self.mark(format!("{p}.*"), |u| u.output = true);
                                self.mark(p, |u| u.measure = true);
                            }
                            false => self.mark(p, |u| u.output = true),
                        }
                    }
                    return Ok(());
                }
            }
            if let ExprVal::MacroCall(call) = &e.val
                && e.filters.is_empty()
            {
                return self.macro_call(call, scope);
            }
        }
        self.opaque(e, scope)
    }

    /// A condition: variables tested for truth, lists measured against a number literal, and
    /// `and`/`or`/`not` of those; anything else depends on the values.
    fn condition(&mut self, e: &Expr, scope: &mut Scope) -> Read {
        match &e.val {
            ExprVal::Ident(id) if e.filters.is_empty() => {
                if let Some(p) = self.resolve(id, scope)? {
                    self.mark(p, |u| u.test = true);
                }
                Ok(())
            }
            ExprVal::Ident(id) if is_length(&e.filters) => {
                if let Some(p) = self.resolve(id, scope)? {
                    self.mark(p, |u| u.measure = true);
                }
                Ok(())
            }
            ExprVal::Logic(l) if e.filters.is_empty() => match l.operator {
                LogicOperator::And | LogicOperator::Or => {
                    self.condition(&l.lhs, scope)?;
                    self.condition(&l.rhs, scope)
                }
                _ => match (&l.lhs.val, &l.rhs.val) {
                    (ExprVal::Ident(id), ExprVal::Int(_))
                    | (ExprVal::Int(_), ExprVal::Ident(id))
                        if measured(&l.lhs) && measured(&l.rhs) =>
                    {
                        if let Some(p) = self.resolve(id, scope)? {
                            self.mark(p, |u| u.measure = true);
                        }
                        Ok(())
                    }
                    _ => self.opaque(e, scope),
                },
            },
            ExprVal::Test(t)
                if e.filters.is_empty() && matches!(t.name.as_str(), "defined" | "undefined") =>
            {
                if let Some(p) = self.resolve(&t.ident, scope)? {
                    self.mark(p, |u| u.test = true);
                }
                Ok(())
            }
            ExprVal::Bool(_) | ExprVal::Int(_) | ExprVal::String(_) if e.filters.is_empty() => {
                Ok(())
            }
            _ => self.opaque(e, scope),
        }
    }

    /// Marks every page variable in `e` as used by value.
    fn opaque(&mut self, e: &Expr, scope: &mut Scope) -> Read {
        self.opaque_val(&e.val, scope)?;
        for f in &e.filters {
            self.opaque_call(f, scope)?;
        }
        Ok(())
    }

    fn opaque_call(&mut self, f: &FunctionCall, scope: &mut Scope) -> Read {
        for arg in f.args.values() {
            self.opaque(arg, scope)?;
        }
        Ok(())
    }

    fn opaque_val(&mut self, v: &ExprVal, scope: &mut Scope) -> Read {
        match v {
            ExprVal::Ident(id) => {
                if let Some(p) = self.resolve(id, scope)? {
                    self.mark(p, |u| u.opaque = true);
                }
                Ok(())
            }
            ExprVal::Math(m) => {
                self.opaque(&m.lhs, scope)?;
                self.opaque(&m.rhs, scope)
            }
            ExprVal::Logic(l) => {
                self.opaque(&l.lhs, scope)?;
                self.opaque(&l.rhs, scope)
            }
            ExprVal::In(i) => {
                self.opaque(&i.lhs, scope)?;
                self.opaque(&i.rhs, scope)
            }
            ExprVal::Test(t) => {
                if let Some(p) = self.resolve(&t.ident, scope)? {
                    self.mark(p, |u| u.opaque = true);
                }
                for arg in &t.args {
                    self.opaque(arg, scope)?;
                }
                Ok(())
            }
            // Its output is changed as a whole: what it is given is used by value.
            ExprVal::MacroCall(call) => {
                for arg in call.args.values() {
                    self.opaque(arg, scope)?;
                }
                Ok(())
            }
            ExprVal::FunctionCall(f) => self.opaque_call(f, scope),
            ExprVal::Array(items) => {
                for item in items {
                    self.opaque(item, scope)?;
                }
                Ok(())
            }
            ExprVal::StringConcat(c) => {
                for v in &c.values {
                    self.opaque_val(v, scope)?;
                }
                Ok(())
            }
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => Ok(()),
        }
    }

    /// A macro's body, its parameters standing for what the call gives them.
    fn macro_call(&mut self, call: &MacroCall, scope: &mut Scope) -> Read {
        let here = self
            .tera
            .get_template(&scope.file)
            .map_err(|_| Unsupported)?;
        let file = match call.namespace.as_str() {
            "self" => scope.file.clone(),
            ns => here
                .imported_macro_files
                .iter()
                .find(|(_, n)| n == ns)
                .map(|(f, _)| f.clone())
                .ok_or(Unsupported)?,
        };
        let key = (file.clone(), call.name.clone());
        if self.macros.contains(&key) || self.macros.len() > 16 {
            return Err(Unsupported);
        }
        let definition = self
            .tera
            .get_template(&file)
            .map_err(|_| Unsupported)?
            .macros
            .get(&call.name)
            .ok_or(Unsupported)?;
        let mut frame = HashMap::new();
        for (name, arg) in &call.args {
            if !definition.args.contains_key(name) {
                return Err(Unsupported);
            }
            let binding = match bare_ident(arg) {
                Some(id) => self
                    .resolve(id, scope)?
                    .map_or(Binding::Other, Binding::Own),
                None => {
                    self.opaque(arg, scope)?;
                    Binding::Other
                }
            };
            frame.insert(name.clone(), binding);
        }
        for name in definition.args.keys() {
            frame.entry(name.clone()).or_insert(Binding::Other);
        }
        self.macros.push(key);
        let mut inner = Scope {
            file,
            frames: vec![frame],
        };
        let read = self.nodes(&definition.body, &mut inner);
        self.macros.pop();
        read
    }

    /// The page variable path `id` names (`a.b[0]["c"]` → `a.b.*.c`), or `None` for a loop's
    /// own variable, a macro's argument that is no page variable, or a frame text. A part indexed by a
    /// variable makes what it indexes (and that variable) used by value.
    fn resolve(&mut self, id: &str, scope: &Scope) -> Read<Option<String>> {
        let end = id.find(['.', '[']).unwrap_or(id.len());
        let root = &id[..end];
        if root == "__tera_context" {
            return Err(Unsupported);
        }
        let mut path = match scope.lookup(root) {
            Some(Binding::Own(p)) => Some(p.clone()),
            Some(Binding::Other) => None,
            None if CONSTANT_ROOTS.contains(&root) => None,
            None => Some(root.to_string()),
        };
        let mut rest = &id[end..];
        while !rest.is_empty() {
            let segment;
            if let Some(after) = rest.strip_prefix('.') {
                let end = after.find(['.', '[']).unwrap_or(after.len());
                segment = Some(after[..end].to_string());
                rest = &after[end..];
            } else if let Some(after) = rest.strip_prefix('[') {
                let close = after.find(']').ok_or(Unsupported)?;
                let inner = after[..close].trim();
                rest = &after[close + 1..];
                segment = if let Some(quoted) = inner
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
                {
                    Some(quoted.to_string())
                } else if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
                    Some(inner.to_string())
                } else {
                    if let Some(p) = self.resolve(inner, scope)? {
                        self.mark(p, |u| u.opaque = true);
                    }
                    None
                };
            } else {
                return Err(Unsupported);
            }
            match (segment, path.take()) {
                // Not told from any list entry, nor a path's separator.
                (Some(s), _) if s == "*" || s.contains('.') => return Err(Unsupported),
                (Some(s), Some(p)) => {
                    let s = match s.bytes().all(|b| b.is_ascii_digit()) {
                        true => "*".to_string(),
                        false => s,
                    };
                    path = Some(format!("{p}.{s}"));
                }
                (None, Some(p)) => {
                    self.mark(p, |u| u.opaque = true);
                    return Ok(None);
                }
                (_, None) => {}
            }
        }
        Ok(path)
    }
}

/// The identifier of a bare variable (no filter, no `not`).
fn bare_ident(e: &Expr) -> Option<&str> {
    match &e.val {
        ExprVal::Ident(id) if e.filters.is_empty() && !e.negated => Some(id),
        _ => None,
    }
}

/// `join(sep="…")` with a literal separator.
fn literal_join(f: &FunctionCall) -> bool {
    f.name == "join"
        && f.args.len() == 1
        && f.args.get("sep").is_some_and(|sep| {
            matches!(sep.val, ExprVal::String(_)) && sep.filters.is_empty() && !sep.negated
        })
}

/// Only `| length`.
fn is_length(filters: &[FunctionCall]) -> bool {
    matches!(filters, [f] if f.name == "length" && f.args.is_empty())
}

/// A side of a comparison that only a list's length decides: `x | length` or a number.
fn measured(e: &Expr) -> bool {
    !e.negated
        && match &e.val {
            ExprVal::Ident(_) => is_length(&e.filters),
            ExprVal::Int(_) => e.filters.is_empty(),
            _ => false,
        }
}
