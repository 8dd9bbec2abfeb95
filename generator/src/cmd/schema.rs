//! `formfabrik schema`: write the form language's JSON Schemas (catalog form, overlay,
//! municipality.yaml) for editors; the YAML files under forms/ point at them.

use std::path::PathBuf;
use std::process::ExitCode;

// (No doc comment: the subcommand's help is the one on `Command::Schema`.)
#[derive(clap::Args)]
pub struct Args {
    /// The folder to write the schema files into.
    #[arg(long, default_value = "forms/schema")]
    pub out: PathBuf,
}

/// Writes one `<name>.schema.json` per kind of file.
pub fn run(args: Args) -> ExitCode {
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("cannot create {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    for s in form_model::language_schema::language_schemas() {
        let path = args.out.join(s.file);
        let text = serde_json::to_string_pretty(&s.schema).expect("a schema is JSON") + "\n";
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {} ({})", path.display(), s.title);
    }
    ExitCode::SUCCESS
}
