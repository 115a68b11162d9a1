//! The use cases over a real SQLite file and a fixed clock.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use chrono::{TimeZone, Utc};
use hindsight_app::{AppError, Hindsight, Policy};
use hindsight_core::{FixedClock, IncidentKey, NewIncident, Severity};
use hindsight_store::Store;
use hindsight_store_sqlite::SqliteStore;
use std::sync::Arc;

fn app() -> (Hindsight, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("h.db")).unwrap();
    store.migrate().unwrap();
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap());
    (
        Hindsight::new(Arc::new(store), Arc::new(clock), Policy::default()),
        dir,
    )
}

fn incident(app: &Hindsight) -> IncidentKey {
    let new = NewIncident::new(
        "Checkout 502s",
        Severity::from_level(2).unwrap(),
        chrono_tz::Europe::Paris,
    )
    .unwrap();
    app.create_incident(new).unwrap().key
}

const CSV: &str = "time,kind,text\n\
    2026-11-20 14:00,impact_started,Errors start\n\
    2026-11-20 14:05,detected,Alert fires\n\
    2026-11-20 15:00,resolved,Errors stop\n";

#[test]
fn importing_the_same_file_twice_adds_nothing_the_second_time() {
    let (app, _dir) = app();
    let key = incident(&app);
    let first = app
        .import_timeline_csv(key, CSV.as_bytes(), "t.csv")
        .unwrap();
    assert_eq!((first.added.len(), first.duplicates), (3, 0));
    let second = app
        .import_timeline_csv(key, CSV.as_bytes(), "t.csv")
        .unwrap();
    assert_eq!((second.added.len(), second.duplicates), (0, 3));
    assert_eq!(app.record(key).unwrap().timeline.len(), 3);
}

#[test]
fn a_file_with_one_bad_row_stores_nothing_and_names_file_and_line() {
    let (app, _dir) = app();
    let key = incident(&app);
    let bad = format!("{CSV}2026-11-20 15:10,rolled_back,Oops\n");
    let err = app
        .import_timeline_csv(key, bad.as_bytes(), "timeline.csv")
        .unwrap_err();
    assert!(matches!(err, AppError::Csv { .. }));
    assert!(
        err.to_string()
            .starts_with("timeline.csv: line 5, column `kind`: unknown event kind `rolled_back`"),
        "{err}"
    );
    assert!(app.record(key).unwrap().timeline.is_empty());
}

#[test]
fn local_times_in_the_file_are_read_in_the_incident_timezone() {
    let (app, _dir) = app();
    let key = incident(&app);
    app.import_timeline_csv(key, CSV.as_bytes(), "t.csv")
        .unwrap();
    let (_, figures) = app.figures(key).unwrap();
    assert_eq!(
        figures.instants.started,
        Some(Utc.with_ymd_and_hms(2026, 11, 20, 13, 0, 0).unwrap())
    );
    assert_eq!(figures.time_to_resolve_s, Some(3600));
}

#[test]
fn an_edit_that_meets_a_concurrent_save_is_applied_to_the_newer_document() {
    let (app, _dir) = app();
    let key = incident(&app);
    let store = app.store();
    let calls = std::cell::Cell::new(0);
    app.edit_postmortem(key, "wrote the resolution", |pm| {
        calls.set(calls.get() + 1);
        if calls.get() == 1 {
            // Someone else saves after we read and before we write.
            let theirs = store.postmortem(key).unwrap();
            let mut doc = theirs.value.clone();
            doc.set_section("overview", "Their overview").unwrap();
            store
                .save_postmortem(key, &doc, theirs.version, app.now())
                .unwrap();
        }
        pm.set_section("resolution", "Our resolution")
            .map_err(|e| AppError::invalid("resolution", e))
    })
    .unwrap();
    assert_eq!(
        calls.get(),
        2,
        "the edit is applied again to the newer document"
    );
    let after = store.postmortem(key).unwrap().value;
    assert_eq!(after.section("overview"), Some("Their overview"));
    assert_eq!(after.section("resolution"), Some("Our resolution"));
}

#[test]
fn an_unknown_template_is_refused_with_the_known_ones() {
    let (app, _dir) = app();
    let mut new = NewIncident::new("x", Severity::from_level(3).unwrap(), chrono_tz::UTC).unwrap();
    new.template = "nope".into();
    let err = app.create_incident(new).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown template `nope`: expected one of pagerduty, observations, google-sre"
    );
}

/// Chat messages in a channel, a minute apart, by one person.
fn chat(texts: &[String]) -> Vec<hindsight_import::chat::ChatMessage> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| hindsight_import::chat::ChatMessage {
            id: format!("slack:C1:{}.000100", 1_790_000_000 + i * 60),
            channel: "inc".into(),
            at: Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap()
                + chrono::Duration::minutes(i as i64),
            author_id: Some("U1".into()),
            author: Some("ana".into()),
            text: text.clone(),
            ..Default::default()
        })
        .collect()
}

#[test]
fn a_teams_review_teaches_the_next_import_the_words_it_keeps() {
    use hindsight_core::proposal::{ProposalId, ProposalStatus, Suggestion};
    use hindsight_import::extract::ExtractionRules;
    let (app, _dir) = app();
    let rules = ExtractionRules::default();
    // The first incident: chatter, and six steps in the team's own words the rules miss.
    let mut texts: Vec<String> = (0..60)
        .map(|i| format!("chatter about lunch number {i} and coffee"))
        .collect();
    for host in ["db1", "db2", "web", "cache", "queue", "edge"] {
        texts.push(format!("cutover realizado en {host}, tráfico estable"));
    }
    let first = incident(&app);
    let report = app
        .propose_from_chat(first, &chat(&texts), &[], &rules, "first.json")
        .unwrap();
    assert_eq!(report.learnt_from, None, "nothing reviewed yet");
    assert_eq!(
        report.proposed().count(),
        1,
        "the rules propose only the participant"
    );
    let kept: Vec<ProposalId> = report
        .added
        .iter()
        .filter(|p| p.quiet && p.quote.as_deref().is_some_and(|q| q.contains("cutover")))
        .map(|p| p.id)
        .collect();
    assert_eq!(kept.len(), 6, "every message the rules passed over is kept");

    // Before the first incident is reviewed, the second learns nothing from it.
    let second = incident(&app);
    let line = vec!["cutover realizado en payments, tráfico estable".to_owned()];
    let early = app
        .propose_from_chat(second, &chat(&line), &[], &rules, "early.json")
        .unwrap();
    assert!(
        early
            .added
            .iter()
            .all(|p| p.quiet || p.suggestion.kind() == "participant")
    );

    // The scribe adds the six kept messages to the timeline and rejects the rest proposed.
    app.decide_proposals(first, &kept, true).unwrap();
    app.decide_proposals(first, &[], false).unwrap();
    let timeline = app.record(first).unwrap().timeline;
    assert_eq!(timeline.len(), 6, "kept messages became events");

    // The third incident's import proposes the step in the team's words, and says why.
    let third = incident(&app);
    let report = app
        .propose_from_chat(third, &chat(&line), &[], &rules, "third.json")
        .unwrap();
    assert_eq!(report.learnt_from, Some((66, 6)));
    let learnt: Vec<_> = report
        .proposed()
        .filter(|p| matches!(p.suggestion, Suggestion::Event { .. }))
        .collect();
    assert_eq!(learnt.len(), 1);
    assert!(
        learnt[0]
            .reason
            .starts_with("reads like the key events this team kept: “cutover"),
        "{}",
        learnt[0].reason
    );
    assert_eq!(learnt[0].status, ProposalStatus::Pending);
    // Chatter stays quiet.
    let chatter = vec!["more coffee and lunch for everyone".to_owned()];
    let fourth = incident(&app);
    let report = app
        .propose_from_chat(fourth, &chat(&chatter), &[], &rules, "fourth.json")
        .unwrap();
    assert!(
        report
            .added
            .iter()
            .all(|p| p.quiet || p.suggestion.kind() == "participant")
    );
}

#[test]
fn a_private_incidents_review_teaches_nothing_so_its_words_reach_no_other_incident() {
    use hindsight_core::proposal::ProposalId;
    use hindsight_import::extract::ExtractionRules;
    let (app, _dir) = app();
    let rules = ExtractionRules::default();
    let mut texts: Vec<String> = (0..60)
        .map(|i| format!("chatter about lunch number {i} and coffee"))
        .collect();
    for host in ["db1", "db2", "web", "cache", "queue", "edge"] {
        texts.push(format!("breachcode zanzibar found on {host}"));
    }
    let mut new = NewIncident::new(
        "Security review",
        Severity::from_level(1).unwrap(),
        chrono_tz::UTC,
    )
    .unwrap();
    new.private = true;
    let secret = app.create_incident(new).unwrap().key;
    let report = app
        .propose_from_chat(secret, &chat(&texts), &[], &rules, "secret.json")
        .unwrap();
    let kept: Vec<ProposalId> = report
        .added
        .iter()
        .filter(|p| p.quiet && p.quote.as_deref().is_some_and(|q| q.contains("zanzibar")))
        .map(|p| p.id)
        .collect();
    app.decide_proposals(secret, &kept, true).unwrap();
    app.decide_proposals(secret, &[], false).unwrap();

    let open = incident(&app);
    let line = vec!["breachcode zanzibar found on payments".to_owned()];
    let report = app
        .propose_from_chat(open, &chat(&line), &[], &rules, "open.json")
        .unwrap();
    assert_eq!(report.learnt_from, None);
    assert!(report.added.iter().all(|p| !p.reason.contains("zanzibar")));
}

#[test]
fn an_incident_reviewed_before_messages_were_kept_teaches_nothing() {
    use hindsight_import::extract::{ExtractionRules, propose};
    let (app, _dir) = app();
    // An import from before: only the rules' proposals, no quiet ones, all decided.
    let mut texts: Vec<String> = (0..60)
        .map(|i| format!("Rolled back deploy {i} of the api"))
        .collect();
    texts.push("are the kids ok? back in a bit and coffee".to_owned());
    let old = incident(&app);
    let proposals = propose(&chat(&texts), &[], &ExtractionRules::default());
    app.store()
        .add_proposals(old, &proposals, Utc::now())
        .unwrap();
    app.decide_proposals(old, &[], true).unwrap();

    let new = incident(&app);
    let line = vec!["are the kids ok? back in a bit".to_owned()];
    let report = app
        .propose_from_chat(
            new,
            &chat(&line),
            &[],
            &ExtractionRules::default(),
            "new.json",
        )
        .unwrap();
    assert_eq!(report.learnt_from, None);
}
