//! Reads a FIM rule's prose with the grammar in `grammar.pest` and builds the [`ast`] tree.
//!
//! A text is read only as a whole. When the grammar stops, the error names the line and column
//! where it stopped, the text it could not read from there, and what it expected instead.

use pest::Parser;
use pest::error::InputLocation;
use pest::iterators::Pair;

use super::ast::*;

#[derive(pest_derive::Parser)]
#[grammar = "rules/grammar.pest"]
struct Grammar;

/// Where and why a rule text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ParseError {
    /// Byte offset in the text where reading stopped.
    pub offset: usize,
    /// 1-based line and column (in characters) of `offset`.
    pub line: usize,
    pub column: usize,
    /// The text from `offset` on, on one line, shortened.
    pub unread: String,
    /// What the grammar would have accepted there, in words.
    pub expected: Vec<String>,
}

impl ParseError {
    fn describe(&self) -> String {
        let what = if self.unread.is_empty() {
            "the text ends too early".to_string()
        } else {
            format!("cannot read „{}“", self.unread)
        };
        let mut s = format!("line {}, column {}: {what}", self.line, self.column);
        if !self.expected.is_empty() {
            s.push_str("; expected ");
            s.push_str(&self.expected.join(", "));
        }
        s
    }
}

/// How much of the unread text an error quotes.
const UNREAD_CHARS: usize = 60;

/// Reads a rule text.
pub fn parse(text: &str) -> Result<RuleText, ParseError> {
    let mut pairs = Grammar::parse(Rule::rule_text, text).map_err(|e| error(text, e))?;
    let root = pairs.next().expect("rule_text matched");
    let mut notes = Vec::new();
    let statements = root
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|p| statement(p, &mut notes))
        .collect();
    Ok(RuleText { statements, notes })
}

fn error(text: &str, e: pest::error::Error<Rule>) -> ParseError {
    let offset = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    let rest: String = text[offset..]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut unread: String = rest.chars().take(UNREAD_CHARS).collect();
    if rest.chars().count() > UNREAD_CHARS {
        unread.push('…');
    }
    let mut expected: Vec<String> = Vec::new();
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant {
        for r in positives {
            if let Some(w) = expectation(*r)
                && !expected.contains(&w)
            {
                expected.push(w);
            }
        }
    }
    ParseError {
        offset,
        line,
        column,
        unread,
        expected,
    }
}

/// A grammar rule as a reader of the error understands it; `None` for rules that are only
/// structure.
fn expectation(r: Rule) -> Option<String> {
    let name = format!("{r:?}");
    if let Some(word) = name.strip_prefix("kw_") {
        let word = match word {
            "befuellt" => "befüllt",
            "ausgefuellt" => "ausgefüllt",
            "ausgewaehlt" => "ausgewählt",
            "hoechstens" => "höchstens",
            w => w,
        };
        return Some(format!("„{word}“"));
    }
    Some(
        match r {
            Rule::element_ref | Rule::group_ref | Rule::id_path | Rule::fim_id => {
                "a FIM id (F… or G…)"
            }
            Rule::cmp_op | Rule::compare | Rule::compare_chain => "a comparison (=, <>, <, >)",
            Rule::label | Rule::text_value => "a label in quotes",
            Rule::code | Rule::code_value => "a code",
            Rule::empty_value | Rule::bool_value => "a value",
            Rule::count | Rule::amount | Rule::number_word | Rule::times => "a number",
            Rule::unit_days | Rule::unit_weeks | Rule::unit_months | Rule::unit_years => {
                "a time unit (Tage, Wochen, Monate, Jahre)"
            }
            Rule::noun_group | Rule::noun_field => "„Feld“ or „Feldgruppe“",
            Rule::filled | Rule::empty => "„befüllt“ or „leer“",
            Rule::EOI => "the end of the text",
            _ => return None,
        }
        .to_string(),
    )
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

/// Keywords are atomic rules named `kw_…`; they carry no content for the tree.
fn is_keyword(r: Rule) -> bool {
    format!("{r:?}").starts_with("kw_")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reading in the tree's notation, or the error.
    fn read(text: &str) -> String {
        match parse(text) {
            Ok(t) => t.to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn a_value_given_in_a_field_makes_another_field_required() {
        assert_eq!(
            read(
                "Wenn im Datenfeld F00000462 der Wert 001 angegeben wurde, dann soll F00000467 zum Pflichtfeld werden."
            ),
            "if F00000462 = 001 then required F00000467"
        );
        assert_eq!(
            read(
                "Wenn im Datenfeld F60000242 nicht der Wert \"\" angegeben wurde, dann soll F00002408 zum Pflichtfeld werden."
            ),
            "if F60000242 <> \"\" then required F00002408"
        );
    }

    #[test]
    fn must_be_filled_and_must_not_be_filled_are_two_statements_of_one_rule() {
        let t = parse(
            "Wenn das Feld F00002543 \"Fristverkürzung\" = \"wahr\", dann muss das Feld F00002401 \"Grund für Fristverkürzung\" befüllt sein. Wenn das Feld F00002543 \"Fristverkürzung\" <> \"wahr\", dann darf das Feld F00002401 \"Grund für Fristverkürzung\" nicht befüllt sein.",
        )
        .unwrap();
        assert_eq!(
            t.to_string(),
            "if F00002543 = wahr then required F00002401; if F00002543 <> wahr then forbidden F00002401"
        );
        let Statement::If { when, then } = &t.statements[0] else {
            panic!("a conditional");
        };
        assert_eq!(
            then.targets[0].label.as_deref(),
            Some("Grund für Fristverkürzung")
        );
        assert_eq!(then.targets[0].noun, Some(Noun::Field));
        let Condition::Test {
            subject: Subject::Element(r),
            ..
        } = when
        else {
            panic!("a test of one element");
        };
        assert_eq!(r.label.as_deref(), Some("Fristverkürzung"));
    }

    #[test]
    fn dotted_paths_name_an_element_inside_its_groups() {
        let t = parse(
            "Wenn das Feld G00000283.G00001373.F00002492 \"Stationäre Arbeitsstätte abweichend\" = \"wahr\", dann muss die Feldgruppe G00001378.G00001457 \"Anschrift\" befüllt sein.",
        )
        .unwrap();
        let refs = t.refs();
        assert_eq!(refs[0].path, ["G00000283", "G00001373", "F00002492"]);
        assert_eq!(refs[0].id(), "F00002492");
        assert_eq!(refs[1].path, ["G00001378", "G00001457"]);
        assert_eq!(refs[1].noun, Some(Noun::Group));
    }

    #[test]
    fn xdatenfelder_3_ids_have_eleven_digits() {
        assert_eq!(
            read(
                "Wenn F60000000240 \"Telefon\" leer ist, dann muss F60000000242 \"E-Mail\" befüllt sein."
            ),
            "if F60000000240 empty then required F60000000242"
        );
    }

    #[test]
    fn und_binds_closer_than_oder_and_the_reading_says_so() {
        let t = parse(
            "Wenn das Feld F00000001 = \"wahr\" UND das Feld F00000002 <> \"wahr\" ODER das Feld F00000003 = \"wahr\", dann darf die Feldgruppe G00000001 nicht befüllt sein.",
        )
        .unwrap();
        assert_eq!(
            t.to_string(),
            "if (F00000001 = wahr and F00000002 <> wahr) or F00000003 = wahr then forbidden G00000001"
        );
        assert_eq!(t.notes.len(), 1, "{:?}", t.notes);
        assert!(t.notes[0].contains("UND before ODER"));
    }

    #[test]
    fn parentheses_group_conditions() {
        assert_eq!(
            read(
                "Wenn das Feld F00000001 = \"wahr\" UND (das Feld F00000002 = \"wahr\" ODER das Feld F00000003 = \"wahr\"), dann muss das Feld F00000004 befüllt sein."
            ),
            "if F00000001 = wahr and (F00000002 = wahr or F00000003 = wahr) then required F00000004"
        );
        assert!(parse("Wenn (das Feld F00000002 = wahr ODER das Feld F00000003 = wahr), dann muss F00000004 befüllt sein.").unwrap().notes.is_empty());
    }

    #[test]
    fn filled_and_empty_in_all_their_spellings() {
        assert_eq!(
            read(
                "Wenn die Feldgruppe G00001378 \"U\" befüllt ist, dann muss die Feldgruppe G00001402 \"Z\" befüllt sein."
            ),
            "if G00001378 filled then required G00001402"
        );
        assert_eq!(
            read(
                "Wenn die Feldgruppe G00001378 \"U\" nicht befüllt ist UND die Gruppe G00001386 nicht befüllt ist, dann darf die Feldgruppe G00001402 nicht befüllt sein."
            ),
            "if G00001378 empty and G00001386 empty then forbidden G00001402"
        );
        assert_eq!(
            read(
                "Wenn F60000231 \"Tag\" nicht leer, dann darf F60000232 \"Monat\" nicht leer sein."
            ),
            "if F60000231 filled then required F60000232"
        );
        assert_eq!(
            read(
                "Wenn Feld F00000532 \"B\" <> wahr ODER das Feld F00000549 \"D\" leer ist, dann muss das Feld F00000550 \"A\" befüllt sein."
            ),
            "if F00000532 <> wahr or F00000549 empty then required F00000550"
        );
    }

    #[test]
    fn kann_allows_and_muss_nicht_is_read_as_need_not() {
        assert_eq!(
            read(
                "Wenn das Feld F00000519 = \"wahr\", dann kann das Feld F00000521 befüllt werden."
            ),
            "if F00000519 = wahr then allowed F00000521"
        );
        let t =
            parse("Wenn Feld F00000532 = wahr, dann muss das Feld F00000550 nicht befüllt sein.")
                .unwrap();
        assert_eq!(
            t.to_string(),
            "if F00000532 = wahr then not required F00000550"
        );
        assert!(t.notes[0].contains("need not be filled"));
    }

    #[test]
    fn codes_with_labels_and_further_values_of_the_same_field() {
        assert_eq!(
            read(
                "Wenn das Feld F00002509 \"A\" = 02 \"teilweise erfüllt\", dann muss das Feld F00002510 \"B\" befüllt sein."
            ),
            "if F00002509 = 02 \"teilweise erfüllt\" then required F00002510"
        );
        assert_eq!(
            read(
                "Wenn das Feld F60000352 \"V\" = 003 \"Ja (juristisch).\" ODER = 005 \"Ja, bevollmächtigt.\", dann muss die Datenfeldgruppe\nG60000223 \"G\" befüllt sein."
            ),
            "if F60000352 = 003 \"Ja (juristisch).\" or F60000352 = 005 \"Ja, bevollmächtigt.\" then required G60000223"
        );
        assert_eq!(
            read(
                "Wenn das Feld F60000352 <> 003 UND <> 005 dann darf das Datenfeld F60000351 \"Vollmacht\" nicht befüllt sein."
            ),
            "if F60000352 <> 003 and F60000352 <> 005 then forbidden F60000351"
        );
    }

    #[test]
    fn dates_relative_to_today() {
        assert_eq!(
            read(
                "Wenn (aktuelles Datum - F00000539 \"Beginn der Tätigkeiten\") < 7 Tage muss das Feld F00002543 \"Fristverkürzung\" befüllt sein."
            ),
            "if today - F00000539 < 7 days then required F00002543"
        );
        assert_eq!(
            read(
                "Wenn (aktuelles Datum - F00000539 \"Beginn\") > 7 Tage oder = 7 Tage darf das Feld F00002543 nicht befüllt sein."
            ),
            "if today - F00000539 > 7 days or today - F00000539 = 7 days then forbidden F00002543"
        );
        assert_eq!(
            read(
                "Wenn (aktuelles Datum - G00001377.F00002373 \"Zeitpunkt\") <= 6 Jahre, dann muss die Feldgruppe G00001393 befüllt sein."
            ),
            "if today - G00001377.F00002373 <= 6 years then required G00001393"
        );
    }

    #[test]
    fn quantified_fields_of_a_group() {
        assert_eq!(
            read(
                "Wenn mindestens ein Feld der Feldgruppe G00000283.G00001375 \"T\" = \"wahr\", dann muss die Feldgruppe G00001386 befüllt sein."
            ),
            "if any of the fields of G00000283.G00001375 = wahr then required G00001386"
        );
        assert_eq!(
            read(
                "Wenn die ersten vier Felder der Feldgruppe G00000283.G00001375 \"T\" <> \"wahr\", dann muss die Feldgruppe G00001377 befüllt sein."
            ),
            "if each of the first 4 fields of G00000283.G00001375 <> wahr then required G00001377"
        );
        assert_eq!(
            read(
                "Wenn aus der Feldgruppe G00000283 \"A\" als einziges Feld das Feld G00000283.G00001373.F00000522 \"T\" = \"wahr\", dann muss die Feldgruppe G00001393 befüllt sein."
            ),
            "if only G00000283.G00001373.F00000522 of the fields of G00000283 = wahr then required G00001393"
        );
        assert_eq!(
            read(
                "Wenn aus der Feldgruppe G00000283 \"A\" mindestens ein weiteres Feld als das Feld G00000283.G00001373.F00000522 \"T\" = \"wahr\", dann darf die Feldgruppe G00001393 nicht befüllt sein."
            ),
            "if any of the fields of G00000283 other than G00000283.G00001373.F00000522 = wahr then forbidden G00001393"
        );
    }

    #[test]
    fn at_least_one_of_several_fields() {
        assert_eq!(
            read(
                "Es muss mindestens eines der Felder F00000069 \"Telefon\", F00000072 \"Telefax\" oder F00000071 \"E-Mail\" befüllt sein."
            ),
            "at least one of (F00000069, F00000072, F00000071)"
        );
        assert_eq!(
            read(
                "Es muss mindestens ein Feld der Feldgruppe G60000110 \"Kommunikation\" befüllt sein."
            ),
            "at least one of the fields of G60000110"
        );
    }

    #[test]
    fn exactly_one_of_groups_or_of_fields_filled_together() {
        assert_eq!(
            read(
                "Es muss entweder die Feldgruppe G00000237 \"Straße\" oder die Feldgruppe G00000238 \"Postfach\" befüllt werden."
            ),
            "exactly one of G00000237 | G00000238"
        );
        assert_eq!(
            read(
                "Es muss entweder das Feld F00002929 \"A\" oder (das Feld F00002936 \"B\" und das Feld F00002937 \"C\") befüllt sein."
            ),
            "exactly one of F00002929 | (F00002936 and F00002937)"
        );
    }

    #[test]
    fn entries_of_a_list_counted_and_distinct() {
        assert_eq!(
            read(
                "Das Feld F00002508 \"Technische Schutzmaßnahmen\" kann bis zu dreimal ausgefüllt werden, dabei darf aber jeder Eintrag nur maximal einmal ausgewählt werden."
            ),
            "F00002508 at most 3 times, each entry once"
        );
        assert_eq!(
            read(
                "Das Feld F00002507 \"Gebäudeteil\" kann bis zu zweimal ausgefüllt werden. Dabei darf aber jeder Eintrag maximal einmal ausgewählt werden."
            ),
            "F00002507 at most 2 times, each entry once"
        );
    }

    #[test]
    fn keywords_are_whole_words_in_any_ascii_case() {
        assert_eq!(
            read(
                "WENN das Feld F00000001 = wahr oder das feld F00000002 = falsch DANN MUSS das Feld F00000003 befuellt sein"
            ),
            "if F00000001 = wahr or F00000002 = falsch then required F00000003"
        );
        assert!(parse("Wenndas Feld F00000001 = wahr, dann muss F00000003 befüllt sein.").is_err());
    }

    #[test]
    fn a_rule_that_does_not_follow_the_shapes_names_where_reading_stopped() {
        let e = parse("Es muss entweder die die Feldgruppe G00000237 \"A\" oder die Feldgruppe G00000046 \"B\" befüllt werden.")
            .unwrap_err();
        assert_eq!((e.line, e.column, e.offset), (1, 22, 21));
        assert!(
            e.unread.starts_with("die Feldgruppe G00000237"),
            "{}",
            e.unread
        );
        assert_eq!(
            e.to_string(),
            "line 1, column 22: cannot read „die Feldgruppe G00000237 \"A\" oder die Feldgruppe G00000046 \"…“; expected „Feld“ or „Feldgruppe“"
        );
    }

    #[test]
    fn reading_stops_where_a_quote_is_missing_on_the_right_line() {
        let e = parse("Wenn das Feld F00000001 \"A\" = \"wahr\" ODER\ndas Feld G00000283.F00002365 Abbruch\" = \"wahr\", dann muss G00000001 befüllt sein.")
            .unwrap_err();
        assert_eq!((e.line, e.column), (2, 30));
        assert!(e.unread.starts_with("Abbruch\""), "{}", e.unread);
        assert!(
            e.expected.contains(&"a label in quotes".to_string()),
            "{:?}",
            e.expected
        );
    }

    #[test]
    fn a_text_that_stops_early_says_so() {
        let e = parse("Wenn das Feld F00000001 = \"wahr\", dann muss").unwrap_err();
        assert_eq!(e.unread, "");
        assert!(e.to_string().contains("the text ends too early"), "{e}");
    }

    #[test]
    fn prose_that_only_looks_like_a_rule_is_not_read() {
        assert!(parse("Wenn alle drei Felder F60000231 \"Tag\", F60000232 \"Monat\" und F60000233 \"Jahr\" befüllt sind, muss die Validität des Kalenderdatums sichergestellt werden.").is_err());
        assert!(parse("Das Feld F00002508 kann beliebig oft ausgefüllt werden.").is_err());
        assert!(parse("").is_err());
    }
}
