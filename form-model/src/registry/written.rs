//! A registry's JSON as written: pretty, each shared form (one `Arc<Form>`, published by many
//! municipalities) serialized once and its text put into every entry that publishes it, and
//! each list taken one element at a time, so that a caller need not hold a country's
//! registry to write it (the generator reads its entries back from a spill).

use std::borrow::Borrow;
use std::cell::RefCell;
use std::io;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use super::{EarlierVersion, REGISTRY_FORMAT, RegistryMunicipality};
use crate::bounded::{Bounded, bounded};
use crate::model::Form;
use crate::resolve::{MunicipalityRef, ResolvedForm};

/// Writes into `w` the registry of `municipalities`, `forms` and `earlier_versions`, each
/// list read one element at a time (an element that cannot be read fails the writing): the
/// same bytes as `serde_json::to_writer_pretty` of the [`super::Registry`] holding them.
pub fn write_json_from<M, F, E>(
    w: impl io::Write,
    municipalities: impl Iterator<Item = io::Result<M>>,
    forms: impl Iterator<Item = io::Result<F>>,
    earlier_versions: impl Iterator<Item = io::Result<E>>,
) -> io::Result<()>
where
    M: Borrow<RegistryMunicipality>,
    F: Borrow<ResolvedForm>,
    E: Borrow<EarlierVersion>,
{
    write_json_as(REGISTRY_FORMAT, w, municipalities, forms, earlier_versions)
}

/// [`write_json_from`] with `format` as the registry's format.
pub(super) fn write_json_as<M, F, E>(
    format: &str,
    w: impl io::Write,
    municipalities: impl Iterator<Item = io::Result<M>>,
    forms: impl Iterator<Item = io::Result<F>>,
    earlier_versions: impl Iterator<Item = io::Result<E>>,
) -> io::Result<()>
where
    M: Borrow<RegistryMunicipality>,
    F: Borrow<ResolvedForm>,
    E: Borrow<EarlierVersion>,
{
    let mut earlier_versions = earlier_versions.peekable();
    let any_earlier = earlier_versions.peek().is_some();
    serde_json::to_writer_pretty(
        w,
        &Written {
            format,
            municipalities: Seq::<_, RegistryMunicipality>::new(municipalities),
            forms: Forms(RefCell::new(Some(forms))),
            earlier_versions: any_earlier.then(|| Seq::<_, EarlierVersion>::new(earlier_versions)),
        },
    )
    .map_err(io::Error::from)
}

/// [`super::Registry`] as written, its members in its order.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Written<'a, M: Serialize, F: Serialize, E: Serialize> {
    format: &'a str,
    municipalities: M,
    forms: F,
    #[serde(skip_serializing_if = "Option::is_none")]
    earlier_versions: Option<E>,
}

/// A list of `T`s serialized from an iterator (once).
struct Seq<I, T>(RefCell<Option<I>>, PhantomData<fn() -> T>);

impl<I, T> Seq<I, T> {
    fn new(items: I) -> Seq<I, T> {
        Seq(RefCell::new(Some(items)), PhantomData)
    }
}

impl<I, B, T> Serialize for Seq<I, T>
where
    I: Iterator<Item = io::Result<B>>,
    B: Borrow<T>,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let items = self.0.borrow_mut().take().expect("a list is written once");
        let mut seq = serializer.serialize_seq(None)?;
        for item in items {
            seq.serialize_element(item.map_err(S::Error::custom)?.borrow())?;
        }
        seq.end()
    }
}

/// The forms' entries, each with its form's text ([`FormTexts`]).
struct Forms<I>(RefCell<Option<I>>);

impl<I, B> Serialize for Forms<I>
where
    I: Iterator<Item = io::Result<B>>,
    B: Borrow<ResolvedForm>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let items = self.0.borrow_mut().take().expect("a list is written once");
        let mut texts = FormTexts::default();
        let mut seq = serializer.serialize_seq(None)?;
        for item in items {
            let item = item.map_err(S::Error::custom)?;
            let f: &ResolvedForm = item.borrow();
            seq.serialize_element(&Entry {
                municipality: &f.municipality,
                languages: &f.languages,
                form: texts.get(&f.form),
                service: &f.service,
                sha256: &f.sha256,
            })?;
        }
        seq.end()
    }
}

/// The text of each shared form in a registry entry, made once per form: by the form's
/// address (the entry keeps the `Arc`, so the address stays its own); at most
/// [`KEPT_TEXTS`], the ones used least recently let go of first (made again if asked for): a
/// country's registry has a few hundred distinct forms, more with each municipality that
/// changes one, and its entries come municipality by municipality.
struct FormTexts(Bounded<usize, (Arc<Form>, Box<RawValue>)>);

/// How many forms' texts are kept.
const KEPT_TEXTS: usize = 64;

impl Default for FormTexts {
    fn default() -> FormTexts {
        FormTexts(bounded(KEPT_TEXTS))
    }
}

impl FormTexts {
    fn get(&mut self, form: &Arc<Form>) -> &RawValue {
        // `form` is a member of an entry of `forms`, three levels down: its members are
        // indented by 8 spaces there, its closing brace by 6. JSON strings hold no raw line
        // breaks, so indenting after every line break indents exactly the lines.
        const INDENT: &str = "\n      ";
        let key = Arc::as_ptr(form) as usize;
        if self.0.get(&key).is_none() {
            let pretty = serde_json::to_string_pretty(&**form).expect("forms serialize");
            let text = RawValue::from_string(pretty.replace('\n', INDENT)).expect("JSON of a form");
            self.0.get_or_insert(key, || (Arc::clone(form), text));
        }
        &self.0.get(&key).expect("just kept").1
    }
}

/// [`ResolvedForm`] as written: its members in its order, the form's JSON made beforehand.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Entry<'a> {
    municipality: &'a MunicipalityRef,
    languages: &'a [String],
    form: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: &'a Option<String>,
    sha256: &'a str,
}
