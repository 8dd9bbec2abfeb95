//! `formfabrik inbox export --xdomea DIR`: the e-file hand-off. For every submission `inbox
//! pull` delivered into the pulled folder, one xdomea 3.1.0 `Abgabe.Abgabe.0401` package
//! (the `xdomea` crate) goes into `DIR`, the document management system's transfer folder:
//! the receipts the pull wrote (German first: the case's main document), the record as
//! stored and each attachment, sender and recipient from the registry's municipality (its
//! `xdomea:` identifiers), the records plan from the form (`records:`).
//!
//! **Exactly once**, whatever crashes or runs alongside. Per submission, with a journal
//! `.xdomea.json` in its pulled folder (created create-only, synced):
//!
//! 1. journal there: the package was handed over, or is about to be — if the temporary file
//!    the journal names is still in `DIR`, it is renamed to its name now (a crash between 3
//!    and 4); the submission counts as done;
//! 2. the package is written to `DIR/.<name>.<nonce>.tmp` (hidden: the DMS takes `*.zip`) and
//!    synced;
//! 3. the journal is created naming that file — of two runs, only one creates it; the other
//!    removes its file and goes to 1;
//! 4. the file is renamed to `<ProzessID>_Abgabe.Abgabe.0401.zip` (atomic: the DMS never
//!    sees half a package).
//!
//! So a package appears under its name once: a later run never writes it again, even when
//! the DMS has taken it away meanwhile, and a run that died after step 3 has its package
//! finished by the next. A temporary file of a run that died before step 3 is named by no
//! journal; runs remove such files once they are an hour old.

use std::io::Write;
use std::path::{Path, PathBuf};

use form_model::messages::{E_FILE, fill};
use form_model::record::SubmissionRecord;
use form_model::registry::RegistryMunicipality;
use form_model::resolve::ResolvedForm;
use receipt::from_record::value_at;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;
use xdomea::{Applicant, ApplicantAddress, Handoff, Made, Party, Sent, Submission};

use crate::identity::{Source, locked_prefills, verified};
use crate::receipts::{ReceiptMaker, languages, receipt_file};

/// The journal of a submission's hand-over, in its pulled folder.
pub const JOURNAL: &str = ".xdomea.json";
pub const JOURNAL_FORMAT: &str = "formfabrik.xdomea-handoff/1";

/// How old a temporary file no journal names must be before a run removes it.
const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// What `.xdomea.json` records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Journal {
    pub format: String,
    /// The transfer folder.
    pub dir: PathBuf,
    /// `<ProzessID>_Abgabe.Abgabe.0401.zip`
    pub package: String,
    /// The temporary name it was written under, renamed to `package`.
    pub temporary: String,
    /// SHA-256 of the package.
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Which pulled submissions to hand over.
#[derive(Debug, Clone, Default)]
pub struct Which {
    pub municipality: String,
    pub form: Option<String>,
    pub version: Option<u32>,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct XdomeaReport {
    /// Packages this run put into the transfer folder.
    pub written: Vec<(Uuid, PathBuf)>,
    /// Handed over before (or by a run alongside).
    pub already: Vec<Uuid>,
    /// Not handed over, with the reason (the folder, when the record is unreadable).
    pub failed: Vec<(String, String)>,
}

/// Hands over every submission of `which` pulled below `pulled` into `dir`.
pub fn export(
    pulled: &Path,
    which: &Which,
    maker: &ReceiptMaker,
    dir: &Path,
    now: OffsetDateTime,
) -> Result<XdomeaReport, crate::InboxError> {
    let io = |p: &Path, e: std::io::Error| crate::InboxError::Io(format!("{}: {e}", p.display()));
    let root = pulled.join(&which.municipality);
    if !root.is_dir() {
        return Err(crate::InboxError::Io(format!(
            "{}: no submissions of {} were pulled here (expected {}); --pulled is the --out folder of `formfabrik inbox pull`",
            pulled.display(),
            which.municipality,
            root.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    remove_orphans(dir);
    let municipality = maker.municipality(&which.municipality).ok_or_else(|| {
        crate::InboxError::Io(format!(
            "the registry has no municipality {} (rebuild it with `formfabrik build`)",
            which.municipality
        ))
    })?;
    let mut report = XdomeaReport::default();
    for folder in submission_folders(&root, which).map_err(|e| io(&root, e))? {
        match hand_over(&folder, municipality, maker, dir, now) {
            Ok(Done::Written(id, path)) => report.written.push((id, path)),
            Ok(Done::Already(id)) => report.already.push(id),
            Err(e) => report.failed.push((folder.display().to_string(), e)),
        }
    }
    Ok(report)
}

/// `<root>/<form>/v<n>/<submission>/`, whatever the submission folders are named, skipping
/// hidden entries (deliveries under way); in name order.
fn submission_folders(root: &Path, which: &Which) -> std::io::Result<Vec<PathBuf>> {
    let visible = |dir: &Path| -> std::io::Result<Vec<PathBuf>> {
        let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        out.sort();
        Ok(out)
    };
    let name = |p: &Path| {
        p.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    let mut out = Vec::new();
    for form in visible(root)? {
        if which.form.as_ref().is_some_and(|f| *f != name(&form)) {
            continue;
        }
        for version in visible(&form)? {
            if which
                .version
                .is_some_and(|v| name(&version) != format!("v{v}"))
            {
                continue;
            }
            for sub in visible(&version)? {
                if sub.join("submission.json").is_file() {
                    out.push(sub);
                }
            }
        }
    }
    Ok(out)
}

enum Done {
    Written(Uuid, PathBuf),
    Already(Uuid),
}

fn hand_over(
    folder: &Path,
    m: &RegistryMunicipality,
    maker: &ReceiptMaker,
    dir: &Path,
    now: OffsetDateTime,
) -> Result<Done, String> {
    let read = |name: &str| -> Result<Vec<u8>, String> {
        let path = folder.join(name);
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let record_bytes = read("submission.json")?;
    let record: SubmissionRecord = serde_json::from_slice(&record_bytes)
        .map_err(|e| format!("{}/submission.json: {e}", folder.display()))?;
    let id = record.id;
    if let Some(done) = finish(folder, id)? {
        return Ok(done);
    }
    let form = maker.form_of(&record)?;
    let mut pdfs = Vec::new();
    for language in languages(&record) {
        let file = receipt_file(&language);
        let pdf = read(&file).map_err(|e| {
            format!("{e} — the receipt is written by `inbox pull` (with the registry the form was published in)")
        })?;
        pdfs.push((language, pdf));
    }
    let files: Vec<(String, Vec<u8>)> = record
        .attachments
        .iter()
        .map(|a| {
            let stored = a.key.rsplit('/').next().unwrap_or("");
            let name = stored.strip_suffix(".jwe").unwrap_or(stored).to_string();
            read(&name).map(|bytes| (name, bytes))
        })
        .collect::<Result<_, _>>()?;
    let zip = package(&record, &record_bytes, &form, m, &pdfs, &files, now)?;

    // 2. the package under a hidden temporary name, synced.
    let temporary = format!(".{}.{}.tmp", zip.file_name, Uuid::new_v4().simple());
    let tmp_path = dir.join(&temporary);
    write_synced(&tmp_path, &zip.zip).map_err(|e| format!("{}: {e}", tmp_path.display()))?;
    // 3. the journal, create-only: this run hands it over, or another run already does.
    let journal = Journal {
        format: JOURNAL_FORMAT.into(),
        dir: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
        package: zip.file_name.clone(),
        temporary,
        sha256: hex::encode(Sha256::digest(&zip.zip)),
        at: now,
    };
    let bytes = serde_json::to_vec_pretty(&journal).expect("the journal serializes");
    match crate::import::write_private(&folder.join(JOURNAL), &bytes) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = std::fs::remove_file(&tmp_path);
            return Ok(finish(folder, id)?.unwrap_or(Done::Already(id)));
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp_path);
            return Err(format!("{}: {e}", folder.join(JOURNAL).display()));
        }
    }
    // 4. into place.
    let target = dir.join(&zip.file_name);
    match std::fs::rename(&tmp_path, &target) {
        Ok(()) => Ok(Done::Written(id, target)),
        // A run alongside finished it (step 1) in between.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Done::Already(id)),
        Err(e) => Err(format!("{}: {e}", target.display())),
    }
}

/// Step 1: `None` when the submission in `folder` has no journal yet. Otherwise it is done:
/// [`Done::Written`] when this call renamed the package into place (its run died, or is
/// between steps 3 and 4), else [`Done::Already`].
fn finish(folder: &Path, id: Uuid) -> Result<Option<Done>, String> {
    let path = folder.join(JOURNAL);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let journal: Journal =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let tmp = journal.dir.join(&journal.temporary);
    let target = journal.dir.join(&journal.package);
    match std::fs::rename(&tmp, &target) {
        Ok(()) => Ok(Some(Done::Written(id, target))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Some(Done::Already(id))),
        Err(e) => Err(format!("{}: {e}", tmp.display())),
    }
}

/// Removes temporary packages no journal will name: those of runs that died before step 3,
/// once an hour old (a live run renames its file within seconds).
fn remove_orphans(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > ORPHAN_AGE);
        if name.starts_with('.')
            && name.ends_with(".tmp")
            && name.contains(xdomea::MESSAGE_TYPE)
            && old
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Sender or recipient: the municipality, with the DMS's identifiers when configured.
fn party(m: &RegistryMunicipality, ids: Option<&form_model::model::DmsParty>) -> Party {
    let contact = m.contact.as_ref();
    Party {
        institution: m.name.clone(),
        unit: ids
            .and_then(|p| p.unit.clone())
            .or_else(|| contact.map(|c| c.name.clone()).filter(|n| *n != m.name)),
        authority_key: ids.and_then(|p| p.authority_key.clone()),
        authority_prefix: ids.and_then(|p| p.prefix.clone()),
        address: contact.map(|c| c.address.clone()).unwrap_or_default(),
    }
}

/// The package of one submission: `pdfs` its receipts (German first), `files` its
/// attachments' stored names and bytes in the record's order.
pub fn package(
    record: &SubmissionRecord,
    record_bytes: &[u8],
    form: &ResolvedForm,
    m: &RegistryMunicipality,
    pdfs: &[(String, Vec<u8>)],
    files: &[(String, Vec<u8>)],
    now: OffsetDateTime,
) -> Result<xdomea::Package, String> {
    let ids = m.xdomea.as_ref();
    let handoff = Handoff {
        sender: party(m, ids.and_then(|i| i.sender.as_ref())),
        recipient: party(m, ids.and_then(|i| i.recipient.as_ref())),
        records: form.form.records.clone().unwrap_or_default(),
        created_at: now.to_offset(receipt::format::german_offset(now)),
    };
    // The German description names each attachment's question, as the receipt does.
    let contact = m.contact.as_ref().ok_or_else(|| {
        format!(
            "the registry names no contact of {} (rebuild it with `formfabrik build`)",
            m.id
        )
    })?;
    let sha512s: Vec<String> = files
        .iter()
        .map(|(_, b)| store::metadata::sha512_hex(b))
        .collect();
    let described = receipt::from_record(
        record,
        form,
        receipt::authority(&m.name, &m.ags, contact),
        receipt::Checksums {
            data_sha512: &store::metadata::sha512_hex(record_bytes),
            attachments_sha512: &sha512s,
        },
        "de",
    )
    .map_err(|e| e.to_string())?;
    let titles: Vec<String> = pdfs
        .iter()
        .map(|(lang, _)| {
            fill(
                E_FILE.text("receipt-title", "de"),
                &[("reference", &record.reference), ("lang", lang)],
            )
        })
        .collect();
    let original_names: Vec<&str> = record
        .attachments
        .iter()
        .map(|a| {
            value_at(&record.data, &a.field)
                .and_then(|v| v.get("name"))
                .and_then(|v| v.as_str())
                .unwrap_or_default()
        })
        .collect();
    let submission = Submission {
        record,
        record_bytes,
        service: form
            .form
            .title
            .get("de")
            .map(String::as_str)
            .unwrap_or_default(),
        received_at: described.received_at,
        receipts: pdfs
            .iter()
            .zip(&titles)
            .map(|((lang, pdf), title)| Made {
                title,
                language: lang,
                pdf,
            })
            .collect(),
        attachments: record
            .attachments
            .iter()
            .zip(files)
            .zip(&described.attachments)
            .zip(&original_names)
            .map(|(((attachment, (name, bytes)), facts), original)| Sent {
                attachment,
                stored_name: name,
                original_name: original,
                title: &facts.question.text,
                bytes,
            })
            .collect(),
        applicant: applicant(form, record),
    };
    xdomea::package(&handoff, &submission).map_err(|e| e.to_string())
}

/// The verified identity of `record` for the case's contact and extension (see the xdomea
/// crate's `message::contact`): names, address, e-mail and a complete birth date, the trust
/// level in BundID's words, provider, times, and the questions taken from the account. Not the
/// bPK2 nor the provider's subject: the e-file needs neither (docs/identity.md).
fn applicant(form: &ResolvedForm, record: &SubmissionRecord) -> Option<Applicant> {
    let identity = verified(record)?;
    let part = |p: &str| identity.address_part(p).unwrap_or_default().to_string();
    let address = ApplicantAddress {
        street: part("street"),
        house_number: part("house-number"),
        postcode: part("postcode"),
        city: part("city"),
    };
    let has_address = [
        &address.street,
        &address.house_number,
        &address.postcode,
        &address.city,
    ]
    .iter()
    .any(|p| !p.is_empty());
    Some(Applicant {
        given_names: identity.given_names().into(),
        family_name: identity.family_name().into(),
        birth_date: identity.birth_date(),
        address: has_address.then_some(address),
        email: identity.email().map(str::to_string),
        trust_level: identity.trust_words(),
        provider: identity.provider().into(),
        authenticated_at: identity.authenticated_at(),
        verified_at: identity.verified_at(),
        from_account: locked_prefills(form, record)
            .iter()
            .map(|(f, source)| {
                let label = form_model::texts::text_in(&f.label, "de");
                match source {
                    Source::Account => label,
                    Source::Registry => format!("{label} ({})", xdomea::registry_mark()),
                }
            })
            .collect(),
    })
}
