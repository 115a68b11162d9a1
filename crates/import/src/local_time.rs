//! Reading a written time: RFC 3339 with an offset, or a local date-time read in a timezone.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Why a time was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error(
        "`{0}` is not a time: expected RFC 3339 with an offset (2026-11-20T14:03:00+01:00) or a local date and time (2026-11-20 14:03)"
    )]
    Unreadable(String),
    #[error(
        "{local} does not exist in {tz}: the clocks skipped it for daylight saving time; write the time with its offset"
    )]
    Skipped { local: NaiveDateTime, tz: Tz },
    #[error(
        "{local} happened twice in {tz} (at {first} and at {second}) because the clocks went back; write the time with its offset"
    )]
    Ambiguous {
        local: NaiveDateTime,
        tz: Tz,
        first: String,
        second: String,
    },
    #[error("`{0}` is outside the years 1900 to 9999")]
    OutOfRange(String),
    #[error("`{0}` is a leap second (:60), which hindsight cannot store: use :59")]
    LeapSecond(String),
}

const LOCAL_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];

/// Reads `text` as an instant: with an offset it stands alone; without, it is read in `tz`.
pub fn parse_instant(text: &str, tz: Tz) -> Result<DateTime<Utc>, TimeError> {
    let text = text.trim();
    let at = parse_unchecked(text, tz)?;
    hindsight_core::timeline::check_instant(at).map_err(|e| match e {
        hindsight_core::timeline::EventError::LeapSecond(_) => {
            TimeError::LeapSecond(text.to_owned())
        }
        _ => TimeError::OutOfRange(text.to_owned()),
    })
}

fn parse_unchecked(text: &str, tz: Tz) -> Result<DateTime<Utc>, TimeError> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let local = LOCAL_FORMATS
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .ok_or_else(|| TimeError::Unreadable(text.to_owned()))?;
    // Far from today, a timezone has no rules and chrono reports no such local time: say what
    // is wrong rather than blame daylight saving.
    if !(1900..=9999).contains(&chrono::Datelike::year(&local)) {
        return Err(TimeError::OutOfRange(text.to_owned()));
    }
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        LocalResult::None => Err(TimeError::Skipped { local, tz }),
        LocalResult::Ambiguous(first, second) => Err(TimeError::Ambiguous {
            local,
            tz,
            first: first.format("%H:%M%:z").to_string(),
            second: second.format("%H:%M%:z").to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Paris;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn offsets_win_over_the_timezone() {
        assert_eq!(
            parse_instant("2026-11-20T14:03:00+05:30", Paris).unwrap(),
            utc("2026-11-20T08:33:00Z")
        );
        assert_eq!(
            parse_instant("2026-11-20T14:03:00Z", Paris).unwrap(),
            utc("2026-11-20T14:03:00Z")
        );
    }

    #[test]
    fn local_times_are_read_in_the_incident_timezone() {
        for text in [
            "2026-11-20 14:03",
            "2026-11-20T14:03:00",
            "2026-11-20 14:03:00.000",
        ] {
            assert_eq!(
                parse_instant(text, Paris).unwrap(),
                utc("2026-11-20T13:03:00Z"),
                "{text}"
            );
        }
        // Summer time: UTC+2.
        assert_eq!(
            parse_instant("2026-07-01 14:03", Paris).unwrap(),
            utc("2026-07-01T12:03:00Z")
        );
    }

    #[test]
    fn times_skipped_or_repeated_by_daylight_saving_are_refused_with_the_reason() {
        let skipped = parse_instant("2026-03-29 02:30", Paris)
            .unwrap_err()
            .to_string();
        assert!(
            skipped.contains("does not exist in Europe/Paris"),
            "{skipped}"
        );
        let twice = parse_instant("2026-10-25 02:30", Paris)
            .unwrap_err()
            .to_string();
        assert!(
            twice.contains("at 02:30+02:00 and at 02:30+01:00"),
            "{twice}"
        );
    }

    #[test]
    fn times_outside_the_years_1900_to_9999_are_refused() {
        for text in [
            "+262142-12-31 20:00",
            "0001-01-01T00:00:00Z",
            "1899-12-31 23:00",
        ] {
            let err = parse_instant(text, Paris).unwrap_err().to_string();
            assert!(
                err.ends_with("is outside the years 1900 to 9999"),
                "{text}: {err}"
            );
        }
        assert!(parse_instant("9999-12-31T23:00:00Z", chrono_tz::Pacific::Kiritimati).is_ok());
    }

    /// Found by the `local_time` fuzz target: a leap second was accepted, then read back as
    /// another instant once written as RFC 3339.
    #[test]
    fn a_leap_second_is_refused_instead_of_reading_back_as_another_instant() {
        for text in ["1900-12-31T23:59:60.99999998", "2016-12-31T23:59:60Z"] {
            let err = parse_instant(text, Paris).unwrap_err().to_string();
            assert!(err.contains("is a leap second"), "{text}: {err}");
        }
    }

    #[test]
    fn unreadable_times_show_both_accepted_forms() {
        let err = parse_instant("yesterday", Paris).unwrap_err().to_string();
        assert!(
            err.contains("RFC 3339") && err.contains("2026-11-20 14:03"),
            "{err}"
        );
    }
}
