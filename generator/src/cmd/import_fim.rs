//! `formfabrik import-fim`: a FIM Stammdatenschema as a catalog form, with the import report.

use std::path::PathBuf;
use std::process::ExitCode;

use form_model::msg;

// (No doc comment: the subcommand's help is the one on `Command::ImportFim`.)
#[derive(clap::Args)]
pub struct Args {
    /// The schema file (xdatenfelder.stammdatenschema.0102, .datenfeldgruppe.0103 or
    /// .datenfeld.0104).
    pub schema: PathBuf,
    /// Folder with the genericode code lists (default: the schema's folder).
    #[arg(long)]
    pub codelists: Option<PathBuf>,
    /// Where to write the form (default: forms/catalog/<id>.yaml).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The form id (default: from the schema's name).
    #[arg(long)]
    pub id: Option<String>,
    /// Also write the report as Markdown to this file.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Overwrite an existing form file (a re-import loses what was written by hand).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub lang: super::Lang,
}

/// Imports, prints the report, and writes the form only if it passes the check and does not
/// overwrite a form by accident.
pub fn run(args: Args) -> ExitCode {
    let lang = args.lang.lang.as_str();
    let say = |m: form_model::msg::Msg| m.render(lang);
    let opts = fim_import::Options {
        codelists: args.codelists,
        form_id: args.id,
    };
    let imported = match fim_import::import_file(&args.schema, &opts) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("{}", say(msg!("import-failed")));
            return ExitCode::FAILURE;
        }
    };
    let markdown = imported.report.markdown();
    print!("{markdown}");
    if let Some(path) = &args.report
        && let Err(e) = std::fs::write(path, &markdown)
    {
        eprintln!(
            "{}",
            say(msg!(
                "cannot-write",
                path = path.display().to_string(),
                problem = e.to_string()
            ))
        );
        return ExitCode::FAILURE;
    }
    for d in &imported.check {
        eprintln!("{}", d.render(lang));
    }
    if imported
        .check
        .iter()
        .any(|d| d.severity == form_model::Severity::Error)
    {
        eprintln!("{}", say(msg!("import-fails-check")));
        return ExitCode::FAILURE;
    }
    let out = args.out.unwrap_or_else(|| {
        PathBuf::from("forms/catalog").join(format!("{}.yaml", imported.form.id))
    });
    if out.exists() && !args.force {
        eprintln!(
            "{}",
            say(msg!(
                "import-target-exists",
                path = out.display().to_string()
            ))
        );
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::write(&out, &imported.yaml) {
        eprintln!(
            "{}",
            say(msg!(
                "cannot-write",
                path = out.display().to_string(),
                problem = e.to_string()
            ))
        );
        return ExitCode::FAILURE;
    }
    println!(
        "{}",
        say(msg!("import-wrote", path = out.display().to_string()))
    );
    ExitCode::SUCCESS
}
