//! Business days and the post-mortem meeting deadline.

use crate::severity::Severity;
use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A count of business days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BusinessDays(pub u16);

/// Which days a team works: every day but its weekend days and its holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessCalendar {
    weekend: BTreeSet<WeekdayName>,
    holidays: BTreeSet<NaiveDate>,
}

/// A weekday by its English name, for configuration files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeekdayName {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl From<Weekday> for WeekdayName {
    fn from(day: Weekday) -> Self {
        match day {
            Weekday::Mon => WeekdayName::Monday,
            Weekday::Tue => WeekdayName::Tuesday,
            Weekday::Wed => WeekdayName::Wednesday,
            Weekday::Thu => WeekdayName::Thursday,
            Weekday::Fri => WeekdayName::Friday,
            Weekday::Sat => WeekdayName::Saturday,
            Weekday::Sun => WeekdayName::Sunday,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a calendar needs at least one working day in the week")]
pub struct NoWorkingDay;

impl Default for BusinessCalendar {
    /// Saturday and Sunday off, no holidays.
    fn default() -> Self {
        BusinessCalendar {
            weekend: [WeekdayName::Saturday, WeekdayName::Sunday].into(),
            holidays: BTreeSet::new(),
        }
    }
}

impl BusinessCalendar {
    pub fn new(
        weekend: impl IntoIterator<Item = WeekdayName>,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, NoWorkingDay> {
        let weekend: BTreeSet<_> = weekend.into_iter().collect();
        if weekend.len() >= 7 {
            return Err(NoWorkingDay);
        }
        Ok(BusinessCalendar {
            weekend,
            holidays: holidays.into_iter().collect(),
        })
    }

    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().copied()
    }

    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !self.weekend.contains(&date.weekday().into()) && !self.holidays.contains(&date)
    }

    /// The date `days` business days after `start`. `start` itself never counts, whether or not
    /// it is a business day: resolved on a Friday or a Saturday, five business days later is
    /// the next Friday. Zero days gives `start`.
    pub fn add_business_days(&self, start: NaiveDate, days: BusinessDays) -> NaiveDate {
        let mut date = start;
        let mut left = days.0;
        while left > 0 {
            // The calendar has a working day every week, so this ends.
            date = date.succ_opt().unwrap_or(date);
            if date == NaiveDate::MAX {
                return date;
            }
            if self.is_business_day(date) {
                left -= 1;
            }
        }
        date
    }

    /// How many business days lie in `(from, to]`.
    pub fn business_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_business_day(*d))
            .count() as u32
    }
}

/// When the post-mortem meeting must happen: within N business days of resolution, N by
/// severity, counted in the team's timezone with its calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingPolicy {
    pub default_days: BusinessDays,
    pub days_by_severity: BTreeMap<Severity, BusinessDays>,
    pub calendar: BusinessCalendar,
    /// The team's timezone; when unset, each incident's own timezone is used.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "optional_tz")]
    pub timezone: Option<Tz>,
}

impl Default for MeetingPolicy {
    fn default() -> Self {
        MeetingPolicy {
            default_days: BusinessDays(5),
            days_by_severity: BTreeMap::new(),
            calendar: BusinessCalendar::default(),
            timezone: None,
        }
    }
}

impl MeetingPolicy {
    pub fn days_for(&self, severity: Severity) -> BusinessDays {
        self.days_by_severity
            .get(&severity)
            .copied()
            .unwrap_or(self.default_days)
    }

    /// The last day the meeting may take place, for an incident resolved at `resolved_at`.
    pub fn meeting_deadline(
        &self,
        resolved_at: DateTime<Utc>,
        severity: Severity,
        incident_timezone: Tz,
    ) -> NaiveDate {
        let tz = self.timezone.unwrap_or(incident_timezone);
        let resolved_on = resolved_at.with_timezone(&tz).date_naive();
        self.calendar
            .add_business_days(resolved_on, self.days_for(severity))
    }
}

mod optional_tz {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(tz: &Option<Tz>, s: S) -> Result<S::Ok, S::Error> {
        match tz {
            Some(tz) => s.serialize_some(tz.name()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Tz>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|name| crate::incident::parse_timezone(&name).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn check(calendar: &BusinessCalendar, start: NaiveDate, days: u16, expected: NaiveDate) {
        assert_eq!(
            calendar.add_business_days(start, BusinessDays(days)),
            expected,
            "{start} + {days} business days"
        );
    }

    #[test]
    fn five_business_days_after_any_day_of_a_plain_week() {
        let cal = BusinessCalendar::default();
        // 2026-11-16 is a Monday.
        check(&cal, date(2026, 11, 16), 5, date(2026, 11, 23));
        check(&cal, date(2026, 11, 20), 5, date(2026, 11, 27)); // Friday → Friday
        check(&cal, date(2026, 11, 21), 5, date(2026, 11, 27)); // Saturday → Friday
        check(&cal, date(2026, 11, 22), 5, date(2026, 11, 27)); // Sunday → Friday
        check(&cal, date(2026, 11, 18), 0, date(2026, 11, 18));
    }

    #[test]
    fn holidays_push_the_deadline_out() {
        let cal = BusinessCalendar::new(
            [WeekdayName::Saturday, WeekdayName::Sunday],
            [date(2026, 12, 25), date(2027, 1, 1)],
        )
        .unwrap();
        // Resolved Wednesday 23 December: 24 (1), 28 (2), 29 (3), 30 (4), 31 (5).
        check(&cal, date(2026, 12, 23), 5, date(2026, 12, 31));
        check(&cal, date(2026, 12, 23), 6, date(2027, 1, 4));
    }

    #[test]
    fn a_calendar_without_a_working_day_is_refused() {
        let all = [
            WeekdayName::Monday,
            WeekdayName::Tuesday,
            WeekdayName::Wednesday,
            WeekdayName::Thursday,
            WeekdayName::Friday,
            WeekdayName::Saturday,
            WeekdayName::Sunday,
        ];
        assert_eq!(BusinessCalendar::new(all, []), Err(NoWorkingDay));
    }

    #[test]
    fn the_deadline_counts_from_the_resolution_date_in_the_team_timezone() {
        let policy = MeetingPolicy::default();
        let sev2 = Severity::from_level(2).unwrap();
        // Friday 2026-11-20 23:30 UTC is already Saturday in Tokyo, still Friday in New York.
        let resolved = Utc.with_ymd_and_hms(2026, 11, 20, 23, 30, 0).unwrap();
        assert_eq!(
            policy.meeting_deadline(resolved, sev2, chrono_tz::Asia::Tokyo),
            date(2026, 11, 27)
        );
        assert_eq!(
            policy.meeting_deadline(resolved, sev2, chrono_tz::America::New_York),
            date(2026, 11, 27)
        );
        // Thursday 23:30 UTC: Friday in Tokyo (deadline next Friday), Thursday in New York.
        let thursday = Utc.with_ymd_and_hms(2026, 11, 19, 23, 30, 0).unwrap();
        assert_eq!(
            policy.meeting_deadline(thursday, sev2, chrono_tz::Asia::Tokyo),
            date(2026, 11, 27)
        );
        assert_eq!(
            policy.meeting_deadline(thursday, sev2, chrono_tz::America::New_York),
            date(2026, 11, 26)
        );
    }

    #[test]
    fn days_are_configurable_per_severity() {
        let mut policy = MeetingPolicy::default();
        let sev1 = Severity::from_level(1).unwrap();
        policy.days_by_severity.insert(sev1, BusinessDays(2));
        let monday = Utc.with_ymd_and_hms(2026, 11, 16, 12, 0, 0).unwrap();
        assert_eq!(
            policy.meeting_deadline(monday, sev1, chrono_tz::UTC),
            date(2026, 11, 18)
        );
        let sev3 = Severity::from_level(3).unwrap();
        assert_eq!(
            policy.meeting_deadline(monday, sev3, chrono_tz::UTC),
            date(2026, 11, 23)
        );
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..20_000).prop_map(|d| date(2000, 1, 1) + chrono::Duration::days(d))
    }

    fn any_calendar() -> impl Strategy<Value = BusinessCalendar> {
        (
            proptest::collection::btree_set(0u8..7, 0..=3),
            proptest::collection::vec(0i64..60, 0..12),
            any_date(),
        )
            .prop_map(|(weekend, offsets, base)| {
                let weekend = weekend
                    .into_iter()
                    .map(|d| WeekdayName::from(Weekday::try_from(d).unwrap_or(Weekday::Sat)));
                let holidays = offsets
                    .into_iter()
                    .map(|o| base + chrono::Duration::days(o));
                BusinessCalendar::new(weekend, holidays).unwrap()
            })
    }

    proptest! {
        #[test]
        fn the_deadline_is_a_business_day_exactly_n_business_days_later(
            cal in any_calendar(), start in any_date(), n in 1u16..40
        ) {
            let deadline = cal.add_business_days(start, BusinessDays(n));
            prop_assert!(deadline > start);
            prop_assert!(cal.is_business_day(deadline));
            prop_assert_eq!(cal.business_days_between(start, deadline), u32::from(n));
        }

        #[test]
        fn one_more_day_never_gives_an_earlier_deadline(
            cal in any_calendar(), start in any_date(), n in 0u16..40
        ) {
            let a = cal.add_business_days(start, BusinessDays(n));
            let b = cal.add_business_days(start, BusinessDays(n + 1));
            prop_assert!(b > a);
        }

        #[test]
        fn a_holiday_inside_the_window_moves_the_deadline_later(
            start in any_date(), n in 1u16..20, pick in 0usize..20
        ) {
            let plain = BusinessCalendar::default();
            let deadline = plain.add_business_days(start, BusinessDays(n));
            let business: Vec<_> = start.iter_days().skip(1).take_while(|d| *d <= deadline)
                .filter(|d| plain.is_business_day(*d)).collect();
            let holiday = business[pick % business.len()];
            let with_holiday = BusinessCalendar::new(
                [WeekdayName::Saturday, WeekdayName::Sunday], [holiday]).unwrap();
            prop_assert!(with_holiday.add_business_days(start, BusinessDays(n)) > deadline);
        }

        #[test]
        fn the_deadline_depends_only_on_the_local_date_of_resolution(
            minutes in 0i64..(60 * 24 * 365 * 6),
            tz_index in 0usize..4,
            n in 0u16..15,
        ) {
            // Zones with DST changes on both hemispheres, one with a half-hour offset.
            let zones = [chrono_tz::Europe::Paris, chrono_tz::America::New_York,
                         chrono_tz::Australia::Adelaide, chrono_tz::UTC];
            let tz = zones[tz_index];
            let resolved = Utc.with_ymd_and_hms(2022, 1, 1, 0, 0, 0).unwrap()
                + chrono::Duration::minutes(minutes);
            let policy = MeetingPolicy { default_days: BusinessDays(n), ..MeetingPolicy::default() };
            let sev = Severity::from_level(3).unwrap();
            let deadline = policy.meeting_deadline(resolved, sev, tz);
            let local = resolved.with_timezone(&tz).date_naive();
            prop_assert_eq!(deadline, policy.calendar.add_business_days(local, BusinessDays(n)));
            prop_assert_eq!(policy.calendar.business_days_between(local, deadline), u32::from(n));
        }
    }
}
