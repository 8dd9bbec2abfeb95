//! What the sign-in routes read of the function ([`Deps`], handed over by the handler) and the
//! message page they answer with ([`page`]); shared by `routes` and `drafts`.

use bytes::Bytes;
use form_model::messages::{SIGN_IN, fill};
use form_model::registry::ServedRegistry;
use http::{Response, StatusCode};
use view::bundle::RemotePages;

use super::SignIn;
use crate::html::{self, WayOn};
use crate::respond::html_response;

/// What the sign-in routes read of the function (the handler hands it over).
pub struct Deps<'a> {
    pub registry: &'a ServedRegistry,
    pub pages: Option<&'a RemotePages>,
    pub sign_in: Option<&'a SignIn>,
    /// Where drafts are kept (`drafts`), and how many days, and the largest body read.
    pub store: &'a dyn store::Store,
    pub draft_days: u32,
    pub body_limit: usize,
}

impl Deps<'_> {
    pub(super) fn registry(&self) -> &ServedRegistry {
        self.registry
    }
    pub(super) fn pages(&self) -> Option<&RemotePages> {
        self.pages
    }
    pub(super) fn sign_in(&self) -> Option<&SignIn> {
        self.sign_in
    }
}

/// A page with the sign-in area's `key` as message.
pub(crate) fn page(
    status: StatusCode,
    lang: &str,
    key: &str,
    values: &[(&str, &str)],
    way_on: WayOn<'_>,
) -> Response<Bytes> {
    let message = fill(SIGN_IN.text(key, lang), values);
    html_response(
        status,
        html::message_page(lang, SIGN_IN.text("title-sign-in", lang), &message, way_on),
    )
}
