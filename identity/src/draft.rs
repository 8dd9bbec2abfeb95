//! Drafts of signed-in citizens ("save and come back", docs/identity.md): the answers so far,
//! encrypted with the session key ring, kept in the object store under a name derived from the
//! account's bPK2, the municipality and the form with a keyed hash — so the store never holds
//! the bPK2, and no one without the key ring can tell whose draft an object is or find one
//! from a bPK2. Reading one needs a valid session of the same person (the function derives the
//! name from the session's bPK2); the sealed draft names its owner and form again, so a draft
//! copied to another name does not open there. Each draft expires inside its seal after the
//! configured number of days; the bucket's lifecycle rule removes it then too.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::Duration;

use crate::seal::SealError;
use crate::session::Sessions;

/// The seal purpose and the keyed hash's purpose of drafts.
const PURPOSE: &str = "draft";

/// What a sealed draft holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Draft {
    /// The form's id.
    pub form: String,
    /// The keyed hash it was stored under (with the key current then).
    pub owner: String,
    /// The answers so far, as the form's submission data (no files).
    pub answers: Map<String, Value>,
}

impl Sessions {
    /// The names the draft of the person with `bpk2` for `form` may be stored under: one per
    /// key of the ring, the current key's first (save under it; look under all).
    pub fn draft_names(&self, form: &str, bpk2: &str) -> Vec<String> {
        let (sealer, _, scope) = self.parts();
        // Unit separators keep the three parts apart (ids are slugs; bPK2 is base64).
        sealer.keyed_hashes(PURPOSE, &format!("{scope}\u{1f}{form}\u{1f}{bpk2}"))
    }

    /// `answers` of `form` sealed for the person with `bpk2`, valid for `days`.
    pub fn seal_draft(
        &self,
        form: &str,
        bpk2: &str,
        answers: Map<String, Value>,
        days: u32,
    ) -> Result<String, SealError> {
        let (sealer, clock, scope) = self.parts();
        let draft = Draft {
            form: form.to_string(),
            owner: self.draft_names(form, bpk2).remove(0),
            answers,
        };
        sealer.seal(
            &format!("{PURPOSE}/{scope}"),
            &draft,
            clock.now(),
            Duration::days(i64::from(days)),
        )
    }

    /// The draft of `form` of the person with `bpk2` from `sealed`: refused when it is not
    /// theirs, of another form or municipality, altered, or expired.
    pub fn open_draft(&self, form: &str, bpk2: &str, sealed: &str) -> Result<Draft, SealError> {
        let (sealer, clock, scope) = self.parts();
        let draft: Draft = sealer
            .open(&format!("{PURPOSE}/{scope}"), sealed, clock.now())?
            .value;
        if draft.form != form || !self.draft_names(form, bpk2).contains(&draft.owner) {
            return Err(SealError::Forged);
        }
        Ok(draft)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;
    use time::macros::datetime;

    use crate::seal::{KeyRing, Sealer};
    use crate::session::CookieSettings;
    use crate::{Clock, FixedClock};

    use super::*;

    fn sessions(ring: KeyRing, scope: &str, clock: Arc<dyn Clock>) -> Sessions {
        Sessions::new(
            Arc::new(Sealer::new(ring)),
            clock,
            scope,
            CookieSettings::new("/v1/m/", true).unwrap(),
        )
    }

    fn answers() -> Map<String, Value> {
        json!({ "zweck": "Rente", "anzahl": "2" })
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn a_draft_is_named_by_a_keyed_hash_never_by_the_bpk2() {
        let clock: Arc<dyn Clock> = Arc::new(FixedClock(datetime!(2026-12-02 08:00 UTC)));
        let s = sessions(
            KeyRing::generate("k1").unwrap(),
            "musterstadt",
            clock.clone(),
        );
        let names = s.draft_names("meldebescheinigung", "QUJD");
        assert_eq!(names.len(), 1);
        assert_eq!(names[0].len(), 64);
        assert!(names[0].bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!names[0].contains("QUJD"));
        // Stable for the same person and form; another person, form or municipality differs.
        assert_eq!(names, s.draft_names("meldebescheinigung", "QUJD"));
        assert_ne!(names, s.draft_names("meldebescheinigung", "QUJE"));
        assert_ne!(names, s.draft_names("waffenbesitzkarte", "QUJD"));
        let other = sessions(KeyRing::generate("k1").unwrap(), "musterstadt", clock);
        assert_ne!(names, other.draft_names("meldebescheinigung", "QUJD"));
    }

    #[test]
    fn a_draft_opens_only_for_its_person_and_form_until_it_expires() {
        let ring = KeyRing::generate("k1").unwrap();
        let spec = ring.to_spec();
        let at = |t| -> Arc<dyn Clock> { Arc::new(FixedClock(t)) };
        let s = sessions(ring, "musterstadt", at(datetime!(2026-12-02 08:00 UTC)));
        let sealed = s
            .seal_draft("meldebescheinigung", "QUJD", answers(), 30)
            .unwrap();
        assert!(!sealed.contains("Rente"));
        let opened = s.open_draft("meldebescheinigung", "QUJD", &sealed).unwrap();
        assert_eq!(opened.answers, answers());
        assert_eq!(
            s.open_draft("meldebescheinigung", "QUJE", &sealed),
            Err(SealError::Forged)
        );
        assert_eq!(
            s.open_draft("waffenbesitzkarte", "QUJD", &sealed),
            Err(SealError::Forged)
        );
        let elsewhere = sessions(
            KeyRing::parse(&spec).unwrap(),
            "neustadt-am-see",
            at(datetime!(2026-12-02 08:00 UTC)),
        );
        assert_eq!(
            elsewhere.open_draft("meldebescheinigung", "QUJD", &sealed),
            Err(SealError::Forged)
        );
        let later = sessions(
            KeyRing::parse(&spec).unwrap(),
            "musterstadt",
            at(datetime!(2027-01-02 08:00 UTC)),
        );
        assert!(matches!(
            later.open_draft("meldebescheinigung", "QUJD", &sealed),
            Err(SealError::Expired { .. })
        ));
    }
}
