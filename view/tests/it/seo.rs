//! What pages tell search engines: a description in the page's language, the canonical address
//! and the same page in every site language (with `x-default`), `noindex` where a page is not
//! for search results, and on form pages a schema.org `GovernmentService` as JSON-LD.

use form_model::resolve::ResolvedForm;
use regex::Regex;
use serde_json::{Value, json};
use view::{Alternate, Frame, Page, Theme, pages};

use crate::{musterstadt, repo, site};

fn form<'a>(forms: &'a [ResolvedForm], id: &str) -> &'a ResolvedForm {
    forms.iter().find(|f| f.form.id == id).unwrap()
}

fn alternate(hreflang: &str, href: &str) -> Alternate {
    Alternate {
        hreflang: hreflang.into(),
        href: href.into(),
    }
}

/// The `content` of `<meta name="{name}">`, unescaped as a browser reads it.
fn meta(html: &str, name: &str) -> Option<String> {
    let re = Regex::new(&format!(r#"<meta name="{name}" content="([^"]*)">"#)).unwrap();
    re.captures(html).map(|c| {
        c[1].replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    })
}

/// The page's JSON-LD, parsed.
fn json_ld(html: &str) -> Value {
    let re = Regex::new(r#"<script type="application/ld\+json">(.*?)</script>"#).unwrap();
    let found: Vec<_> = re.captures_iter(html).collect();
    assert_eq!(found.len(), 1, "one JSON-LD block");
    serde_json::from_str(&found[0][1]).unwrap()
}

fn rendered(theme: &Theme, page: &Page) -> String {
    theme.render(page).unwrap()
}

#[test]
fn a_page_names_its_absolute_address_and_the_same_page_in_every_site_language() {
    let theme = Theme::load(&repo().join("site-templates")).unwrap();
    let (m, forms) = musterstadt();
    let site = site(&m, false);
    let origin = "https://formulare.musterstadt.example";
    for (lang, prefix) in [("de", ""), ("en", "en/")] {
        let frame = Frame::new(&theme, &site, lang).unwrap();
        let dog = form(&forms, "hundesteuer-anmeldung");
        for (page, rel) in [
            (pages::index(&frame, &[dog], None), ""),
            (
                pages::form(&frame, dog, None, None).unwrap(),
                "hundesteuer-anmeldung/",
            ),
            (pages::feedback(&frame), "feedback/"),
        ] {
            assert_eq!(page.links.canonical, format!("{origin}/{prefix}{rel}"));
            assert_eq!(
                page.links.alternates,
                [
                    alternate("de", &format!("{origin}/{rel}")),
                    alternate("en", &format!("{origin}/en/{rel}")),
                    alternate("x-default", &format!("{origin}/{rel}")),
                ]
            );
            assert!(page.links.indexed);
            // The head says exactly that.
            let html = rendered(&theme, &page);
            assert!(
                html.contains(&format!(
                    "<link rel=\"canonical\" href=\"{}\">",
                    page.links.canonical
                )),
                "{html}"
            );
            for a in &page.links.alternates {
                let tag = format!(
                    "<link rel=\"alternate\" hreflang=\"{}\" href=\"{}\">",
                    a.hreflang, a.href
                );
                assert!(html.contains(&tag), "{lang}/{rel}: no {tag}");
            }
            assert_eq!(meta(&html, "robots"), None, "{lang}/{rel}");
            assert!(
                meta(&html, "description").is_some_and(|d| !d.is_empty()),
                "{lang}/{rel}"
            );
        }
    }
}

#[test]
fn confirmation_pages_and_pages_served_by_the_function_ask_not_to_be_indexed() {
    let theme = Theme::load(&repo().join("site-templates")).unwrap();
    let (m, forms) = musterstadt();
    let dog = form(&forms, "hundesteuer-anmeldung");
    let on_site = site(&m, false);
    let frame = Frame::new(&theme, &on_site, "en").unwrap();
    let confirmation = pages::confirmation(&frame, dog, None);
    assert!(!confirmation.links.indexed);
    assert_eq!(
        meta(&rendered(&theme, &confirmation), "robots").as_deref(),
        Some("noindex")
    );
    // The function's answer to a post: the site's form page is the one to find.
    let elsewhere = site(&m, true);
    let frame = Frame::new(&theme, &elsewhere, "en").unwrap();
    let page = pages::form(&frame, dog, None, None).unwrap();
    assert!(!page.links.indexed);
    assert_eq!(
        page.links.canonical,
        "https://formulare.musterstadt.example/en/hundesteuer-anmeldung/"
    );
    assert_eq!(
        meta(&rendered(&theme, &page), "robots").as_deref(),
        Some("noindex")
    );
}

#[test]
fn a_form_page_is_described_by_its_intro_and_as_a_government_service_in_its_language() {
    let theme = Theme::load(&repo().join("site-templates")).unwrap();
    let (m, forms) = musterstadt();
    let site = site(&m, false);
    let dog = form(&forms, "hundesteuer-anmeldung");
    let frame = Frame::new(&theme, &site, "en").unwrap();
    let html = rendered(&theme, &pages::form(&frame, dog, None, None).unwrap());
    let description = meta(&html, "description").unwrap();
    let intro = form_model::texts::text_in(dog.form.intro.as_ref().unwrap(), "en");
    let first = view::markdown::first_paragraph_text(&intro).unwrap();
    assert_eq!(description, view::seo::description(&first));
    assert!(
        description.starts_with("If you keep a dog in Musterstadt"),
        "{description}"
    );
    assert!(description.chars().count() <= view::seo::DESCRIPTION_MAX + 1);

    let ld = json_ld(&html);
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "GovernmentService");
    assert_eq!(ld["name"], "Register a dog (dog tax)");
    assert_eq!(ld["description"], description);
    assert_eq!(ld["serviceType"], "Register a dog (dog tax)");
    assert_eq!(
        ld["identifier"],
        json!({ "@type": "PropertyValue", "propertyID": "LeiKa", "value": "99108008000000" })
    );
    assert_eq!(
        ld["provider"],
        json!({
            "@type": "GovernmentOrganization",
            "name": "Stadt Musterstadt",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": "Rathausplatz 1",
                "postalCode": "35399",
                "addressLocality": "Musterstadt",
                "addressCountry": "DE",
            },
            "telephone": "+49 6409 8810-0",
            "email": "buergerbuero@musterstadt.example",
            "url": "https://www.musterstadt.example",
        })
    );
    assert_eq!(
        ld["areaServed"],
        json!({ "@type": "AdministrativeArea", "name": "Stadt Musterstadt" })
    );
    assert_eq!(
        ld["availableChannel"],
        json!({
            "@type": "ServiceChannel",
            "serviceUrl": "https://formulare.musterstadt.example/en/hundesteuer-anmeldung/",
            "availableLanguage": ["de", "en"],
        })
    );
    // Musterstadt's own amount (96), not the catalog's (90).
    assert_eq!(
        ld["offers"],
        json!([{ "@type": "Offer", "name": "Dog tax per dog and year", "price": 96.0, "priceCurrency": "EUR" }])
    );

    // A fee by choice: an offer per priced option, named with it (the residents' parking
    // permit for one year or two).
    let parking = form(&forms, "bewohnerparkausweis");
    let ld = json_ld(&rendered(
        &theme,
        &pages::form(&frame, parking, None, None).unwrap(),
    ));
    assert_eq!(
        ld["offers"],
        json!([
            { "@type": "Offer", "name": "Residents' parking permit (One year)", "price": 30.0, "priceCurrency": "EUR" },
            { "@type": "Offer", "name": "Residents' parking permit (Two years)", "price": 60.0, "priceCurrency": "EUR" },
        ])
    );

    // Without a LeiKa key or fees, no identifier and no offers.
    let bulky = form(&forms, "sperrmuell-anmeldung");
    let ld = json_ld(&rendered(
        &theme,
        &pages::form(&frame, bulky, None, None).unwrap(),
    ));
    assert!(
        ld.get("identifier").is_none() && ld.get("offers").is_none(),
        "{ld}"
    );
}

#[test]
fn a_title_that_looks_like_markup_cannot_end_the_json_ld_block() {
    let theme = Theme::load(&repo().join("site-templates")).unwrap();
    let (m, forms) = musterstadt();
    let site = site(&m, false);
    let mut bulky = form(&forms, "sperrmuell-anmeldung").clone();
    std::sync::Arc::make_mut(&mut bulky.form).title =
        serde_yaml::from_str("{ de: \"Sperrmüll </script><b>&\" }").unwrap();
    let frame = Frame::new(&theme, &site, "de").unwrap();
    let html = rendered(&theme, &pages::form(&frame, &bulky, None, None).unwrap());
    assert_eq!(json_ld(&html)["name"], "Sperrmüll </script><b>&");
    assert!(!html.contains("Sperrmüll </script>"));
}
