//! The pay page's handlers: show a transaction's pay page, and end the transaction when one of
//! its buttons (Pay, Cancel, Fail) is pressed, sending the browser back to the online service.

use std::collections::HashMap;

use bytes::Bytes;
use http::header::{CACHE_CONTROL, LOCATION};
use http::{HeaderValue, Response, StatusCode};
use http_body_util::Full;
use xbezahl::PaymentStatus;

use crate::answer::{Answer, html};
use crate::ledger::{LedgerError, Outcome};
use crate::page;
use crate::state::{Shared, lock};
use crate::words::words;

impl Shared {
    /// The pay page of a transaction (`lang` picks its language), or the page saying how it
    /// ended.
    pub(crate) fn pay_page(&self, transaction_id: &str, lang: Option<&str>) -> Answer {
        let w = words(lang);
        let Some(record) = lock(&self.ledger).get(transaction_id).cloned() else {
            return html(
                StatusCode::NOT_FOUND,
                page::message(w, &w.unknown_title, &w.unknown),
                None,
            );
        };
        if record.information.status != PaymentStatus::Initial {
            return html(StatusCode::OK, page::finished(w, &record), None);
        }
        let payee = self
            .config
            .tenant(&record.originator_id, &record.endpoint_id)
            .map_or("", |t| t.name.as_str());
        let action = self.pay_url(transaction_id);
        html(
            StatusCode::OK,
            page::pay(w, &record, payee, action.path()),
            Some(&record.request.redirect_url),
        )
    }

    /// A pay page button: ends the transaction and sends the browser back to the online
    /// service, which must then pull the status.
    pub(crate) fn pay(&self, transaction_id: &str, body: &[u8]) -> Answer {
        let form: HashMap<String, String> =
            url::form_urlencoded::parse(body).into_owned().collect();
        let w = words(form.get("lang").map(String::as_str));
        let outcome = match form.get("action").map(String::as_str) {
            Some("pay") => form
                .get("method")
                .and_then(|m| page::method(m))
                .map(Outcome::Pay),
            Some("cancel") => Some(Outcome::Cancel),
            Some("fail") => Some(Outcome::Fail),
            _ => None,
        };
        let Some(outcome) = outcome else {
            return html(
                StatusCode::BAD_REQUEST,
                page::message(w, &w.bad_title, &w.bad),
                None,
            );
        };
        let finished = lock(&self.ledger).finish(transaction_id, outcome);
        match finished {
            Ok(record) => {
                tracing::info!(transaction = %transaction_id, status = %record.information.status, "transaction finished");
                let mut r = Response::new(Full::new(Bytes::new()));
                *r.status_mut() = StatusCode::SEE_OTHER;
                if let Ok(v) = HeaderValue::from_str(&record.request.redirect_url) {
                    r.headers_mut().insert(LOCATION, v);
                }
                r.headers_mut()
                    .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
                r
            }
            Err(LedgerError::Final(_)) => {
                let record = lock(&self.ledger).get(transaction_id).cloned();
                let page = record.map_or_else(
                    || page::message(w, &w.unknown_title, &w.unknown),
                    |r| page::finished(w, &r),
                );
                html(StatusCode::CONFLICT, page, None)
            }
            Err(LedgerError::Unknown(_)) => html(
                StatusCode::NOT_FOUND,
                page::message(w, &w.unknown_title, &w.unknown),
                None,
            ),
            Err(e) => {
                tracing::error!(error = %e, "transaction could not be kept");
                html(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    page::message(w, &w.bad_title, &w.bad),
                    None,
                )
            }
        }
    }
}
