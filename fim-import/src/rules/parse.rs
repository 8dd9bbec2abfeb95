//! Builds the [`ast`](super::ast) tree of a FIM rule's prose from what the
//! [`grammar`](super::grammar) read. A text is read only as a whole.

use pest::iterators::Pair;

use super::ast::*;
use super::grammar::{ParseError, Rule, is_keyword, read};

/// Reads a rule text.
pub fn parse(text: &str) -> Result<RuleText, ParseError> {
    let root = read(text)?;
    let mut notes = Vec::new();
    let statements = root
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|p| statement(p, &mut notes))
        .collect();
    Ok(RuleText { statements, notes })
}

fn statement(p: Pair<Rule>, notes: &mut Vec<String>) -> Statement {
    match p.as_rule() {
        Rule::conditional => {
            let mut when = None;
            let mut then = None;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::condition => when = Some(condition(c, notes)),
                    r if duty(r).is_some() => then = Some(consequence(c)),
                    _ => {}
                }
            }
            let then: Consequence = then.expect("grammar: conditional has a consequence");
            if then.duty == Duty::NotRequired {
                let note = "„muss … nicht befüllt sein“ is read as the words say: need not be filled (not: must not be filled)".to_string();
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
            Statement::If {
                when: when.expect("grammar: conditional has a condition"),
                then,
            }
        }
        Rule::at_least_one => {
            let set = p
                .into_inner()
                .find_map(|c| match c.as_rule() {
                    Rule::listed_elements => Some(FieldSet::Listed(refs(c))),
                    Rule::fields_of_group => Some(FieldSet::Group(first_ref(c))),
                    _ => None,
                })
                .expect("grammar: at_least_one names elements");
            Statement::AtLeastOne(set)
        }
        Rule::exactly_one => Statement::ExactlyOne(
            p.into_inner()
                .filter(|c| c.as_rule() == Rule::choice)
                .map(refs)
                .collect(),
        ),
        Rule::repeat => {
            let mut field = None;
            let mut max = 0;
            let mut distinct = false;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::element_ref => field = Some(element_ref(c)),
                    Rule::times => max = number(c),
                    Rule::distinct => distinct = true,
                    _ => {}
                }
            }
            Statement::Repeat {
                field: field.expect("grammar: repeat names a field"),
                max,
                distinct,
            }
        }
        r => unreachable!("grammar: {r:?} is not a statement"),
    }
}

fn duty(r: Rule) -> Option<Duty> {
    Some(match r {
        Rule::made_required | Rule::must | Rule::must_not_be_empty => Duty::Required,
        Rule::must_not | Rule::must_be_empty => Duty::Forbidden,
        Rule::may => Duty::Allowed,
        Rule::need_not => Duty::NotRequired,
        _ => return None,
    })
}

fn consequence(p: Pair<Rule>) -> Consequence {
    let duty = duty(p.as_rule()).expect("a consequence rule");
    let targets = p
        .into_inner()
        .find(|c| c.as_rule() == Rule::targets)
        .map(refs)
        .unwrap_or_default();
    Consequence { duty, targets }
}

/// `condition`: and-conditions joined by ODER.
fn condition(p: Pair<Rule>, notes: &mut Vec<String>) -> Condition {
    let ands: Vec<Pair<Rule>> = p
        .into_inner()
        .filter(|c| c.as_rule() == Rule::and_cond)
        .collect();
    let mixed = ands.len() > 1
        && ands.iter().any(|a| {
            a.clone()
                .into_inner()
                .filter(|c| !is_keyword(c.as_rule()))
                .count()
                > 1
        });
    let parts: Vec<Condition> = ands.into_iter().map(|a| and_cond(a, notes)).collect();
    let c = combine(parts, Condition::Any);
    if mixed {
        notes.push(format!(
            "„UND“ and „ODER“ without parentheses are read as UND before ODER: {c}"
        ));
    }
    c
}

fn and_cond(p: Pair<Rule>, notes: &mut Vec<String>) -> Condition {
    let parts: Vec<Condition> = p
        .into_inner()
        .filter(|c| !is_keyword(c.as_rule()))
        .map(|c| atom(c, notes))
        .collect();
    combine(parts, Condition::All)
}

fn combine(mut parts: Vec<Condition>, many: fn(Vec<Condition>) -> Condition) -> Condition {
    if parts.len() == 1 {
        parts.pop().expect("one part")
    } else {
        many(parts)
    }
}

fn atom(p: Pair<Rule>, notes: &mut Vec<String>) -> Condition {
    let rule = p.as_rule();
    if rule == Rule::condition {
        return condition(p, notes);
    }
    if rule == Rule::since_today {
        return since(p);
    }
    let mut refs: Vec<Ref> = Vec::new();
    let mut group: Option<Ref> = None;
    let mut n = 0;
    let mut negated = false;
    let mut value = None;
    let mut test_pairs: Vec<Pair<Rule>> = Vec::new();
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::element_ref => refs.push(element_ref(c)),
            Rule::group_ref => group = Some(element_ref(c)),
            Rule::count => n = number(c),
            Rule::negation => negated = true,
            Rule::empty_value | Rule::bool_value | Rule::code_value | Rule::text_value => {
                value = Some(self::value(c))
            }
            Rule::compare_chain | Rule::filled | Rule::empty => test_pairs.push(c),
            _ => {}
        }
    }
    let subject = match rule {
        Rule::value_given => {
            let op = if negated { Op::Ne } else { Op::Eq };
            return Condition::Test {
                subject: Subject::Element(refs.remove(0)),
                test: Test::Compare {
                    op,
                    value: value.expect("grammar: a value"),
                },
            };
        }
        Rule::element_test => Subject::Element(refs.remove(0)),
        Rule::any_field => Subject::AnyOf(FieldSet::Group(group.expect("grammar: a group"))),
        Rule::first_fields => Subject::AllOf(FieldSet::FirstOf {
            group: group.expect("grammar: a group"),
            n,
        }),
        Rule::only_field => Subject::OnlyOf {
            group: group.expect("grammar: a group"),
            field: refs.remove(0),
        },
        Rule::other_field => Subject::AnyOf(FieldSet::GroupExcept {
            group: group.expect("grammar: a group"),
            except: refs.remove(0),
        }),
        Rule::all_fields => Subject::AllOf(FieldSet::Listed(refs)),
        r => unreachable!("grammar: {r:?} is not a condition"),
    };
    let t = test_pairs.pop().expect("grammar: a test");
    test(subject, t)
}

fn test(subject: Subject, p: Pair<Rule>) -> Condition {
    match p.as_rule() {
        Rule::filled | Rule::empty => {
            let negated = p
                .clone()
                .into_inner()
                .any(|c| c.as_rule() == Rule::negation);
            let filled = (p.as_rule() == Rule::filled) != negated;
            Condition::Test {
                subject,
                test: if filled { Test::Filled } else { Test::Empty },
            }
        }
        Rule::compare_chain => {
            let mut first = None;
            let mut rest: Option<(bool, Vec<Pair<Rule>>)> = None;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::compare => first = Some(c),
                    Rule::or_compares | Rule::and_compares => {
                        let any = c.as_rule() == Rule::or_compares;
                        let cs = c
                            .into_inner()
                            .filter(|x| x.as_rule() == Rule::compare)
                            .collect();
                        rest = Some((any, cs));
                    }
                    _ => {}
                }
            }
            let one = |c: Pair<Rule>| {
                let (op, value) = compare(c);
                Condition::Test {
                    subject: subject.clone(),
                    test: Test::Compare { op, value },
                }
            };
            let first = one(first.expect("grammar: a comparison"));
            match rest {
                None => first,
                Some((any, cs)) => {
                    let mut all = vec![first];
                    all.extend(cs.into_iter().map(one));
                    if any {
                        Condition::Any(all)
                    } else {
                        Condition::All(all)
                    }
                }
            }
        }
        r => unreachable!("grammar: {r:?} is not a test"),
    }
}

fn compare(p: Pair<Rule>) -> (Op, Value) {
    let mut op = Op::Eq;
    let mut v = None;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::cmp_op => op = self::op(c.as_str()),
            _ => v = Some(value(c)),
        }
    }
    (op, v.expect("grammar: a value"))
}

fn op(s: &str) -> Op {
    match s {
        "=" => Op::Eq,
        "<>" | "!=" => Op::Ne,
        "<" => Op::Lt,
        "<=" => Op::Le,
        ">" => Op::Gt,
        ">=" => Op::Ge,
        o => unreachable!("grammar: operator {o}"),
    }
}

fn value(p: Pair<Rule>) -> Value {
    match p.as_rule() {
        Rule::empty_value => Value::Empty,
        Rule::bool_value => Value::Bool(p.into_inner().any(|c| c.as_rule() == Rule::kw_wahr)),
        Rule::code_value => {
            let mut code = String::new();
            let mut label = None;
            for c in p.into_inner() {
                match c.as_rule() {
                    Rule::code => code = c.as_str().to_string(),
                    Rule::label => label = Some(label_text(c)),
                    _ => {}
                }
            }
            Value::Code { code, label }
        }
        Rule::text_value => Value::Text(
            p.into_inner()
                .next()
                .map(label_text)
                .expect("grammar: a label"),
        ),
        r => unreachable!("grammar: {r:?} is not a value"),
    }
}

fn since(p: Pair<Rule>) -> Condition {
    let mut field = None;
    let mut dates: Vec<Pair<Rule>> = Vec::new();
    let mut any = true;
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::element_ref => field = Some(element_ref(c)),
            Rule::date_compare => dates.push(c),
            Rule::or_dates | Rule::and_dates => {
                any = c.as_rule() == Rule::or_dates;
                dates.extend(c.into_inner().filter(|x| x.as_rule() == Rule::date_compare));
            }
            _ => {}
        }
    }
    let field = field.expect("grammar: a date field");
    let parts: Vec<Condition> = dates
        .into_iter()
        .map(|d| {
            let mut op = Op::Eq;
            let mut amount = 0;
            let mut unit = Unit::Days;
            for c in d.into_inner() {
                match c.as_rule() {
                    Rule::cmp_op => op = self::op(c.as_str()),
                    Rule::amount => amount = number(c),
                    Rule::unit_days => unit = Unit::Days,
                    Rule::unit_weeks => unit = Unit::Weeks,
                    Rule::unit_months => unit = Unit::Months,
                    Rule::unit_years => unit = Unit::Years,
                    _ => {}
                }
            }
            Condition::Since {
                field: field.clone(),
                op,
                amount,
                unit,
            }
        })
        .collect();
    combine(parts, if any { Condition::Any } else { Condition::All })
}

/// Every element reference directly below `p` (a list or a choice).
fn refs(p: Pair<Rule>) -> Vec<Ref> {
    p.into_inner()
        .filter(|c| matches!(c.as_rule(), Rule::element_ref | Rule::group_ref))
        .map(element_ref)
        .collect()
}

fn first_ref(p: Pair<Rule>) -> Ref {
    refs(p).into_iter().next().expect("grammar: an element")
}

fn element_ref(p: Pair<Rule>) -> Ref {
    let span = p.as_span().start()..p.as_span().end();
    let mut r = Ref {
        path: Vec::new(),
        label: None,
        noun: None,
        span,
    };
    for c in p.into_inner() {
        match c.as_rule() {
            Rule::noun_group => r.noun = Some(Noun::Group),
            Rule::noun_field => r.noun = Some(Noun::Field),
            Rule::id_path => {
                r.path = c.into_inner().map(|i| i.as_str().to_string()).collect();
            }
            Rule::label => r.label = Some(label_text(c)),
            _ => {}
        }
    }
    r
}

fn label_text(p: Pair<Rule>) -> String {
    p.into_inner()
        .next()
        .map(|c| c.as_str().split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// `vier`, `dreimal`, `3`.
fn number(p: Pair<Rule>) -> u32 {
    let inner = p.clone().into_inner().next();
    let s = inner.as_ref().map(Pair::as_str).unwrap_or(p.as_str());
    if let Ok(n) = s.parse() {
        return n;
    }
    let words = [
        "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf",
        "zwölf",
    ];
    let s = s.to_lowercase();
    let s = if s == "eins" { "ein" } else { s.as_str() };
    words
        .iter()
        .position(|w| *w == s)
        .map(|i| i as u32 + 1)
        .expect("grammar: a number word")
}

#[cfg(test)]
mod tests;
