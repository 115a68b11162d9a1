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
