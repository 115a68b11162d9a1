//! The readiness check: a linter for post-mortems. A pure function over the record that says
//! what is missing or wrong, where, and why, so that moving a document forward can be gated on
//! it and a person knows what to do next.

use crate::{
    IncidentRecord, Severity, Template, figures::Figures, lint::blame_findings,
    postmortem::MessageKind,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// How serious a finding is: errors block moving the document forward, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Error,
    Warning,
}

/// Where in the document a finding points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    Document,
    Section { id: String, title: String },
    Timeline,
    Event { id: i64 },
    Impact,
    Factor { position: usize },
    HowdWeDo,
    Question { position: usize },
    Action { id: i64 },
    Meeting,
    Message { message: MessageKind },
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Document => f.write_str("document"),
            Location::Section { id, .. } => write!(f, "section {id}"),
            Location::Timeline => f.write_str("timeline"),
            Location::Event { id } => write!(f, "event {id}"),
            Location::Impact => f.write_str("impact"),
            Location::Factor { position } => write!(f, "factor {position}"),
            Location::HowdWeDo => f.write_str("how'd we do"),
            Location::Question { position } => write!(f, "question {position}"),
            Location::Action { id } => write!(f, "action {id}"),
            Location::Meeting => f.write_str("meeting"),
            Location::Message { message } => write!(f, "{message} message"),
        }
    }
}

/// One thing the check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadinessFinding {
    /// A stable id, for tools and for looking the rule up: `no-owner`.
    pub rule: &'static str,
    pub level: Level,
    pub location: Location,
    /// What is wrong and what to do, for a person.
    pub message: String,
}

/// What a team configured for the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReadinessPolicy {
    /// The most action items a post-mortem of each severity should file; more is a warning
    /// that the list needs choosing.
    pub max_actions: BTreeMap<Severity, usize>,
}

impl Default for ReadinessPolicy {
    fn default() -> Self {
        let max = [10, 7, 5, 3, 2];
        ReadinessPolicy {
            max_actions: Severity::ALL.into_iter().zip(max).collect(),
        }
    }
}

impl ReadinessPolicy {
    pub fn max_actions_for(&self, severity: Severity) -> Option<usize> {
        self.max_actions.get(&severity).copied()
    }
}

/// Checks the whole post-mortem. Errors come first, then warnings, each in document order.
pub fn check(
    record: &IncidentRecord,
    figures: &Figures,
    template: &Template,
    policy: &ReadinessPolicy,
) -> Vec<ReadinessFinding> {
    let mut findings = Vec::new();
    let mut add = |rule, level, location, message: String| {
        findings.push(ReadinessFinding {
            rule,
            level,
            location,
            message,
        })
    };
    let pm = &record.postmortem;
    let people: Vec<&str> = record
        .responders
        .iter()
        .map(|(_, p)| p.name.as_str())
        .collect();

    if pm.owner.is_none() {
        add(
            "no-owner",
            Level::Error,
            Location::Document,
            "nobody owns the post-mortem: designate an owner to write it and run the meeting"
                .into(),
        );
    }

    for section in &template.sections {
        if section.required && record.section_is_empty(section) {
            add(
                "required-section-empty",
                Level::Error,
                Location::Section {
                    id: section.id.clone(),
                    title: section.title.clone(),
                },
                format!(
                    "the required section “{}” is empty: {}",
                    section.title, section.help
                ),
            );
        }
    }

    let instants = &figures.instants;
    if instants.started.is_none() {
        add(
            "no-start",
            Level::Error,
            Location::Timeline,
            "the timeline does not say when the incident started: add an impact_started event"
                .into(),
        );
    }
    if instants.resolved.is_none() {
        add(
            "no-resolution",
            Level::Error,
            Location::Timeline,
            "the timeline does not say when the incident was resolved: add a resolved event".into(),
        );
    }
    for (name, seconds) in [
        ("detection", figures.time_to_detect_s),
        ("mitigation", figures.time_to_mitigate_s),
        ("resolution", figures.time_to_resolve_s),
    ] {
        if seconds.is_some_and(|s| s < 0) {
            add(
                "instants-out-of-order",
                Level::Warning,
                Location::Timeline,
                format!(
                    "the {name} is before the start of impact: check the times of those events"
                ),
            );
        }
    }
    for event in &record.timeline {
        if event.evidence().is_empty() {
            add(
                "event-without-evidence",
                Level::Warning,
                Location::Event { id: event.id.0 },
                format!(
                    "“{}” has no evidence: link the graph, log search or message that shows it",
                    short(event.text())
                ),
            );
        }
    }

    let impact = &pm.impact;
    if impact.events_dropped.is_none() {
        add("events-dropped-unchecked", Level::Error, Location::Impact,
            "nobody has checked whether events were dropped or not accepted: record the number, 0 if none".into());
    }
    let unfilled: Vec<&str> = [
        ("users affected", impact.users_affected),
        ("accounts affected", impact.accounts_affected),
        ("notifications out of SLA", impact.notifications_out_of_sla),
        ("support requests", impact.support_requests),
    ]
    .into_iter()
    .filter(|(_, value)| value.is_none())
    .map(|(name, _)| name)
    .collect();
    if !unfilled.is_empty() {
        add(
            "impact-not-filled",
            Level::Warning,
            Location::Impact,
            format!(
                "impact figures not filled in: {} (record 0 where there was none)",
                unfilled.join(", ")
            ),
        );
    }

    let meeting = &pm.meeting;
    match (meeting.scheduled_for, figures.meeting_deadline) {
        (None, deadline) => add(
            "meeting-not-scheduled",
            Level::Error,
            Location::Meeting,
            match deadline {
                Some(d) => format!(
                    "the post-mortem meeting is not scheduled: it must take place by {}",
                    d.format("%A %Y-%m-%d")
                ),
                None => "the post-mortem meeting is not scheduled".to_owned(),
            },
        ),
        (Some(at), Some(deadline)) => {
            let day = at.with_timezone(&record.incident.timezone).date_naive();
            if day > deadline {
                add(
                    "meeting-after-deadline",
                    Level::Error,
                    Location::Meeting,
                    format!(
                        "the meeting on {day} is after the deadline of {deadline}: move it earlier"
                    ),
                );
            }
        }
        (Some(_), None) => {}
    }
    match (&meeting.moderator, &meeting.note_taker) {
        (Some(m), Some(n)) if m.as_str().eq_ignore_ascii_case(n.as_str()) => add(
            "moderator-is-note-taker",
            Level::Error,
            Location::Meeting,
            format!(
                "{m} is both moderator and note-taker: one person cannot do both well, name another note-taker"
            ),
        ),
        (None, _) => add(
            "no-moderator",
            Level::Warning,
            Location::Meeting,
            "the meeting has no moderator".into(),
        ),
        (_, None) => add(
            "no-note-taker",
            Level::Warning,
            Location::Meeting,
            "the meeting has no note-taker".into(),
        ),
        _ => {}
    }

    let open: Vec<_> = record
        .actions
        .iter()
        .filter(|a| !a.status.is_closed())
        .collect();
    for action in &open {
        if action.owner.is_none() {
            add(
                "action-without-owner",
                Level::Error,
                Location::Action { id: action.id.0 },
                format!(
                    "action {} “{}” has no owner: every action needs an explicit owner",
                    action.id,
                    short(action.title.as_str())
                ),
            );
        }
        if action.due.is_none() {
            add(
                "action-without-due-date",
                Level::Error,
                Location::Action { id: action.id.0 },
                format!(
                    "action {} “{}” has no due date",
                    action.id,
                    short(action.title.as_str())
                ),
            );
        }
    }
    if let Some(max) = policy.max_actions_for(figures.peak_severity)
        && record.actions.len() > max
    {
        add(
            "too-many-actions",
            Level::Warning,
            Location::Document,
            format!(
                "{} action items for a {} incident, more than the {max} it warrants: keep the ones that matter most",
                record.actions.len(),
                figures.peak_severity
            ),
        );
    }

    // Blame language, wherever people write prose about the incident.
    let mut blame = |text: &str, level: Level, location: Location| {
        for finding in blame_findings(text, &people) {
            add(
                "blame-language",
                level,
                location.clone(),
                format!("{}: {}", finding.message, finding.suggestion),
            );
        }
    };
    for (id, text) in &pm.sections {
        let title = template.section(id).map_or(id.clone(), |s| s.title.clone());
        blame(
            text,
            Level::Error,
            Location::Section {
                id: id.clone(),
                title,
            },
        );
    }
    for (i, factor) in pm.factors.iter().enumerate() {
        blame(
            &factor.description,
            Level::Error,
            Location::Factor { position: i + 1 },
        );
        for why in &factor.whys {
            blame(why, Level::Error, Location::Factor { position: i + 1 });
        }
    }
    let howd = &pm.howd_we_do;
    for item in howd
        .went_well
        .iter()
        .chain(&howd.went_wrong)
        .chain(&howd.got_lucky)
        .chain(&howd.lessons)
    {
        blame(item, Level::Error, Location::HowdWeDo);
    }
    for (i, q) in pm.questions.iter().enumerate() {
        blame(
            &q.question,
            Level::Error,
            Location::Question { position: i + 1 },
        );
        if let Some(answer) = &q.answer {
            blame(answer, Level::Error, Location::Question { position: i + 1 });
        }
    }
    for kind in [MessageKind::Internal, MessageKind::External] {
        if let Some(text) = pm.messages.get(kind) {
            blame(text, Level::Error, Location::Message { message: kind });
        }
    }
    // What people said during the incident is quoted as it was: a warning, not a block.
    for event in &record.timeline {
        blame(
            event.text(),
            Level::Warning,
            Location::Event { id: event.id.0 },
        );
    }

    if !impact.full_outage
        && let Some(text) = pm.messages.get(MessageKind::External)
        && mentions_outage(text)
    {
        add("outage-in-external-message", Level::Error, Location::Message { message: MessageKind::External },
            "the external message says “outage” but the services were degraded, not down: say what customers saw, e.g. “some requests failed”".into());
    }

    findings.sort_by_key(|f| f.level);
    findings
}

/// Whether `text` uses the word "outage" (or "outages"), in any case.
fn mentions_outage(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|word| word.eq_ignore_ascii_case("outage") || word.eq_ignore_ascii_case("outages"))
}

/// The first words of a text, for a message.
fn short(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 60 {
        format!("{}…", line.chars().take(59).collect::<String>())
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outage_is_a_word_not_a_substring() {
        assert!(mentions_outage("We had an Outage."));
        assert!(mentions_outage("two outages"));
        assert!(mentions_outage("an outage-free week"));
        assert!(!mentions_outage("routage and outaged are other words"));
    }
}
