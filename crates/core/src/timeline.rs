//! Timeline events: what happened when, who said so, and the evidence that shows it.

use crate::action::named_enum;
use crate::{
    severity::Severity,
    text::{self, TextError},
};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use std::{collections::HashSet, fmt, str::FromStr};
use url::Url;

named_enum!(
    /// What an event marks. The key instants of an incident (detection, resolution, …) are
    /// derived from the kinds of its events.
    EventKind, "event kind" {
        RootCauseBegan = "root_cause_began",
        ImpactStarted = "impact_started",
        Detected = "detected",
        Paged = "paged",
        Acknowledged = "acknowledged",
        Declared = "declared",
        SeverityChanged = "severity_changed",
        StatusPageUpdated = "status_page_updated",
        /// A key action taken by a responder.
        Action = "action",
        Communication = "communication",
        Mitigated = "mitigated",
        Resolved = "resolved",
        Note = "note",
    }
);

impl EventKind {
    /// How the kind reads in a document.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::RootCauseBegan => "Root cause began",
            EventKind::ImpactStarted => "Impact started",
            EventKind::Detected => "Detected",
            EventKind::Paged => "Paged",
            EventKind::Acknowledged => "Acknowledged",
            EventKind::Declared => "Declared",
            EventKind::SeverityChanged => "Severity changed",
            EventKind::StatusPageUpdated => "Status page updated",
            EventKind::Action => "Action",
            EventKind::Communication => "Communication",
            EventKind::Mitigated => "Mitigated",
            EventKind::Resolved => "Resolved",
            EventKind::Note => "Note",
        }
    }

    /// Whether an event of this kind may carry a severity: a change of severity must, and a
    /// declaration may say what it was declared at.
    pub fn takes_severity(self) -> bool {
        matches!(self, EventKind::SeverityChanged | EventKind::Declared)
    }
}

named_enum!(
    /// Where an event came from.
    EventSource, "event source" {
        /// Typed by a person.
        Typed = "typed",
        Chat = "chat",
        PagerWebhook = "pager_webhook",
        AlertWebhook = "alert_webhook",
        /// Read from a file (a CSV timeline).
        Import = "import",
    }
);

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("a severity_changed event needs a severity (SEV-1 … SEV-5)")]
    MissingSeverity,
    #[error("a {0} event cannot carry a severity: only severity_changed and declared events do")]
    UnexpectedSeverity(EventKind),
    #[error("evidence must be an http or https link, not `{0}`")]
    EvidenceScheme(String),
    #[error("{0} is outside the years 1900 to 9999")]
    OutOfRange(DateTime<Utc>),
    #[error(
        "{0} is a leap second (:60), which cannot be stored or shown in every timezone: use :59"
    )]
    LeapSecond(DateTime<Utc>),
}

/// The instants hindsight accepts: years 1900 to 9999 in UTC, so every instant can be shown in
/// any timezone and written as RFC 3339.
pub fn check_instant(at: DateTime<Utc>) -> Result<DateTime<Utc>, EventError> {
    use chrono::{Datelike, Timelike};
    if !(1900..=9999).contains(&at.year()) {
        return Err(EventError::OutOfRange(at));
    }
    // chrono keeps a leap second as a nanosecond count past one second; written back it reads
    // as another instant, so it would not survive an export.
    if at.nanosecond() >= 1_000_000_000 {
        return Err(EventError::LeapSecond(at));
    }
    Ok(at)
}

/// An event to add to a timeline, already checked. Read from JSON, it goes through the same
/// checks as one built in code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "EventFields")]
pub struct NewTimelineEvent {
    at: DateTime<Utc>,
    kind: EventKind,
    text: String,
    author: Option<String>,
    source: EventSource,
    severity: Option<Severity>,
    evidence: Vec<Url>,
    key_point: bool,
}

/// The fields of an event as written, before its checks.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "TimelineEventFields")]
struct EventFields {
    /// When it happened, in UTC.
    at: DateTime<Utc>,
    kind: EventKind,
    /// What happened.
    text: String,
    #[serde(default)]
    author: Option<String>,
    source: EventSource,
    /// Required with severity_changed, allowed with declared.
    #[serde(default)]
    severity: Option<Severity>,
    /// http(s) links to what shows it.
    #[serde(default)]
    evidence: Vec<Url>,
    /// Lifts the event into the key points.
    #[serde(default)]
    key_point: bool,
}

impl TryFrom<EventFields> for NewTimelineEvent {
    type Error = EventError;
    fn try_from(f: EventFields) -> Result<Self, Self::Error> {
        let mut event = NewTimelineEvent::from_parts(f.at, f.kind, &f.text, f.source, f.severity)?
            .with_author(f.author.as_deref())?
            .key_point(f.key_point);
        for url in f.evidence {
            event = event.with_evidence(url)?;
        }
        Ok(event)
    }
}

impl NewTimelineEvent {
    /// Checks the rules every event follows. Instants keep microseconds, the precision both
    /// storage backends hold, so what is stored reads back equal.
    pub fn new(
        at: DateTime<Utc>,
        kind: EventKind,
        text: &str,
        source: EventSource,
    ) -> Result<Self, EventError> {
        if kind == EventKind::SeverityChanged {
            return Err(EventError::MissingSeverity);
        }
        Ok(NewTimelineEvent {
            at: check_instant(at)?.trunc_subsecs(6),
            kind,
            text: text::required("text", text, text::LONG)?,
            author: None,
            source,
            severity: None,
            evidence: Vec::new(),
            key_point: false,
        })
    }

    /// A change of severity.
    pub fn severity_changed(
        at: DateTime<Utc>,
        severity: Severity,
        text: &str,
        source: EventSource,
    ) -> Result<Self, EventError> {
        let mut event = NewTimelineEvent::new(at, EventKind::Note, text, source)?;
        event.kind = EventKind::SeverityChanged;
        event.severity = Some(severity);
        Ok(event)
    }

    /// Builds an event from all its parts at once, checking the severity rule both ways.
    pub fn from_parts(
        at: DateTime<Utc>,
        kind: EventKind,
        text: &str,
        source: EventSource,
        severity: Option<Severity>,
    ) -> Result<Self, EventError> {
        match (kind, severity) {
            (EventKind::SeverityChanged, Some(s)) => Self::severity_changed(at, s, text, source),
            (EventKind::SeverityChanged, None) => Err(EventError::MissingSeverity),
            (kind, Some(_)) if !kind.takes_severity() => Err(EventError::UnexpectedSeverity(kind)),
            (kind, severity) => {
                let mut event = NewTimelineEvent::new(at, kind, text, source)?;
                event.severity = severity;
                Ok(event)
            }
        }
    }

    pub fn with_author(mut self, author: Option<&str>) -> Result<Self, EventError> {
        self.author = text::optional("author", author, text::SHORT)?;
        Ok(self)
    }

    /// Adds a link to the graph, log search, dashboard or post that shows the event.
    pub fn with_evidence(mut self, url: Url) -> Result<Self, EventError> {
        let url = text::check_web_url(url).map_err(|e| match e {
            text::LinkError::NotWeb(url) | text::LinkError::Unreadable(url, _) => {
                EventError::EvidenceScheme(url)
            }
        })?;
        if !self.evidence.contains(&url) {
            self.evidence.push(url);
        }
        Ok(self)
    }

    pub fn key_point(mut self, key_point: bool) -> Self {
        self.key_point = key_point;
        self
    }

    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }
    pub fn kind(&self) -> EventKind {
        self.kind
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn author(&self) -> Option<&str> {
        self.author.as_deref()
    }
    pub fn source(&self) -> EventSource {
        self.source
    }
    pub fn severity(&self) -> Option<Severity> {
        self.severity
    }
    pub fn evidence(&self) -> &[Url] {
        &self.evidence
    }
    pub fn is_key_point(&self) -> bool {
        self.key_point
    }

    /// Two events are the same when they say the same thing of the same kind at the same
    /// instant, whoever recorded them and wherever they came from.
    fn identity(&self) -> (DateTime<Utc>, EventKind, &str) {
        (self.at, self.kind, &self.text)
    }
}

/// The id a store gave an event.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub struct EventId(pub i64);

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TimelineEvent {
    pub id: EventId,
    #[serde(flatten)]
    pub event: NewTimelineEvent,
    /// When it was written down, which may be long after it happened: the event keeps its
    /// original instant in `at`.
    pub recorded_at: DateTime<Utc>,
}

impl std::ops::Deref for TimelineEvent {
    type Target = NewTimelineEvent;
    fn deref(&self) -> &NewTimelineEvent {
        &self.event
    }
}

/// Orders events the way a timeline reads: by instant, then by the order they were recorded.
pub fn sort_timeline(events: &mut [TimelineEvent]) {
    events.sort_by_key(|e| (e.at, e.id));
}

/// Drops from `incoming` the events already in `existing` or repeated within `incoming`,
/// keeping the first of each, in order. Returns what is new and how many were dropped.
pub fn new_events_only(
    existing: &[TimelineEvent],
    incoming: Vec<NewTimelineEvent>,
) -> (Vec<NewTimelineEvent>, usize) {
    let mut seen: HashSet<(DateTime<Utc>, EventKind, String)> = existing
        .iter()
        .map(|e| {
            let (at, kind, text) = e.identity();
            (at, kind, text.to_owned())
        })
        .collect();
    let before = incoming.len();
    let fresh: Vec<_> = incoming
        .into_iter()
        .filter(|e| {
            let (at, kind, text) = e.identity();
            seen.insert((at, kind, text.to_owned()))
        })
        .collect();
    let dropped = before - fresh.len();
    (fresh, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, h, m, 0).unwrap()
    }

    #[test]
    fn a_severity_change_needs_a_severity_and_other_kinds_refuse_one() {
        let sev = Some(Severity::from_level(2).unwrap());
        assert_eq!(
            NewTimelineEvent::from_parts(
                at(1, 0),
                EventKind::SeverityChanged,
                "x",
                EventSource::Typed,
                None
            ),
            Err(EventError::MissingSeverity)
        );
        assert_eq!(
            NewTimelineEvent::from_parts(at(1, 0), EventKind::Note, "x", EventSource::Typed, sev),
            Err(EventError::UnexpectedSeverity(EventKind::Note))
        );
        let declared = NewTimelineEvent::from_parts(
            at(1, 0),
            EventKind::Declared,
            "x",
            EventSource::Typed,
            sev,
        )
        .unwrap();
        assert_eq!(declared.severity(), sev);
    }

    #[test]
    fn a_leap_second_is_refused_because_it_does_not_read_back() {
        let leap = DateTime::parse_from_rfc3339("2016-12-31T23:59:60.5Z")
            .unwrap()
            .to_utc();
        let err =
            NewTimelineEvent::new(leap, EventKind::Note, "x", EventSource::Typed).unwrap_err();
        assert!(matches!(err, EventError::LeapSecond(_)), "{err}");
    }

    #[test]
    fn empty_text_and_non_web_evidence_are_refused() {
        assert!(
            NewTimelineEvent::new(at(1, 0), EventKind::Note, "  ", EventSource::Typed).is_err()
        );
        let event =
            NewTimelineEvent::new(at(1, 0), EventKind::Note, "x", EventSource::Typed).unwrap();
        let err = event
            .with_evidence(Url::parse("javascript:alert(1)").unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("http or https"));
    }

    #[test]
    fn kinds_parse_and_list_the_allowed_names_when_unknown() {
        assert_eq!(
            "status-page-updated".parse::<EventKind>(),
            Ok(EventKind::StatusPageUpdated)
        );
        let err = "rollback".parse::<EventKind>().unwrap_err().to_string();
        assert!(err.starts_with("unknown event kind `rollback`: expected one of root_cause_began"));
    }

    #[test]
    fn duplicates_are_dropped_against_the_stored_timeline_and_within_the_batch() {
        let e = |h, text: &str| {
            NewTimelineEvent::new(at(h, 0), EventKind::Note, text, EventSource::Import).unwrap()
        };
        let stored = vec![TimelineEvent {
            id: EventId(1),
            event: e(1, "a").with_author(Some("someone")).unwrap(),
            recorded_at: at(5, 0),
        }];
        let (fresh, dropped) =
            new_events_only(&stored, vec![e(1, "a"), e(2, "b"), e(2, "b"), e(1, "c")]);
        assert_eq!(dropped, 2);
        assert_eq!(fresh, vec![e(2, "b"), e(1, "c")]);
    }
}
