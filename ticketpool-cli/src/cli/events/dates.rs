//! Dates and times as admins type them: search bounds on the command line
//! and an event's start in its file.

use ticketpool_catalog::jiff::{civil, Timestamp, ToSpan, Zoned};

/// Which end of a search range a date bounds: a bare date means the start
/// of that day for `--from`, the end of it for `--to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Inclusive lower bound.
    From,
    /// Exclusive upper bound (a whole day is included).
    To,
}

/// A search bound: `YYYY-MM-DD` (UTC) or an RFC 3339 time.
///
/// # Errors
///
/// What was typed and the forms accepted.
pub fn search_bound(text: &str, end: End) -> Result<Timestamp, String> {
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok(instant);
    }
    let day: civil::Date = text.parse().map_err(|_| {
        format!("{text:?} is not a date: use YYYY-MM-DD or an RFC 3339 time such as 2030-05-01T19:00:00Z")
    })?;
    let day = match end {
        End::From => day,
        End::To => day
            .checked_add(1.day())
            .map_err(|_| format!("{text:?} is past the last date that can be searched"))?,
    };
    day.to_zoned(ticketpool_catalog::jiff::tz::TimeZone::UTC)
        .map(|zoned| zoned.timestamp())
        .map_err(|err| format!("{text:?}: {err}"))
}

/// An event's start: a time with an offset (`2030-05-01T19:00:00Z`,
/// `...+02:00`) is that instant; a wall-clock time without one
/// (`2030-05-01T21:00:00`) is read in `zone`.
///
/// # Errors
///
/// What was written and the forms accepted.
pub fn start_time(text: &str, zone: &str) -> Result<Timestamp, String> {
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok(instant);
    }
    let bad = || {
        format!(
            "{text:?} is not a date and time: use 2030-05-01T21:00:00 (in the time_zone) \
             or 2030-05-01T19:00:00Z"
        )
    };
    let wall: civil::DateTime = text.parse().map_err(|_| bad())?;
    // The bracketed zone is how jiff names a wall clock in a zone; a gap
    // or fold of a DST change resolves as most calendars do.
    format!("{wall}[{zone}]")
        .parse::<Zoned>()
        .map(|zoned| zoned.timestamp())
        .map_err(|_| bad())
}

/// `instant` in RFC 3339, UTC, to the second.
pub fn utc(instant: Timestamp) -> String {
    instant.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_date_bounds_whole_days_and_garbage_is_named() {
        let from = search_bound("2030-05-01", End::From).unwrap();
        let to = search_bound("2030-05-01", End::To).unwrap();
        assert_eq!(utc(from), "2030-05-01T00:00:00Z");
        assert_eq!(utc(to), "2030-05-02T00:00:00Z");
        let exact = search_bound("2030-05-01T19:00:00Z", End::To).unwrap();
        assert_eq!(utc(exact), "2030-05-01T19:00:00Z");
        let err = search_bound("2030-13-01", End::From).unwrap_err();
        assert!(err.contains("\"2030-13-01\" is not a date"), "{err}");
    }

    #[test]
    fn a_wall_clock_start_is_read_in_the_event_zone() {
        let summer = start_time("2030-07-14T21:00:00", "Europe/Paris").unwrap();
        assert_eq!(utc(summer), "2030-07-14T19:00:00Z");
        let fixed = start_time("2030-07-14T21:00:00", "+05:30").unwrap();
        assert_eq!(utc(fixed), "2030-07-14T15:30:00Z");
        let given = start_time("2030-07-14T21:00:00Z", "Europe/Paris").unwrap();
        assert_eq!(utc(given), "2030-07-14T21:00:00Z");
        assert!(start_time("next friday", "UTC")
            .unwrap_err()
            .contains("not a date and time"));
    }
}
