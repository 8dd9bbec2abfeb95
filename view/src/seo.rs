//! What a page tells search engines beyond its words: the description search results show
//! under its title, and on a form page a schema.org `GovernmentService` as JSON-LD — what the
//! service is, who provides it and for which area, where to apply online and what it costs.
//! The canonical address and the same page in the other languages are the frame's
//! ([`crate::frame::Frame::page`]).

use serde_json::{Map, Value, json};

use form_model::model::{Contact, Form};
use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;

use crate::frame::Frame;
use crate::markdown;

/// The longest description: about what search results show before they cut it off.
pub const DESCRIPTION_MAX: usize = 160;

/// `text` as a page description: whitespace collapsed and, when longer than
/// [`DESCRIPTION_MAX`] characters, cut after its last whole sentence that fits, or else after
/// its last whole word that fits, with `…`.
pub fn description(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= DESCRIPTION_MAX {
        return text;
    }
    let fits: String = text.chars().take(DESCRIPTION_MAX).collect();
    let words: Vec<&str> = fits.split(' ').collect();
    // The next word starts beyond the limit, unless the cut fell on a space.
    let whole = match text[fits.len()..].starts_with(' ') {
        true => words.len(),
        false => words.len() - 1,
    };
    let sentence = (1..=whole)
        .rev()
        .find(|&n| ends_sentence(words[n - 1]) && words[..n].join(" ").chars().count() >= 60);
    match sentence {
        Some(n) => words[..n].join(" "),
        None => format!("{}…", words[..whole.max(1)].join(" ")),
    }
}

/// Whether `word` ends a sentence: a full stop, `!`, `?` or the Arabic `؟` after a word that
/// is no abbreviation (`z.`, `B.`, `z.B.`, `Nr.`, `Abs.`) and no ordinal number (`1.`).
fn ends_sentence(word: &str) -> bool {
    const ABBREVIATIONS: [&str; 18] = [
        "Abs", "Art", "Nr", "bzw", "ca", "Dr", "etc", "evtl", "ggf", "gem", "inkl", "Str", "Tel",
        "usw", "vgl", "zzgl", "Mr", "Ms",
    ];
    match word.strip_suffix(['!', '?', '؟']) {
        Some(_) => true,
        None => word.strip_suffix('.').is_some_and(|stem| {
            let stem = stem.trim_start_matches(['(', '"', '„', '»']);
            let ordinal = stem.len() <= 2 && stem.bytes().all(|b| b.is_ascii_digit());
            stem.chars().count() > 1
                && !stem.contains('.')
                && !ordinal
                && !ABBREVIATIONS.contains(&stem)
        }),
    }
}

/// The first paragraph of `form`'s intro in `lang` as plain text, if it has one.
pub fn intro_description(form: &Form, lang: &str) -> Option<String> {
    form.intro
        .as_ref()
        .and_then(|i| markdown::first_paragraph_text(&text_in(i, lang)))
}

/// The description of `form`'s page in `lang`: the first paragraph of its intro, or of its
/// purpose when it has none (`formfabrik check` warns about that).
pub fn form_description(form: &Form, lang: &str) -> String {
    let text = intro_description(form, lang)
        .or_else(|| markdown::first_paragraph_text(&text_in(&form.purpose, lang)))
        .unwrap_or_else(|| text_in(&form.title, lang));
    description(&text)
}

/// The JSON-LD of `form`'s page in the frame's language: a schema.org `GovernmentService`
/// with `description`, provided by the municipality (a `GovernmentOrganization` with its
/// address and contact) for its area, online at the form page's address; the LeiKa key as
/// `identifier` and the fees as `offers` where the form has them. Kept compact: every byte is
/// on every form page.
pub fn government_service(frame: &Frame, form: &ResolvedForm, description: &str) -> Value {
    let m = frame.municipality();
    let lang = frame.lang();
    let f = &form.form;
    let title = text_in(&f.title, lang);
    let mut service = json!({
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": title,
        "description": description,
        // The form language has no category of its own; the LeiKa key is the exact one.
        "serviceType": title,
        "provider": organization(&m.name, &m.contact),
        "areaServed": { "@type": "AdministrativeArea", "name": m.name },
        "availableChannel": {
            "@type": "ServiceChannel",
            "serviceUrl": frame.url_of(lang, &format!("{}/", f.id)),
            "availableLanguage": form.languages,
        },
    });
    if let Some(key) = &f.leika {
        service["identifier"] =
            json!({ "@type": "PropertyValue", "propertyID": "LeiKa", "value": key });
    }
    if !f.fees.is_empty() {
        // A fee by choice is one offer per priced option, named with the option.
        let offer = |name: String, price: f64| json!({ "@type": "Offer", "name": name, "price": price, "priceCurrency": "EUR" });
        service["offers"] = f
            .fees
            .iter()
            .flat_map(|fee| {
                let name = text_in(&fee.label, lang);
                let fixed = fee.amount_eur.map(|price| offer(name.clone(), price));
                let options = fee.by_choice.iter().flat_map(|c| {
                    c.amounts_eur.iter().map(|(value, price)| {
                        let option = crate::fees::option_label(f, &c.field, value, lang);
                        offer(format!("{name} ({option})"), *price)
                    })
                });
                fixed.into_iter().chain(options).collect::<Vec<_>>()
            })
            .collect();
    }
    service
}

/// The municipality as a `GovernmentOrganization`: its name, its contact's postal address,
/// telephone, e-mail and web address.
fn organization(name: &str, c: &Contact) -> Value {
    let mut org = Map::new();
    org.insert("@type".into(), "GovernmentOrganization".into());
    org.insert("name".into(), name.into());
    org.insert("address".into(), postal_address(&c.address));
    if let Some(phone) = &c.phone {
        org.insert("telephone".into(), phone.as_str().into());
    }
    org.insert("email".into(), c.email.as_str().into());
    if let Some(web) = &c.web {
        org.insert("url".into(), web.as_str().into());
    }
    Value::Object(org)
}

/// A German postal address written one line per entry (`Rathausplatz 1`, `35399 Musterstadt`)
/// as a `PostalAddress`: a last line of five digits and a place is postcode and locality, the
/// lines before it the street address.
fn postal_address(lines: &[String]) -> Value {
    let place = lines.last().and_then(|last| {
        let (code, locality) = last.trim().split_once(' ')?;
        (code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()))
            .then(|| (code, locality.trim()))
    });
    let street = match place {
        Some(_) => &lines[..lines.len() - 1],
        None => lines,
    };
    let mut address = Map::new();
    address.insert("@type".into(), "PostalAddress".into());
    address.insert("streetAddress".into(), street.join(", ").into());
    if let Some((code, locality)) = place {
        address.insert("postalCode".into(), code.into());
        address.insert("addressLocality".into(), locality.into());
    }
    address.insert("addressCountry".into(), "DE".into());
    Value::Object(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_text_is_its_own_description() {
        assert_eq!(description("Melden Sie\n  hier an."), "Melden Sie hier an.");
    }

    #[test]
    fn a_long_text_is_cut_after_its_last_whole_sentence_not_at_an_abbreviation() {
        let text = "Wer einen Hund hält, muss ihn innerhalb von zwei Wochen bei der Gemeinde \
                    anmelden (§ 21 HStS). Legen Sie z. B. den Nachweis bei. Danach erhalten Sie \
                    die Steuermarke und einen Bescheid über die Höhe der Steuer für das Jahr.";
        assert_eq!(
            description(text),
            "Wer einen Hund hält, muss ihn innerhalb von zwei Wochen bei der Gemeinde anmelden \
             (§ 21 HStS). Legen Sie z. B. den Nachweis bei."
        );
    }

    #[test]
    fn a_long_sentence_is_cut_after_a_whole_word_with_an_ellipsis() {
        let text = "wort ".repeat(50);
        let d = description(&text);
        assert!(d.ends_with("wort…"), "{d}");
        assert!(d.chars().count() <= DESCRIPTION_MAX + 1, "{d}");
    }

    #[test]
    fn an_address_in_german_lines_has_street_postcode_and_locality() {
        let lines = [
            "Rathausplatz 1".to_string(),
            "35399 Musterstadt".to_string(),
        ];
        assert_eq!(
            postal_address(&lines),
            json!({ "@type": "PostalAddress", "streetAddress": "Rathausplatz 1", "postalCode": "35399", "addressLocality": "Musterstadt", "addressCountry": "DE" })
        );
        let abroad = ["Postfach 12".to_string(), "Musterstadt".to_string()];
        assert_eq!(
            postal_address(&abroad)["streetAddress"],
            "Postfach 12, Musterstadt"
        );
    }
}
