//! The submission record: what the function stores and the back office imports
//! (`formfabrik.submission/1`). Versioned; fields are only ever added in a compatible way.

use serde::{Deserialize, Serialize};
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::fees::AmountDue;
use crate::resolve::ResolvedForm;

/// The `format` of records written by this version.
pub const RECORD_FORMAT: &str = "formfabrik.submission/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionRecord {
    pub format: String,
    /// Client-chosen (or server-made) submission id; the storage key contains it.
    pub id: Uuid,
    /// Short reference the citizen sees on the confirmation page, e.g. `MUS-2026-7K3F9Q`.
    pub reference: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub municipality: RecordMunicipality,
    pub form: RecordForm,
    pub language: String,
    /// Validated data, shaped as the form's JSON Schema says.
    pub data: Map<String, Value>,
    pub attachments: Vec<Attachment>,
    /// The fees these answers cost, as form-model computed them on the server (never an amount
    /// the browser sent); absent for a form without fees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_due: Option<AmountDue>,
    /// The citizen's identity as the identity broker verified it at sign-in (the `identity`
    /// crate's `VerifiedIdentity`: names, birth date, address, e-mail, bPK2, trust level,
    /// provider, subject, times), so the back office can tell eID data from typed answers.
    /// Only on forms with sign-in, when the citizen signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Value>,
    /// The SEPA direct-debit mandate the citizen gave (a form with `sepa-mandate` whose consent
    /// was ticked); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sepa_mandate: Option<MandateRecord>,
}

/// A SEPA direct-debit mandate as given with a submission: what the cash office needs to
/// collect under it (the EPC's mandate data: reference, date of signature, creditor, debtor,
/// IBAN, sequence type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MandateRecord {
    /// The mandate reference: the submission's reference (`MUS-2026-7K3F9Q`).
    pub reference: String,
    /// The date of signature: when the submission was received.
    #[serde(with = "time::serde::rfc3339")]
    pub signed_at: OffsetDateTime,
    /// The creditor identifier (Gläubiger-ID).
    pub creditor_id: String,
    pub creditor_name: String,
    /// The account holder's name as answered.
    pub debtor_name: String,
    /// The IBAN as validated (upper case, no spaces).
    pub iban: String,
    /// `RCUR` (recurring collections) or `OOFF` (one collection).
    pub sequence_type: String,
}

impl MandateRecord {
    /// The mandate in validated `data` of a form resolved with a creditor: present when the
    /// consent question is answered (it is asked, and so kept, only where the mandate applies).
    pub fn of(
        form: &ResolvedForm,
        reference: &str,
        received_at: OffsetDateTime,
        data: &Map<String, Value>,
    ) -> Option<MandateRecord> {
        let mandate = form.form.sepa_mandate.as_ref()?;
        let creditor = mandate.creditor.as_ref()?;
        let consented = data
            .get(&mandate.consent)
            .and_then(Value::as_array)
            .is_some_and(|ticked| !ticked.is_empty());
        let text = |id: &str| data.get(id).and_then(Value::as_str).map(str::to_string);
        if !consented {
            return None;
        }
        Some(MandateRecord {
            reference: crate::model::mandate_reference(reference),
            signed_at: received_at,
            creditor_id: creditor.id.clone(),
            creditor_name: creditor.name.clone(),
            debtor_name: text(&mandate.account_holder)?,
            iban: text(&mandate.iban)?,
            sequence_type: mandate.sequence_type().to_string(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordMunicipality {
    pub id: String,
    pub ags: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordForm {
    pub id: String,
    pub version: u32,
    /// Hash of the resolved form the data was validated against.
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub field: String,
    /// Object key in the store.
    pub key: String,
    pub sha256: String,
    pub size: u64,
    #[serde(rename = "type")]
    pub media_type: String,
}

impl SubmissionRecord {
    /// A record for data that `validate` accepted.
    pub fn new(
        form: &ResolvedForm,
        id: Uuid,
        received_at: OffsetDateTime,
        language: &str,
        data: Map<String, Value>,
        attachments: Vec<Attachment>,
    ) -> SubmissionRecord {
        let reference = reference(&form.municipality.id, received_at.year(), id);
        let sepa_mandate = MandateRecord::of(form, &reference, received_at, &data);
        SubmissionRecord {
            format: RECORD_FORMAT.to_string(),
            id,
            reference,
            received_at,
            municipality: RecordMunicipality {
                id: form.municipality.id.clone(),
                ags: form.municipality.ags.clone(),
            },
            form: RecordForm {
                id: form.form.id.clone(),
                version: form.form.version,
                sha256: form.sha256.to_string(),
                service: form.service.clone(),
            },
            language: language.to_string(),
            data,
            attachments,
            amount_due: None,
            identity: None,
            sepa_mandate,
        }
    }
}

/// Crockford base32: no I, L, O, U, so a reference read over the phone is unambiguous.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters of a reference's code (the part derived from the submission id).
const CODE_LEN: usize = 6;

/// The municipality part of a reference: the first three letters of its id, upper case.
fn reference_prefix(municipality: &str) -> String {
    municipality
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(3)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// `MUS-2026-7K3F9Q`: three letters of the municipality, the year, and six characters derived
/// from the submission id (so a retried submission gets the same reference).
pub fn reference(municipality: &str, year: i32, id: Uuid) -> String {
    let prefix = reference_prefix(municipality);
    let bits = u128::from_be_bytes(*id.as_bytes());
    let code: String = (0..CODE_LEN)
        .map(|i| CROCKFORD[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{prefix}-{year}-{code}")
}

/// The regular expression (anchored, valid in Rust and in JavaScript) of the references
/// [`reference`] gives `municipality` in any year: its prefix, the year as written (digits, no
/// leading zero, at most nine of them, well beyond any year the clock gives), and six Crockford
/// characters. The confirmation page's script checks `?ref=`
/// with it; [`is_reference`] is this pattern.
pub fn reference_pattern(municipality: &str) -> String {
    let code = std::str::from_utf8(CROCKFORD).expect("ASCII");
    format!(
        "^{}-(?:0|[1-9][0-9]{{0,8}})-[{code}]{{{CODE_LEN}}}$",
        regex::escape(&reference_prefix(municipality))
    )
}

/// Whether `candidate` has exactly the shape [`reference`] gives `municipality`'s references
/// (in any year). Says nothing about whether a submission with this reference exists; it keeps
/// what is not a reference off the confirmation page.
pub fn is_reference(municipality: &str, candidate: &str) -> bool {
    regex::Regex::new(&reference_pattern(municipality))
        .expect("the reference pattern is a valid regex")
        .is_match(candidate)
}

/// Whether `c` is invisible and changes how text around it is shown: Unicode format
/// characters (general category Cf: the bidirectional embeddings, overrides and isolates
/// U+202A–202E and U+2066–2069, marks such as U+200E/U+200F, zero-width characters, U+FEFF)
/// and the line and paragraph separators U+2028/U+2029. `rechnung\u{202E}fdp.exe` shows as
/// "rechnungexe.pdf"; such characters stay in the data, but never reach a back-office screen
/// or export as they are.
pub fn is_format_char(c: char) -> bool {
    static FORMAT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    if c.is_ascii() {
        return false;
    }
    let re = FORMAT.get_or_init(|| {
        regex::Regex::new(r"^[\p{Cf}\p{Zl}\p{Zp}]$").expect("a valid character class")
    });
    let mut buf = [0u8; 4];
    re.is_match(c.encode_utf8(&mut buf))
}

/// `text` for a screen or a spreadsheet: every [format character](is_format_char) replaced by
/// its code point in visible form (`<U+202E>`), everything else unchanged.
pub fn display_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_format_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_format_char(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// JSON text of `value` in which every [format character](is_format_char) inside strings is
/// written as a `\uXXXX` escape: the same data for any JSON reader, but a person opening the
/// file in an editor or a terminal sees the escape instead of text running backwards. Records
/// (`submission.json`) and JSON Lines exports are written this way.
pub fn to_json_escaped<T: Serialize + ?Sized>(value: &T, pretty: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let result = if pretty {
        let mut ser =
            serde_json::Serializer::with_formatter(&mut out, Escaping(PrettyFormatter::new()));
        value.serialize(&mut ser)
    } else {
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Escaping(CompactFormatter));
        value.serialize(&mut ser)
    };
    result.expect("JSON values serialize");
    out
}

/// A serde_json formatter that escapes format characters in strings.
struct Escaping<F>(F);

impl<F: Formatter> Formatter for Escaping<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_format_char(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    // The rest is the wrapped formatter's (layout: compact or pretty).
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}
