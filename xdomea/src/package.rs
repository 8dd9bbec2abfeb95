//! Packs a message as xdomea packages messages: one ZIP, `<ProzessID>_<Nachrichtentyp>.zip`,
//! with the message `<ProzessID>_<Nachrichtentyp>.xml` and the primary documents side by side,
//! named as the message's `Dateiname`s say. Every entry has the same timestamp (the message's
//! creation time) and permissions, so the same message always gives the same ZIP.

use std::io::{Cursor, Write};

use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use crate::message::Document;

/// The message type, as file names spell it.
pub const MESSAGE_TYPE: &str = "Abgabe.Abgabe.0401";

/// `<ProzessID>_Abgabe.Abgabe.0401.zip`
pub fn package_name(process_id: Uuid) -> String {
    format!("{}_{MESSAGE_TYPE}.zip", process_id.hyphenated())
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn zip(
    process_id: Uuid,
    message: &[u8],
    documents: &[Document<'_>],
    created_at: OffsetDateTime,
) -> Vec<u8> {
    // ZIP times have no time zone: the creation time as its offset shows it.
    let time = DateTime::from_date_and_time(
        created_at.year().clamp(1980, 2107) as u16,
        created_at.month() as u8,
        created_at.day(),
        created_at.hour(),
        created_at.minute(),
        created_at.second(),
    )
    .unwrap_or_default();
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(time)
        .system(System::Unix)
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let mut add = |name: &str, bytes: &[u8]| {
        zip.start_file(name, options)
            .expect("a new entry in an in-memory ZIP");
        zip.write_all(bytes)
            .expect("writing into memory cannot fail");
    };
    add(
        &format!("{}_{MESSAGE_TYPE}.xml", process_id.hyphenated()),
        message,
    );
    for doc in documents {
        add(&doc.file_name, doc.bytes);
    }
    zip.finish()
        .expect("finishing an in-memory ZIP cannot fail")
        .into_inner()
}
