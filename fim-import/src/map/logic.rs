//! Conditions of the form language as logic: negation pushed inwards (De Morgan), nested `all`
//! / `any` flattened, and equality up to the order of their members. The conversion of FIM rules
//! needs it to see that "forbidden when D" is the other side of "required when C" (D = not C),
//! and to write the conditions people would write (`in: [a, b]` for two `equals` on one field).

use form_model::model::{Condition, Names};

/// A condition that may be known before any answer: FIM sometimes tests a text field for
/// "wahr", which never holds.
#[derive(Debug, Clone, PartialEq)]
// Short-lived values of the conversion; boxing would only add noise.
#[allow(clippy::large_enum_variant)]
pub(super) enum Tri {
    Always,
    Never,
    When(Condition),
}

impl Tri {
    pub(super) fn not(self) -> Tri {
        match self {
            Tri::Always => Tri::Never,
            Tri::Never => Tri::Always,
            Tri::When(c) => Tri::When(negate(&c)),
        }
    }

    /// All of `parts` hold (`any == false`) or at least one (`any == true`).
    pub(super) fn combine(parts: Vec<Tri>, any: bool) -> Tri {
        let (absorbing, neutral) = if any {
            (Tri::Always, Tri::Never)
        } else {
            (Tri::Never, Tri::Always)
        };
        let mut conds = Vec::new();
        for p in parts {
            match p {
                Tri::When(c) => conds.push(c),
                p if p == absorbing => return absorbing,
                _ => {}
            }
        }
        match conds.len() {
            0 => neutral,
            1 => Tri::When(conds.pop().expect("one")),
            _ if any => Tri::When(norm(&any_of(conds))),
            _ => Tri::When(norm(&all_of(conds))),
        }
    }
}

pub(super) fn all_of(cs: Vec<Condition>) -> Condition {
    Condition {
        all: Some(cs),
        ..Condition::default()
    }
}

pub(super) fn any_of(cs: Vec<Condition>) -> Condition {
    Condition {
        any: Some(cs),
        ..Condition::default()
    }
}

pub(super) fn not(c: Condition) -> Condition {
    Condition {
        not: Some(Box::new(c)),
        ..Condition::default()
    }
}

pub(super) fn answered(ids: Vec<String>) -> Condition {
    let names = if ids.len() == 1 {
        Names::One(ids[0].clone())
    } else {
        Names::Many(ids)
    };
    Condition {
        answered: Some(names),
        ..Condition::default()
    }
}

pub(super) fn equals(field: &str, value: &str) -> Condition {
    Condition {
        field: Some(field.to_string()),
        equals: Some(value.to_string()),
        ..Condition::default()
    }
}

/// `not c`, with the negation pushed as far inwards as the condition shapes allow.
pub(super) fn negate(c: &Condition) -> Condition {
    norm(&not(c.clone()))
}

/// Negation pushed inwards, double negation removed, nested `all`/`any` flattened, repeated
/// members dropped; the order of the members is kept.
pub(super) fn norm(c: &Condition) -> Condition {
    if let Some(inner) = &c.not {
        let inner = norm(inner);
        if let Some(x) = inner.not {
            return *x;
        }
        if let Some(cs) = inner.all {
            return norm(&any_of(cs.into_iter().map(not).collect()));
        }
        if let Some(cs) = inner.any {
            return norm(&all_of(cs.into_iter().map(not).collect()));
        }
        // A leaf stays negated: `not after d` also holds for an unanswered date, which the
        // complement `not-after d` would not.
        return not(inner);
    }
    for (list, any) in [(&c.all, false), (&c.any, true)] {
        let Some(cs) = list else { continue };
        let mut out: Vec<Condition> = Vec::new();
        for x in cs.iter().map(norm) {
            let same_kind = if any { x.any.clone() } else { x.all.clone() };
            for y in same_kind.unwrap_or_else(|| vec![x]) {
                if !out.contains(&y) {
                    out.push(y);
                }
            }
        }
        if out.len() == 1 {
            return out.pop().expect("one");
        }
        return if any { any_of(out) } else { all_of(out) };
    }
    c.clone()
}

/// The same condition up to the order of `all`/`any` members.
pub(super) fn same(a: &Condition, b: &Condition) -> bool {
    canonical(&norm(a)) == canonical(&norm(b))
}

fn canonical(c: &Condition) -> String {
    let sorted = |cs: &Vec<Condition>| {
        let mut v: Vec<String> = cs.iter().map(canonical).collect();
        v.sort();
        v.join(",")
    };
    if let Some(cs) = &c.all {
        return format!("all[{}]", sorted(cs));
    }
    if let Some(cs) = &c.any {
        return format!("any[{}]", sorted(cs));
    }
    if let Some(x) = &c.not {
        return format!("not[{}]", canonical(x));
    }
    if let Some(Names::Many(ids)) = &c.answered {
        let mut ids = ids.clone();
        ids.sort();
        return format!("answered{ids:?}");
    }
    serde_json::to_string(c).unwrap_or_default()
}

/// As people write it: `equals` on one field in an `any` become `in: [...]`, `answered` in an
/// `any` one list, `not` of an `any` of `not`s stays as normalised.
pub(super) fn pretty(c: &Condition) -> Condition {
    if let Some(x) = &c.not {
        return not(pretty(x));
    }
    if let Some(cs) = &c.all {
        return all_of(cs.iter().map(pretty).collect());
    }
    let Some(cs) = &c.any else {
        return c.clone();
    };
    let mut out: Vec<Condition> = Vec::new();
    for x in cs.iter().map(pretty) {
        let merged = out.iter_mut().any(|y| merge_or(y, &x));
        if !merged {
            out.push(x);
        }
    }
    if out.len() == 1 {
        out.pop().expect("one")
    } else {
        any_of(out)
    }
}

/// Folds `x` into `y` when "y or x" is one shape; whether it did.
fn merge_or(y: &mut Condition, x: &Condition) -> bool {
    let values = |c: &Condition| -> Option<(String, Vec<String>)> {
        let f = c.field.clone()?;
        match (&c.equals, &c.one_of) {
            (Some(v), None) => Some((f, vec![v.clone()])),
            (None, Some(vs)) => Some((f, vs.clone())),
            _ => None,
        }
    };
    if let (Some((fy, mut vy)), Some((fx, vx))) = (values(y), values(x))
        && fy == fx
    {
        for v in vx {
            if !vy.contains(&v) {
                vy.push(v);
            }
        }
        *y = Condition {
            field: Some(fy),
            one_of: Some(vy),
            ..Condition::default()
        };
        return true;
    }
    if let (Some(ay), Some(ax)) = (&y.answered, &x.answered) {
        let mut ids = ay.as_slice().to_vec();
        for id in ax.as_slice() {
            if !ids.contains(id) {
                ids.push(id.clone());
            }
        }
        *y = answered(ids);
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(test: &str, bound: &str) -> Condition {
        serde_json::from_value(serde_json::json!({ "field": "beginn", test: bound })).unwrap()
    }

    #[test]
    fn de_morgan_makes_the_forbidden_branch_the_other_side_of_the_required_one() {
        let c = any_of(vec![equals("art", "003"), equals("art", "005")]);
        let d = all_of(vec![not(equals("art", "003")), not(equals("art", "005"))]);
        assert!(same(&negate(&d), &c));
        assert!(!same(&negate(&d), &equals("art", "003")));
    }

    #[test]
    fn a_negated_date_test_stays_negated_because_an_unanswered_date_passes_neither() {
        let d = date("after", "today-7d");
        assert_eq!(negate(&d), not(d.clone()));
        assert_eq!(negate(&negate(&d)), d);
    }

    #[test]
    fn the_order_of_members_does_not_matter_and_repeats_are_dropped() {
        let a = all_of(vec![answered(vec!["a".into()]), equals("b", "ja")]);
        let b = all_of(vec![
            equals("b", "ja"),
            all_of(vec![answered(vec!["a".into()]), equals("b", "ja")]),
        ]);
        assert!(same(&a, &b));
    }

    #[test]
    fn equals_on_one_field_become_in_and_answered_lists_merge() {
        let c = any_of(vec![equals("art", "002"), equals("art", "004")]);
        let p = pretty(&c);
        assert_eq!(p.one_of, Some(vec!["002".to_string(), "004".to_string()]));
        let c = any_of(vec![answered(vec!["a".into()]), answered(vec!["b".into()])]);
        assert_eq!(pretty(&c), answered(vec!["a".into(), "b".into()]));
    }

    #[test]
    fn constants_absorb_or_vanish() {
        let c = Tri::When(equals("a", "ja"));
        assert_eq!(Tri::combine(vec![c.clone(), Tri::Never], true), c);
        assert_eq!(
            Tri::combine(vec![c.clone(), Tri::Always], true),
            Tri::Always
        );
        assert_eq!(Tri::combine(vec![c.clone(), Tri::Always], false), c);
        assert_eq!(Tri::combine(vec![c, Tri::Never], false), Tri::Never);
    }
}
