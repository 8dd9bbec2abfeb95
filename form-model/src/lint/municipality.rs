//! The lint of a municipality's config: ids and keys, languages, branding, the encryption key,
//! contacts, addresses of the site and the function, legal pages, and the forms it offers.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostics::{Diagnostics, suggestion};
use crate::load::{LoadedMunicipality, Project};
use crate::positions::{child, item};
use crate::{jwk, languages, msg, rules};

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
        cx.error("ars", msg!("ars-not-12-digits", ars = ars));
    } else if AGS.is_match(ags) && (ars[..5] != ags[..5] || ars[9..] != ags[5..]) {
        cx.error_help(
            "ars",
            msg!("ars-not-of-ags", ars = ars, ags = ags),
            msg!(
                "ars-not-of-ags-help",
                first = &ags[..5],
                last = &ags[5..],
                example = format!("{}0{}{}", &ags[..5], &ags[5..], &ags[5..])
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
    slug(&mut cx, "id", &c.id, msg!("id-municipality"));
    if c.id != folder {
        cx.error("id", msg!("id-not-folder", id = &c.id, folder = folder));
    }
    if !AGS.is_match(&c.ags) {
        cx.error("ags", msg!("ags-not-8-digits", ags = &c.ags));
    }
    if let Some(ars) = &c.ars {
        lint_ars(&mut cx, ars, &c.ags);
    }
    if c.languages.is_empty() {
        cx.error("languages", msg!("no-languages"));
    } else if c.languages[0] != "de" {
        cx.error_help(
            "languages[0]",
            msg!("first-language-not-german", lang = &c.languages[0]),
            msg!("first-language-not-german-help"),
        );
    }
    let mut langs = BTreeSet::new();
    for (i, lang) in c.languages.iter().enumerate() {
        let p = item("languages", i);
        if !languages::is_known(lang) {
            let hint = suggestion(lang, languages::LANGUAGES.iter().map(|(code, _, _)| *code));
            cx.error(&p, msg!("unknown-language", lang = lang, hint = hint));
        }
        if !langs.insert(lang) {
            cx.error(&p, msg!("language-twice", lang = lang));
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
        cx.error_detail(
            "encryption-key",
            msg!("key-not-usable", key = key),
            msg!("detail-key", text = problem),
            msg!("key-not-usable-help"),
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
                msg!("not-an-email", value = &contact.email),
            );
        }
        if let Some(phone) = &contact.phone
            && !rules::is_valid_tel(phone)
        {
            cx.error(&child(what, "phone"), msg!("not-a-phone", value = phone));
        }
    }
    if !ORIGIN.is_match(&c.site_origin) {
        cx.error_help(
            "site-origin",
            msg!("not-a-site-origin", value = &c.site_origin),
            msg!("not-a-site-origin-help"),
        );
    }
    if !ENDPOINT.is_match(&c.submission_endpoint) {
        cx.error_help(
            "submission-endpoint",
            msg!("not-an-endpoint", value = &c.submission_endpoint),
            msg!("not-an-endpoint-help"),
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
                    msg!("page-missing-language", page = kind, lang = lang),
                );
            }
        }
        for lang in texts.keys() {
            if all_known && !c.languages.contains(lang) {
                cx.diags.warning(
                    cx.sources,
                    m.file,
                    &child(&child("pages", kind), lang),
                    msg!("page-language-not-offered", lang = lang),
                );
            }
        }
    }
    let mut used = HashMap::new();
    let mut offered = HashMap::new();
    if let Some(payment) = &c.payment {
        super::payment::lint_payment(&mut cx, "payment", payment);
    }
    if let Some(creditor) = &c.sepa_creditor {
        super::sepa::lint_creditor(&mut cx, creditor);
    }
    for (i, form_use) in c.forms.iter().enumerate() {
        let up = child(&item("forms", i), "use");
        if let Some(records) = &form_use.records {
            super::efile::lint_records(&mut cx, &child(&item("forms", i), "records"), records);
        }
        let Some((id, version)) = form_use.form_and_version() else {
            cx.error_help(
                &up,
                msg!("use-without-version", value = &form_use.form),
                msg!("use-without-version-help"),
            );
            continue;
        };
        if let Some(first) = used.insert(id, i) {
            cx.error(&up, msg!("form-offered-twice", id = id, first = first + 1));
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
                    msg!("no-such-version", version = version, id = id, list = list),
                    msg!(
                        "no-such-version-help",
                        id = id,
                        version = latest.form.version
                    ),
                );
            } else {
                let hint = suggestion(id, project.form_ids());
                cx.error(&up, msg!("unknown-catalog-form", id = id, hint = hint));
            }
            continue;
        };
        offered.insert(id, catalog.form.as_ref());
        super::payment::lint_form_payment(
            &mut cx,
            &item("forms", i),
            form_use,
            &catalog.form,
            c.payment.is_some(),
        );
        if let Some(own) = form_use.identity
            && own < catalog.form.identity
        {
            cx.error(
                &child(&item("forms", i), "identity"),
                msg!(
                    "identity-below-catalog",
                    id = id,
                    own = own.describe(),
                    catalog = catalog.form.identity.describe()
                ),
            );
        }
        for (fee_id, fee) in &form_use.fees {
            let fp = child(&child(&item("forms", i), "fees"), fee_id);
            if !catalog.form.fees.iter().any(|f| &f.id == fee_id) {
                let hint = suggestion(fee_id, catalog.form.fees.iter().map(|f| f.id.as_str()));
                cx.diags.error_at_key(
                    cx.sources,
                    m.file,
                    &fp,
                    msg!("no-such-fee", id = id, fee = fee_id, hint = hint),
                );
            }
            if fee.amount_eur.is_some_and(|a| !super::fee::amount_ok(a)) {
                cx.error(&child(&fp, "amount-eur"), msg!("fee-negative"));
            }
            for (value, amount) in &fee.amounts_eur {
                if !super::fee::amount_ok(*amount) {
                    cx.error(
                        &child(&child(&fp, "amounts-eur"), value),
                        msg!("fee-negative"),
                    );
                }
            }
            if let Some(target) = catalog.form.fees.iter().find(|f| &f.id == fee_id) {
                super::fee::lint_override(&mut cx, &fp, target, fee);
            }
        }
    }
    if let Some(booking) = c.payment.as_ref().and_then(|p| p.booking.as_ref()) {
        super::payment::lint_booking_forms(&mut cx, "payment.booking", booking, &offered);
    }
}
