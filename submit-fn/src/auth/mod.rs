//! Sign-in with BundID through the municipality's identity broker (docs/identity.md): the
//! function's `…/v1/<municipality>/auth/…` routes and the check of a submission that carries,
//! or needs, a verified identity. The protocol, the sealed cookies and the return-URL check are
//! the `identity` crate's; here only HTTP.
//!
//! - `config`: which broker each municipality uses, and the secrets ([`SignInSettings`]),
//! - `routes`: `login` (to the broker, with the flow cookie), `callback` (the session, then back
//!   to the page or, without JavaScript, the prefilled page itself), `prefill` (the page
//!   script's signed prefill answer), `logout`,
//! - `registry`: the look-up of the registered address with the citizen's consent, kept in
//!   the sealed registry cookie,
//! - `prefilled`: which answers the account and the registry prefill and lock, the source of
//!   each at submission, and the prefilled page without JavaScript,
//! - `drafts`: "save and come back", the signed-in citizen's draft in the object store,
//! - `submission`: at a submission, the session checked again, the trust level and the locked
//!   answers enforced.

mod config;
mod deps;
mod drafts;
mod prefilled;
mod registry;
mod routes;
mod submission;

use std::collections::HashMap;
use std::sync::Arc;

use identity::registry::Melderegister;
use identity::{RelyingParty, Sessions};

pub use config::{MunicipalSettings, RegistrySettings, SignInConfigError, SignInSettings};
pub use deps::Deps;
pub(crate) use drafts::remove_after_sending;
pub(crate) use routes::{answer, level_words};
pub(crate) use submission::{IdentityRefusal, check_submission};

/// The sign-in of every municipality that has a broker.
pub struct SignIn {
    municipalities: HashMap<String, Arc<MunicipalSignIn>>,
    /// Days a saved draft is kept (`store::drafts`; FORMFABRIK_DRAFT_DAYS on Lambda).
    pub draft_days: u32,
}

/// One municipality's relying party and cookies, and its resident registry if the look-up is
/// offered.
pub struct MunicipalSignIn {
    pub rp: RelyingParty,
    pub sessions: Sessions,
    pub registry: Option<Arc<dyn Melderegister>>,
}

impl SignIn {
    /// The sign-in of `municipality`, if it has a broker.
    pub fn municipality(&self, id: &str) -> Option<&MunicipalSignIn> {
        self.municipalities.get(id).map(|m| m.as_ref())
    }
}

/// The sign-in endpoints below `…/v1/<municipality>/auth/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Login,
    Callback,
    Prefill,
    Logout,
    Draft,
    Registry,
}

/// A path `…/v1/<municipality>/auth/<action>`: the municipality and the action.
pub fn route(path: &str) -> Option<(&str, Action)> {
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut parts = path.rsplitn(5, '/');
    let action = match parts.next()? {
        "login" => Action::Login,
        "callback" => Action::Callback,
        "prefill" => Action::Prefill,
        "logout" => Action::Logout,
        "draft" => Action::Draft,
        "registry" => Action::Registry,
        _ => return None,
    };
    let auth = parts.next()?;
    let municipality = parts.next()?;
    let version = parts.next()?;
    let before = parts.next()?;
    (auth == "auth"
        && version == "v1"
        && crate::route::prefix_ok(before)
        && crate::route::is_slug(municipality))
    .then_some((municipality, action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_routes_are_auth_actions_below_a_municipality() {
        assert_eq!(
            route("/v1/musterstadt/auth/login"),
            Some(("musterstadt", Action::Login))
        );
        assert_eq!(
            route("/prod/v1/m/auth/callback/"),
            Some(("m", Action::Callback))
        );
        assert_eq!(route("/v1/m/auth/prefill"), Some(("m", Action::Prefill)));
        assert_eq!(route("/v1/m/auth/registry"), Some(("m", Action::Registry)));
        for bad in [
            "/v1/m/auth/other",
            "/v1/m/auth",
            "/v1/auth/login",
            "/v2/m/auth/login",
            "/v1/M/auth/login",
            "/v1/m/x/login",
            "/../v1/m/auth/login",
        ] {
            assert_eq!(route(bad), None, "{bad}");
        }
    }
}
