//! The checked municipalities put aside until their sites are built: the build checks every
//! municipality before it writes anything (forms with errors anywhere build nothing), but
//! need not hold a country's configs, legal pages and resolved forms meanwhile. Each
//! checked chunk (form-model's `Checking`) is written, a municipality per line, into a
//! temporary file, and read back a chunk at a time when it is built.
//!
//! A municipality is kept as the build reads it: its config, folder and legal pages (its
//! overlays are applied already and left out), and which of the shared forms it publishes.
//! The forms are put aside once each ([`Forms`], by the sha256 of their JSON): a few hundred
//! for a country, shared by the municipalities of a chunk read back (the pages' caches go by
//! the shared form), and each municipality's resolved forms are made again from its config
//! and them.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use form_model::CheckedChunk;
use form_model::bounded::{Bounded, bounded};
use form_model::diagnostics::FileId;
use form_model::load::{LoadedMunicipality, Page};
use form_model::model::{Form, Municipality};
use form_model::resolve::ResolvedForm;

use crate::spill::Sequence;

/// The forms the municipalities publish, each once, by number: their canonical JSON (what each
/// municipality's content hash covers) waits in a temporary file, not in memory, and a form is
/// made again from it when a chunk that publishes it is read back. A country has hundreds of
/// distinct forms, more with every municipality that changes one (its own fee, its overlay),
/// and each is tens of KB in memory; a chunk publishes few of them.
///
/// A form handed out is handed out again as the same `Arc` for as long as anyone holds it (the
/// chunk being built, the pages' caches), so the caches that go by the shared form keep
/// finding it; the forms used most recently are held here too.
pub struct Forms {
    /// The forms' JSON, one after the other, and where each one's is: offset and length.
    file: File,
    places: Vec<(u64, usize)>,
    end: u64,
    /// Each form's number, by the sha256 of its JSON.
    numbers: HashMap<[u8; 32], usize>,
    handed: Mutex<Handed>,
}

/// The forms handed out.
struct Handed {
    /// By number, while anyone holds them.
    held: HashMap<usize, (Weak<Form>, Weak<Vec<u8>>)>,
    /// Their numbers by their address (the `Weak` keeps the address their own).
    numbers: HashMap<usize, (Weak<Form>, usize)>,
    /// The ones used most recently, held.
    recent: Bounded<usize, (Arc<Form>, Arc<Vec<u8>>)>,
}

/// How many forms [`Forms`] holds itself: the ones most municipalities publish, and the few
/// of the municipalities around.
const RECENT_FORMS: usize = 64;

impl Forms {
    /// No forms yet; their file is made in `dir`, which must exist.
    pub fn new(dir: &Path) -> io::Result<Forms> {
        Ok(Forms {
            file: tempfile::tempfile_in(dir)?,
            places: Vec::new(),
            end: 0,
            numbers: HashMap::new(),
            handed: Mutex::new(Handed {
                held: HashMap::new(),
                numbers: HashMap::new(),
                recent: bounded(RECENT_FORMS),
            }),
        })
    }

    /// The number of `form`, given it the first time its content comes; `seen` remembers the
    /// numbers by address while the forms are held (a chunk's).
    pub fn number(
        &mut self,
        form: &Arc<Form>,
        seen: &mut HashMap<usize, usize>,
    ) -> io::Result<usize> {
        let address = Arc::as_ptr(form) as usize;
        if let Some(&number) = seen.get(&address) {
            return Ok(number);
        }
        let json = serde_json::to_vec(&**form).map_err(io::Error::other)?;
        let digest: [u8; 32] = Sha256::digest(&json).into();
        let number = match self.numbers.get(&digest) {
            Some(&number) => number,
            None => {
                let number = self.places.len();
                self.file.write_all_at(&json, self.end)?;
                self.places.push((self.end, json.len()));
                self.end += json.len() as u64;
                self.numbers.insert(digest, number);
                number
            }
        };
        seen.insert(address, number);
        Ok(number)
    }

    /// The number of `form`, a form handed out by [`Forms::get`].
    pub fn number_of(&self, form: &Arc<Form>) -> io::Result<usize> {
        let handed = self.handed.lock().expect("forms lock");
        handed
            .numbers
            .get(&(Arc::as_ptr(form) as usize))
            .map(|(_, number)| *number)
            .ok_or_else(|| io::Error::other("a form that was not numbered"))
    }

    /// The form numbered `number`.
    pub fn get(&self, number: usize) -> io::Result<Arc<Form>> {
        self.entry(number).map(|(form, _)| form)
    }

    /// The form numbered `number` and its canonical JSON: the ones held, or else made from
    /// the JSON put aside.
    fn entry(&self, number: usize) -> io::Result<(Arc<Form>, Arc<Vec<u8>>)> {
        let mut handed = self.handed.lock().expect("forms lock");
        if let Some(kept) = handed.recent.get(&number) {
            return Ok(kept.clone());
        }
        let held = handed
            .held
            .get(&number)
            .and_then(|(form, json)| Some((form.upgrade()?, json.upgrade()?)));
        let kept = match held {
            Some(kept) => kept,
            None => {
                drop(handed);
                let &(offset, len) = self
                    .places
                    .get(number)
                    .ok_or_else(|| io::Error::other(format!("no form numbered {number}")))?;
                let mut json = vec![0; len];
                self.file.read_exact_at(&mut json, offset)?;
                let form: Form = serde_json::from_slice(&json).map_err(io::Error::other)?;
                let made = (Arc::new(form), Arc::new(json));
                handed = self.handed.lock().expect("forms lock");
                // Made twice at once: the first one handed out wins.
                let held = handed
                    .held
                    .get(&number)
                    .and_then(|(form, json)| Some((form.upgrade()?, json.upgrade()?)));
                match held {
                    Some(kept) => kept,
                    None => {
                        handed.forget_let_go();
                        handed
                            .held
                            .insert(number, (Arc::downgrade(&made.0), Arc::downgrade(&made.1)));
                        handed.numbers.insert(
                            Arc::as_ptr(&made.0) as usize,
                            (Arc::downgrade(&made.0), number),
                        );
                        made
                    }
                }
            }
        };
        handed.recent.get_or_insert(number, || kept.clone());
        Ok(kept)
    }
}

impl Handed {
    /// Lets go of the entries of forms nobody holds any more, whenever they have doubled.
    fn forget_let_go(&mut self) {
        let len = self.numbers.len();
        if len >= 64 && len.is_power_of_two() {
            self.held.retain(|_, (form, _)| form.strong_count() > 0);
            self.numbers.retain(|_, (form, _)| form.strong_count() > 0);
        }
    }
}

/// A checked municipality read back, with the forms it publishes: ready to be built.
pub type Ready = (LoadedMunicipality, Vec<ResolvedForm>);

/// A checked municipality as put aside.
#[derive(Serialize, Deserialize)]
struct Kept {
    config: Municipality,
    /// Its config's file number in the check's sources (the build does not read it).
    file: usize,
    dir: PathBuf,
    /// Legal pages: kind, language, file and text.
    pages: Vec<(String, String, PathBuf, String)>,
    /// The numbers of the forms it publishes ([`Forms`]), in its order.
    forms: Vec<usize>,
}

/// The checked chunks, put aside in the order they came.
pub struct Checked {
    kept: Sequence,
    /// How many municipalities each chunk has.
    chunks: Vec<usize>,
    /// Pages of all sites in all their languages, for the progress bar.
    pub pages: usize,
    pub municipalities: usize,
    /// Forms published, by all municipalities together.
    pub published: usize,
}

impl Checked {
    /// Nothing put aside yet; the file is made in `dir`, which must exist.
    pub fn new(dir: &Path) -> io::Result<Checked> {
        Ok(Checked {
            kept: Sequence::new(dir)?,
            chunks: Vec::new(),
            pages: 0,
            municipalities: 0,
            published: 0,
        })
    }

    /// Puts `chunk`'s municipalities and the forms they publish aside, numbering the forms
    /// in `forms` (its findings and drift entries are for the check's report, which the
    /// build does not show when it works).
    pub fn put(&mut self, chunk: CheckedChunk, forms: &mut Forms) -> io::Result<()> {
        let mut kept = Vec::with_capacity(chunk.municipalities.len());
        // The chunk holds its forms until it is put aside: their addresses are theirs.
        let mut seen = HashMap::new();
        for (m, resolved) in chunk.municipalities.into_iter().zip(chunk.resolved) {
            self.pages += m.config.languages.len() * super::pages::count(resolved.len());
            self.published += resolved.len();
            let numbers = resolved
                .iter()
                .map(|f| forms.number(&f.form, &mut seen))
                .collect::<io::Result<_>>()?;
            kept.push((m, numbers));
        }
        let lines: Vec<Vec<u8>> = kept
            .into_par_iter()
            .map(|(m, forms)| {
                let kept = Kept {
                    config: m.config,
                    file: m.file.0,
                    dir: m.dir,
                    pages: m
                        .pages
                        .into_iter()
                        .map(|((kind, lang), page)| (kind, lang, page.path, page.markdown))
                        .collect(),
                    forms,
                };
                serde_json::to_vec(&kept).map_err(io::Error::other)
            })
            .collect::<io::Result<_>>()?;
        for line in &lines {
            self.kept.push_line(line)?;
        }
        self.chunks.push(lines.len());
        self.municipalities += lines.len();
        Ok(())
    }

    /// The chunks as they were put aside, read back one at a time: each municipality with
    /// the forms it publishes (numbered in `forms`), resolved as the check resolved them.
    pub fn chunks<'a>(
        &'a mut self,
        forms: &'a Forms,
    ) -> io::Result<impl Iterator<Item = io::Result<Vec<Ready>>> + 'a> {
        self.kept.flush()?;
        let mut lines = self.kept.lines()?;
        Ok(self.chunks.iter().map(move |&len| {
            let chunk: Vec<String> = lines.by_ref().take(len).collect::<io::Result<_>>()?;
            chunk
                .into_par_iter()
                .map(|line| {
                    let kept: Kept = serde_json::from_str(&line).map_err(io::Error::other)?;
                    let resolved = kept
                        .forms
                        .iter()
                        .map(|&n| {
                            let (form, json) = forms.entry(n)?;
                            Ok(ResolvedForm::published_by(&kept.config, form, json))
                        })
                        .collect::<io::Result<_>>()?;
                    let pages = kept
                        .pages
                        .into_iter()
                        .map(|(kind, lang, path, markdown)| ((kind, lang), Page { path, markdown }))
                        .collect();
                    let m = LoadedMunicipality {
                        config: kept.config,
                        file: FileId(kept.file),
                        dir: kept.dir,
                        overlays: Default::default(),
                        pages,
                    };
                    Ok((m, resolved))
                })
                .collect()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read = (Vec<u8>, PathBuf, Vec<(String, String, PathBuf, String)>);

    /// What the build reads of a municipality: config (as the state key serializes it),
    /// folder and legal pages.
    fn read(m: &LoadedMunicipality) -> Read {
        let pages = m
            .pages
            .iter()
            .map(|((kind, lang), p)| {
                (
                    kind.clone(),
                    lang.clone(),
                    p.path.clone(),
                    p.markdown.clone(),
                )
            })
            .collect();
        (serde_json::to_vec(&m.config).unwrap(), m.dir.clone(), pages)
    }

    #[test]
    fn municipalities_read_back_are_the_checked_ones_with_their_forms_shared_as_they_were() {
        let forms_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms");
        let dir = tempfile::tempdir().unwrap();
        let mut forms = Forms::new(dir.path()).unwrap();
        let mut checked = Checked::new(dir.path()).unwrap();
        let mut expected = Vec::new();
        for chunk in form_model::Checking::start(&forms_dir) {
            for (m, resolved) in chunk.municipalities.iter().zip(&chunk.resolved) {
                expected.push((read(m), resolved.clone()));
            }
            checked.put(chunk, &mut forms).unwrap();
        }
        assert_eq!(checked.municipalities, expected.len());
        assert!(expected.iter().any(|(_, resolved)| resolved.len() > 1));
        let back: Vec<_> = checked
            .chunks(&forms)
            .unwrap()
            .flat_map(|chunk| chunk.unwrap())
            .collect();
        assert_eq!(back.len(), expected.len());
        let mut pairs = Vec::new();
        for ((m, resolved), (was, was_resolved)) in back.iter().zip(&expected) {
            assert_eq!(&read(m), was);
            assert_eq!(resolved, was_resolved);
            for (f, was) in resolved.iter().zip(was_resolved) {
                assert_eq!(f.sha256, was.sha256);
                forms.number_of(&f.form).unwrap();
                pairs.push((&f.form, &was.form));
            }
        }
        // Shared as they were: the same form read back where the check had the same one.
        for (a, was_a) in &pairs {
            for (b, was_b) in &pairs {
                assert_eq!(Arc::ptr_eq(a, b), Arc::ptr_eq(was_a, was_b), "{}", a.id);
            }
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
