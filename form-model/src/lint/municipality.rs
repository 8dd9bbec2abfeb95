//! The lint of a municipality's config: ids and keys, languages, branding, the encryption key,
//! contacts, addresses of the site and the function, legal pages, and the forms it offers.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostics::{Diagnostics, suggestion};
use crate::load::{LoadedMunicipality, Project};
use crate::positions::{child, item};
use crate::{jwk, languages, rules};

use super::accessibility;
use super::linter::{Linter, slug};

static AGS: LazyLock<Regex> = LazyLock::new(|| Regex::new("^[0-9]{8}$").unwrap());
static ORIGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(https://[a-z0-9.\-]+(:[0-9]+)?|http://(localhost|127\.0\.0\.1)(:[0-9]+)?)$")
        .unwrap()
});
static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(https://[a-z0-9.\-]+(:[0-9]+)?|http://(localhost|127\.0\.0\.1)(:[0-9]+)?)(/[A-Za-z0-9._~\-/]*)?$")
        .unwrap()
});

/// The Regionalschlüssel is the AGS's Land, Regierungsbezirk and Kreis (5 digits), the
/// Gemeindeverband (4) and the AGS's Gemeinde (3).
fn lint_ars(cx: &mut Linter, ars: &str, ags: &str) {
    if ars.len() != 12 || !ars.bytes().all(|b| b.is_ascii_digit()) {
        cx.error(
            "ars",
            format!("Amtlicher Regionalschlüssel \"{ars}\" must be 12 digits, written in quotes"),
        );
    } else if AGS.is_match(ags) && (ars[..5] != ags[..5] || ars[9..] != ags[5..]) {
        cx.error_help(
            "ars",
            format!("Amtlicher Regionalschlüssel \"{ars}\" is not that of AGS \"{ags}\""),
            &format!(
                "the ARS is the AGS's first 5 digits ({}), the 4 of the Gemeindeverband, then the \
                 AGS's last 3 ({}); a municipality in no Verband: \"{}0{}{}\"",
                &ags[..5],
                &ags[5..],
                &ags[..5],
                &ags[5..],
                &ags[5..]
            ),
        );
    }
}

pub(super) fn lint_municipality(
    project: &Project,
    m: &LoadedMunicipality,
    diags: &mut Diagnostics,
) {
    let mut cx = Linter {
        sources: &project.sources,
        file: m.file,
        diags,
    };
    let c = &m.config;
    let folder = m.dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
    slug(&mut cx, "id", &c.id, "municipality id");
    if c.id != folder {
        cx.error(
            "id",
            format!("id \"{}\" must match the folder name \"{folder}\"", c.id),
        );
    }
    if !AGS.is_match(&c.ags) {
        cx.error(
            "ags",
            format!(
                "Amtlicher Gemeindeschlüssel \"{}\" must be 8 digits, written in quotes",
                c.ags
            ),
        );
    }
    if let Some(ars) = &c.ars {
        lint_ars(&mut cx, ars, &c.ags);
    }
    if c.languages.is_empty() {
        cx.error("languages", "list at least one language: [de]".into());
    } else if c.languages[0] != "de" {
        cx.error_help(
            "languages[0]",
            format!("the first language must be de, not \"{}\"", c.languages[0]),
            "German is the official language (§ 23 VwVfG); list other languages after it",
        );
    }
    let mut langs = BTreeSet::new();
    for (i, lang) in c.languages.iter().enumerate() {
        let p = item("languages", i);
        if !languages::is_known(lang) {
            let hint = suggestion(lang, languages::LANGUAGES.iter().map(|(code, _, _)| *code));
            cx.error(&p, format!("unknown language \"{lang}\"{hint}"));
        }
        if !langs.insert(lang) {
            cx.error(&p, format!("language \"{lang}\" is listed twice"));
        }
    }
    accessibility::primary_color(&mut cx, &c.branding.primary_color);
    if let Some(logo) = &c.branding.logo {
        crate::load::referenced_file(cx.sources, m.file, "branding.logo", &m.dir, logo, cx.diags);
    }
    if let Some(key) = &c.encryption_key
        && let Some(path) = crate::load::referenced_file(
            cx.sources,
            m.file,
            "encryption-key",
            &m.dir,
            key,
            cx.diags,
        )
        && let Err(problem) = jwk::read_public_rsa_jwk(&path)
    {
        cx.error_help(
            "encryption-key",
            format!("\"{key}\" is not a usable public key: {problem}"),
            "make a key pair with `formfabrik keygen <municipality>`",
        );
    }
    if let Some(ids) = &c.xdomea {
        super::efile::lint_dms(&mut cx, ids);
    }
    accessibility::statement(&mut cx, m);
    let a11y = &c.accessibility;
    for (what, contact) in [
        ("contact", &c.contact),
        ("data-protection-officer", &c.data_protection_officer),
        ("supervisory-authority", &c.supervisory_authority),
    ]
    .into_iter()
    .chain(
        a11y.feedback_contact
            .as_ref()
            .map(|x| ("accessibility.feedback-contact", x)),
    ) {
        if !rules::is_valid_email(&contact.email) {
            cx.error(
                &child(what, "email"),
                format!("\"{}\" is not an email address", contact.email),
            );
        }
        if let Some(phone) = &contact.phone
            && !rules::is_valid_tel(phone)
        {
            cx.error(
                &child(what, "phone"),
                format!("\"{phone}\" is not a phone number (digits, spaces and + ( ) / - only)"),
            );
        }
    }
    if !ORIGIN.is_match(&c.site_origin) {
        cx.error_help(
            "site-origin",
            format!("\"{}\" is not a site origin", c.site_origin),
            "write the scheme and host only, e.g. https://formulare.musterstadt.de (http only for localhost)",
        );
    }
    if !ENDPOINT.is_match(&c.submission_endpoint) {
        cx.error_help(
            "submission-endpoint",
            format!(
                "\"{}\" is not a URL the pages can post to",
                c.submission_endpoint
            ),
            "write an https URL without query, e.g. https://api.musterstadt.de/v1",
        );
    }
    for (kind, texts) in [
        ("imprint", &c.pages.imprint),
        ("privacy", &c.pages.privacy),
        ("accessibility", &c.pages.accessibility),
    ] {
        let known = |l: &String| languages::is_known(l);
        // An unknown language is reported once, above, not again for every page.
        let all_known = c.languages.iter().all(known);
        for lang in c.languages.iter().filter(|l| known(l)) {
            if !texts.contains_key(lang) {
                cx.error(
                    &child("pages", kind),
                    format!("the {kind} page has no {lang} version, but {lang} is one of the site's languages"),
                );
            }
        }
        for lang in texts.keys() {
            if all_known && !c.languages.contains(lang) {
                cx.diags.warning(
                    cx.sources,
                    m.file,
                    &child(&child("pages", kind), lang),
                    format!(
                        "{lang} is not one of the site's languages; this page is not published"
                    ),
                );
            }
        }
    }
    let mut used = HashMap::new();
    for (i, form_use) in c.forms.iter().enumerate() {
        let up = child(&item("forms", i), "use");
        if let Some(records) = &form_use.records {
            super::efile::lint_records(&mut cx, &child(&item("forms", i), "records"), records);
        }
        let Some((id, version)) = form_use.form_and_version() else {
            cx.error_help(
                &up,
                format!("\"{}\" must name a form and its version", form_use.form),
                "write use: <form-id>@<version>, e.g. use: hundesteuer-anmeldung@2",
            );
            continue;
        };
        if let Some(first) = used.insert(id, i) {
            cx.error(
                &up,
                format!(
                    "form \"{id}\" is offered twice (also entry {} of forms)",
                    first + 1
                ),
            );
        }
        let Some(catalog) = project.form(id, version) else {
            if project.unreadable_catalog.iter().any(|u| u == id) {
                continue;
            }
            if let Some(latest) = project.latest(id) {
                let mut versions: Vec<u32> = project
                    .catalog
                    .iter()
                    .filter(|e| e.form.id == id)
                    .map(|e| e.form.version)
                    .collect();
                versions.sort();
                let list = versions
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                cx.error_help(
                    &up,
                    format!("the catalog has no version {version} of \"{id}\" (it has {list})"),
                    &format!("use {id}@{}", latest.form.version),
                );
            } else {
                let hint = suggestion(id, project.form_ids());
                cx.error(&up, format!("unknown catalog form \"{id}\"{hint}"));
            }
            continue;
        };
        for (fee_id, fee) in &form_use.fees {
            let fp = child(&child(&item("forms", i), "fees"), fee_id);
            if !catalog.form.fees.iter().any(|f| &f.id == fee_id) {
                let hint = suggestion(fee_id, catalog.form.fees.iter().map(|f| f.id.as_str()));
                cx.diags.error_at_key(
                    cx.sources,
                    m.file,
                    &fp,
                    format!("form \"{id}\" has no fee \"{fee_id}\"{hint}"),
                );
            }
            if !(fee.amount_eur >= 0.0 && fee.amount_eur.is_finite()) {
                cx.error(&child(&fp, "amount-eur"), "a fee cannot be negative".into());
            }
        }
    }
}
