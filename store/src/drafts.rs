//! Where the function keeps the drafts of signed-in citizens ("save and come back",
//! docs/identity.md): `_drafts/<municipality>/<form>/<name>.draft`, where `<name>` is a keyed
//! hash of the person (`identity::draft`; the store never sees who it is) and the object is the
//! sealed draft. Unlike submissions, a draft is replaced when saved again and removed when the
//! form is sent; the bucket's lifecycle rule for `_drafts/` removes what is left after the
//! configured number of days ([`DEFAULT_DAYS`]; the SAM template's `DraftRetentionDays`).

use bytes::Bytes;

use crate::{PutOutcome, Store, StoreError};

/// The top-level folder of drafts.
pub const DRAFTS: &str = "_drafts";

/// Days a draft is kept when nothing else is configured.
pub const DEFAULT_DAYS: u32 = 30;

/// The key of the draft named `name` (a keyed hash, hex) of `municipality`'s `form`.
pub fn draft_key(municipality: &str, form: &str, name: &str) -> String {
    format!("{DRAFTS}/{municipality}/{form}/{name}.draft")
}

/// Stores `sealed` under `key`, replacing an earlier draft there. (The store writes create-only;
/// a draft is its citizen's alone, so removing the older one first loses nothing another
/// writer made.)
pub async fn save(store: &dyn Store, key: &str, sealed: &str) -> Result<(), StoreError> {
    for _ in 0..3 {
        store.delete(key).await?;
        let bytes = Bytes::from(sealed.as_bytes().to_vec());
        if store.put_new(key, bytes, "text/plain").await? == PutOutcome::Created {
            return Ok(());
        }
    }
    Err(StoreError::Unavailable(format!(
        "the draft {key} could not be replaced"
    )))
}

/// The first draft found under `keys` (its key and the sealed text), if any.
pub async fn load(
    store: &dyn Store,
    keys: &[String],
) -> Result<Option<(String, String)>, StoreError> {
    for key in keys {
        if let Some(bytes) = store.get(key).await? {
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| StoreError::Damaged {
                key: key.clone(),
                reason: "not UTF-8".into(),
            })?;
            return Ok(Some((key.clone(), text)));
        }
    }
    Ok(None)
}

/// Removes the drafts under `keys` (after the form was sent); how many there were.
pub async fn remove(store: &dyn Store, keys: &[String]) -> Result<usize, StoreError> {
    let mut removed = 0;
    for key in keys {
        if store.delete(key).await? {
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStore;

    #[tokio::test]
    async fn a_draft_saved_again_replaces_the_older_one_and_is_gone_after_sending() {
        let store = MemoryStore::new();
        let key = draft_key("musterstadt", "meldebescheinigung", "ab12");
        assert_eq!(key, "_drafts/musterstadt/meldebescheinigung/ab12.draft");
        let keys = vec![
            draft_key("musterstadt", "meldebescheinigung", "old"),
            key.clone(),
        ];
        assert_eq!(load(&store, &keys).await.unwrap(), None);
        save(&store, &key, "1.k1.first").await.unwrap();
        save(&store, &key, "1.k1.second").await.unwrap();
        assert_eq!(
            load(&store, &keys).await.unwrap(),
            Some((key.clone(), "1.k1.second".to_string()))
        );
        assert_eq!(remove(&store, &keys).await.unwrap(), 1);
        assert_eq!(load(&store, &keys).await.unwrap(), None);
    }
}
