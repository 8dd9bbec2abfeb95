use std::collections::BTreeMap;

use serde::Deserialize;

use super::from_str;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Doc {
    id: String,
    #[serde(default)]
    label: BTreeMap<String, String>,
    #[serde(default)]
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Step {
    id: String,
    #[serde(default)]
    title: BTreeMap<String, String>,
}

#[test]
fn gives_what_serde_yaml_gives() {
    for text in [
        "id: a\nlabel: { de: A, en: B }\nsteps:\n  - id: s\n    title: { de: S }\n",
        "id: 01\nsteps: [{ id: 2 }]\n",
        "id: a\nsteps:\n  - id: s\n   title: x\n",
        "id: a\nunknown: 1\n",
    ] {
        let (ours, doubtful) = from_str::<Doc>(text);
        let theirs = serde_yaml::from_str::<Doc>(text);
        assert_eq!(
            format!("{ours:?}"),
            format!("{theirs:?}"),
            "{text}: {doubtful}"
        );
    }
}

#[test]
fn notices_a_key_written_twice_in_a_map_and_in_a_struct() {
    let (value, doubtful) =
        from_str::<Doc>("id: a\nsteps:\n  - id: s\n    title: { de: A, de: B }\n");
    assert!(value.is_ok() && doubtful);
    let (value, doubtful) = from_str::<Doc>("id: a\nid: b\n");
    assert!(value.is_err() && doubtful);
}

#[test]
fn a_file_without_repeated_keys_is_clean() {
    let (value, doubtful) = from_str::<Doc>(
        "id: a\nlabel: { de: A, en: A }\nsteps:\n  - { id: s, title: { de: S } }\n  - { id: t, title: { de: S } }\n",
    );
    assert!(value.is_ok());
    assert!(!doubtful);
}

#[test]
fn a_key_written_twice_in_a_long_mapping_is_noticed() {
    type Texts = std::collections::BTreeMap<String, String>;
    let keys: Vec<String> = (0..100).map(|i| format!("k{i}: v")).collect();
    let (value, doubtful) = from_str::<Texts>(&keys.join("\n"));
    assert_eq!(value.unwrap().len(), 100);
    assert!(!doubtful);
    let repeated = format!("{}\nk3: w\n", keys.join("\n"));
    let (value, doubtful) = from_str::<Texts>(&repeated);
    assert!(value.is_ok() && doubtful);
}
