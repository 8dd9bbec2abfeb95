//! Rendering the examples kept next to each component (`site-templates/components/<name>/
//! examples.yaml`). Field components are described in the form language and rendered through
//! the same view model as real pages; the others take their macro arguments directly.

use std::fs;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;
use tera::Context;

use form_model::model::{Field, Form, Step};

use crate::field::{field_view, set_error};
use crate::theme::{Theme, ViewError, file_error};

/// One example of a component.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Example {
    pub name: String,
    /// For field components: the field, in the form language.
    #[serde(default)]
    pub field: Option<Field>,
    /// Fields asked before it (for conditions).
    #[serde(default)]
    pub form_fields: Vec<Field>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    /// For other components: the macro's arguments.
    #[serde(default)]
    pub args: Option<serde_json::Map<String, Value>>,
}

/// The examples of component `name`.
pub fn examples(templates: &Path, name: &str) -> Result<Vec<Example>, ViewError> {
    let path = templates
        .join("components")
        .join(name)
        .join("examples.yaml");
    let text = fs::read_to_string(&path).map_err(|e| file_error(&path, e))?;
    serde_yaml::from_str(&text).map_err(|e| file_error(&path, e))
}

/// Renders one example of component `name` in `lang`.
pub fn render(
    theme: &Theme,
    name: &str,
    example: &Example,
    lang: &str,
) -> Result<String, ViewError> {
    let strings = theme.strings_in(lang)?;
    let template = format!("components/{name}/template.html");
    let source = theme
        .tera()?
        .get_template(&template)
        .map_err(|e| ViewError::Template(e.to_string()))?;
    let mut context = Context::new();
    context.insert("t", &strings);
    let call = if let Some(field) = &example.field {
        let mut fields = example.form_fields.clone();
        fields.push(field.clone());
        let form = example_form(fields);
        let t = |k: &str| strings.get(k).cloned().unwrap_or_default();
        let mut f = field_view(&form, field, lang, true, &t);
        set_error(&mut f, example.error.clone());
        if let Some(v) = &example.value {
            f.value = v.clone();
            for o in &mut f.options {
                o.checked = &o.value == v;
            }
        }
        context.insert("f", &f);
        if source.macros.contains_key("open") {
            "{{ c::open(f=f, t=t) }}<p>…</p>{{ c::close() }}".to_string()
        } else {
            "{{ c::render(f=f, t=t) }}".to_string()
        }
    } else {
        let args = example.args.clone().unwrap_or_default();
        let params = &source.macros["render"].args;
        let mut list = Vec::new();
        for (key, value) in &args {
            context.insert(key, value);
            list.push(format!("{key}={key}"));
        }
        if params.contains_key("t") {
            list.push("t=t".into());
        }
        format!("{{{{ c::render({}) }}}}", list.join(", "))
    };
    let mut tera = theme.tera()?.clone();
    let input = format!("{{% import \"{template}\" as c %}}{call}");
    tera.render_str(&input, &context)
        .map_err(|e| ViewError::Template(format!("{name} / {}: {e:?}", example.name)))
}

fn example_form(fields: Vec<Field>) -> Form {
    let text = |s: &str| [("de".to_string(), s.to_string())].into_iter().collect();
    Form {
        id: "beispiel".into(),
        version: 1,
        leika: None,
        title: text("Beispiel"),
        intro: None,
        purpose: text("Beispiel"),
        legal_basis: text("Beispiel"),
        recipients: None,
        retention_days: 1,
        records: None,
        steps: vec![Step {
            id: "schritt".into(),
            title: text("Schritt"),
            intro: None,
            show_if: None,
            fields,
        }],
        fees: vec![],
        payment: Default::default(),
        identity: Default::default(),
        prefill: Default::default(),
        sepa_mandate: None,
        fim: None,
    }
}
