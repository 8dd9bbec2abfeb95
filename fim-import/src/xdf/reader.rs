//! The reader's view of an XDatenfelder document: elements of the document's namespace looked
//! up by name, their texts and codes (`<x><code>v</code></x>` or `<x>v</x>`), positions, the
//! shared parts of groups and fields (identification, label, help, `bezug`, rules), and the
//! errors collected so far, so one run reports all of them.

use std::path::Path;

use roxmltree::{Document, Node};

use super::tree::{Pos, Rule, XdfVersion};
use crate::error::ImportError;

/// One document being read: the namespace of its version, the errors found so far and the next
/// occurrence id (`uid`; FIM ids repeat when a group is reused).
pub(super) struct Reader<'a, 'input> {
    pub(super) file: &'a Path,
    pub(super) doc: &'a Document<'input>,
    pub(super) ns: &'a str,
    pub(super) xdf: XdfVersion,
    pub(super) errors: Vec<ImportError>,
    pub(super) next_uid: usize,
}

impl<'a, 'input> Reader<'a, 'input> {
    pub(super) fn pos(&self, node: Node) -> Pos {
        let p = self.doc.text_pos_at(node.range().start);
        Pos {
            line: p.row,
            col: p.col,
        }
    }

    pub(super) fn is(&self, node: Node, name: &str) -> bool {
        node.is_element()
            && node.tag_name().name() == name
            && node.tag_name().namespace().unwrap_or("") == self.ns
    }

    pub(super) fn child<'d>(&self, node: Node<'d, 'input>, name: &str) -> Option<Node<'d, 'input>> {
        node.children().find(|c| self.is(*c, name))
    }

    pub(super) fn children<'d>(&self, node: Node<'d, 'input>, name: &str) -> Vec<Node<'d, 'input>> {
        node.children().filter(|c| self.is(*c, name)).collect()
    }

    /// The text of child `name`, line endings normalized, trimmed; "" when absent.
    pub(super) fn text(&self, node: Node, name: &str) -> String {
        self.child(node, name).map(all_text).unwrap_or_default()
    }

    /// A code: `<x><code>v</code></x>` (unqualified or qualified `code`) or `<x>v</x>`.
    pub(super) fn code(&self, node: Node, name: &str) -> Option<(String, Pos)> {
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

    pub(super) fn identification(&self, node: Node) -> (String, String) {
        match self.child(node, "identifikation") {
            Some(i) => (self.text(i, "id"), self.text(i, "version")),
            None => (String::new(), String::new()),
        }
    }

    pub(super) fn uid(&mut self) -> usize {
        self.next_uid += 1;
        self.next_uid - 1
    }

    pub(super) fn label(&self, node: Node) -> String {
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

    pub(super) fn help(&self, node: Node) -> String {
        let h = self.text(node, "hilfetextEingabe");
        if h.is_empty() {
            self.text(node, "hilfetext")
        } else {
            h
        }
    }

    /// 3.0 may give several `bezug` elements; they are joined.
    pub(super) fn bezug(&self, node: Node) -> String {
        self.children(node, "bezug")
            .into_iter()
            .map(all_text)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(super) fn rules(&mut self, node: Node) -> Vec<Rule> {
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
}

/// All text below `node`, with `\r\n` and `\r` as `\n`, trimmed.
pub(super) fn all_text(node: Node) -> String {
    let mut s = String::new();
    for d in node.descendants().filter(|d| d.is_text()) {
        s.push_str(d.text().unwrap_or(""));
    }
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}
