//! What only a shared server can get wrong: instances migrating at once, writers racing on one
//! incident, and rows edited behind hindsight's back. Skipped like the contract suite when
//! `HINDSIGHT_TEST_POSTGRES` is unset.

mod support;

use chrono::{DateTime, TimeZone, Utc};
use hindsight_core::{
    AccountRole, IncidentKey, NewIncident, NewUser, Person, Responders, Role, Severity,
};
use hindsight_store::{IncidentQuery, Store, StoreError};
use std::sync::Barrier;
use support::{Schema, fresh, server};

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
        .single()
        .expect("a valid instant")
}

fn incident(store: &dyn Store) -> IncidentKey {
    let severity = Severity::from_level(2).expect("a valid severity");
    let new = NewIncident::new("race", severity, chrono_tz::Europe::Paris).expect("valid");
    store.create_incident(&new, at(9, 0)).expect("created").key
}

#[test]
fn instances_migrating_one_fresh_schema_at_once_all_succeed() {
    let Some(server) = server() else { return };
    let schema = Schema::create(&server);
    let instances = 4;
    let start = Barrier::new(instances);
    let results: Vec<_> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..instances)
            .map(|_| {
                s.spawn(|| {
                    // Its own pool, as a separate process would have.
                    let store = schema.store();
                    start.wait();
                    store.migrate()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    for result in results {
        result.unwrap();
    }
    let applied: i64 = schema
        .admin()
        .query_one(
            &format!("SELECT count(*) FROM {}", schema.table("schema_migrations")),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(applied, 4, "each of the four migrations recorded once");
}

#[test]
fn a_migration_changed_after_it_was_applied_is_refused() {
    let Some(store) = fresh() else { return };
    store
        .schema()
        .admin()
        .execute(
            &format!(
                "UPDATE {} SET checksum = 'tampered' WHERE version = 1",
                store.schema().table("schema_migrations")
            ),
            &[],
        )
        .unwrap();
    match store.migrate() {
        Err(StoreError::MigrationChanged { version, name }) => {
            assert_eq!((version, name.as_str()), (1, "initial"));
        }
        other => panic!("expected a changed migration, got {other:?}"),
    }
}

#[test]
fn a_database_migrated_by_a_newer_hindsight_is_refused() {
    let Some(store) = fresh() else { return };
    store
        .schema()
        .admin()
        .execute(
            &format!(
                "INSERT INTO {} (version, name, checksum) VALUES (99, 'future', '')",
                store.schema().table("schema_migrations")
            ),
            &[],
        )
        .unwrap();
    assert!(matches!(
        store.migrate(),
        Err(StoreError::DatabaseTooNew {
            found: 99,
            known: 4
        })
    ));
}

#[test]
fn writers_replacing_one_incidents_lists_at_once_take_turns() {
    let Some(store) = fresh() else { return };
    let key = incident(&*store);
    let writers = 6;
    let start = Barrier::new(writers);
    std::thread::scope(|s| {
        for i in 0..writers {
            let (store, start) = (&*store, &start);
            s.spawn(move || {
                let mut incident = store.incident(key).unwrap();
                incident.services = vec![
                    format!("service-{i}-a").try_into().unwrap(),
                    format!("service-{i}-b").try_into().unwrap(),
                ];
                let mut responders = Responders::default();
                responders.assign(
                    Role::Commander,
                    Person::new(&format!("P{i}"), None).unwrap(),
                );
                responders.assign(Role::Sme, Person::new("Cy", Some("DBA")).unwrap());
                start.wait();
                store.update_incident(&incident).unwrap();
                store.set_responders(key, &responders).unwrap();
            });
        }
    });
    // Whoever came last, the lists are one writer's whole, never a mix.
    let record = store.record(key).unwrap();
    let services: Vec<_> = record
        .incident
        .services
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(services.len(), 2);
    assert_eq!(services[0].replace("-a", "-b"), services[1]);
    assert_eq!(record.responders.smes.len(), 1);
    assert!(record.responders.commander.is_some());
}

#[test]
fn a_value_the_domain_refuses_is_corrupt_and_named() {
    let Some(store) = fresh() else { return };
    let key = incident(&*store);
    store
        .schema()
        .admin()
        .execute(
            &format!(
                "UPDATE {} SET timezone = 'Mars/Olympus_Mons'",
                store.schema().table("incidents")
            ),
            &[],
        )
        .unwrap();
    match store.incident(key) {
        Err(StoreError::Corrupt { what, .. }) => assert_eq!(what, "incident timezone"),
        other => panic!("expected a corrupt timezone, got {other:?}"),
    }
}

#[test]
fn a_stored_account_or_listed_incident_the_domain_refuses_is_corrupt_and_named() {
    let Some(store) = fresh() else { return };
    let key = incident(&*store);
    let new = NewUser::new("ana", "Ana Lima", AccountRole::Editor).unwrap();
    let ana = store.create_user(&new, "$argon2id$x", at(9, 0)).unwrap();
    let tamper = |sql: &str| {
        let sql = sql
            .replace("users", &store.schema().table("users"))
            .replace("postmortems", &store.schema().table("postmortems"));
        store.schema().admin().execute(&sql, &[]).unwrap();
    };
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
