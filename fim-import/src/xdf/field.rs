//! Reading one `datenfeld`: its `feldart` and `datentyp` (unknown codes are errors naming the
//! known ones), its `praezisierung` (JSON in 2.0, attributes in 3.0), where its values come from
//! (a `codelisteReferenz`, or inline `werte` in 3.0), and the media types and size of a file.

use roxmltree::Node;

use super::reader::{Reader, all_text};
use super::tree::{
    Code, CodeListRef, Codes, Datentyp, Feldart, Field, Pos, Praezisierung, XdfVersion,
};
use crate::error::ImportError;

impl Reader<'_, '_> {
    pub(super) fn field(&mut self, f: Node) -> Option<Field> {
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
