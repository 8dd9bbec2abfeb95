//! The list of a municipality's online services for the federal portal network
//! (Portalverbund, Zuständigkeitsfinder): `onlinedienste.json` and `onlinedienste.csv` in the
//! site's folder, one entry per form and language with what a portal entry needs to link to it
//! (LeiKa key, AGS/ARS, title, address, languages, whether sign-in or payment is needed, form
//! version), and the JSON Schema of the JSON beside them (`onlinedienste.schema.json`).
//! docs/portal.md describes the columns.

use serde::Serialize;
use serde_json::json;

use form_model::model::{Form, Municipality};
use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;

use super::{BuildError, Put};

/// What the JSON says it is; another shape gets another name.
pub const FORMAT: &str = "formfabrik-onlinedienste-1";

/// The JSON Schema of `onlinedienste.json`, published beside it.
pub const SCHEMA: &str = include_str!("onlinedienste.schema.json");

/// The files, in the site's folder.
pub const JSON_FILE: &str = "onlinedienste.json";
pub const CSV_FILE: &str = "onlinedienste.csv";
pub const SCHEMA_FILE: &str = "onlinedienste.schema.json";

/// One form in one language: a row of the CSV, an entry of the JSON's `services` (the same
/// names, in the same order).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct OnlineService {
    /// The 14-digit LeiKa key, when the form has one.
    pub leika: Option<String>,
    pub ags: String,
    pub ars: Option<String>,
    /// The municipality's name.
    pub municipality: String,
    /// The form's id (its folder on the site).
    pub form: String,
    pub form_version: u32,
    /// The language of this entry's title and page.
    pub language: String,
    pub title: String,
    /// The form page in `language`.
    pub url: String,
    /// Every language the form is offered in, the first the default.
    pub languages: Vec<String>,
    pub sign_in: bool,
    pub payment: bool,
}

/// The columns, in order: the names [`OnlineService`] serializes with.
pub const COLUMNS: [&str; 12] = [
    "leika",
    "ags",
    "ars",
    "municipality",
    "form",
    "form-version",
    "language",
    "title",
    "url",
    "languages",
    "sign-in",
    "payment",
];

/// What a citizen needs besides the form: to sign in, to pay. Read from the form here and
/// nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    pub sign_in: bool,
    pub payment: bool,
}

/// What `form` needs, from what the form language has today: no form asks for sign-in yet (the
/// `identity:` key comes with sign-in, docs/identity.md; read it here then), and a form with
/// fees is paid for (read its payment settings here once the form language has them).
pub fn needs(form: &Form) -> Needs {
    Needs {
        sign_in: false,
        payment: !form.fees.is_empty(),
    }
}

/// The entries of `m`'s site at `site_url`: each of `forms` in each of its languages.
pub fn services(m: &Municipality, site_url: &str, forms: &[&ResolvedForm]) -> Vec<OnlineService> {
    let mut out = Vec::new();
    for f in forms {
        let needs = needs(&f.form);
        for lang in &f.languages {
            out.push(OnlineService {
                leika: f.form.leika.clone(),
                ags: m.ags.clone(),
                ars: m.ars.clone(),
                municipality: m.name.clone(),
                form: f.form.id.clone(),
                form_version: f.form.version,
                language: lang.clone(),
                title: text_in(&f.form.title, lang),
                url: view::frame::page_url(site_url, m, lang, &format!("{}/", f.form.id)),
                languages: f.languages.clone(),
                sign_in: needs.sign_in,
                payment: needs.payment,
            });
        }
    }
    out
}

/// `onlinedienste.json`: the format, where its schema is, and the entries.
pub fn to_json(site_url: &str, services: &[OnlineService]) -> String {
    let doc = json!({
        "$schema": format!("{}/{SCHEMA_FILE}", site_url.trim_end_matches('/')),
        "format": FORMAT,
        "services": services,
    });
    serde_json::to_string_pretty(&doc).expect("JSON serializes") + "\n"
}

/// `onlinedienste.csv`: a header of [`COLUMNS`], then one row per entry (CRLF, quoted where
/// needed, cells that a spreadsheet would take for a formula neutralised, as the back office's
/// export does). `languages` is space-separated, booleans are `true`/`false`, a missing value
/// is an empty cell.
pub fn to_csv(services: &[OnlineService]) -> String {
    let row = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| inbox::export::csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    let mut out = row(COLUMNS.iter().map(|c| c.to_string()).collect());
    for s in services {
        out.push_str(&row(vec![
            s.leika.clone().unwrap_or_default(),
            s.ags.clone(),
            s.ars.clone().unwrap_or_default(),
            s.municipality.clone(),
            s.form.clone(),
            s.form_version.to_string(),
            s.language.clone(),
            s.title.clone(),
            s.url.clone(),
            s.languages.join(" "),
            s.sign_in.to_string(),
            s.payment.to_string(),
        ]));
    }
    out
}

/// Writes the JSON, the CSV and the schema into the site's folder `dir` with `put`.
pub fn write(
    dir: &std::path::Path,
    m: &Municipality,
    site_url: &str,
    forms: &[&ResolvedForm],
    put: &mut Put<'_>,
) -> Result<(), BuildError> {
    let services = services(m, site_url, forms);
    put(dir.join(JSON_FILE), to_json(site_url, &services).as_bytes())?;
    put(dir.join(CSV_FILE), to_csv(&services).as_bytes())?;
    put(dir.join(SCHEMA_FILE), SCHEMA.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> OnlineService {
        OnlineService {
            leika: None,
            ags: "06531019".into(),
            ars: Some("065310019019".into()),
            municipality: "Stadt Musterstadt".into(),
            form: "sperrmuell-anmeldung".into(),
            form_version: 1,
            language: "de".into(),
            title: "=Sperrmüll, \"groß\"".into(),
            url: "https://f.example/sperrmuell-anmeldung/".into(),
            languages: vec!["de".into(), "en".into()],
            sign_in: false,
            payment: true,
        }
    }

    #[test]
    fn the_json_names_and_the_csv_columns_are_the_same_in_the_same_order() {
        let value = serde_json::to_value(entry()).unwrap();
        let names: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(names, COLUMNS);
    }

    #[test]
    fn a_csv_row_quotes_and_neutralises_what_a_spreadsheet_would_misread() {
        let csv = to_csv(&[entry()]);
        let rows: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(rows[0], COLUMNS.join(","));
        assert_eq!(
            rows[1],
            ",06531019,065310019019,Stadt Musterstadt,sperrmuell-anmeldung,1,de,\"'=Sperrmüll, \"\"groß\"\"\",https://f.example/sperrmuell-anmeldung/,de en,false,true"
        );
    }
}
