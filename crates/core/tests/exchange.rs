//! The JSON document format: every generated post-mortem survives export and import unchanged,
//! and the published schema is the one the code writes.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use hindsight_core::{
    ActionId, ActionItem, ActionKind, ActionStatus, ChecklistItem, ChecklistRole, CommandUsed,
    ContributingFactor, CustomFigure, EventId, EventKind, EventSource, FactorCategory, HowdWeDo,
    Incident, Level, Link, LinkKind, Meeting, Messages, NewActionItem, NewTimelineEvent, Person,
    Postmortem, PostmortemStatus, Priority, Question, Responders, Role, Severity, TimelineEvent,
    exchange::{DocumentError, PostmortemDocument},
    text::Line,
};
use proptest::prelude::*;
use url::Url;

fn words() -> impl Strategy<Value = String> {
    // Printable text of any script, with the odd quote and pipe, never empty once trimmed.
    "[a-zA-Z0-9éß中 |\"'<>&*_-]{0,30}[a-zA-Z0-9]".prop_map(|s| s.trim().to_owned())
}

fn line() -> impl Strategy<Value = Line> {
    words().prop_map(|w| Line::parse("text", &w).unwrap())
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..4_000_000_000, 0u32..1_000_000)
        .prop_map(|(s, micros)| Utc.timestamp_opt(s, micros * 1000).single().unwrap())
}

fn url() -> impl Strategy<Value = Url> {
    ("[a-z]{1,10}", "[a-z0-9/]{0,12}")
        .prop_map(|(host, path)| Url::parse(&format!("https://{host}.example.com/{path}")).unwrap())
}

fn pick<T: Clone + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(all)
}

fn person() -> impl Strategy<Value = Person> {
    (words(), proptest::option::of(words()))
        .prop_map(|(name, title)| Person::new(&name, title.as_deref()).unwrap())
}

fn responders() -> impl Strategy<Value = Responders> {
    proptest::collection::vec((pick(&Role::ALL), person()), 0..6).prop_map(|people| {
        let mut r = Responders::default();
        for (role, person) in people {
            r.assign(role, person);
        }
        r
    })
}

fn event() -> impl Strategy<Value = TimelineEvent> {
    (
        1i64..1_000_000,
        instant(),
        pick(EventKind::ALL),
        words(),
        proptest::option::of(words()),
        pick(EventSource::ALL),
        1u8..=5,
        proptest::collection::vec(url(), 0..3),
        any::<bool>(),
        instant(),
    )
        .prop_map(
            |(id, at, kind, text, author, source, level, evidence, key, recorded)| {
                let severity = kind
                    .takes_severity()
                    .then(|| Severity::from_level(level).unwrap());
                let mut event = NewTimelineEvent::from_parts(at, kind, &text, source, severity)
                    .unwrap()
                    .with_author(author.as_deref())
                    .unwrap()
                    .key_point(key);
                for url in evidence {
                    event = event.with_evidence(url).unwrap();
                }
                TimelineEvent {
                    id: EventId(id),
                    event,
                    recorded_at: recorded,
                }
            },
        )
}

fn action() -> impl Strategy<Value = ActionItem> {
    (
        (
            1i64..1_000_000,
            line(),
            words(),
            proptest::option::of(line()),
        ),
        proptest::option::of((2000i32..2100, 1u32..=12, 1u32..=28)),
        (
            pick(Priority::ALL),
            pick(ActionKind::ALL),
            pick(Level::ALL),
            pick(Level::ALL),
        ),
        (
            pick(ActionStatus::ALL),
            proptest::option::of(url()),
            instant(),
        ),
    )
        .prop_map(
            |(
                (id, title, description, owner),
                due,
                (priority, kind, impact, effort),
                (status, ticket, created_at),
            )| {
                let item = NewActionItem {
                    title,
                    description,
                    owner,
                    due: due.map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()),
                    priority,
                    kind,
                    impact,
                    effort,
                    status,
                    ticket,
                };
                ActionItem {
                    id: ActionId(id),
                    item,
                    created_at,
                }
            },
        )
}

fn postmortem() -> impl Strategy<Value = Postmortem> {
    let counts = proptest::collection::vec(proptest::option::of(0u64..1_000_000), 5);
    (
        (
            proptest::option::of(line()),
            pick(PostmortemStatus::ALL),
            proptest::collection::btree_map("[a-z_]{1,12}", words(), 0..4),
        ),
        (
            counts,
            proptest::collection::vec(url(), 0..2),
            proptest::collection::vec(
                (line(), -99_999i64..99_999, proptest::option::of(words())),
                0..2,
            ),
            any::<bool>(),
        ),
        proptest::collection::vec(
            (
                pick(FactorCategory::ALL),
                words(),
                proptest::collection::vec(words(), 0..3),
                any::<bool>(),
            ),
            0..3,
        ),
        proptest::collection::vec(proptest::collection::vec(words(), 0..2), 4),
        proptest::collection::vec(
            (
                words(),
                proptest::option::of(words()),
                proptest::option::of(words()),
            ),
            0..2,
        ),
        (
            proptest::option::of(words()),
            proptest::collection::vec(
                (pick(LinkKind::ALL), url(), proptest::option::of(words())),
                0..2,
            ),
            proptest::collection::vec((words(), words()), 0..2),
        ),
        (
            proptest::option::of(instant()),
            proptest::option::of(line()),
            proptest::option::of(line()),
            proptest::option::of(words()),
            proptest::option::of(words()),
        ),
        proptest::collection::vec((pick(ChecklistRole::ALL), words(), any::<bool>()), 0..3),
    )
        .prop_map(
            |(head, impact, factors, howd, questions, comms, meeting, checklists)| {
                let (owner, status, sections) = head;
                let (counts, tickets, custom, full_outage) = impact;
                let mut pm = Postmortem::new("pagerduty");
                pm.owner = owner;
                pm.status = status;
                pm.sections = sections;
                pm.impact.notifications_out_of_sla = counts[0];
                pm.impact.events_dropped = counts[1];
                pm.impact.accounts_affected = counts[2];
                pm.impact.users_affected = counts[3];
                pm.impact.support_requests = counts[4];
                pm.impact.support_tickets = tickets;
                pm.impact.custom = custom
                    .into_iter()
                    .map(|(name, cents, unit)| CustomFigure {
                        name,
                        value: format!("{}.{:02}", cents / 100, cents.unsigned_abs() % 100)
                            .parse()
                            .unwrap(),
                        unit,
                    })
                    .collect();
                pm.impact.full_outage = full_outage;
                pm.factors = factors
                    .into_iter()
                    .map(|(category, description, whys, made_worse)| {
                        let mut f = ContributingFactor::new(category, &description).unwrap();
                        f.whys = whys;
                        f.made_worse = made_worse;
                        f
                    })
                    .collect();
                let mut lists = howd.into_iter();
                pm.howd_we_do = HowdWeDo {
                    went_well: lists.next().unwrap(),
                    went_wrong: lists.next().unwrap(),
                    got_lucky: lists.next().unwrap(),
                    lessons: lists.next().unwrap(),
                };
                pm.questions = questions
                    .into_iter()
                    .map(|(question, answer, asked_by)| Question {
                        question,
                        answer,
                        asked_by,
                    })
                    .collect();
                let (channel, links, commands) = comms;
                pm.communication.channel = channel;
                pm.communication.links = links
                    .into_iter()
                    .map(|(kind, url, title)| Link { kind, url, title })
                    .collect();
                pm.commands = commands
                    .into_iter()
                    .map(|(description, command)| CommandUsed {
                        description,
                        command,
                    })
                    .collect();
                let (scheduled_for, moderator, note_taker, internal, external) = meeting;
                pm.meeting = Meeting {
                    scheduled_for,
                    moderator,
                    note_taker,
                };
                pm.messages = Messages { internal, external };
                pm.checklists = checklists
                    .into_iter()
                    .map(|(role, text, done)| ChecklistItem { role, text, done })
                    .collect();
                pm
            },
        )
}

fn document() -> impl Strategy<Value = PostmortemDocument> {
    (
        (
            1u64..100_000,
            line(),
            1u8..=5,
            proptest::collection::vec(line(), 0..3),
            pick(&["UTC", "Europe/Paris", "Asia/Kolkata", "America/St_Johns"]),
            any::<bool>(),
            instant(),
        ),
        responders(),
        proptest::collection::vec(event(), 0..8),
        postmortem(),
        proptest::collection::vec(action(), 0..4),
    )
        .prop_map(
            |(incident, responders, mut timeline, postmortem, actions)| {
                let (number, title, level, services, tz, private, created_at) = incident;
                hindsight_core::timeline::sort_timeline(&mut timeline);
                let record = hindsight_core::IncidentRecord {
                    incident: Incident {
                        key: hindsight_core::IncidentKey::from_number(number).unwrap(),
                        title,
                        severity: Severity::from_level(level).unwrap(),
                        services,
                        timezone: tz.parse().unwrap(),
                        private,
                        created_at,
                    },
                    responders,
                    timeline,
                    postmortem,
                    postmortem_version: 1,
                    actions,
                };
                PostmortemDocument::from_record(&record)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_postmortem_survives_export_and_import(document in document()) {
        let json = document.to_json();
        let back = PostmortemDocument::from_json(&json).unwrap();
        prop_assert_eq!(&back, &document);
        prop_assert_eq!(back.to_json(), json);
    }
}

#[test]
fn the_published_schema_is_the_one_the_code_writes() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/schema/hindsight-postmortem-v1.schema.json"
    );
    let generated = PostmortemDocument::json_schema();
    if std::env::var_os("HINDSIGHT_UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let published = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        published == generated,
        "docs/schema/hindsight-postmortem-v1.schema.json is out of date: rerun with HINDSIGHT_UPDATE_SCHEMA=1 and review the change"
    );
}

#[test]
fn documents_that_break_the_rules_are_refused_with_the_reason() {
    let record = hindsight_core::IncidentRecord {
        incident: Incident {
            key: "INC-3".parse().unwrap(),
            title: Line::parse("title", "x").unwrap(),
            severity: Severity::from_level(2).unwrap(),
            services: vec![],
            timezone: chrono_tz::UTC,
            private: false,
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        },
        responders: Responders::default(),
        timeline: vec![],
        postmortem: Postmortem::new("pagerduty"),
        postmortem_version: 1,
        actions: vec![],
    };
    let good = PostmortemDocument::from_record(&record).to_json();
    let check = |from: &str, to: &str, expected: &str| {
        assert!(good.contains(from), "{from}");
        let err = PostmortemDocument::from_json(&good.replacen(from, to, 1)).unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    };
    check(
        "\"version\": 1",
        "\"version\": 2",
        "newer than the 1 this hindsight reads",
    );
    check(
        "hindsight.postmortem",
        "other.tool",
        "the format is `other.tool`",
    );
    check(
        "\"severity\": \"SEV-2\"",
        "\"severity\": \"SEV-9\"",
        "unknown severity `SEV-9`",
    );
    check(
        "\"timeline\": []",
        r#""timeline": [{"id": 1, "at": "2026-01-01T00:00:00Z", "kind": "severity_changed", "text": "x", "source": "typed", "recorded_at": "2026-01-01T00:00:00Z"}]"#,
        "needs a severity",
    );
    check(
        "\"timeline\": []",
        r#""timeline": [{"id": 1, "at": "2026-01-01T00:00:00Z", "kind": "note", "text": "x", "source": "typed", "evidence": ["javascript:alert(1)"], "recorded_at": "2026-01-01T00:00:00Z"}]"#,
        "http or https",
    );
    check(
        "\"support_tickets\": []",
        r#""support_tickets": ["file:///etc/passwd"]"#,
        "not a web link",
    );
    assert!(matches!(
        PostmortemDocument::from_json("{"),
        Err(DocumentError::Unreadable(_))
    ));
}
