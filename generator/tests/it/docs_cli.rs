//! The docs and the command line cannot drift apart: every `formfabrik …` command line quoted
//! in a ```sh block of README.md or docs/*.md is parsed with the real clap definition
//! (`try_parse_from`), every `--flag` of the inbox synopses in docs/backoffice.md's table must
//! exist on its subcommand, and every `*.md` a doc names exists. (Commands that are planned,
//! not built, are quoted in ```text blocks.)

use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser};
use generator::cli::Cli;

use crate::common::repo;

fn docs() -> Vec<PathBuf> {
    let mut out = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    out.extend(docs);
    out
}

/// The command lines of the ```sh blocks of `text`, continuation lines joined, with the line
/// number each starts on.
fn shell_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(lang) = trimmed.strip_prefix("```") {
            in_sh = !in_sh && matches!(lang.trim(), "sh" | "bash" | "shell");
            continue;
        }
        if !in_sh {
            continue;
        }
        let (start, mut joined) = pending.take().unwrap_or((n + 1, String::new()));
        joined.push_str(line.trim());
        match joined.strip_suffix('\\') {
            Some(rest) => pending = Some((start, format!("{} ", rest.trim_end()))),
            None => out.push((start, joined)),
        }
    }
    out
}

/// The words of a shell command line (simple quotes, no expansion), up to a comment, a
/// redirection or the end of the command.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut has_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                has_word = true;
            }
            (None, '#') if !has_word => break,
            // A redirection or the next command of a pipeline ends this command's words.
            (None, '>' | '|' | ';' | '&') if !has_word => break,
            (None, c) if c.is_whitespace() => {
                if has_word {
                    out.push(std::mem::take(&mut word));
                    has_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                has_word = true;
            }
        }
    }
    if has_word {
        out.push(word);
    }
    out
}

/// The arguments after the `formfabrik` program in a command line, if it runs it.
fn formfabrik_args(line: &str) -> Option<Vec<String>> {
    let words = words(line);
    if let Some(i) = words.iter().position(|w| w == "--")
        && words[..i].join(" ").contains("cargo run -p generator")
    {
        return Some(words[i + 1..].to_vec());
    }
    // The program is the first word after any `NAME=value` environment settings.
    let i = words.iter().position(|w| !w.contains('='))?;
    (words[i] == "formfabrik" || words[i].ends_with("/formfabrik")).then(|| words[i + 1..].to_vec())
}

#[test]
fn every_formfabrik_command_line_in_the_docs_parses() {
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in docs() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (line_no, line) in shell_lines(&text) {
            let Some(args) = formfabrik_args(&line) else {
                continue;
            };
            let argv = std::iter::once("formfabrik".to_string()).chain(args);
            if let Err(e) = Cli::try_parse_from(argv) {
                problems.push(format!(
                    "{}:{line_no}: `{line}`: {}",
                    rel(&path),
                    e.render().to_string().lines().next().unwrap_or("")
                ));
            }
            checked += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 10, "only {checked} command lines found");
}

#[test]
fn every_flag_of_the_inbox_synopses_exists_on_its_subcommand() {
    let text = std::fs::read_to_string(repo().join("docs/backoffice.md")).unwrap();
    let cli = Cli::command();
    let inbox = cli.find_subcommand("inbox").unwrap();
    let mut checked = 0;
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        // `| `pull --municipality M … --out DIR` | what it does |`
        let Some(cell) = line.strip_prefix("| `").and_then(|l| l.split('`').next()) else {
            continue;
        };
        let Some(sub) = cell
            .split_whitespace()
            .next()
            .and_then(|s| inbox.find_subcommand(s))
        else {
            continue;
        };
        for flag in cell
            .split(|c: char| c.is_whitespace() || "[]|".contains(c))
            .filter_map(|w| w.strip_prefix("--"))
        {
            let known = sub.get_arguments().any(|a| a.get_long() == Some(flag));
            if !known {
                problems.push(format!(
                    "docs/backoffice.md:{}: inbox {} has no --{flag}",
                    n + 1,
                    sub.get_name()
                ));
            }
            checked += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 15, "only {checked} flags found");
    // Every subcommand is in the table.
    for sub in inbox.get_subcommands() {
        assert!(
            text.contains(&format!("| `{} ", sub.get_name()))
                || text.contains(&format!("| `{}`", sub.get_name())),
            "docs/backoffice.md's table lacks inbox {}",
            sub.get_name()
        );
    }
}

#[test]
fn every_document_the_docs_name_exists() {
    let mut problems = Vec::new();
    for path in docs() {
        let text = std::fs::read_to_string(&path).unwrap();
        for word in text.split(|c: char| !(c.is_alphanumeric() || "._/-".contains(c))) {
            let Some(name) = word.strip_suffix(".md") else {
                continue;
            };
            // The repository's documents: under docs/, or named in capitals (README.md,
            // DESIGN.md); other `*.md` names are a municipality's pages or a report's file.
            let document = name.starts_with("docs/")
                || name.rsplit('/').next().is_some_and(|n| {
                    n.chars().all(|c| c.is_ascii_uppercase() || c == '_') && !n.is_empty()
                })
                || text.contains(&format!("]({name}.md"));
            if name.is_empty() || name.ends_with('*') || !document {
                continue;
            }
            let file = format!("{name}.md");
            let candidates = [
                path.parent().unwrap().join(&file),
                repo().join(&file),
                repo().join("docs").join(&file),
            ];
            if !candidates.iter().any(|c| c.exists()) {
                problems.push(format!(
                    "{} names {file}, which is not in the repository",
                    rel(&path)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn rel(path: &Path) -> String {
    path.strip_prefix(repo())
        .unwrap_or(path)
        .display()
        .to_string()
}
