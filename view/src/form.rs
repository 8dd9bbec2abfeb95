//! The body of a form page: its steps (each a section without JavaScript, a wizard page with
//! it) with their questions (the fee table is `fees`).

use serde::Serialize;

use form_model::model::{Form, Step};
use form_model::texts::text_in;

use crate::conditions::describe;
use crate::field::{FieldView, field_view};
use crate::markdown;

/// A step: a section without JavaScript, a wizard page with it.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    pub id: String,
    pub section_id: String,
    pub heading_id: String,
    pub number: usize,
    pub title: String,
    pub intro_html: Option<String>,
    pub condition_text: Option<String>,
    pub fields: Vec<FieldView>,
}

fn step_id(step: &str) -> String {
    format!("s-{step}")
}

/// All steps of a form in `lang`.
pub fn steps(form: &Form, lang: &str, t: &dyn Fn(&str) -> String) -> Vec<StepView> {
    form.steps
        .iter()
        .enumerate()
        .map(|(i, step)| step_view(form, step, i + 1, lang, t))
        .collect()
}

fn step_view(
    form: &Form,
    step: &Step,
    number: usize,
    lang: &str,
    t: &dyn Fn(&str) -> String,
) -> StepView {
    let sid = step_id(&step.id);
    StepView {
        id: step.id.clone(),
        heading_id: format!("{sid}-heading"),
        section_id: sid,
        number,
        title: text_in(&step.title, lang),
        intro_html: step
            .intro
            .as_ref()
            .map(|i| markdown::to_html(&text_in(i, lang), 2)),
        condition_text: step.show_if.as_ref().map(|c| {
            format!(
                "{} {}.",
                t("only-fill-section-if"),
                describe(form, c, lang, false)
            )
        }),
        fields: step
            .fields
            .iter()
            .map(|f| field_view(form, f, lang, step.show_if.is_none(), t))
            .collect(),
    }
}
