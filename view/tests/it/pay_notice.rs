//! A form whose fees are paid online before the application reaches the authority (`payment:
//! required` as resolved for its municipality, docs/payment.md) says so before sending: at the
//! start of the page and beside the send button, which reads "Senden und bezahlen". A form
//! whose payment is optional offers it: a notice and two send buttons (pay online, or await a
//! fee notice). A form without online payment says nothing of it. The page the function shows again for a post it
//! cannot accept is the same renderer and names the amount the function computed.

use std::sync::Arc;

use form_model::fees::{AmountDue, FeeItem};
use form_model::model::{Municipality, PaymentMode};
use form_model::resolve::ResolvedForm;
use serde_json::Map;
use view::filled::Filled;
use view::{Frame, Theme, pages};

use crate::{repo, site};

/// Musterstadt (it has a payment platform) and its resolved form `id`.
fn musterstadt(id: &str) -> (Municipality, ResolvedForm) {
    let (m, forms) = crate::musterstadt();
    let form = forms
        .into_iter()
        .find(|r| r.form.id == id)
        .unwrap_or_else(|| panic!("Musterstadt publishes {id}"));
    (m, form)
}

/// The form page in `lang`; filled in, as the function answers a post (served from elsewhere).
fn render(m: &Municipality, form: &ResolvedForm, lang: &str, filled: Option<&Filled>) -> String {
    let theme = Theme::load(&repo().join("site-templates")).unwrap();
    let site = site(m, filled.is_some());
    let frame = Frame::new(&theme, &site, lang).unwrap();
    theme
        .render(&pages::form(&frame, form, Some("site.js"), filled).unwrap())
        .unwrap()
}

/// The texts of the page's payment notices.
fn notices(html: &str) -> Vec<String> {
    html.split(r#"<p class="pay-notice""#)
        .skip(1)
        .map(|s| {
            let text = &s[s.find('>').unwrap() + 1..];
            text[..text.find("</p>").unwrap()].to_string()
        })
        .collect()
}

/// The send button's label.
fn button(html: &str) -> &str {
    let at = html.find(r#"id="submit""#).expect("a send button");
    let label = &html[at + html[at..].find('>').unwrap() + 1..];
    &label[..label.find("</button>").unwrap()]
}

#[test]
fn a_form_paid_before_it_is_passed_on_says_so_at_the_start_and_beside_the_send_button() {
    let (m, licence) = musterstadt("fahrerlaubnis-ersterteilung");
    assert_eq!(licence.form.payment, PaymentMode::Required);
    let html = render(&m, &licence, "de", None);
    let said = notices(&html);
    assert_eq!(
        said.len(),
        2,
        "at the start and beside the button: {said:?}"
    );
    assert_eq!(
        said[0],
        "Nach dem Senden kommen Sie zur Bezahlseite von Stadt Musterstadt, um 43,40\u{a0}€ zu \
         bezahlen. Die Verwaltung erhält Ihren Antrag erst nach der Zahlung. Danach kommen Sie \
         auf diese Website zurück."
    );
    assert_eq!(said[0], said[1]);
    // The notice comes before the first question, and the second one before the button.
    assert!(html.find("pay-notice").unwrap() < html.find(r#"<div class="field"#).unwrap());
    assert!(html.find(r#"id="pay-notice""#).unwrap() < html.find(r#"id="submit""#).unwrap());
    assert_eq!(button(&html), "Senden und bezahlen");
    assert!(html.contains(r#"id="submit" aria-describedby="pay-notice""#));

    let en = render(&m, &licence, "en", None);
    assert!(notices(&en)[0].starts_with(
        "After sending, you will be taken to the payment page of Stadt Musterstadt to pay €43.40."
    ));
    assert_eq!(button(&en), "Send and pay");

    // The weapons permit's fees depend on the answers (per firearm): the fees shown.
    let (m, permit) = musterstadt("waffenbesitzkarte");
    let html = render(&m, &permit, "de", None);
    assert!(
        notices(&html)[0].contains("um die angezeigten Gebühren zu bezahlen"),
        "{:?}",
        notices(&html)
    );
    assert_eq!(button(&html), "Senden und bezahlen");
}

#[test]
fn a_form_without_online_payment_says_nothing_of_it() {
    // Fees charged by notice: the dog tax in Musterstadt.
    let (m, dog) = musterstadt("hundesteuer-anmeldung");
    assert!(!dog.form.fees.is_empty());
    assert_eq!(dog.form.payment, PaymentMode::None);
    let html = render(&m, &dog, "de", None);
    assert!(!html.contains("pay-notice"));
    assert!(!html.contains("Bezahlseite"));
    assert_eq!(button(&html), "Antrag absenden");

    // The driving licence where it is not paid online (a municipality without a platform
    // resolves it so): the function opens no payment when sending, so the page promises none.
    let (m, mut licence) = musterstadt("fahrerlaubnis-ersterteilung");
    Arc::make_mut(&mut licence.form).payment = PaymentMode::None;
    let html = render(&m, &licence, "de", None);
    assert!(!html.contains("pay-notice"));
    assert!(!html.contains("_payment"));
    assert_eq!(button(&html), "Antrag absenden");
}

/// The send buttons' `value`s and labels.
fn buttons(html: &str) -> Vec<(String, String)> {
    html.split(r#"name="_payment" value=""#)
        .skip(1)
        .map(|s| {
            let value = &s[..s.find('"').unwrap()];
            let label = &s[s.find('>').unwrap() + 1..];
            (
                value.to_string(),
                label[..label.find("</button>").unwrap()].to_string(),
            )
        })
        .collect()
}

#[test]
fn a_form_whose_payment_is_optional_offers_paying_online_or_a_fee_notice_with_two_buttons() {
    // Musterstadt's registration certificate: `payment: optional` in its municipality.yaml.
    let (m, certificate) = musterstadt("meldebescheinigung");
    assert_eq!(certificate.form.payment, PaymentMode::Optional);
    let html = render(&m, &certificate, "de", None);
    let said = notices(&html);
    assert_eq!(
        said.len(),
        2,
        "at the start and beside the buttons: {said:?}"
    );
    assert_eq!(
        said[0],
        "Sie können nach dem Senden 10,00\u{a0}€ auf der Bezahlseite von Stadt \
         Musterstadt online bezahlen; die Verwaltung erhält Ihren Antrag dann nach der Zahlung. \
         Oder Sie senden ohne Online-Zahlung und erhalten einen Gebührenbescheid."
    );
    assert_eq!(said[0], said[1]);
    assert_eq!(
        buttons(&html),
        [
            ("notice".into(), "Senden, Gebührenbescheid abwarten".into()),
            ("online".into(), "Senden und bezahlen".into()),
        ]
    );
    // Both described by the notice; the fee notice first (Enter in a field sends without
    // opening a payment), paying online is the page script's `#submit`.
    assert_eq!(html.matches(r#"aria-describedby="pay-notice""#).count(), 2);
    assert!(html.contains(r#"id="submit" name="_payment" value="online""#));

    let en = render(&m, &certificate, "en", None);
    assert_eq!(
        buttons(&en),
        [
            ("notice".into(), "Send, await the fee notice".into()),
            ("online".into(), "Send and pay".into()),
        ]
    );
    let ar = render(&m, &certificate, "ar", None);
    assert_eq!(buttons(&ar)[0].1, "الإرسال وانتظار إشعار الرسوم");

    // Fees that depend on the answers: the fees shown; answers that cost nothing (a page shown
    // again) get one plain send button.
    let (m, mut licence) = musterstadt("waffenbesitzkarte");
    Arc::make_mut(&mut licence.form).payment = PaymentMode::Optional;
    let html = render(&m, &licence, "de", None);
    assert!(
        notices(&html)[0].contains("die angezeigten Gebühren"),
        "{:?}",
        notices(&html)
    );
    let answers = Map::new();
    let nothing = AmountDue {
        items: Vec::new(),
        total_cents: 0,
    };
    let filled = Filled {
        answers: &answers,
        errors: &[],
        due: Some(&nothing),
    };
    let html = render(&m, &licence, "de", Some(&filled));
    assert!(!html.contains("pay-notice"));
    assert!(buttons(&html).is_empty());
    assert_eq!(button(&html), "Antrag absenden");
}

#[test]
fn the_page_the_function_shows_again_names_the_amount_it_computed() {
    let (m, permit) = musterstadt("waffenbesitzkarte");
    let answers = Map::new();
    let due = |cents: i64| AmountDue {
        items: vec![FeeItem {
            id: "gebuehr".into(),
            choice: None,
            quantity: None,
            unit_cents: cents,
            cents,
        }],
        total_cents: cents,
    };
    let owed = due(12500);
    let filled = Filled {
        answers: &answers,
        errors: &[],
        due: Some(&owed),
    };
    let html = render(&m, &permit, "de", Some(&filled));
    let said = notices(&html);
    assert_eq!(said.len(), 2);
    assert!(said[0].contains("um 125,00\u{a0}€ zu bezahlen"), "{said:?}");
    assert_eq!(button(&html), "Senden und bezahlen");

    // Answers that cost nothing are not paid online: the function passes them on at once.
    let nothing = due(0);
    let filled = Filled {
        due: Some(&nothing),
        ..filled
    };
    let html = render(&m, &permit, "de", Some(&filled));
    assert!(!html.contains("pay-notice"));
    assert_eq!(button(&html), "Antrag absenden");
}
