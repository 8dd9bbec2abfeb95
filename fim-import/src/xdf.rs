//! Reading XDatenfelder XML into a small tree: the schema (or a single group or field), its
//! groups and fields in document order with their cardinality (`anzahl`), rules and positions.
//!
//! XDatenfelder 2.0 and 3.0 share this structure; where 3.0 differs the reader takes both
//! spellings: `praezisierung` as a JSON string (2.0) or as attributes (3.0), rule text in
//! `definition` (2.0) or `freitextRegel` (3.0), code values from a `codelisteReferenz` or inline
//! `werte` (3.0), codes written as `<feldart><code>input</code></feldart>` or as plain text.
//! Unknown codes are errors, never silent fallbacks.

use std::path::Path;

use roxmltree::{Document, Node};

use crate::error::{ImportError, Pos};

/// XDatenfelder 2.0.
pub const NS_V2: &str = "urn:xoev-de:fim:standard:xdatenfelder_2";
/// XDatenfelder 3.0.
pub const NS_V3: &str = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XdfVersion {
    V2,
    V3,
}

impl XdfVersion {
    pub fn name(self) -> &'static str {
        match self {
            XdfVersion::V2 => "XDatenfelder 2.0",
            XdfVersion::V3 => "XDatenfelder 3.0",
        }
    }
}

/// Which message the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// `xdatenfelder.stammdatenschema.0102`
    Schema,
    /// `xdatenfelder.datenfeldgruppe.0103`
    Group,
    /// `xdatenfelder.datenfeld.0104`
    Field,
}

/// The root of what is imported. For a group or field message the group or field becomes the
/// only child of a schema-like root.
#[derive(Debug, Clone)]
pub struct Schema {
    pub xdf: XdfVersion,
    pub message: MessageKind,
    pub id: String,
    pub version: String,
    pub name: String,
    /// `bezeichnungEingabe` (2.0) or `bezeichnung` (3.0).
    pub label: String,
    pub help: String,
    pub beschreibung: String,
    pub definition: String,
    pub bezug: String,
    /// A LeiKa key named anywhere in the schema's own elements (`urn:de:fim:leika:leistung:…`).
    pub leika: Option<String>,
    pub rules: Vec<Rule>,
    pub children: Vec<Child>,
    pub pos: Pos,
}

/// One entry of a `struktur`: how often the element occurs, and the element.
#[derive(Debug, Clone)]
pub struct Child {
    pub anzahl: Anzahl,
    pub element: Element,
}

// The tree is read once per import; boxing the larger variant buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Element {
    Group(Group),
    Field(Field),
}

impl Element {
    pub fn uid(&self) -> usize {
        match self {
            Element::Group(g) => g.uid,
            Element::Field(f) => f.uid,
        }
    }
}

/// A `datenfeldgruppe`.
#[derive(Debug, Clone)]
pub struct Group {
    /// Unique per occurrence in the document (FIM ids repeat when a group is reused).
    pub uid: usize,
    pub id: String,
    pub version: String,
    pub name: String,
    pub label: String,
    pub help: String,
    pub bezug: String,
    pub rules: Vec<Rule>,
    pub children: Vec<Child>,
    pub pos: Pos,
}

impl Group {
    /// A group whose children are all fields.
    pub fn is_leaf(&self) -> bool {
        self.children
            .iter()
            .all(|c| matches!(c.element, Element::Field(_)))
    }
}

/// A `datenfeld`.
#[derive(Debug, Clone)]
pub struct Field {
    pub uid: usize,
    pub id: String,
    pub version: String,
    pub name: String,
    pub label: String,
    pub help: String,
    pub feldart: Feldart,
    pub datentyp: Datentyp,
    pub praezisierung: Praezisierung,
    /// Predefined content (`inhalt`): a default value, or the text of a label field.
    pub inhalt: String,
    pub codes: Option<Codes>,
    /// 3.0: accepted media types and largest size in bytes of a file field.
    pub media_types: Vec<String>,
    pub max_size: Option<u64>,
    pub rules: Vec<Rule>,
    pub pos: Pos,
}

/// Where a select field's values come from.
#[derive(Debug, Clone)]
pub enum Codes {
    Reference(CodeListRef),
    /// 3.0 `werte`.
    Inline(Vec<Code>),
}

/// A `codelisteReferenz`.
#[derive(Debug, Clone, Default)]
pub struct CodeListRef {
    /// The FIM code list id (C…), when given.
    pub list_id: String,
    pub canonical: String,
    pub version: String,
    pub canonical_version_uri: String,
    /// 3.0 `codeKey`, `nameKey`, `helpKey`: which genericode columns to use.
    pub code_key: Option<String>,
    pub name_key: Option<String>,
    pub help_key: Option<String>,
    pub pos: Pos,
}

impl CodeListRef {
    /// How the reference is shown in messages.
    pub fn describe(&self) -> String {
        let mut s = if !self.canonical_version_uri.is_empty() {
            self.canonical_version_uri.clone()
        } else if !self.version.is_empty() {
            format!("{} (version {})", self.canonical, self.version)
        } else {
            self.canonical.clone()
        };
        if !self.list_id.is_empty() {
            s = format!("{} {s}", self.list_id);
        }
        s
    }
}

/// One value of a code list.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    pub value: String,
    pub label: String,
    pub help: Option<String>,
}

/// A FIM rule (`regel`): prose for a person, never evaluated.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub version: String,
    pub name: String,
    pub text: String,
    pub pos: Pos,
}

/// Cardinality `min:max`; `max` is `None` for `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anzahl {
    pub min: u32,
    pub max: Option<u32>,
}

impl Anzahl {
    pub const ONE: Anzahl = Anzahl {
        min: 1,
        max: Some(1),
    };

    /// `1:1`, `0:1`, `0:*`, `2:5`. Anything else is `None`.
    pub fn parse(s: &str) -> Option<Anzahl> {
        let (min, max) = s.trim().split_once(':')?;
        let min: u32 = min.trim().parse().ok()?;
        let max = match max.trim() {
            "*" => None,
            m => Some(m.parse::<u32>().ok()?),
        };
        if max.is_some_and(|m| m == 0 || m < min) {
            return None;
        }
        Some(Anzahl { min, max })
    }

    /// More than one occurrence allowed.
    pub fn is_list(self) -> bool {
        self.max != Some(1)
    }

    pub fn show(self) -> String {
        match self.max {
            Some(m) => format!("{}:{m}", self.min),
            None => format!("{}:*", self.min),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feldart {
    Input,
    Select,
    Label,
    /// 3.0 only.
    Hidden,
    /// 3.0 only.
    Locked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datentyp {
    Text,
    /// 3.0 only.
    TextLatin,
    Date,
    /// 3.0 only.
    Time,
    /// 3.0 only.
    DateTime,
    Bool,
    Num,
    NumInt,
    NumCurrency,
    File,
    Obj,
}

impl Datentyp {
    pub fn code(self) -> &'static str {
        match self {
            Datentyp::Text => "text",
            Datentyp::TextLatin => "text_latin",
            Datentyp::Date => "date",
            Datentyp::Time => "time",
            Datentyp::DateTime => "datetime",
            Datentyp::Bool => "bool",
            Datentyp::Num => "num",
            Datentyp::NumInt => "num_int",
            Datentyp::NumCurrency => "num_currency",
            Datentyp::File => "file",
            Datentyp::Obj => "obj",
        }
    }
}

/// Field constraints (`praezisierung`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Praezisierung {
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    /// Kept as written: numbers for num fields, dates for date fields.
    pub min_value: Option<String>,
    pub max_value: Option<String>,
    pub pattern: Option<String>,
    /// Keys the importer does not know, as `key=value`.
    pub other: Vec<String>,
}

impl Praezisierung {
    /// Reads the 2.0 form, a JSON object with string (or number) values:
    /// `{"minLength":"1","maxLength":"50","pattern":"[0-9]{5}"}`.
    pub fn from_json(text: &str) -> Result<Praezisierung, String> {
        let text = text.trim();
        let mut p = Praezisierung::default();
        if text.is_empty() {
            return Ok(p);
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not a JSON object ({e})"))?;
        let serde_json::Value::Object(map) = value else {
            return Err("not a JSON object".into());
        };
        for (key, v) in map {
            let s = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                other => return Err(format!("{key} is {other}, not a string or number")),
            };
            p.set(&key, s)?;
        }
        Ok(p)
    }

    fn set(&mut self, key: &str, value: String) -> Result<(), String> {
        let value = value.trim().to_string();
        if value.is_empty() {
            return Ok(());
        }
        let length = |v: &str| {
            v.parse::<u32>()
                .map_err(|_| format!("{key} \"{v}\" is not a whole number"))
        };
        match key {
            "minLength" => self.min_length = Some(length(&value)?),
            "maxLength" => self.max_length = Some(length(&value)?),
            "minValue" => self.min_value = Some(value),
            "maxValue" => self.max_value = Some(value),
            "pattern" => self.pattern = Some(value),
            _ => self.other.push(format!("{key}={value}")),
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        *self == Praezisierung::default()
    }
}

/// Parses an XDatenfelder document. Problems with single elements (unknown codes, unreadable
/// precision) are collected, so one run reports all of them.
pub fn parse(file: &Path, text: &str) -> Result<Schema, Vec<ImportError>> {
    let doc = Document::parse(text).map_err(|e| {
        let p = e.pos();
        vec![ImportError::Xml {
            file: file.to_path_buf(),
            pos: Pos {
                line: p.row,
                col: p.col,
            },
            message: e.to_string(),
        }]
    })?;
    let mut r = Reader {
        file,
        doc: &doc,
        ns: "",
        xdf: XdfVersion::V2,
        errors: Vec::new(),
        next_uid: 0,
    };
    let root = doc.root_element();
    let ns = root.tag_name().namespace().unwrap_or("");
    r.xdf = match ns {
        NS_V2 => XdfVersion::V2,
        NS_V3 => XdfVersion::V3,
        _ => {
            let found = if ns.is_empty() {
                "(none)".to_string()
            } else {
                ns.to_string()
            };
            return Err(vec![ImportError::Namespace {
                file: file.to_path_buf(),
                pos: r.pos(root),
                found,
            }]);
        }
    };
    r.ns = ns;
    let message = match root.tag_name().name() {
        "xdatenfelder.stammdatenschema.0102" => MessageKind::Schema,
        "xdatenfelder.datenfeldgruppe.0103" => MessageKind::Group,
        "xdatenfelder.datenfeld.0104" => MessageKind::Field,
        other => {
            return Err(vec![ImportError::Message {
                file: file.to_path_buf(),
                pos: r.pos(root),
                found: other.to_string(),
            }]);
        }
    };
    let schema = match message {
        MessageKind::Schema => r
            .child(root, "stammdatenschema")
            .map(|s| r.schema(s))
            .ok_or("stammdatenschema"),
        MessageKind::Group => r
            .child(root, "datenfeldgruppe")
            .map(|g| {
                let group = r.group(g);
                r.wrap(g, message, Element::Group(group))
            })
            .ok_or("datenfeldgruppe"),
        MessageKind::Field => r
            .child(root, "datenfeld")
            .map(|f| {
                let field = r.field(f);
                r.wrap(f, message, field.map(Element::Field).unwrap_or_else(dummy))
            })
            .ok_or("datenfeld"),
    };
    let schema = match schema {
        Ok(s) => s,
        Err(missing) => {
            return Err(vec![ImportError::Missing {
                file: file.to_path_buf(),
                pos: r.pos(root),
                element: "message",
                id: root.tag_name().name().to_string(),
                missing,
            }]);
        }
    };
    if r.errors.is_empty() {
        Ok(schema)
    } else {
        Err(r.errors)
    }
}

fn dummy() -> Element {
    Element::Group(Group {
        uid: usize::MAX,
        id: String::new(),
        version: String::new(),
        name: String::new(),
        label: String::new(),
        help: String::new(),
        bezug: String::new(),
        rules: Vec::new(),
        children: Vec::new(),
        pos: Pos::default(),
    })
}

struct Reader<'a, 'input> {
    file: &'a Path,
    doc: &'a Document<'input>,
    ns: &'a str,
    xdf: XdfVersion,
    errors: Vec<ImportError>,
    next_uid: usize,
}

impl<'a, 'input> Reader<'a, 'input> {
    fn pos(&self, node: Node) -> Pos {
        let p = self.doc.text_pos_at(node.range().start);
        Pos {
            line: p.row,
            col: p.col,
        }
    }

    fn is(&self, node: Node, name: &str) -> bool {
        node.is_element()
            && node.tag_name().name() == name
            && node.tag_name().namespace().unwrap_or("") == self.ns
    }

    fn child<'d>(&self, node: Node<'d, 'input>, name: &str) -> Option<Node<'d, 'input>> {
        node.children().find(|c| self.is(*c, name))
    }

    fn children<'d>(&self, node: Node<'d, 'input>, name: &str) -> Vec<Node<'d, 'input>> {
        node.children().filter(|c| self.is(*c, name)).collect()
    }

    /// The text of child `name`, line endings normalized, trimmed; "" when absent.
    fn text(&self, node: Node, name: &str) -> String {
        self.child(node, name).map(all_text).unwrap_or_default()
    }

    /// A code: `<x><code>v</code></x>` (unqualified or qualified `code`) or `<x>v</x>`.
    fn code(&self, node: Node, name: &str) -> Option<(String, Pos)> {
        let el = self.child(node, name)?;
        let code = el
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == "code");
        let text = match code {
            Some(c) => all_text(c),
            None => all_text(el),
        };
        Some((text, self.pos(el)))
    }

    fn identification(&self, node: Node) -> (String, String) {
        match self.child(node, "identifikation") {
            Some(i) => (self.text(i, "id"), self.text(i, "version")),
            None => (String::new(), String::new()),
        }
    }

    fn uid(&mut self) -> usize {
        self.next_uid += 1;
        self.next_uid - 1
    }

    fn label(&self, node: Node) -> String {
        let l = self.text(node, "bezeichnungEingabe");
        if !l.is_empty() {
            return l;
        }
        let l = self.text(node, "bezeichnung");
        if !l.is_empty() {
            return l;
        }
        self.text(node, "name")
    }

    fn help(&self, node: Node) -> String {
        let h = self.text(node, "hilfetextEingabe");
        if h.is_empty() {
            self.text(node, "hilfetext")
        } else {
            h
        }
    }

    fn schema(&mut self, s: Node) -> Schema {
        let (id, version) = self.identification(s);
        let rules = self.rules(s);
        let children = self.structure(s, "stammdatenschema", &id);
        let leika = s
            .descendants()
            .filter(|d| {
                // The schema's own elements, not those of its groups and fields.
                d.ancestors().filter(|a| self.is(*a, "struktur")).count() == 0
            })
            .flat_map(|d| {
                let mut texts: Vec<String> =
                    d.attributes().map(|a| a.value().to_string()).collect();
                if d.is_text() {
                    texts.push(d.text().unwrap_or("").to_string());
                }
                texts
            })
            .find_map(|t| leika_key(&t));
        Schema {
            xdf: self.xdf,
            message: MessageKind::Schema,
            name: self.text(s, "name"),
            label: self.label(s),
            help: self.help(s),
            beschreibung: self.text(s, "beschreibung"),
            definition: self.text(s, "definition"),
            bezug: self.bezug(s),
            leika,
            rules,
            children,
            pos: self.pos(s),
            id,
            version,
        }
    }

    /// A group or field message becomes a schema with that one element.
    fn wrap(&mut self, node: Node, message: MessageKind, element: Element) -> Schema {
        let (id, version) = self.identification(node);
        Schema {
            xdf: self.xdf,
            message,
            name: self.text(node, "name"),
            label: self.label(node),
            help: String::new(),
            beschreibung: self.text(node, "beschreibung"),
            definition: self.text(node, "definition"),
            bezug: self.bezug(node),
            leika: None,
            rules: Vec::new(),
            children: vec![Child {
                anzahl: Anzahl::ONE,
                element,
            }],
            pos: self.pos(node),
            id,
            version,
        }
    }

    /// 3.0 may give several `bezug` elements; they are joined.
    fn bezug(&self, node: Node) -> String {
        self.children(node, "bezug")
            .into_iter()
            .map(all_text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn rules(&mut self, node: Node) -> Vec<Rule> {
        let mut out = Vec::new();
        for r in self.children(node, "regel") {
            let (id, version) = self.identification(r);
            let mut text = self.text(r, "freitextRegel");
            if text.is_empty() {
                text = self.text(r, "definition");
            }
            if text.is_empty() {
                text = self.text(r, "beschreibung");
            }
            out.push(Rule {
                id,
                version,
                name: self.text(r, "name"),
                text,
                pos: self.pos(r),
            });
        }
        out
    }

    fn structure(&mut self, node: Node, element: &'static str, id: &str) -> Vec<Child> {
        let mut out = Vec::new();
        for s in self.children(node, "struktur") {
            let (raw, apos) = match self.code(s, "anzahl") {
                Some(a) => a,
                None => {
                    self.errors.push(ImportError::Missing {
                        file: self.file.to_path_buf(),
                        pos: self.pos(s),
                        element,
                        id: id.to_string(),
                        missing: "anzahl",
                    });
                    continue;
                }
            };
            let anzahl = match Anzahl::parse(&raw) {
                Some(a) => a,
                None => {
                    self.errors.push(ImportError::UnknownCode {
                        file: self.file.to_path_buf(),
                        pos: apos,
                        what: "anzahl",
                        value: raw,
                        element,
                        id: id.to_string(),
                        hint: "; write min:max such as 1:1, 0:1, 0:* or 2:5".into(),
                    });
                    continue;
                }
            };
            let Some(enthaelt) = self.child(s, "enthaelt") else {
                self.errors.push(ImportError::Missing {
                    file: self.file.to_path_buf(),
                    pos: self.pos(s),
                    element,
                    id: id.to_string(),
                    missing: "enthaelt",
                });
                continue;
            };
            for e in enthaelt.children().filter(|c| c.is_element()) {
                if self.is(e, "datenfeldgruppe") {
                    let g = self.group(e);
                    out.push(Child {
                        anzahl,
                        element: Element::Group(g),
                    });
                } else if self.is(e, "datenfeld")
                    && let Some(f) = self.field(e)
                {
                    out.push(Child {
                        anzahl,
                        element: Element::Field(f),
                    });
                }
            }
        }
        out
    }

    fn group(&mut self, g: Node) -> Group {
        let uid = self.uid();
        let (id, version) = self.identification(g);
        let rules = self.rules(g);
        let children = self.structure(g, "datenfeldgruppe", &id);
        Group {
            uid,
            name: self.text(g, "name"),
            label: self.label(g),
            help: self.help(g),
            bezug: self.bezug(g),
            rules,
            children,
            pos: self.pos(g),
            id,
            version,
        }
    }

    fn field(&mut self, f: Node) -> Option<Field> {
        let uid = self.uid();
        let (id, version) = self.identification(f);
        let unknown = |r: &mut Self, what: &'static str, value: String, pos: Pos, known: &str| {
            r.errors.push(ImportError::UnknownCode {
                file: r.file.to_path_buf(),
                pos,
                what,
                value,
                element: "datenfeld",
                id: id.clone(),
                hint: format!("; known: {known}"),
            });
        };
        let missing = |r: &mut Self, what: &'static str| {
            r.errors.push(ImportError::Missing {
                file: r.file.to_path_buf(),
                pos: r.pos(f),
                element: "datenfeld",
                id: id.clone(),
                missing: what,
            });
        };
        let v3 = self.xdf == XdfVersion::V3;
        let feldart = match self.code(f, "feldart") {
            None => {
                missing(self, "feldart");
                None
            }
            Some((code, pos)) => match code.as_str() {
                "input" => Some(Feldart::Input),
                "select" => Some(Feldart::Select),
                "label" => Some(Feldart::Label),
                "hidden" if v3 => Some(Feldart::Hidden),
                "locked" if v3 => Some(Feldart::Locked),
                _ => {
                    let known = if v3 {
                        "input, select, label, hidden, locked"
                    } else {
                        "input, select, label"
                    };
                    unknown(self, "feldart", code, pos, known);
                    None
                }
            },
        };
        let datentyp = match self.code(f, "datentyp") {
            None => {
                missing(self, "datentyp");
                None
            }
            Some((code, pos)) => match code.as_str() {
                "text" => Some(Datentyp::Text),
                "date" => Some(Datentyp::Date),
                "bool" => Some(Datentyp::Bool),
                "num" => Some(Datentyp::Num),
                "num_int" => Some(Datentyp::NumInt),
                "num_currency" => Some(Datentyp::NumCurrency),
                "file" => Some(Datentyp::File),
                "obj" => Some(Datentyp::Obj),
                "text_latin" if v3 => Some(Datentyp::TextLatin),
                "time" if v3 => Some(Datentyp::Time),
                "datetime" if v3 => Some(Datentyp::DateTime),
                _ => {
                    let known = if v3 {
                        "text, text_latin, date, time, datetime, bool, num, num_int, num_currency, file, obj"
                    } else {
                        "text, date, bool, num, num_int, num_currency, file, obj"
                    };
                    unknown(self, "datentyp", code, pos, known);
                    None
                }
            },
        };
        let praezisierung = match self.child(f, "praezisierung") {
            None => Praezisierung::default(),
            Some(p) => {
                let mut result = Praezisierung::from_json(&all_text(p));
                if let Ok(pr) = &mut result {
                    for a in p.attributes() {
                        if let Err(e) = pr.set(a.name(), a.value().to_string()) {
                            result = Err(e);
                            break;
                        }
                    }
                }
                match result {
                    Ok(pr) => pr,
                    Err(message) => {
                        self.errors.push(ImportError::Praezisierung {
                            file: self.file.to_path_buf(),
                            pos: self.pos(p),
                            field: id.clone(),
                            message,
                        });
                        Praezisierung::default()
                    }
                }
            }
        };
        let codes = if let Some(c) = self.child(f, "codelisteReferenz") {
            let mut r = CodeListRef {
                pos: self.pos(c),
                ..CodeListRef::default()
            };
            if let Some(i) = self.child(c, "identifikation") {
                r.list_id = self.text(i, "id");
            }
            // 2.0 wraps these in genericodeIdentification; 3.0 writes them directly.
            let ident = self.child(c, "genericodeIdentification").unwrap_or(c);
            r.canonical = self.text(ident, "canonicalIdentification");
            r.version = self.text(ident, "version");
            r.canonical_version_uri = self.text(ident, "canonicalVersionUri");
            let key = |name| Some(self.text(f, name)).filter(|s| !s.is_empty());
            r.code_key = key("codeKey");
            r.name_key = key("nameKey");
            r.help_key = key("helpKey");
            Some(Codes::Reference(r))
        } else if let Some(w) = self.child(f, "werte") {
            let values = self
                .children(w, "wert")
                .into_iter()
                .map(|v| Code {
                    value: self.text(v, "code"),
                    label: self.text(v, "name"),
                    help: Some(self.text(v, "hilfe")).filter(|s| !s.is_empty()),
                })
                .collect();
            Some(Codes::Inline(values))
        } else {
            None
        };
        let media_types = self
            .children(f, "mediaType")
            .into_iter()
            .map(all_text)
            .filter(|s| !s.is_empty())
            .collect();
        let max_size = Some(self.text(f, "maxSize")).and_then(|s| s.parse().ok());
        let rules = self.rules(f);
        Some(Field {
            uid,
            name: self.text(f, "name"),
            label: self.label(f),
            help: self.help(f),
            feldart: feldart?,
            datentyp: datentyp?,
            praezisierung,
            inhalt: self.text(f, "inhalt"),
            codes,
            media_types,
            max_size,
            rules,
            pos: self.pos(f),
            id,
            version,
        })
    }
}

/// All text below `node`, with `\r\n` and `\r` as `\n`, trimmed.
fn all_text(node: Node) -> String {
    let mut s = String::new();
    for d in node.descendants().filter(|d| d.is_text()) {
        s.push_str(d.text().unwrap_or(""));
    }
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}

/// `urn:de:fim:leika:leistung:99108008000000` → `99108008000000`.
fn leika_key(text: &str) -> Option<String> {
    let rest = text.split("urn:de:fim:leika:leistung:").nth(1)?;
    let key: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    (key.len() == 14).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anzahl_reads_the_forms_fim_uses() {
        assert_eq!(Anzahl::parse("1:1"), Some(Anzahl::ONE));
        assert_eq!(Anzahl::parse("0:*"), Some(Anzahl { min: 0, max: None }));
        assert_eq!(
            Anzahl::parse(" 2:5 "),
            Some(Anzahl {
                min: 2,
                max: Some(5)
            })
        );
        for bad in ["1", "1..n", "n:m", "2:1", "0:0", "", "a:b", "1:*:2"] {
            assert_eq!(Anzahl::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn praezisierung_reads_the_json_of_xdatenfelder_2() {
        let p = Praezisierung::from_json(
            r#"{"minLength":"5","pattern":"([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}","maxLength":"5"}"#,
        )
        .unwrap();
        assert_eq!(p.min_length, Some(5));
        assert_eq!(p.max_length, Some(5));
        assert_eq!(
            p.pattern.as_deref(),
            Some("([0]{1}[1-9]{1}|[1-9]{1}[0-9]{1})[0-9]{3}")
        );
        let p = Praezisierung::from_json(r#"{"minValue":"1","maxValue":31}"#).unwrap();
        assert_eq!(p.min_value.as_deref(), Some("1"));
        assert_eq!(p.max_value.as_deref(), Some("31"));
        assert!(Praezisierung::from_json("").unwrap().is_empty());
        assert!(Praezisierung::from_json("{\"maxLength\":\"zehn\"}").is_err());
        assert!(Praezisierung::from_json("maxLength=10").is_err());
        let p = Praezisierung::from_json(r#"{"totalDigits":"4"}"#).unwrap();
        assert_eq!(p.other, vec!["totalDigits=4".to_string()]);
    }

    #[test]
    fn leika_keys_are_found_in_urns() {
        assert_eq!(
            leika_key("urn:de:fim:leika:leistung:99108008000000").as_deref(),
            Some("99108008000000")
        );
        assert_eq!(leika_key("urn:de:fim:leika:leistung:123"), None);
    }
}
