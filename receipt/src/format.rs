//! How the receipt writes dates, times and sizes in each language: the same forms the form
//! pages use (dates as the page's check-your-answers step shows them). Amounts are form-model's
//! `messages::euros`, as the fee table writes them.

use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

use form_model::messages::fill;

use crate::words::Words;

/// `24.12.1990` (de), `24 December 1990` (en), `1990-12-24` (others): form-model's date format of
/// answers, as validation messages write them.
pub fn date(d: Date, lang: &str) -> String {
    form_model::validate::fmt_date(d, lang)
}

/// `48.213 Bytes` (de), `48,213 bytes` (en): the exact size, digits grouped.
pub fn bytes(n: u64, words: &Words, lang: &str) -> String {
    let separator = if lang == "de" { '.' } else { ',' };
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(c);
    }
    fill(&words.bytes, &[("n", &grouped)])
}

/// The offset of German civil time at `instant`: CET (UTC+1), and CEST (UTC+2) from 01:00 UTC
/// on the last Sunday of March to 01:00 UTC on the last Sunday of October (the EU rule, fixed
/// in law since 1996).
pub fn german_offset(instant: OffsetDateTime) -> UtcOffset {
    let utc = instant.to_offset(UtcOffset::UTC);
    let switch = |month| last_sunday(utc.year(), month).midnight().assume_utc() + Duration::HOUR;
    let summer = utc >= switch(Month::March) && utc < switch(Month::October);
    UtcOffset::from_hms(if summer { 2 } else { 1 }, 0, 0).expect("valid offset")
}

fn last_sunday(year: i32, month: Month) -> Date {
    let last = Date::from_calendar_date(year, month, time::util::days_in_month(month, year))
        .expect("the last day of a month exists");
    last - Duration::days(i64::from(last.weekday().number_days_from_sunday()))
}

/// `28.11.2026, 13:30 Uhr (MEZ)`: German civil time, whatever offset `instant` has.
pub fn received(instant: OffsetDateTime, words: &Words, lang: &str) -> String {
    let offset = german_offset(instant);
    let local = instant.to_offset(offset);
    let zone = if offset.whole_hours() == 2 {
        &words.zone_summer
    } else {
        &words.zone_winter
    };
    fill(
        &words.received_format,
        &[
            ("date", &date(local.date(), lang)),
            (
                "time",
                &format!("{:02}:{:02}", local.hour(), local.minute()),
            ),
            ("zone", zone),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates_are_written_as_the_page_writes_them() {
        let d = date!(1990 - 12 - 24);
        assert_eq!(date(d, "de"), "24.12.1990");
        assert_eq!(date(d, "en"), "24 December 1990");
        assert_eq!(date(d, "ar"), "1990-12-24");
    }

    #[test]
    fn german_time_is_cet_in_winter_and_cest_in_summer_switching_at_one_utc() {
        let de = Words::for_language("de");
        assert_eq!(
            received(datetime!(2026-11-28 11:30 UTC), &de, "de"),
            "28.11.2026, 12:30 Uhr (MEZ)"
        );
        assert_eq!(
            received(datetime!(2026-07-14 22:15 UTC), &de, "de"),
            "15.07.2026, 00:15 Uhr (MESZ)"
        );
        // 29 March 2026: 00:59 UTC is still CET, 01:00 UTC is CEST.
        assert_eq!(
            german_offset(datetime!(2026-03-29 00:59 UTC)).whole_hours(),
            1
        );
        assert_eq!(
            german_offset(datetime!(2026-03-29 01:00 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            german_offset(datetime!(2026-10-25 00:59 UTC)).whole_hours(),
            2
        );
        assert_eq!(
            german_offset(datetime!(2026-10-25 01:00 UTC)).whole_hours(),
            1
        );
        let en = Words::for_language("en");
        assert_eq!(
            received(datetime!(2026-11-28 11:30 UTC), &en, "en"),
            "28 November 2026, 12:30 (CET)"
        );
    }

    #[test]
    fn amounts_and_sizes_are_written_per_language() {
        assert_eq!(
            bytes(48213, &Words::for_language("de"), "de"),
            "48.213 Bytes"
        );
        assert_eq!(
            bytes(512000, &Words::for_language("en"), "en"),
            "512,000 bytes"
        );
        assert_eq!(bytes(12, &Words::for_language("en"), "en"), "12 bytes");
    }
}
