//! Finding submissions the way clerks name them: the reference the citizen was given (from
//! the plaintext claim, readable without the key) or the id.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::{Entry, Filter, Inbox, InboxError};

impl Inbox {
    /// The reference the citizen was given (`MUS-2026-7K3F9Q`), from the submission's claim
    /// (plaintext, no answers: readable without the key); `None` when the claim is gone.
    pub async fn reference(&self, entry: &Entry) -> Result<Option<String>, InboxError> {
        self.reference_of(&entry.municipality, entry.id).await
    }

    /// [`Inbox::reference`] by municipality and id (the claim's key needs no more).
    pub async fn reference_of(
        &self,
        municipality: &str,
        id: Uuid,
    ) -> Result<Option<String>, InboxError> {
        Ok(self.claim_of(municipality, id).await?.map(|c| c.reference))
    }

    /// The submission's claim (plaintext, no answers: reference and time received);
    /// `None` when it is gone.
    pub async fn claim(&self, entry: &Entry) -> Result<Option<store::protocol::Claim>, InboxError> {
        self.claim_of(&entry.municipality, entry.id).await
    }

    async fn claim_of(
        &self,
        municipality: &str,
        id: Uuid,
    ) -> Result<Option<store::protocol::Claim>, InboxError> {
        let key = store::layout::claim_key(municipality, id);
        let Some(bytes) = self.store.get(&key).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| InboxError::Damaged {
                key,
                reason: e.to_string(),
            })
    }

    /// The submission among `entries` that `wanted` names: its id, or the reference the
    /// citizen was given (case-insensitive, as a clerk may type it).
    pub async fn find<'a>(
        &self,
        entries: &'a [Entry],
        wanted: &str,
    ) -> Result<Option<&'a Entry>, InboxError> {
        if let Ok(id) = wanted.parse::<Uuid>() {
            return Ok(entries.iter().find(|e| e.id == id));
        }
        for e in entries {
            if self
                .reference(e)
                .await?
                .is_some_and(|r| r.eq_ignore_ascii_case(wanted.trim()))
            {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    /// The ids of the complete submissions of `municipality` that `wanted` name (each a
    /// reference or an id, as [`Inbox::find`] takes them), and the names that match none.
    pub async fn resolve(
        &self,
        municipality: &str,
        wanted: &[String],
    ) -> Result<(BTreeSet<Uuid>, Vec<String>), InboxError> {
        let all = self
            .list(&Filter {
                municipality: municipality.to_string(),
                include_acked: true,
                ..Filter::default()
            })
            .await?;
        let mut ids = BTreeSet::new();
        let mut unknown = Vec::new();
        for w in wanted {
            match self.find(&all, w).await? {
                Some(e) => {
                    ids.insert(e.id);
                }
                None => unknown.push(w.clone()),
            }
        }
        Ok((ids, unknown))
    }
}
