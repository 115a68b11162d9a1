//! Derived figures: the key instants of an incident, the durations between them and the time
//! spent in each severity. Computed from the timeline every time, never typed.
//!
//! The definitions, as a reader of a post-mortem would check them by hand:
//! - **started**: the first `impact_started` event; else the first event carrying a severity;
//!   else the first `root_cause_began`.
//! - **detected**: the first `detected` or `paged` event. **acknowledged**: the first
//!   `acknowledged`. **mitigated**: the first `mitigated`. **resolved**: the last `resolved`.
//! - time to detect, mitigate and resolve count from *started*; time to acknowledge counts from
//!   *detected* (how long the alert waited for a person); impact lasts from *started* to
//!   *resolved*.
//! - time in severity: the severity history is the events carrying a severity
//!   (`severity_changed`, and `declared` with a severity), in order. When the first of them is a
//!   *change*, it changed from the severity the incident was opened with, which therefore comes
//!   first; without any, that severity holds throughout. Each severity holds from its event to
//!   the next one; the first also covers the time from the start of impact to its event, and the
//!   last runs to the resolution (or to "now" for an incident still open). Windows before the
//!   start are cut off, so the times always add up to the impact duration.

use crate::{
    calendar::MeetingPolicy,
    severity::Severity,
    timeline::{EventKind, TimelineEvent},
};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeMap;

/// The instants that matter, derived from the timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyInstants {
    pub root_cause_began: Option<DateTime<Utc>>,
    pub started: Option<DateTime<Utc>>,
    pub detected: Option<DateTime<Utc>>,
    pub paged: Option<DateTime<Utc>>,
    pub acknowledged: Option<DateTime<Utc>>,
    pub declared: Option<DateTime<Utc>>,
    pub status_page_updated: Option<DateTime<Utc>>,
    pub mitigated: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
}

impl KeyInstants {
    /// Reads the key instants off `events`, in any order.
    pub fn of(events: &[TimelineEvent]) -> Self {
        let first = |kinds: &[EventKind]| {
            events
                .iter()
                .filter(|e| kinds.contains(&e.kind()))
                .map(|e| e.at())
                .min()
        };
        let first_severity_entry = events
            .iter()
            .filter(|e| e.severity().is_some())
            .map(|e| e.at())
            .min();
        let root_cause_began = first(&[EventKind::RootCauseBegan]);
        KeyInstants {
            root_cause_began,
            started: first(&[EventKind::ImpactStarted])
                .or(first_severity_entry)
                .or(root_cause_began),
            detected: first(&[EventKind::Detected, EventKind::Paged]),
            paged: first(&[EventKind::Paged]),
            acknowledged: first(&[EventKind::Acknowledged]),
            declared: first(&[EventKind::Declared]),
            status_page_updated: first(&[EventKind::StatusPageUpdated]),
            mitigated: first(&[EventKind::Mitigated]),
            resolved: events
                .iter()
                .filter(|e| e.kind() == EventKind::Resolved)
                .map(|e| e.at())
                .max(),
        }
    }
}

/// One stretch of time at one severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityWindow {
    pub severity: Severity,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl SeverityWindow {
    pub fn seconds(&self) -> i64 {
        (self.to - self.from).num_seconds()
    }
}

/// The severity history of an incident: `(instant, severity)` in order, starting with the
/// severity it was opened with (no instant) unless the timeline's first entry declares one.
pub fn severity_history(
    opened_at: Severity,
    events: &[TimelineEvent],
) -> Vec<(Option<DateTime<Utc>>, Severity)> {
    let mut entries: Vec<_> = events
        .iter()
        .filter_map(|e| e.severity().map(|s| (e.at(), e.id, e.kind(), s)))
        .collect();
    entries.sort_by_key(|(at, id, _, _)| (*at, *id));
    let declared_first = entries
        .first()
        .is_some_and(|(_, _, kind, _)| *kind == EventKind::Declared);
    let opening = (!declared_first).then_some((None, opened_at));
    opening
        .into_iter()
        .chain(entries.into_iter().map(|(at, _, _, s)| (Some(at), s)))
        .collect()
}

/// The stretches of time at each severity between `start` and `end` (see the module docs).
pub fn severity_windows(
    opened_at: Severity,
    events: &[TimelineEvent],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<SeverityWindow> {
    if end <= start {
        return Vec::new();
    }
    let history = severity_history(opened_at, events);
    let mut windows: Vec<SeverityWindow> = Vec::new();
    for (i, (at, severity)) in history.iter().enumerate() {
        let from = if i == 0 {
            start
        } else {
            at.unwrap_or(start).clamp(start, end)
        };
        let to = match history.get(i + 1) {
            Some((next, _)) => next.unwrap_or(end).clamp(start, end),
            None => end,
        };
        if to > from {
            match windows.last_mut() {
                Some(last) if last.severity == *severity && last.to == from => last.to = to,
                _ => windows.push(SeverityWindow {
                    severity: *severity,
                    from,
                    to,
                }),
            }
        }
    }
    windows
}

/// Every derived figure of an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub instants: KeyInstants,
    pub time_to_detect_s: Option<i64>,
    pub time_to_acknowledge_s: Option<i64>,
    pub time_to_mitigate_s: Option<i64>,
    pub time_to_resolve_s: Option<i64>,
    pub impact_duration_s: Option<i64>,
    pub severity_windows: Vec<SeverityWindow>,
    pub time_in_severity_s: BTreeMap<Severity, i64>,
    /// The most severe level the incident reached.
    pub peak_severity: Severity,
    /// The severity it has now (the last in its history).
    pub current_severity: Severity,
    /// The last day the post-mortem meeting may take place; none until resolution.
    pub meeting_deadline: Option<NaiveDate>,
}

impl Figures {
    /// Derives every figure. `now` ends the last severity window of an incident still open.
    pub fn compute(
        opened_at: Severity,
        timezone: Tz,
        events: &[TimelineEvent],
        policy: &MeetingPolicy,
        now: DateTime<Utc>,
    ) -> Self {
        let instants = KeyInstants::of(events);
        let between = |from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>| {
            Some((to? - from?).num_seconds())
        };
        let history = severity_history(opened_at, events);
        let peak_severity = history.iter().map(|(_, s)| *s).min().unwrap_or(opened_at);
        let current_severity = history.last().map(|(_, s)| *s).unwrap_or(opened_at);
        let severity_windows = match instants.started {
            Some(start) => {
                severity_windows(opened_at, events, start, instants.resolved.unwrap_or(now))
            }
            None => Vec::new(),
        };
        let mut time_in_severity_s = BTreeMap::new();
        for window in &severity_windows {
            *time_in_severity_s.entry(window.severity).or_insert(0) += window.seconds();
        }
        let meeting_deadline = instants
            .resolved
            .map(|resolved| policy.meeting_deadline(resolved, peak_severity, timezone));
        Figures {
            time_to_detect_s: between(instants.started, instants.detected),
            time_to_acknowledge_s: between(instants.detected, instants.acknowledged),
            time_to_mitigate_s: between(instants.started, instants.mitigated),
            time_to_resolve_s: between(instants.started, instants.resolved),
            impact_duration_s: between(instants.started, instants.resolved),
            instants,
            severity_windows,
            time_in_severity_s,
            peak_severity,
            current_severity,
            meeting_deadline,
        }
    }
}

/// A duration both ways, for reports: `1d 0h 11m (87060 s)`, or `—` when unknown.
pub fn describe_duration(seconds: Option<i64>) -> String {
    seconds.map_or("—".to_owned(), |s| {
        format!("{} ({s} s)", human_duration(s))
    })
}

/// A duration in seconds as a person reads it: `1d 0h 11m`, `27m`, `43s`.
pub fn human_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    let text = match (d, h, m, sec) {
        (0, 0, 0, sec) => format!("{sec}s"),
        (0, 0, m, 0) => format!("{m}m"),
        (0, 0, m, sec) => format!("{m}m {sec}s"),
        (0, h, m, 0) => format!("{h}h {m}m"),
        (0, h, m, sec) => format!("{h}h {m}m {sec}s"),
        (d, h, m, 0) => format!("{d}d {h}h {m}m"),
        (d, h, m, sec) => format!("{d}d {h}h {m}m {sec}s"),
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::{EventId, EventSource, NewTimelineEvent};
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn sev(level: u8) -> Severity {
        Severity::from_level(level).unwrap()
    }

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 28, 22, 0, 0).unwrap() + chrono::Duration::minutes(minute)
    }

    fn event(id: i64, minute: i64, kind: EventKind, severity: Option<u8>) -> TimelineEvent {
        let new = NewTimelineEvent::from_parts(
            at(minute),
            kind,
            "x",
            EventSource::Typed,
            severity.map(sev),
        )
        .unwrap();
        TimelineEvent {
            id: EventId(id),
            event: new,
            recorded_at: at(0),
        }
    }

    fn figures(declared: u8, events: &[TimelineEvent]) -> Figures {
        Figures::compute(
            sev(declared),
            chrono_tz::UTC,
            events,
            &MeetingPolicy::default(),
            at(10_000),
        )
    }

    #[test]
    fn durations_count_from_the_start_of_impact_and_acknowledgement_from_detection() {
        let events = [
            event(1, 0, EventKind::RootCauseBegan, None),
            event(2, 5, EventKind::ImpactStarted, None),
            event(3, 12, EventKind::Paged, None),
            event(4, 20, EventKind::Acknowledged, None),
            event(5, 65, EventKind::Mitigated, None),
            event(6, 90, EventKind::Resolved, None),
        ];
        let f = figures(2, &events);
        assert_eq!(f.time_to_detect_s, Some(7 * 60));
        assert_eq!(f.time_to_acknowledge_s, Some(8 * 60));
        assert_eq!(f.time_to_mitigate_s, Some(60 * 60));
        assert_eq!(f.time_to_resolve_s, Some(85 * 60));
        assert_eq!(f.impact_duration_s, Some(85 * 60));
        assert_eq!(f.time_in_severity_s, BTreeMap::from([(sev(2), 85 * 60)]));
    }

    #[test]
    fn the_start_falls_back_to_the_first_severity_then_to_the_root_cause() {
        let with_severity = [
            event(1, 0, EventKind::RootCauseBegan, None),
            event(2, 10, EventKind::SeverityChanged, Some(3)),
        ];
        assert_eq!(figures(3, &with_severity).instants.started, Some(at(10)));
        let without = [event(1, 0, EventKind::RootCauseBegan, None)];
        assert_eq!(figures(3, &without).instants.started, Some(at(0)));
        assert_eq!(figures(3, &[]).instants.started, None);
        assert_eq!(figures(3, &[]).time_to_resolve_s, None);
    }

    #[test]
    fn resolution_is_the_last_resolved_event() {
        let events = [
            event(1, 0, EventKind::ImpactStarted, None),
            event(2, 30, EventKind::Resolved, None),
            event(3, 50, EventKind::Resolved, None),
        ];
        assert_eq!(figures(2, &events).time_to_resolve_s, Some(50 * 60));
    }

    #[test]
    fn time_in_severity_follows_the_changes_and_the_first_covers_the_time_before_it() {
        let events = [
            event(1, 0, EventKind::ImpactStarted, None),
            event(2, 10, EventKind::Declared, Some(3)),
            event(3, 30, EventKind::SeverityChanged, Some(1)),
            event(4, 70, EventKind::SeverityChanged, Some(3)),
            event(5, 100, EventKind::Resolved, None),
        ];
        let f = figures(4, &events);
        assert_eq!(
            f.time_in_severity_s,
            BTreeMap::from([(sev(1), 40 * 60), (sev(3), 60 * 60)])
        );
        assert_eq!(f.peak_severity, sev(1));
        assert_eq!(f.current_severity, sev(3));
    }

    #[test]
    fn a_first_change_of_severity_changes_from_the_severity_the_incident_was_opened_with() {
        let events = [
            event(1, 0, EventKind::ImpactStarted, None),
            event(2, 50, EventKind::SeverityChanged, Some(2)),
            event(3, 165, EventKind::Resolved, None),
        ];
        let f = figures(3, &events);
        assert_eq!(
            f.time_in_severity_s,
            BTreeMap::from([(sev(2), 115 * 60), (sev(3), 50 * 60)])
        );
        assert_eq!((f.peak_severity, f.current_severity), (sev(2), sev(2)));
    }

    #[test]
    fn an_open_incident_counts_its_last_severity_until_now() {
        let events = [event(1, 0, EventKind::ImpactStarted, None)];
        let f = figures(2, &events);
        assert_eq!(
            f.time_in_severity_s,
            BTreeMap::from([(sev(2), 10_000 * 60)])
        );
        assert_eq!(f.meeting_deadline, None);
    }

    #[test]
    fn durations_read_as_a_person_would_say_them() {
        assert_eq!(human_duration(43), "43s");
        assert_eq!(human_duration(27 * 60), "27m");
        assert_eq!(human_duration(24 * 3600 + 11 * 60), "1d 0h 11m");
        assert_eq!(human_duration(-90), "-1m 30s");
    }

    fn any_timeline() -> impl Strategy<Value = Vec<TimelineEvent>> {
        let kinds = proptest::sample::select(EventKind::ALL.to_vec());
        proptest::collection::vec((kinds, -3_000i64..3_000, 1u8..=5), 0..30).prop_map(|raw| {
            raw.into_iter()
                .enumerate()
                .map(|(i, (kind, minute, level))| {
                    let severity = kind.takes_severity().then_some(level);
                    event(i as i64 + 1, minute, kind, severity)
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn time_in_severity_adds_up_to_the_impact_duration(
            events in any_timeline(), declared in 1u8..=5
        ) {
            let f = figures(declared, &events);
            let total: i64 = f.time_in_severity_s.values().sum();
            match (f.instants.started, f.instants.resolved) {
                (Some(start), Some(end)) => {
                    prop_assert_eq!(total, (end - start).num_seconds().max(0));
                }
                (Some(start), None) => {
                    prop_assert_eq!(total, (at(10_000) - start).num_seconds().max(0));
                }
                (None, _) => prop_assert_eq!(total, 0),
            }
            prop_assert!(f.time_in_severity_s.values().all(|s| *s > 0));
        }

        #[test]
        fn windows_are_ordered_without_gaps_or_overlaps(events in any_timeline(), declared in 1u8..=5) {
            let f = figures(declared, &events);
            for pair in f.severity_windows.windows(2) {
                prop_assert_eq!(pair[0].to, pair[1].from);
                prop_assert!(pair[0].severity != pair[1].severity);
            }
            let history = severity_history(sev(declared), &events);
            for window in &f.severity_windows {
                prop_assert!(history.iter().any(|(_, s)| *s == window.severity));
                prop_assert!(window.severity >= f.peak_severity);
            }
        }

        #[test]
        fn the_order_events_arrive_in_changes_no_figure(
            events in any_timeline(), declared in 1u8..=5, seed in any::<u64>()
        ) {
            let mut shuffled = events.clone();
            // A deterministic shuffle: rotate by the seed and reverse.
            let len = shuffled.len().max(1);
            shuffled.rotate_left((seed as usize) % len);
            shuffled.reverse();
            prop_assert_eq!(figures(declared, &events), figures(declared, &shuffled));
        }

        #[test]
        fn durations_do_not_depend_on_the_reporting_timezone(
            events in any_timeline(), declared in 1u8..=5
        ) {
            // A multi-day window crossing the 2026-03-29 DST change in Europe.
            let paris = Figures::compute(sev(declared), chrono_tz::Europe::Paris, &events,
                &MeetingPolicy::default(), at(10_000));
            let utc = figures(declared, &events);
            prop_assert_eq!(paris.time_in_severity_s, utc.time_in_severity_s);
            prop_assert_eq!(paris.impact_duration_s, utc.impact_duration_s);
        }
    }
}
