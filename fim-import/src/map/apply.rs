//! The edits a converted rule makes, applied to the form: a condition joined with one the
//! element already has (`all` for `show-if`, `any` for `required-if`), `required: true`
//! replacing a `required-if`, and written as people write conditions (`in: [...]`).

use form_model::model::{Condition, Form};

use super::convert::Edit;
use super::logic::{all_of, answered, any_of, norm, pretty};

/// Applies `edit` to `form`; an error names an element that is not there.
pub(super) fn apply(form: &mut Form, edit: &Edit) -> Result<(), String> {
    match edit {
        Edit::StepShowIf(s, c) => {
            let step = form
                .steps
                .iter_mut()
                .find(|st| &st.id == s)
                .ok_or_else(|| format!("step `{s}` is not in the form"))?;
            step.show_if = Some(join(step.show_if.take(), c, false));
        }
        Edit::ShowIf(q, c) => {
            let (f, _) = find(form, q)?;
            f.show_if = Some(join(f.show_if.take(), c, false));
        }
        Edit::Require(q) => {
            let (f, _) = find(form, q)?;
            f.required = true;
            f.required_if = None;
        }
        Edit::MaxSelected(q, n) => {
            let (f, _) = find(form, q)?;
            f.max_selected = Some(*n);
        }
        Edit::RequireIf(q, c) => {
            let (f, group) = find(form, q)?;
            if f.required {
                let Some((siblings, false)) = group else {
                    // Required anyway.
                    return Ok(());
                };
                // `required: true` in a group that is not required means "once the group is
                // answered"; with the rule's condition that is a `required-if` of both.
                f.required = false;
                f.required_if = Some(join(Some(answered(siblings)), c, true));
            } else {
                f.required_if = Some(join(f.required_if.take(), c, true));
            }
        }
    }
    Ok(())
}

/// `old` and `new` joined with `any` or `all`.
fn join(old: Option<Condition>, new: &Condition, any: bool) -> Condition {
    let joined = match old {
        None => new.clone(),
        Some(o) if any => norm(&any_of(vec![o, new.clone()])),
        Some(o) => norm(&all_of(vec![o, new.clone()])),
    };
    pretty(&joined)
}

/// The questions of a group and whether the group is required.
type Around = Option<(Vec<String>, bool)>;

/// The question `id`, with its group's questions and whether the group is required when it
/// sits in one.
fn find<'f>(form: &'f mut Form, id: &str) -> Result<(&'f mut form_model::Field, Around), String> {
    for step in &mut form.steps {
        for f in &mut step.fields {
            if f.id == id {
                return Ok((f, None));
            }
            if f.fields.iter().any(|c| c.id == id) {
                let siblings = f.questions().map(|c| c.id.clone()).collect();
                let required = f.required || f.repeat.is_some_and(|r| r.min > 0);
                let inner = f.fields.iter_mut().find(|c| c.id == id).expect("found");
                return Ok((inner, Some((siblings, required))));
            }
        }
    }
    Err(format!("`{id}` is not in the form"))
}
