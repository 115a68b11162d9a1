//! `hindsight demo`: a sample incident with a complete post-mortem, filled through the same use
//! cases as every other command, so a new user sees what a finished document looks like.

use anyhow::Result;
use hindsight_app::{AppError, Hindsight};
use hindsight_core::{
    ActionKind, ActionStatus, CommandUsed, ContributingFactor, CustomFigure, FactorCategory, Level,
    Link, LinkKind, MessageKind, NewActionItem, NewIncident, Person, Priority, Question, Role,
    Severity, text::Line,
};
use url::Url;

const TIMELINE: &str = include_str!("demo/timeline.csv");

fn url(text: &str) -> Result<Url> {
    Ok(Url::parse(text)?)
}

fn invalid(e: impl std::fmt::Display) -> AppError {
    AppError::invalid("demo", e)
}

pub fn run(app: &Hindsight, database: &str) -> Result<()> {
    let key = create(app)?;
    print!("{}", app.render_markdown(key)?);
    eprintln!(
        "\nCreated {key} in {database}. Next: `hindsight figures {key}`, `hindsight incident show {key}`, \
         `hindsight timeline list {key}`, or open your own with `hindsight incident new --help`."
    );
    Ok(())
}

/// Creates the sample incident and returns its key.
pub fn create(app: &Hindsight) -> Result<hindsight_core::IncidentKey> {
    let new = NewIncident::new(
        "Checkout returned 502s after a connection-pool change",
        Severity::from_level(2)?,
        chrono_tz::Europe::Paris,
    )?
    .with_services(["checkout-api", "payments"])?;
    let key = app.create_incident(new)?.key;
    app.import_timeline_csv(key, TIMELINE.as_bytes(), "demo timeline")?;

    let people = [
        (Role::Commander, "Ana Lima", "SRE lead"),
        (Role::Deputy, "Eli Moreau", "SRE"),
        (Role::Scribe, "Bo Chen", "Engineer"),
        (Role::Sme, "Cy Okafor", "Database engineer"),
        (Role::Sme, "Fen Ito", "Payments engineer"),
        (Role::CustomerLiaison, "Di Novak", "Support lead"),
        (Role::Participant, "Gus Hale", "Product manager"),
    ]
    .into_iter()
    .map(|(role, name, title)| Ok((role, Person::new(name, Some(title))?)))
    .collect::<Result<Vec<_>>>()?;
    app.edit_responders(key, "named the responders", |r| {
        for (role, person) in &people {
            r.assign(*role, person.clone());
        }
    })?;

    let dashboard = url("https://grafana.example.com/d/checkout")?;
    let ticket = url("https://support.example.com/t/981")?;
    app.edit_postmortem(key, "wrote the post-mortem", |pm| {
        pm.owner = Some(Line::parse("owner", "Bo Chen").map_err(invalid)?);
        for (id, text) in [
            ("overview", "For 4 hours 38 minutes on the night of 24 October, checkout returned errors to about 30% of requests, and for 3 hours payments failed too. A configuration change let the checkout service open more database connections than the database accepts. Rolling the change back ended the errors."),
            ("what_happened", "At 22:40 a routine configuration push raised the checkout connection-pool limit tenfold. Under Saturday evening traffic the pools grew past the database's connection limit, and new connections were refused: checkout answered 502.\n\nThe alert fired six minutes after the errors began. Responders first suspected the payment provider, which was also slow, and raised the incident to SEV-1 when payments started failing. A restart of the payments workers meant to clear stuck connections dropped in-flight payments and had to be reconciled by hand."),
            ("resolution", "The pool limit was rolled back to 400 at 02:45 CEST, and the error ratio fell under 0.1% within two minutes. Queued orders were replayed and every payment reconciled by 02:30 CET (after the clocks went back)."),
            ("messaging", "**Internal:** Checkout and payments were degraded for 4h38m on 24–25 October after a configuration change; the post-mortem is linked below.\n\n**External:** Between 22:52 and 02:30 CET some checkouts and payments failed. A configuration change allowed our service to open more database connections than the database accepts. We have rolled it back and are adding safeguards so it cannot happen again. We are sorry for the disruption this caused."),
        ] {
            pm.set_section(id, text).map_err(invalid)?;
        }
        pm.impact.users_affected = Some(18_250);
        pm.impact.accounts_affected = Some(3_112);
        pm.impact.notifications_out_of_sla = Some(0);
        pm.impact.events_dropped = Some(0);
        pm.impact.support_requests = Some(42);
        pm.impact.support_tickets = vec![ticket.clone()];
        pm.impact.custom = vec![CustomFigure {
            name: Line::parse("name", "Refunds issued").map_err(invalid)?,
            value: "1520.50".parse().map_err(invalid)?,
            unit: Some("EUR".into()),
        }];
        let mut limit = ContributingFactor::new(
            FactorCategory::Technical,
            "The pool limit was not checked against the database's connection limit",
        )
        .map_err(invalid)?;
        limit.whys = vec![
            "The configuration schema has no upper bound for pool sizes".into(),
            "Database limits live in a runbook, not in code the deploy can check".into(),
        ];
        let mut review = ContributingFactor::new(
            FactorCategory::Process,
            "Configuration pushes skip the canary stage that code deploys go through",
        )
        .map_err(invalid)?;
        review.whys = vec!["The config pipeline predates the canary stage".into()];
        let mut restart = ContributingFactor::new(
            FactorCategory::Process,
            "Restarting the payments workers dropped in-flight payments",
        )
        .map_err(invalid)?;
        restart.made_worse = true;
        pm.factors = vec![limit, review, restart];
        pm.howd_we_do.went_well = vec!["The alert fired six minutes after impact began".into()];
        pm.howd_we_do.went_wrong = vec!["The first hypothesis (payment provider) held for 40 minutes".into()];
        pm.howd_we_do.got_lucky = vec!["Traffic was low on a Saturday night".into()];
        pm.howd_we_do.lessons = vec!["Limits that protect a shared database belong next to the database".into()];
        pm.questions = vec![Question {
            question: "Why did the config linter accept a pool size of 4000?".into(),
            answer: Some("It checks types, not ranges.".into()),
            asked_by: Some("Gus Hale".into()),
        }];
        pm.communication.channel = Some("#inc-checkout-502".into());
        pm.communication.links = vec![Link {
            kind: LinkKind::Dashboard,
            url: dashboard.clone(),
            title: Some("Checkout overview".into()),
        }];
        pm.meeting.scheduled_for = Some(
            chrono::DateTime::parse_from_rfc3339("2026-10-28T14:00:00+01:00")
                .map_err(invalid)?
                .to_utc(),
        );
        pm.meeting.moderator = Some(Line::parse("moderator", "Ana Lima").map_err(invalid)?);
        pm.meeting.note_taker = Some(Line::parse("note-taker", "Bo Chen").map_err(invalid)?);
        pm.commands = vec![CommandUsed {
            description: "Connections per application on the primary".into(),
            command: "SELECT application_name, count(*) FROM pg_stat_activity GROUP BY 1 ORDER BY 2 DESC;".into(),
        }];
        Ok(())
    })?;

    let actions = [
        (
            "Bound pool sizes in the configuration schema",
            "Cy Okafor",
            Priority::P1,
            ActionKind::Prevent,
            Level::High,
            Level::Low,
        ),
        (
            "Send configuration pushes through the canary stage",
            "Eli Moreau",
            Priority::P2,
            ActionKind::Prevent,
            Level::High,
            Level::Medium,
        ),
        (
            "Runbook: how to drain payments workers without dropping work",
            "Fen Ito",
            Priority::P2,
            ActionKind::Preparedness,
            Level::Medium,
            Level::Low,
        ),
    ];
    let today = app.now().date_naive();
    for (i, (title, owner, priority, kind, impact, effort)) in actions.into_iter().enumerate() {
        let mut item = NewActionItem::new(title)?.with_owner(Some(owner))?;
        item.priority = priority;
        item.kind = kind;
        item.impact = impact;
        item.effort = effort;
        item.due = Some(today + chrono::Days::new(14 * (i as u64 + 1)));
        if i == 0 {
            item.status = ActionStatus::InProgress;
            item.ticket = Some(url("https://tracker.example.com/OPS-1234")?);
        }
        app.add_action(key, &item)?;
    }

    for kind in [MessageKind::Internal, MessageKind::External] {
        let draft = app.draft_message(
            key,
            kind,
            Some(&format!("https://hindsight.example.com/{key}")),
        )?;
        app.set_message(key, kind, &draft)?;
    }
    Ok(key)
}
