//! The checks behind the built-in field types, written once. The function validates with them,
//! the JSON Schema and the page's constraint attributes take their patterns from here, and the
//! page's script is tested against them (differential test in the generator).

use std::str::FromStr;

use time::{Date, Duration, Month};

/// German postcode (PLZ): five digits.
pub const POSTCODE_PATTERN: &str = "^[0-9]{5}$";
/// Steuer-ID shape; the checksum is in [`is_valid_tax_id`].
pub const TAX_ID_PATTERN: &str = "^[1-9][0-9]{10}$";
/// IBAN in electronic format (after removing spaces and upper-casing); checksum in [`normalize_iban`].
pub const IBAN_PATTERN: &str = "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$";
/// Phone numbers as people write them: digits, spaces, `+ ( ) / -`.
pub const TEL_PATTERN: &str = r"^\+?[0-9 ()/\-]{5,30}$";
/// ISO date as sent by `<input type=date>`.
pub const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// Longest email address SMTP allows.
pub const EMAIL_MAX_LENGTH: u32 = 254;

/// Text as the rules see it: trimmed, in Unicode normalisation form C (an "é" pasted from a
/// Mac as "e" and a combining accent is one character, as the function stores it) and with
/// `\n` line breaks. The page's script does the same before it checks.
pub fn normalize_text(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    raw.trim().nfc().collect::<String>().replace("\r\n", "\n")
}

/// Digits typed on an Arabic (٣٥٣٩٠), Persian (۳۵۳۹۰) or full-width (３５３９０) keyboard as
/// ASCII digits: postcodes, IBANs, tax IDs and phone numbers are checked and stored in ASCII.
pub fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| {
            let zero = match c {
                '\u{0660}'..='\u{0669}' => 0x0660,
                '\u{06F0}'..='\u{06F9}' => 0x06F0,
                '\u{FF10}'..='\u{FF19}' => 0xFF10,
                _ => return c,
            };
            char::from(b'0' + (c as u32 - zero) as u8)
        })
        .collect()
}

pub fn is_valid_postcode(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit())
}

pub fn is_valid_tel(s: &str) -> bool {
    let n = s.chars().count();
    let body = s.strip_prefix('+').unwrap_or(s);
    (5..=30).contains(&body.chars().count())
        && n <= 31
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '/' | '-'))
}

pub fn is_valid_email(s: &str) -> bool {
    use validator::ValidateEmail;
    s.len() <= EMAIL_MAX_LENGTH as usize && s.validate_email()
}

/// The IBAN in electronic format if it is valid (country length and ISO 13616 mod-97).
pub fn normalize_iban(s: &str) -> Option<String> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    iban::Iban::from_str(&compact)
        .ok()
        .map(|iban| iban::IbanLike::electronic_str(&iban).to_string())
}

/// The BBAN format of every country the IBAN check accepts, run-length encoded per position
/// class (`n` digit, `a` letter, `c` either): `DE` → `18n`, `GB` → `4a14n`. Derived by probing
/// [`normalize_iban`]'s implementation, so the page's script checks exactly what the function
/// checks without a second hand-written table.
pub fn iban_formats() -> &'static std::collections::BTreeMap<String, String> {
    static FORMATS: std::sync::LazyLock<std::collections::BTreeMap<String, String>> =
        std::sync::LazyLock::new(probe_iban_formats);
    &FORMATS
}

/// An IBAN with correct check digits for `country` and `bban` (used to probe formats and to
/// generate test data).
pub fn iban_with_check(country: &str, bban: &str) -> String {
    // ISO 13616: check digits make (BBAN + country + check) ≡ 1 (mod 97).
    let rearranged = format!("{bban}{country}00");
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v < 10 {
            (rem * 10 + v) % 97
        } else {
            (rem * 100 + v) % 97
        };
    }
    format!("{country}{:02}{bban}", 98 - rem)
}

fn probe_iban_formats() -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            let country = format!("{}{}", a as char, b as char);
            // A country the checker does not know rejects every BBAN: one look says so, and
            // saves probing its 23 lengths (most of the 676 codes; the probe runs in every
            // build, and probing them all was a quarter of a small build's work).
            if matches!(
                iban::Iban::from_str(&iban_with_check(&country, "0000000000")),
                Err(iban::ParseIbanError::UnknownCountry(_))
            ) {
                continue;
            }
            if let Some(format) = probe_country(&country) {
                out.insert(country, format);
            }
        }
    }
    out
}

/// The BBAN format [`normalize_iban`] accepts for `country`, found by trying BBANs of every
/// length: letters or digits at each position of the first one accepted.
fn probe_country(country: &str) -> Option<String> {
    let valid = |bban: &str| normalize_iban(&iban_with_check(country, bban)).is_some();
    for len in 8..=30usize {
        let mut bases: Vec<String> = Vec::new();
        for prefix in 0..=4usize.min(len) {
            for suffix in 0..=3usize.min(len - prefix) {
                bases.push(format!(
                    "{}{}{}",
                    "A".repeat(prefix),
                    "0".repeat(len - prefix - suffix),
                    "A".repeat(suffix)
                ));
            }
        }
        bases.push(format!("{}A0", "0".repeat(len - 2)));
        let Some(base) = bases.into_iter().find(|base| valid(base)) else {
            continue;
        };
        let classes: String = (0..len)
            .map(|i| {
                let with = |ch: char| {
                    let mut s: Vec<char> = base.chars().collect();
                    s[i] = ch;
                    valid(&s.into_iter().collect::<String>())
                };
                match (with('0'), with('A')) {
                    (true, true) => 'c',
                    (true, false) => 'n',
                    _ => 'a',
                }
            })
            .collect();
        return Some(run_length(&classes));
    }
    None
}

fn run_length(classes: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = classes.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let n = chars[i..].iter().take_while(|x| **x == c).count();
        out.push_str(&format!("{n}{c}"));
        i += n;
    }
    out
}

/// Steuerliche Identifikationsnummer: 11 digits, no leading zero; in the first ten digits
/// exactly one digit occurs twice or three times (three times never in three adjacent places)
/// and every other digit at most once; the eleventh is the ISO 7064 MOD 11,10 check digit.
pub fn is_valid_tax_id(s: &str) -> bool {
    let digits: Vec<u32> = match s
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<Vec<_>>>()
    {
        Some(d) if d.len() == 11 => d,
        _ => return false,
    };
    if digits[0] == 0 {
        return false;
    }
    let mut counts = [0u8; 10];
    for d in &digits[..10] {
        counts[*d as usize] += 1;
    }
    let repeated: Vec<usize> = (0..10).filter(|d| counts[*d] > 1).collect();
    if repeated.len() != 1 || counts[repeated[0]] > 3 {
        return false;
    }
    if counts[repeated[0]] == 3 {
        let r = repeated[0] as u32;
        if digits[..10].windows(3).any(|w| w.iter().all(|d| *d == r)) {
            return false;
        }
    }
    tax_id_check_digit(&digits[..10]) == digits[10]
}

/// ISO 7064 MOD 11,10 over the first ten digits.
pub fn tax_id_check_digit(first_ten: &[u32]) -> u32 {
    let mut product = 10;
    for d in first_ten {
        let mut sum = (d + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    let check = 11 - product;
    if check == 10 { 0 } else { check }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return None;
    }
    let year: i32 = s[0..4].parse().ok()?;
    let month: u8 = s[5..7].parse().ok()?;
    let day: u8 = s[8..10].parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// A date bound as written in a form: an ISO date, or `today` with an optional offset in days,
/// months or years (`today-18y`, `today+14d`, `today-6m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateExpr {
    Fixed(Date),
    Today { amount: i32, unit: DateUnit },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateUnit {
    Days,
    Months,
    Years,
}

impl DateExpr {
    pub fn parse(s: &str) -> Option<DateExpr> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix("today") {
            if rest.is_empty() {
                return Some(DateExpr::Today {
                    amount: 0,
                    unit: DateUnit::Days,
                });
            }
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let unit = match rest.as_bytes()[rest.len() - 1] {
                b'd' => DateUnit::Days,
                b'm' => DateUnit::Months,
                b'y' => DateUnit::Years,
                _ => return None,
            };
            let number = &rest[1..rest.len() - 1];
            if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) || number.len() > 5
            {
                return None;
            }
            let amount: i32 = number.parse().ok()?;
            return Some(DateExpr::Today {
                amount: sign * amount,
                unit,
            });
        }
        parse_date(s).map(DateExpr::Fixed)
    }

    /// The date this bound means on `today`. Month and year steps clamp to the month's last
    /// day (today-18y on 29 February is 28 February).
    pub fn on(self, today: Date) -> Date {
        match self {
            DateExpr::Fixed(d) => d,
            DateExpr::Today { amount, unit } => match unit {
                DateUnit::Days => today.saturating_add(Duration::days(amount.into())),
                DateUnit::Months => add_months(today, amount),
                DateUnit::Years => add_months(today, amount * 12),
            },
        }
    }
}

fn add_months(date: Date, months: i32) -> Date {
    let total = date.year() * 12 + (date.month() as i32 - 1) + months;
    let year = total.div_euclid(12);
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last)).unwrap_or(date)
}

/// WCAG 2.x contrast ratio between two sRGB colours `#rrggbb`.
pub fn contrast_ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    fn luminance(c: [u8; 3]) -> f64 {
        let ch = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.040_45 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    }
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// `#rrggbb` (or `#rgb`) as bytes.
pub fn parse_hex_color(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    let full: String = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect(),
        6 => hex.to_string(),
        _ => return None,
    };
    let v = u32::from_str_radix(&full, 16).ok()?;
    Some([(v >> 16) as u8, (v >> 8) as u8, v as u8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn accepts_real_ibans_from_several_countries() {
        for iban in [
            "DE89 3704 0044 0532 0130 00",
            "de02120300000000202051",
            "AT611904300234573201",
            "FR1420041010050500013M02606",
            "GB82WEST12345698765432",
            "NL91ABNA0417164300",
            "CH9300762011623852957",
            "PL61109010140000071219812874",
        ] {
            assert!(normalize_iban(iban).is_some(), "{iban}");
        }
        assert_eq!(
            normalize_iban("de89 3704 0044 0532 0130 00").as_deref(),
            Some("DE89370400440532013000")
        );
    }

    #[test]
    fn rejects_ibans_with_wrong_checksum_or_length() {
        for iban in [
            "DE89370400440532013001",   // checksum
            "DE8937040044053201300",    // one digit short for DE
            "AT611904300234573202",     // checksum
            "XX89370400440532013000",   // no such country
            "GB82WEST1234569876543",    // length
            "DE89-3704-0044-0532-0130", // characters
        ] {
            assert!(normalize_iban(iban).is_none(), "{iban}");
        }
    }

    #[test]
    fn iban_formats_are_probed_from_the_checker() {
        let f = iban_formats();
        assert_eq!(f.get("DE").map(String::as_str), Some("18n"));
        assert_eq!(f.get("GB").map(String::as_str), Some("4a14n"));
        assert_eq!(f.get("BR").map(String::as_str), Some("23n1a1c"));
        assert_eq!(f.get("MU").map(String::as_str), Some("4a19n3a"));
        assert_eq!(f.get("FR").map(String::as_str), Some("10n11c2n"));
        assert!(f.len() >= 80, "{} countries", f.len());
        assert!(!f.contains_key("XX"));
    }

    #[test]
    fn iban_formats_skip_only_countries_the_checker_rejects_at_every_length() {
        let f = iban_formats();
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let country = format!("{}{}", a as char, b as char);
                assert_eq!(
                    probe_country(&country).as_ref(),
                    f.get(&country),
                    "{country}"
                );
            }
        }
    }

    #[test]
    fn accepts_valid_steuer_ids() {
        for id in [
            "86095742719",
            "47036892816",
            "65929970489",
            "57549285017",
            "25768131411",
        ] {
            assert!(is_valid_tax_id(id), "{id}");
        }
    }

    #[test]
    fn rejects_invalid_steuer_ids() {
        for id in [
            "86095742718",  // check digit
            "06095742719",  // leading zero
            "1234567890",   // too short
            "123456789012", // too long
            "12345678903",  // no repeated digit
            "11111111116",  // a digit more than three times
            "8609574271a",  // not a digit
        ] {
            assert!(!is_valid_tax_id(id), "{id}");
        }
    }

    #[test]
    fn rejects_three_adjacent_equal_digits_in_steuer_id() {
        // 1,1,1 adjacent at the start; the check digit is computed so only the rule fails.
        let first: Vec<u32> = vec![1, 1, 1, 2, 3, 4, 5, 6, 7, 8];
        let check = tax_id_check_digit(&first);
        let id: String = first
            .iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from_digit(*d, 10).unwrap())
            .collect();
        assert!(!is_valid_tax_id(&id));
        let spread: Vec<u32> = vec![1, 2, 1, 3, 4, 1, 5, 6, 7, 8];
        let check = tax_id_check_digit(&spread);
        let id: String = spread
            .iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from_digit(*d, 10).unwrap())
            .collect();
        assert!(is_valid_tax_id(&id));
    }

    #[test]
    fn postcode_is_five_digits() {
        assert!(is_valid_postcode("35390"));
        assert!(is_valid_postcode("01067"));
        for bad in ["3539", "353900", "3539O", " 35390", "D-35390"] {
            assert!(!is_valid_postcode(bad), "{bad}");
        }
    }

    #[test]
    fn date_expressions_are_relative_to_today() {
        let today = date!(2026 - 11 - 28);
        assert_eq!(DateExpr::parse("today").unwrap().on(today), today);
        assert_eq!(
            DateExpr::parse("today-18y").unwrap().on(today),
            date!(2008 - 11 - 28)
        );
        assert_eq!(
            DateExpr::parse("today+7d").unwrap().on(today),
            date!(2026 - 12 - 05)
        );
        assert_eq!(
            DateExpr::parse("today-6m")
                .unwrap()
                .on(date!(2026 - 08 - 31)),
            date!(2026 - 02 - 28)
        );
        assert_eq!(
            DateExpr::parse("2024-02-29").unwrap().on(today),
            date!(2024 - 02 - 29)
        );
        for bad in ["tomorrow", "today-18", "today18y", "2024-02-30", "today+y"] {
            assert!(DateExpr::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn contrast_of_black_on_white_is_21() {
        let r = contrast_ratio([0, 0, 0], [255, 255, 255]);
        assert!((r - 21.0).abs() < 0.01);
        assert!(contrast_ratio(parse_hex_color("#005ca9").unwrap(), [255; 3]) >= 4.5);
        assert!(contrast_ratio(parse_hex_color("#ffcc00").unwrap(), [255; 3]) < 4.5);
    }
}
