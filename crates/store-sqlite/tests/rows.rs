//! Rows edited behind hindsight's back: a value the domain refuses is reported as corrupt,
//! naming what it belongs to, never a panic.

use chrono::{TimeZone, Utc};
use hindsight_core::{AccountRole, NewIncident, NewUser, Severity, incident::parse_timezone};
use hindsight_store::{IncidentQuery, Store, StoreError};
use hindsight_store_sqlite::SqliteStore;
use r2d2_sqlite::rusqlite::Connection;

#[test]
fn a_stored_account_or_listed_incident_the_domain_refuses_is_corrupt_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hindsight.db");
    let store = SqliteStore::open(&path).unwrap();
    store.migrate().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
    let utc = parse_timezone("UTC").unwrap();
    let new = NewIncident::new("tampered", Severity::from_level(2).unwrap(), utc);
    let key = store.create_incident(&new.unwrap(), now).unwrap().key;
    let new = NewUser::new("ana", "Ana Lima", AccountRole::Editor).unwrap();
    let ana = store.create_user(&new, "$argon2id$x", now).unwrap();
    let tamper = |sql: &str| Connection::open(&path).unwrap().execute(sql, []).unwrap();

    tamper("UPDATE users SET role = 'superuser'");
    match store.users() {
        Err(StoreError::Corrupt { what, .. }) => assert_eq!(what, format!("user {}", ana.id)),
        other => panic!("expected a corrupt user, got {other:?}"),
    }
    tamper("UPDATE postmortems SET status = 'lost'");
    match store.search_incidents(&IncidentQuery::default()) {
        Err(StoreError::Corrupt { what, .. }) => assert_eq!(what, format!("post-mortem of {key}")),
        other => panic!("expected a corrupt post-mortem, got {other:?}"),
    }
}
