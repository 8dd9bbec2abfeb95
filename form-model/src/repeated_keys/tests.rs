use std::collections::BTreeMap;

use serde::Deserialize;

use super::{from_str, from_str_noting};
use crate::positions::{PositionIndex, borrowed_scalars};

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

/// A municipality file's form list, as far as the noting goes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Uses {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    other: Option<serde_yaml::Value>,
    forms: Vec<Use>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Use {
    #[serde(rename = "use")]
    form: String,
    #[serde(default)]
    overlay: Option<String>,
}

use super::Step as PathStep;

const USES: &[PathStep] = &[PathStep::Key("forms"), PathStep::Item, PathStep::Key("use")];

/// The positions noted for `text`, each checked against the position index.
fn noted_and_checked(text: &str) -> Vec<String> {
    let (value, doubtful, found) = from_str_noting::<Uses>(text, USES);
    let value = value.unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert!(!doubtful, "{text:?}");
    assert!(value.id.is_some() || value.other.is_some() || !value.forms.is_empty());
    assert!(
        value
            .forms
            .iter()
            .all(|f| f.overlay.is_none() || !f.form.is_empty())
    );
    let index = PositionIndex::build(text);
    borrowed_scalars(text, found)
        .into_iter()
        .map(|(path, pos)| {
            assert_eq!(Some(pos), index.value(&path), "{text:?} {path}");
            path
        })
        .collect()
}

#[test]
fn noted_use_positions_are_the_position_index_s_in_block_flow_and_quoted_style() {
    for (text, noted) in [
        (
            "id: a\nforms:\n  - use: hund@1\n  - use: 'sperr@2'\n  - use: \"waffen@1\"\n",
            3,
        ),
        (
            "forms: [{use: a@1}, { use: 'b@2' }, {\"use\":\"c@3\"}, {use:  \"\"}]\n",
            4,
        ),
        ("forms:\n  - { overlay: x.yaml, use: a@1 }\n", 1),
        ("forms:\n  - overlay: o.yaml\n    use: a@1 # Kommentar\n", 1),
        ("forms:\n  - ? use\n    : a@1\n", 1),
        (
            "id: \"Müßigheim – ä 𝔘\" # ö\nforms:\n-   use:    ä@1\n- use: 'ö: \" x'\n",
            2,
        ),
        ("forms:\r\n  - use: a@1\r\n  - use: 'b@2'\r\n", 2),
        ("---\nforms:\n- use: a@1\n...\n", 1),
        ("id: Bau- & Umwelt\nforms:\n  - use: a@1\n", 1),
    ] {
        assert_eq!(noted_and_checked(text).len(), noted, "{text:?}");
    }
}

#[test]
fn a_use_whose_place_is_not_certain_is_left_to_the_position_index() {
    for text in [
        // An alias hands over the anchored scalar; a tag or anchor starts the node earlier.
        "other: &f [{use: a@1}]\nforms: *f\n",
        "other: &u a@1\nforms:\n  - use: *u\n",
        "forms:\n  - use: &u a@1\n",
        "forms:\n  - use: !!str a@1\n",
        // Escapes and folded lines: not a slice of the text.
        "forms:\n  - use: \"a\\u0040 1\"\n",
        "forms:\n  - use: 'it''s@1'\n",
        "forms:\n  - use: a\n      b@1\n",
        // Tabs and lone carriage returns the two parsers count differently.
        "forms:\n  - use:\ta@1\n",
        "id: a\rforms:\n  - use: a@1\n",
        "\u{feff}forms:\n  - use: a@1\n",
    ] {
        assert_eq!(noted_and_checked(text), Vec::<String>::new(), "{text:?}");
    }
}
