//! What a build writes besides the sites: per published form the importer contract (its JSON
//! Schema and the CSV columns of `formfabrik inbox export`), and for the function its registry
//! and the bucket's lifecycle rules.

use std::path::Path;

use form_model::CheckReport;
use form_model::registry::Registry;
use form_model::resolve::ResolvedForm;

use super::{BuildError, BuildOptions, Put};

/// Writes the JSON Schema and CSV column spec of `form` below `out_dir` with `put`.
pub fn write_contract(
    out_dir: &Path,
    form: &ResolvedForm,
    put: &mut Put<'_>,
) -> Result<(), BuildError> {
    let path = out_dir.join(format!(
        "schemas/{}/{}/v{}.schema.json",
        form.municipality.id, form.form.id, form.form.version
    ));
    let schema_value = form_model::schema::json_schema(form);
    let schema = serde_json::to_string_pretty(&schema_value).expect("schemas serialize");
    put(path.clone(), schema.as_bytes())?;
    // The CSV column spec of `formfabrik inbox export` (docs/backoffice.md).
    let columns = inbox::export::column_spec(&schema_value);
    put(
        path.with_extension("").with_extension("csv-columns.json"),
        (serde_json::to_string_pretty(&columns).expect("JSON serializes") + "\n").as_bytes(),
    )
}

/// Writes `function/registry.json` and `function/lifecycle.json` with `put`.
pub fn write_function(
    opts: &BuildOptions,
    report: &CheckReport,
    put: &mut Put<'_>,
) -> Result<(), BuildError> {
    let registry = Registry::build(report, |m| match &opts.local_base {
        Some(base) => format!("{}/{}", base.trim_end_matches('/'), m.id),
        None => m.site_origin.clone(),
    });
    put(
        opts.out_dir.join("function/registry.json"),
        registry.to_json().as_bytes(),
    )?;
    // Retention as code: the bucket's lifecycle rules, the same the SAM template has.
    let lifecycle = submit_fn::lifecycle::configuration(
        &registry,
        submit_fn::lifecycle::DEFAULT_STORAGE_PREFIX,
    );
    put(
        opts.out_dir.join("function/lifecycle.json"),
        (serde_json::to_string_pretty(&lifecycle).expect("JSON serializes") + "\n").as_bytes(),
    )
}
