//! The amount due: which of a form's fees apply to a submission's answers, how often, and
//! what they come to. One rule for the function (the record, the payment), the back office's
//! receipt and the page (site.js computes the same; generator's differential test compares).
//!
//! Amounts are whole cents: a fee's unit is its amount in euros rounded to the cent, an item
//! is the unit times the quantity rounded to the cent, the total the sum of the items.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::Date;

use crate::model::{Fee, Form};
use crate::validate::number::read_number;

/// What a submission's answers cost: the fees that apply, in the form's order, and the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountDue {
    pub items: Vec<FeeItem>,
    pub total_cents: i64,
}

/// One fee that applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeItem {
    /// The fee's id in the form.
    pub id: String,
    /// The option chosen, for a fee by choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    /// The answer the fee is multiplied by (`per`): a number, or a list's entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    pub unit_cents: i64,
    pub cents: i64,
}

impl AmountDue {
    /// Whether nothing is due (no fee applies, or every one that does is free).
    pub fn is_nothing(&self) -> bool {
        self.total_cents == 0
    }
}

/// The fees `form` charges for `answers` (validated data, or the answers of a post being shown
/// again: a number may then still be a string), judging conditions on `today`.
///
/// A fee applies while its `show-if` holds; a fee by choice only when an option with an amount
/// is chosen; a fee with `per` only when its answer is a number above zero or a non-empty list.
pub fn amount_due(form: &Form, answers: &Map<String, Value>, today: Date) -> AmountDue {
    let items: Vec<FeeItem> = form
        .fees
        .iter()
        .filter_map(|fee| item(fee, answers, today))
        .collect();
    AmountDue {
        total_cents: items.iter().map(|i| i.cents).sum(),
        items,
    }
}

fn item(fee: &Fee, answers: &Map<String, Value>, today: Date) -> Option<FeeItem> {
    if let Some(cond) = &fee.show_if
        && !cond.holds(answers, today)
    {
        return None;
    }
    let (amount, choice) = match (&fee.by_choice, fee.amount_eur) {
        (Some(by), _) => {
            let chosen = answers.get(&by.field)?.as_str()?;
            (*by.amounts_eur.get(chosen)?, Some(chosen.to_string()))
        }
        (None, Some(amount)) => (amount, None),
        (None, None) => return None,
    };
    let quantity = match &fee.per {
        None => None,
        Some(per) => Some(match answers.get(per)? {
            Value::Array(entries) => entries.len() as f64,
            value => read_number(value).ok()?,
        })
        .filter(|q| *q > 0.0),
    };
    if fee.per.is_some() && quantity.is_none() {
        return None;
    }
    let unit_cents = cents(amount);
    Some(FeeItem {
        id: fee.id.clone(),
        choice,
        quantity,
        unit_cents,
        cents: (unit_cents as f64 * quantity.unwrap_or(1.0)).round() as i64,
    })
}

/// An amount in euros as whole cents.
pub fn cents(euros: f64) -> i64 {
    (euros * 100.0).round() as i64
}
