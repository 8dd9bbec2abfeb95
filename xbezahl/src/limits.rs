//! The limits XBezahldienste v1.0.0 sets on its messages: lengths, counts, the largest amount and
//! the currency. One home for them, because three places keep to them: [`crate::validate`]
//! checks a request against them, [`crate::text`] cuts free text to them, and the local platform
//! cuts its problem answers to them.

use crate::model::Amount;

/// Ids (originator, endpoint, request, item, reference): 1 to 36 characters.
pub const ID_MAX: usize = 36;
/// The purpose ends up on bank statements: at most 27 characters.
pub const PURPOSE_MAX: usize = 27;
/// Descriptions, of the request and of each item.
pub const DESCRIPTION_MAX: usize = 250;
/// URLs (the redirect URL, a problem's type).
pub const URL_MAX: usize = 2082;
/// Positions per request.
pub const ITEMS_MAX: usize = 99;
/// The largest amount the standard allows, 999,999 euros.
pub const AMOUNT_MAX: Amount = Amount::from_cents(99_999_900);
/// A problem's title.
pub const TITLE_MAX: usize = 250;
/// A problem's detail.
pub const DETAIL_MAX: usize = 2000;
/// Requestor texts (names, street, city). The published schema's limit for these could not be
/// read; 250 is the limit of the standard's other free texts.
pub const REQUESTOR_TEXT_MAX: usize = 250;
/// v1.0.0 provides for euros only.
pub const CURRENCY: &str = "EUR";
