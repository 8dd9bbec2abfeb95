//! Amounts of money as a reader of each language writes them, one definition for the form
//! page, the receipt and the pay page.

/// `1.234,50 €` (German, with a no-break space before the sign so it never wraps alone),
/// `€1,234.50` (English), `1,234.50 €` (other languages).
pub fn euros_from_cents(cents: i64, lang: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (whole, rest) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    let (group, decimal) = if lang == "de" { ('.', ',') } else { (',', '.') };
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(group);
        }
        grouped.push(c);
    }
    match lang {
        "en" => format!("{sign}€{grouped}{decimal}{rest:02}"),
        _ => format!("{sign}{grouped}{decimal}{rest:02}\u{a0}€"),
    }
}

/// [`euros_from_cents`] of an amount in euros (rounded to the cent).
pub fn euros(amount: f64, lang: &str) -> String {
    euros_from_cents((amount * 100.0).round() as i64, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_groups_thousands_with_dots_and_keeps_the_sign_on_the_line() {
        assert_eq!(euros(1234.5, "de"), "1.234,50\u{a0}€");
        assert_eq!(euros(25.0, "de"), "25,00\u{a0}€");
        assert_eq!(euros_from_cents(-1999, "de"), "-19,99\u{a0}€");
    }

    #[test]
    fn english_puts_the_sign_first_and_other_languages_last() {
        assert_eq!(euros(1234.5, "en"), "€1,234.50");
        assert_eq!(euros(0.1 + 0.2, "en"), "€0.30");
        assert_eq!(euros(1234.5, "ar"), "1,234.50\u{a0}€");
    }
}
