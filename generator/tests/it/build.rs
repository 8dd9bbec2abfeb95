//! `formfabrik build` on the repository's forms: every page of every municipality in every
//! language, with the frame every page needs, constraint attributes from the model, schemas
//! and the registry; a second build rewrites nothing.

use crate::common;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use form_model::registry::Registry;
use form_model::resolve::ResolvedForm;
use generator::site::{BuildOptions, build};
use regex::Regex;
use view::Frame;
use view::bundle::{Bundle, RemotePages};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn options(out: &Path) -> BuildOptions {
    BuildOptions {
        forms_dir: repo().join("forms"),
        templates_dir: repo().join("site-templates"),
        out_dir: out.to_path_buf(),
        local_base: None,
        progress: false,
        dev_reload: false,
    }
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("formfabrik-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn html_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

#[test]
fn builds_every_page_with_the_frame_every_page_needs() {
    let out = temp("frame");
    let report = build(&options(&out)).unwrap();
    let site = out.join("site");
    // 4 municipalities: musterstadt de+en with 6 forms, beispieldorf de with 2, neustadt-am-see
    // de+ar with 1, gruenwiesen de with 4 (two imported from FIM): per language 1 index + 2 per
    // form + 4 legal/feedback pages.
    let expected = 2 * (1 + 2 * 6 + 4) + (1 + 2 * 2 + 4) + 2 * (1 + 2 + 4) + (1 + 2 * 4 + 4);
    assert_eq!(report.pages, expected);
    let pages = html_files(&site);
    assert_eq!(pages.len(), expected);
    for p in [
        "musterstadt/index.html",
        "musterstadt/en/hundesteuer-anmeldung/index.html",
        "musterstadt/hundesteuer-anmeldung/danke/index.html",
        "musterstadt/en/impressum/index.html",
        "beispieldorf/datenschutz/index.html",
        "neustadt-am-see/ar/sperrmuell-anmeldung/index.html",
        "neustadt-am-see/ar/barrierefreiheit/index.html",
    ] {
        assert!(site.join(p).is_file(), "{p}");
    }
    let h1 = Regex::new("<h1[ >]").unwrap();
    let inline_script = Regex::new(r#"<script(?: [^>]*)?>"#).unwrap();
    for page in &pages {
        let html = fs::read_to_string(page).unwrap();
        let name = page.strip_prefix(&site).unwrap().display().to_string();
        assert_eq!(h1.find_iter(&html).count(), 1, "{name}: one h1");
        assert!(
            html.contains("class=\"skip-link\" href=\"#main\""),
            "{name}: skip link"
        );
        assert!(html.contains("<main id=\"main\""), "{name}: main landmark");
        assert!(
            html.contains("<header") && html.contains("<footer"),
            "{name}: landmarks"
        );
        assert!(html.contains("Content-Security-Policy"), "{name}: CSP");
        assert!(!html.contains("unsafe-inline"), "{name}: CSP allows inline");
        assert!(!html.contains(" style=\""), "{name}: inline style");
        for tag in inline_script.find_iter(&html) {
            let tag = tag.as_str();
            assert!(
                // Data blocks (the script's data, the JSON-LD) are not script.
                tag.contains(" src=")
                    || tag.contains("application/json")
                    || tag.contains("application/ld+json"),
                "{name}: inline script {tag}"
            );
        }
        let lang = if name.contains("/ar/") {
            "ar"
        } else if name.contains("/en/") {
            "en"
        } else {
            "de"
        };
        assert!(
            html.contains(&format!("<html lang=\"{lang}\"")),
            "{name}: lang"
        );
        let dir = if lang == "ar" { "rtl" } else { "ltr" };
        assert!(html.contains(&format!("dir=\"{dir}\"")), "{name}: dir");
        for link in [
            "impressum/",
            "datenschutz/",
            "barrierefreiheit/",
            "feedback/",
        ] {
            assert!(html.contains(link), "{name}: link to {link}");
        }
        assert!(
            !html.contains("https://fonts.") && !html.contains("cdn."),
            "{name}: third party"
        );
    }
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn form_pages_carry_the_model_constraints_and_post_to_the_endpoint() {
    let out = temp("constraints");
    build(&options(&out)).unwrap();
    let html =
        fs::read_to_string(out.join("site/musterstadt/hundesteuer-anmeldung/index.html")).unwrap();
    let decoded = html.clone();
    assert!(decoded.contains(
        "action=\"https://api.musterstadt.example/v1/musterstadt/hundesteuer-anmeldung\""
    ));
    assert!(
        decoded.contains("form-action https://api.musterstadt.example"),
        "CSP form-action"
    );
    assert!(
        html.contains("enctype=\"multipart/form-data\""),
        "file fields need multipart"
    );
    // Always asked and required → required; asked only on a condition → not required.
    let vorname = Regex::new(r#"<input[^>]*id="f-vorname"[^>]*>"#).unwrap();
    let tag = vorname.find(&html).unwrap().as_str();
    assert!(
        tag.contains(" required") && tag.contains("autocomplete=\"given-name\""),
        "{tag}"
    );
    let erlaubnis = Regex::new(r#"<input[^>]*id="f-erlaubnis"[^>]*>"#).unwrap();
    let tag = erlaubnis.find(&html).unwrap().as_str();
    assert!(
        !tag.contains(" required") && tag.contains("type=\"file\""),
        "{tag}"
    );
    assert!(html.contains("name=\"_hp\""), "honeypot");
    assert!(html.contains("name=\"_lang\" value=\"de\""));
    assert!(html.contains("id=\"form-data\""), "script data");
    assert!(
        html.contains("Hinweise zum Datenschutz"),
        "Art. 13 notice before submit"
    );
    assert!(
        html.contains("datenschutz/#hinweise-hundesteuer-anmeldung"),
        "the first layer links to the full notice"
    );
    let _ = fs::remove_dir_all(&out);
}

/// The script file a page loads, read from the site's assets.
fn script_of(site: &Path, page: &str) -> Option<String> {
    let html = fs::read_to_string(site.join(page).join("index.html")).unwrap();
    let src = Regex::new(r#"<script src="(?:\.\./)*assets/([^"]+)""#)
        .unwrap()
        .captures(&html)?[1]
        .to_string();
    let municipality = page.split('/').next().unwrap();
    Some(fs::read_to_string(site.join(municipality).join("assets").join(src)).unwrap())
}

#[test]
fn each_page_loads_only_the_script_parts_it_uses() {
    let out = temp("script-parts");
    build(&options(&out)).unwrap();
    let site = out.join("site");
    // The dog tax form has an IBAN and lists; bulky waste has neither.
    let dog = script_of(&site, "gruenwiesen/hundesteuer-anmeldung").unwrap();
    let waste = script_of(&site, "gruenwiesen/sperrmuell-anmeldung").unwrap();
    assert!(dog.contains("invalid-iban") && dog.contains("data-list"));
    assert!(!waste.contains("invalid-iban") && !waste.contains("data-list"));
    assert!(
        waste.contains("invalid-email"),
        "bulky waste asks for an email address"
    );
    assert!(waste.len() < dog.len());
    // Only a form with a long list (the asbestos form's 197 states) carries the search box.
    let asbestos = script_of(&site, "gruenwiesen/asbest-anzeige").unwrap();
    assert!(asbestos.contains("aria-autocomplete"));
    assert!(!dog.contains("aria-autocomplete") && !waste.contains("aria-autocomplete"));
    let dog_page =
        fs::read_to_string(site.join("gruenwiesen/hundesteuer-anmeldung/index.html")).unwrap();
    assert!(!dog_page.contains("combobox-hint"), "its words neither");
    assert!(!dog_page.contains("assets/combobox."), "nor its styles");
    let asbestos_page =
        fs::read_to_string(site.join("gruenwiesen/asbest-anzeige/index.html")).unwrap();
    let styles = Regex::new(r#"href="\.\./assets/(combobox\.[0-9a-f]+\.css)""#).unwrap();
    let name = &styles
        .captures(&asbestos_page)
        .expect("the search box's styles")[1];
    assert!(site.join("gruenwiesen/assets").join(name).is_file());
    assert!(
        !site.join("musterstadt/assets").join(name).exists(),
        "a site without long lists does not get them"
    );
    // The amount due on check-your-answers, where the answers decide it (the parking permit's
    // fee by the period chosen): the page names assets/fees.js, which its script loads when
    // that step opens and which computes it; the page script itself does not. A form with
    // fixed fees (the driving licence) shows no amount due, and a site without such forms has
    // no fees.js.
    let parking =
        fs::read_to_string(site.join("musterstadt/bewohnerparkausweis/index.html")).unwrap();
    let fees =
        Regex::new(r#"id="amount-due" data-script="\.\./assets/(fees\.[0-9a-f]+\.js)" hidden"#)
            .unwrap()
            .captures(&parking)
            .expect("the amount due names its script")[1]
            .to_string();
    let fees_js = fs::read_to_string(site.join("musterstadt/assets").join(&fees)).unwrap();
    assert!(fees_js.contains("total_cents") && fees_js.contains("formfabrikFees"));
    let parking_js = script_of(&site, "musterstadt/bewohnerparkausweis").unwrap();
    assert!(parking_js.contains("formfabrikFees") && !parking_js.contains("total_cents"));
    let licence =
        fs::read_to_string(site.join("musterstadt/fahrerlaubnis-ersterteilung/index.html"))
            .unwrap();
    assert!(licence.contains("43,40") && !licence.contains("amount-due"));
    assert!(
        !script_of(&site, "musterstadt/fahrerlaubnis-ersterteilung")
            .unwrap()
            .contains("formfabrikFees")
    );
    assert!(
        !fs::read_dir(site.join("neustadt-am-see/assets"))
            .unwrap()
            .any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("fees.")),
        "a site without fees that depend on the answers gets no fees.js"
    );
    // The index has the filter and no rules; the confirmation page shows the reference.
    let index = script_of(&site, "gruenwiesen").unwrap();
    assert!(index.contains("filter-input") && !index.contains("form-data"));
    let thanks = script_of(&site, "gruenwiesen/sperrmuell-anmeldung/danke").unwrap();
    assert!(thanks.contains("reference-box") && !thanks.contains("form-data"));
    // It checks ?ref= with form-model's pattern, written into the page.
    let page =
        fs::read_to_string(site.join("gruenwiesen/sperrmuell-anmeldung/danke/index.html")).unwrap();
    let pattern = form_model::record::reference_pattern("gruenwiesen");
    assert!(
        page.contains(&format!("data-pattern=\"{pattern}\"")),
        "{pattern}"
    );
    // Legal pages need no script.
    assert!(script_of(&site, "gruenwiesen/impressum").is_none());
    let _ = fs::remove_dir_all(&out);
}

fn gzipped_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap().len()
}

/// The page budget (docs/BENCHMARKS.md) as a guard: a form page carries its questions plus a
/// frame (script, stylesheet, header, legal links, privacy notice) that must leave room for
/// them. Up to 20 inputs a page fits into 14 KB gzipped; up to 80 into 28,160 bytes (GOV.UK
/// Frontend's CSS and JS alone); larger forms are measured by `bench/page-weight.py`, not held
/// to a budget. Inputs are counted as there: the distinct names of the page's fields, so a
/// radio group is one input and an address four.
#[test]
fn form_pages_fit_the_budget_for_their_number_of_inputs() {
    const TIERS: [(usize, usize); 2] = [(20, 14 * 1024), (80, 28_160)];
    let out = temp("page-weight");
    build(&options(&out)).unwrap();
    let site = out.join("site");
    let asset = Regex::new(r#"<(?:link rel="stylesheet" href|script src)="([^"]+)""#).unwrap();
    let field = Regex::new(r"<(?:input|select|textarea)\b[^>]*>").unwrap();
    let name = Regex::new(r#"\bname="([^"]+)""#).unwrap();
    let kind = Regex::new(r#"\btype="([^"]+)""#).unwrap();
    let mut held = vec![Vec::new(); TIERS.len()];
    for page in html_files(&site) {
        let html = fs::read_to_string(&page).unwrap();
        if !html.contains(r#"id="form-data""#) {
            continue;
        }
        let inputs: BTreeSet<&str> = field
            .find_iter(&html)
            .filter(|tag| {
                kind.captures(tag.as_str())
                    .is_none_or(|k| !matches!(&k[1], "hidden" | "submit" | "button"))
            })
            .filter_map(|tag| {
                name.captures(tag.as_str())
                    .map(|n| n.get(1).unwrap().as_str())
            })
            .collect();
        let mut total = gzipped_len(html.as_bytes());
        for a in asset.captures_iter(&html) {
            total += gzipped_len(&fs::read(page.parent().unwrap().join(&a[1])).unwrap());
        }
        if let Some(tier) = TIERS.iter().position(|(most, _)| inputs.len() <= *most) {
            let budget = TIERS[tier].1;
            held[tier].push(page.strip_prefix(&site).unwrap().display().to_string());
            assert!(
                total <= budget,
                "{}: {} inputs, {total} bytes gzipped, over the budget of {budget}",
                page.display(),
                inputs.len()
            );
        }
    }
    // Bulky waste in 4 municipalities and 3 languages; the driving licence, the weapons
    // permit and the dog tax in the second tier.
    assert!(held[0].len() >= 6, "{held:?}");
    assert!(held[1].len() >= 6, "{held:?}");
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn legal_pages_carry_every_forms_art_13_notice_and_every_field_of_the_accessibility_statement() {
    let out = temp("legal");
    build(&options(&out)).unwrap();
    let site = out.join("site");
    let project = form_model::check(&repo().join("forms"));
    for m in &project.project.municipalities {
        let c = &m.config;
        let forms: Vec<_> = project
            .resolved
            .iter()
            .filter(|f| f.municipality.id == c.id)
            .collect();
        for (i, lang) in c.languages.iter().enumerate() {
            let root = if i == 0 {
                site.join(&c.id)
            } else {
                site.join(&c.id).join(lang)
            };
            // Datenschutz: one Art. 13 notice per form, with the controller, the DPO, the
            // retention from the form and the authority to complain to.
            let privacy = fs::read_to_string(root.join("datenschutz/index.html")).unwrap();
            for f in &forms {
                let notice = privacy
                    .split(&format!("id=\"hinweise-{}\"", f.form.id))
                    .nth(1)
                    .unwrap_or_else(|| panic!("{}/{lang}: no notice for {}", c.id, f.form.id))
                    .split("</section>")
                    .next()
                    .unwrap();
                for part in [
                    c.contact.email.as_str(),
                    c.data_protection_officer.email.as_str(),
                    c.supervisory_authority.name.as_str(),
                    &f.form.retention_days.to_string(),
                ] {
                    assert!(
                        notice.contains(part),
                        "{}/{lang} {}: notice lacks {part}",
                        c.id,
                        f.form.id
                    );
                }
                // A form with sign-in says what the account gives and where it is kept.
                let sign_in = form_model::messages::SITE.text("privacy-sign-in-text", lang);
                assert_eq!(
                    notice.contains(&view::escape_html(sign_in)),
                    f.form.identity.offers_sign_in(),
                    "{}/{lang} {}: the sign-in part of the notice",
                    c.id,
                    f.form.id
                );
            }
            // Barrierefreiheit: the EU 2018/1523 fields from municipality.yaml.
            let page = fs::read_to_string(root.join("barrierefreiheit/index.html")).unwrap();
            let a = &c.accessibility;
            for id in [
                "a11y-status",
                "a11y-preparation",
                "a11y-feedback",
                "a11y-enforcement",
            ] {
                assert!(
                    page.contains(&format!("id=\"{id}\"")),
                    "{}/{lang}: {id}",
                    c.id
                );
            }
            assert_eq!(
                page.contains("id=\"a11y-non-accessible\""),
                !a.non_accessible.is_empty()
            );
            assert!(
                page.matches("<li>").count() >= a.non_accessible.len(),
                "{}/{lang}: every non-accessible item",
                c.id
            );
            let prepared = if lang == "de" {
                let p: Vec<&str> = a.prepared_on.split('-').collect();
                format!(
                    "{}.{}.{}",
                    p[2].trim_start_matches('0'),
                    p[1].trim_start_matches('0'),
                    p[0]
                )
            } else {
                a.prepared_on.clone()
            };
            assert!(page.contains(&prepared), "{}/{lang}: date {prepared}", c.id);
            let feedback = a.feedback_contact.as_ref().unwrap_or(&c.contact);
            assert!(
                page.contains(&feedback.email),
                "{}/{lang}: feedback contact",
                c.id
            );
            assert!(
                page.contains("href=\"../feedback/\""),
                "{}/{lang}: feedback page",
                c.id
            );
            let body = &a.enforcement_body;
            assert!(
                page.contains(&body.name),
                "{}/{lang}: enforcement body",
                c.id
            );
            for reach in [&body.email, &body.web].into_iter().flatten() {
                assert!(page.contains(reach.as_str()), "{}/{lang}: {reach}", c.id);
            }
        }
    }
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn writes_schemas_the_forms_as_published_and_a_registry_the_function_accepts() {
    let out = temp("registry");
    let report = build(&options(&out)).unwrap();
    let text = fs::read_to_string(out.join("function/registry.json")).unwrap();
    let registry = Registry::from_json(&text).unwrap();
    assert_eq!(registry.forms.len(), report.forms);
    for f in &registry.forms {
        let schema = out.join(format!(
            "schemas/{}/{}/v{}.schema.json",
            f.municipality.id, f.form.id, f.form.version
        ));
        assert!(schema.is_file(), "{}", schema.display());
        // Beside it the form as published, for receipts once the form has moved on.
        let name = inbox::contract::name_of(f);
        let kept = inbox::contract::PublishedForm::read(&out.join("schemas"), &name).unwrap();
        assert_eq!(&kept.form, f);
        // Written from the form's JSON made once per shared form: byte for byte serde's.
        let written =
            fs::read_to_string(out.join("schemas").join(inbox::contract::form_file(&name)))
                .unwrap();
        assert_eq!(
            written,
            serde_json::to_string(&kept).unwrap() + "\n",
            "{name}"
        );
        let m = registry.municipality(&f.municipality.id).unwrap();
        assert_eq!(Some(&kept.contact), m.contact.as_ref());
    }
    let _ = fs::remove_dir_all(&out);
}

/// The site's form page of `form` in `lang`, as the build wrote it.
fn written_form_page(out: &Path, form: &ResolvedForm, lang: &str, default: bool) -> String {
    let folder = match default {
        true => String::new(),
        false => format!("{lang}/"),
    };
    fs::read_to_string(out.join(format!(
        "site/{}/{folder}{}/index.html",
        form.municipality.id, form.form.id
    )))
    .unwrap()
}

/// The function renders form pages from what the build leaves in function/: the registry's
/// forms and the theme. As the site's own page (relative links) it is the page the build wrote,
/// byte for byte: the same templates and the same view of the form.
#[test]
fn a_form_page_rendered_from_the_built_theme_is_the_page_the_build_wrote() {
    let out = temp("theme");
    build(&options(&out)).unwrap();
    let registry =
        Registry::from_json(&fs::read_to_string(out.join("function/registry.json")).unwrap())
            .unwrap();
    let text = fs::read_to_string(out.join("function/theme.json")).unwrap();
    let bundle = Bundle::from_json(&text, "theme.json").unwrap();
    let theme = bundle.theme("theme.json").unwrap();
    let mut compared = 0;
    for form in &registry.forms {
        let site_bundle = &bundle.sites[&form.municipality.id];
        let site = site_bundle.on_site();
        let script = &site_bundle.scripts[&form.form.id];
        for (i, lang) in site_bundle.municipality.languages.iter().enumerate() {
            let frame = Frame::new(&theme, &site, lang).unwrap();
            let page = view::pages::form(&frame, form, Some(script), None).unwrap();
            let html = theme.render(&page).unwrap();
            assert!(
                html == written_form_page(&out, form, lang, i == 0),
                "{}/{lang}/{}",
                form.municipality.id,
                form.form.id
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 20);
    let _ = fs::remove_dir_all(&out);
}

/// Away from the site (the function's answer to a post without JavaScript) the page is the
/// same but for its links, which go to the site's address, its CSP, which allows the site's
/// origin for stylesheets, scripts and images instead of `'self'`, and `noindex`.
#[test]
fn a_form_page_rendered_away_from_the_site_links_to_the_site_and_allows_its_origin() {
    let out = temp("remote");
    build(&options(&out)).unwrap();
    let registry =
        Registry::from_json(&fs::read_to_string(out.join("function/registry.json")).unwrap())
            .unwrap();
    let text = fs::read_to_string(out.join("function/theme.json")).unwrap();
    let pages = RemotePages::from_json(&text, "theme.json").unwrap();
    let form = registry
        .forms
        .iter()
        .find(|f| f.municipality.id == "musterstadt" && f.form.id == "hundesteuer-anmeldung")
        .unwrap();
    let site = "https://formulare.musterstadt.example";
    let api = "https://api.musterstadt.example";
    let links =
        Regex::new(r##" (href|src|data-confirmation|data-script)="([^"#][^"]*)""##).unwrap();
    for (lang, default) in [("de", true), ("en", false)] {
        let page = pages.form_page(form, lang, None).unwrap().unwrap();
        assert_eq!(
            page.csp,
            format!(
                "default-src 'none'; script-src {site}; style-src {site}; img-src {site}; \
                 connect-src {api}; form-action {api}; base-uri 'none'"
            )
        );
        assert!(page.html.contains(&format!("content=\"{}\"", page.csp)));
        assert!(
            Regex::new(&format!(
                r#"<link rel="stylesheet" href="{site}/assets/site\.[0-9a-f]{{10}}\.css">"#
            ))
            .unwrap()
            .is_match(&page.html)
        );
        // With the site page's links resolved where the page is, and 'self' for the site's
        // origin, the two are the same page.
        let folder = if default {
            String::new()
        } else {
            format!("{lang}/")
        };
        let at = url::Url::parse(&format!("{site}/{folder}hundesteuer-anmeldung/")).unwrap();
        let written = written_form_page(&out, form, lang, default);
        let resolved = links.replace_all(&written, |c: &regex::Captures| {
            match url::Url::parse(&c[2]) {
                Ok(_) => c[0].to_string(),
                Err(_) => format!(" {}=\"{}\"", &c[1], at.join(&c[2]).unwrap()),
            }
        });
        // Search engines are asked to index the site's page, not this one.
        let noindex = "<meta name=\"robots\" content=\"noindex\">\n";
        assert!(page.html.contains(noindex), "{lang}: noindex");
        let remote = page
            .html
            .replace(&page.csp, &page.csp.replace(site, "'self'"))
            .replace(noindex, "");
        assert!(remote == resolved, "{lang}:\n{}", page.html);
    }
    // A language the municipality does not offer: its first.
    let page = pages.form_page(form, "ar", None).unwrap().unwrap();
    assert!(page.html.starts_with("<!doctype html>\n<html lang=\"de\""));
    let _ = fs::remove_dir_all(&out);
}

#[test]
fn a_second_build_renders_nothing_and_rewrites_nothing() {
    let out = temp("warm");
    let first = build(&options(&out)).unwrap();
    assert_eq!(first.unchanged, 0);
    assert_eq!(first.rendered, first.pages);
    // A file every site shares (not the site's stylesheet with its colour, nor its logo) is
    // one file however many sites have it (hard links).
    let mut by_name: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for site in fs::read_dir(out.join("site")).unwrap() {
        for file in fs::read_dir(site.unwrap().path().join("assets")).unwrap() {
            let file = file.unwrap();
            let ino = std::os::unix::fs::MetadataExt::ino(&file.metadata().unwrap());
            let name = file.file_name().to_string_lossy().into_owned();
            by_name.entry(name).or_default().insert(ino);
        }
    }
    assert!(
        by_name
            .keys()
            .any(|n| n.starts_with("site.") && n.ends_with(".js"))
    );
    let own = |n: &str| n.starts_with("logo.") || (n.starts_with("site.") && n.ends_with(".css"));
    for (name, inodes) in by_name.iter().filter(|(n, _)| !own(n)) {
        assert_eq!(inodes.len(), 1, "{name} is {} files", inodes.len());
    }
    let second = build(&options(&out)).unwrap();
    assert_eq!(second.pages, first.pages);
    assert_eq!(second.rendered, 0, "warm build rendered pages");
    assert_eq!(second.written, 0, "warm build wrote files");
    assert_eq!(second.unchanged, first.written);
    let _ = fs::remove_dir_all(&out);
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no {from:?}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Every file of `dir` (but the build state) with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.file_name() != generator::state::STATE_FILE)
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn a_build_renders_again_exactly_the_municipalities_whose_inputs_or_files_changed() {
    let work = temp("incremental");
    common::copy_dir(&repo().join("forms"), &work.join("forms"));
    common::copy_dir(&repo().join("site-templates"), &work.join("site-templates"));
    let out = work.join("dist");
    let opts = BuildOptions {
        forms_dir: work.join("forms"),
        templates_dir: work.join("site-templates"),
        ..options(&out)
    };
    let cold = build(&opts).unwrap();
    // Pages per municipality: per language the index, form and confirmation per form, and 4
    // legal and feedback pages. Grünwiesen: German only, 4 forms; Musterstadt: de+en, 5 forms.
    let (gruenwiesen, musterstadt) = (1 + 2 * 4 + 4, 2 * (1 + 2 * 6 + 4));

    // A municipality's legal page: only that municipality renders again.
    edit(
        &work.join("forms/municipalities/gruenwiesen/pages/impressum.md"),
        "## Anbieterin",
        "## Anbieterin des Angebots",
    );
    let r = build(&opts).unwrap();
    assert_eq!((r.pages, r.rendered), (cold.pages, gruenwiesen));
    assert_eq!(r.written, 1, "only the imprint changed");
    let imprint = fs::read_to_string(out.join("site/gruenwiesen/impressum/index.html")).unwrap();
    assert!(imprint.contains("Anbieterin des Angebots"));

    // A municipality's overlay: only that municipality renders again, and of all the files
    // only its own (the form's page and contract) and the function's change.
    let before = tree(&out);
    edit(
        &work.join("forms/municipalities/beispieldorf/forms/hundesteuer-anmeldung.yaml"),
        "Tagsüber erreichbare Nummer.",
        "Werktags erreichbare Nummer.",
    );
    let r = build(&opts).unwrap();
    let beispieldorf = 1 + 2 * 2 + 4;
    assert_eq!((r.pages, r.rendered), (cold.pages, beispieldorf));
    let after = tree(&out);
    let changed: Vec<&PathBuf> = after
        .iter()
        .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
        .map(|(path, _)| path)
        .collect();
    assert!(
        changed.contains(&&PathBuf::from(
            "site/beispieldorf/hundesteuer-anmeldung/index.html"
        )),
        "{changed:?}"
    );
    for path in &changed {
        assert!(
            ["site/beispieldorf/", "schemas/beispieldorf/", "function/"]
                .iter()
                .any(|p| path.starts_with(p)),
            "{} changed",
            path.display()
        );
    }
    let page =
        fs::read_to_string(out.join("site/beispieldorf/hundesteuer-anmeldung/index.html")).unwrap();
    assert!(page.contains("Werktags erreichbare Nummer."));

    // A catalog form: only the municipalities that publish it.
    edit(
        &work.join("forms/catalog/waffenbesitzkarte.yaml"),
        "de: Geburtsname,",
        "de: Geburtsname (falls abweichend),",
    );
    let r = build(&opts).unwrap();
    assert_eq!(r.rendered, musterstadt);
    let page =
        fs::read_to_string(out.join("site/musterstadt/waffenbesitzkarte/index.html")).unwrap();
    assert!(page.contains("Geburtsname (falls abweichend)"));

    // A page changed or removed by hand is put back.
    let index = out.join("site/neustadt-am-see/index.html");
    fs::write(&index, "edited by hand").unwrap();
    fs::remove_file(out.join("site/beispieldorf/feedback/index.html")).unwrap();
    let r = build(&opts).unwrap();
    assert!(r.rendered > 0 && r.rendered < cold.pages, "{r:?}");
    assert_eq!(r.written, 2);
    assert!(
        fs::read_to_string(&index)
            .unwrap()
            .contains("<!doctype html>")
    );

    // A template (here a comment that renders to nothing): everything renders, no page
    // changes; only the function's copy of the templates does.
    let layout = work.join("site-templates/components/hint/template.html");
    let text = fs::read_to_string(&layout).unwrap();
    fs::write(&layout, format!("{{# touched #}}{text}")).unwrap();
    let r = build(&opts).unwrap();
    assert_eq!((r.rendered, r.written), (cold.pages, 1));
    let theme = fs::read_to_string(out.join("function/theme.json")).unwrap();
    assert!(theme.contains("{# touched #}"));

    // After all that, the output is what a cold build of the same inputs writes.
    let fresh = work.join("fresh");
    build(&BuildOptions {
        out_dir: fresh.clone(),
        ..opts.clone()
    })
    .unwrap();
    let (incremental, cold_tree) = (tree(&out), tree(&fresh));
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        cold_tree.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &cold_tree {
        assert!(incremental[path] == *bytes, "{} differs", path.display());
    }
    let _ = fs::remove_dir_all(&work);
}

/// Sets the modification time of every file below `dir` to an hour ago, as if the designer
/// had written them long before the build.
fn age(dir: &Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for e in walkdir::WalkDir::new(dir) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let file = fs::File::options().write(true).open(e.path()).unwrap();
            file.set_modified(past).unwrap();
        }
    }
}

#[test]
fn a_build_after_which_nothing_changed_finishes_without_loading_the_forms() {
    let work = temp("unchanged");
    common::copy_dir(&repo().join("forms"), &work.join("forms"));
    common::copy_dir(&repo().join("site-templates"), &work.join("site-templates"));
    age(&work.join("forms"));
    let out = work.join("dist");
    let opts = BuildOptions {
        forms_dir: work.join("forms"),
        templates_dir: work.join("site-templates"),
        ..options(&out)
    };
    let cold = build(&opts).unwrap();
    assert!(cold.checked);
    let warm = build(&opts).unwrap();
    assert!(!warm.checked, "nothing changed, yet the forms were loaded");
    assert_eq!((warm.pages, warm.forms), (cold.pages, cold.forms));
    assert_eq!((warm.rendered, warm.written), (0, 0));
    assert_eq!(warm.unchanged, cold.written);

    // An edit that keeps the file's size is seen by its time, and rendered.
    let imprint = work.join("forms/municipalities/gruenwiesen/pages/impressum.md");
    edit(&imprint, "## Anbieterin", "## ANBIETERIN");
    let r = build(&opts).unwrap();
    assert!(r.checked && r.rendered > 0, "{r:?}");
    assert!(
        fs::read_to_string(out.join("site/gruenwiesen/impressum/index.html"))
            .unwrap()
            .contains("ANBIETERIN")
    );
    // The file was written a moment ago: its time proves nothing (it may change again within
    // the clock's resolution), so the next build loads the forms again (and renders nothing).
    let r = build(&opts).unwrap();
    assert!(r.checked && r.rendered == 0, "{r:?}");
    // Once it is older, the build after next trusts it again.
    age(&work.join("forms"));
    assert!(build(&opts).unwrap().checked);
    assert!(!build(&opts).unwrap().checked);

    // An output removed: load, check and put it back.
    fs::remove_file(out.join("function/registry.json")).unwrap();
    let r = build(&opts).unwrap();
    assert!(r.checked && r.written == 1, "{r:?}");
    assert!(out.join("function/registry.json").exists());
    let _ = fs::remove_dir_all(&work);
}

#[test]
fn every_anchor_the_function_links_to_exists_on_the_form_page() {
    let out = temp("anchors");
    build(&options(&out)).unwrap();
    let text = fs::read_to_string(out.join("function/registry.json")).unwrap();
    let registry = Registry::from_json(&text).unwrap();
    for form in &registry.forms {
        let m = registry.municipality(&form.municipality.id).unwrap();
        for lang in &m.languages {
            let page = out
                .join("site")
                .join(&m.id)
                .join(m.lang_prefix(lang).trim_start_matches('/'));
            let html = fs::read_to_string(page.join(&form.form.id).join("index.html")).unwrap();
            for field in form.form.fields() {
                let mut names = vec![field.id.clone()];
                if field.kind == form_model::FieldType::Address {
                    for part in form_model::validate::ADDRESS_PARTS {
                        names.push(format!("{}.{}", field.id, part.key));
                    }
                }
                for name in names {
                    let anchor = submit_fn::html::field_anchor(&name);
                    assert!(
                        html.contains(&format!("id=\"{anchor}\"")),
                        "{}/{lang}/{}: the function links to #{anchor}, the page has no such id",
                        m.id,
                        form.form.id
                    );
                }
            }
        }
    }
    let _ = fs::remove_dir_all(&out);
}

/// The words a form page carries for its script (`SCRIPT_WORDS`) are exactly those the script
/// parts it loads show: none missing (the page would show "undefined"), none carried for
/// nothing.
#[test]
fn form_pages_carry_exactly_the_words_their_script_parts_show() {
    use std::collections::BTreeSet;
    let source = fs::read_to_string(repo().join("site-templates/assets/site.js")).unwrap();
    let used = |parts: &[&'static str]| -> BTreeSet<String> {
        let keep: BTreeSet<&'static str> = parts.iter().copied().collect();
        let js = view::script::select(&source, &keep).unwrap();
        Regex::new(r#"\bui(?:\["([a-z-]+)"\]|\.([a-z]+))"#)
            .unwrap()
            .captures_iter(&js)
            .map(|c| c.get(1).or(c.get(2)).unwrap().as_str().to_string())
            .collect()
    };
    let words = |parts: &[&str]| -> BTreeSet<String> {
        view::script::SCRIPT_WORDS
            .iter()
            .filter(|(p, _)| parts.contains(p))
            .flat_map(|(_, k)| k.iter().map(|x| x.to_string()))
            .collect()
    };
    for parts in [
        &["form"][..],
        &["form", "group"],
        &["form", "combobox"],
        &[
            "form", "group", "combobox", "address", "file", "email", "iban", "tax-id",
        ],
    ] {
        assert_eq!(used(parts), words(parts), "{parts:?}");
    }
}

#[test]
fn a_build_with_errors_in_its_last_municipality_writes_nothing_and_reports_as_check_does() {
    let work = temp("errors");
    common::copy_dir(&repo().join("forms"), &work.join("forms"));
    let last = work.join("forms/municipalities/neustadt-am-see/municipality.yaml");
    let mut yaml = fs::read_to_string(&last).unwrap();
    yaml.push_str("gibt-es-nicht: 1\n");
    fs::write(&last, yaml).unwrap();
    let out = work.join("dist");
    let opts = BuildOptions {
        forms_dir: work.join("forms"),
        ..options(&out)
    };
    let Err(generator::site::BuildError::Check(report)) = build(&opts) else {
        panic!("the build should fail on the forms' errors");
    };
    assert!(!report.is_ok());
    let check = form_model::check(&opts.forms_dir);
    assert_eq!(
        generator::check::render(&report, "en"),
        generator::check::render(&check, "en")
    );
    assert!(!out.exists(), "nothing written");
    assert_eq!(
        fs::read_dir(&work).unwrap().count(),
        1,
        "nothing left beside"
    );
    let _ = fs::remove_dir_all(&work);
}
