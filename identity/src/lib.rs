//! Sign-in for Formfabrik forms ("Nutzerkonto"): a citizen signs in with BundID through an
//! OpenID Connect identity broker, and the form is prefilled from the account and, with
//! consent, from the municipality's resident registry.
//!
//! - [`relying_party`]: discovery, authorization request (PKCE, state, nonce), callback (code
//!   exchange, ID token checked against the JWKS) → [`VerifiedIdentity`].
//! - [`claims`]: the neutral [`VerifiedIdentity`] and how claims map onto it (trust levels as
//!   eIDAS levels).
//! - [`session`] and [`seal`]: the flow and session cookies and the prefill answer, sealed or
//!   signed with a rotating key ring instead of a session store.
//! - [`draft`]: drafts of signed-in citizens, sealed and named by a keyed hash of the bPK2.
//! - [`return_to`]: return URLs limited to known pages of the site (no open redirects).
//! - [`registry`]: the registry look-up interface, an HTTP/JSON adapter and a local service.
//! - [`secrets`]: secrets from the environment or another injected source, never from YAML.
//! - [`test_provider`]: starts the test OpenID provider (tests and `formfabrik serve`).
//! - [`transport`]: outgoing HTTP(S) over the workspace's hyper + rustls stack.
//!
//! docs/identity.md describes the design for operators and privacy notices.

pub mod claims;
pub mod clock;
pub mod draft;
pub mod registry;
pub mod relying_party;
pub mod return_to;
pub mod seal;
pub mod secrets;
pub mod session;
pub mod test_provider;
pub mod transport;

pub use claims::{Address, BirthDate, ClaimKey, ClaimMapping, TrustLevel, VerifiedIdentity};
pub use clock::{Clock, FixedClock, SystemClock};
pub use relying_party::{
    Callback, ClientAuth, ClientCredentials, IdTokenError, IdentityError, ProviderSettings,
    RelyingParty, SignInStart,
};
pub use return_to::{ReturnError, ReturnPolicy, ReturnTarget};
pub use seal::{KeyRing, SealError, Sealer};
pub use session::{
    CookieSettings, FlowState, PrefillAnswer, RegistryStatement, SessionError, Sessions,
};
