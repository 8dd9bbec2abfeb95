//! What a page template does with each of its variables ([`super::uses`] reads it), as a
//! tree along the shape of the values, which the splicer walks with a page's values.

use std::collections::HashSet;

/// Variables that are the same for every page of a language: the frame texts.
pub(crate) const CONSTANT_ROOTS: &[&str] = &["t"];

/// How a template uses a variable path (`page.alternates.*.href`; `*`: any list entry).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Use {
    /// Written out, escaped or as it is (`{{ x }}`, `{{ x | safe }}`).
    pub output: bool,
    /// Looped over (`{% for y in x %}`): its length decides.
    pub iter: bool,
    /// Tested (`{% if x %}`, `x is defined`): whether it is there and empty decides.
    pub test: bool,
    /// Measured (`x | length > 0`, `x | join(sep=", ")`): a list's length decides, or all
    /// of a text.
    pub measure: bool,
    /// Anything else: the value itself decides (compared, filtered, indexed by a variable).
    pub opaque: bool,
}

/// Every variable path a template uses, and how: a tree along the values' shape.
#[derive(Debug, Default)]
pub(crate) struct Uses {
    pub roots: UseTree,
    /// Names the templates `set`: a page with a variable of that name is not spliced (which
    /// of the two a later use means is not followed).
    pub set_names: HashSet<String>,
}

/// The uses of one path (`page.alternates`) and of the paths below it: by name, and any list
/// entry (`*`). A path the template never names is not in the tree.
#[derive(Debug, Default)]
pub(crate) struct UseTree {
    pub used: Use,
    pub children: Vec<(String, UseTree)>,
    pub any: Option<Box<UseTree>>,
}

impl UseTree {
    pub(crate) fn add(&mut self, path: &str, used: Use) {
        let mut node = self;
        for segment in path.split('.') {
            node = match segment {
                "*" => node.any.get_or_insert_with(Default::default),
                name => match node.children.iter().position(|(n, _)| n == name) {
                    Some(i) => &mut node.children[i].1,
                    None => {
                        node.children.push((name.to_string(), UseTree::default()));
                        &mut node.children.last_mut().expect("just pushed").1
                    }
                },
            };
        }
        node.used = used;
    }

    /// The uses of the entry `name` of an object.
    pub fn child(&self, name: &str) -> Option<&UseTree> {
        self.children
            .iter()
            .find_map(|(n, t)| (n == name).then_some(t))
    }
}
