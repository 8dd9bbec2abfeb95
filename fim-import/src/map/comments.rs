//! Where the comments of the imported YAML go. Every FIM element occurrence waits for the next
//! element written to the YAML (a step, a field, the end of a step) and is anchored there; so
//! do comment lines about elements that get no question of their own (dissolved groups, skipped
//! fields), and later the rules about them.

use std::collections::HashMap;

/// Where a comment goes in the YAML.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// Above `steps:`.
    Top,
    /// Above the step's `- id:`.
    Step(String),
    /// Above the field's `- id:` (also a group member).
    Field(String),
    /// After the last field of the step.
    StepEnd(String),
}

impl Anchor {
    pub fn describe(&self) -> String {
        match self {
            Anchor::Top => "at the top of the steps".into(),
            Anchor::Step(s) => format!("above step `{s}`"),
            Anchor::Field(f) => format!("above field `{f}`"),
            Anchor::StepEnd(s) => format!("at the end of step `{s}`"),
        }
    }
}

/// The comments placed so far and what waits for the next anchor.
#[derive(Debug, Default)]
pub struct Comments {
    lines: HashMap<Anchor, Vec<String>>,
    /// FIM element occurrence (uid) → where its comments go.
    anchors: HashMap<usize, Anchor>,
    /// Elements whose comments go wherever the next question goes (dissolved groups, skipped
    /// fields).
    waiting: Vec<usize>,
    /// Comment lines for the next anchor.
    pending: Vec<String>,
}

impl Comments {
    /// The element occurrence `uid` goes wherever the next anchor is.
    pub fn wait(&mut self, uid: usize) {
        self.waiting.push(uid);
    }

    /// A comment line for the next anchor.
    pub fn note(&mut self, line: String) {
        self.pending.push(line);
    }

    /// Something waits for an anchor.
    pub fn is_open(&self) -> bool {
        !self.pending.is_empty() || !self.waiting.is_empty()
    }

    /// Marks where the next YAML element is; everything waiting goes there.
    pub fn place(&mut self, a: Anchor) {
        for uid in self.waiting.drain(..) {
            self.anchors.insert(uid, a.clone());
        }
        if !self.pending.is_empty() {
            let lines = std::mem::take(&mut self.pending);
            self.lines.entry(a).or_default().extend(lines);
        }
    }

    /// An anchor that will not be written after all (a step left out): its lines and the
    /// elements anchored there wait for the next anchor again.
    pub fn take_back(&mut self, a: &Anchor) {
        self.take_back_lines(a);
        let uids: Vec<usize> = self
            .anchors
            .iter()
            .filter(|(_, v)| *v == a)
            .map(|(k, _)| *k)
            .collect();
        for u in uids {
            self.anchors.remove(&u);
            self.waiting.push(u);
        }
    }

    /// The lines at `a` wait for the next anchor again.
    pub fn take_back_lines(&mut self, a: &Anchor) {
        if let Some(lines) = self.lines.remove(a) {
            self.pending.extend(lines);
        }
    }

    /// The element occurrence `uid` waits for the next anchor again.
    pub fn unplace(&mut self, uid: usize) {
        self.anchors.remove(&uid);
        self.waiting.push(uid);
    }

    /// Where the comments of element occurrence `uid` go.
    pub fn anchor_of(&self, uid: usize) -> Option<Anchor> {
        self.anchors.get(&uid).cloned()
    }

    /// The lines at `a`, to add to.
    pub fn at(&mut self, a: Anchor) -> &mut Vec<String> {
        self.lines.entry(a).or_default()
    }

    /// The lines by anchor, for the writer.
    pub fn into_lines(self) -> HashMap<Anchor, Vec<String>> {
        self.lines
    }
}
