//! The lint of payment: a municipality's payment platform (an https base URL, the ids as the
//! XBezahldienste standard allows them, exactly one way to authenticate, every secret named in
//! exactly one place and never written), and which forms take payment online (only forms with
//! fees, only where the municipality has a platform).

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{
    Booking, Form, FormUse, KASSENZEICHEN_PLACEHOLDERS, Payment, PaymentMode, SecretName,
};
use crate::msg;
use crate::positions::child;

use super::linter::Linter;

/// The standard's id pattern: 1 to 36 of `[\w\d-]`, `\w` being ASCII.
static PLATFORM_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^[A-Za-z0-9_-]{1,36}$").unwrap());
/// An environment variable's name, as shells accept it.
static ENV_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^[A-Za-z_][A-Za-z0-9_]*$").unwrap());

/// Lints `payment:` of a municipality at `path`.
pub(super) fn lint_payment(cx: &mut Linter, path: &str, payment: &Payment) {
    let p = child(path, "platform");
    let platform = &payment.platform;
    base_url(cx, &child(&p, "base-url"), &platform.base_url);
    for (key, id) in [
        ("originator-id", &platform.originator_id),
        ("endpoint-id", &platform.endpoint_id),
    ] {
        if !PLATFORM_ID.is_match(id) {
            cx.error(&child(&p, key), msg!("payment-id", key = key, value = id));
        }
    }
    if payment.expire_after_hours == 0 {
        cx.error(
            &child(path, "expire-after-hours"),
            msg!("payment-expire-zero"),
        );
    }
    if let Some(booking) = &payment.booking {
        lint_booking(cx, &child(path, "booking"), booking);
    }
    let auth = &platform.auth;
    let ap = child(&p, "auth");
    if auth.written() != 1 {
        cx.error(&ap, msg!("payment-auth-one"));
    }
    let mut secrets: Vec<(String, &SecretName)> = Vec::new();
    if let Some(o) = &auth.oauth2 {
        let op = child(&ap, "oauth2");
        base_url(cx, &child(&op, "token-url"), &o.token_url);
        secrets.push((child(&op, "client-secret"), &o.client_secret));
    }
    if let Some(m) = &auth.mtls {
        let mp = child(&ap, "mtls");
        secrets.push((child(&mp, "certificate"), &m.certificate));
        secrets.push((child(&mp, "private-key"), &m.private_key));
    }
    if let Some(b) = &auth.basic {
        secrets.push((child(&child(&ap, "basic"), "password"), &b.password));
    }
    if let Some(ca) = &platform.ca_certificate {
        secrets.push((child(&p, "ca-certificate"), ca));
    }
    for (at, secret) in secrets {
        if secret.named() != 1 {
            cx.error(&at, msg!("payment-secret-one"));
        }
        if let Some(name) = &secret.env
            && !ENV_NAME.is_match(name)
        {
            cx.error_help(
                &child(&at, "env"),
                msg!("payment-secret-env-name", value = name),
                msg!("payment-secret-env-name-help"),
            );
        }
    }
}

/// Characters of a Kassenzeichen outside its placeholders (finance systems take few more).
static KASSENZEICHEN_TEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^[A-Za-z0-9./-]*$").unwrap());
/// A placeholder in a Kassenzeichen pattern.
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\{([^{}]*)\}").unwrap());

/// Lints `payment.booking` at `path` on its own: the Kassenzeichen pattern and prefix, and
/// every account written (which forms and fees it names is checked with the forms offered,
/// [`lint_booking_forms`]).
fn lint_booking(cx: &mut Linter, path: &str, booking: &Booking) {
    let kp = child(path, "kassenzeichen");
    let pattern = &booking.kassenzeichen;
    let mut has_reference = false;
    for found in PLACEHOLDER.captures_iter(pattern) {
        let name = &found[1];
        has_reference |= name == "reference";
        if !KASSENZEICHEN_PLACEHOLDERS.contains(&name) {
            cx.error(
                &kp,
                msg!(
                    "booking-placeholder",
                    name = format!("{{{name}}}"),
                    known = KASSENZEICHEN_PLACEHOLDERS
                        .map(|p| format!("{{{p}}}"))
                        .join(", ")
                ),
            );
        }
    }
    if !has_reference {
        cx.error(
            &kp,
            msg!("booking-without-reference", placeholder = "{reference}"),
        );
    }
    let literal = PLACEHOLDER.replace_all(pattern, "");
    if !KASSENZEICHEN_TEXT.is_match(&literal) {
        cx.error(&kp, msg!("booking-characters", value = pattern));
    }
    if let Some(prefix) = &booking.prefix {
        if !KASSENZEICHEN_TEXT.is_match(prefix) {
            cx.error(
                &child(path, "prefix"),
                msg!("booking-characters", value = prefix),
            );
        }
        if !pattern.contains("{prefix}") {
            cx.error(
                &child(path, "prefix"),
                msg!("booking-prefix-unused", placeholder = "{prefix}"),
            );
        }
    }
    lint_booking_keys(cx, &child(path, "keys"), booking);
    let mut accounts = vec![(
        child(path, "default"),
        &booking.default.haushaltsstelle,
        &booking.default.produktkonto,
    )];
    for (form, f) in &booking.forms {
        let fp = child(&child(path, "forms"), form);
        accounts.push((fp.clone(), &f.haushaltsstelle, &f.produktkonto));
        for (fee, a) in &f.fees {
            let p = child(&child(&fp, "fees"), fee);
            accounts.push((p, &a.haushaltsstelle, &a.produktkonto));
        }
    }
    for (at, haushaltsstelle, produktkonto) in accounts {
        for (key, value) in [
            ("haushaltsstelle", haushaltsstelle),
            ("produktkonto", produktkonto),
        ] {
            if let Some(v) = value
                && (v.trim().is_empty() || v.trim() != v || v.chars().any(char::is_control))
            {
                cx.error(
                    &child(&at, key),
                    msg!("booking-account", key = key, value = v),
                );
            }
        }
    }
}

/// Lints `payment.booking.keys` at `path`: each name usable as a `bookingData` key (not empty,
/// no space, no control characters), and no two keys sent under the same name.
fn lint_booking_keys(cx: &mut Linter, path: &str, booking: &Booking) {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (key, written) in booking.keys.written() {
        let name = booking.keys.name(key);
        if let Some(w) = written
            && (w.is_empty() || w.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            cx.error(
                &child(path, key),
                msg!("booking-key-name", key = key, value = w),
            );
        }
        if let Some((other, _)) = seen.iter().find(|(_, n)| *n == name) {
            // Reported where it was written (the later of the two when both were).
            let at = if written.is_some() { key } else { other };
            cx.error(
                &child(path, at),
                msg!("booking-key-twice", name = name, key = key, other = *other),
            );
        }
        seen.push((key, name));
    }
}

/// Lints which forms and fees `payment.booking.forms` names: forms the municipality offers
/// (`offered`, by id, with their catalog form), fees those forms have.
pub(super) fn lint_booking_forms(
    cx: &mut Linter,
    path: &str,
    booking: &Booking,
    offered: &std::collections::HashMap<&str, &Form>,
) {
    let fp = child(path, "forms");
    for (form_id, f) in &booking.forms {
        let at = child(&fp, form_id);
        let Some(form) = offered.get(form_id.as_str()) else {
            let hint = crate::diagnostics::suggestion(form_id, offered.keys().copied());
            cx.diags.error_at_key(
                cx.sources,
                cx.file,
                &at,
                msg!("booking-unknown-form", id = form_id, hint = hint),
            );
            continue;
        };
        for fee in f.fees.keys() {
            if !form.fees.iter().any(|x| &x.id == fee) {
                let hint =
                    crate::diagnostics::suggestion(fee, form.fees.iter().map(|x| x.id.as_str()));
                cx.diags.error_at_key(
                    cx.sources,
                    cx.file,
                    &child(&child(&at, "fees"), fee),
                    msg!("no-such-fee", id = form_id, fee = fee, hint = hint),
                );
            }
        }
    }
}

/// https, or http on the machine itself (the local payment platform).
fn base_url(cx: &mut Linter, path: &str, value: &str) {
    let ok = match url::Url::parse(value) {
        Ok(u) => match u.scheme() {
            "https" => u.host().is_some(),
            "http" => matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
            _ => false,
        },
        Err(_) => false,
    };
    if !ok {
        cx.error(path, msg!("payment-url", value = value));
    }
}

/// Lints what a municipality's forms entry `form_use` at `path` says about payment, for the
/// catalog form `form` in a municipality with or without a platform.
pub(super) fn lint_form_payment(
    cx: &mut Linter,
    path: &str,
    form_use: &FormUse,
    form: &Form,
    has_platform: bool,
) {
    let Some(mode) = form_use.payment.filter(|m| *m != PaymentMode::None) else {
        return;
    };
    let at = child(path, "payment");
    if form.fees.is_empty() {
        cx.error(&at, msg!("payment-without-fees", id = &form.id));
    } else if !has_platform {
        let mode = if mode == PaymentMode::Required {
            "required"
        } else {
            "optional"
        };
        cx.error(&at, msg!("payment-without-platform", mode = mode));
    }
}

/// A catalog form's `payment` needs fees to pay.
pub(super) fn lint_catalog_payment(cx: &mut Linter, form: &Form) {
    if !form.payment.is_none() && form.fees.is_empty() {
        cx.error("payment", msg!("payment-without-fees", id = &form.id));
    }
}
