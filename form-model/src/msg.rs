//! What `check` says to a process designer, kept as a key of `messages/designer.yaml` with its
//! values and put into words only when it is shown: the same diagnostic reads in German (the
//! default) or English (`formfabrik check --lang en`), and no sentence is written in code.
//!
//! A value is a word from the designer's file (an id, a key, a path), a number, or another
//! message (a "did you mean" or "expected a whole number" inside a longer sentence). A message
//! with a value named `n` takes the plural form of that count.

use crate::messages::{DESIGNER, fill};

/// A sentence for a process designer, not yet in a language.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Msg {
    key: &'static str,
    args: Vec<(&'static str, Arg)>,
}

/// One value of a [`Msg`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arg {
    /// Written as it is: an id, a key, a file name, the parser's own words.
    Word(String),
    /// A count (`{n}` chooses the plural form).
    Count(u64),
    /// A part of the sentence in the same language.
    Msg(Msg),
    /// Nothing (a "did you mean" without a candidate).
    Empty,
}

impl Msg {
    /// The message `key` of `messages/designer.yaml` with its values (see [`msg!`](crate::msg)).
    pub fn new(key: &'static str, args: Vec<(&'static str, Arg)>) -> Self {
        Msg { key, args }
    }

    /// The key in `messages/designer.yaml`.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The message in `lang` (German for a language the area is not written in).
    pub fn render(&self, lang: &str) -> String {
        let count = self.args.iter().find_map(|(name, a)| match a {
            Arg::Count(n) if *name == "n" => Some(*n),
            _ => None,
        });
        let template = match count {
            Some(n) => DESIGNER.plural(self.key, lang, n),
            None => DESIGNER.text(self.key, lang),
        };
        let values: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(name, a)| (*name, a.render(lang)))
            .collect();
        let refs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
        fill(template, &refs)
    }
}

impl Arg {
    fn render(&self, lang: &str) -> String {
        match self {
            Arg::Word(w) => w.clone(),
            Arg::Count(n) => n.to_string(),
            Arg::Msg(m) => m.render(lang),
            Arg::Empty => String::new(),
        }
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Word(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Word(s.clone())
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Word(s.to_string())
    }
}

impl From<&&str> for Arg {
    fn from(s: &&str) -> Self {
        Arg::Word(s.to_string())
    }
}

impl From<Msg> for Arg {
    fn from(m: Msg) -> Self {
        Arg::Msg(m)
    }
}

impl From<Option<Msg>> for Arg {
    fn from(m: Option<Msg>) -> Self {
        m.map_or(Arg::Empty, Arg::Msg)
    }
}

macro_rules! count_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Count(n as u64)
            }
        }
    )*};
}
count_from!(u32, u64, usize);

/// `msg!("key", name = value, …)`: the message `key` of `messages/designer.yaml` with its
/// `{name}` placeholders' values.
#[macro_export]
macro_rules! msg {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::msg::Msg::new(
            $key,
            vec![$((stringify!($name), $crate::msg::Arg::from($value))),*],
        )
    };
}
