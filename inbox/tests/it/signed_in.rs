//! A citizen who signed in with BundID, in what reaches the back office: the clerk's CSV says
//! whether and how the identity was verified and which answers came from the account (never
//! the bPK2), and the e-file's case holds the verified person as its contact and the
//! verification in its extension, in a message the official xdomea 3.1.0 schema accepts. Each
//! beside a submission of the same form without sign-in.

use efile_testkit::{Catalog, Sample, catalog, samples};
use form_model::resolve::ResolvedForm;
use form_model::texts::text_in;
use identity::{Address, BirthDate, TrustLevel, VerifiedIdentity};
use inbox::clerk::to_clerk_csv;
use inbox::export::Delivered;
use inbox::import::{FolderSink, Sink};
use inbox::receipts::ReceiptMaker;
use inbox::xdomea_export::export;
use time::macros::{date, datetime};

use crate::clerk::open_like_german_excel;
use crate::efile::{NOW, pulled, registry, unzip, which, xmllint};

const PROVIDER: &str = "https://id.musterstadt.de/realms/bundid";
const BPK2: &str = "Qm9vb0VyaWthTXVzdGVybWFubjE5NjQwODEyS29lbG4=";
const SUBJECT: &str = "f3b1c0de-erika";

/// Erika Mustermann as the test provider's online ID card person (tests/oidc-provider), in the
/// shape the function writes into the record: the identity crate's own type.
fn erika() -> VerifiedIdentity {
    VerifiedIdentity {
        given_names: "Erika".into(),
        family_name: "Mustermann".into(),
        birth_date: Some(BirthDate::Full(date!(1964 - 08 - 12))),
        address: Some(Address {
            street: "Heidestraße".into(),
            house_number: "17".into(),
            postcode: "51147".into(),
            city: "Köln".into(),
            country: Some("DE".into()),
        }),
        email: Some("erika.mustermann@example.org".into()),
        email_verified: true,
        bpk2: BPK2.into(),
        trust_level: TrustLevel::High,
        trust_level_claim: "STORK-QAA-Level-4".into(),
        provider: PROVIDER.into(),
        subject: SUBJECT.into(),
        authenticated_at: datetime!(2026-11-28 10:12:30 UTC),
        verified_at: datetime!(2026-11-28 10:12:31 UTC),
    }
}

/// `sample` as stored by a submission with `identity` (the record's bytes again), with the
/// `answer-sources` the function writes beside it: the names, birth date and e-mail from the
/// account where it has them, the address from the registry (Erika agreed to the look-up) or
/// typed when `looked_up` is false, whatever the account holds (the account's address in a
/// `registry-address` question is never locked).
fn signed_in(mut sample: Sample, identity: &VerifiedIdentity, looked_up: bool) -> Sample {
    let mut json = serde_json::to_value(identity).unwrap();
    let from = |has: bool| if has { "account" } else { "typed" };
    json["answer-sources"] = serde_json::json!({
        "vorname": "account",
        "nachname": "account",
        "geburtsdatum": from(identity.birth_date.is_some()),
        "anschrift": if looked_up { "registry" } else { "typed" },
        "email": from(identity.email.is_some()),
    });
    sample.record.identity = Some(json);
    sample.record_bytes = serde_json::to_vec_pretty(&sample.record).unwrap();
    sample
}

/// "Meldebescheinigung beantragen" (sign-in required with the online ID card, name, birth
/// date, address and e-mail prefilled) and its German examples: Erika's signed in, Ayşe's not.
fn meldebescheinigung() -> (Catalog, ResolvedForm, Sample, Sample) {
    let catalog = catalog();
    let form = catalog
        .forms
        .iter()
        .find(|f| f.form.id == "meldebescheinigung")
        .unwrap()
        .clone();
    assert!(form.form.identity.required().is_some());
    let all = samples(&form, "de");
    let by_name = |name: &str| {
        all.iter()
            .find(|s| s.record.data["vorname"] == name)
            .unwrap_or_else(|| panic!("no example of {name}"))
            .clone()
    };
    let erika_sample = signed_in(by_name("Erika"), &erika(), true);
    let anonymous = by_name("Ayşe");
    assert!(anonymous.record.identity.is_none());
    (catalog, form, erika_sample, anonymous)
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
    node.children()
        .find(|n| n.tag_name().name() == name)
        .unwrap_or_else(|| panic!("no {name} in {}", node.tag_name().name()))
}

/// The text at `path` below `node` (element names without namespace).
fn text_of(node: roxmltree::Node<'_, '_>, path: &[&str]) -> String {
    let mut n = node;
    for step in path {
        n = child(n, step);
    }
    n.text().unwrap_or_default().to_string()
}

fn label(form: &ResolvedForm, id: &str) -> String {
    text_in(&form.top_level_field(id).unwrap().label, "de")
}

/// Erika's locked answers as the back office names them: the registry's address marked.
fn locked_labels(form: &ResolvedForm) -> Vec<String> {
    let mut locked: Vec<String> = ["vorname", "nachname", "geburtsdatum", "anschrift", "email"]
        .iter()
        .map(|id| label(form, id))
        .collect();
    locked[3] = format!("{} (Melderegister)", locked[3]);
    locked
}

#[test]
fn the_clerks_csv_says_how_the_identity_was_verified_and_which_answers_came_from_the_account() {
    let (catalog, form, erika_sample, anonymous) = meldebescheinigung();
    // Erika again, with an account without address and e-mail: those answers she typed.
    let mut typed = erika();
    typed.address = None;
    typed.email = None;
    typed.trust_level = TrustLevel::Substantial;
    let partly = signed_in(erika_sample.clone(), &typed, false);
    let rows: Vec<Delivered> = [&erika_sample, &anonymous, &partly]
        .iter()
        .map(|s| Delivered {
            record: s.record.clone(),
            metadata: None,
            payment: None,
        })
        .collect();
    let csv = to_clerk_csv(&form, &rows, false);
    let table = open_like_german_excel(csv.as_bytes());
    let header = &table[0];
    let col = |title: &str| {
        header
            .iter()
            .position(|h| h == title)
            .unwrap_or_else(|| panic!("no column {title:?} in {header:?}"))
    };
    let cell = |row: usize, title: &str| table[row][col(title)].as_str();
    // Signed in with the online ID card.
    assert_eq!(cell(1, "Identität"), "über BundID nachgewiesen");
    assert_eq!(cell(1, "Vertrauensniveau"), "hoch");
    assert_eq!(cell(1, "Identitätsanbieter"), PROVIDER);
    // 10:12 UTC on 28 November is 11:12 in Germany (CET), as the other time columns.
    assert_eq!(cell(1, "Anmeldung (Ortszeit)"), "28.11.2026 11:12");
    let locked = locked_labels(&form);
    assert_eq!(
        cell(1, "Aus dem Konto übernommen (gesperrt)"),
        locked.join("; ")
    );
    // Not signed in: said so, nothing else.
    assert_eq!(cell(2, "Identität"), "nicht angemeldet");
    for title in [
        "Vertrauensniveau",
        "Identitätsanbieter",
        "Anmeldung (Ortszeit)",
        "Aus dem Konto übernommen (gesperrt)",
    ] {
        assert_eq!(cell(2, title), "", "{title}");
    }
    // What the account did not have, the citizen typed: not marked.
    assert_eq!(cell(3, "Vertrauensniveau"), "substantiell");
    assert_eq!(
        cell(3, "Aus dem Konto übernommen (gesperrt)"),
        locked[..3].join("; ")
    );
    // Never the bPK2 or the provider's subject (docs/identity.md).
    assert!(!csv.contains(BPK2) && !csv.contains(SUBJECT), "{csv}");

    // A form without sign-in has no identity columns.
    let hundesteuer = catalog
        .forms
        .iter()
        .find(|f| !f.form.identity.offers_sign_in())
        .unwrap();
    let csv = to_clerk_csv(hundesteuer, &[], false);
    assert!(!open_like_german_excel(csv.as_bytes())[0].contains(&"Identität".to_string()));
}

#[test]
fn the_e_file_case_holds_the_verified_applicant_as_contact_and_the_verification_as_extension() {
    let (catalog, form, erika_sample, anonymous) = meldebescheinigung();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("pulled");
    let dir = work.path().join("transfer");
    let maker = || ReceiptMaker::new(registry(&catalog, &form));
    let mut sink = FolderSink::new(&out).with_receipts(maker());
    for sample in [&erika_sample, &anonymous] {
        sink.deliver(&pulled(sample)).unwrap();
    }
    let report = export(&out, &which(&catalog), &maker(), &dir, NOW).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.written.len(), 2);

    let message = |sample: &Sample| -> (std::path::PathBuf, String) {
        let files = unzip(&dir.join(xdomea::package_name(sample.record.id)));
        let path = work.path().join(&files[0].0);
        std::fs::write(&path, &files[0].1).unwrap();
        (path, String::from_utf8(files[0].1.clone()).unwrap())
    };
    let (erika_path, erika_xml) = message(&erika_sample);
    let (anonymous_path, anonymous_xml) = message(&anonymous);
    xmllint(&[erika_path, anonymous_path]);

    let doc = roxmltree::Document::parse(&erika_xml).unwrap();
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("Vorgang"))
        .unwrap();
    // The person, as a contact of the case (not of one of its documents).
    let contact = child(case, "Kontakt");
    assert_eq!(
        text_of(contact, &["Name", "Familienname", "Name"]),
        "Mustermann"
    );
    assert_eq!(text_of(contact, &["Name", "Vorname", "Name"]), "Erika");
    assert_eq!(text_of(contact, &["Anschrift", "Strasse"]), "Heidestraße");
    assert_eq!(text_of(contact, &["Anschrift", "Hausnummer"]), "17");
    assert_eq!(text_of(contact, &["Anschrift", "Postleitzahl"]), "51147");
    assert_eq!(text_of(contact, &["Anschrift", "Ort"]), "Köln");
    assert_eq!(
        text_of(contact, &["Kommunikation", "Kennung"]),
        "erika.mustermann@example.org"
    );
    assert_eq!(text_of(contact, &["Rolle", "code"]), "Antragsteller");
    assert_eq!(text_of(contact, &["Geburt", "Datum"]), "1964-08-12");
    // How it was verified, in the case's application-specific extension.
    let extension = child(case, "AnwendungsspezifischeErweiterung");
    let fields: Vec<(String, String)> = extension
        .children()
        .filter(|n| n.tag_name().name() == "Feld")
        .map(|f| (text_of(f, &["Name"]), text_of(f, &["Wert"])))
        .collect();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no field {name} in {fields:?}"))
            .1
            .clone()
    };
    assert_eq!(field("Vertrauensniveau"), "hoch");
    assert_eq!(field("Identitätsanbieter"), PROVIDER);
    assert_eq!(field("Zeitpunkt der Anmeldung"), "2026-11-28T10:12:30Z");
    assert_eq!(field("Zeitpunkt der Prüfung"), "2026-11-28T10:12:31Z");
    assert_eq!(
        field("Aus dem Konto übernommene und gesperrte Angaben"),
        locked_labels(&form).join("; ")
    );
    // The message's metadata never names the bPK2 or the subject.
    assert!(!erika_xml.contains(BPK2) && !erika_xml.contains(SUBJECT));

    // Without sign-in the case has neither: nothing typed passes for verified.
    assert!(
        !anonymous_xml.contains("<xdomea:Kontakt>"),
        "{anonymous_xml}"
    );
    assert!(!anonymous_xml.contains("AnwendungsspezifischeErweiterung"));
}
