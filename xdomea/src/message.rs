//! Writes the `Abgabe.Abgabe.0401` message with quick-xml (escaping and element nesting by the
//! library, elements in the order the schema's sequences require).

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::codes::{self, FileFormat, file_format};
use crate::words;
use crate::{Applicant, Code, Handoff, Party, Submission};

const NAMESPACE: &str = "urn:xoev-de:xdomea:schema:3.1.0";
/// Namespace of the ids derived from a submission id (UUID version 5).
const ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2b8e_52d4_4a0e_9c3f_1e7d_a4b5_c6e8);

type W = Writer<Vec<u8>>;

/// A primary document of the case.
pub(crate) struct Document<'a> {
    pub id: Uuid,
    pub title: String,
    /// `Typ`
    pub kind: &'static str,
    /// `Dateiname`: `<id>_<name>`, also its name in the ZIP.
    pub file_name: String,
    /// `DateinameOriginal`
    pub original_name: Option<String>,
    pub format: FileFormat,
    pub bytes: &'a [u8],
}

/// A stable id for a part of submission `id`.
fn derived(id: Uuid, part: &str) -> Uuid {
    Uuid::new_v5(
        &ID_NAMESPACE,
        format!("{}/{part}", id.hyphenated()).as_bytes(),
    )
}

/// `<uuid>_<name>` with only letters, digits, `.`, `-` and `_` in the name (the pattern of
/// `stringDateinameType`, and safe in any file system).
fn file_name(id: Uuid, name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{}_{safe}", id.hyphenated())
}

/// The case's documents in order: receipts (the first is the main document), the record,
/// the attachments.
pub(crate) fn documents<'a>(s: &Submission<'a>) -> Vec<Document<'a>> {
    let id = s.record.id;
    let mut docs = Vec::new();
    for (i, receipt) in s.receipts.iter().enumerate() {
        let doc_id = derived(id, &format!("receipt/{}", receipt.language));
        let name = words::receipt_file((i > 0).then_some(receipt.language));
        docs.push(Document {
            id: doc_id,
            title: receipt.title.to_string(),
            kind: words::receipt_kind(),
            format: file_format(&name, "application/pdf", receipt.pdf),
            file_name: file_name(doc_id, &name),
            original_name: None,
            bytes: receipt.pdf,
        });
    }
    let record_id = derived(id, "record");
    docs.push(Document {
        id: record_id,
        title: words::record_title(&s.record.reference),
        kind: words::record_kind(),
        format: FileFormat {
            version: s.record.format.clone(),
            ..file_format("submission.json", "application/json", s.record_bytes)
        },
        file_name: file_name(record_id, words::record_file()),
        original_name: Some("submission.json".into()),
        bytes: s.record_bytes,
    });
    for sent in &s.attachments {
        let doc_id = derived(id, &format!("attachment/{}", sent.stored_name));
        docs.push(Document {
            id: doc_id,
            title: format!("{}: {}", sent.title, sent.original_name),
            kind: words::attachment_kind(),
            format: file_format(sent.stored_name, &sent.attachment.media_type, sent.bytes),
            file_name: file_name(doc_id, sent.stored_name),
            original_name: Some(sent.original_name.to_string()),
            bytes: sent.bytes,
        });
    }
    docs
}

/// The message XML.
pub(crate) fn write(h: &Handoff, s: &Submission<'_>, docs: &[Document<'_>]) -> Vec<u8> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    message(&mut w, h, s, docs).expect("writing XML into memory cannot fail");
    let mut xml = w.into_inner();
    xml.push(b'\n');
    xml
}

fn message(w: &mut W, h: &Handoff, s: &Submission<'_>, docs: &[Document<'_>]) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("xdomea:Abgabe.Abgabe.0401")
        .with_attribute(("xmlns:xdomea", NAMESPACE))
        .with_attribute(("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"))
        .with_attribute((
            "xsi:schemaLocation",
            "urn:xoev-de:xdomea:schema:3.1.0 xdomea-Nachrichten-AbgabeDurchfuehren.xsd",
        ))
        .write_inner_content(|w| {
            head(w, h, s)?;
            w.create_element("xdomea:Schriftgutobjekt")
                .write_inner_content(|w| case(w, h, s, docs))?;
            Ok(())
        })?;
    Ok(())
}

fn head(w: &mut W, h: &Handoff, s: &Submission<'_>) -> io::Result<()> {
    w.create_element("xdomea:Kopf").write_inner_content(|w| {
        text(w, "xdomea:ProzessID", &s.record.id.hyphenated().to_string())?;
        code(
            w,
            "xdomea:Nachrichtentyp",
            &Code {
                code: "0401".into(),
                list_uri: Some("urn:xoev-de:xdomea:codeliste:nachrichtentyp".into()),
                list_version: Some("2.0".into()),
                name: None,
            },
        )?;
        text(w, "xdomea:Erstellungszeitpunkt", &timestamp(h.created_at))?;
        party(w, "xdomea:Absender", &h.sender)?;
        party(w, "xdomea:Empfaenger", &h.recipient)?;
        w.create_element("xdomea:SendendesSystem")
            .write_inner_content(|w| {
                text(w, "xdomea:Produktname", "Formfabrik")?;
                text(w, "xdomea:Version", env!("CARGO_PKG_VERSION"))
            })?;
        // The schema fixes Importbestaetigung to 1: an Abgabe always asks for an import
        // confirmation (0402). A receipt confirmation (0403) is not asked for, as the standard
        // recommends by default.
        text(w, "xdomea:Importbestaetigung", "1")?;
        text(w, "xdomea:Empfangsbestaetigung", "0")
    })?;
    Ok(())
}

fn party(w: &mut W, element: &str, p: &Party) -> io::Result<()> {
    w.create_element(element).write_inner_content(|w| {
        if p.authority_key.is_some() || p.authority_prefix.is_some() {
            w.create_element("xdomea:Behoerdenkennung")
                .write_inner_content(|w| {
                    if let Some(key) = &p.authority_key {
                        code(w, "xdomea:Behoerdenschluessel", key)?;
                    }
                    if let Some(prefix) = &p.authority_prefix {
                        code(w, "xdomea:Praefix", prefix)?;
                    }
                    Ok(())
                })?;
        }
        w.create_element("xdomea:Institution")
            .write_inner_content(|w| text(w, "xdomea:Name", &p.institution))?;
        if let Some(unit) = &p.unit {
            w.create_element("xdomea:Organisationseinheit")
                .write_inner_content(|w| text(w, "xdomea:Name", unit))?;
        }
        if !p.address.is_empty() {
            w.create_element("xdomea:UnstrukturierteAnschrift")
                .write_inner_content(|w| {
                    for (i, line) in p.address.iter().enumerate() {
                        text(w, &format!("xdomea:Zeile{}", i + 1), line)?;
                    }
                    Ok(())
                })?;
        }
        Ok(())
    })?;
    Ok(())
}

fn case(w: &mut W, h: &Handoff, s: &Submission<'_>, docs: &[Document<'_>]) -> io::Result<()> {
    let id = s.record.id;
    let received = date(s.received_at);
    w.create_element("xdomea:Vorgang")
        .write_inner_content(|w| {
            identification(w, derived(id, "vorgang"), None)?;
            w.create_element("xdomea:AllgemeineMetadaten")
                .write_inner_content(|w| {
                    text(
                        w,
                        "xdomea:Betreff",
                        &format!("{} – {}", s.service, s.record.reference),
                    )?;
                    let remark = words::case_remark(
                        &s.record.reference,
                        &s.record.form.id,
                        s.record.form.version,
                        s.record.form.service.as_deref(),
                    );
                    text(w, "xdomea:Bemerkung", &remark)?;
                    medium(w)?;
                    if let Some(key) = &h.records.plan_key {
                        w.create_element("xdomea:Aktenplaneinheit")
                            .write_inner_content(|w| text(w, "xdomea:Kennzeichen", key))?;
                    }
                    Ok(())
                })?;
            if let Some(years) = h.records.retention_years {
                w.create_element("xdomea:ArchivspezifischeMetadaten")
                    .write_inner_content(|w| {
                        w.create_element("xdomea:Aufbewahrungsdauer")
                            .write_inner_content(|w| {
                                text(w, "xdomea:AnzahlJahre", &years.to_string())
                            })?;
                        Ok(())
                    })?;
            }
            text(w, "xdomea:Typ", words::case_kind())?;
            w.create_element("xdomea:Laufzeit")
                .write_inner_content(|w| text(w, "xdomea:Beginn", &received))?;
            for (i, doc) in docs.iter().enumerate() {
                document(w, s, doc, i as u32 + 1)?;
            }
            if let Some(applicant) = &s.applicant {
                contact(w, applicant)?;
                verification(w, applicant)?;
            }
            Ok(())
        })?;
    Ok(())
}

/// The signed-in citizen as the case's `Kontakt`, "a participant of the business process"
/// (xdomea's `VorgangType/Kontakt`), with the role `Antragsteller` the schema names as its
/// example. The case, not a document: the identity is the applicant's for the whole application,
/// not the sender of one of its files (`DokumentType/Absender`), and xdomea's person data
/// (`KontaktType`: `Name`, `Anschrift`, `Kommunikation`, `Geburt`) holds it without an
/// extension. Only verified data: what the citizen typed stays in the record.
fn contact(w: &mut W, a: &Applicant) -> io::Result<()> {
    w.create_element("xdomea:Kontakt")
        .write_inner_content(|w| {
            w.create_element("xdomea:Name").write_inner_content(|w| {
                w.create_element("xdomea:Familienname")
                    .write_inner_content(|w| text(w, "xdomea:Name", &a.family_name))?;
                w.create_element("xdomea:Vorname")
                    .write_inner_content(|w| text(w, "xdomea:Name", &a.given_names))?;
                Ok(())
            })?;
            if let Some(address) = &a.address {
                w.create_element("xdomea:Anschrift")
                    .write_inner_content(|w| {
                        for (element, value) in [
                            ("xdomea:Strasse", &address.street),
                            ("xdomea:Hausnummer", &address.house_number),
                            ("xdomea:Postleitzahl", &address.postcode),
                            ("xdomea:Ort", &address.city),
                        ] {
                            if !value.is_empty() {
                                text(w, element, value)?;
                            }
                        }
                        Ok(())
                    })?;
            }
            if let Some(email) = &a.email {
                w.create_element("xdomea:Kommunikation")
                    .write_inner_content(|w| {
                        text(w, "xdomea:Kennung", email)?;
                        text(w, "xdomea:Zusatz", words::email())
                    })?;
            }
            code(
                w,
                "xdomea:Rolle",
                &Code {
                    code: words::applicant_role().into(),
                    list_uri: None,
                    list_version: None,
                    name: None,
                },
            )?;
            if let Some(born) = a.birth_date {
                w.create_element("xdomea:Geburt")
                    .write_inner_content(|w| text(w, "xdomea:Datum", &format_date(born)))?;
            }
            Ok(())
        })?;
    Ok(())
}

/// How the identity was verified, in the case's `AnwendungsspezifischeErweiterung`: xdomea has
/// no element for the trust level, the identity provider or the time of authentication, and the
/// schema allows the extension exactly for "metadata that cannot be sent with the metadata
/// xdomea specifies". Plain `Feld`s (name, type, value) rather than
/// `AnwendungsspezifischeErweiterungXML`, so every DMS that keeps the extension shows them
/// without a further schema.
fn verification(w: &mut W, a: &Applicant) -> io::Result<()> {
    w.create_element("xdomea:AnwendungsspezifischeErweiterung")
        .write_inner_content(|w| {
            text(w, "xdomea:Kennung", EXTENSION_ID)?;
            text(w, "xdomea:Name", words::extension_name())?;
            text(w, "xdomea:Beschreibung", words::extension_description())?;
            text(w, "xdomea:Versionsnummer", "1")?;
            field(w, words::field_trust_level(), STRING, &a.trust_level)?;
            field(w, words::field_provider(), STRING, &a.provider)?;
            if let Some(at) = a.authenticated_at {
                field(
                    w,
                    words::field_authenticated_at(),
                    DATE_TIME,
                    &timestamp(at),
                )?;
            }
            if let Some(at) = a.verified_at {
                field(w, words::field_verified_at(), DATE_TIME, &timestamp(at))?;
            }
            if !a.from_account.is_empty() {
                field(
                    w,
                    words::field_from_account(),
                    STRING,
                    &a.from_account.join("; "),
                )?;
            }
            Ok(())
        })?;
    Ok(())
}

/// `Kennung` of the identity extension.
const EXTENSION_ID: &str = "formfabrik:verifizierte-identitaet";
/// Codes of the `datentyp` list: `string`, `dateTime`.
const STRING: &str = "038";
const DATE_TIME: &str = "006";

fn field(w: &mut W, name: &str, datatype: &str, value: &str) -> io::Result<()> {
    w.create_element("xdomea:Feld").write_inner_content(|w| {
        text(w, "xdomea:Name", name)?;
        code(
            w,
            "xdomea:Datentyp",
            &Code {
                code: datatype.into(),
                list_uri: Some("urn:xoev-de:xdomea:codeliste:datentyp".into()),
                list_version: Some("1.1".into()),
                name: None,
            },
        )?;
        text(w, "xdomea:Wert", value)
    })?;
    Ok(())
}

fn document(w: &mut W, s: &Submission<'_>, doc: &Document<'_>, number: u32) -> io::Result<()> {
    w.create_element("xdomea:Dokument")
        .write_inner_content(|w| {
            identification(w, doc.id, Some(number))?;
            w.create_element("xdomea:AllgemeineMetadaten")
                .write_inner_content(|w| {
                    text(w, "xdomea:Betreff", &doc.title)?;
                    medium(w)
                })?;
            text(w, "xdomea:FremdesGeschaeftszeichen", &s.record.reference)?;
            text(w, "xdomea:Posteingangsdatum", &date(s.received_at))?;
            text(w, "xdomea:Typ", doc.kind)?;
            w.create_element("xdomea:Version")
                .write_inner_content(|w| {
                    text(w, "xdomea:Nummer", "1")?;
                    w.create_element("xdomea:Format").write_inner_content(|w| {
                        w.create_element("xdomea:Name")
                            .with_attribute(("listURI", codes::LIST_URI))
                            .with_attribute(("listVersionID", codes::LIST_VERSION))
                            .write_inner_content(|w| text(w, "code", doc.format.code))?;
                        if let Some(other) = &doc.format.other_name {
                            text(w, "xdomea:SonstigerName", other)?;
                        }
                        text(w, "xdomea:Version", &doc.format.version)?;
                        w.create_element("xdomea:Primaerdokument")
                            .write_inner_content(|w| {
                                text(w, "xdomea:Dateiname", &doc.file_name)?;
                                if let Some(original) = &doc.original_name {
                                    text(w, "xdomea:DateinameOriginal", original)?;
                                }
                                text(w, "xdomea:DatumUhrzeit", &timestamp(s.received_at))
                            })?;
                        Ok(())
                    })?;
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}

fn identification(w: &mut W, id: Uuid, number: Option<u32>) -> io::Result<()> {
    w.create_element("xdomea:Identifikation")
        .write_inner_content(|w| {
            text(w, "xdomea:ID", &id.hyphenated().to_string())?;
            if let Some(n) = number {
                text(w, "xdomea:NummerImUebergeordnetenContainer", &n.to_string())?;
            }
            Ok(())
        })?;
    Ok(())
}

/// Medium 001: "Elektronisch".
fn medium(w: &mut W) -> io::Result<()> {
    code(
        w,
        "xdomea:Medium",
        &Code {
            code: "001".into(),
            list_uri: Some("urn:xoev-de:xdomea:codeliste:medium".into()),
            list_version: Some("1.0".into()),
            name: None,
        },
    )
}

fn code(w: &mut W, element: &str, c: &Code) -> io::Result<()> {
    let mut el = w.create_element(element);
    if let Some(uri) = &c.list_uri {
        el = el.with_attribute(("listURI", xml_chars(uri).as_str()));
    }
    if let Some(version) = &c.list_version {
        el = el.with_attribute(("listVersionID", xml_chars(version).as_str()));
    }
    el.write_inner_content(|w| {
        text(w, "code", &c.code)?;
        if let Some(name) = &c.name {
            text(w, "name", name)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn text(w: &mut W, element: &str, value: &str) -> io::Result<()> {
    w.create_element(element)
        .write_text_content(BytesText::new(&xml_chars(value)))?;
    Ok(())
}

/// `value` with the characters XML 1.0 cannot hold (most control characters, which a file
/// name from the citizen's device might contain) replaced by U+FFFD.
fn xml_chars(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn timestamp(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).expect("the year is within 0..=9999")
}

fn date(t: OffsetDateTime) -> String {
    format_date(t.date())
}

fn format_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_document_names_start_with_their_uuid_and_hold_no_odd_characters() {
        let id = Uuid::nil();
        assert_eq!(
            file_name(id, "Größe/../x y.pdf"),
            "00000000-0000-0000-0000-000000000000_Gr--e-..-x-y.pdf"
        );
    }

    #[test]
    fn control_characters_cannot_break_the_xml() {
        assert_eq!(xml_chars("a\u{0}b\u{1b}c\td"), "a\u{FFFD}b\u{FFFD}c\td");
    }

    #[test]
    fn derived_ids_are_stable_and_differ_per_part() {
        let id = Uuid::from_u128(7);
        assert_eq!(derived(id, "record"), derived(id, "record"));
        assert_ne!(derived(id, "record"), derived(id, "vorgang"));
        assert_eq!(derived(id, "record").get_version_num(), 5);
    }
}
