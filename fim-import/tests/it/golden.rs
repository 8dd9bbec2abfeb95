//! The import of each real schema, byte for byte: the catalog form's YAML and the import report
//! as `formfabrik import-fim` writes them sit in `tests/fixtures/golden/`, so any change to what
//! the importer writes shows in review. `FIM_GOLDEN_BLESS=1 cargo test -p fim-import --test it
//! golden::` rewrites them after a deliberate change.

use crate::common::*;

#[test]
fn the_yaml_and_the_report_of_each_real_schema_are_as_recorded() {
    let bless = std::env::var_os("FIM_GOLDEN_BLESS").is_some();
    let mut differs = Vec::new();
    for (dir, id) in REAL {
        let imported = import_fixture(dir, id);
        let outputs = [
            (format!("{dir}.yaml"), imported.yaml),
            (format!("{dir}.report.md"), imported.report.markdown()),
        ];
        for (name, got) in outputs {
            let path = fixtures().join("golden").join(&name);
            if bless {
                std::fs::write(&path, &got).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_default();
            if want != got {
                differs.push(name.clone());
                pretty_assertions::assert_eq!(want, got, "{}", path.display());
            }
        }
    }
    assert!(differs.is_empty(), "differs: {differs:?}");
}
