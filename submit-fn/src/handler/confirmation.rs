//! `GET …/v1/<municipality>/<form>/danke?ref=<reference>&lang=<lang>`: the confirmation page
//! a browser form post is redirected to. Without JavaScript the static confirmation page cannot
//! read the reference from its address, so the function shows it. It reads nothing from the
//! store and writes nothing.

use bytes::Bytes;
use http::request::Parts;
use http::{Method, Response, StatusCode};
use uuid::Uuid;

use super::{Ctx, Handler};
use crate::html;
use crate::metrics::Outcome;
use crate::respond::{Refusal, html_response};
use crate::route::query_param;

/// The id the example reference on the invalid-reference page is made from (its code reads
/// `7K3F9Q`, the example the docs use).
const EXAMPLE_ID: Uuid =
    Uuid::from_u128(7 | (19 << 5) | (3 << 10) | (15 << 15) | (9 << 20) | (23 << 25));

impl Handler {
    /// The confirmation page for `?ref=<reference>` in `?lang=<lang>` (the form's first
    /// language when it does not offer that one).
    pub(super) fn confirmation(
        &self,
        parts: &Parts,
        ctx: &mut Ctx<'_>,
        outcome: &mut Outcome,
    ) -> Response<Bytes> {
        let query = parts.uri.query();
        ctx.lang = query_param(query, "lang")
            .filter(|l| ctx.form.languages.contains(l))
            .or_else(|| ctx.form.languages.first().cloned())
            .unwrap_or_else(|| ctx.lang.clone());
        if parts.method != Method::GET {
            return self.method_not_allowed(ctx, outcome);
        }
        let m = ctx.municipality;
        let Some(reference) =
            query_param(query, "ref").filter(|r| form_model::record::is_reference(&m.id, r))
        else {
            let example = form_model::record::reference(&m.id, self.clock.now().year(), EXAMPLE_ID);
            let refusal = Refusal::InvalidReference {
                example,
                municipality: m.name.clone(),
            };
            return self.refuse(refusal, ctx, outcome);
        };
        outcome.outcome = "confirmation";
        outcome.reference = reference.clone();
        html_response(
            StatusCode::OK,
            html::confirmation_page(m, ctx.form, &ctx.lang, &reference, None),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_reference_reads_7k3f9q_as_the_docs_say() {
        let example = form_model::record::reference("musterstadt", 2026, EXAMPLE_ID);
        assert_eq!(example, "MUS-2026-7K3F9Q");
    }
}
