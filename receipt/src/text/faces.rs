//! The four embedded fonts, parsed once per process, and the shaping plans compiled for them.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use krilla::text::{Font, GlyphId};
use rustybuzz::{Direction, Language, Script, ShapePlan, UnicodeBuffer};

use super::Weight;

const NOTO_SANS_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
const NOTO_SANS_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
const NOTO_SANS_ARABIC_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansArabic-Regular.ttf");
const NOTO_SANS_ARABIC_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansArabic-Bold.ttf");

/// Which of the two families sets a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Family {
    Latin,
    Arabic,
}

/// One embedded font file, parsed once.
pub struct Face {
    pub(super) shaper: rustybuzz::Face<'static>,
    pdf: Font,
    pub(super) units_per_em: f32,
    /// An empty glyph without advance (the font's zero width space), see `split_ligatures`.
    pub(super) blank: Option<GlyphId>,
    /// Shaping plans by direction, script and language, compiled once per process (see
    /// [`Face::plan`]).
    plans: Mutex<HashMap<PlanKey, Arc<ShapePlan>>>,
}

type PlanKey = (Direction, Option<Script>, Option<Language>);

impl Face {
    fn new(data: &'static [u8]) -> Face {
        let shaper = rustybuzz::Face::from_slice(data, 0).expect("embedded font parses");
        let units_per_em = f32::from(shaper.units_per_em() as u16);
        let blank = shaper
            .glyph_index('\u{200B}')
            .filter(|g| shaper.glyph_hor_advance(*g) == Some(0))
            .filter(|g| shaper.glyph_bounding_box(*g).is_none())
            .map(|g| GlyphId::new(u32::from(g.0)));
        Face {
            shaper,
            pdf: Font::new(data.into(), 0).expect("embedded font parses"),
            units_per_em,
            blank,
            plans: Mutex::new(HashMap::new()),
        }
    }

    /// The plan to shape `buffer` (its segment properties guessed) with. `rustybuzz::shape`
    /// compiles a plan on every call, and compiling took most of a receipt's time (a receipt
    /// shapes hundreds of short runs); a plan depends only on the face, the direction, the
    /// script and the language, so it is compiled once for each and reused — the glyphs are
    /// the same.
    pub(super) fn plan(&self, buffer: &UnicodeBuffer) -> Arc<ShapePlan> {
        // `script()` says UNKNOWN where guessing found none (digits, punctuation); the plan
        // `shape` would compile then has no script, so neither has the cached one.
        let script = Some(buffer.script()).filter(|s| *s != rustybuzz::script::UNKNOWN);
        let key = (buffer.direction(), script, buffer.language());
        let mut plans = self.plans.lock().unwrap_or_else(PoisonError::into_inner);
        plans
            .entry(key)
            .or_insert_with_key(|(direction, script, language)| {
                Arc::new(ShapePlan::new(
                    &self.shaper,
                    *direction,
                    *script,
                    language.as_ref(),
                    &[],
                ))
            })
            .clone()
    }

    pub(super) fn covers(&self, c: char) -> bool {
        self.shaper.glyph_index(c).is_some()
    }

    /// The font as krilla embeds it.
    pub fn pdf(&self) -> Font {
        self.pdf.clone()
    }
}

pub(super) struct Faces {
    latin: [Face; 2],
    arabic: [Face; 2],
}

impl Faces {
    pub(super) fn get(&self, family: Family, weight: Weight) -> &Face {
        let set = match family {
            Family::Latin => &self.latin,
            Family::Arabic => &self.arabic,
        };
        &set[usize::from(weight == Weight::Bold)]
    }
}

/// Parsing four fonts takes a few milliseconds; a process does it once.
pub(super) static FACES: LazyLock<Faces> = LazyLock::new(|| Faces {
    latin: [Face::new(NOTO_SANS_REGULAR), Face::new(NOTO_SANS_BOLD)],
    arabic: [
        Face::new(NOTO_SANS_ARABIC_REGULAR),
        Face::new(NOTO_SANS_ARABIC_BOLD),
    ],
});
