//! The object that completes a submission, in either layout (`store::envelope`): record and
//! metadata from the envelope `submission.json`/`.jwe`, or, for submissions stored before it
//! (the old layout), the bare record there and the metadata from `metadata.json`/`.jwe` beside
//! it. Nothing already accepted is lost when the layout changes.

use bytes::Bytes;

use crate::{Entry, Inbox, InboxError};

/// A submission's record and metadata as stored (plaintext).
pub(crate) struct Complete {
    /// The record's bytes as the function made them.
    pub record: Bytes,
    /// Where the metadata was read (the envelope's key, or the old layout's `metadata.*`).
    pub metadata_key: String,
    pub metadata: Bytes,
}

impl Inbox {
    /// The record and metadata of `entry`, decrypted.
    pub(crate) async fn complete(&self, entry: &Entry) -> Result<Complete, InboxError> {
        let record_key = entry.record_key();
        let opened = store::envelope::open(&self.open(&record_key).await?).map_err(|e| {
            InboxError::Damaged {
                key: record_key.clone(),
                reason: e.to_string(),
            }
        })?;
        let (metadata_key, metadata) = match opened.metadata {
            Some(metadata) => (record_key, metadata),
            None => {
                let key = entry.metadata_key();
                let metadata = self.open(&key).await?;
                (key, metadata)
            }
        };
        Ok(Complete {
            record: opened.record,
            metadata_key,
            metadata,
        })
    }
}
