//! Time and submission ids, injected into the handler so that tests are deterministic and a
//! retry can be replayed exactly. Also the German calendar date that date rules ("today") are
//! judged by.

use time::{Date, Month, OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// Where the handler gets "now" from.
pub trait Clock: Send + Sync {
    /// The current instant in UTC, whole seconds (records show seconds; a retry compares equal).
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        let now = OffsetDateTime::now_utc();
        now.replace_nanosecond(0).unwrap_or(now)
    }
}

/// A clock that always shows the same instant (tests, replays).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// Where the handler gets a submission id from when the client sent none (a form post without
/// JavaScript cannot make one).
pub trait IdSource: Send + Sync {
    fn new_id(&self) -> Uuid;
}

/// Random version-4 UUIDs.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn new_id(&self) -> Uuid {
        Uuid::new_v4()
    }
}

/// The calendar date in Germany (Europe/Berlin) at `instant`.
///
/// Date rules such as `max: today` are checked against the date the citizen sees on their
/// calendar, not the UTC date: at 00:30 in Berlin on 1 December it is still 30 November in UTC,
/// and "today" must mean 1 December. Germany follows the EU rule (CET, and CEST from the last
/// Sunday of March to the last Sunday of October, switching at 01:00 UTC), which is fixed in
/// law, so it is computed here instead of shipping a time zone database.
pub fn german_date(instant: OffsetDateTime) -> Date {
    let utc = instant.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let summer_start =
        last_sunday(year, Month::March).midnight().assume_utc() + time::Duration::HOUR;
    let summer_end =
        last_sunday(year, Month::October).midnight().assume_utc() + time::Duration::HOUR;
    let hours = if utc >= summer_start && utc < summer_end {
        2
    } else {
        1
    };
    (utc + time::Duration::hours(hours)).date()
}

fn last_sunday(year: i32, month: Month) -> Date {
    let last = Date::from_calendar_date(year, month, time::util::days_in_month(month, year))
        .expect("last day of month exists");
    let back = last.weekday().number_days_from_sunday();
    last - time::Duration::days(i64::from(back))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Weekday;
    use time::macros::{date, datetime};

    #[test]
    fn last_sundays_of_march_and_october_are_found() {
        assert_eq!(last_sunday(2026, Month::March), date!(2026 - 03 - 29));
        assert_eq!(last_sunday(2026, Month::October), date!(2026 - 10 - 25));
        assert_eq!(last_sunday(2027, Month::March).weekday(), Weekday::Sunday);
    }

    #[test]
    fn german_date_is_a_day_ahead_of_utc_shortly_before_midnight_utc() {
        // Winter: CET = UTC+1.
        assert_eq!(
            german_date(datetime!(2026-11-30 23:30 UTC)),
            date!(2026 - 12 - 01)
        );
        assert_eq!(
            german_date(datetime!(2026-11-30 22:59 UTC)),
            date!(2026 - 11 - 30)
        );
        // Summer: CEST = UTC+2.
        assert_eq!(
            german_date(datetime!(2026-07-14 22:00 UTC)),
            date!(2026 - 07 - 15)
        );
        assert_eq!(
            german_date(datetime!(2026-07-14 21:59 UTC)),
            date!(2026 - 07 - 14)
        );
    }

    #[test]
    fn german_date_switches_offsets_at_one_o_clock_utc() {
        // 29 March 2026, 00:59 UTC is 01:59 CET; 01:00 UTC is 03:00 CEST. Same date either way,
        // but 22:30 UTC the evening before the switch is still CET.
        assert_eq!(
            german_date(datetime!(2026-03-28 22:30 UTC)),
            date!(2026 - 03 - 28)
        );
        assert_eq!(
            german_date(datetime!(2026-03-29 22:30 UTC)),
            date!(2026 - 03 - 30)
        );
        assert_eq!(
            german_date(datetime!(2026-10-25 22:30 UTC)),
            date!(2026 - 10 - 25)
        );
    }
}
