//! JSON Schema (2020-12) of a resolved form's `data`: the importer contract. Built from the same
//! model the function validates with. Conditions become `if`/`then`/`else`, so "required while
//! shown" and "must be empty while hidden" hold in the schema too. What JSON Schema cannot say
//! (IBAN and Steuer-ID checksums, dates relative to the day of submission) is named in
//! `x-formfabrik-*` keywords for the reader.

use serde_json::{Map, Value, json};

use crate::conditions::Shape;
use crate::model::{Bound, Condition, Field, FieldType};
use crate::resolve::ResolvedForm;
use crate::rules;
use crate::texts::text_in;
use crate::validate::{ADDRESS_PARTS, max_file_bytes};

/// The schema's `$id`.
pub fn schema_id(form: &ResolvedForm) -> String {
    format!(
        "urn:formfabrik:schema:{}:{}:v{}",
        form.municipality.id, form.form.id, form.form.version
    )
}

/// The JSON Schema of `data` in submissions of `form`.
pub fn json_schema(form: &ResolvedForm) -> Value {
    let lang = form.languages.first().map_or("de", String::as_str);
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut conditional = Vec::new();
    let kind = |id: &str| form.form.find(id).map(|f| f.kind);
    for step in &form.form.steps {
        for field in step.questions() {
            properties.insert(field.id.clone(), described(field, lang));
            let shown: Vec<&Condition> = [&step.show_if, &field.show_if]
                .into_iter()
                .flatten()
                .collect();
            conditions_of(
                field,
                &shown,
                &kind,
                &|_| true,
                &mut required,
                &mut conditional,
            );
        }
    }
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id(form),
        "title": text_in(&form.form.title, lang),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
        "x-formfabrik-form": { "id": form.form.id, "version": form.form.version, "sha256": form.sha256 },
    });
    if let Some(service) = &form.service {
        schema["x-formfabrik-form"]["service"] = json!(service);
    }
    if let Some(fim) = &form.form.fim {
        schema["x-fim-id"] = json!(fim.id);
        schema["x-fim-version"] = json!(fim.version);
    }
    if !conditional.is_empty() {
        schema["allOf"] = Value::Array(conditional);
    }
    schema
}

/// A field's schema with its label, hint and FIM origin.
fn described(field: &Field, lang: &str) -> Value {
    let mut schema = field_schema(field, lang);
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("title".into(), json!(text_in(&field.label, lang)));
        if let Some(hint) = &field.hint {
            obj.insert("description".into(), json!(text_in(hint, lang)));
        }
        if let Some(fim) = &field.fim {
            obj.insert("x-fim-id".into(), json!(fim.id));
            obj.insert("x-fim-version".into(), json!(fim.version));
        }
    }
    schema
}

fn string_with(extra: Value) -> Value {
    let mut s = json!({ "type": "string", "minLength": 1 });
    if let (Some(obj), Value::Object(more)) = (s.as_object_mut(), extra) {
        obj.extend(more);
    }
    s
}

fn field_schema(field: &Field, lang: &str) -> Value {
    let lengths = |mut v: Value| {
        if let Some(min) = field.min_length {
            v["minLength"] = json!(min.max(1));
        }
        if let Some(max) = field.max_length {
            v["maxLength"] = json!(max);
        }
        v
    };
    match field.kind {
        FieldType::Text | FieldType::Textarea => {
            let mut v = lengths(string_with(json!({})));
            if let Some(p) = &field.pattern {
                v["pattern"] = json!(format!("^(?:{p})$"));
            }
            v
        }
        FieldType::Tel => {
            let mut v = lengths(string_with(json!({ "pattern": rules::TEL_PATTERN })));
            if let Some(p) = &field.pattern {
                v["allOf"] = json!([{ "pattern": format!("^(?:{p})$") }]);
            }
            v
        }
        FieldType::Email => {
            let mut v = lengths(string_with(json!({ "format": "email" })));
            if field.max_length.is_none() {
                v["maxLength"] = json!(rules::EMAIL_MAX_LENGTH);
            }
            v
        }
        FieldType::Iban => string_with(json!({
            "pattern": rules::IBAN_PATTERN,
            "x-formfabrik-check": "iban-mod97",
        })),
        FieldType::Postcode => match field.area.as_ref().filter(|a| !a.postcodes.is_empty()) {
            // The municipality's postcodes (the area rule): only these are stored.
            Some(area) => string_with(json!({ "enum": area.postcodes })),
            None => string_with(json!({ "pattern": rules::POSTCODE_PATTERN })),
        },
        FieldType::TaxId => string_with(json!({
            "pattern": rules::TAX_ID_PATTERN,
            "x-formfabrik-check": "steuer-id-iso7064",
        })),
        FieldType::Date => {
            let mut v = string_with(json!({ "format": "date", "pattern": rules::DATE_PATTERN }));
            for (key, bound) in [
                ("x-formfabrik-min", &field.min),
                ("x-formfabrik-max", &field.max),
            ] {
                if let Some(Bound::Text(expr)) = bound {
                    v[key] = json!(expr);
                }
            }
            v
        }
        FieldType::Number => {
            let mut v = json!({ "type": "number" });
            if let Some(Bound::Number(n)) = field.min {
                v["minimum"] = json!(n);
            }
            if let Some(Bound::Number(n)) = field.max {
                v["maximum"] = json!(n);
            }
            if let Some(step) = field.step {
                if step == 1.0 && matches!(field.min, None | Some(Bound::Number(_))) {
                    v["type"] = json!("integer");
                } else {
                    v["multipleOf"] = json!(step);
                }
            }
            v
        }
        FieldType::Radios | FieldType::Select => json!({
            "type": "string",
            "enum": field.options.iter().map(|o| o.value.clone()).collect::<Vec<_>>(),
        }),
        FieldType::Checkboxes => {
            let mut v = json!({
                "type": "array",
                "items": { "enum": field.options.iter().map(|o| o.value.clone()).collect::<Vec<_>>() },
                "uniqueItems": true,
                "minItems": field.min_selected.unwrap_or(1).max(1),
            });
            if let Some(max) = field.max_selected {
                v["maxItems"] = json!(max);
            }
            v
        }
        FieldType::File => {
            let mut media = json!({ "type": "string" });
            if field.accept.iter().all(|a| !a.ends_with("/*")) {
                media["enum"] = json!(field.accept);
            } else {
                media["x-formfabrik-accept"] = json!(field.accept);
            }
            let mut size = json!({ "type": "integer", "minimum": 1 });
            if let Some(mb) = field.max_size_mb {
                size["maximum"] = json!(max_file_bytes(mb) as u64);
            }
            json!({
                "type": "object",
                "properties": {
                    "name": { "type": "string", "minLength": 1, "maxLength": 255 },
                    "type": media,
                    "size": size,
                    "sha256": { "type": "string", "pattern": "^[0-9a-fA-F]{64}$" },
                },
                // The function computes every file's sha256; an import checks the stored
                // bytes against it.
                "required": ["name", "type", "size", "sha256"],
                "additionalProperties": false,
            })
        }
        FieldType::Group => {
            let (mut required, mut conditional) = (Vec::new(), Vec::new());
            let kind = |id: &str| field.questions().find(|c| c.id == id).map(|c| c.kind);
            // Conditions of the entry's own questions are said in the entry's schema; one
            // that names a question outside the group only in `x-formfabrik-if`.
            let inside = |id: &str| field.questions().any(|c| c.id == id);
            for c in field.questions() {
                let shown: Vec<&Condition> = c.show_if.iter().collect();
                conditions_of(c, &shown, &kind, &inside, &mut required, &mut conditional);
            }
            let mut entry = json!({
                "type": "object",
                "properties": field.questions().map(|c| (c.id.clone(), described(c, lang))).collect::<Map<_, _>>(),
                "required": required,
                "additionalProperties": false,
                "minProperties": 1,
            });
            if !conditional.is_empty() {
                entry["allOf"] = Value::Array(conditional);
            }
            match field.repeat {
                None => entry,
                Some(repeat) => {
                    let mut list =
                        json!({ "type": "array", "items": entry, "minItems": repeat.min.max(1) });
                    if let Some(max) = repeat.max {
                        list["maxItems"] = json!(max);
                    }
                    list
                }
            }
        }
        // Never in a record (no answer); were it asked for, no value would fit.
        FieldType::TextBlock => json!(false),
        FieldType::Address => {
            let mut properties = Map::new();
            for part in &ADDRESS_PARTS {
                let mut s =
                    json!({ "type": "string", "minLength": 1, "maxLength": part.max_length });
                if part.postcode {
                    s["pattern"] = json!(rules::POSTCODE_PATTERN);
                }
                // The area rule: a street is stored as the municipality spells it.
                if let Some(area) = &field.area {
                    let listed = match part.key {
                        "postcode" => &area.postcodes,
                        "street" => &area.streets,
                        _ => &Vec::new(),
                    };
                    if !listed.is_empty() {
                        s["enum"] = json!(listed);
                    }
                }
                properties.insert(part.key.into(), s);
            }
            json!({
                "type": "object",
                "properties": properties,
                "required": ADDRESS_PARTS.iter().map(|p| p.key).collect::<Vec<_>>(),
                "additionalProperties": false,
            })
        }
    }
}

/// What a question's conditions demand: required (while shown, and while its `required-if`
/// holds), and empty while hidden. `shown` are the conditions it is shown under (its step's
/// and its own); a condition JSON Schema cannot say (a date test, a question outside the
/// object) is written as data in `x-formfabrik-if` / `x-formfabrik-then` for the reader.
fn conditions_of(
    field: &Field,
    shown: &[&Condition],
    kind: &dyn Fn(&str) -> Option<FieldType>,
    inside: &dyn Fn(&str) -> bool,
    required: &mut Vec<Value>,
    conditional: &mut Vec<Value>,
) {
    let id = &field.id;
    let field_required = crate::validate::is_required(field);
    let rule = |conds: &[&Condition], then: Option<Value>, otherwise: Option<Value>| {
        let mut rule = Map::new();
        let schemas: Option<Vec<Value>> = conds
            .iter()
            .map(|c| condition_schema(c, kind, inside))
            .collect();
        let (then_key, else_key) = match schemas {
            Some(mut schemas) => {
                let cond = if schemas.len() == 1 {
                    schemas.remove(0)
                } else {
                    json!({ "allOf": schemas })
                };
                rule.insert("if".into(), cond);
                ("then", "else")
            }
            None => {
                let cond = if conds.len() == 1 {
                    json!(conds[0])
                } else {
                    json!({ "all": conds })
                };
                rule.insert("x-formfabrik-if".into(), cond);
                ("x-formfabrik-then", "x-formfabrik-else")
            }
        };
        if let Some(then) = then {
            rule.insert(then_key.into(), then);
        }
        if let Some(otherwise) = otherwise {
            rule.insert(else_key.into(), otherwise);
        }
        Value::Object(rule)
    };
    let must = json!({ "required": [id] });
    if shown.is_empty() {
        if field_required {
            required.push(json!(id));
        }
    } else {
        conditional.push(rule(
            shown,
            field_required.then(|| must.clone()),
            Some(json!({ "not": { "required": [id] } })),
        ));
    }
    if let Some(r) = &field.required_if {
        let conds: Vec<&Condition> = shown.iter().copied().chain([r]).collect();
        conditional.push(rule(&conds, Some(must), None));
    }
}

/// A condition as a schema that the whole object matches exactly when it holds; `None` when
/// JSON Schema cannot say it (dates compared, or a question that is not a property here).
fn condition_schema(
    cond: &Condition,
    kind: &dyn Fn(&str) -> Option<FieldType>,
    inside: &dyn Fn(&str) -> bool,
) -> Option<Value> {
    let answered = |id: &String| inside(id).then(|| json!({ "required": [id] }));
    Some(match cond.shape() {
        Ok(Shape::Equals(field, value)) => {
            test_schema(kind, inside, field, json!({ "const": value }))?
        }
        Ok(Shape::In(field, values)) => {
            test_schema(kind, inside, field, json!({ "enum": values }))?
        }
        Ok(Shape::Date(..)) => return None,
        Ok(Shape::Answered(ids)) => {
            json!({ "anyOf": ids.iter().map(answered).collect::<Option<Vec<_>>>()? })
        }
        Ok(Shape::ExactlyOne(ids)) => {
            json!({ "oneOf": ids.iter().map(answered).collect::<Option<Vec<_>>>()? })
        }
        Ok(Shape::All(cs)) => json!({ "allOf": cs
            .iter()
            .map(|c| condition_schema(c, kind, inside))
            .collect::<Option<Vec<_>>>()? }),
        Ok(Shape::Any(cs)) => json!({ "anyOf": cs
            .iter()
            .map(|c| condition_schema(c, kind, inside))
            .collect::<Option<Vec<_>>>()? }),
        Ok(Shape::Not(c)) => json!({ "not": condition_schema(c, kind, inside)? }),
        Err(_) => json!(false),
    })
}

fn test_schema(
    kind: &dyn Fn(&str) -> Option<FieldType>,
    inside: &dyn Fn(&str) -> bool,
    field: &str,
    test: Value,
) -> Option<Value> {
    if !inside(field) {
        return None;
    }
    let value = if kind(field) == Some(FieldType::Checkboxes) {
        json!({ "contains": test })
    } else {
        test
    };
    Some(json!({ "properties": { field: value }, "required": [field] }))
}
