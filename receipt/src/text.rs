//! Setting text: the embedded fonts, a font for each character, line breaking (UAX #14), the
//! order of mixed right-to-left and left-to-right runs (UAX #9) and shaping (Arabic joining,
//! kerning). The result is lines of shaped glyph runs in visual order, ready to draw.
//!
//! Only two font families are embedded, Noto Sans and Noto Sans Arabic (regular and bold).
//! Characters neither covers (emoji, CJK, private-use characters) are written as their code
//! point, `[U+1F600]`: the receipt then still shows that something was there and what, and the
//! PDF never references a missing glyph (which PDF/A forbids).

use std::ops::Range;
use std::sync::{Arc, LazyLock, Mutex};

use krilla::text::{Glyph, GlyphId, KrillaGlyph};
use rustybuzz::{Direction, UnicodeBuffer};
use unicode_bidi::{Level, ParagraphBidiInfo};
use unicode_linebreak::{BreakOpportunity, linebreaks};

mod faces;
mod memo;

pub use faces::Face;
use faces::{FACES, Family};
use memo::Memo;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

/// Size and weight of a piece of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub size: f32,
    pub weight: Weight,
}

impl Style {
    /// Distance from one baseline to the next.
    pub fn line_height(self) -> f32 {
        self.size * 1.5
    }

    /// Distance from the top of a line to its baseline.
    pub fn ascent(self) -> f32 {
        self.size * 1.12
    }
}

/// Shaped glyphs of one font, in visual order. Cloning is cheap (the glyphs and the text are
/// shared): a set line is remembered and handed out again (see [`lines`]).
#[derive(Debug, Clone)]
pub struct Run {
    family: Family,
    weight: Weight,
    pub glyphs: Arc<[KrillaGlyph]>,
    /// The characters the glyphs stand for (the glyphs' ranges point into it).
    pub text: Arc<str>,
    /// Advance width at the style's size, in points.
    pub width: f32,
}

impl Run {
    pub fn face(&self) -> &'static Face {
        FACES.get(self.family, self.weight)
    }
}

/// One line: runs in visual order, left to right.
#[derive(Debug, Clone)]
pub struct Line {
    pub runs: Vec<Run>,
    pub width: f32,
}

impl Line {
    fn empty() -> Line {
        Line {
            runs: Vec::new(),
            width: 0.0,
        }
    }
}

/// Breaks `text` into lines of at most `max_width` points (a word longer than that is broken
/// between characters). Each paragraph takes its direction from its first letter, as HTML's
/// `dir="auto"` does (so "Hinter dem Hof." keeps its full stop at its end on an Arabic
/// receipt); one without letters (a phone number, an amount) runs left to right, as numbers
/// are written in Arabic too. The document's direction only decides where a line stands
/// (the layout sets an Arabic receipt's lines flush right), never the order within it. A
/// newline starts a new line.
///
/// The lines of a text are remembered for the process (at most [`LINES_BUDGET`] bytes of text):
/// labels, hints and the receipt's own words come again in every receipt of a form.
pub fn lines(text: &str, style: Style, max_width: f32) -> Vec<Line> {
    let key = LinesKey {
        text: text.to_string(),
        size: style.size.to_bits(),
        weight: style.weight,
        max_width: max_width.to_bits(),
    };
    if let Some(lines) = memo::lock(&LINES).get(&key) {
        return lines;
    }
    let sanitized = sanitize(text);
    let lines: Vec<Line> = sanitized
        .split('\n')
        .flat_map(|paragraph| paragraph_lines(paragraph, style, max_width))
        .collect();
    memo::lock(&LINES).insert(key, lines.clone(), text.len());
    lines
}

/// Bytes of text whose lines a process remembers: a form's labels, hints and the receipt's
/// words in one language are a few KiB. A byte of text costs some tens of bytes of memory in
/// set lines (about one glyph per character, each a `KrillaGlyph`), so a full memo is a few MiB.
const LINES_BUDGET: usize = 128 * 1024;

/// What the lines of a text depend on (sizes as their bits: the same number, the same key).
#[derive(PartialEq, Eq, Hash)]
struct LinesKey {
    text: String,
    size: u32,
    weight: Weight,
    max_width: u32,
}

static LINES: LazyLock<Mutex<Memo<LinesKey, Vec<Line>>>> =
    LazyLock::new(|| Mutex::new(Memo::new(LINES_BUDGET)));

/// Bytes of text of shaped runs a process remembers: line breaking measures every word, and
/// words repeat within a text and across receipts.
const SHAPED_BUDGET: usize = 32 * 1024;

#[derive(PartialEq, Eq, Hash)]
struct ShapeKey {
    text: Arc<str>,
    family: Family,
    weight: Weight,
    size: u32,
    rtl: bool,
}

static SHAPED: LazyLock<Mutex<Memo<ShapeKey, Run>>> =
    LazyLock::new(|| Mutex::new(Memo::new(SHAPED_BUDGET)));

fn paragraph_lines(text: &str, style: Style, max_width: f32) -> Vec<Line> {
    if text.trim().is_empty() {
        return vec![Line::empty()];
    }
    let level = match unicode_bidi::get_base_direction(text) {
        unicode_bidi::Direction::Rtl => Level::rtl(),
        _ => Level::ltr(),
    };
    let bidi = ParagraphBidiInfo::new(text, Some(level));
    let families = families(text);
    let measure = |range: Range<usize>| -> f32 {
        let (_, runs) = bidi.visual_runs(range);
        runs.into_iter()
            .flat_map(|run| font_runs(&families, run))
            .map(|(family, range)| {
                let rtl = bidi.levels[range.start].is_rtl();
                shape(text, range, family, style, rtl).width
            })
            .sum()
    };

    let mut breaks: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    let mut used = 0.0;
    let mut segment_start = 0;
    for (end, opportunity) in linebreaks(text) {
        let forced = opportunity == BreakOpportunity::Mandatory && end < text.len();
        let segment = segment_start..end;
        segment_start = end;
        let visible = trim_end(text, segment.clone());
        let visible_width = if visible.is_empty() {
            0.0
        } else {
            measure(visible.clone())
        };
        if used + visible_width > max_width && start < segment.start {
            breaks.push(start..segment.start);
            start = segment.start;
            used = 0.0;
        }
        if visible_width > max_width {
            // One unbreakable word wider than the line (a checksum, a long address): break it
            // between characters, keeping combining marks with their base.
            let mut piece_start = segment.start;
            let mut piece_width = 0.0;
            for (i, c) in text[segment.clone()].char_indices() {
                let at = segment.start + i;
                let w = measure(at..at + c.len_utf8());
                if piece_width + w > max_width && at > piece_start && !is_mark(c) {
                    breaks.push(piece_start..at);
                    piece_start = at;
                    piece_width = 0.0;
                }
                piece_width += w;
            }
            start = piece_start;
            used = piece_width;
            continue;
        }
        used += if segment.end == visible.end {
            visible_width
        } else {
            measure(segment.clone())
        };
        if forced {
            // A line or paragraph separator inside the text (U+2028, U+2029, a vertical tab).
            breaks.push(start..end);
            start = end;
            used = 0.0;
        }
    }
    if start < text.len() {
        breaks.push(start..text.len());
    }

    breaks
        .into_iter()
        .map(|range| {
            let range = trim_end(text, range);
            if range.is_empty() {
                return Line::empty();
            }
            let (_, level_runs) = bidi.visual_runs(range);
            let mut runs = Vec::new();
            for level_run in level_runs {
                let rtl = bidi.levels[level_run.start].is_rtl();
                let mut pieces: Vec<Run> = font_runs(&families, level_run)
                    .map(|(family, range)| shape(text, range, family, style, rtl))
                    .collect();
                if rtl {
                    pieces.reverse();
                }
                runs.extend(pieces);
            }
            let width = runs.iter().map(|r| r.width).sum();
            Line { runs, width }
        })
        .collect()
}

/// `range` without trailing white space.
fn trim_end(text: &str, range: Range<usize>) -> Range<usize> {
    let trimmed = text[range.clone()].trim_end();
    range.start..range.start + trimmed.len()
}

/// Combining marks stay with the character before them.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Characters of the Arabic script (which the Latin font has no forms for).
fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x0870..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Format and control characters that shaping hides (bidi marks, joiners, variation
/// selectors): they stay in the text, in whatever run is current.
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x00AD | 0x034F | 0x061C | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFE00..=0xFE0F)
}

/// The family of each character (by byte offset of the character).
fn families(text: &str) -> Vec<(usize, Family)> {
    let faces = &*FACES;
    let latin = faces.get(Family::Latin, Weight::Regular);
    let arabic = faces.get(Family::Arabic, Weight::Regular);
    let mut out = Vec::new();
    let mut previous: Option<Family> = None;
    for (i, c) in text.char_indices() {
        let neutral = c.is_whitespace() || c.is_ascii_punctuation() || is_invisible(c);
        let family = if is_arabic(c) && arabic.covers(c) {
            Family::Arabic
        } else if let Some(p) = previous
            .filter(|p| neutral && (is_invisible(c) || faces.get(*p, Weight::Regular).covers(c)))
        {
            p
        } else if latin.covers(c) || is_invisible(c) {
            Family::Latin
        } else {
            Family::Arabic
        };
        previous = Some(family);
        out.push((i, family));
    }
    out
}

/// Splits `range` into runs of one family, in logical order.
fn font_runs(
    families: &[(usize, Family)],
    range: Range<usize>,
) -> impl Iterator<Item = (Family, Range<usize>)> + '_ {
    // `families` is in the order of the text: the characters inside are one slice of it.
    let inside = &families[families.partition_point(|(i, _)| *i < range.start)
        ..families.partition_point(|(i, _)| *i < range.end)];
    let mut runs: Vec<(Family, Range<usize>)> = Vec::new();
    for (k, (i, family)) in inside.iter().enumerate() {
        let end = inside.get(k + 1).map_or(range.end, |(next, _)| *next);
        match runs.last_mut() {
            Some((f, r)) if f == family => r.end = end,
            _ => runs.push((*family, *i..end)),
        }
    }
    runs.into_iter()
}

/// Shapes `text[range]` with one font, in the direction of its bidi level (remembered for the
/// process, see [`SHAPED_BUDGET`]).
fn shape(text: &str, range: Range<usize>, family: Family, style: Style, rtl: bool) -> Run {
    let key = ShapeKey {
        text: Arc::from(&text[range]),
        family,
        weight: style.weight,
        size: style.size.to_bits(),
        rtl,
    };
    if let Some(run) = memo::lock(&SHAPED).get(&key) {
        return run;
    }
    let run = shape_text(key.text.clone(), family, style, rtl);
    let cost = key.text.len();
    memo::lock(&SHAPED).insert(key, run.clone(), cost);
    run
}

fn shape_text(part: Arc<str>, family: Family, style: Style, rtl: bool) -> Run {
    let face = FACES.get(family, style.weight);
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(&part);
    buffer.set_direction(if rtl {
        Direction::RightToLeft
    } else {
        Direction::LeftToRight
    });
    buffer.guess_segment_properties();
    let plan = face.plan(&buffer);
    let shaped = rustybuzz::shape_with_plan(&face.shaper, &plan, buffer);
    let infos = shaped.glyph_infos();
    let positions = shaped.glyph_positions();
    // A glyph stands for the characters from its cluster to the next cluster in logical order
    // (this holds whether the glyphs come left to right or right to left).
    let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let end_of = |cluster: usize| {
        starts
            .get(starts.partition_point(|s| *s <= cluster))
            .copied()
            .unwrap_or(part.len())
    };
    let em = face.units_per_em;
    let mut width = 0.0;
    let mut glyphs: Vec<KrillaGlyph> = infos
        .iter()
        .zip(positions)
        .map(|(info, pos)| {
            width += pos.x_advance as f32 / em * style.size;
            let cluster = info.cluster as usize;
            KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / em,
                pos.x_offset as f32 / em,
                pos.y_offset as f32 / em,
                pos.y_advance as f32 / em,
                cluster..end_of(cluster),
                None,
            )
        })
        .collect();
    if rtl && let Some(blank) = face.blank {
        glyphs = split_ligatures(glyphs, &part, blank);
    }
    Run {
        family,
        weight: style.weight,
        glyphs: glyphs.into(),
        text: part,
        width,
    }
}

/// A right-to-left ligature (lam-alef, one glyph for two letters) is drawn as the ligature,
/// standing for its first letter, preceded by an empty glyph without advance for each further
/// letter. Glyphs of right-to-left text stand in visual order; tools that extract text by
/// position (poppler's pdftotext, pdf.js) reverse them into reading order, and would reverse
/// the two letters of a ligature too (`استالم` for `استلام`). With one letter per glyph every
/// reader gets the letters in order, and the page looks the same.
fn split_ligatures(glyphs: Vec<KrillaGlyph>, text: &str, blank: GlyphId) -> Vec<KrillaGlyph> {
    let mut out = Vec::with_capacity(glyphs.len());
    for (i, glyph) in glyphs.iter().enumerate() {
        let range = glyph.text_range();
        let shared = |j: usize| glyphs.get(j).is_some_and(|g| g.text_range() == range);
        let letters: Vec<(usize, char)> = text[range.clone()].char_indices().collect();
        let ligature = letters.len() > 1
            && letters.iter().all(|(_, c)| is_arabic(*c) && !is_mark(*c))
            && !shared(i.wrapping_sub(1))
            && !shared(i + 1);
        if !ligature {
            out.push(glyph.clone());
            continue;
        }
        // Visual order, left to right: the last letter first.
        for (k, c) in letters.iter().skip(1).rev() {
            let at = range.start + k;
            out.push(KrillaGlyph::new(
                blank,
                0.0,
                0.0,
                0.0,
                0.0,
                at..at + c.len_utf8(),
                None,
            ));
        }
        let first = range.start..range.start + letters[0].1.len_utf8();
        out.push(KrillaGlyph::new(
            glyph.glyph_id(),
            glyph.x_advance(1.0),
            glyph.x_offset(1.0),
            glyph.y_offset(1.0),
            glyph.y_advance(1.0),
            first,
            None,
        ));
    }
    out
}

/// `text` with what no embedded font can show written as its code point, tabs as spaces, and
/// other control characters (which have no place in a receipt) likewise as code points.
fn sanitize(text: &str) -> String {
    let faces = &*FACES;
    let covered = |c: char| {
        faces.get(Family::Latin, Weight::Regular).covers(c)
            || faces.get(Family::Arabic, Weight::Regular).covers(c)
    };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push('\n'),
            '\r' | '\u{FEFF}' => {}
            '\t' => out.push(' '),
            c if is_private_use(c) || c.is_control() => push_code_point(&mut out, c),
            c if is_invisible(c) || covered(c) => out.push(c),
            c => push_code_point(&mut out, c),
        }
    }
    out
}

fn is_private_use(c: char) -> bool {
    matches!(c as u32, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

fn push_code_point(out: &mut String, c: char) {
    out.push_str(&format!("[U+{:04X}]", c as u32));
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: Style = Style {
        size: 10.0,
        weight: Weight::Regular,
    };

    fn line_texts(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.runs.iter().map(|r| &*r.text).collect())
            .collect()
    }

    #[test]
    fn a_long_text_breaks_between_words_and_within_the_width() {
        let text = "Die Antragstellerin hält seit dem ersten Oktober zwei Hunde im Haushalt";
        let lines = lines(text, BODY, 120.0);
        assert!(lines.len() > 2, "{}", lines.len());
        for l in &lines {
            assert!(l.width <= 120.0, "{}", l.width);
        }
        assert_eq!(line_texts(&lines).join(" "), text);
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_between_characters() {
        let hash = "a".repeat(40) + &"0123456789abcdef".repeat(6);
        let lines = lines(&hash, BODY, 200.0);
        assert!(lines.len() > 1);
        assert_eq!(line_texts(&lines).concat(), hash);
    }

    #[test]
    fn arabic_is_shaped_with_the_arabic_font_and_laid_out_right_to_left() {
        let lines = lines("طلب رقم 12", BODY, 400.0);
        assert_eq!(lines.len(), 1);
        let runs = &lines[0].runs;
        // Visual order: the number (left to right) is left of the Arabic words.
        assert!(runs[0].text.contains("12"), "{runs:?}");
        assert!(runs.iter().any(|r| r.family == Family::Arabic));
        // Joining forms differ from the isolated ones: "طلب" is three letters, three glyphs,
        // none of them the isolated form's glyph of ط.
        let arabic = runs.iter().find(|r| r.text.contains("طلب")).unwrap();
        assert!(!arabic.glyphs.is_empty());
    }

    #[test]
    fn a_lam_alef_ligature_stands_for_lam_and_an_empty_glyph_for_alef() {
        let lines = lines("استلام", BODY, 400.0);
        let run = &lines[0].runs[0];
        let blank = FACES.get(Family::Arabic, Weight::Regular).blank.unwrap();
        // Every glyph stands for exactly one letter, and every letter has a glyph.
        let mut letters: Vec<&str> = run
            .glyphs
            .iter()
            .map(|g| {
                let text = &run.text[g.text_range()];
                assert_eq!(text.chars().count(), 1, "{text}");
                text
            })
            .collect();
        letters.reverse();
        assert_eq!(letters.concat(), "استلام");
        // The alef of lam-alef is the empty glyph, drawn just left of the ligature.
        let alef = run
            .glyphs
            .iter()
            .position(|g| g.glyph_id() == blank)
            .unwrap();
        assert_eq!(&run.text[run.glyphs[alef].text_range()], "ا");
        assert_eq!(&run.text[run.glyphs[alef + 1].text_range()], "ل");
        assert_eq!(run.glyphs[alef].x_advance(1.0), 0.0);
    }

    #[test]
    fn a_paragraph_takes_its_direction_from_its_first_letter() {
        // On an Arabic receipt a German answer keeps its full stop at its end (on the right).
        let german = lines("Hinter dem Hof.", BODY, 400.0);
        assert_eq!(line_texts(&german), ["Hinter dem Hof."]);
        let town = lines("35399 Musterstadt", BODY, 400.0);
        assert_eq!(line_texts(&town), ["35399 Musterstadt"]);
        // Without letters, left to right: a phone number keeps its parts in order.
        let phone = lines("0151 22334455", BODY, 400.0);
        assert_eq!(line_texts(&phone), ["0151 22334455"]);
    }

    #[test]
    fn characters_no_font_has_are_written_as_code_points() {
        assert_eq!(sanitize("Hund 🐕\u{E000}x\ty"), "Hund [U+1F415][U+E000]x y");
        assert_eq!(sanitize("a\u{0007}b\r\nc"), "a[U+0007]b\nc");
    }

    #[test]
    fn an_empty_paragraph_is_an_empty_line() {
        let lines = lines("eins\n\nzwei", BODY, 400.0);
        assert_eq!(line_texts(&lines), ["eins", "", "zwei"]);
    }
}
