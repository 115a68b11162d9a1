//! `hindsight-bench seed-serve`: the workload the web benchmark runs against. A SQLite database
//! of N incidents, each with 20 timeline events (varied kinds, authors, severities, evidence
//! links and key points), responders, a post-mortem with some sections written, and 3 action
//! items; an editor account with an API token and a browser session.
//!
//! Everything goes through the real application ([`Hindsight`] over [`SqliteStore`]): the
//! timeline is imported as a CSV, the document edited, the actions filed, each change followed by
//! its revision, as a team's database would hold them. A clock moved forward incident by
//! incident spreads them over about three years.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, Utc};
use hindsight_app::{Hindsight, Policy};
use hindsight_core::{
    AccountRole, ActionKind, ActionStatus, ContributingFactor, FactorCategory, FixedClock, Level,
    NewActionItem, NewIncident, NewUser, Person, Priority, Role, Severity,
    incident::parse_timezone, text::Line,
};
use hindsight_store::{NewSession, Store};
use hindsight_store_sqlite::SqliteStore;
use hindsight_web::auth;
use std::{fmt::Write as _, path::Path, sync::Arc, time::Instant};

/// The display name of the benchmark's editor: a responder of some incidents, so the private
/// ones among them are visible to it.
pub const EDITOR_NAME: &str = "Sam Rivera";

/// A small deterministic generator (splitmix64): the same seed gives the same database.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const SERVICES: &[&str] = &[
    "checkout-api",
    "payments",
    "search",
    "auth",
    "notifications",
    "cdn",
    "orders-db",
    "inventory",
    "mobile-gateway",
    "billing",
    "recommendations",
    "email-relay",
    "kafka",
    "object-storage",
    "dns",
    "api-gateway",
];

const SYMPTOMS: &[&str] = &[
    "returned 502s",
    "timed out for a share of requests",
    "served stale results",
    "dropped messages",
    "rejected logins",
    "ran out of disk",
    "lagged behind its primary",
    "answered slowly",
    "failed its health checks",
    "lost connections to the database",
];

const TRIGGERS: &[&str] = &[
    "a configuration push",
    "a deploy",
    "a certificate expiry",
    "a traffic spike",
    "a dependency upgrade",
    "a failed node",
    "a schema migration",
    "a provider outage",
    "a cache flush",
    "a feature flag change",
];

const TIMEZONES: &[&str] = &[
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Europe/London",
    "Australia/Sydney",
];

const PEOPLE: &[(&str, &str)] = &[
    ("Ana Lima", "SRE lead"),
    ("Eli Moreau", "SRE"),
    ("Bo Chen", "Engineer"),
    ("Cy Okafor", "Database engineer"),
    ("Fen Ito", "Payments engineer"),
    ("Di Novak", "Support lead"),
    ("Gus Hale", "Product manager"),
    ("Hana Berg", "Network engineer"),
    ("Ivo Petrov", "SRE"),
    ("Jo Kim", "Engineer"),
    ("Kai Ruiz", "Engineering manager"),
    ("Lea Dubois", "Security engineer"),
    ("Max Olsen", "SRE"),
    ("Nia Adams", "Engineer"),
    ("Oli Weber", "Platform engineer"),
    ("Pia Costa", "Communications"),
    ("Raj Mehta", "Engineer"),
    ("Sol Haddad", "SRE"),
    ("Tess Quinn", "Database engineer"),
    ("Uma Singh", "Support engineer"),
];

const ACTIONS_TAKEN: &[&str] = &[
    "Checked the deploys of the last hour: one config change to the service",
    "Rolled back the last deploy",
    "Scaled the service from 12 to 24 replicas",
    "Failed the database over to the replica in the other zone",
    "Drained the unhealthy node from the pool",
    "Raised the connection limit on the database to 800",
    "Disabled the feature flag for every tenant",
    "Flushed the CDN cache for the affected paths",
    "Restarted the stuck consumer group",
    "Renewed the certificate and reloaded the load balancers",
];

const NOTES: &[&str] = &[
    "Error ratio at 28% and climbing on the dashboard",
    "Support reports a wave of tickets about failed checkouts",
    "The provider's status page shows no incident",
    "Latency p99 is back under 300 ms but errors continue",
    "Queue depth is falling: about 20 minutes to drain",
    "Logs show connection refused from the database",
    "No errors for 15 minutes; watching before calling it resolved",
    "Traced the errors to one availability zone",
];

const WHYS: &[&str] = &[
    "The configuration schema has no upper bound for the value",
    "The canary stage does not cover configuration pushes",
    "The alert threshold was tuned for a quieter season",
    "The runbook described the old topology",
    "Nobody owned the dependency after the reorganisation",
    "The load test did not include the new traffic shape",
];

const ACTION_TITLES: &[&str] = &[
    "Bound the value in the configuration schema",
    "Send configuration pushes through the canary stage",
    "Alert on the error ratio per availability zone",
    "Update the runbook for the new topology",
    "Add a load test for the new traffic shape",
    "Automate the failover drill every quarter",
    "Page the service owner, not only the platform team",
    "Expire certificates in staging a week before production",
];

/// What the seed made: the credentials the benchmark presents.
pub struct Seeded {
    pub incidents: usize,
    pub token: String,
    pub session: String,
    pub csrf: String,
    pub seconds: f64,
}

/// Fills a fresh database at `db` with `incidents` incidents and the benchmark's account.
pub fn seed(db: &Path, incidents: usize) -> Result<Seeded> {
    if db.exists() {
        bail!(
            "{} exists: the seed fills a fresh database, remove it first",
            db.display()
        );
    }
    let store = Arc::new(SqliteStore::open(db)?);
    store.migrate()?;
    // Three years of incidents, one about every 2.6 hours, ending a day ago.
    let end = Utc::now() - Duration::days(1);
    let step = Duration::days(3 * 365) / i32::try_from(incidents.max(1)).unwrap_or(i32::MAX);
    let clock = Arc::new(FixedClock::new(end - step * incidents as i32));
    let app = Hindsight::new(store.clone(), clock.clone(), Policy::default());
    let started = Instant::now();
    for n in 0..incidents {
        let opened = end - step * (incidents - n) as i32;
        seed_incident(&app, &clock, &mut Rng(n as u64 * 7919 + 17), opened)
            .with_context(|| format!("seeding incident {}", n + 1))?;
        if (n + 1) % 1000 == 0 {
            eprintln!(
                "{} incidents in {:.1} s",
                n + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    clock.set(Utc::now());

    let user = store.create_user(
        &NewUser::new("bench", EDITOR_NAME, AccountRole::Editor)?,
        &auth::hash_password("bench-password-not-secret").map_err(anyhow::Error::msg)?,
        Utc::now(),
    )?;
    let token = format!("{}{}", auth::TOKEN_PREFIX, auth::new_secret());
    store.create_api_token(
        user.id,
        &Line::parse("label", "web benchmark")?,
        &auth::secret_hash(&token),
        Utc::now(),
    )?;
    let session = auth::new_secret();
    let csrf = auth::new_secret();
    store.create_session(&NewSession {
        token_hash: auth::secret_hash(&session),
        user: user.id,
        csrf_token: csrf.clone(),
        expires_at: Utc::now() + Duration::days(30),
    })?;
    Ok(Seeded {
        incidents,
        token,
        session,
        csrf,
        seconds,
    })
}

/// Quotes a CSV field.
fn csv(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// One incident as a team would have filled it: opened, its timeline imported, its responders
/// named, its document partly written, three actions filed.
fn seed_incident(
    app: &Hindsight,
    clock: &FixedClock,
    rng: &mut Rng,
    opened: DateTime<Utc>,
) -> Result<()> {
    let service = *rng.pick(SERVICES);
    let other = *rng.pick(SERVICES);
    let symptom = *rng.pick(SYMPTOMS);
    let trigger = *rng.pick(TRIGGERS);
    let opening = Severity::from_level(match rng.below(10) {
        0 => 1,
        1..=3 => 2,
        4..=6 => 3,
        7..=8 => 4,
        _ => 5,
    })?;
    let timezone = parse_timezone(TIMEZONES[rng.below(TIMEZONES.len())])?;
    // One in ten incidents counts the benchmark's editor among its responders; a third of those
    // are private, so the searches meet private incidents the caller may and may not see.
    let with_editor = rng.chance(10);
    let private = with_editor && rng.chance(35);
    let template = match rng.below(10) {
        0..=6 => "pagerduty",
        7..=8 => "google-sre",
        _ => "observations",
    };
    let mut new = NewIncident::new(
        &format!(
            "{service} {symptom} after {trigger}",
            service = service.replace('-', " ")
        ),
        opening,
        timezone,
    )?
    .with_services(if service == other {
        vec![service]
    } else {
        vec![service, other]
    })?;
    new.private = private;
    new.template = template.to_owned();

    // The incident is opened some minutes after its impact began.
    let impact = opened - Duration::minutes(5 + rng.below(20) as i64);
    clock.set(opened);
    let key = app.create_incident(new)?.key;

    // Resolved (most), mitigated, or still active (the newest ones).
    let outcome = match rng.below(20) {
        0 => 0,
        1..=2 => 1,
        _ => 2,
    };
    let mut people: Vec<(&str, &str)> = Vec::new();
    for _ in 0..5 {
        let person = *rng.pick(PEOPLE);
        if !people.contains(&person) {
            people.push(person);
        }
    }
    if with_editor {
        people.push((EDITOR_NAME, "Engineer"));
    }
    let commander = people[0].0;
    let mut timeline = String::from("time,kind,text,author,severity,evidence,key_point\n");
    let mut at = impact - Duration::minutes(10 + rng.below(50) as i64);
    let mut severity = opening.level();
    for step in 0..20 {
        let (kind, text, author, evidence, key): (&str, String, &str, Option<String>, bool) =
            match step {
                0 => (
                    "root_cause_began",
                    format!(
                        "{trigger} reaches {service}",
                        trigger = capitalised(trigger)
                    ),
                    "deploy-bot",
                    Some(format!(
                        "https://git.example.com/infra/config/commit/{:07x}",
                        rng.next() & 0xfff_ffff
                    )),
                    false,
                ),
                1 => (
                    "impact_started",
                    format!("{service} {symptom}"),
                    "",
                    Some(format!(
                        "https://grafana.example.com/d/{service}?from={}",
                        at.timestamp_millis()
                    )),
                    true,
                ),
                2 => (
                    "detected",
                    format!("Alert: {service} error ratio above 5% for 5 minutes"),
                    "Alertmanager",
                    Some(format!(
                        "https://alerts.example.com/#/alerts?filter={service}"
                    )),
                    false,
                ),
                3 => (
                    "paged",
                    format!("{service} on-call paged"),
                    "PagerDuty",
                    Some(format!(
                        "https://acme.pagerduty.example.com/incidents/Q{:05X}",
                        rng.below(0xFFFFF)
                    )),
                    false,
                ),
                4 => (
                    "acknowledged",
                    "Page acknowledged".to_owned(),
                    people[1 % people.len()].0,
                    None,
                    false,
                ),
                5 => (
                    "declared",
                    format!("Incident declared, {commander} is commander"),
                    commander,
                    None,
                    true,
                ),
                6 | 13 => (
                    "communication",
                    format!("Update posted in #inc-{}-{}", service, key.number()),
                    people[2 % people.len()].0,
                    Some(format!(
                        "https://chat.example.com/archives/C{:06}",
                        key.number()
                    )),
                    false,
                ),
                9 | 17 => (
                    "status_page_updated",
                    format!("Status page: {service} degraded, investigating"),
                    "Statuspage",
                    Some(format!(
                        "https://status.example.com/incidents/{:x}",
                        rng.next() >> 20
                    )),
                    false,
                ),
                11 => {
                    severity = if severity > 1 && rng.chance(60) {
                        severity - 1
                    } else {
                        (severity + 1).min(5)
                    };
                    (
                        "severity_changed",
                        format!(
                            "Severity changed: {service} impact is {}",
                            if severity < opening.level() {
                                "wider than thought"
                            } else {
                                "contained"
                            }
                        ),
                        commander,
                        None,
                        true,
                    )
                }
                16 if outcome >= 1 => (
                    "mitigated",
                    format!("{service} error ratio back under 0.1%"),
                    commander,
                    Some(format!("https://grafana.example.com/d/{service}")),
                    true,
                ),
                19 if outcome == 2 => (
                    "resolved",
                    format!("{service} stable for an hour, incident resolved"),
                    commander,
                    None,
                    true,
                ),
                7 | 10 | 12 | 15 => (
                    "action",
                    rng.pick(ACTIONS_TAKEN).to_string(),
                    people[rng.below(people.len())].0,
                    rng.chance(50).then(|| {
                        format!(
                            "https://logs.example.com/search?q=trace-{}",
                            rng.next() >> 16
                        )
                    }),
                    rng.chance(20),
                ),
                _ => (
                    "note",
                    format!("{} ({service})", rng.pick(NOTES)),
                    people[rng.below(people.len())].0,
                    rng.chance(30).then(|| {
                        format!(
                            "https://logs.example.com/search?q={service}&t={}",
                            at.timestamp()
                        )
                    }),
                    false,
                ),
            };
        let level = match kind {
            "severity_changed" => format!("SEV-{severity}"),
            "declared" => format!("SEV-{}", opening.level()),
            _ => String::new(),
        };
        writeln!(
            timeline,
            "{},{},{},{},{},{},{}",
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            kind,
            csv(&text),
            csv(author),
            level,
            evidence.unwrap_or_default(),
            if key { "yes" } else { "" }
        )?;
        at += Duration::minutes(2 + rng.below(if step < 6 { 6 } else { 25 }) as i64);
    }
    clock.set(at.max(opened) + Duration::minutes(5));
    app.import_timeline_csv(key, timeline.as_bytes(), "timeline.csv")?;

    let roles = [
        Role::Commander,
        Role::Scribe,
        Role::Sme,
        Role::Sme,
        Role::Participant,
        Role::Participant,
    ];
    let responders = people
        .iter()
        .enumerate()
        .map(|(i, (name, title))| {
            Ok((
                roles[i.min(roles.len() - 1)],
                Person::new(name, Some(title))?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    app.edit_responders(key, "named the responders", |r| {
        for (role, person) in &responders {
            r.assign(*role, person.clone());
        }
    })?;

    // A day or two later, the post-mortem: most resolved incidents have some sections written.
    clock.set(at + Duration::hours(20 + rng.below(30) as i64));
    let written = outcome == 2 && rng.chance(70);
    let owner = people[people.len() - 1].0;
    let why = *rng.pick(WHYS);
    let sections: &[&str] = match template {
        "pagerduty" => &["overview", "what_happened", "resolution"],
        "google-sre" => &["summary", "trigger", "resolution"],
        _ => &["observations", "symptoms", "remediation"],
    };
    let overview = format!(
        "For about {} minutes {service} {symptom} after {trigger}. {} users saw errors; \
         the responders rolled the change back and the service recovered.",
        (at - impact).num_minutes(),
        1000 + rng.below(50_000)
    );
    let story = format!(
        "{} reached {service} at {}. The alert fired a few minutes later and the on-call \
         engineer was paged.\n\nThe first hypothesis (the provider) held for a while; logs then \
         showed the errors came from one availability zone. See the timeline for the steps.",
        capitalised(trigger),
        impact.format("%H:%M UTC")
    );
    let fix = "Rolling back the change ended the errors within two minutes; queued work was \
               replayed and checked by hand.";
    let users = 1000 + rng.below(50_000) as u64;
    app.edit_postmortem(key, "wrote the post-mortem", |pm| {
        pm.owner = Some(Line::parse("owner", owner).map_err(invalid)?);
        if written {
            for (id, text) in sections.iter().zip([&overview, &story, fix]) {
                pm.set_section(id, text).map_err(invalid)?;
            }
            let mut factor = ContributingFactor::new(
                FactorCategory::Technical,
                &format!(
                    "{} was not checked before it reached {service}",
                    capitalised(trigger)
                ),
            )
            .map_err(invalid)?;
            factor.whys = vec![why.to_owned()];
            pm.factors = vec![factor];
            pm.howd_we_do.went_well = vec!["The alert fired within minutes".into()];
            pm.howd_we_do.went_wrong = vec!["The first hypothesis held too long".into()];
            pm.impact.users_affected = Some(users);
            pm.impact.events_dropped = Some(0);
        } else if outcome == 2 {
            pm.set_section(sections[0], &overview).map_err(invalid)?;
        }
        Ok(())
    })?;

    for i in 0..3 {
        let mut item = NewActionItem::new(ACTION_TITLES[rng.below(ACTION_TITLES.len())])?
            .with_owner(Some(people[(i + 1) % people.len()].0))?
            .with_description(&format!(
                "So that {trigger} cannot make {service} fail the same way."
            ))?;
        item.priority = *rng.pick(&[Priority::P1, Priority::P2, Priority::P3, Priority::P4]);
        item.kind = *rng.pick(&[
            ActionKind::Prevent,
            ActionKind::Preparedness,
            ActionKind::ResponseProcess,
            ActionKind::PostmortemStep,
        ]);
        item.impact = *rng.pick(&[Level::Low, Level::Medium, Level::High]);
        item.effort = *rng.pick(&[Level::Low, Level::Medium, Level::High]);
        item.status = *rng.pick(&[
            ActionStatus::Open,
            ActionStatus::InProgress,
            ActionStatus::Done,
        ]);
        item.due = Some((at + Duration::days(14 + rng.below(60) as i64)).date_naive());
        if rng.chance(60) {
            item.ticket = Some(url::Url::parse(&format!(
                "https://tracker.example.com/browse/OPS-{}",
                1000 + rng.below(90_000)
            ))?);
        }
        app.add_action(key, &item)?;
    }
    Ok(())
}

fn invalid(e: impl std::fmt::Display) -> hindsight_app::AppError {
    hindsight_app::AppError::invalid("seed", e)
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
