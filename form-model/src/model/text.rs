//! Texts in several languages, as process designers write them in every catalog form,
//! overlay and municipality config.

use std::collections::BTreeMap;

/// A text in several languages, keyed by language code (`de`, `en`, `ar`, ...).
/// Long texts (intros, hints, purposes) may use Markdown.
pub type Text = BTreeMap<String, String>;
