//! Payment in the function (issue 12, docs/payment.md): fees paid through the municipality's
//! XBezahldienste platform before a submission reaches the back office.
//!
//! - [`config`]: the municipality's platform as the `xbezahl` adapter reads it,
//! - [`attempt`]: one transaction for a submission, as the function records it,
//! - [`flow`]: open a transaction, pull its status and release a paid submission exactly
//!   once, try again, withdraw — without HTTP, shared by the routes and reconciliation,
//! - [`reconcile`]: `formfabrik payments reconcile`, for citizens who never come back,
//! - [`purge`]: withdrawn and expired submissions deleted from the store (by reconciliation),
//! - [`scheduled`]: reconciliation as a Lambda an EventBridge schedule invokes,
//! - [`pages`]: the pages around a payment, in the municipality's design.
//!
//! The routes below `…/v1/<municipality>/payment/<id>/` ([`route`]): `return` (where the
//! platform sends the browser back: GET), `retry`, `cancel` and, for a form whose payment is
//! optional, `without-payment` (the buttons after a cancelled or failed payment: POST). The handler's side is `crate::handler::payment`.

pub mod attempt;
pub mod config;
pub mod flow;
pub mod pages;
pub mod purge;
pub mod reconcile;
pub mod scheduled;

pub use flow::Payments;
use uuid::Uuid;

/// The path segment after the municipality.
pub const SEGMENT: &str = "payment";

/// The payment endpoints below `…/v1/<municipality>/payment/<id>/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The platform sends the browser back here.
    Return,
    /// Another transaction after a cancelled or failed one.
    Retry,
    /// Withdraw the submission instead of paying.
    Cancel,
    /// Send it without paying online (a form whose payment is optional): a fee notice follows.
    WithoutPayment,
}

/// A path `…/v1/<municipality>/payment/<id>/<action>`: municipality, submission id, action.
pub fn route(path: &str) -> Option<(&str, Uuid, Action)> {
    let path = path.strip_suffix('/').unwrap_or(path);
    let mut parts = path.rsplitn(6, '/');
    let action = match parts.next()? {
        "return" => Action::Return,
        "retry" => Action::Retry,
        "cancel" => Action::Cancel,
        "without-payment" => Action::WithoutPayment,
        _ => return None,
    };
    let id = parts.next()?;
    let segment = parts.next()?;
    let municipality = parts.next()?;
    let version = parts.next()?;
    let before = parts.next()?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    };
    let before_ok =
        before.is_empty() || (before.starts_with('/') && before[1..].split('/').all(plain));
    // Only the hyphenated form: one address per submission.
    let id = Uuid::try_parse(id)
        .ok()
        .filter(|u| u.hyphenated().to_string() == id)?;
    (segment == SEGMENT
        && version == "v1"
        && before_ok
        && municipality.len() <= 100
        && form_model::ids::is_slug(municipality))
    .then_some((municipality, id, action))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "6f1c5e1e-6b43-4c1b-9d0e-1d2f3a4b5c6d";

    #[test]
    fn payment_routes_name_a_municipality_a_submission_and_an_action() {
        let id = Uuid::parse_str(ID).unwrap();
        assert_eq!(
            route(&format!("/v1/musterstadt/payment/{ID}/return")),
            Some(("musterstadt", id, Action::Return))
        );
        assert_eq!(
            route(&format!("/prod/v1/m/payment/{ID}/retry/")),
            Some(("m", id, Action::Retry))
        );
        assert_eq!(
            route(&format!("/v1/m/payment/{ID}/cancel")),
            Some(("m", id, Action::Cancel))
        );
        assert_eq!(
            route(&format!("/v1/m/payment/{ID}/without-payment")),
            Some(("m", id, Action::WithoutPayment))
        );
        for bad in [
            format!("/v1/m/payment/{ID}/other"),
            format!("/v1/m/pay/{ID}/return"),
            format!("/v2/m/payment/{ID}/return"),
            format!("/v1/M/payment/{ID}/return"),
            format!("/v1/m/payment/{}/return", ID.to_uppercase()),
            format!("/v1/m/payment/{}/return", ID.replace('-', "")),
            "/v1/m/payment/not-an-id/return".to_string(),
            format!("/../v1/m/payment/{ID}/return"),
            format!("v1/m/payment/{ID}/return"),
        ] {
            assert_eq!(route(&bad), None, "{bad}");
        }
        // A form's own paths are not payment routes.
        assert_eq!(route("/v1/m/payment"), None);
        assert_eq!(route("/v1/m/f/danke"), None);
    }
}
