//! Where every key and value of a YAML file stands. serde_yaml tells the position of the first
//! syntax or type error only; semantic errors found later (a condition naming an unknown field,
//! a duplicate id) need the position of the value they are about. This index walks the same
//! text once with an event parser and maps each value's path (`steps[1].fields[0].id`) to its
//! line and column.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Positions of keys and values, by path.
#[derive(Debug, Default, Clone)]
pub struct PositionIndex {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
    /// Keys written twice in one mapping, in the order met: the key, where it is first written
    /// and where again.
    duplicates: Vec<(String, Pos, Pos)>,
}

/// A key written twice in one mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicate<'a> {
    pub key: &'a str,
    pub first: Pos,
    pub again: Pos,
}

impl PositionIndex {
    /// Builds the index; a text the event parser cannot read gives an empty index (serde_yaml
    /// reports the syntax error itself).
    pub fn build(text: &str) -> PositionIndex {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return PositionIndex::default();
        }
        builder.index
    }

    /// Position of the value at `path`, or of its key, or of the closest enclosing value.
    pub fn value(&self, path: &str) -> Option<Pos> {
        let mut path = path;
        loop {
            if let Some(pos) = self.values.get(path).or_else(|| self.keys.get(path)) {
                return Some(*pos);
            }
            path = parent(path)?;
        }
    }

    /// Every key written twice in one mapping, in the order of the file.
    pub fn duplicates(&self) -> Vec<Duplicate<'_>> {
        self.duplicates
            .iter()
            .map(|(k, first, again)| Duplicate {
                key: k,
                first: *first,
                again: *again,
            })
            .collect()
    }

    /// Position of the key that holds the value at `path` (falls back like [`Self::value`]).
    pub fn key(&self, path: &str) -> Option<Pos> {
        self.keys.get(path).copied().or_else(|| self.value(path))
    }
}

/// Where [`PositionIndex::value`] puts each scalar that serde_yaml handed over as a slice of
/// `text` (a path and the slice's byte range, as `repeated_keys::from_str_noting` notes them),
/// for a text that deserialized without a key written twice; the ones whose place is not
/// certain from the text around them are left out (the index tells those).
///
/// The index puts a scalar where yaml-rust2 marks its node: at its first character, or at the
/// opening quote. Certain is:
/// - a text without a byte-order mark, a tab or a lone carriage return (the two parsers count
///   or read those differently) and without an anchor (an alias hands over the slice of the
///   anchored scalar, somewhere else);
/// - a slice on one line that follows a `:` and blanks (no tag or anchor starts its node
///   earlier), or an opening quote right after those, the slice holding no such quote (then it
///   is the whole scalar, not the end of one with an escaped quote).
pub fn borrowed_scalars(text: &str, found: Vec<(String, usize, usize)>) -> Vec<(String, Pos)> {
    if !plain_enough(text) {
        return Vec::new();
    }
    found
        .into_iter()
        .filter_map(|(path, start, len)| Some((path, borrowed_scalar(text, start, len)?)))
        .collect()
}

/// No byte-order mark, tab, lone carriage return or anything that may be an anchor. (Searched
/// for with `str`'s own searches: a file is looked through once, and most have none of them.)
fn plain_enough(text: &str) -> bool {
    let bytes = text.as_bytes();
    let lone_cr = |(i, _): (usize, &str)| bytes.get(i + 1) != Some(&b'\n');
    // An anchor starts a token: after a blank, a line break, a flow indicator or a `:`; its
    // name follows right away.
    let anchor = |(i, _): (usize, &str)| {
        let token = i == 0 || b" \n\r[{,:".contains(&bytes[i - 1]);
        token && bytes.get(i + 1).is_some_and(|n| !b" \n\r,[]{}".contains(n))
    };
    !text.starts_with('\u{feff}')
        && !text.contains('\t')
        && !text.match_indices('\r').any(lone_cr)
        && !text.match_indices('&').any(anchor)
}

fn borrowed_scalar(text: &str, start: usize, len: usize) -> Option<Pos> {
    let scalar = text.get(start..start + len)?;
    if scalar.contains(['\n', '\r']) {
        return None;
    }
    let before = &text[..start];
    let node = match before.chars().next_back() {
        Some(quote @ ('"' | '\'')) if !scalar.contains(quote) => start - 1,
        _ => start,
    };
    if !text[..node].trim_end_matches([' ', '\t']).ends_with(':') {
        return None;
    }
    let line_start = text[..node].rfind('\n').map_or(0, |i| i + 1);
    Some(Pos {
        line: 1 + text[..line_start].matches('\n').count(),
        column: 1 + text[line_start..node].chars().count(),
    })
}

/// `a.b[2].c` → `a.b[2]` → `a.b` → `a` → ``; `None` after the root.
fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

/// Appends a mapping key or a sequence index to a path.
pub fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
        first: bool,
    },
    Seq {
        path: String,
        next: usize,
    },
    /// A mapping used as a key: positions inside are not addressable.
    Opaque,
}

#[derive(Default)]
struct Builder {
    index: PositionIndex,
    stack: Vec<Frame>,
}

impl Builder {
    /// The path of the node that starts now, or `None` if it is a mapping key.
    fn place(&mut self, scalar_key: Option<&str>, pos: Pos) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Opaque) => None,
            Some(Frame::Seq { path, next }) => {
                let p = item(path, *next);
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { path, key, first }) => match key.take() {
                Some(k) => Some(child(path, &k)),
                None => {
                    // This node is a key.
                    match scalar_key {
                        Some(k) => {
                            // A mapping "is" where its first key is (the parser marks block
                            // mappings after the key).
                            if *first {
                                self.index.values.insert(path.clone(), pos);
                                *first = false;
                            }
                            let at = child(path, k);
                            if let Some(before) = self.index.keys.get(&at).copied() {
                                self.index.duplicates.push((k.to_string(), before, pos));
                            }
                            self.index.keys.insert(at, pos);
                            *key = Some(k.to_string());
                        }
                        None => *key = Some(String::from("?")),
                    }
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = Pos {
            line: mark.line(),
            column: mark.col() + 1,
        };
        match ev {
            Event::Scalar(value, ..) => {
                if let Some(path) = self.place(Some(&value), pos) {
                    self.index.values.insert(path, pos);
                }
            }
            Event::Alias(_) => {
                if let Some(path) = self.place(Some(""), pos) {
                    self.index.values.insert(path, pos);
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_map = matches!(ev, Event::MappingStart(..));
                let frame = match self.place(None, pos) {
                    Some(path) => {
                        self.index.values.insert(path.clone(), pos);
                        if is_map {
                            Frame::Map {
                                path,
                                key: None,
                                first: true,
                            }
                        } else {
                            Frame::Seq { path, next: 0 }
                        }
                    }
                    None => Frame::Opaque,
                };
                self.stack.push(frame);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "id: hund\nsteps:\n  - id: halter\n    fields:\n      - { id: vorname, type: text }\n      - id: name\n        label: { de: Name }\n";

    #[test]
    fn finds_values_and_keys_in_block_and_flow_style() {
        let index = PositionIndex::build(DOC);
        assert_eq!(index.value("id"), Some(Pos { line: 1, column: 5 }));
        assert_eq!(index.key("steps"), Some(Pos { line: 2, column: 1 }));
        assert_eq!(
            index.value("steps[0].fields[0].id"),
            Some(Pos {
                line: 5,
                column: 15
            })
        );
        assert_eq!(
            index.value("steps[0].fields[1].label.de"),
            Some(Pos {
                line: 7,
                column: 22
            })
        );
    }

    #[test]
    fn knows_where_a_key_is_written_twice() {
        let doc = "id: a\nsteps:\n  - id: s\n    max-length: 1\n    title: x\n    max-length: 2\nlabel: { de: A, de: B }\n";
        let index = PositionIndex::build(doc);
        let found: Vec<(&str, Pos, Pos)> = index
            .duplicates()
            .iter()
            .map(|d| (d.key, d.first, d.again))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "max-length",
                    Pos { line: 4, column: 5 },
                    Pos { line: 6, column: 5 }
                ),
                (
                    "de",
                    Pos {
                        line: 7,
                        column: 10
                    },
                    Pos {
                        line: 7,
                        column: 17
                    }
                ),
            ]
        );
    }

    #[test]
    fn falls_back_to_the_enclosing_value() {
        let index = PositionIndex::build(DOC);
        assert_eq!(
            index.value("steps[0].fields[1].hint.en"),
            index.value("steps[0].fields[1]")
        );
    }
}
