//! The readiness check over whole post-mortems: an empty one lists its errors, a complete one
//! passes, and each rule fires on the one thing it is about.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use hindsight_core::{
    ActionId, ActionItem, ActionStatus, ContributingFactor, EventId, EventKind, EventSource,
    FactorCategory, Incident, IncidentRecord, MeetingPolicy, NewActionItem, NewTimelineEvent,
    Person, Postmortem, Responders, Role, Severity, Template, TimelineEvent,
    readiness::{Level, ReadinessPolicy, check},
    text::Line,
};
use url::Url;

fn at(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, h, m, 0).unwrap()
}

fn event(
    id: i64,
    at: DateTime<Utc>,
    kind: EventKind,
    text: &str,
    severity: Option<u8>,
) -> TimelineEvent {
    let event = NewTimelineEvent::from_parts(
        at,
        kind,
        text,
        EventSource::Typed,
        severity.map(|s| Severity::from_level(s).unwrap()),
    )
    .unwrap()
    .with_evidence(Url::parse("https://grafana.example.com/d/x").unwrap())
    .unwrap();
    TimelineEvent {
        id: EventId(id),
        event,
        recorded_at: at,
    }
}

fn line(text: &str) -> Line {
    Line::parse("text", text).unwrap()
}

fn empty() -> IncidentRecord {
    IncidentRecord {
        incident: Incident {
            key: "INC-9".parse().unwrap(),
            title: line("Checkout errors"),
            severity: Severity::from_level(2).unwrap(),
            services: vec![line("checkout")],
            timezone: chrono_tz::Europe::Paris,
            private: false,
            created_at: at(16, 9, 0),
        },
        responders: Responders::default(),
        timeline: vec![],
        postmortem: Postmortem::new("pagerduty"),
        postmortem_version: 1,
        actions: vec![],
    }
}

fn complete() -> IncidentRecord {
    let mut r = empty();
    r.responders.assign(
        Role::Commander,
        Person::new("Ana Lima", Some("SRE")).unwrap(),
    );
    r.responders.assign(
        Role::Scribe,
        Person::new("Bo Chen", Some("Engineer")).unwrap(),
    );
    r.timeline = vec![
        event(
            1,
            at(16, 10, 0),
            EventKind::ImpactStarted,
            "Checkout errors start",
            None,
        ),
        event(2, at(16, 10, 6), EventKind::Detected, "Alert fires", None),
        event(3, at(16, 10, 20), EventKind::Declared, "Declared", Some(2)),
        event(4, at(16, 11, 0), EventKind::Mitigated, "Rolled back", None),
        event(5, at(16, 11, 30), EventKind::Resolved, "All clear", None),
    ];
    let pm = &mut r.postmortem;
    pm.owner = Some(line("Bo Chen"));
    for id in ["overview", "what_happened", "resolution"] {
        pm.set_section(
            id,
            "The deploy tool accepted a config that exhausted the pool.",
        )
        .unwrap();
    }
    pm.factors.push(
        ContributingFactor::new(
            FactorCategory::Technical,
            "The pool limit had no upper bound",
        )
        .unwrap(),
    );
    pm.impact.events_dropped = Some(0);
    pm.impact.users_affected = Some(1200);
    pm.impact.accounts_affected = Some(300);
    pm.impact.notifications_out_of_sla = Some(0);
    pm.impact.support_requests = Some(4);
    pm.meeting.scheduled_for = Some(at(18, 14, 0));
    pm.meeting.moderator = Some(line("Ana Lima"));
    pm.meeting.note_taker = Some(line("Bo Chen"));
    pm.messages.external = Some("Some payments failed for 90 minutes. We rolled back the change and are adding a safeguard. We are sorry.".into());
    let mut item = NewActionItem::new("Bound the pool limit")
        .unwrap()
        .with_owner(Some("Cy"))
        .unwrap();
    item.due = NaiveDate::from_ymd_opt(2026, 12, 4);
    r.actions.push(ActionItem {
        id: ActionId(1),
        item,
        created_at: at(17, 9, 0),
    });
    r
}

/// The findings as `rule level location` lines.
fn findings(record: &IncidentRecord) -> Vec<String> {
    let figures = record.figures(&MeetingPolicy::default(), at(22, 0, 0));
    check(
        record,
        &figures,
        &Template::pagerduty(),
        &ReadinessPolicy::default(),
    )
    .iter()
    .map(|f| format!("{} {:?} {}", f.rule, f.level, f.location))
    .collect()
}

fn check_rules(record: &IncidentRecord, expected: &[&str]) {
    assert_eq!(findings(record), expected, "\n{:#?}", findings(record));
}

#[test]
fn an_empty_postmortem_lists_its_errors() {
    check_rules(
        &empty(),
        &[
            "no-owner Error document",
            "required-section-empty Error section overview",
            "required-section-empty Error section what_happened",
            "required-section-empty Error section contributing_factors",
            "required-section-empty Error section resolution",
            "required-section-empty Error section timeline",
            "required-section-empty Error section action_items",
            "no-start Error timeline",
            "no-resolution Error timeline",
            "events-dropped-unchecked Error impact",
            "meeting-not-scheduled Error meeting",
            "impact-not-filled Warning impact",
            "no-moderator Warning meeting",
        ],
    );
}

#[test]
fn a_complete_postmortem_passes() {
    check_rules(&complete(), &[]);
}

#[test]
fn each_rule_fires_on_its_own_problem() {
    type Change = Box<dyn Fn(&mut IncidentRecord)>;
    let cases: Vec<(&str, Change, &[&str])> = vec![
        (
            "no evidence",
            Box::new(|r| {
                r.timeline[1].event = NewTimelineEvent::new(
                    at(16, 10, 6),
                    EventKind::Detected,
                    "Alert fires",
                    EventSource::Typed,
                )
                .unwrap()
            }),
            &["event-without-evidence Warning event 2"],
        ),
        (
            "meeting late",
            Box::new(|r| r.postmortem.meeting.scheduled_for = Some(at(30, 14, 0))),
            &["meeting-after-deadline Error meeting"],
        ),
        (
            "same person",
            Box::new(|r| r.postmortem.meeting.note_taker = Some(line("ana lima"))),
            &["moderator-is-note-taker Error meeting"],
        ),
        (
            "unowned action",
            Box::new(|r| {
                r.actions[0].item.owner = None;
                r.actions[0].item.due = None;
            }),
            &[
                "action-without-owner Error action 1",
                "action-without-due-date Error action 1",
            ],
        ),
        (
            "closed actions need neither",
            Box::new(|r| {
                r.actions[0].item.owner = None;
                r.actions[0].item.status = ActionStatus::Dropped;
            }),
            &[],
        ),
        (
            "too many",
            Box::new(|r| {
                let a = r.actions[0].clone();
                for i in 2..=8 {
                    let mut b = a.clone();
                    b.id = ActionId(i);
                    r.actions.push(b);
                }
            }),
            &["too-many-actions Warning document"],
        ),
        (
            "blame",
            Box::new(|r| {
                r.postmortem
                    .set_section(
                        "what_happened",
                        "Bo Chen forgot to check the limit, which was careless.",
                    )
                    .unwrap()
            }),
            &[
                "blame-language Error section what_happened",
                "blame-language Error section what_happened",
            ],
        ),
        (
            "outage",
            Box::new(|r| {
                r.postmortem.messages.external = Some("We had an outage of payments.".into())
            }),
            &["outage-in-external-message Error external message"],
        ),
        (
            "outage was real",
            Box::new(|r| {
                r.postmortem.messages.external = Some("We had an outage of payments.".into());
                r.postmortem.impact.full_outage = true;
            }),
            &[],
        ),
        (
            "dropped unchecked",
            Box::new(|r| r.postmortem.impact.events_dropped = None),
            &["events-dropped-unchecked Error impact"],
        ),
        (
            "resolved before start",
            Box::new(|r| {
                r.timeline[4] = event(5, at(16, 9, 0), EventKind::Resolved, "All clear", None)
            }),
            &["instants-out-of-order Warning timeline"],
        ),
    ];
    for (name, change, expected) in cases {
        let mut record = complete();
        change(&mut record);
        assert_eq!(findings(&record), expected, "{name}");
    }
}

#[test]
fn findings_say_what_to_do() {
    let record = empty();
    let figures = record.figures(&MeetingPolicy::default(), at(22, 0, 0));
    let all = check(
        &record,
        &figures,
        &Template::pagerduty(),
        &ReadinessPolicy::default(),
    );
    let owner = all.iter().find(|f| f.rule == "no-owner").unwrap();
    assert_eq!(owner.level, Level::Error);
    assert!(
        owner.message.contains("designate an owner"),
        "{}",
        owner.message
    );
    let section = all
        .iter()
        .find(|f| f.rule == "required-section-empty")
        .unwrap();
    assert!(
        section
            .message
            .starts_with("the required section “Overview” is empty: Two or three sentences"),
        "{}",
        section.message
    );
}
