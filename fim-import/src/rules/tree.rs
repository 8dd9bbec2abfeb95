//! Every element occurrence of a schema with its parent, in document order, and the lookup of a
//! reference the way a reader of the rule would.
//!
//! FIM ids repeat when a group is reused (the communication group of the applicant and of the
//! representative). A reference is looked up inside the element that carries the rule first,
//! then in each enclosing group, then in the whole schema; the first scope that holds the id
//! decides, and in it the occurrence nearest to the scope (a group's own field before the same
//! field inside one of its groups, which FIM names with a path). If several occurrences are
//! equally near, the reference is ambiguous and reported as such, never picked. A dotted path
//! (`G00000283.G00001373.F00000522`) must match the chain of enclosing groups.

use std::collections::HashMap;

use super::ast::Ref;
use crate::xdf::{Anzahl, Child, Element, Field, Schema};

/// Every element occurrence of a schema with its parent, in document order.
#[derive(Debug)]
pub struct Tree<'s> {
    nodes: Vec<Node<'s>>,
    by_uid: HashMap<usize, usize>,
}

#[derive(Debug)]
pub struct Node<'s> {
    pub parent: Option<usize>,
    pub anzahl: Anzahl,
    pub element: &'s Element,
}

impl Node<'_> {
    pub fn id(&self) -> &str {
        match self.element {
            Element::Group(g) => &g.id,
            Element::Field(f) => &f.id,
        }
    }

    /// The element's FIM name and label.
    pub fn names(&self) -> [&str; 2] {
        match self.element {
            Element::Group(g) => [&g.name, &g.label],
            Element::Field(f) => [&f.name, &f.label],
        }
    }

    /// The element, if it is a field.
    pub fn field(&self) -> Option<&Field> {
        match self.element {
            Element::Field(f) => Some(f),
            Element::Group(_) => None,
        }
    }
}

impl<'s> Tree<'s> {
    pub fn new(schema: &'s Schema) -> Tree<'s> {
        let mut t = Tree {
            nodes: Vec::new(),
            by_uid: HashMap::new(),
        };
        t.add(&schema.children, None);
        t
    }

    fn add(&mut self, children: &'s [Child], parent: Option<usize>) {
        for c in children {
            let at = self.nodes.len();
            self.by_uid.insert(c.element.uid(), at);
            self.nodes.push(Node {
                parent,
                anzahl: c.anzahl,
                element: &c.element,
            });
            if let Element::Group(g) = &c.element {
                self.add(&g.children, Some(at));
            }
        }
    }

    /// Every occurrence with its place, in document order (a group before what it holds).
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Node<'s>)> + '_ {
        self.nodes.iter().enumerate()
    }

    pub fn node(&self, at: usize) -> &Node<'s> {
        &self.nodes[at]
    }

    /// The node of an element occurrence (`Element::uid`).
    pub fn at_uid(&self, uid: usize) -> Option<usize> {
        self.by_uid.get(&uid).copied()
    }

    pub fn uid(&self, at: usize) -> usize {
        self.nodes[at].element.uid()
    }

    fn ancestors(&self, at: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.nodes[at].parent, |p| self.nodes[*p].parent)
    }

    /// `at` is `scope` or lies inside it.
    pub fn within(&self, at: usize, scope: usize) -> bool {
        at == scope || self.ancestors(at).any(|a| a == scope)
    }

    /// Where an occurrence is: its ids from the top, `G00001802.G60000110.F60000240`.
    pub fn path(&self, at: usize) -> String {
        let mut ids: Vec<&str> = self.ancestors(at).map(|a| self.nodes[a].id()).collect();
        ids.reverse();
        ids.push(self.nodes[at].id());
        ids.join(".")
    }

    /// The fields inside a group, at any depth, in document order.
    pub fn fields_in(&self, group: usize) -> Vec<usize> {
        (group + 1..self.nodes.len())
            .take_while(|&i| self.within(i, group))
            .filter(|&i| self.nodes[i].field().is_some())
            .collect()
    }

    /// The fields directly in a group, in document order.
    pub fn child_fields(&self, group: usize) -> Vec<usize> {
        (group + 1..self.nodes.len())
            .take_while(|&i| self.within(i, group))
            .filter(|&i| self.nodes[i].parent == Some(group) && self.nodes[i].field().is_some())
            .collect()
    }

    /// Occurrences matching a written path: the last id is the element, the ids before it its
    /// enclosing groups, innermost last.
    fn matching(&self, path: &[String]) -> Vec<usize> {
        let Some((last, outer)) = path.split_last() else {
            return Vec::new();
        };
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].id() == last)
            .filter(|&i| {
                let mut cur = self.nodes[i].parent;
                for id in outer.iter().rev() {
                    match cur {
                        Some(p) if self.nodes[p].id() == id => cur = self.nodes[p].parent,
                        _ => return false,
                    }
                }
                true
            })
            .collect()
    }

    /// The occurrence a reference means, seen from the rule's `owner` (a node; `None` for a
    /// rule of the schema itself).
    pub fn find(&self, r: &Ref, owner: Option<usize>) -> Result<usize, String> {
        let found = self.matching(&r.path);
        if found.is_empty() {
            let elsewhere = self.matching(&r.path[r.path.len() - 1..]);
            let mut msg = format!("{r} is not in this schema");
            if r.path.len() > 1 && !elsewhere.is_empty() {
                let at: Vec<String> = elsewhere.iter().map(|&i| self.path(i)).collect();
                msg.push_str(&format!(" ({} is, at {})", r.id(), at.join(", ")));
            }
            return Err(msg);
        }
        let scopes = owner
            .into_iter()
            .flat_map(|o| std::iter::once(o).chain(self.ancestors(o)))
            .map(Some)
            .chain([None]);
        for scope in scopes {
            let inside: Vec<usize> = found
                .iter()
                .copied()
                .filter(|&i| scope.is_none_or(|s| self.within(i, s)))
                .collect();
            let Some(nearest) = inside.iter().map(|&i| self.depth(i, scope)).min() else {
                continue;
            };
            let nearest: Vec<usize> = inside
                .into_iter()
                .filter(|&i| self.depth(i, scope) == nearest)
                .collect();
            return match nearest.len() {
                1 => Ok(nearest[0]),
                _ => Err(self.ambiguous(r, &nearest, scope)),
            };
        }
        unreachable!("the whole schema is the last scope and holds every match")
    }

    /// How many groups lie between `scope` (the whole schema for `None`) and `at`.
    fn depth(&self, at: usize, scope: Option<usize>) -> usize {
        self.ancestors(at).take_while(|&a| Some(a) != scope).count()
    }

    fn ambiguous(&self, r: &Ref, found: &[usize], scope: Option<usize>) -> String {
        let at: Vec<String> = found.iter().map(|&i| self.path(i)).collect();
        let within = scope
            .map(|s| format!(" within {}", self.nodes[s].id()))
            .unwrap_or_default();
        format!(
            "{r} occurs {} times{within}, equally near ({}); the rule does not say which one it means",
            found.len(),
            at.join(", ")
        )
    }
}
