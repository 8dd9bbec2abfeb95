//! A form page for a citizen signed in with BundID (docs/identity.md), as the function answers
//! it without JavaScript: who is signed in (instead of the sign-in link), and the answers the
//! account gave that the form locks (a required level) shown as text with their label — not as
//! inputs, which could be changed, nor as disabled inputs, which screen readers skip and forms
//! do not send — and sent as hidden inputs. The page script does the same with JavaScript.

use form_model::validate::fmt_date;
use serde_json::{Value, json};

use crate::form::StepView;

/// Who is signed in, and which questions the account's answers lock.
#[derive(Debug, Clone, Copy)]
pub struct Account<'a> {
    /// The name the page shows ("Angemeldet als {name}").
    pub name: &'a str,
    /// The ids of the locked questions (their answers are already in the filled-in page).
    pub locked: &'a [String],
    /// The ids of the questions whose answer is the resident registry's (after a look-up).
    pub from_registry: &'a [String],
    /// What the registry look-up answered, shown in the look-up box (`None`: not asked).
    pub registry_message: Option<&'a str>,
}

/// Marks the locked questions of `steps` (already filled in) with the answer as text.
pub fn lock(steps: &mut [StepView], account: &Account, lang: &str) {
    for step in steps {
        for view in &mut step.fields {
            if account.locked.contains(&view.id) {
                view.locked = Some(shown(view, lang));
                view.locked_from_registry = account.from_registry.contains(&view.id);
            }
        }
    }
}

/// A locked answer as text: an address as a German address line (`Lindenweg 4a, 35399
/// Musterstadt`), a date as the language writes it, others as they are.
fn shown(view: &crate::field::FieldView, lang: &str) -> String {
    match view.component {
        "address" => {
            let part = |k: &str| {
                view.parts
                    .iter()
                    .find(|p| p.key == k)
                    .map_or("", |p| p.value.as_str())
            };
            let street = format!("{} {}", part("street"), part("house-number"));
            let town = format!("{} {}", part("postcode"), part("city"));
            [street.trim(), town.trim()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        }
        "date" => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(&view.value, format)
                .map(|d| fmt_date(d, lang))
                .unwrap_or_else(|_| view.value.clone())
        }
        _ => view.value.clone(),
    }
}

/// The template's data of the signed-in box.
pub fn signed_in(account: &Account) -> Value {
    json!({ "name": account.name, "registry_message": account.registry_message })
}
