//! The constraints XBezahldienste v1.0.0 sets on a payment request, checked in one place: the
//! adapter checks before it sends (a request the platform would refuse is a bug on our side,
//! found without a round trip), and the local platform refuses with the same rules.
//!
//! Each violation names the field (`items.0.totalNetAmount`: dots only, because a problem's
//! `detail` may not contain brackets) and whether it is a validation error or a calculation
//! error, the two functional codes the standard distinguishes.

use std::fmt;

use crate::limits::{
    AMOUNT_MAX, CURRENCY, DESCRIPTION_MAX, DETAIL_MAX, ID_MAX, ITEMS_MAX, PURPOSE_MAX,
    REQUESTOR_TEXT_MAX, TITLE_MAX, URL_MAX,
};
use crate::model::{Amount, FunctionalCode, PaymentItem, PaymentRequest, Problem, Requestor};
use crate::text::{is_id_char, is_purpose_char, is_text_char, is_title_char};

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where, as a dotted path (`items.0.quantity`).
    pub path: String,
    /// `VALIDATION_ERROR` or `CALCULATION_ERROR`.
    pub code: FunctionalCode,
    /// What is wrong, in words (the class of characters the standard allows, never the value).
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.path, self.message)
    }
}

/// All violations of one request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Violations(pub Vec<Violation>);

impl Violations {
    /// The functional code a platform answers with: a malformed request is a validation error
    /// even when its sums are wrong too.
    pub fn code(&self) -> FunctionalCode {
        if self
            .0
            .iter()
            .any(|v| v.code == FunctionalCode::ValidationError)
        {
            FunctionalCode::ValidationError
        } else {
            FunctionalCode::CalculationError
        }
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(". ")?;
            }
            v.fmt(f)?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct Collector(Vec<Violation>);

impl Collector {
    fn invalid(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Violation {
            path: path.into(),
            code: FunctionalCode::ValidationError,
            message: message.into(),
        });
    }

    fn miscalculated(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Violation {
            path: path.into(),
            code: FunctionalCode::CalculationError,
            message: message.into(),
        });
    }

    /// A string of 1 to `max` characters of a class.
    fn chars(
        &mut self,
        path: &str,
        value: &str,
        max: usize,
        allowed: fn(char) -> bool,
        class: &str,
    ) {
        let n = value.chars().count();
        if n == 0 {
            self.invalid(path, "is empty");
        } else if n > max {
            self.invalid(
                path,
                format!("has {n} characters, at most {max} are allowed"),
            );
        }
        if let Some(c) = value.chars().find(|c| !allowed(*c)) {
            self.invalid(
                path,
                // No `U+`: a problem's detail may not contain a plus sign.
                format!(
                    "contains the character with code point {:04X}, only {class} are allowed",
                    u32::from(c)
                ),
            );
        }
    }

    fn id(&mut self, path: &str, value: &str) {
        self.chars(
            path,
            value,
            ID_MAX,
            is_id_char,
            "ASCII letters, digits, underscore and hyphen",
        );
    }

    fn text(&mut self, path: &str, value: &str, max: usize) {
        self.chars(
            path,
            value,
            max,
            is_text_char,
            "ASCII letters, digits, underscore, whitespace, hyphen, comma, full stop and Latin letters from U+00C0 to U+017F",
        );
    }

    fn amount(&mut self, path: &str, value: Amount) {
        if value < Amount::from_cents(0) {
            self.invalid(path, "is negative");
        } else if value > AMOUNT_MAX {
            self.invalid(path, format!("is {value}, at most {AMOUNT_MAX} is allowed"));
        }
    }
}

/// Checks an originator or endpoint id (a path segment of every call).
pub fn check_id(what: &str, value: &str) -> Result<(), Violations> {
    let mut c = Collector::default();
    c.id(what, value);
    finish(c)
}

fn finish(c: Collector) -> Result<(), Violations> {
    if c.0.is_empty() {
        Ok(())
    } else {
        Err(Violations(c.0))
    }
}

impl PaymentRequest {
    /// Every constraint the standard sets on a request, and whether its amounts add up.
    pub fn check(&self) -> Result<(), Violations> {
        let mut c = Collector::default();
        c.id("requestId", &self.request_id);
        if self.currency != CURRENCY {
            c.invalid(
                "currency",
                format!("is not supported, XBezahldienste v1.0.0 provides for {CURRENCY} only"),
            );
        }
        c.amount("grosAmount", self.gros_amount);
        c.chars(
            "purpose",
            &self.purpose,
            PURPOSE_MAX,
            is_purpose_char,
            "ASCII letters, digits, underscore, whitespace and hyphen",
        );
        if let Some(d) = &self.description {
            c.text("description", d, DESCRIPTION_MAX);
        }
        check_redirect_url(&mut c, &self.redirect_url);
        if self.items.is_empty() {
            c.invalid(
                "items",
                "is empty, a payment request needs at least one item",
            );
        } else if self.items.len() > ITEMS_MAX {
            c.invalid(
                "items",
                format!(
                    "has {} items, at most {ITEMS_MAX} are allowed",
                    self.items.len()
                ),
            );
        }
        for (i, item) in self.items.iter().enumerate() {
            check_item(&mut c, &format!("items.{i}"), item);
        }
        if let Some(r) = &self.requestor {
            check_requestor(&mut c, r);
        }
        let sum: i64 = self
            .items
            .iter()
            .map(|i| i.total_net_amount.cents() + i.total_tax_amount.cents())
            .sum();
        if sum != self.gros_amount.cents() {
            c.miscalculated(
                "grosAmount",
                format!(
                    "is {}, but the items add up to {}",
                    self.gros_amount,
                    Amount::from_cents(sum)
                ),
            );
        }
        finish(c)
    }
}

fn check_redirect_url(c: &mut Collector, value: &str) {
    let n = value.chars().count();
    if n == 0 {
        c.invalid("redirectUrl", "is empty");
        return;
    }
    if n > URL_MAX {
        c.invalid(
            "redirectUrl",
            format!("has {n} characters, at most {URL_MAX} are allowed"),
        );
    }
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
        Ok(_) => c.invalid("redirectUrl", "is not an http or https URL"),
        Err(e) => c.invalid("redirectUrl", format!("is not an absolute URL, {e}")),
    }
}

fn check_item(c: &mut Collector, p: &str, item: &PaymentItem) {
    c.id(&format!("{p}.id"), &item.id);
    if let Some(r) = &item.reference {
        c.id(&format!("{p}.reference"), r);
    }
    if let Some(d) = &item.description {
        c.text(&format!("{p}.description"), d, DESCRIPTION_MAX);
    }
    if let Some(rate) = item.tax_rate
        && !(0..=10_000).contains(&rate.hundredths())
    {
        c.invalid(
            format!("{p}.taxRate"),
            format!("is {rate}, a rate in percent from 0 to 100 is expected"),
        );
    }
    if item.quantity == 0 {
        c.invalid(format!("{p}.quantity"), "is 0, at least 1 is expected");
    }
    c.amount(&format!("{p}.totalNetAmount"), item.total_net_amount);
    c.amount(&format!("{p}.totalTaxAmount"), item.total_tax_amount);
    let q = i64::from(item.quantity);
    for (name, single, total) in [
        ("Net", item.single_net_amount, item.total_net_amount),
        ("Tax", item.single_tax_amount, item.total_tax_amount),
    ] {
        let Some(single) = single else { continue };
        c.amount(&format!("{p}.single{name}Amount"), single);
        if single.cents() * q != total.cents() {
            c.miscalculated(
                format!("{p}.total{name}Amount"),
                format!(
                    "is {total}, but quantity {q} times single{name}Amount {single} is {}",
                    Amount::from_cents(single.cents() * q)
                ),
            );
        }
    }
    if let Some(rate) = item.tax_rate {
        // Tax may be rounded on the total or per unit; either is a correct calculation.
        let on_total = rate.tax_on(item.total_net_amount);
        let per_unit = item
            .single_net_amount
            .map(|s| Amount::from_cents(rate.tax_on(s).cents() * q));
        if item.total_tax_amount != on_total && Some(item.total_tax_amount) != per_unit {
            c.miscalculated(
                format!("{p}.totalTaxAmount"),
                format!(
                    "is {}, but {rate} percent of totalNetAmount {} is {on_total}",
                    item.total_tax_amount, item.total_net_amount
                ),
            );
        }
    }
    for key in item.booking_data.keys() {
        if key.trim().is_empty() {
            c.invalid(format!("{p}.bookingData"), "has an empty key");
        }
    }
}

fn check_requestor(c: &mut Collector, r: &Requestor) {
    let texts = [
        ("requestor.name", &r.name),
        ("requestor.firstName", &r.first_name),
        ("requestor.organizationName", &r.organization_name),
    ];
    for (path, value) in texts {
        if let Some(v) = value {
            c.text(path, v, REQUESTOR_TEXT_MAX);
        }
    }
    let Some(a) = &r.address else { return };
    for (path, value) in [
        ("requestor.address.street", &a.street),
        ("requestor.address.houseNumber", &a.house_number),
        ("requestor.address.postalCode", &a.postal_code),
        ("requestor.address.city", &a.city),
    ] {
        if let Some(v) = value {
            c.text(path, v, REQUESTOR_TEXT_MAX);
        }
    }
    for (i, line) in a.address_line.iter().enumerate() {
        c.text(
            &format!("requestor.address.addressLine.{i}"),
            line,
            REQUESTOR_TEXT_MAX,
        );
    }
    if let Some(country) = &a.country
        && !(country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase()))
    {
        c.invalid(
            "requestor.address.country",
            "is not an ISO 3166-1 alpha-2 code of two capital letters",
        );
    }
}

impl Problem {
    /// The constraints the standard sets on a problem answer (a platform's, or the local
    /// platform's own).
    pub fn check(&self) -> Result<(), Violations> {
        let mut c = Collector::default();
        if let Some(t) = &self.kind
            && (t.is_empty() || t.chars().count() > URL_MAX)
        {
            c.invalid("type", format!("must have 1 to {URL_MAX} characters"));
        }
        if let Some(s) = self.status
            && !(100..=511).contains(&s)
        {
            c.invalid("status", "is not an HTTP status from 100 to 511");
        }
        if let Some(t) = &self.title {
            c.chars(
                "title",
                t,
                TITLE_MAX,
                is_title_char,
                "ASCII letters, digits, underscore, whitespace, full stop and hyphen",
            );
        }
        if let Some(d) = &self.detail {
            c.text("detail", d, DETAIL_MAX);
        }
        finish(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, TaxRate};
    use time::macros::datetime;

    fn item(id: &str, cents: i64) -> PaymentItem {
        PaymentItem {
            id: id.into(),
            reference: Some("FS-B".into()),
            description: Some("Gebühr für die Ersterteilung".into()),
            tax_rate: Some(TaxRate::from_hundredths(0)),
            quantity: 1,
            total_net_amount: Amount::from_cents(cents),
            total_tax_amount: Amount::from_cents(0),
            single_net_amount: Some(Amount::from_cents(cents)),
            single_tax_amount: Some(Amount::from_cents(0)),
            booking_data: Default::default(),
        }
    }

    fn request() -> PaymentRequest {
        PaymentRequest {
            request_id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            request_timestamp: datetime!(2025-03-01 10:00 UTC),
            currency: "EUR".into(),
            gros_amount: Amount::from_cents(4310),
            purpose: "Fahrerlaubnis 0f8fad5b".into(),
            description: Some("Ersterteilung einer Fahrerlaubnis, Klasse B".into()),
            redirect_url: "https://musterstadt.example/v1/payments/return".into(),
            items: vec![item("grundgebuehr", 4310)],
            requestor: None,
        }
    }

    fn paths(r: &PaymentRequest) -> Vec<(String, FunctionalCode)> {
        r.check()
            .err()
            .map(|v| v.0.into_iter().map(|v| (v.path, v.code)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_correct_request_passes() {
        assert_eq!(request().check(), Ok(()));
    }

    #[test]
    fn a_purpose_of_28_characters_or_with_an_umlaut_is_refused() {
        let mut r = request();
        r.purpose = "a".repeat(27);
        assert_eq!(r.check(), Ok(()));
        r.purpose = "a".repeat(28);
        assert_eq!(
            paths(&r),
            [("purpose".to_owned(), FunctionalCode::ValidationError)]
        );
        r.purpose = "Gebühr".into();
        let v = r.check().unwrap_err();
        assert!(v.to_string().contains("code point 00FC"), "{v}");
    }

    #[test]
    fn ids_are_limited_to_36_characters_of_the_id_class() {
        let mut r = request();
        r.request_id = "x".repeat(37);
        assert_eq!(paths(&r)[0].0, "requestId");
        r.request_id = "a/b".into();
        assert_eq!(paths(&r)[0].0, "requestId");
        r.request_id = String::new();
        assert_eq!(paths(&r)[0].0, "requestId");
        assert!(check_id("originatorId", "formfabrik_09162000").is_ok());
        assert!(check_id("endPointId", "Münster").is_err());
    }

    #[test]
    fn a_description_of_251_characters_or_with_a_colon_is_refused() {
        let mut r = request();
        r.description = Some("é".repeat(250));
        assert_eq!(r.check(), Ok(()));
        r.description = Some("é".repeat(251));
        assert_eq!(paths(&r)[0].0, "description");
        r.description = Some("Gebühr: 25 €".into());
        assert_eq!(paths(&r)[0].0, "description");
    }

    #[test]
    fn a_request_needs_one_to_99_items() {
        let mut r = request();
        r.items.clear();
        r.gros_amount = Amount::from_cents(0);
        assert_eq!(
            paths(&r),
            [("items".into(), FunctionalCode::ValidationError)]
        );
        r.items = (0..100).map(|i| item(&format!("i{i}"), 1)).collect();
        r.gros_amount = Amount::from_cents(100);
        assert_eq!(
            paths(&r),
            [("items".into(), FunctionalCode::ValidationError)]
        );
        r.items.pop();
        r.gros_amount = Amount::from_cents(99);
        assert_eq!(r.check(), Ok(()));
    }

    #[test]
    fn a_gross_amount_that_does_not_match_the_items_is_a_calculation_error() {
        let mut r = request();
        r.gros_amount = Amount::from_cents(4300);
        let v = r.check().unwrap_err();
        assert_eq!(v.code(), FunctionalCode::CalculationError);
        assert_eq!(
            v.to_string(),
            "grosAmount is 43.00, but the items add up to 43.10"
        );
    }

    #[test]
    fn item_totals_must_be_quantity_times_single_amounts_and_tax_must_match_the_rate() {
        let mut r = request();
        r.items[0].quantity = 2;
        assert_eq!(
            paths(&r),
            [(
                "items.0.totalNetAmount".into(),
                FunctionalCode::CalculationError
            )]
        );
        let mut r = request();
        r.items[0].tax_rate = Some(TaxRate::from_hundredths(1900));
        assert_eq!(
            paths(&r),
            [(
                "items.0.totalTaxAmount".into(),
                FunctionalCode::CalculationError
            )]
        );
        // 3 × 0.50 at 19 %: 0.10 per unit (0.095 rounded) or 0.29 on the total; both are right.
        let mut r = request();
        let it = &mut r.items[0];
        it.tax_rate = Some(TaxRate::from_hundredths(1900));
        it.quantity = 3;
        it.single_net_amount = Some(Amount::from_cents(50));
        it.total_net_amount = Amount::from_cents(150);
        it.single_tax_amount = Some(Amount::from_cents(10));
        it.total_tax_amount = Amount::from_cents(30);
        r.gros_amount = Amount::from_cents(180);
        assert_eq!(r.check(), Ok(()));
        let it = &mut r.items[0];
        it.single_tax_amount = None;
        it.total_tax_amount = Amount::from_cents(29);
        r.gros_amount = Amount::from_cents(179);
        assert_eq!(r.check(), Ok(()));
    }

    #[test]
    fn a_malformed_request_is_a_validation_error_even_when_its_sums_are_wrong_too() {
        let mut r = request();
        r.currency = "USD".into();
        r.gros_amount = Amount::from_cents(1);
        let v = r.check().unwrap_err();
        assert_eq!(v.code(), FunctionalCode::ValidationError);
        assert_eq!(v.0.len(), 2);
    }

    #[test]
    fn amounts_above_999999_euros_and_negative_amounts_are_refused() {
        let mut r = request();
        r.items[0].total_net_amount = Amount::from_cents(100_000_000);
        r.items[0].single_net_amount = Some(Amount::from_cents(100_000_000));
        r.gros_amount = Amount::from_cents(100_000_000);
        assert!(paths(&r).iter().any(|(p, _)| p == "grosAmount"));
        assert!(paths(&r).iter().any(|(p, _)| p == "items.0.totalNetAmount"));
        let mut r = request();
        r.items[0].total_tax_amount = Amount::from_cents(-1);
        r.items[0].single_tax_amount = Some(Amount::from_cents(-1));
        r.items[0].tax_rate = None;
        r.gros_amount = Amount::from_cents(4309);
        assert_eq!(paths(&r)[0].0, "items.0.totalTaxAmount");
    }

    #[test]
    fn the_redirect_url_must_be_an_absolute_http_url() {
        let mut r = request();
        r.redirect_url = "/v1/payments/return".into();
        assert_eq!(paths(&r)[0].0, "redirectUrl");
        r.redirect_url = "javascript:alert(1)".into();
        assert_eq!(paths(&r)[0].0, "redirectUrl");
        r.redirect_url = format!("https://a.example/{}", "x".repeat(URL_MAX));
        assert_eq!(paths(&r)[0].0, "redirectUrl");
    }

    #[test]
    fn a_requestor_country_is_two_capital_letters() {
        let mut r = request();
        r.requestor = Some(Requestor {
            name: Some("Müller-Lüdenscheidt".into()),
            address: Some(Address {
                country: Some("de".into()),
                ..Address::default()
            }),
            ..Requestor::default()
        });
        assert_eq!(paths(&r)[0].0, "requestor.address.country");
    }

    #[test]
    fn a_problem_with_a_bracket_in_its_detail_breaks_the_standard() {
        let p = Problem {
            kind: Some("about:blank".into()),
            status: Some(400),
            title: Some("Bad Request".into()),
            detail: Some("items[0] is wrong".into()),
            functional_code: Some(FunctionalCode::ValidationError),
        };
        assert_eq!(p.check().unwrap_err().0[0].path, "detail");
    }
}
