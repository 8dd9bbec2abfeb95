//! The parts of a form page that depend only on the form and the language: its steps with
//! every question, its step list and the data its script works from. A country's build
//! publishes a few dozen distinct forms on tens of thousands of pages (a catalog form that
//! municipalities publish as it is is one shared `Arc<Form>`, and so is a form that several
//! municipalities change into the same form; see form-model's resolve), so these are rendered
//! once per form and language and put into each municipality's frame.
//! A page filled in with a citizen's answers is rendered on its own. `pages::form` renders
//! them; this module keeps them.

use std::sync::{Arc, Mutex};

use form_model::bounded::{Bounded, bounded};
use form_model::model::Form;

/// A form's rendered steps, step list and script data in one language.
#[derive(Debug)]
pub struct FormBody {
    pub step_nav: String,
    pub steps: String,
    /// The JSON of `#form-data`, ready for its `<script>` element.
    pub script_data: String,
}

/// Bodies rendered so far, by form (the shared `Arc`'s address; the entry keeps the `Arc`, so
/// the address cannot be reused by another form while the entry exists) and language: at most
/// [`KEPT_BODIES`], the ones used least recently let go of first (rendered again if asked for).
#[derive(Debug)]
pub struct Bodies(Mutex<Bounded<BodyKey, Kept>>);

/// How many bodies are kept: the forms a chunk of municipalities publishes in their languages
/// with room to spare (a country's build meets a few hundred distinct forms, more with each
/// municipality that changes one; a body is tens of KB).
pub const KEPT_BODIES: usize = 256;

impl Default for Bodies {
    fn default() -> Bodies {
        Bodies(Mutex::new(bounded(KEPT_BODIES)))
    }
}

/// The address of a shared form and a language.
type BodyKey = (usize, String);
/// The form (kept alive, so its address stays its own) and its body.
type Kept = (Arc<Form>, Arc<FormBody>);

impl Bodies {
    /// How many bodies are kept.
    pub fn len(&self) -> usize {
        self.0.lock().expect("bodies lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The body of `form` in `lang`, rendered by `render` the first time it is asked for.
    pub fn get_or_render<E>(
        &self,
        form: &Arc<Form>,
        lang: &str,
        render: impl FnOnce() -> Result<FormBody, E>,
    ) -> Result<Arc<FormBody>, E> {
        let key = (Arc::as_ptr(form) as usize, lang.to_string());
        if let Some((_, body)) = self.0.lock().expect("bodies lock").get(&key) {
            return Ok(Arc::clone(body));
        }
        // Rendered outside the lock: two pages asking at once render the same body twice,
        // and either copy is the same.
        let body = Arc::new(render()?);
        self.0
            .lock()
            .expect("bodies lock")
            .get_or_insert(key, || (Arc::clone(form), Arc::clone(&body)));
        Ok(body)
    }
}
