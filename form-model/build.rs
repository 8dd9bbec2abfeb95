//! The message files (`messages/*.yaml`, see `src/messages`) compiled in as JSON: written in
//! YAML for the people who translate them, read in JSON, which parses about ten times faster
//! than YAML. The function's first answer reads several of them (its refusals, the site's
//! frame texts, the validation messages) and waits for their parsing on a cold start. A file
//! that is not YAML of the messages' shape stops the build, naming the file.

use std::collections::BTreeMap;
use std::path::Path;

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let dir = Path::new("messages");
    println!("cargo::rerun-if-changed=messages");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("form-model/messages")
        .map(|e| e.expect("form-model/messages").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let source = std::fs::read_to_string(&path).expect("a message file");
        // Key → language → text or plural forms (`src/messages`' `Table`); anything else is
        // an error here rather than a panic at run time.
        let table: BTreeMap<String, BTreeMap<String, serde_json::Value>> =
            serde_yaml::from_str(&source)
                .unwrap_or_else(|e| panic!("form-model/{}: {e}", path.display()));
        let name = path.file_name().expect("a file name").to_string_lossy();
        let json = serde_json::to_string(&table).expect("JSON of a table");
        std::fs::write(Path::new(&out).join(format!("{name}.json")), json)
            .expect("writing into OUT_DIR");
    }
}
