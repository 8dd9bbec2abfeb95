//! The checked municipalities put aside until their sites are built: the build checks every
//! municipality before it writes anything (forms with errors anywhere build nothing), but
//! need not hold a country's configs, legal pages and resolved forms meanwhile. Each
//! checked chunk (form-model's `Checking`) is written, a municipality per line, into a
//! temporary file, and read back a chunk at a time when it is built.
//!
//! A municipality is kept as the build reads it: its config, folder and legal pages (its
//! overlays are applied already and left out), and which of the shared forms it publishes.
//! The forms are kept once each, in memory ([`Forms`]): a few hundred for a country, shared
//! by the municipalities as they were in the check (the pages' caches go by the shared
//! form), and each municipality's resolved forms are made again from its config and them.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use form_model::CheckedChunk;
use form_model::diagnostics::FileId;
use form_model::load::{LoadedMunicipality, Page};
use form_model::model::{Form, Municipality};
use form_model::resolve::ResolvedForm;

use crate::spill::Sequence;

/// The forms the municipalities publish, each once, with its canonical JSON (what each
/// municipality's content hash covers), by number.
#[derive(Default)]
pub struct Forms {
    forms: Vec<(Arc<Form>, Arc<Vec<u8>>)>,
    /// Each form's number, by its address (the `Arc` kept in `forms` keeps it its own).
    numbers: HashMap<usize, usize>,
}

impl Forms {
    /// The number of `form`, given it the first time.
    pub fn number(&mut self, form: &Arc<Form>) -> usize {
        let next = self.forms.len();
        let number = *self
            .numbers
            .entry(Arc::as_ptr(form) as usize)
            .or_insert(next);
        if number == next {
            let json = serde_json::to_vec(&**form).expect("forms serialize");
            self.forms.push((Arc::clone(form), Arc::new(json)));
        }
        number
    }

    /// The number `form` was given.
    pub fn number_of(&self, form: &Arc<Form>) -> io::Result<usize> {
        self.numbers
            .get(&(Arc::as_ptr(form) as usize))
            .copied()
            .ok_or_else(|| io::Error::other("a form that was not numbered"))
    }

    /// The form numbered `number`.
    pub fn get(&self, number: usize) -> io::Result<&Arc<Form>> {
        self.entry(number).map(|(form, _)| form)
    }

    fn entry(&self, number: usize) -> io::Result<&(Arc<Form>, Arc<Vec<u8>>)> {
        self.forms
            .get(number)
            .ok_or_else(|| io::Error::other(format!("no form numbered {number}")))
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
        for (m, resolved) in chunk.municipalities.into_iter().zip(chunk.resolved) {
            self.pages += m.config.languages.len() * super::pages::count(resolved.len());
            self.published += resolved.len();
            let numbers = resolved.iter().map(|f| forms.number(&f.form)).collect();
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
                            Ok(ResolvedForm::published_by(
                                &kept.config,
                                Arc::clone(form),
                                Arc::clone(json),
                            ))
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
        let mut forms = Forms::default();
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
        for ((m, resolved), (was, was_resolved)) in back.iter().zip(&expected) {
            assert_eq!(&read(m), was);
            assert_eq!(resolved, was_resolved);
            for (f, was) in resolved.iter().zip(was_resolved) {
                assert!(Arc::ptr_eq(&f.form, &was.form), "{}", f.form.id);
                assert_eq!(f.sha256, was.sha256);
            }
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
