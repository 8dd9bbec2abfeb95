//! What a built site gives search engines and the federal portal network, on the repository's
//! forms: robots.txt as Google's own parser reads it, sitemap.xml valid against the
//! sitemaps.org XSD (with its language versions) and listing every page that may be indexed,
//! onlinedienste.json valid against the schema published beside it and its CSV twin, and
//! `formfabrik check`'s warnings about published forms that are hard to find. (The pages' heads agreeing
//! with the sitemap, and the JSON-LD, are read in a browser: tests/e2e/findability.test.js.)

use crate::common;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use generator::site::portal::{COLUMNS, FORMAT};
use robotstxt::{DefaultMatcher, RobotsParseHandler, parse_robotstxt};
use serde_json::Value;

use crate::common::{built_as_published as built, repo};

/// Each municipality's site folder with its site origin.
fn sites(out: &Path) -> Vec<(PathBuf, String)> {
    let report = form_model::check(&repo().join("forms"));
    let sites: Vec<_> = report
        .project
        .municipalities
        .iter()
        .map(|m| {
            (
                out.join("site").join(&m.config.id),
                m.config.site_origin.clone(),
            )
        })
        .collect();
    assert_eq!(sites.len(), 4);
    sites
}

/// The address of every page of the site in `dir` at `origin`: one per `index.html`.
fn page_urls(dir: &Path, origin: &str) -> Vec<String> {
    let mut urls: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.file_name().is_some_and(|n| n == "index.html"))
        .map(|p| {
            let folder = p.parent().unwrap().strip_prefix(dir).unwrap();
            let rel: String = folder
                .components()
                .map(|c| format!("{}/", c.as_os_str().to_string_lossy()))
                .collect();
            format!("{origin}/{rel}")
        })
        .collect();
    urls.sort();
    urls
}

/// What Google's robots.txt parser hands its callbacks.
#[derive(Default)]
struct Directives {
    user_agents: Vec<String>,
    allows: Vec<String>,
    disallows: Vec<String>,
    sitemaps: Vec<String>,
    unknown: Vec<String>,
}

impl RobotsParseHandler for Directives {
    fn handle_robots_start(&mut self) {}
    fn handle_robots_end(&mut self) {}
    fn handle_user_agent(&mut self, _: u32, v: &str) {
        self.user_agents.push(v.into());
    }
    fn handle_allow(&mut self, _: u32, v: &str) {
        self.allows.push(v.into());
    }
    fn handle_disallow(&mut self, _: u32, v: &str) {
        self.disallows.push(v.into());
    }
    fn handle_sitemap(&mut self, _: u32, v: &str) {
        self.sitemaps.push(v.into());
    }
    fn handle_unknown_action(&mut self, line: u32, action: &str, value: &str) {
        self.unknown.push(format!("line {line}: {action}: {value}"));
    }
}

#[test]
fn robots_txt_lets_googles_parser_crawl_every_page_and_names_the_sitemap() {
    let out = built();
    for (dir, origin) in sites(out.path()) {
        let txt = fs::read_to_string(dir.join("robots.txt")).unwrap();
        let mut seen = Directives::default();
        parse_robotstxt(&txt, &mut seen);
        assert_eq!(seen.unknown, Vec::<String>::new(), "{txt}");
        assert_eq!(seen.user_agents, ["*"]);
        assert_eq!(seen.allows, ["/"]);
        assert_eq!(seen.disallows, Vec::<String>::new());
        assert_eq!(seen.sitemaps, [format!("{origin}/sitemap.xml")]);
        // Every page, the confirmation pages too: their noindex must be readable.
        let urls = page_urls(&dir, &origin);
        assert!(urls.iter().any(|u| u.ends_with("/danke/")));
        for url in urls.iter().chain([&seen.sitemaps[0]]) {
            for agent in ["Googlebot", "Bingbot"] {
                assert!(
                    DefaultMatcher::default().one_agent_allowed_by_robots(&txt, agent, url),
                    "{agent} may not fetch {url}"
                );
            }
        }
    }
}

/// `xmllint --schema` with the sitemaps.org XSD (and the alternates' schema): its verdict.
fn xmllint(file: &Path) -> (bool, String) {
    let schema = repo().join("generator/tests/schema/sitemap-with-alternates.xsd");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(file)
        .output()
        .expect("xmllint (Debian: libxml2-utils; scripts/test installs it)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_sitemap_is_valid_against_the_sitemaps_org_schema_and_lists_each_indexed_page() {
    let out = built();
    for (dir, origin) in sites(out.path()) {
        let file = dir.join("sitemap.xml");
        let (valid, said) = xmllint(&file);
        assert!(valid, "{}: {said}", file.display());
        let xml = fs::read_to_string(&file).unwrap();
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let locs: BTreeSet<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name(("http://www.sitemaps.org/schemas/sitemap/0.9", "loc")))
            .map(|n| n.text().unwrap().to_string())
            .collect();
        // Every page but the confirmation pages, each once.
        let indexed: BTreeSet<String> = page_urls(&dir, &origin)
            .into_iter()
            .filter(|u| !u.ends_with("/danke/"))
            .collect();
        assert_eq!(locs, indexed, "{}", file.display());
        let urls = doc
            .root_element()
            .children()
            .filter(|n| n.is_element())
            .count();
        assert_eq!(urls, locs.len(), "a page listed twice");
    }
}

/// The validation above can fail: a sitemap entry without its address, or a language version
/// without its language, is refused.
#[test]
fn the_sitemap_schema_refuses_an_entry_without_address_or_language() {
    let dir = tempfile::tempdir().unwrap();
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">";
    for (name, body, ok) in [
        (
            "good",
            "<url><loc>https://f.example/a/</loc><xhtml:link rel=\"alternate\" hreflang=\"de\" href=\"https://f.example/a/\"/></url>",
            true,
        ),
        (
            "no-loc",
            "<url><xhtml:link rel=\"alternate\" hreflang=\"de\" href=\"https://f.example/a/\"/></url>",
            false,
        ),
        (
            "no-hreflang",
            "<url><loc>https://f.example/a/</loc><xhtml:link rel=\"alternate\" href=\"https://f.example/a/\"/></url>",
            false,
        ),
    ] {
        let file = dir.path().join(format!("{name}.xml"));
        fs::write(&file, format!("{head}{body}</urlset>\n")).unwrap();
        assert_eq!(xmllint(&file).0, ok, "{name}");
    }
}

#[test]
fn the_portal_list_has_every_published_form_in_every_language_and_matches_its_schema() {
    let out = built();
    let report = form_model::check(&repo().join("forms"));
    for (dir, origin) in sites(out.path()) {
        let id = dir.file_name().unwrap().to_str().unwrap().to_string();
        let schema: Value = serde_json::from_str(
            &fs::read_to_string(dir.join("onlinedienste.schema.json")).unwrap(),
        )
        .unwrap();
        let list: Value =
            serde_json::from_str(&fs::read_to_string(dir.join("onlinedienste.json")).unwrap())
                .unwrap();
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        let problems: Vec<String> = validator
            .iter_errors(&list)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert_eq!(problems, Vec::<String>::new(), "{id}");
        assert_eq!(list["format"], FORMAT);
        assert_eq!(
            list["$schema"],
            format!("{origin}/onlinedienste.schema.json")
        );

        let services = list["services"].as_array().unwrap();
        let expected: BTreeSet<(String, String)> = report
            .resolved
            .iter()
            .filter(|f| f.municipality.id == id)
            .flat_map(|f| f.languages.iter().map(|l| (f.form.id.clone(), l.clone())))
            .collect();
        let listed: BTreeSet<(String, String)> = services
            .iter()
            .map(|s| {
                (
                    s["form"].as_str().unwrap().to_string(),
                    s["language"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(listed, expected, "{id}");
        assert_eq!(services.len(), expected.len(), "{id}: an entry twice");
        for s in services {
            // The address is the form page in that language, which the site has.
            let url = s["url"].as_str().unwrap();
            let rel = url.strip_prefix(&format!("{origin}/")).unwrap();
            assert!(dir.join(rel).join("index.html").is_file(), "{url}");
        }

        // The CSV: the same columns, one row per entry in the same order.
        let csv = fs::read_to_string(dir.join("onlinedienste.csv")).unwrap();
        let rows: Vec<&str> = csv.strip_suffix("\r\n").unwrap().split("\r\n").collect();
        assert_eq!(rows[0], COLUMNS.join(","));
        assert_eq!(rows.len(), services.len() + 1);
        for (row, s) in rows[1..].iter().zip(services) {
            assert!(
                row.contains(&format!(",{},", s["url"].as_str().unwrap())),
                "{row}"
            );
        }
    }
}

/// docs/portal.md describes every column the schema has, and the schema has every column.
#[test]
fn every_column_of_the_portal_list_is_in_its_schema_and_in_the_docs() {
    let schema: Value = serde_json::from_str(generator::site::portal::SCHEMA).unwrap();
    let item = &schema["$defs"]["service"];
    let properties: Vec<&str> = item["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(properties, COLUMNS);
    let required: Vec<&str> = item["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, COLUMNS);
    let docs = fs::read_to_string(repo().join("docs/portal.md")).unwrap();
    for column in COLUMNS {
        assert!(
            docs.contains(&format!("\n| `{column}` |")),
            "docs/portal.md has no row for {column}"
        );
    }
}

/// `formfabrik check --lang en` in `dir` (which has `forms/`): its output.
fn check(dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_formfabrik"))
        .args(["check", "--forms", "forms", "--lang", "en"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "warnings do not fail check");
    String::from_utf8(out.stdout).unwrap()
}

/// The warnings of `check`'s output, as `file:line:col: message`.
fn warnings(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.contains(": warning: ")).collect()
}

#[test]
fn check_warns_once_per_published_form_version_without_leika_key_or_intro() {
    let out = check(&repo());
    let said = warnings(&out);
    // The dog tax form has both; the bulky-waste form, published by all four, has no key; the
    // maternity-protection form (from FIM) has neither; archived versions nobody publishes
    // are not mentioned.
    assert!(!said.iter().any(|w| w.contains("hundesteuer")), "{out}");
    assert!(
        said.contains(&"forms/catalog/sperrmuell-anmeldung.yaml:3:5: warning: sperrmuell-anmeldung@1 is published (by beispieldorf, gruenwiesen, musterstadt, neustadt-am-see) but has no LeiKa key: the portal network cannot link its service to the online form (write `leika:`)"),
        "{out}"
    );
    assert!(
        said.contains(&"forms/catalog/mutterschutz-benachrichtigung.yaml:14:5: warning: mutterschutz-benachrichtigung@2 is published without an intro (by gruenwiesen): search engines describe its page by its purpose (write `intro:`, or set it in the overlay)"),
        "{out}"
    );
    assert!(
        !said.iter().any(|w| w.contains("benachrichtigung@1")),
        "{out}"
    );
    // Meldebescheinigung (sign-in) has no key yet either.
    assert!(
        said.iter()
            .any(|w| w.contains("meldebescheinigung@1") && w.contains("LeiKa")),
        "{out}"
    );
    // And the residents' parking permit (municipality parameters) too: one more.
    assert_eq!(said.len(), 8, "{out}");
}

#[test]
fn a_leika_key_and_an_intro_in_the_overlay_silence_the_warnings() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&repo().join("forms"), &dir.path().join("forms"));
    let catalog = dir.path().join("forms/catalog/sperrmuell-anmeldung.yaml");
    let yaml = fs::read_to_string(&catalog).unwrap();
    let yaml = yaml.replacen("version: 1\n", "version: 1\nleika: \"99000000000000\"\n", 1);
    fs::write(&catalog, yaml).unwrap();
    // Gruenwiesen publishes the maternity-protection form with an intro of its own.
    let m = dir.path().join("forms/municipalities/gruenwiesen");
    let config = fs::read_to_string(m.join("municipality.yaml")).unwrap();
    let config = config.replacen(
        "  - use: mutterschutz-benachrichtigung@2\n",
        "  - use: mutterschutz-benachrichtigung@2\n    overlay: forms/mutterschutz.yaml\n",
        1,
    );
    fs::write(m.join("municipality.yaml"), config).unwrap();
    fs::create_dir_all(m.join("forms")).unwrap();
    fs::write(
        m.join("forms/mutterschutz.yaml"),
        "operations:\n  - set-form:\n      intro: { de: \"Melden Sie uns die Beschäftigung einer Schwangeren.\" }\n",
    )
    .unwrap();

    let out = check(dir.path());
    let said = warnings(&out);
    assert!(!said.iter().any(|w| w.contains("sperrmuell")), "{out}");
    assert!(
        !said.iter().any(|w| w.contains("without an intro")),
        "{out}"
    );
    // The other forms without a key (meldebescheinigung and bewohnerparkausweis among them)
    // still warn.
    assert_eq!(said.len(), 6, "{out}");
}
