//! The XDatenfelder tree as the importer reads it: the schema (or a single group or field), its
//! groups and fields in document order with their cardinality (`anzahl`), rules, code-list
//! references, constraints (`praezisierung`) and positions in the XML. The same types serve
//! XDatenfelder 2.0 and 3.0; what only 3.0 has is marked so.

/// A position in an XML file (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

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

    /// Sets one constraint by its XDatenfelder name (3.0 writes them as attributes).
    pub(super) fn set(&mut self, key: &str, value: String) -> Result<(), String> {
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
}
