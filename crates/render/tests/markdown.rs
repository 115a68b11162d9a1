//! Snapshots of the Markdown post-mortem: an empty draft and a complete document of an incident
//! that runs over midnight and through the end of summer time in Paris.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
use chrono::{DateTime, NaiveDate, Utc};
use hindsight_core::{
    ActionId, ActionItem, ActionStatus, CommandUsed, ContributingFactor, EventId, EventKind,
    EventSource, FactorCategory, Incident, IncidentRecord, Link, LinkKind, MeetingPolicy,
    NewActionItem, NewTimelineEvent, Person, Postmortem, Question, Responders, Role, Severity,
    Template, TimelineEvent, text::Line,
};
use hindsight_render::markdown;
use url::Url;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn incident() -> Incident {
    Incident {
        key: "INC-7".parse().unwrap(),
        title: Line::parse("title", "Checkout | payments returned 502s").unwrap(),
        severity: Severity::from_level(2).unwrap(),
        services: vec![
            Line::parse("service", "checkout-api").unwrap(),
            Line::parse("service", "payments").unwrap(),
        ],
        timezone: chrono_tz::Europe::Paris,
        private: false,
        created_at: utc("2026-10-24T21:00:00Z"),
    }
}

fn event(id: i64, at: &str, kind: EventKind, text: &str, severity: Option<u8>) -> TimelineEvent {
    let event = NewTimelineEvent::from_parts(
        utc(at),
        kind,
        text,
        EventSource::Import,
        severity.map(|s| Severity::from_level(s).unwrap()),
    )
    .unwrap();
    TimelineEvent {
        id: EventId(id),
        event,
        recorded_at: utc("2026-10-26T09:00:00Z"),
    }
}

fn render(record: &IncidentRecord) -> String {
    let figures = record.figures(&MeetingPolicy::default(), utc("2026-10-26T12:00:00Z"));
    markdown::postmortem(record, &figures, &Template::pagerduty())
}

#[test]
fn an_empty_draft_shows_every_section_with_what_to_write() {
    let record = IncidentRecord {
        incident: incident(),
        responders: Responders::default(),
        timeline: Vec::new(),
        postmortem: Postmortem::new("pagerduty"),
        postmortem_version: 1,
        actions: Vec::new(),
    };
    insta::assert_snapshot!(render(&record));
}

fn complete_record() -> IncidentRecord {
    let grafana = Url::parse("https://grafana.example.com/d/checkout?from=1761339600000").unwrap();
    let timeline = vec![
        event(
            1,
            "2026-10-24T20:40:00Z",
            EventKind::RootCauseBegan,
            "Config push raised the connection pool limit to 4000",
            None,
        ),
        event(
            2,
            "2026-10-24T20:52:00Z",
            EventKind::ImpactStarted,
            "Checkout starts returning 502 for 30% of requests",
            None,
        ),
        TimelineEvent {
            event: event(
                3,
                "2026-10-24T20:58:00Z",
                EventKind::Detected,
                "Alert: checkout 5xx ratio > 5%",
                None,
            )
            .event
            .clone()
            .with_evidence(grafana.clone())
            .unwrap()
            .key_point(true),
            ..event(3, "2026-10-24T20:58:00Z", EventKind::Detected, "x", None)
        },
        event(
            4,
            "2026-10-24T21:03:00Z",
            EventKind::Acknowledged,
            "On-call acknowledges the page",
            None,
        ),
        event(
            5,
            "2026-10-24T21:10:00Z",
            EventKind::Declared,
            "Incident declared",
            Some(2),
        ),
        event(
            6,
            "2026-10-24T22:30:00Z",
            EventKind::SeverityChanged,
            "Payments fail too: raised to SEV-1",
            Some(1),
        ),
        event(
            7,
            "2026-10-25T00:45:00Z",
            EventKind::Mitigated,
            "Pool limit rolled back; 5xx ratio under 0.1%",
            None,
        ),
        event(
            8,
            "2026-10-25T01:30:00Z",
            EventKind::Resolved,
            "Queues drained | all orders reconciled",
            None,
        ),
    ];
    let mut responders = Responders::default();
    responders.assign(
        Role::Commander,
        Person::new("Ana Lima", Some("SRE lead")).unwrap(),
    );
    responders.assign(
        Role::Scribe,
        Person::new("Bo Chen", Some("Engineer")).unwrap(),
    );
    responders.assign(
        Role::Sme,
        Person::new("Cy Okafor", Some("Database engineer")).unwrap(),
    );
    responders.assign(
        Role::CustomerLiaison,
        Person::new("Di Novak", Some("Support lead")).unwrap(),
    );
    responders.assign(
        Role::Participant,
        Person::new("Ed Park", Some("Product manager")).unwrap(),
    );

    let mut pm = Postmortem::new("pagerduty");
    pm.owner = Some(Line::parse("owner", "Bo Chen").unwrap());
    pm.set_section(
        "overview",
        "For 4h38m, checkout returned errors to **30%** of requests.",
    )
    .unwrap();
    pm.set_section(
        "what_happened",
        "A configuration push raised the pool limit.\n\nThe database ran out of connections.",
    )
    .unwrap();
    pm.set_section(
        "resolution",
        "The limit was rolled back and the queues drained.",
    )
    .unwrap();
    pm.impact.users_affected = Some(18_250);
    pm.impact.events_dropped = Some(0);
    pm.impact.support_requests = Some(42);
    pm.impact
        .support_tickets
        .push(Url::parse("https://support.example.com/t/981").unwrap());
    pm.impact.custom.push(hindsight_core::CustomFigure {
        name: Line::parse("name", "Refunds issued").unwrap(),
        value: "1520.50".parse().unwrap(),
        unit: Some("EUR".into()),
    });
    let mut factor = ContributingFactor::new(
        FactorCategory::Technical,
        "The pool limit was not validated against the database maximum",
    )
    .unwrap();
    factor.whys = vec![
        "The config schema has no upper bound".into(),
        "Limits were never documented".into(),
    ];
    pm.factors.push(factor);
    let mut worse = ContributingFactor::new(
        FactorCategory::Process,
        "A restart during the incident dropped in-flight payments",
    )
    .unwrap();
    worse.made_worse = true;
    pm.factors.push(worse);
    pm.howd_we_do
        .went_well
        .push("Alert fired within 6 minutes".into());
    pm.howd_we_do
        .got_lucky
        .push("Low traffic on a Saturday night".into());
    pm.questions.push(Question {
        question: "Why did the canary pass?".into(),
        answer: None,
        asked_by: Some("Ana Lima".into()),
    });
    pm.communication.channel = Some("#inc-7-checkout".into());
    pm.communication.links.push(Link {
        kind: LinkKind::Dashboard,
        url: grafana,
        title: Some("Checkout overview".into()),
    });
    pm.commands.push(CommandUsed {
        description: "Connections per pool".into(),
        command: "SELECT count(*) FROM pg_stat_activity GROUP BY application_name;".into(),
    });

    let mut action = NewActionItem::new("Bound the pool limit in the config schema")
        .unwrap()
        .with_owner(Some("Cy Okafor"))
        .unwrap();
    action.due = NaiveDate::from_ymd_opt(2026, 11, 6);
    let mut unowned = NewActionItem::new("Page payments on-call for checkout SEV-1s").unwrap();
    unowned.status = ActionStatus::InProgress;
    IncidentRecord {
        incident: incident(),
        responders,
        timeline,
        postmortem: pm,
        postmortem_version: 4,
        actions: vec![
            ActionItem {
                id: ActionId(1),
                item: action,
                created_at: utc("2026-10-26T10:00:00Z"),
            },
            ActionItem {
                id: ActionId(2),
                item: unowned,
                created_at: utc("2026-10-26T10:00:00Z"),
            },
        ],
    }
}

#[test]
fn a_complete_postmortem_over_midnight_and_a_dst_change() {
    insta::assert_snapshot!(render(&complete_record()));
}

/// Every built-in template in every format, over the same complete post-mortem.
#[test]
fn every_built_in_template_in_every_format() {
    let record = complete_record();
    let figures = record.figures(&MeetingPolicy::default(), utc("2026-10-26T12:00:00Z"));
    for template in Template::built_in() {
        let markdown = markdown::postmortem(&record, &figures, &template);
        insta::assert_snapshot!(format!("{}.md", template.name), markdown);
        let html = hindsight_render::html::postmortem_page(&record, &figures, &template);
        insta::assert_snapshot!(format!("{}.html", template.name), html);
    }
    let json = hindsight_core::exchange::PostmortemDocument::from_record(&record).to_json();
    insta::assert_snapshot!("document.json", json);
    let email = hindsight_render::drafts::internal_email(
        &record,
        &figures,
        Some("https://hindsight.example.com/INC-7"),
    );
    insta::assert_snapshot!("internal-email", email);
    insta::assert_snapshot!(
        "external-message",
        hindsight_render::drafts::external_message(&record, &figures)
    );
}
