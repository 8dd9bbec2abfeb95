//! Helpers shared by the import tests: small XDatenfelder documents written inline, and the
//! checks every imported form must pass.

use std::path::{Path, PathBuf};

use fim_import::{CodeLists, Imported, Options};
use form_model::model::Form;
use form_model::resolve::{MunicipalityRef, ResolvedForm};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The real schemas in `tests/fixtures`: folder, form id.
pub const REAL: [(&str, &str); 3] = [
    ("S00000094", "mutterschutz-benachrichtigung"),
    ("S00000186", "asbest-anzeige"),
    ("S00000246", "aufenthaltserlaubnis-erwerbstaetigkeit"),
];

/// The schema file in `tests/fixtures/<dir>`: the one whose name starts with `S` (the code
/// lists lie next to it).
pub fn schema_file(dir: &str) -> PathBuf {
    std::fs::read_dir(fixtures().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with('S'))
        .unwrap()
}

/// A datenfeld (XDatenfelder 2.0). `extra` goes after `inhalt` (a code list reference).
pub fn field(
    id: &str,
    label: &str,
    feldart: &str,
    datentyp: &str,
    praez: &str,
    extra: &str,
) -> String {
    format!(
        r#"<xdf:datenfeld>
  <xdf:identifikation><xdf:id>{id}</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
  <xdf:name>{label}</xdf:name>
  <xdf:bezeichnungEingabe>{label}</xdf:bezeichnungEingabe>
  <xdf:hilfetextEingabe />
  <xdf:feldart listURI="urn:xoev-de:fim:codeliste:xdatenfelder.feldart" listVersionID="1.0"><code>{feldart}</code></xdf:feldart>
  <xdf:datentyp listURI="urn:xoev-de:fim:codeliste:xdatenfelder.datentyp" listVersionID="1.0"><code>{datentyp}</code></xdf:datentyp>
  <xdf:praezisierung>{praez}</xdf:praezisierung>
  <xdf:inhalt />
  {extra}
</xdf:datenfeld>"#
    )
}

/// A datenfeldgruppe with `children` (already wrapped in `s(...)`).
pub fn group(id: &str, label: &str, rules: &str, children: &str) -> String {
    format!(
        r#"<xdf:datenfeldgruppe>
  <xdf:identifikation><xdf:id>{id}</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
  <xdf:name>{label}</xdf:name>
  <xdf:bezeichnungEingabe>{label}</xdf:bezeichnungEingabe>
  <xdf:hilfetextEingabe />
  {rules}
  {children}
</xdf:datenfeldgruppe>"#
    )
}

/// A rule.
pub fn rule(id: &str, text: &str) -> String {
    format!(
        r#"<xdf:regel><xdf:identifikation><xdf:id>{id}</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation><xdf:name>Regel {id}</xdf:name><xdf:definition>{text}</xdf:definition><xdf:script>function script() {{}}</xdf:script></xdf:regel>"#
    )
}

/// One `struktur` entry.
pub fn s(anzahl: &str, element: &str) -> String {
    format!(
        "<xdf:struktur><xdf:anzahl>{anzahl}</xdf:anzahl><xdf:bezug /><xdf:enthaelt>{element}</xdf:enthaelt></xdf:struktur>"
    )
}

/// A Stammdatenschema with `body` (struktur entries and rules).
pub fn schema(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2">
 <xdf:stammdatenschema>
  <xdf:identifikation><xdf:id>S99000000</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>
  <xdf:name>Testschema</xdf:name>
  <xdf:bezeichnungEingabe>Testschema</xdf:bezeichnungEingabe>
  <xdf:beschreibung />
  <xdf:definition />
  <xdf:bezug>§ 1 TestG</xdf:bezug>
  {body}
 </xdf:stammdatenschema>
</xdf:xdatenfelder.stammdatenschema.0102>"#
    )
}

/// A code list reference to the test list `urn:test:liste` with `n` values (see [`lists`]).
pub fn codelist_ref(n: usize) -> String {
    format!(
        r#"<xdf:codelisteReferenz><xdf:identifikation><xdf:id>C9900000{n}</xdf:id></xdf:identifikation><xdf:genericodeIdentification><xdf:canonicalIdentification>urn:test:liste{n}</xdf:canonicalIdentification><xdf:version>1</xdf:version><xdf:canonicalVersionUri>urn:test:liste{n}_1</xdf:canonicalVersionUri></xdf:genericodeIdentification></xdf:codelisteReferenz>"#
    )
}

/// Code lists `urn:test:liste2` (2 values), `…3`, `…7` (codes 01, 02, …; labels Wert 1, …).
pub fn lists() -> CodeLists {
    let mut lists = CodeLists::default();
    for n in [2usize, 3, 7] {
        let rows: String = (1..=n)
            .map(|i| format!(r#"<gc:Row><gc:Value ColumnRef="code"><gc:SimpleValue>{i:02}</gc:SimpleValue></gc:Value><gc:Value ColumnRef="name"><gc:SimpleValue>Wert {i}</gc:SimpleValue></gc:Value></gc:Row>"#))
            .collect();
        let xml = format!(
            r#"<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/"><gc:Identification><gc:ShortName>L</gc:ShortName><gc:Version>1</gc:Version><gc:CanonicalUri>urn:test:liste{n}</gc:CanonicalUri><gc:CanonicalVersionUri>urn:test:liste{n}_1</gc:CanonicalVersionUri></gc:Identification><gc:ColumnSet><gc:Column Id="code"/><gc:Column Id="name"/><gc:Key Id="codeKey"><gc:ColumnRef Ref="code"/></gc:Key><gc:Key Id="codenameKey"><gc:ColumnRef Ref="name"/></gc:Key></gc:ColumnSet><gc:SimpleCodeList>{rows}</gc:SimpleCodeList></gc:CodeList>"#
        );
        let list = fim_import::xdf::codes::parse(Path::new("l.xml"), &xml)
            .unwrap()
            .unwrap();
        lists.lists.push(list);
    }
    lists
}

/// Imports `xml` with the test code lists; panics with the errors.
pub fn import(xml: &str) -> Imported {
    let imported =
        fim_import::import_str(xml, Path::new("test.xml"), &lists(), &Options::default())
            .unwrap_or_else(|e| panic!("import failed:\n{e}"));
    assert_valid(&imported);
    imported
}

/// Imports the real schema in `tests/fixtures/<dir>` (the file whose name starts with `S`) with
/// the code lists next to it; panics with the errors.
pub fn import_fixture(dir: &str, id: &str) -> Imported {
    let imported = fim_import::import_file(
        &schema_file(dir),
        &Options {
            codelists: None,
            form_id: Some(id.into()),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_valid(&imported);
    imported
}

/// Every imported form: the YAML passes the check on its own, in a forms folder, and parses
/// back into exactly the form it was written from.
pub fn assert_valid(imported: &Imported) {
    assert!(
        imported.check.is_empty(),
        "the check rejects the imported form:\n{}\n{}",
        imported
            .check
            .iter()
            .map(|d| d.headline())
            .collect::<Vec<_>>()
            .join("\n"),
        imported.yaml
    );
    let back: Form = serde_yaml::from_str(&imported.yaml).expect("the YAML parses");
    assert_eq!(
        back, imported.form,
        "the YAML says something else than the form"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("catalog")).unwrap();
    std::fs::write(
        dir.path()
            .join("catalog")
            .join(format!("{}.yaml", imported.form.id)),
        &imported.yaml,
    )
    .unwrap();
    let report = form_model::check(dir.path());
    assert!(
        report.is_ok(),
        "formfabrik check: {:?}",
        report.diagnostics.items
    );
}

/// The form as a municipality publishes it (German only).
pub fn resolved(form: &Form) -> ResolvedForm {
    ResolvedForm::new(
        MunicipalityRef {
            id: "musterstadt".into(),
            name: "Musterstadt".into(),
            ags: "06531019".into(),
        },
        vec!["de".into()],
        form.clone(),
    )
}

/// Every field of the form, group members after their group.
pub fn all_fields(form: &Form) -> Vec<&form_model::Field> {
    form.steps
        .iter()
        .flat_map(|s| s.fields.iter())
        .flat_map(|f| std::iter::once(f).chain(f.fields.iter()))
        .collect()
}

/// The field (or group member) with `id`.
pub fn find<'a>(form: &'a Form, id: &str) -> &'a form_model::Field {
    all_fields(form)
        .into_iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no field {id}"))
}
