//! The fees on a form page: the table of what the form charges (amounts, amounts by option,
//! multipliers, conditions), the amount due for the answers given (filled in by the page
//! script on the check-your-answers step, by the function in a page shown again without
//! JavaScript), and the fees in the script's data. Amounts are written by `messages::euros`.

use serde::Serialize;
use serde_json::{Value, json};

use form_model::fees::{AmountDue, cents};
use form_model::messages::{euros, euros_from_cents, fill};
use form_model::model::{Form, PaymentMode};
use form_model::texts::text_in;

use crate::conditions::describe;
use crate::markdown;

/// A fee line of the table.
#[derive(Debug, Clone, Serialize)]
pub struct FeeView {
    pub label: String,
    /// The one amount; `None` for a fee by choice.
    pub amount: Option<String>,
    /// A fee by choice: each priced option and its amount.
    pub choices: Vec<ChoiceAmount>,
    pub per: Option<String>,
    /// "Applies only if …" for a fee under a condition.
    pub condition_text: Option<String>,
    pub hint_html: Option<String>,
}

/// An option of a fee by choice and what it costs.
#[derive(Debug, Clone, Serialize)]
pub struct ChoiceAmount {
    pub label: String,
    pub amount: String,
}

/// One line of the amount due.
#[derive(Debug, Clone, Serialize)]
pub struct DueLine {
    pub label: String,
    pub amount: String,
}

/// The amount due for the answers given, in `lang`.
#[derive(Debug, Clone, Serialize)]
pub struct DueView {
    pub lines: Vec<DueLine>,
    pub total: String,
}

/// The label of option `value` of question `field`, in `lang` (the value when unknown).
pub(crate) fn option_label(form: &Form, field: &str, value: &str, lang: &str) -> String {
    form.top_level_field(field)
        .and_then(|f| f.options.iter().find(|o| o.value == value))
        .map_or_else(|| value.to_string(), |o| text_in(&o.label, lang))
}

/// The fee table's lines in `lang`.
pub fn table(form: &Form, lang: &str, t: &dyn Fn(&str) -> String) -> Vec<FeeView> {
    form.fees
        .iter()
        .map(|fee| FeeView {
            label: text_in(&fee.label, lang),
            amount: fee.amount_eur.map(|a| euros(a, lang)),
            choices: fee
                .by_choice
                .iter()
                .flat_map(|c| {
                    c.amounts_eur.iter().map(|(value, amount)| ChoiceAmount {
                        label: option_label(form, &c.field, value, lang),
                        amount: euros(*amount, lang),
                    })
                })
                .collect(),
            per: fee
                .per
                .as_ref()
                .and_then(|p| form.top_level_field(p))
                .map(|f| text_in(&f.label, lang)),
            condition_text: fee.show_if.as_ref().map(|c| {
                format!(
                    "{} {}.",
                    t("only-applies-if"),
                    describe(form, c, lang, false)
                )
            }),
            hint_html: fee
                .hint
                .as_ref()
                .map(|h| markdown::inline(&text_in(h, lang))),
        })
        .collect()
}

/// The amount due in `lang`: each fee that applies (with the option chosen), and the total.
pub fn due(form: &Form, due: &AmountDue, lang: &str) -> DueView {
    let lines = due
        .items
        .iter()
        .filter_map(|item| {
            let fee = form.fees.iter().find(|f| f.id == item.id)?;
            let mut label = text_in(&fee.label, lang);
            if let (Some(by), Some(value)) = (&fee.by_choice, &item.choice) {
                label = format!("{label} ({})", option_label(form, &by.field, value, lang));
            }
            Some(DueLine {
                label,
                amount: euros_from_cents(item.cents, lang),
            })
        })
        .collect();
    DueView {
        lines,
        total: euros_from_cents(due.total_cents, lang),
    }
}

/// What a form page says before sending when the form's fees are paid online (`payment` as
/// resolved for the municipality, docs/payment.md). `required` (`pay-notice`): that sending
/// leads to the payment page of `municipality`, what is paid, that the authority receives the
/// application only once it is paid, and that the citizen comes back here. `optional`
/// (`pay-choice`): that the citizen may pay that on the payment page after sending or send
/// without paying online and get a fee notice; the page then has two send buttons
/// (`_payment`: `notice`, `online`). The amount is `due` (a page shown again), else the fixed
/// fees' sum, else the fees shown. `None` where nothing is paid online before the application
/// is passed on: mode `none`, no fees, or answers that cost nothing.
pub fn pay_notice(
    form: &Form,
    due: Option<&AmountDue>,
    municipality: &str,
    lang: &str,
    t: &dyn Fn(&str) -> String,
) -> Option<String> {
    let key = match form.payment {
        PaymentMode::Required => "pay-notice",
        PaymentMode::Optional => "pay-choice",
        PaymentMode::None => return None,
    };
    if form.fees.is_empty() {
        return None;
    }
    let amount = match due {
        Some(due) if due.is_nothing() => return None,
        Some(due) => euros_from_cents(due.total_cents, lang),
        None if form.fees.iter().any(|f| f.depends_on_answers()) => t("pay-amount-shown"),
        None => euros_from_cents(
            form.fees
                .iter()
                .filter_map(|f| f.amount_eur)
                .map(cents)
                .sum(),
            lang,
        ),
    };
    Some(fill(
        &t(key),
        &[("municipality", municipality), ("amount", &amount)],
    ))
}

/// The fees in the page script's data: the same facts form-model's `amount_due` reads, amounts
/// in cents, labels in `lang`; and how `messages::euros` writes money in `lang`
/// ([`money_format`]). `None` for a form whose fees do not depend on the answers (or that has
/// none): its page shows no amount due, so its script reads no fees.
pub fn script_fees(form: &Form, lang: &str) -> Option<(Value, Value)> {
    if !form.fees.iter().any(|f| f.depends_on_answers()) {
        return None;
    }
    let fees = form
        .fees
        .iter()
        .map(|fee| {
            let mut v = json!({ "id": fee.id, "label": text_in(&fee.label, lang) });
            if let Some(a) = fee.amount_eur {
                v["cents"] = json!(cents(a));
            }
            if let Some(by) = &fee.by_choice {
                let amounts: serde_json::Map<String, Value> = by
                    .amounts_eur
                    .iter()
                    .map(|(k, a)| (k.clone(), json!(cents(*a))))
                    .collect();
                v["choice"] = json!({ "field": by.field, "cents": amounts });
            }
            if let Some(per) = &fee.per {
                v["per"] = json!(per);
            }
            if let Some(c) = &fee.show_if {
                v["show-if"] = json!(c);
            }
            v
        })
        .collect();
    Some((Value::Array(fees), money_format(lang)))
}

/// How `messages::euros` writes an amount in `lang`, read off its own output so the script
/// writes money the same way without a second definition: what comes before and after the
/// digits, the thousands separator and the decimal mark.
pub fn money_format(lang: &str) -> Value {
    // 1234567,89 € has every part: a sign-free amount with two groups and a decimal part.
    let sample = euros_from_cents(123_456_789, lang);
    let first = sample.find('1').unwrap_or(0);
    let last = sample.rfind('9').map_or(sample.len(), |i| i + 1);
    let digits = &sample[first..last];
    let group = digits[1..].chars().next().filter(|c| !c.is_ascii_digit());
    let decimal = digits[..digits.len() - 2]
        .chars()
        .last()
        .filter(|c| !c.is_ascii_digit());
    json!({
        "prefix": &sample[..first],
        "suffix": &sample[last..],
        "group": group.map(String::from).unwrap_or_default(),
        "decimal": decimal.map(String::from).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_money_format_is_read_off_euros_in_each_language() {
        assert_eq!(
            money_format("de"),
            json!({ "prefix": "", "suffix": "\u{a0}€", "group": ".", "decimal": "," })
        );
        assert_eq!(
            money_format("en"),
            json!({ "prefix": "€", "suffix": "", "group": ",", "decimal": "." })
        );
    }
}
