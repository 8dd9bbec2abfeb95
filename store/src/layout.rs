//! Every key the function and the back office write, relative to the store's prefix, in one
//! place: the function writes a submission's folder and its claim, an import run its leases and
//! the acknowledgement, and both their probes and runner markers on stores that overwrite.
//!
//! ```text
//! _claims/<municipality>/<id>.json                                   claim, written first
//! <municipality>/<form>/v<version>/<yyyy>/<mm>/<dd>/<id>/<field>-<n>.<ext>   attachments
//! <municipality>/<form>/v<version>/<yyyy>/<mm>/<dd>/<id>/submission.json     record + metadata, last
//! _leases/<municipality>/<id>/lease-<n>.json                         who imports it, until when
//! _acks/<municipality>/<id>.json                                     imported
//! _reports/<municipality>/report-<n>.json                            what `inbox report` reported
//! _claims/_probe/, _claims/_runners/                                 the function's probe, runners
//! _leases/<municipality>/_probe/, _leases/<municipality>/_runs/      an import's probe, runners
//! ```
//!
//! `submission.json` is an envelope ([`crate::envelope`]) holding the record (byte for byte)
//! and its FIT-Connect-shaped metadata ([`crate::metadata`]): two objects per submission
//! without files. Submissions stored before the envelope (the old layout, still read by every
//! reader) have the bare record as `submission.json` and the metadata beside it as
//! `metadata.json` ([`metadata_name`]).
//!
//! Encrypted objects carry `.jwe` after their name (`submission.jwe`, old layout's
//! `metadata.jwe`, `<field>-<n>.<ext>.jwe`). Municipality ids start with a letter, so `_claims/_probe/` and
//! `_claims/_runners/` never collide with a municipality's claims.

use form_model::resolve::ResolvedForm;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The top-level folders of the protocol's own objects, each kept per municipality.
pub const CLAIMS: &str = "_claims";
pub const LEASES: &str = "_leases";
pub const ACKS: &str = "_acks";
pub const REPORTS: &str = "_reports";

/// Where the function probes (`_claims/_probe/<uuid>.json`) and keeps runner markers
/// (`_claims/_runners/`): below `_claims/`, the only prefix it reads.
pub const FUNCTION_PROBE_PREFIX: &str = "_claims/_probe/";
pub const FUNCTION_RUNNERS_PREFIX: &str = "_claims/_runners/";

/// `_claims/<municipality>/<id>.json`
pub fn claim_key(municipality: &str, id: Uuid) -> String {
    format!("{CLAIMS}/{municipality}/{}.json", id.hyphenated())
}

/// `_acks/<municipality>/<id>.json`
pub fn ack_key(municipality: &str, id: Uuid) -> String {
    format!("{ACKS}/{municipality}/{}.json", id.hyphenated())
}

/// `_acks/<municipality>/`: every acknowledgement of a municipality.
pub fn acks_prefix(municipality: &str) -> String {
    format!("{ACKS}/{municipality}/")
}

/// The id an acknowledgement's key names, if it is one.
pub fn acked_id(key: &str) -> Option<Uuid> {
    let name = key.rsplit('/').next()?.strip_suffix(".json")?;
    Uuid::try_parse(name).ok()
}

/// `_leases/<municipality>/<id>/`: every lease on a submission.
pub fn lease_prefix(municipality: &str, id: Uuid) -> String {
    format!("{LEASES}/{municipality}/{}/", id.hyphenated())
}

/// `_leases/<municipality>/<id>/lease-<n>.json`
pub fn lease_key(municipality: &str, id: Uuid, n: u32) -> String {
    format!("{}lease-{n}.json", lease_prefix(municipality, id))
}

/// The number of a lease key below `prefix` (`lease_prefix`), if it is one.
pub fn lease_number(prefix: &str, key: &str) -> Option<u32> {
    key.strip_prefix(prefix)?
        .strip_prefix("lease-")?
        .strip_suffix(".json")?
        .parse()
        .ok()
}

/// `_reports/<municipality>/`: the reports `inbox report` made, numbered; the newest is the
/// "last report" the next one counts from.
pub fn reports_prefix(municipality: &str) -> String {
    format!("{REPORTS}/{municipality}/")
}

/// `_reports/<municipality>/report-<n>.json`
pub fn report_key(municipality: &str, n: u32) -> String {
    format!("{}report-{n}.json", reports_prefix(municipality))
}

/// The number of a report key below `reports_prefix`, if it is one.
pub fn report_number(prefix: &str, key: &str) -> Option<u32> {
    key.strip_prefix(prefix)?
        .strip_prefix("report-")?
        .strip_suffix(".json")?
        .parse()
        .ok()
}

/// Where an import run of `municipality` probes the store (`_leases/<municipality>/_probe/`).
pub fn import_probe_prefix(municipality: &str) -> String {
    format!("{LEASES}/{municipality}/_probe/")
}

/// Where import runs of `municipality` keep their runner markers (`_leases/<municipality>/_runs/`).
pub fn import_runners_prefix(municipality: &str) -> String {
    format!("{LEASES}/{municipality}/_runs/")
}

/// `<municipality>/<form>/v<version>/<yyyy>/<mm>/<dd>/<id>/` for a submission received at
/// `received_at` (UTC date).
pub fn submission_path(form: &ResolvedForm, received_at: OffsetDateTime, id: Uuid) -> String {
    let d = received_at.to_offset(time::UtcOffset::UTC).date();
    format!(
        "{}/{}/v{}/{:04}/{:02}/{:02}/{}/",
        form.municipality.id,
        form.form.id,
        form.form.version,
        d.year(),
        d.month() as u8,
        d.day(),
        id.hyphenated()
    )
}

/// `<municipality>/<form>/v<version>/`: every submission of a form version (a lifecycle rule's
/// prefix).
pub fn form_version_prefix(municipality: &str, form: &str, version: u32) -> String {
    format!("{municipality}/{form}/v{version}/")
}

/// The name of the object that completes a submission (the envelope; in the old layout the
/// bare record): `submission.json`, or `submission.jwe` when encrypted.
pub fn record_name(encrypted: bool) -> &'static str {
    if encrypted {
        "submission.jwe"
    } else {
        "submission.json"
    }
}

/// The old layout's metadata object name: `metadata.json`, or `metadata.jwe` when encrypted
/// (submissions stored since the envelope have their metadata inside `submission.json`).
pub fn metadata_name(encrypted: bool) -> &'static str {
    if encrypted {
        "metadata.jwe"
    } else {
        "metadata.json"
    }
}

/// What follows an object's name when it is encrypted.
pub fn encrypted_suffix(encrypted: bool) -> &'static str {
    if encrypted { ".jwe" } else { "" }
}

/// `submission.awaiting.json` (`.jwe`): the record of a submission that awaits payment.
pub fn awaiting_record_name(encrypted: bool) -> String {
    format!("submission.awaiting.json{}", encrypted_suffix(encrypted)).replace(".json.jwe", ".jwe")
}

/// `<path>-1.<ext>`: the path of the validated file answer (`erlaubnis`,
/// `zulassung.nachweis`, `hunde.0.impfpass`), the file's number within its question (always 1:
/// a file question takes one file) and an extension from the validated media type. The
/// citizen's file name never becomes part of a key.
///
/// Unique by construction: paths are field ids (`[a-z][a-z0-9-]*`, no `.`) and entry numbers
/// joined by `.`, each answer has one path, and the extension has neither `.` nor `-`, so the
/// name gives the path back. The `-1` keeps every attachment apart from `metadata.*` and
/// `submission.*`. Characters outside `[a-z0-9.-]` (which validated paths do not have) become
/// `-`, so a name is always a safe key segment.
pub fn attachment_name(path: &str, media_type: &str) -> String {
    let safe: String = path
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let safe = safe.trim_matches(|c| c == '-' || c == '.');
    let safe = if safe.is_empty() { "file" } else { safe };
    format!("{safe}-1.{}", extension(media_type))
}

/// The usual extension for a media type; for unknown types the subtype's letters and digits.
pub fn extension(media_type: &str) -> String {
    let known = match media_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/tiff" => "tif",
        "image/heic" => "heic",
        "image/heif" => "heif",
        "image/svg+xml" => "svg",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "application/xml" | "text/xml" => "xml",
        "application/json" => "json",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.oasis.opendocument.text" => "odt",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let sub = media_type.rsplit('/').next().unwrap_or("");
    let ext: String = sub
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    if ext.is_empty() { "bin".into() } else { ext }
}

/// A record's key, read back: `<m>/<f>/v<n>/<yyyy>/<mm>/<dd>/<id>/submission.(json|jwe)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordKey {
    pub municipality: String,
    pub form: String,
    pub version: u32,
    /// UTC date received.
    pub date: Date,
    pub id: Uuid,
    /// The submission's folder, with a trailing slash.
    pub dir: String,
    pub encrypted: bool,
}

impl RecordKey {
    /// Parses a record's key; `None` for any other key.
    pub fn parse(key: &str) -> Option<RecordKey> {
        let parts: Vec<&str> = key.split('/').collect();
        let [m, f, v, y, mo, d, id, last] = parts.as_slice() else {
            return None;
        };
        let encrypted = match *last {
            "submission.json" => false,
            "submission.jwe" => true,
            _ => return None,
        };
        let version = v.strip_prefix('v')?.parse().ok()?;
        let month = time::Month::try_from(mo.parse::<u8>().ok()?).ok()?;
        let date = Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()?;
        let id = Uuid::try_parse(id).ok()?;
        Some(RecordKey {
            municipality: m.to_string(),
            form: f.to_string(),
            version,
            date,
            id,
            dir: format!("{m}/{f}/{v}/{y}/{mo}/{d}/{id}/"),
            encrypted,
        })
    }

    /// The folder of any key in a submission's folder (`<m>/…/<id>/<name>`), read as if it
    /// held the record: what an incomplete attempt has too.
    pub fn of_folder_key(key: &str) -> Option<RecordKey> {
        let parts: Vec<&str> = key.split('/').collect();
        if parts.len() != 8 {
            return None;
        }
        RecordKey::parse(&format!("{}/{}", parts[..7].join("/"), record_name(false)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_come_from_field_and_media_type_only() {
        assert_eq!(
            attachment_name("erlaubnis", "application/pdf"),
            "erlaubnis-1.pdf"
        );
        assert_eq!(
            attachment_name("hunde.0.impfpass", "image/jpeg"),
            "hunde.0.impfpass-1.jpg"
        );
        assert_eq!(attachment_name("../../etc", "image/png"), "etc-1.png");
        assert_eq!(
            attachment_name("x", "application/x-weird+stuff"),
            "x-1.xweirdstuff"
        );
        assert_eq!(attachment_name("x", "application/"), "x-1.bin");
        for reserved in ["metadata", "submission"] {
            assert_ne!(
                attachment_name(reserved, "application/json"),
                format!("{reserved}.json")
            );
        }
    }

    #[test]
    fn record_keys_are_parsed_and_other_keys_ignored() {
        let e = RecordKey::parse(
            "musterstadt/sperrmuell-anmeldung/v1/2026/11/28/7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c/submission.jwe",
        )
        .unwrap();
        assert_eq!(e.municipality, "musterstadt");
        assert_eq!(e.version, 1);
        assert!(e.encrypted);
        assert_eq!(
            e.dir,
            "musterstadt/sperrmuell-anmeldung/v1/2026/11/28/7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c/"
        );
        for other in [
            "musterstadt/sperrmuell-anmeldung/v1/2026/11/28/7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c/metadata.jwe",
            "musterstadt/sperrmuell-anmeldung/v1/2026/11/28/7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c/foto-1.jpg.jwe",
            "musterstadt/sperrmuell-anmeldung/v1/2026/13/28/7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c/submission.json",
            "_claims/musterstadt/7d4c1a52-3f0e-4b8a-9c61-2f3e4d5a6b7c.json",
        ] {
            assert_eq!(RecordKey::parse(other), None, "{other}");
        }
    }
}
