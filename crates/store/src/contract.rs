//! The contract every backend passes, unchanged: each `pub fn` here is one behaviour a user
//! relies on. A backend runs them all with [`store_contract_tests!`], which makes one `#[test]`
//! per behaviour over a fresh, migrated store.

// This module is test code that lives in the library so every backend can run it: a failed
// unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use crate::{Store, StoreError};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use hindsight_core::{
    ActionStatus, ContributingFactor, EventKind, EventSource, FactorCategory, IncidentKey,
    NewActionItem, NewIncident, NewTimelineEvent, Person, Postmortem, PostmortemStatus, Priority,
    Responders, Role, Severity,
};
use url::Url;

/// Makes one `#[test]` per contract behaviour. `$make` is an expression giving a fresh, empty,
/// migrated store (anything that derefs to `dyn Store`), or `None` to skip (a backend whose
/// server is not configured).
#[macro_export]
macro_rules! store_contract_tests {
    ($make:expr) => {
        $crate::store_contract_tests!(@each $make;
            incidents_get_increasing_keys_and_read_back_as_created,
            an_unknown_incident_is_not_found_everywhere,
            incidents_list_newest_first_up_to_the_limit,
            an_incident_update_changes_what_it_says,
            timeline_events_read_back_whole_in_time_order,
            events_already_on_the_timeline_are_not_added_again,
            a_batch_of_events_for_an_unknown_incident_stores_nothing,
            events_of_one_incident_never_show_in_another,
            timeline_events_can_be_edited_and_deleted,
            responders_are_replaced_whole,
            a_new_incident_has_an_empty_draft_postmortem,
            a_stale_postmortem_save_is_refused_and_changes_nothing,
            of_many_saves_from_one_version_exactly_one_wins,
            action_items_round_trip_and_update,
            migrating_again_changes_nothing,
            an_imported_record_reads_back_the_same_under_a_new_key,
            revisions_are_numbered_per_incident_and_read_back_whole,
            proposals_are_made_once_and_accepting_adds_what_they_suggest,
            a_delivery_opens_its_incident_once_and_a_repeated_delivery_changes_nothing,
            a_delivery_about_an_incident_whose_postmortem_is_published_opens_a_new_one,
            deliveries_and_responder_edits_at_once_keep_both,
        );
    };
    (@each $make:expr; $($name:ident),+ $(,)?) => {
        $(
            #[test]
            fn $name() {
                if let Some(store) = $make {
                    $crate::contract::$name(&*store);
                }
            }
        )+
    };
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
        .single()
        .expect("a valid instant")
}

fn sev(level: u8) -> Severity {
    Severity::from_level(level).expect("a valid severity")
}

fn incident(store: &dyn Store, title: &str) -> IncidentKey {
    let new = NewIncident::new(title, sev(2), chrono_tz::Europe::Paris)
        .expect("a valid incident")
        .with_services(["checkout-api", "payments"])
        .expect("valid services");
    store.create_incident(&new, at(9, 0)).expect("created").key
}

fn note(h: u32, m: u32, text: &str) -> NewTimelineEvent {
    NewTimelineEvent::new(at(h, m), EventKind::Note, text, EventSource::Typed).expect("valid")
}

pub fn incidents_get_increasing_keys_and_read_back_as_created(store: &dyn Store) {
    let new = NewIncident::new(
        "Checkout — 502s für alle 🙈",
        sev(1),
        chrono_tz::Asia::Kolkata,
    )
    .unwrap()
    .with_services(["checkout-api"])
    .unwrap();
    let first = store.create_incident(&new, at(9, 0)).unwrap();
    let second = store.create_incident(&new, at(9, 1)).unwrap();
    assert!(second.key.number() > first.key.number());
    assert_eq!(first.title.as_str(), "Checkout — 502s für alle 🙈");
    assert_eq!(first.severity, sev(1));
    assert_eq!(first.timezone, chrono_tz::Asia::Kolkata);
    assert_eq!(first.created_at, at(9, 0));
    assert_eq!(store.incident(first.key).unwrap(), first);
}

pub fn an_unknown_incident_is_not_found_everywhere(store: &dyn Store) {
    let missing: IncidentKey = "INC-999".parse().unwrap();
    let not_found = |result: Result<(), StoreError>| match result {
        Err(StoreError::IncidentNotFound(key)) => assert_eq!(key, missing),
        other => panic!("expected incident not found, got {other:?}"),
    };
    not_found(store.incident(missing).map(drop));
    not_found(store.record(missing).map(drop));
    not_found(store.postmortem(missing).map(drop));
    not_found(store.set_responders(missing, &Responders::default()));
    not_found(store.add_timeline_events(missing, &[], at(9, 0)).map(drop));
    not_found(
        store
            .add_action_item(missing, &NewActionItem::new("x").unwrap(), at(9, 0))
            .map(drop),
    );
    not_found(
        store
            .save_postmortem(missing, &Postmortem::new("pagerduty"), 1, at(9, 0))
            .map(drop),
    );
}

pub fn incidents_list_newest_first_up_to_the_limit(store: &dyn Store) {
    let keys: Vec<_> = (0..5)
        .map(|i| incident(store, &format!("incident {i}")))
        .collect();
    let listed: Vec<_> = store
        .list_incidents(3)
        .unwrap()
        .into_iter()
        .map(|i| i.key)
        .collect();
    assert_eq!(listed, vec![keys[4], keys[3], keys[2]]);
    let all = store.list_incidents(100).unwrap();
    assert_eq!(all.len(), 5);
    for listed in all {
        assert_eq!(
            listed,
            store.incident(listed.key).unwrap(),
            "listed whole, services too"
        );
    }
}

pub fn an_incident_update_changes_what_it_says(store: &dyn Store) {
    let key = incident(store, "before");
    let mut changed = store.incident(key).unwrap();
    changed.title = hindsight_core::text::Line::parse("title", "after").unwrap();
    changed.severity = sev(4);
    changed.services.reverse();
    changed.services.pop();
    changed.timezone = chrono_tz::America::New_York;
    changed.private = true;
    store.update_incident(&changed).unwrap();
    assert_eq!(store.incident(key).unwrap(), changed);
}

pub fn timeline_events_read_back_whole_in_time_order(store: &dyn Store) {
    let key = incident(store, "timeline");
    let precise = at(10, 0) + chrono::Duration::microseconds(123_456);
    let events = vec![
        NewTimelineEvent::severity_changed(
            at(10, 30),
            sev(1),
            "raised to SEV-1",
            EventSource::Typed,
        )
        .unwrap()
        .with_author(Some("Ana Lima"))
        .unwrap(),
        NewTimelineEvent::new(
            precise,
            EventKind::Detected,
            "p99 > 2s on checkout",
            EventSource::AlertWebhook,
        )
        .unwrap()
        .with_evidence(Url::parse("https://grafana.example.com/d/abc?from=1&to=2").unwrap())
        .unwrap()
        .with_evidence(Url::parse("https://logs.example.com/search?q=502").unwrap())
        .unwrap()
        .key_point(true),
        note(10, 30, "same instant, recorded later"),
    ];
    // A clock with nanoseconds: what the store returns must equal what it reads back.
    let now = at(12, 0) + chrono::Duration::nanoseconds(1_234_567_891);
    let stored = store.add_timeline_events(key, &events, now).unwrap();
    assert_eq!(stored.len(), 3);
    for (stored, new) in stored.iter().zip(&events) {
        assert_eq!(&stored.event, new);
    }
    let timeline = store.record(key).unwrap().timeline;
    let mut by_id = timeline.clone();
    by_id.sort_by_key(|e| e.id);
    assert_eq!(by_id, stored, "returned as stored, to the microsecond");
    let texts: Vec<_> = timeline.iter().map(|e| e.text()).collect();
    assert_eq!(
        texts,
        [
            "p99 > 2s on checkout",
            "raised to SEV-1",
            "same instant, recorded later"
        ]
    );
    assert_eq!(timeline[0].at(), precise);
    assert_eq!(timeline[0].evidence().len(), 2);
    assert!(timeline[0].is_key_point());
    assert_eq!(timeline[1].severity(), Some(sev(1)));
    assert_eq!(timeline[1].author(), Some("Ana Lima"));
}

pub fn events_already_on_the_timeline_are_not_added_again(store: &dyn Store) {
    let key = incident(store, "idempotent");
    let batch = [note(10, 0, "a"), note(10, 1, "b")];
    assert_eq!(
        store
            .add_timeline_events(key, &batch, at(12, 0))
            .unwrap()
            .len(),
        2
    );
    let again = [note(10, 1, "b"), note(10, 2, "c"), note(10, 2, "c")];
    let added = store.add_timeline_events(key, &again, at(12, 5)).unwrap();
    assert_eq!(added.iter().map(|e| e.text()).collect::<Vec<_>>(), ["c"]);
    // Many writers adding the same batch at once add it once.
    let same = [note(11, 0, "x"), note(11, 1, "y")];
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| store.add_timeline_events(key, &same, at(12, 9)).unwrap());
        }
    });
    assert_eq!(store.record(key).unwrap().timeline.len(), 5);
}

pub fn a_batch_of_events_for_an_unknown_incident_stores_nothing(store: &dyn Store) {
    let key = incident(store, "real");
    let missing: IncidentKey = "INC-4242".parse().unwrap();
    assert!(
        store
            .add_timeline_events(missing, &[note(10, 0, "a"), note(10, 1, "b")], at(12, 0))
            .is_err()
    );
    assert!(store.record(key).unwrap().timeline.is_empty());
}

pub fn events_of_one_incident_never_show_in_another(store: &dyn Store) {
    let a = incident(store, "a");
    let b = incident(store, "b");
    store
        .add_timeline_events(a, &[note(10, 0, "only a")], at(12, 0))
        .unwrap();
    assert!(store.record(b).unwrap().timeline.is_empty());
    let event = store.record(a).unwrap().timeline.remove(0);
    assert!(matches!(
        store.delete_timeline_event(b, event.id),
        Err(StoreError::EventNotFound { .. })
    ));
    assert!(matches!(
        store.update_timeline_event(b, &event),
        Err(StoreError::EventNotFound { .. })
    ));
    assert_eq!(store.record(a).unwrap().timeline.len(), 1);
}

pub fn timeline_events_can_be_edited_and_deleted(store: &dyn Store) {
    let key = incident(store, "edit");
    let stored = store
        .add_timeline_events(
            key,
            &[note(10, 0, "first"), note(10, 5, "second")],
            at(12, 0),
        )
        .unwrap();
    let mut edited = stored[0].clone();
    edited.event = note(10, 10, "first, corrected").key_point(true);
    store.update_timeline_event(key, &edited).unwrap();
    store.delete_timeline_event(key, stored[1].id).unwrap();
    let timeline = store.record(key).unwrap().timeline;
    assert_eq!(timeline, vec![edited]);
}

pub fn responders_are_replaced_whole(store: &dyn Store) {
    let key = incident(store, "people");
    let mut responders = Responders::default();
    responders.assign(
        Role::Commander,
        Person::new("Ana Lima", Some("SRE")).unwrap(),
    );
    responders.assign(Role::Scribe, Person::new("Bo", None).unwrap());
    responders.assign(Role::Sme, Person::new("Cy", Some("DBA")).unwrap());
    responders.assign(
        Role::Sme,
        Person::new("Di", Some("Network engineer")).unwrap(),
    );
    responders.assign(
        Role::Participant,
        Person::new("Ed", Some("Support")).unwrap(),
    );
    store.set_responders(key, &responders).unwrap();
    assert_eq!(store.record(key).unwrap().responders, responders);

    let mut fewer = Responders::default();
    fewer.assign(
        Role::CustomerLiaison,
        Person::new("Fay", Some("Support lead")).unwrap(),
    );
    store.set_responders(key, &fewer).unwrap();
    assert_eq!(store.record(key).unwrap().responders, fewer);
}

pub fn a_new_incident_has_an_empty_draft_postmortem(store: &dyn Store) {
    let key = incident(store, "draft");
    let pm = store.postmortem(key).unwrap();
    assert_eq!(pm.value, Postmortem::new("pagerduty"));
    assert_eq!(pm.value.status, PostmortemStatus::Draft);
    let record = store.record(key).unwrap();
    assert_eq!(record.postmortem_version, pm.version);
}

pub fn a_stale_postmortem_save_is_refused_and_changes_nothing(store: &dyn Store) {
    let key = incident(store, "concurrent");
    let read = store.postmortem(key).unwrap();

    let mut alice = read.value.clone();
    alice.set_section("overview", "Alice's overview").unwrap();
    alice.owner = Some("Alice".to_owned().try_into().unwrap());
    alice
        .factors
        .push(ContributingFactor::new(FactorCategory::Technical, "no rate limit").unwrap());
    let saved = store
        .save_postmortem(key, &alice, read.version, at(13, 0))
        .unwrap();
    assert!(saved > read.version);

    let mut bob = read.value.clone();
    bob.set_section("overview", "Bob's overview").unwrap();
    match store.save_postmortem(key, &bob, read.version, at(13, 1)) {
        Err(StoreError::Conflict {
            expected, actual, ..
        }) => {
            assert_eq!(expected, read.version);
            assert_eq!(actual, saved);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let now = store.postmortem(key).unwrap();
    assert_eq!(now.value, alice);
    assert_eq!(now.version, saved);
}

pub fn of_many_saves_from_one_version_exactly_one_wins(store: &dyn Store) {
    let key = incident(store, "race");
    let read = store.postmortem(key).unwrap();
    let writers = 8;
    let start = std::sync::Barrier::new(writers);
    let results: Vec<_> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..writers)
            .map(|i| {
                let (read, start) = (&read, &start);
                s.spawn(move || {
                    let mut mine = read.value.clone();
                    mine.set_section("overview", &format!("writer {i}"))
                        .unwrap();
                    start.wait();
                    (
                        mine.clone(),
                        store.save_postmortem(key, &mine, read.version, at(10, 0)),
                    )
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let mut winners = Vec::new();
    for (document, result) in results {
        match result {
            Ok(version) => winners.push((document, version)),
            Err(StoreError::Conflict {
                expected, actual, ..
            }) => {
                assert_eq!(expected, read.version);
                assert_eq!(actual, read.version + 1);
            }
            Err(other) => panic!("expected a save or a conflict, got {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one save wins");
    let (document, version) = winners.remove(0);
    assert_eq!(version, read.version + 1);
    let now = store.postmortem(key).unwrap();
    assert_eq!((now.value, now.version), (document, version));
}

pub fn action_items_round_trip_and_update(store: &dyn Store) {
    let key = incident(store, "actions");
    let mut new = NewActionItem::new("Add a canary stage to the deploy pipeline")
        .unwrap()
        .with_description("Roll out to 1% first; stop on error rate.")
        .unwrap()
        .with_owner(Some("Cy"))
        .unwrap();
    new.due = NaiveDate::from_ymd_opt(2026, 12, 4);
    new.priority = Priority::P1;
    new.ticket = Some(Url::parse("https://tracker.example.com/OPS-12").unwrap());
    let now = at(14, 0) + chrono::Duration::nanoseconds(987_654_321);
    let stored = store.add_action_item(key, &new, now).unwrap();
    assert_eq!(stored.item, new);
    assert_eq!(store.record(key).unwrap().actions, vec![stored.clone()]);
    let other = store
        .add_action_item(
            key,
            &NewActionItem::new("Write the runbook").unwrap(),
            at(14, 1),
        )
        .unwrap();

    let mut done = stored.clone();
    done.item.status = ActionStatus::Done;
    done.item.owner = None;
    store.update_action_item(key, &done).unwrap();
    assert_eq!(
        store.record(key).unwrap().actions,
        vec![done, other.clone()]
    );

    let elsewhere = incident(store, "elsewhere");
    assert!(matches!(
        store.update_action_item(elsewhere, &other),
        Err(StoreError::ActionNotFound { .. })
    ));
}

pub fn migrating_again_changes_nothing(store: &dyn Store) {
    let key = incident(store, "kept");
    store.migrate().unwrap();
    store.migrate().unwrap();
    assert_eq!(store.incident(key).unwrap().title.as_str(), "kept");
}

pub fn an_imported_record_reads_back_the_same_under_a_new_key(store: &dyn Store) {
    let key = incident(store, "exported");
    let events = [
        NewTimelineEvent::severity_changed(at(10, 0), sev(1), "raised", EventSource::Typed)
            .unwrap(),
        note(10, 5, "later").key_point(true),
    ];
    store.add_timeline_events(key, &events, at(12, 0)).unwrap();
    let mut responders = Responders::default();
    responders.assign(
        Role::Commander,
        Person::new("Ana Lima", Some("SRE")).unwrap(),
    );
    responders.assign(Role::Sme, Person::new("Cy", None).unwrap());
    store.set_responders(key, &responders).unwrap();
    let pm = store.postmortem(key).unwrap();
    let mut doc = pm.value.clone();
    doc.set_section("overview", "Everything, exported.")
        .unwrap();
    doc.status = PostmortemStatus::InReview;
    store
        .save_postmortem(key, &doc, pm.version, at(13, 0))
        .unwrap();
    let mut action = NewActionItem::new("Keep it").unwrap();
    action.status = ActionStatus::Done;
    store.add_action_item(key, &action, at(14, 0)).unwrap();
    let original = store.record(key).unwrap();

    let imported = store.import_record(&original, at(15, 0)).unwrap();
    assert_ne!(imported.key, key);
    let copy = store.record(imported.key).unwrap();
    assert_eq!(copy.incident.title, original.incident.title);
    assert_eq!(copy.incident.created_at, original.incident.created_at);
    assert_eq!(copy.responders, original.responders);
    assert_eq!(copy.postmortem, original.postmortem);
    let strip_event = |r: &hindsight_core::IncidentRecord| {
        r.timeline
            .iter()
            .map(|e| (e.event.clone(), e.recorded_at))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip_event(&copy), strip_event(&original));
    let strip_action = |r: &hindsight_core::IncidentRecord| {
        r.actions
            .iter()
            .map(|a| (a.item.clone(), a.created_at))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip_action(&copy), strip_action(&original));
}

pub fn revisions_are_numbered_per_incident_and_read_back_whole(store: &dyn Store) {
    let a = incident(store, "a");
    let b = incident(store, "b");
    let document = "{\n  \"format\": \"hindsight.postmortem\",\n  \"note\": \"kept byte for byte — ünïcode\"\n}";
    assert_eq!(
        store
            .add_revision(a, "Ana", at(10, 0), "created", document)
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .add_revision(a, "Bo", at(10, 5), "owner set", "{}")
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .add_revision(b, "Cy", at(10, 6), "created", "{}")
            .unwrap(),
        1
    );
    std::thread::scope(|s| {
        for i in 0..4 {
            s.spawn(move || {
                store
                    .add_revision(a, "many", at(11, i), "at once", "{}")
                    .unwrap()
            });
        }
    });
    let history = store.revisions(a).unwrap();
    assert_eq!(
        history.iter().map(|r| r.number).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        (
            history[1].author.as_str(),
            history[1].summary.as_str(),
            history[1].at
        ),
        ("Bo", "owner set", at(10, 5))
    );
    let first = store.revision(a, 1).unwrap();
    assert_eq!(first.document, document);
    assert_eq!(first.summary, history[0]);
    assert!(matches!(
        store.revision(b, 2),
        Err(StoreError::RevisionNotFound { number: 2, .. })
    ));
}

pub fn proposals_are_made_once_and_accepting_adds_what_they_suggest(store: &dyn Store) {
    use hindsight_core::proposal::{NewProposal, ProposalStatus, Suggestion};
    let key = incident(store, "chat");
    let proposal = |source: &str, suggestion| NewProposal {
        source_id: source.to_owned(),
        reason: "says “rolled back”".to_owned(),
        quote: Some("rolled back v41".to_owned()),
        suggestion,
    };
    let batch = vec![
        proposal(
            "slack:C1:1.1",
            Suggestion::Event {
                event: note(10, 0, "rolled back v41"),
            },
        ),
        proposal(
            "todo:slack:C1:1.2",
            Suggestion::Action {
                item: NewActionItem::new("Add a canary").unwrap(),
            },
        ),
        proposal(
            "participant:ana lima",
            Suggestion::Participant {
                person: Person::new("Ana Lima", Some("SRE")).unwrap(),
            },
        ),
    ];
    let added = store.add_proposals(key, &batch, at(12, 0)).unwrap();
    assert_eq!(added.len(), 3);
    assert!(added.iter().all(|p| p.status == ProposalStatus::Pending));
    assert!(
        store
            .add_proposals(key, &batch, at(12, 5))
            .unwrap()
            .is_empty(),
        "proposed once"
    );
    assert_eq!(store.proposals(key).unwrap(), added);

    for p in &added {
        let decided = store
            .decide_proposal(key, p.id, p.suggestion.kind() != "action", at(13, 0))
            .unwrap();
        assert_ne!(decided.status, ProposalStatus::Pending);
    }
    let record = store.record(key).unwrap();
    assert_eq!(record.timeline.len(), 1);
    assert_eq!(record.timeline[0].at(), at(10, 0), "the message's own time");
    assert!(
        record.actions.is_empty(),
        "the rejected to-do added nothing"
    );
    assert_eq!(
        record.responders.participants[0].to_string(),
        "Ana Lima, SRE"
    );
    assert!(matches!(
        store.decide_proposal(key, added[0].id, true, at(14, 0)),
        Err(StoreError::AlreadyDecided {
            status: ProposalStatus::Accepted,
            ..
        })
    ));
    let other = incident(store, "other");
    assert!(matches!(
        store.decide_proposal(other, added[0].id, true, at(14, 0)),
        Err(StoreError::ProposalNotFound { .. })
    ));
}

pub fn a_delivery_opens_its_incident_once_and_a_repeated_delivery_changes_nothing(
    store: &dyn Store,
) {
    use crate::Delivery;
    let delivery = |id: &str, events: Vec<NewTimelineEvent>| Delivery {
        source: "pagerduty".to_owned(),
        external_id: "PQ1K5C8".to_owned(),
        delivery_id: id.to_owned(),
        new_incident: NewIncident::new("Test Incident", sev(2), chrono_tz::UTC).unwrap(),
        events,
        participants: vec![Person::new("PIG 208", None).unwrap()],
    };
    let triggered = NewTimelineEvent::new(
        at(13, 50),
        EventKind::Paged,
        "triggered",
        EventSource::PagerWebhook,
    )
    .unwrap();
    let acked = NewTimelineEvent::new(
        at(13, 55),
        EventKind::Acknowledged,
        "acknowledged",
        EventSource::PagerWebhook,
    )
    .unwrap();
    let first = store
        .apply_delivery(&delivery("d1", vec![triggered.clone()]), at(14, 0))
        .unwrap();
    assert!(first.created && !first.duplicate && first.events_added == 1);
    let again = store
        .apply_delivery(&delivery("d1", vec![triggered.clone()]), at(14, 1))
        .unwrap();
    assert!(again.duplicate && !again.created && again.key == first.key);
    let second = store
        .apply_delivery(&delivery("d2", vec![triggered, acked]), at(14, 2))
        .unwrap();
    assert!(!second.created && second.key == first.key && second.events_added == 1);
    let record = store.record(first.key).unwrap();
    assert_eq!(record.timeline.len(), 2);
    assert_eq!(record.responders.participants.len(), 1);
    assert_eq!(record.incident.title.as_str(), "Test Incident");
    // Many deliveries of a new incident at once open it once.
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                s.spawn(move || {
                    let mut d = delivery(&format!("burst-{i}"), vec![]);
                    d.external_id = "NEW1".to_owned();
                    store.apply_delivery(&d, at(15, 0)).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|r| r.created).count(), 1);
    assert!(results.iter().all(|r| r.key == results[0].key));
}

fn pager_delivery(
    external: &str,
    id: &str,
    person: &str,
    events: Vec<NewTimelineEvent>,
) -> crate::Delivery {
    crate::Delivery {
        source: "alertmanager".to_owned(),
        external_id: external.to_owned(),
        delivery_id: id.to_owned(),
        new_incident: NewIncident::new("Disk full", sev(3), chrono_tz::UTC).unwrap(),
        events,
        participants: vec![Person::new(person, None).unwrap()],
    }
}

pub fn a_delivery_about_an_incident_whose_postmortem_is_published_opens_a_new_one(
    store: &dyn Store,
) {
    let first = store
        .apply_delivery(&pager_delivery("{}:{}", "d1", "Ana", vec![]), at(9, 0))
        .unwrap();
    let pm = store.postmortem(first.key).unwrap();
    let mut published = pm.value.clone();
    published.status = PostmortemStatus::Published;
    store
        .save_postmortem(first.key, &published, pm.version, at(9, 5))
        .unwrap();
    let later = store
        .apply_delivery(&pager_delivery("{}:{}", "d2", "Bo", vec![]), at(10, 0))
        .unwrap();
    assert!(
        later.created,
        "a new incident, not more of the finished one"
    );
    assert_ne!(later.key, first.key);
    let again = store
        .apply_delivery(&pager_delivery("{}:{}", "d3", "Cy", vec![]), at(10, 5))
        .unwrap();
    assert_eq!(
        again.key, later.key,
        "later deliveries go to the new incident"
    );
}

/// Found in review: on PostgreSQL a delivery replaced the responders without locking the
/// incident, losing edits made at the same moment.
pub fn deliveries_and_responder_edits_at_once_keep_both(store: &dyn Store) {
    let first = store
        .apply_delivery(&pager_delivery("race", "d0", "Start", vec![]), at(9, 0))
        .unwrap();
    let key = first.key;
    std::thread::scope(|s| {
        for i in 0..8 {
            s.spawn(move || {
                store
                    .apply_delivery(
                        &pager_delivery(
                            "race",
                            &format!("d{}", i + 1),
                            &format!("pager{i}"),
                            vec![note(10, i, "same event")],
                        ),
                        at(10, 0),
                    )
                    .unwrap()
            });
            s.spawn(move || {
                store
                    .edit_responders(key, &mut |r| {
                        r.assign(Role::Sme, Person::new(&format!("edit{i}"), None).unwrap())
                    })
                    .unwrap()
            });
        }
    });
    let record = store.record(key).unwrap();
    for i in 0..8 {
        let names: Vec<_> = record
            .responders
            .iter()
            .map(|(_, p)| p.name.to_string())
            .collect();
        assert!(
            names.contains(&format!("edit{i}")),
            "edit{i} lost: {names:?}"
        );
        assert!(
            names.contains(&format!("pager{i}")),
            "pager{i} lost: {names:?}"
        );
    }
    assert_eq!(record.timeline.len(), 8);
}
