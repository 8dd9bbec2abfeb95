//! genericode code lists (OASIS genericode 1.0), as FIM publishes them next to a schema.
//!
//! A list is found by what the field's `codelisteReferenz` names: first the canonical version
//! URI (`urn:de:fim:codeliste:statusfrauschwangerstillend_2020-02-06`), else canonical URI and
//! version. The file name does not matter (the real exports use `C00000020_genericode.xml` as
//! well as `1122.xml`).
//!
//! Columns: the value is the column the list's key `codeKey` points to (else its first key,
//! else its first column); the label the column of key `codenameKey` (else a column named
//! `name`, else the second column). XDatenfelder 3 fields may name both (`codeKey`, `nameKey`,
//! `helpKey`); then those win.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use roxmltree::{Document, Node};

use super::tree::{Code, CodeListRef, Pos};
use crate::error::ImportError;

/// The genericode namespace.
pub const NS_GC: &str = "http://docs.oasis-open.org/codelist/ns/genericode/1.0/";

/// One genericode list.
#[derive(Debug, Clone)]
pub struct CodeList {
    pub file: PathBuf,
    pub short_name: String,
    pub canonical: String,
    pub version: String,
    pub canonical_version_uri: String,
    pub columns: Vec<String>,
    /// Key id → columns, in order.
    pub keys: Vec<(String, Vec<String>)>,
    pub rows: Vec<BTreeMap<String, String>>,
}

/// Every code list of a folder.
#[derive(Debug, Clone, Default)]
pub struct CodeLists {
    pub dir: PathBuf,
    pub lists: Vec<CodeList>,
    /// XML files in the folder that are neither XDatenfelder nor readable genericode.
    pub unreadable: Vec<(PathBuf, String)>,
}

impl CodeLists {
    /// Reads every `*.xml` file in `dir` whose root is a genericode `CodeList`; other XML files
    /// (the schema itself) are skipped.
    pub fn load_dir(dir: &Path) -> Result<CodeLists, ImportError> {
        let mut out = CodeLists {
            dir: dir.to_path_buf(),
            ..CodeLists::default()
        };
        let entries = fs::read_dir(dir).map_err(|source| ImportError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")))
            .collect();
        paths.sort();
        for path in paths {
            let text = match fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    out.unreadable.push((path, e.to_string()));
                    continue;
                }
            };
            // Cheap test before parsing a large schema a second time.
            if !text.contains(NS_GC) {
                continue;
            }
            match parse(&path, &text) {
                Ok(Some(list)) => out.lists.push(list),
                Ok(None) => {}
                Err(e) => out.unreadable.push((path, e.to_string())),
            }
        }
        Ok(out)
    }

    /// The list a field refers to.
    pub fn find(&self, r: &CodeListRef) -> Option<&CodeList> {
        if !r.canonical_version_uri.is_empty()
            && let Some(l) = self
                .lists
                .iter()
                .find(|l| l.canonical_version_uri == r.canonical_version_uri)
        {
            return Some(l);
        }
        if r.canonical.is_empty() {
            return None;
        }
        self.lists.iter().find(|l| {
            l.canonical == r.canonical && (r.version.is_empty() || l.version == r.version)
        })
    }

    /// Versions of the same list that are there (for the error message).
    pub fn other_versions(&self, r: &CodeListRef) -> Vec<&CodeList> {
        self.lists
            .iter()
            .filter(|l| !r.canonical.is_empty() && l.canonical == r.canonical)
            .collect()
    }
}

/// A code-list entry that is not offered, and why (for the import report).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub value: String,
    pub label: String,
    /// `historic: existenz-bis 1991-12-25`, `internal: „für interne Zwecke verwendet“`.
    pub why: String,
}

/// The entries of a list a form offers, and those it leaves out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub codes: Vec<Code>,
    pub left_out: Vec<LeftOut>,
}

/// Columns that say until when an entry was valid (`existenz-bis` in Destatis' lists of
/// states, `gueltig-bis`), compared without case, separators and umlaut spelling.
const END_COLUMNS: [&str; 3] = ["existenzbis", "gueltigbis", "gueltigkeitbis"];

/// A date as code lists write it (`1991-12-25`, `25.12.1991`), as `(year, month, day)`.
fn date_of(s: &str) -> Option<(u32, u32, u32)> {
    let s = s.trim();
    let n = |x: &str| x.parse::<u32>().ok();
    if let [y, m, d] = s.split('-').collect::<Vec<_>>()[..]
        && y.len() == 4
    {
        return Some((n(y)?, n(m)?, n(d)?));
    }
    if let [d, m, y] = s.split('.').collect::<Vec<_>>()[..]
        && y.len() == 4
    {
        return Some((n(y)?, n(m)?, n(d)?));
    }
    None
}

impl CodeList {
    /// Why a row is not offered: the list marks it historic (an end date in an `existenz-bis`
    /// or `gueltig-bis` column not after the list's own version date, or a cell that says
    /// „historisch“), or for internal use (a cell such as „für interne Zwecke verwendet“).
    fn retired(&self, row: &BTreeMap<String, String>) -> Option<String> {
        static INTERNAL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(
                r"(?i)\binterne[nrs]?\s+(zwecke?|gebrauch|verwendung|nutzung)\b|\bnur\s+intern\b",
            )
            .expect("valid pattern")
        });
        let published = date_of(&self.version);
        for (col, value) in row {
            let key: String = col
                .to_lowercase()
                .replace('ü', "ue")
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect();
            if END_COLUMNS.contains(&key.as_str()) && !value.trim().is_empty() {
                let ended = match (date_of(value), published) {
                    (Some(end), Some(list)) => end <= list,
                    _ => true,
                };
                if ended {
                    return Some(format!("historic: {col} {}", value.trim()));
                }
            }
        }
        for (col, value) in row {
            if value.trim().eq_ignore_ascii_case("historisch") {
                return Some(format!("historic: {col} „{}“", value.trim()));
            }
        }
        row.values()
            .find(|v| INTERNAL.is_match(v))
            .map(|v| format!("internal: „{}“", v.trim()))
    }

    /// The values, with the columns chosen as described in the module docs; entries the list
    /// marks historic or internal are left out.
    pub fn codes(&self, r: &CodeListRef) -> Result<Selection, String> {
        let key = |id: &str| {
            self.keys
                .iter()
                .find(|(k, _)| k == id)
                .and_then(|(_, cols)| cols.first().cloned())
        };
        let code_col = r
            .code_key
            .clone()
            .or_else(|| key("codeKey"))
            .or_else(|| self.keys.first().and_then(|(_, c)| c.first().cloned()))
            .or_else(|| self.columns.first().cloned())
            .ok_or("the list has no columns")?;
        let name_col = r
            .name_key
            .clone()
            .or_else(|| key("codenameKey"))
            .or_else(|| {
                self.columns
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case("name"))
                    .cloned()
            })
            .or_else(|| self.columns.iter().find(|c| **c != code_col).cloned())
            .unwrap_or_else(|| code_col.clone());
        for col in [Some(&code_col), Some(&name_col), r.help_key.as_ref()]
            .into_iter()
            .flatten()
        {
            if !self.columns.contains(col) {
                return Err(format!(
                    "column \"{col}\" is not in the list (columns: {})",
                    self.columns.join(", ")
                ));
            }
        }
        let mut out = Selection::default();
        for row in &self.rows {
            let Some(value) = row.get(&code_col).filter(|v| !v.is_empty()) else {
                continue;
            };
            let label = row
                .get(&name_col)
                .filter(|v| !v.is_empty())
                .unwrap_or(value);
            if let Some(why) = self.retired(row) {
                out.left_out.push(LeftOut {
                    value: value.clone(),
                    label: label.trim().to_string(),
                    why,
                });
                continue;
            }
            out.codes.push(Code {
                value: value.clone(),
                label: label.clone(),
                help: r
                    .help_key
                    .as_ref()
                    .and_then(|h| row.get(h))
                    .filter(|v| !v.is_empty())
                    .cloned(),
            });
        }
        Ok(out)
    }
}

fn is(node: Node, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace().unwrap_or("") == NS_GC
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| is(*c, name))
}

fn text(node: Option<Node>) -> String {
    node.map(|n| {
        n.descendants()
            .filter(|d| d.is_text())
            .map(|d| d.text().unwrap_or(""))
            .collect::<String>()
            .trim()
            .to_string()
    })
    .unwrap_or_default()
}

/// Parses one genericode file; `Ok(None)` when the root is not a genericode `CodeList`.
pub fn parse(path: &Path, xml: &str) -> Result<Option<CodeList>, ImportError> {
    let doc = Document::parse(xml).map_err(|e| ImportError::Xml {
        file: path.to_path_buf(),
        pos: Pos {
            line: e.pos().row,
            col: e.pos().col,
        },
        message: e.to_string(),
    })?;
    let root = doc.root_element();
    if !is(root, "CodeList") {
        return Ok(None);
    }
    let pos = |n: Node| {
        let p = doc.text_pos_at(n.range().start);
        Pos {
            line: p.row,
            col: p.col,
        }
    };
    let err = |n: Node, message: &str| ImportError::CodeList {
        file: path.to_path_buf(),
        pos: pos(n),
        message: message.to_string(),
    };
    let ident = child(root, "Identification").ok_or_else(|| err(root, "no <Identification>"))?;
    let set = child(root, "ColumnSet").ok_or_else(|| err(root, "no <ColumnSet>"))?;
    let columns: Vec<String> = set
        .children()
        .filter(|c| is(*c, "Column"))
        .filter_map(|c| c.attribute("Id").map(str::to_string))
        .collect();
    let keys = set
        .children()
        .filter(|c| is(*c, "Key"))
        .map(|k| {
            let cols = k
                .children()
                .filter(|c| is(*c, "ColumnRef"))
                .filter_map(|c| c.attribute("Ref").map(str::to_string))
                .collect();
            (k.attribute("Id").unwrap_or("").to_string(), cols)
        })
        .collect();
    let simple = child(root, "SimpleCodeList").ok_or_else(|| err(root, "no <SimpleCodeList>"))?;
    let mut rows = Vec::new();
    for row in simple.children().filter(|c| is(*c, "Row")) {
        let mut values = BTreeMap::new();
        for (i, v) in row.children().filter(|c| is(*c, "Value")).enumerate() {
            // A Value without ColumnRef belongs to the column at its position.
            let col = v
                .attribute("ColumnRef")
                .map(str::to_string)
                .or_else(|| columns.get(i).cloned());
            if let Some(col) = col {
                values.insert(col, text(child(v, "SimpleValue")));
            }
        }
        rows.push(values);
    }
    Ok(Some(CodeList {
        file: path.to_path_buf(),
        short_name: text(child(ident, "ShortName")),
        canonical: text(child(ident, "CanonicalUri")),
        version: text(child(ident, "Version")),
        canonical_version_uri: text(child(ident, "CanonicalVersionUri")),
        columns,
        keys,
        rows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/"><gc:Identification><gc:ShortName>Einheit</gc:ShortName><gc:Version>2020-28-09</gc:Version><gc:CanonicalUri>urn:de:fim:codeliste:einheitenkgm2m3</gc:CanonicalUri><gc:CanonicalVersionUri>urn:de:fim:codeliste:einheitenkgm2m3_2020-28-09</gc:CanonicalVersionUri></gc:Identification><gc:ColumnSet><gc:Column Id="code" Use="required"/><gc:Column Id="name" Use="required"/><gc:Column Id="Langtext"/><gc:Key Id="codeKey"><gc:ColumnRef Ref="code"/></gc:Key><gc:Key Id="codenameKey"><gc:ColumnRef Ref="name"/></gc:Key></gc:ColumnSet><gc:SimpleCodeList><gc:Row><gc:Value ColumnRef="code"><gc:SimpleValue>001</gc:SimpleValue></gc:Value><gc:Value ColumnRef="name"><gc:SimpleValue>kg</gc:SimpleValue></gc:Value><gc:Value ColumnRef="Langtext"><gc:SimpleValue>Kilogramm</gc:SimpleValue></gc:Value></gc:Row><gc:Row><gc:Value ColumnRef="code"><gc:SimpleValue>002</gc:SimpleValue></gc:Value><gc:Value ColumnRef="name"><gc:SimpleValue>m³ </gc:SimpleValue></gc:Value></gc:Row></gc:SimpleCodeList></gc:CodeList>"#;

    fn reference() -> CodeListRef {
        CodeListRef {
            canonical: "urn:de:fim:codeliste:einheitenkgm2m3".into(),
            version: "2020-28-09".into(),
            canonical_version_uri: "urn:de:fim:codeliste:einheitenkgm2m3_2020-28-09".into(),
            ..CodeListRef::default()
        }
    }

    #[test]
    fn code_and_label_come_from_the_code_key_and_codename_key_columns() {
        let list = parse(Path::new("l.xml"), LIST).unwrap().unwrap();
        let codes = list.codes(&reference()).unwrap().codes;
        assert_eq!(
            codes,
            vec![
                Code {
                    value: "001".into(),
                    label: "kg".into(),
                    help: None
                },
                Code {
                    value: "002".into(),
                    label: "m³".into(),
                    help: None
                },
            ]
        );
    }

    #[test]
    fn columns_named_by_an_xdatenfelder_3_field_win() {
        let list = parse(Path::new("l.xml"), LIST).unwrap().unwrap();
        let r = CodeListRef {
            name_key: Some("Langtext".into()),
            ..reference()
        };
        let codes = list.codes(&r).unwrap().codes;
        assert_eq!(codes[0].label, "Kilogramm");
        assert_eq!(
            codes[1].label, "002",
            "a row without the column falls back to the code"
        );
        let r = CodeListRef {
            name_key: Some("Kurztext".into()),
            ..reference()
        };
        assert!(list.codes(&r).unwrap_err().contains("Kurztext"));
    }

    #[test]
    fn lists_are_found_by_canonical_version_uri_or_uri_and_version() {
        let list = parse(Path::new("l.xml"), LIST).unwrap().unwrap();
        let lists = CodeLists {
            lists: vec![list],
            ..CodeLists::default()
        };
        assert!(lists.find(&reference()).is_some());
        let by_uri = CodeListRef {
            canonical_version_uri: String::new(),
            ..reference()
        };
        assert!(lists.find(&by_uri).is_some());
        let other_version = CodeListRef {
            canonical_version_uri: "urn:de:fim:codeliste:einheitenkgm2m3_2024-01-01".into(),
            version: "2024-01-01".into(),
            ..reference()
        };
        assert!(lists.find(&other_version).is_none());
        assert_eq!(lists.other_versions(&other_version).len(), 1);
    }

    #[test]
    fn other_xml_is_not_a_code_list() {
        assert!(
            parse(Path::new("s.xml"), "<schema xmlns='urn:x'/>")
                .unwrap()
                .is_none()
        );
    }
}
