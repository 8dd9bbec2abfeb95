//! The lint of a form's fees: unique slug ids, an amount (`amount-eur`) or amounts by the
//! option chosen (`by-choice`, exactly one of the two), never negative, what a fee is
//! multiplied by (`per`), and its condition (`show-if`, over the form's questions).

use std::collections::BTreeSet;

use crate::diagnostics::suggestion;
use crate::model::{Fee, FeeOverride, Field, FieldType, Form};
use crate::msg;
use crate::positions::{child, item};

use super::condition::{Ids, lint_condition};
use super::linter::{Linter, slug};

/// Whether `amount` can be charged: a finite amount, not below zero.
pub(super) fn amount_ok(amount: f64) -> bool {
    amount >= 0.0 && amount.is_finite()
}

/// Lints every fee of `form`; `tops` are its top-level questions (what a fee may name).
pub(super) fn lint_fees(cx: &mut Linter, form: &Form, tops: &[&Field], all_ids: &Ids) {
    let mut fee_ids = BTreeSet::new();
    for (i, fee) in form.fees.iter().enumerate() {
        let p = item("fees", i);
        slug(cx, &child(&p, "id"), &fee.id, msg!("id-fee"));
        if !fee_ids.insert(&fee.id) {
            cx.error(&child(&p, "id"), msg!("fee-id-twice", id = &fee.id));
        }
        lint_amount(cx, fee, &p, tops);
        if let Some(per) = &fee.per {
            match tops.iter().find(|f| &f.id == per) {
                None => {
                    let hint = suggestion(per, tops.iter().map(|f| f.id.as_str()));
                    cx.error(
                        &child(&p, "per"),
                        msg!("unknown-field-in", id = per, key = "per", hint = hint),
                    );
                }
                Some(f)
                    if f.kind != FieldType::Number
                        && !(f.kind == FieldType::Group && f.repeat.is_some()) =>
                {
                    cx.error(
                        &child(&p, "per"),
                        msg!("fee-per-wrong-type", id = per, kind = f.kind.name()),
                    )
                }
                Some(_) => {}
            }
        }
        if let Some(cond) = &fee.show_if {
            lint_condition(cx, cond, &child(&p, "show-if"), tops, all_ids);
        }
    }
}

/// `amount-eur` or `by-choice`, and for `by-choice` a radios or select question whose options
/// the amounts are written for.
fn lint_amount(cx: &mut Linter, fee: &Fee, p: &str, tops: &[&Field]) {
    let choice = match (&fee.amount_eur, &fee.by_choice) {
        (Some(amount), None) => {
            if !amount_ok(*amount) {
                cx.error(&child(p, "amount-eur"), msg!("fee-negative"));
            }
            return;
        }
        (None, Some(choice)) => choice,
        (Some(_), Some(_)) => {
            return cx.error(&child(p, "by-choice"), msg!("fee-amount-and-choice"));
        }
        (None, None) => return cx.error(&child(p, "id"), msg!("fee-without-amount")),
    };
    let cp = child(p, "by-choice");
    let amounts = child(&cp, "amounts-eur");
    for (value, amount) in &choice.amounts_eur {
        if !amount_ok(*amount) {
            cx.error(&child(&amounts, value), msg!("fee-negative"));
        }
    }
    let Some(field) = tops.iter().find(|f| f.id == choice.field) else {
        let hint = suggestion(&choice.field, tops.iter().map(|f| f.id.as_str()));
        let key = "by-choice";
        let id = &choice.field;
        return cx.error(
            &child(&cp, "field"),
            msg!("unknown-field-in", id = id, key = key, hint = hint),
        );
    };
    if !matches!(field.kind, FieldType::Radios | FieldType::Select) {
        let kind = field.kind.name();
        return cx.error(
            &child(&cp, "field"),
            msg!("fee-choice-wrong-type", id = &field.id, kind = kind),
        );
    }
    if choice.amounts_eur.is_empty() {
        cx.error(&amounts, msg!("fee-choice-no-amounts"));
    }
    for value in choice.amounts_eur.keys() {
        if !field.options.iter().any(|o| &o.value == value) {
            let hint = suggestion(value, field.options.iter().map(|o| o.value.as_str()));
            cx.error(
                &child(&amounts, value),
                msg!(
                    "fee-choice-unknown-option",
                    id = &field.id,
                    value = value,
                    hint = hint
                ),
            );
        }
    }
}

/// A municipality's `fees` entry changes what the catalog fee has: `amount-eur` for a fee with
/// one amount, `amounts-eur` (of options the catalog prices) for a fee by choice.
pub(super) fn lint_override(cx: &mut Linter, p: &str, target: &Fee, own: &FeeOverride) {
    match &target.by_choice {
        None if !own.amounts_eur.is_empty() => cx.error(
            &child(p, "amounts-eur"),
            msg!("fee-override-not-by-choice", fee = &target.id),
        ),
        Some(_) if own.amount_eur.is_some() => cx.error(
            &child(p, "amount-eur"),
            msg!("fee-override-by-choice", fee = &target.id),
        ),
        Some(choice) => {
            for value in own.amounts_eur.keys() {
                if !choice.amounts_eur.contains_key(value) {
                    let hint = suggestion(value, choice.amounts_eur.keys().map(String::as_str));
                    let id = &choice.field;
                    cx.error(
                        &child(&child(p, "amounts-eur"), value),
                        msg!(
                            "fee-choice-unknown-option",
                            id = id,
                            value = value,
                            hint = hint
                        ),
                    );
                }
            }
        }
        None => {}
    }
}
