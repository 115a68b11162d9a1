//! `team-model`: what learning from a team's reviews costs an import. Fills a fresh SQLite file
//! with reviewed incidents (their chat imported, a few kept messages accepted, the rest
//! rejected or left quiet), then times, in the same run, building the team model alone and a
//! whole import of one channel into a new incident (which builds it too).

use anyhow::{Context, Result};
use chrono::{Duration, TimeZone, Utc};
use hindsight_app::{Hindsight, Policy};
use hindsight_core::{FixedClock, NewIncident, Severity, proposal::ProposalId};
use hindsight_import::{chat::ChatMessage, extract::ExtractionRules};
use hindsight_store::Store;
use hindsight_store_sqlite::SqliteStore;
use std::{path::Path, sync::Arc, time::Instant};

const WORDS: &[&str] = &[
    "lunch",
    "coffee",
    "dashboard",
    "latency",
    "queue",
    "retry",
    "cutover",
    "realizado",
    "node",
    "cache",
    "shard",
    "replica",
    "pager",
    "window",
    "ticket",
    "graph",
    "spike",
    "deploy",
    "canary",
    "rollback",
    "traffic",
    "estable",
    "region",
    "quota",
    "token",
    "runner",
    "weekend",
    "pizza",
];

/// `n` messages of one channel: word salad, one in seven a step in the team's words.
fn channel(n: usize, seed: usize) -> Vec<ChatMessage> {
    let start = Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap();
    (0..n)
        .map(|i| {
            let pick = |k: usize| WORDS[(i * 31 + seed * 17 + k * 7) % WORDS.len()];
            let text = if i % 7 == 0 {
                format!("cutover realizado en {} {}, tráfico estable", pick(1), i)
            } else {
                format!("{} {} {} the {} {}", pick(1), pick(2), pick(3), pick(4), i)
            };
            ChatMessage {
                id: format!("slack:C{seed}:{}.000100", 1_790_000_000 + i * 60),
                channel: format!("inc-{seed}"),
                at: start + Duration::minutes(i as i64),
                author_id: Some(format!("U{}", i % 9)),
                author: Some(format!("person {}", i % 9)),
                text,
                ..ChatMessage::default()
            }
        })
        .collect()
}

pub fn team_model(dir: &Path, incidents: usize, messages: usize) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let db = dir.join("team.db");
    let _ = std::fs::remove_file(&db);
    let store = Arc::new(SqliteStore::open(&db)?);
    store.migrate()?;
    let app = Hindsight::new(
        store,
        Arc::new(FixedClock::new(Utc::now())),
        Policy::default(),
    );
    let rules = ExtractionRules::default();
    let new_incident = |n: usize| -> Result<_> {
        let new = NewIncident::new(
            &format!("Incident {n}"),
            Severity::from_level(2)?,
            chrono_tz::UTC,
        )?;
        Ok(app.create_incident(new)?.key)
    };
    let started = Instant::now();
    for n in 0..incidents {
        let key = new_incident(n)?;
        let report = app
            .propose_from_chat(key, &channel(messages, n), &[], &rules, "seed")
            .with_context(|| format!("seeding incident {}", n + 1))?;
        let kept: Vec<ProposalId> = report
            .added
            .iter()
            .filter(|p| p.quiet && p.quote.as_deref().is_some_and(|q| q.contains("cutover")))
            .map(|p| p.id)
            .collect();
        app.decide_proposals(key, &kept, true)?;
        app.decide_proposals(key, &[], false)?;
    }
    let seeded = started.elapsed().as_secs_f64();
    eprintln!(
        "seeded {incidents} reviewed incidents of {messages} messages in {seeded:.1} s ({})",
        db.display()
    );

    let key = new_incident(incidents)?;
    let mut build = f64::MAX;
    let mut size = (0, 0);
    for _ in 0..5 {
        let t = Instant::now();
        let model = app
            .team_model(key)?
            .context("the seeded reviews teach a model")?;
        build = build.min(t.elapsed().as_secs_f64());
        size = model.size();
    }
    let mut import = f64::MAX;
    let mut proposed = 0;
    for attempt in 0..5 {
        let key = new_incident(incidents + 1 + attempt)?;
        let t = Instant::now();
        let report =
            app.propose_from_chat(key, &channel(messages, 9999), &[], &rules, "measured")?;
        import = import.min(t.elapsed().as_secs_f64());
        proposed = report.proposed().count();
    }
    println!(
        "team model from {} messages ({} kept) of {incidents} reviewed incidents: built in {:.1} ms (best of 5)",
        size.0,
        size.1,
        build * 1000.0
    );
    println!(
        "import of one {messages}-message channel, the model included: {:.1} ms (best of 5), {proposed} proposed",
        import * 1000.0
    );
    println!(
        "building the model / the whole import: {:.2}",
        build / import
    );
    Ok(())
}
