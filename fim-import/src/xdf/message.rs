//! Reading one XDatenfelder message (`xdatenfelder.stammdatenschema.0102`,
//! `xdatenfelder.datenfeldgruppe.0103`, `xdatenfelder.datenfeld.0104`) into the tree: the
//! namespace decides the version, the schema's `struktur` entries become groups and fields with
//! their `anzahl`. A group or field message becomes a schema with that one element.

use std::path::Path;

use roxmltree::{Document, Node};

use super::reader::Reader;
use super::tree::{
    Anzahl, Child, Element, Group, MessageKind, NS_V2, NS_V3, Pos, Schema, XdfVersion,
};
use crate::error::ImportError;

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

impl Reader<'_, '_> {
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
    fn leika_keys_are_found_in_urns() {
        assert_eq!(
            leika_key("urn:de:fim:leika:leistung:99108008000000").as_deref(),
            Some("99108008000000")
        );
        assert_eq!(leika_key("urn:de:fim:leika:leistung:123"), None);
    }
}
