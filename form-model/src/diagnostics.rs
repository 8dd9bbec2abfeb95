//! Diagnostics for process designers: every problem names file, line and column, says in plain
//! words what is wrong and, where it can, what to write instead. Rendered like a compiler
//! message, with the source line and a caret under the spot, in German (the default) or
//! English: the words are [`Msg`]s of `messages/designer.yaml`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::msg;
pub use crate::msg::{Arg, Msg};
use crate::positions::{Pos, PositionIndex};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One loaded YAML or Markdown file, kept so diagnostics can quote it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to the designer.
    pub path: PathBuf,
    pub text: String,
    /// Built when a diagnostic first asks for a position: most files have nothing to report,
    /// and the index costs as much as parsing the file.
    index: OnceLock<PositionIndex>,
    /// Positions of a few values noted while the file was deserialized (a municipality's
    /// `forms[i].use`): the same as the index's, without building it.
    noted: OnceLock<Vec<(String, Pos)>>,
}

impl SourceFile {
    /// Where every key and value of the file stands.
    pub fn index(&self) -> &PositionIndex {
        self.index.get_or_init(|| PositionIndex::build(&self.text))
    }

    /// Position of the value at `path`, if it was noted while the file was deserialized.
    fn noted(&self, path: &str) -> Option<Pos> {
        let noted = self.noted.get()?;
        noted.iter().find(|(p, _)| p == path).map(|(_, pos)| *pos)
    }
}

/// Handle to a [`SourceFile`] in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileId(pub usize);

#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile {
            path,
            text,
            index: OnceLock::new(),
            noted: OnceLock::new(),
        });
        FileId(self.files.len() - 1)
    }

    /// Moves the files of `other` behind this one's; returns the offset to add to a
    /// [`FileId`] of `other` (files loaded apart, in parallel, then put together in order).
    pub fn append(&mut self, other: Sources) -> usize {
        let offset = self.files.len();
        self.files.extend(other.files);
        offset
    }

    /// How many files were added.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Lets go of the text and positions of the files from `first` on, keeping their paths:
    /// diagnostics made before quote their lines themselves, and a country's worth of files
    /// need not stay in memory once they are checked. Positions in them are unknown after.
    pub fn release_from(&mut self, first: FileId) {
        for file in self.files.iter_mut().skip(first.0) {
            file.text = String::new();
            file.index = OnceLock::new();
            file.noted = OnceLock::new();
        }
    }

    /// Keeps the positions of values noted while file `id` was deserialized (see
    /// [`crate::positions::borrowed_scalars`]); they must be the ones its index gives.
    pub fn note(&self, id: FileId, positions: Vec<(String, Pos)>) {
        // Noted once, by the one parse of the file.
        let _ = self.get(id).noted.set(positions);
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    /// Position of the value at `path` in file `id` (line 1, column 1 if unknown).
    pub fn pos(&self, id: FileId, path: &str) -> Pos {
        let file = self.get(id);
        if let Some(pos) = file.noted(path) {
            return pos;
        }
        file.index()
            .value(path)
            .unwrap_or(Pos { line: 1, column: 1 })
    }

    pub fn key_pos(&self, id: FileId, path: &str) -> Pos {
        self.get(id)
            .index()
            .key(path)
            .unwrap_or(Pos { line: 1, column: 1 })
    }
}

/// A problem at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// Plain words, including a did-you-mean where there is one.
    pub message: Msg,
    /// What to do about it, when the message alone does not say.
    pub help: Option<Msg>,
    /// Another tool's own words about it (the YAML or regular-expression parser's), shown below
    /// the plain message.
    pub detail: Option<Msg>,
    /// The source line the position is on, for rendering.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// The one-line form `file:line:col: message` in German (warnings say so).
    pub fn headline(&self) -> String {
        self.headline_in(crate::messages::SOURCE_LANGUAGE)
    }

    /// The one-line form `file:line:col: message` in `lang`.
    pub fn headline_in(&self, lang: &str) -> String {
        let prefix = match self.severity {
            Severity::Error => String::new(),
            Severity::Warning => msg!("warning-prefix").render(lang),
        };
        format!(
            "{}:{}:{}: {prefix}{}",
            self.file.display(),
            self.line,
            self.column,
            self.message.render(lang)
        )
    }

    /// The headline, the source line and a caret under the position, then the parser's own
    /// words and the help, in `lang`.
    pub fn render(&self, lang: &str) -> String {
        let mut out = String::new();
        self.write(&mut out, lang).expect("writing to a String");
        out
    }

    fn write(&self, f: &mut impl fmt::Write, lang: &str) -> fmt::Result {
        writeln!(f, "{}", self.headline_in(lang))?;
        if let Some(line) = &self.source_line {
            let number = self.line.to_string();
            let pad = " ".repeat(number.len());
            let before: String = line
                .chars()
                .take(self.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let width = token_width(line, self.column);
            writeln!(f, "{pad} |")?;
            writeln!(f, "{number} | {line}")?;
            writeln!(f, "{pad} | {before}{}", "^".repeat(width))?;
        }
        if let Some(detail) = &self.detail {
            writeln!(f, "  = {}", detail.render(lang))?;
        }
        if let Some(help) = &self.help {
            writeln!(
                f,
                "  = {}",
                msg!("help-line", help = help.clone()).render(lang)
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Diagnostic {
    /// [`Diagnostic::render`] in German, the process designers' default.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, crate::messages::SOURCE_LANGUAGE)
    }
}

/// Width of the word starting at `column`, so the caret underlines it.
fn token_width(line: &str, column: usize) -> usize {
    let rest: String = line.chars().skip(column.saturating_sub(1)).collect();
    let quoted = rest.starts_with(['"', '\'']);
    let width = if quoted {
        let quote = rest.chars().next().unwrap_or('"');
        rest.chars()
            .skip(1)
            .position(|c| c == quote)
            .map(|p| p + 2)
            .unwrap_or(rest.chars().count())
    } else {
        let word: String = rest
            .chars()
            .take_while(|c| !matches!(c, ',' | '}' | ']' | '#') && !c.is_whitespace())
            .collect();
        // A key: underline the name, not its colon.
        word.strip_suffix(':').unwrap_or(&word).chars().count()
    };
    width.max(1)
}

/// Collects diagnostics while loading and checking.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push_at(
        &mut self,
        sources: &Sources,
        file: FileId,
        pos: Pos,
        severity: Severity,
        message: Msg,
        help: Option<Msg>,
    ) {
        let source = sources.get(file);
        let source_line = source
            .text
            .lines()
            .nth(pos.line.saturating_sub(1))
            .map(str::to_string);
        self.items.push(Diagnostic {
            severity,
            file: source.path.clone(),
            line: pos.line,
            column: pos.column,
            message,
            help,
            detail: None,
            source_line,
        });
    }

    /// An error at the value of `path` in `file`.
    pub fn error(&mut self, sources: &Sources, file: FileId, path: &str, message: Msg) {
        let pos = sources.pos(file, path);
        self.push_at(sources, file, pos, Severity::Error, message, None);
    }

    /// An error at the value of `path`, with advice on what to do.
    pub fn error_help(
        &mut self,
        sources: &Sources,
        file: FileId,
        path: &str,
        message: Msg,
        help: Msg,
    ) {
        let pos = sources.pos(file, path);
        self.push_at(sources, file, pos, Severity::Error, message, Some(help));
    }

    /// An error at the value of `path`, with another tool's words about it and advice.
    pub fn error_detail(
        &mut self,
        sources: &Sources,
        file: FileId,
        path: &str,
        message: Msg,
        detail: Msg,
        help: Option<Msg>,
    ) {
        let pos = sources.pos(file, path);
        self.push_at(sources, file, pos, Severity::Error, message, help);
        if let Some(last) = self.items.last_mut() {
            last.detail = Some(detail);
        }
    }

    /// An error at the key of `path` (for problems with the key itself, like duplicates).
    pub fn error_at_key(&mut self, sources: &Sources, file: FileId, path: &str, message: Msg) {
        let pos = sources.key_pos(file, path);
        self.push_at(sources, file, pos, Severity::Error, message, None);
    }

    pub fn warning(&mut self, sources: &Sources, file: FileId, path: &str, message: Msg) {
        let pos = sources.pos(file, path);
        self.push_at(sources, file, pos, Severity::Warning, message, None);
    }

    /// A problem with a file as a whole (missing, unreadable).
    pub fn file_error(&mut self, path: &Path, message: Msg) {
        self.items.push(Diagnostic {
            severity: Severity::Error,
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            message,
            help: None,
            detail: None,
            source_line: None,
        });
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    /// Orders by file and position, so output reads top to bottom.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
        });
        self.items.dedup();
    }
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let folded = fold(word);
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let close = candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&folded, &fold(c)), *c))
        .filter(|(distance, c)| *distance <= (c.chars().count().max(3) / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c);
    // Renamed ids often grow or shrink ("telefonnummer" became "telefon"): suggest the longest
    // candidate one contains the other.
    close.or_else(|| {
        candidates
            .iter()
            .filter(|c| {
                let c = fold(c);
                c.chars().count() >= 4
                    && folded.chars().count() >= 4
                    && (folded.contains(&c) || c.contains(&folded))
            })
            .max_by_key(|c| c.len())
            .copied()
    })
}

/// `; did you mean "x"?` or nothing.
pub fn suggestion<'a, I>(word: &str, candidates: I) -> Option<Msg>
where
    I: IntoIterator<Item = &'a str>,
{
    did_you_mean(word, candidates).map(|best| msg!("did-you-mean", word = best))
}

/// Designers type umlauts where ids use ae/oe/ue; compare them as equals.
fn fold(s: &str) -> String {
    s.to_lowercase()
        .replace('ä', "ae")
        .replace('ö', "oe")
        .replace('ü', "ue")
        .replace('ß', "ss")
        .replace('_', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_id_without_umlaut() {
        assert_eq!(
            did_you_mean("gefährlich", ["gefaehrlich", "halter"]),
            Some("gefaehrlich")
        );
    }

    #[test]
    fn suggests_a_renamed_id_that_grew_or_shrank() {
        assert_eq!(
            did_you_mean("telefonnummer", ["telefon", "email"]),
            Some("telefon")
        );
        assert_eq!(did_you_mean("hundename", ["name", "rasse"]), Some("name"));
    }

    #[test]
    fn does_not_suggest_unrelated_words() {
        assert_eq!(did_you_mean("farbe", ["gefaehrlich", "halter"]), None);
    }

    #[test]
    fn renders_source_line_and_caret() {
        let mut sources = Sources::default();
        let id = sources.add("f.yaml".into(), "id: x\ntype: txt\n".into());
        let mut diags = Diagnostics::default();
        diags.error(
            &sources,
            id,
            "type",
            msg!("unknown-value", word = "txt", hint = None),
        );
        assert_eq!(
            diags.items[0].render("en"),
            "f.yaml:2:7: unknown value \"txt\"\n  |\n2 | type: txt\n  |       ^^^\n"
        );
        assert_eq!(
            diags.items[0].to_string(),
            "f.yaml:2:7: Unbekannter Wert „txt“\n  |\n2 | type: txt\n  |       ^^^\n"
        );
    }
}
