//! The CSV a clerk opens in German Excel by double-click (`inbox export`, the default format):
//!
//! - UTF-8 **with byte order mark**, so Excel does not fall back to cp1252 and umlauts stay
//!   intact; `;` as separator (Excel's list separator in the German locale), CRLF, fields quoted
//!   as RFC 4180 when they hold `;`, `"` or a line break;
//! - numbers with a decimal comma (`12,5`), dates as `28.11.2026`, the time received in German
//!   local time (Europe/Berlin, from the tz database bundled with `jiff`, so the result does not
//!   depend on the machine's zone files) beside UTC;
//! - column titles from the form's German labels (an address gives one column per part,
//!   `Anschrift: Straße`; a group one per question, `Hund: Rasse`), option labels instead of
//!   codes (the codes in a second set of columns, `Art (Code)`, when asked), the fee and the
//!   payment reference when the form has fees, and for a form whose payment is optional whether
//!   it was paid online or the citizen declined (then a fee notice is due); the submission id
//!   last;
//! - for a form with sign-in, how the identity was verified (`crate::identity`): verified with
//!   BundID or not signed in, the trust level, the identity provider, the time of sign-in in
//!   German local time, and the questions whose answers came from the account and were locked
//!   (their column titles). Never the bPK2 (docs/identity.md);
//! - the same formula-injection guard as the machine CSV (`crate::export::neutralise`) on every
//!   cell that holds text from the citizen; numbers and dates written here need none.
//!
//! A repeatable group (several dogs) stays in one cell, one entry after the other
//! (`1) Rasse: Dackel, Name: Waldi | 2) …`). The words are in `crate::words`.

use form_model::record::SubmissionRecord;
use form_model::texts::text_in;
use form_model::validate::{ADDRESS_PARTS, fmt_date};
use form_model::{Field, FieldType, ResolvedForm};
use serde_json::{Map, Value};
use time::OffsetDateTime;

pub use crate::export::Delivered;
use crate::export::neutralise;
use crate::identity::{Source, locked_prefills, verified};
use crate::words;

/// The language of column titles and option labels.
const LANG: &str = "de";
/// Excel's list separator in the German locale.
pub const SEPARATOR: char = ';';
/// UTF-8's byte order mark: how Excel recognises a UTF-8 CSV.
pub const BOM: char = '\u{FEFF}';
/// The local time of the back offices.
pub const TIME_ZONE: &str = "Europe/Berlin";

/// A cell: text from the citizen (guarded against formulas) or a value written here.
pub(crate) enum Cell {
    Text(String),
    Made(String),
}

impl Cell {
    fn field(self) -> String {
        self.field_between(SEPARATOR)
    }

    /// The cell as a field of a CSV whose fields are separated by `separator`: guarded, and
    /// quoted as RFC 4180 when it holds the separator, `"` or a line break.
    pub(crate) fn field_between(self, separator: char) -> String {
        let text = match self {
            Cell::Text(t) => neutralise(&t),
            Cell::Made(t) => t,
        };
        if text.contains([separator, '"', '\r', '\n']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text
        }
    }
}

/// One column of the form's own: a question, or a part of one (address part, group question).
struct Column {
    title: String,
    /// Path into `data`: the field id, then the part or group question.
    path: Vec<String>,
    field: Field,
}

/// The columns of `fields` (a step's or a group's), titles prefixed by `prefix`.
fn columns(fields: &[Field], prefix: &str, path: &[String], out: &mut Vec<Column>) {
    // A text-block has no answer, so no column.
    for field in fields.iter().filter(|f| f.is_question()) {
        let label = format!("{prefix}{}", text_in(&field.label, LANG));
        let mut here = path.to_vec();
        here.push(field.id.clone());
        match field.kind {
            FieldType::Address => {
                for part in &ADDRESS_PARTS {
                    let mut p = here.clone();
                    p.push(part.key.to_string());
                    out.push(Column {
                        title: format!("{label}: {}", part.label("de")),
                        path: p,
                        field: field.clone(),
                    });
                }
            }
            FieldType::Group if field.repeat.is_none() => {
                columns(&field.fields, &format!("{label}: "), &here, out);
            }
            FieldType::File => {
                let mut p = here;
                p.push("name".into());
                out.push(Column {
                    title: format!("{label}: {}", words::word("file-name")),
                    path: p,
                    field: field.clone(),
                });
            }
            _ => out.push(Column {
                title: label,
                path: here,
                field: field.clone(),
            }),
        }
    }
}

fn value_at<'a>(data: &'a Map<String, Value>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = data.get(first)?;
    for step in rest {
        value = value.get(step)?;
    }
    Some(value)
}

/// A number with a decimal comma, as German Excel reads it.
pub fn decimal_comma(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() => form_model::validate::fmt_number(f).replace('.', ","),
        _ => n.to_string(),
    }
}

fn option_label(field: &Field, code: &str) -> String {
    field
        .options
        .iter()
        .find(|o| o.value == code)
        .map_or_else(|| code.to_string(), |o| text_in(&o.label, LANG))
}

/// The cell of `value`, an answer to `field` (or a part of it).
fn cell(field: &Field, value: Option<&Value>) -> Cell {
    let Some(value) = value else {
        return Cell::Made(String::new());
    };
    match (&field.kind, value) {
        (_, Value::Null) => Cell::Made(String::new()),
        (_, Value::Number(n)) => Cell::Made(decimal_comma(n)),
        (FieldType::Radios | FieldType::Select, Value::String(code)) => {
            Cell::Text(option_label(field, code))
        }
        (FieldType::Checkboxes, Value::Array(codes)) => Cell::Text(
            codes
                .iter()
                .filter_map(Value::as_str)
                .map(|c| option_label(field, c))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (FieldType::Date, Value::String(s)) => match form_model::rules::parse_date(s) {
            Some(d) => Cell::Made(fmt_date(d, LANG)),
            None => Cell::Text(s.clone()),
        },
        (FieldType::File, Value::String(name)) => {
            Cell::Text(form_model::record::display_safe(name).into_owned())
        }
        (FieldType::Group, Value::Array(entries)) => Cell::Text(repeated(field, entries)),
        (_, Value::String(s)) => Cell::Text(s.clone()),
        (_, other) => Cell::Text(other.to_string()),
    }
}

/// The entries of a repeatable group in one cell: `1) Rasse: Dackel, Name: Waldi | 2) …`.
fn repeated(group: &Field, entries: &[Value]) -> String {
    let mut cols = Vec::new();
    columns(&group.fields, "", &[], &mut cols);
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let answers: Vec<String> = cols
                .iter()
                .filter_map(|c| {
                    let data = entry.as_object()?;
                    let text = match cell(&c.field, value_at(data, &c.path)) {
                        Cell::Text(t) | Cell::Made(t) => t,
                    };
                    (!text.is_empty()).then(|| format!("{}: {text}", c.title))
                })
                .collect();
            format!("{}) {}", i + 1, answers.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// `28.11.2026 11:00` in `zone`.
pub(crate) fn local_time(at: OffsetDateTime, zone: &jiff::tz::TimeZone) -> String {
    local_strftime(at, zone, "%d.%m.%Y %H:%M")
}

/// `at` in `zone`, written with `format` (strftime).
pub(crate) fn local_strftime(
    at: OffsetDateTime,
    zone: &jiff::tz::TimeZone,
    format: &str,
) -> String {
    match jiff::Timestamp::from_second(at.unix_timestamp()) {
        Ok(ts) => ts
            .to_zoned_datetime(zone.clone())
            .strftime(format)
            .to_string(),
        Err(_) => String::new(),
    }
}

/// The time zone of the back offices from the bundled tz database.
pub(crate) fn berlin() -> jiff::tz::TimeZone {
    jiff::tz::TimeZoneDatabase::bundled()
        .get(TIME_ZONE)
        .expect("the bundled tz database has Europe/Berlin")
}

/// The clerk's CSV of `rows` (all of one form version, `form`), header first, BOM included.
/// With `codes`, a second set of columns holds the option codes of every choice question.
pub fn to_clerk_csv(form: &ResolvedForm, rows: &[Delivered], codes: bool) -> String {
    let mut cols = Vec::new();
    for step in &form.form.steps {
        columns(&step.fields, "", &[], &mut cols);
    }
    let code_cols: Vec<&Column> = if codes {
        cols.iter()
            .filter(|c| {
                matches!(
                    c.field.kind,
                    FieldType::Radios | FieldType::Select | FieldType::Checkboxes
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let fees = !form.form.fees.is_empty();
    // A form whose payment is optional: whether the citizen paid online or declined it (then
    // the clerk sends a fee notice).
    let offered = fees && form.form.payment == form_model::model::PaymentMode::Optional;
    let sign_in = form.form.identity.offers_sign_in();
    let mut header: Vec<String> = [
        words::word("reference"),
        words::word("received-local"),
        words::word("received-utc"),
    ]
    .iter()
    .map(|w| w.to_string())
    .collect();
    header.push(words::word("language").into());
    header.extend(cols.iter().map(|c| c.title.clone()));
    if fees {
        header.push(words::word("fee").into());
        header.push(words::word("payment-reference").into());
    }
    if offered {
        header.push(words::word("online-payment").into());
    }
    if sign_in {
        header.extend(IDENTITY_COLUMNS.iter().map(|k| words::word(k).to_string()));
    }
    header.extend(
        code_cols
            .iter()
            .map(|c| format!("{} ({})", c.title, words::word("code"))),
    );
    header.push(words::word("submission-id").into());

    let zone = berlin();
    let utc = jiff::tz::TimeZone::UTC;
    let mut out = String::new();
    out.push(BOM);
    let line = |cells: Vec<Cell>| {
        let mut l = cells
            .into_iter()
            .map(Cell::field)
            .collect::<Vec<_>>()
            .join(&SEPARATOR.to_string());
        l.push_str("\r\n");
        l
    };
    out.push_str(&line(header.into_iter().map(Cell::Made).collect()));
    for row in rows {
        let r = &row.record;
        let mut cells = vec![
            Cell::Text(r.reference.clone()),
            Cell::Made(local_time(r.received_at, &zone)),
            Cell::Made(local_time(r.received_at, &utc)),
            Cell::Text(r.language.clone()),
        ];
        cells.extend(
            cols.iter()
                .map(|c| cell(&c.field, value_at(&r.data, &c.path))),
        );
        if fees {
            let payment = row
                .metadata
                .as_ref()
                .and_then(|m| m.get("paymentInformation"));
            cells.push(Cell::Made(
                payment
                    .and_then(|p| p.get("grossAmount"))
                    .and_then(Value::as_number)
                    .map(money)
                    .unwrap_or_default(),
            ));
            cells.push(Cell::Text(
                payment
                    .and_then(|p| p.get("transactionReference"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            ));
            if offered {
                let text = |key| payment.and_then(|p| p.get(key)).and_then(Value::as_str);
                cells.push(Cell::Made(
                    if text("status") == Some("PAYED") {
                        words::word("online-payment-paid")
                    } else if text("paymentMethodDetail") == Some(store::metadata::PAYMENT_DECLINED)
                    {
                        words::word("online-payment-declined")
                    } else {
                        ""
                    }
                    .to_string(),
                ));
            }
        }
        if sign_in {
            cells.extend(identity_cells(form, r, &zone));
        }
        for c in &code_cols {
            cells.push(Cell::Text(match value_at(&r.data, &c.path) {
                Some(Value::String(code)) => code.clone(),
                Some(Value::Array(codes)) => codes
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => String::new(),
            }));
        }
        cells.push(Cell::Made(r.id.to_string()));
        out.push_str(&line(cells));
    }
    out
}

/// The titles (keys of `back-office.yaml`) of the identity columns of a form with sign-in.
const IDENTITY_COLUMNS: [&str; 5] = [
    "identity",
    "trust-level",
    "identity-provider",
    "authenticated-local",
    "from-account",
];

/// The cells under [`IDENTITY_COLUMNS`] for `record`: empty but the first when the citizen did
/// not sign in. The questions taken from the account are named by their labels.
fn identity_cells(
    form: &ResolvedForm,
    record: &SubmissionRecord,
    zone: &jiff::tz::TimeZone,
) -> Vec<Cell> {
    let Some(identity) = verified(record) else {
        let mut cells = vec![Cell::Made(words::word("identity-none").into())];
        cells.extend((1..IDENTITY_COLUMNS.len()).map(|_| Cell::Made(String::new())));
        return cells;
    };
    let locked: Vec<String> = locked_prefills(form, record)
        .iter()
        .map(|(f, source)| match source {
            Source::Account => text_in(&f.label, LANG),
            Source::Registry => format!(
                "{} ({})",
                text_in(&f.label, LANG),
                words::word("from-registry")
            ),
        })
        .collect();
    vec![
        Cell::Made(words::word("identity-verified").into()),
        Cell::Text(identity.trust_words()),
        Cell::Text(identity.provider().into()),
        Cell::Made(
            identity
                .authenticated_at()
                .map(|t| local_time(t, zone))
                .unwrap_or_default(),
        ),
        Cell::Text(locked.join("; ")),
    ]
}

/// An amount in euros with two decimals and a decimal comma: `96,00`.
fn money(n: &serde_json::Number) -> String {
    money_with(n, ',')
}

/// An amount in euros with two decimals after `decimal`: `96,00`, `96.00`.
pub(crate) fn money_with(n: &serde_json::Number, decimal: char) -> String {
    let cents = (n.as_f64().unwrap_or(0.0) * 100.0).round() as i64;
    let sign = if cents < 0 { "-" } else { "" };
    format!(
        "{sign}{}{decimal}{:02}",
        cents.abs() / 100,
        cents.abs() % 100
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn local_time_is_german_time_in_winter_and_summer_and_across_the_switch() {
        let zone = berlin();
        for (utc, local) in [
            (datetime!(2026-11-28 10:15 UTC), "28.11.2026 11:15"),
            (datetime!(2026-07-01 10:00 UTC), "01.07.2026 12:00"),
            // Summer time starts 29 March 2026 at 01:00 UTC (02:00 → 03:00 local).
            (datetime!(2026-03-29 00:30 UTC), "29.03.2026 01:30"),
            (datetime!(2026-03-29 01:30 UTC), "29.03.2026 03:30"),
            (datetime!(2026-12-31 23:30 UTC), "01.01.2027 00:30"),
        ] {
            assert_eq!(local_time(utc, &zone), local, "{utc}");
        }
    }

    #[test]
    fn cells_are_quoted_for_semicolons_and_guarded_against_formulas_but_numbers_are_not() {
        assert_eq!(
            Cell::Text("Müller; Erika".into()).field(),
            "\"Müller; Erika\""
        );
        assert_eq!(Cell::Text("Komma, ok".into()).field(), "Komma, ok");
        assert_eq!(
            Cell::Text("=HYPERLINK(\"x\")".into()).field(),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(Cell::Made("-12,5".into()).field(), "-12,5");
        let n: serde_json::Number = serde_json::from_str("12.5").unwrap();
        assert_eq!(decimal_comma(&n), "12,5");
        let n: serde_json::Number = serde_json::from_str("3").unwrap();
        assert_eq!(decimal_comma(&n), "3");
        assert_eq!(money(&serde_json::from_str("96.0").unwrap()), "96,00");
        assert_eq!(money(&serde_json::from_str("180.5").unwrap()), "180,50");
    }
}
