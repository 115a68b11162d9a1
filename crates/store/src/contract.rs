//! The contract every backend passes, unchanged: each `pub fn` here is one behaviour a user
//! relies on. A backend runs them all with [`store_contract_tests!`], which makes one `#[test]`
//! per behaviour over a fresh, migrated store.

// This module is test code that lives in the library so every backend can run it: a failed
// unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use crate::{IncidentQuery, NewSession, Store, StoreError};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use hindsight_core::{
    AccountRole, ActionStatus, ContributingFactor, EventKind, EventSource, FactorCategory,
    IncidentKey, IncidentStatus, NewActionItem, NewIncident, NewTimelineEvent, NewUser, Person,
    Postmortem, PostmortemStatus, Priority, Responders, Role, Severity, User, UserId, Username,
    text::Line,
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
            a_kept_message_gives_way_to_a_proposal_of_it_once_and_only_while_pending,
            a_delivery_opens_its_incident_once_and_a_repeated_delivery_changes_nothing,
            a_delivery_about_an_incident_whose_postmortem_is_published_opens_a_new_one,
            deliveries_and_responder_edits_at_once_keep_both,
            a_search_without_filters_lists_incidents_newest_first_with_their_postmortem_state,
            the_status_a_search_derives_agrees_with_the_record,
            each_search_filter_alone_selects_exactly_what_it_names,
            search_filters_combine_so_that_all_must_hold,
            paging_with_before_gives_disjoint_consecutive_pages,
            private_incidents_are_listed_only_to_their_members_and_to_admins,
            title_words_match_whatever_their_case_and_wildcards_match_only_themselves,
            users_are_unique_by_name_whatever_its_case_and_read_back_with_their_credentials,
            a_role_change_is_kept_and_an_unknown_user_is_not_found,
            a_session_is_found_until_it_expires_and_is_gone_after,
            a_deleted_session_is_gone_and_deleting_an_unknown_one_does_nothing,
            a_password_change_ends_every_session_of_that_user_and_no_other,
            api_tokens_are_found_by_hash_listed_oldest_first_and_revoked_only_by_their_owner,
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
        quiet: false,
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

pub fn a_kept_message_gives_way_to_a_proposal_of_it_once_and_only_while_pending(store: &dyn Store) {
    use hindsight_core::proposal::{NewProposal, ProposalStatus, Suggestion};
    let key = incident(store, "kept");
    let of = |source: &str, quiet: bool| NewProposal {
        source_id: source.to_owned(),
        reason: if quiet {
            "kept"
        } else {
            "reads like the key events this team kept"
        }
        .to_owned(),
        quote: Some("cutover realizado".to_owned()),
        suggestion: Suggestion::Event {
            event: note(10, 0, "cutover realizado"),
        },
        quiet,
    };
    let kept = store
        .add_proposals(
            key,
            &[of("slack:C1:1.1", true), of("slack:C1:1.2", true)],
            at(12, 0),
        )
        .unwrap();
    assert_eq!(kept.len(), 2);
    // Kept again: nothing. Proposed: the quiet one gives way, keeping its id.
    assert!(
        store
            .add_proposals(key, &[of("slack:C1:1.1", true)], at(12, 1))
            .unwrap()
            .is_empty()
    );
    let proposed = store
        .add_proposals(key, &[of("slack:C1:1.1", false)], at(12, 2))
        .unwrap();
    assert_eq!(proposed.len(), 1);
    assert_eq!(proposed[0].id, kept[0].id);
    assert!(!proposed[0].quiet);
    let stored = store.proposals(key).unwrap();
    assert_eq!(stored.len(), 2);
    assert!(!stored[0].quiet && stored[0].reason.starts_with("reads like"));
    // A proposal never falls back to quiet, and a decided message is not proposed again.
    assert!(
        store
            .add_proposals(key, &[of("slack:C1:1.1", true)], at(12, 3))
            .unwrap()
            .is_empty()
    );
    assert!(!store.proposals(key).unwrap()[0].quiet);
    store
        .decide_proposal(key, kept[1].id, false, at(12, 4))
        .unwrap();
    assert!(
        store
            .add_proposals(key, &[of("slack:C1:1.2", false)], at(12, 5))
            .unwrap()
            .is_empty()
    );
    let rejected = &store.proposals(key).unwrap()[1];
    assert_eq!(rejected.status, ProposalStatus::Rejected);
    assert!(rejected.quiet);
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

/// The keys a search lists, in its order.
fn search(store: &dyn Store, query: &IncidentQuery) -> Vec<IncidentKey> {
    store
        .search_incidents(query)
        .unwrap()
        .into_iter()
        .map(|s| s.incident.key)
        .collect()
}

fn event(h: u32, m: u32, kind: EventKind, text: &str) -> NewTimelineEvent {
    NewTimelineEvent::new(at(h, m), kind, text, EventSource::Typed).expect("valid")
}

/// Sets the post-mortem's owner and status.
fn own(store: &dyn Store, key: IncidentKey, owner: Option<&str>, status: PostmortemStatus) {
    let pm = store.postmortem(key).unwrap();
    let mut document = pm.value;
    document.owner = owner.map(|o| Line::parse("owner", o).unwrap());
    document.status = status;
    store
        .save_postmortem(key, &document, pm.version, at(12, 0))
        .unwrap();
}

pub fn a_search_without_filters_lists_incidents_newest_first_with_their_postmortem_state(
    store: &dyn Store,
) {
    let keys: Vec<_> = (0..3)
        .map(|i| incident(store, &format!("incident {i}")))
        .collect();
    own(store, keys[1], Some("Ana Lima"), PostmortemStatus::InReview);
    let listed = store.search_incidents(&IncidentQuery::default()).unwrap();
    assert_eq!(
        listed.iter().map(|s| s.incident.key).collect::<Vec<_>>(),
        [keys[2], keys[1], keys[0]]
    );
    for summary in &listed {
        let key = summary.incident.key;
        assert_eq!(
            summary.incident,
            store.incident(key).unwrap(),
            "whole, services too"
        );
        let pm = store.postmortem(key).unwrap().value;
        assert_eq!(summary.postmortem_status, pm.status);
        assert_eq!(summary.owner, pm.owner);
        assert_eq!(summary.status, IncidentStatus::Active);
    }
    assert_eq!(listed[1].owner.as_ref().unwrap().as_str(), "Ana Lima");
    assert_eq!(listed[1].postmortem_status, PostmortemStatus::InReview);
    let limited = IncidentQuery {
        limit: 2,
        ..IncidentQuery::default()
    };
    assert_eq!(search(store, &limited), [keys[2], keys[1]]);
}

pub fn the_status_a_search_derives_agrees_with_the_record(store: &dyn Store) {
    let active = incident(store, "active");
    let mitigated = incident(store, "mitigated");
    let resolved = incident(store, "resolved");
    let resolved_only = incident(store, "resolved without a mitigation");
    let add = |key, events: &[NewTimelineEvent]| {
        store.add_timeline_events(key, events, at(12, 0)).unwrap();
    };
    add(
        active,
        &[
            event(10, 0, EventKind::Detected, "p99 up"),
            note(10, 5, "looking"),
        ],
    );
    add(
        mitigated,
        &[event(10, 0, EventKind::Mitigated, "rolled back")],
    );
    add(
        resolved,
        &[
            event(10, 0, EventKind::Mitigated, "rolled back"),
            event(11, 0, EventKind::Resolved, "fixed"),
        ],
    );
    add(resolved_only, &[event(10, 0, EventKind::Resolved, "fixed")]);

    for summary in store.search_incidents(&IncidentQuery::default()).unwrap() {
        let record = store.record(summary.incident.key).unwrap();
        assert_eq!(summary.status, record.status(), "{}", record.incident.title);
    }
    let with_status = |status| IncidentQuery {
        status: Some(status),
        ..IncidentQuery::default()
    };
    assert_eq!(
        search(store, &with_status(IncidentStatus::Active)),
        [active]
    );
    assert_eq!(
        search(store, &with_status(IncidentStatus::Mitigated)),
        [mitigated]
    );
    assert_eq!(
        search(store, &with_status(IncidentStatus::Resolved)),
        [resolved_only, resolved]
    );

    // Derived, never stored: deleting the resolution makes the incident mitigated again.
    let resolution = store
        .record(resolved)
        .unwrap()
        .timeline
        .into_iter()
        .find(|e| e.kind() == EventKind::Resolved)
        .unwrap();
    store
        .delete_timeline_event(resolved, resolution.id)
        .unwrap();
    assert_eq!(
        search(store, &with_status(IncidentStatus::Mitigated)),
        [resolved, mitigated]
    );
    assert_eq!(
        store.record(resolved).unwrap().status(),
        IncidentStatus::Mitigated
    );
}

/// Three incidents that differ in everything a search filters on: `a` (SEV-1, checkout-api,
/// opened at 9:00, owned by Ana Lima, in review), `b` (SEV-2, search, 10:00, owned by Bo,
/// resolved) and `c` (SEV-3, checkout-api and payments, 11:00, no owner, published).
fn search_fixture(store: &dyn Store) -> [IncidentKey; 3] {
    let create = |title: &str, level, services: &[&str], opened| {
        let new = NewIncident::new(title, sev(level), chrono_tz::Europe::Paris)
            .unwrap()
            .with_services(services.iter().copied())
            .unwrap();
        store.create_incident(&new, opened).unwrap().key
    };
    let a = create("Checkout 502s", 1, &["checkout-api"], at(9, 0));
    let b = create("Search latency", 2, &["search"], at(10, 0));
    let c = create(
        "Checkout latency",
        3,
        &["checkout-api", "payments"],
        at(11, 0),
    );
    own(store, a, Some("Ana Lima"), PostmortemStatus::InReview);
    own(store, b, Some("Bo"), PostmortemStatus::Draft);
    own(store, c, None, PostmortemStatus::Published);
    store
        .add_timeline_events(b, &[event(10, 30, EventKind::Resolved, "fixed")], at(12, 0))
        .unwrap();
    [a, b, c]
}

pub fn each_search_filter_alone_selects_exactly_what_it_names(store: &dyn Store) {
    let [a, b, c] = search_fixture(store);
    let all = IncidentQuery::default;
    let cases: Vec<(&str, IncidentQuery, Vec<IncidentKey>)> = vec![
        ("no filter", all(), vec![c, b, a]),
        (
            "status",
            IncidentQuery {
                status: Some(IncidentStatus::Resolved),
                ..all()
            },
            vec![b],
        ),
        (
            "status",
            IncidentQuery {
                status: Some(IncidentStatus::Active),
                ..all()
            },
            vec![c, a],
        ),
        (
            "severity",
            IncidentQuery {
                severity: Some(sev(1)),
                ..all()
            },
            vec![a],
        ),
        (
            "service",
            IncidentQuery {
                service: Some("checkout-api".to_owned()),
                ..all()
            },
            vec![c, a],
        ),
        (
            "service, the second of an incident's",
            IncidentQuery {
                service: Some("payments".to_owned()),
                ..all()
            },
            vec![c],
        ),
        (
            "service, exact name",
            IncidentQuery {
                service: Some("checkout".to_owned()),
                ..all()
            },
            vec![],
        ),
        (
            "owner",
            IncidentQuery {
                owner: Some("Ana Lima".to_owned()),
                ..all()
            },
            vec![a],
        ),
        (
            "owner, exact name",
            IncidentQuery {
                owner: Some("Ana".to_owned()),
                ..all()
            },
            vec![],
        ),
        (
            "post-mortem status",
            IncidentQuery {
                postmortem_status: Some(PostmortemStatus::Published),
                ..all()
            },
            vec![c],
        ),
        (
            "opened from, inclusive",
            IncidentQuery {
                opened_from: Some(at(10, 0)),
                ..all()
            },
            vec![c, b],
        ),
        (
            "opened before, exclusive",
            IncidentQuery {
                opened_before: Some(at(10, 0)),
                ..all()
            },
            vec![a],
        ),
        (
            "title",
            IncidentQuery {
                title_contains: Some("latency".to_owned()),
                ..all()
            },
            vec![c, b],
        ),
        (
            "before",
            IncidentQuery {
                before: Some(c),
                ..all()
            },
            vec![b, a],
        ),
        (
            "member, of public incidents only",
            IncidentQuery {
                member: Some("Nobody".to_owned()),
                ..all()
            },
            vec![c, b, a],
        ),
        ("limit", IncidentQuery { limit: 1, ..all() }, vec![c]),
    ];
    for (filter, query, expected) in cases {
        assert_eq!(search(store, &query), expected, "{filter}: {query:?}");
    }
}

pub fn search_filters_combine_so_that_all_must_hold(store: &dyn Store) {
    let [a, b, c] = search_fixture(store);
    let all = IncidentQuery::default;
    let cases: Vec<(IncidentQuery, Vec<IncidentKey>)> = vec![
        (
            IncidentQuery {
                service: Some("checkout-api".to_owned()),
                opened_from: Some(at(10, 0)),
                ..all()
            },
            vec![c],
        ),
        (
            IncidentQuery {
                title_contains: Some("checkout".to_owned()),
                severity: Some(sev(1)),
                ..all()
            },
            vec![a],
        ),
        (
            IncidentQuery {
                owner: Some("Bo".to_owned()),
                status: Some(IncidentStatus::Active),
                ..all()
            },
            vec![],
        ),
        (
            IncidentQuery {
                owner: Some("Bo".to_owned()),
                status: Some(IncidentStatus::Resolved),
                postmortem_status: Some(PostmortemStatus::Draft),
                service: Some("search".to_owned()),
                severity: Some(sev(2)),
                title_contains: Some("LATENCY search".to_owned()),
                opened_from: Some(at(10, 0)),
                opened_before: Some(at(10, 1)),
                before: Some(c),
                member: Some("Bo".to_owned()),
                limit: 5,
            },
            vec![b],
        ),
        (
            IncidentQuery {
                status: Some(IncidentStatus::Active),
                before: Some(c),
                ..all()
            },
            vec![a],
        ),
        (
            IncidentQuery {
                opened_from: Some(at(9, 0)),
                opened_before: Some(at(11, 0)),
                postmortem_status: Some(PostmortemStatus::Published),
                ..all()
            },
            vec![],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(search(store, &query), expected, "{query:?}");
    }
}

pub fn paging_with_before_gives_disjoint_consecutive_pages(store: &dyn Store) {
    let keys: Vec<_> = (0..7u32)
        .map(|i| {
            let level = if i % 2 == 0 { 2 } else { 3 };
            let new =
                NewIncident::new(&format!("incident {i}"), sev(level), chrono_tz::UTC).unwrap();
            store.create_incident(&new, at(9, i)).unwrap().key
        })
        .collect();
    let pages = |query: IncidentQuery| {
        let mut pages = Vec::new();
        let mut before = None;
        loop {
            let page = search(
                store,
                &IncidentQuery {
                    before,
                    ..query.clone()
                },
            );
            let Some(last) = page.last() else { break };
            before = Some(*last);
            pages.push(page);
            assert!(pages.len() <= keys.len(), "paging does not end");
        }
        pages
    };
    let newest_first: Vec<_> = keys.iter().rev().copied().collect();
    let all = pages(IncidentQuery {
        limit: 3,
        ..IncidentQuery::default()
    });
    assert_eq!(
        all.iter().map(Vec::len).collect::<Vec<_>>(),
        [3, 3, 1],
        "{all:?}"
    );
    assert_eq!(all.concat(), newest_first, "every incident once, in order");

    // Paging keeps the filters: only the SEV-2 incidents, two at a time.
    let severe = pages(IncidentQuery {
        severity: Some(sev(2)),
        limit: 2,
        ..IncidentQuery::default()
    });
    let expected: Vec<_> = newest_first
        .iter()
        .copied()
        .filter(|k| (k.number() - keys[0].number()) % 2 == 0)
        .collect();
    assert_eq!(severe.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2]);
    assert_eq!(severe.concat(), expected);
}

pub fn private_incidents_are_listed_only_to_their_members_and_to_admins(store: &dyn Store) {
    let create = |title: &str, private: bool| {
        let mut new = NewIncident::new(title, sev(2), chrono_tz::UTC).unwrap();
        new.private = private;
        store.create_incident(&new, at(9, 0)).unwrap().key
    };
    let public = create("public", false);
    let by_responders = create("private, with responders", true);
    let by_owner = create("private, with an owner", true);
    let nobodys = create("private, nobody's", true);
    let mut responders = Responders::default();
    responders.assign(Role::Scribe, Person::new("Ana Lima", Some("SRE")).unwrap());
    responders.assign(Role::Participant, Person::new("Cy", None).unwrap());
    store.set_responders(by_responders, &responders).unwrap();
    own(store, by_owner, Some("Bo"), PostmortemStatus::Draft);
    // Bo is a responder of the public incident: that opens nothing private.
    let mut bo = Responders::default();
    bo.assign(Role::Commander, Person::new("Bo", None).unwrap());
    store.set_responders(public, &bo).unwrap();

    let seen_by = |member: Option<&str>| {
        search(
            store,
            &IncidentQuery {
                member: member.map(str::to_owned),
                ..IncidentQuery::default()
            },
        )
    };
    assert_eq!(seen_by(Some("Dee")), [public]);
    assert_eq!(seen_by(Some("Ana Lima")), [by_responders, public]);
    assert_eq!(seen_by(Some("Cy")), [by_responders, public], "any role");
    assert_eq!(seen_by(Some("Bo")), [by_owner, public]);
    assert_eq!(seen_by(Some("ana")), [public], "the whole name");
    assert_eq!(seen_by(None), [nobodys, by_owner, by_responders, public]);

    // A page showing one incident applies the same rule as the list.
    for member in [None, Some("Dee"), Some("Ana Lima"), Some("Cy"), Some("Bo")] {
        let listed = seen_by(member);
        for key in [public, by_responders, by_owner, nobodys] {
            let record = store.record(key).unwrap();
            assert_eq!(
                crate::visible_to(&record, member),
                listed.contains(&key),
                "{member:?} and {key}"
            );
        }
    }
    // Membership combines with the other filters.
    let query = IncidentQuery {
        member: Some("Ana Lima".to_owned()),
        title_contains: Some("private".to_owned()),
        ..IncidentQuery::default()
    };
    assert_eq!(search(store, &query), [by_responders]);
}

pub fn title_words_match_whatever_their_case_and_wildcards_match_only_themselves(
    store: &dyn Store,
) {
    let percent = incident(store, "100% CPU on db_1");
    let lookalike = incident(store, "1000 CPUs on db-1 and db11");
    let backslash = incident(store, r"Backslash in C:\Temp\logs");
    let titled = |words: &str| {
        search(
            store,
            &IncidentQuery {
                title_contains: Some(words.to_owned()),
                ..IncidentQuery::default()
            },
        )
    };
    assert_eq!(titled("100%"), [percent], "% is a percent sign");
    assert_eq!(titled("%"), [percent]);
    assert_eq!(titled("db_1"), [percent], "_ is an underscore");
    assert_eq!(titled("_"), [percent]);
    assert_eq!(
        titled("cpu DB"),
        [lookalike, percent],
        "every word, any case"
    );
    assert_eq!(titled("cpus db"), [lookalike]);
    assert_eq!(titled(r"c:\temp"), [backslash], r"\ is a backslash");
    assert_eq!(titled(r"\"), [backslash]);
    assert_eq!(titled(r"\t"), [backslash]);
    assert_eq!(titled("cpu nowhere"), Vec::<IncidentKey>::new());
    assert_eq!(titled(" \t "), [backslash, lookalike, percent], "no words");
}

fn user(store: &dyn Store, name: &str, display: &str, role: AccountRole) -> User {
    let new = NewUser::new(name, display, role).unwrap();
    store
        .create_user(&new, &format!("$argon2id$v=19$hash-of-{name}"), at(9, 0))
        .unwrap()
}

fn session_of(store: &dyn Store, user: &User, token_hash: &str, expires_at: DateTime<Utc>) {
    store
        .create_session(&NewSession {
            token_hash: token_hash.to_owned(),
            user: user.id,
            csrf_token: format!("csrf-{token_hash}"),
            expires_at,
        })
        .unwrap();
}

pub fn users_are_unique_by_name_whatever_its_case_and_read_back_with_their_credentials(
    store: &dyn Store,
) {
    let new = NewUser::new("Ana.Lima", "Ana Lima", AccountRole::Editor).unwrap();
    // A clock with nanoseconds: what the store returns must equal what it reads back.
    let now = at(9, 0) + chrono::Duration::nanoseconds(1_234_567_891);
    let ana = store.create_user(&new, "$argon2id$v=19$ana", now).unwrap();
    assert_eq!(ana.name.as_str(), "ana.lima");
    assert_eq!(ana.display_name.as_str(), "Ana Lima");
    assert_eq!(ana.role, AccountRole::Editor);

    let again = NewUser::new("ANA.LIMA", "Another Ana", AccountRole::Admin).unwrap();
    match store.create_user(&again, "$argon2id$v=19$other", at(10, 0)) {
        Err(StoreError::UserExists(name)) => assert_eq!(name.as_str(), "ana.lima"),
        other => panic!("expected the name to be taken, got {other:?}"),
    }
    let bo = user(store, "bo", "Bo", AccountRole::Admin);

    let name = Username::parse("Ana.Lima").unwrap();
    assert_eq!(
        store.user_credentials(&name).unwrap(),
        Some((ana.clone(), "$argon2id$v=19$ana".to_owned())),
        "read back as created, the refused duplicate changed nothing"
    );
    let nobody = Username::parse("nobody").unwrap();
    assert_eq!(store.user_credentials(&nobody).unwrap(), None);
    assert_eq!(store.users().unwrap(), [ana, bo], "by name");

    // Many sign-ups of one name at once make one account.
    let results: Vec<_> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..4)
            .map(|i| {
                s.spawn(move || {
                    let new = NewUser::new("cy", &format!("Cy {i}"), AccountRole::Viewer).unwrap();
                    store.create_user(&new, "$argon2id$v=19$cy", at(11, 0))
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    for result in results {
        assert!(
            matches!(result, Ok(_) | Err(StoreError::UserExists(_))),
            "{result:?}"
        );
    }
    assert_eq!(store.users().unwrap().len(), 3);
}

pub fn a_role_change_is_kept_and_an_unknown_user_is_not_found(store: &dyn Store) {
    let ana = user(store, "ana", "Ana Lima", AccountRole::Viewer);
    session_of(store, &ana, "s1", at(18, 0));
    let promoted = store.set_user_role(ana.id, AccountRole::Admin).unwrap();
    assert_eq!(
        promoted,
        User {
            role: AccountRole::Admin,
            ..ana.clone()
        }
    );
    assert_eq!(store.users().unwrap(), std::slice::from_ref(&promoted));
    assert_eq!(
        store.session("s1", at(10, 0)).unwrap().unwrap().user,
        promoted,
        "a session sees the new role at once"
    );

    let missing = UserId(ana.id.0 + 1000);
    let not_found = |result: Result<(), StoreError>| match result {
        Err(StoreError::UserNotFound(id)) => assert_eq!(id, missing),
        other => panic!("expected user not found, got {other:?}"),
    };
    not_found(store.set_user_role(missing, AccountRole::Viewer).map(drop));
    not_found(store.set_password_hash(missing, "$argon2id$x"));
    not_found(store.create_session(&NewSession {
        token_hash: "s2".to_owned(),
        user: missing,
        csrf_token: "c".to_owned(),
        expires_at: at(18, 0),
    }));
    let label = Line::parse("label", "bot").unwrap();
    not_found(
        store
            .create_api_token(missing, &label, "t1", at(9, 0))
            .map(drop),
    );
    assert!(store.api_tokens(missing).unwrap().is_empty());
}

pub fn a_session_is_found_until_it_expires_and_is_gone_after(store: &dyn Store) {
    let ana = user(store, "ana", "Ana Lima", AccountRole::Editor);
    let expires_at = at(12, 0) + chrono::Duration::microseconds(1);
    session_of(store, &ana, "short", expires_at);
    session_of(store, &ana, "long", at(18, 0));

    let found = store.session("short", at(11, 0)).unwrap().unwrap();
    assert_eq!(found.user, ana);
    assert_eq!(found.csrf_token, "csrf-short");
    assert_eq!(found.expires_at, expires_at);
    assert!(store.session("short", at(12, 0)).unwrap().is_some());
    assert_eq!(store.session("unknown", at(11, 0)).unwrap(), None);

    assert_eq!(
        store.session("short", expires_at).unwrap(),
        None,
        "expired at its expiry"
    );
    assert_eq!(
        store.session("short", at(11, 0)).unwrap(),
        None,
        "deleted when met expired, so an earlier clock does not bring it back"
    );
    assert!(store.session("long", at(11, 0)).unwrap().is_some());
}

pub fn a_deleted_session_is_gone_and_deleting_an_unknown_one_does_nothing(store: &dyn Store) {
    let ana = user(store, "ana", "Ana Lima", AccountRole::Editor);
    session_of(store, &ana, "laptop", at(18, 0));
    session_of(store, &ana, "phone", at(18, 0));
    store.delete_session("laptop").unwrap();
    store.delete_session("never-was").unwrap();
    assert_eq!(store.session("laptop", at(10, 0)).unwrap(), None);
    assert!(store.session("phone", at(10, 0)).unwrap().is_some());
}

pub fn a_password_change_ends_every_session_of_that_user_and_no_other(store: &dyn Store) {
    let ana = user(store, "ana", "Ana Lima", AccountRole::Editor);
    let bo = user(store, "bo", "Bo", AccountRole::Viewer);
    session_of(store, &ana, "ana-laptop", at(18, 0));
    session_of(store, &ana, "ana-phone", at(18, 0));
    session_of(store, &bo, "bo-laptop", at(18, 0));

    store
        .set_password_hash(ana.id, "$argon2id$v=19$new")
        .unwrap();
    assert_eq!(store.session("ana-laptop", at(10, 0)).unwrap(), None);
    assert_eq!(store.session("ana-phone", at(10, 0)).unwrap(), None);
    assert!(store.session("bo-laptop", at(10, 0)).unwrap().is_some());
    let (_, hash) = store.user_credentials(&ana.name).unwrap().unwrap();
    assert_eq!(hash, "$argon2id$v=19$new");
    let (_, hash) = store.user_credentials(&bo.name).unwrap().unwrap();
    assert_eq!(hash, "$argon2id$v=19$hash-of-bo");
}

pub fn api_tokens_are_found_by_hash_listed_oldest_first_and_revoked_only_by_their_owner(
    store: &dyn Store,
) {
    let ana = user(store, "ana", "Ana Lima", AccountRole::Editor);
    let bo = user(store, "bo", "Bo", AccountRole::Admin);
    let label = |text: &str| Line::parse("label", text).unwrap();
    let now = at(9, 0) + chrono::Duration::nanoseconds(987_654_321);
    let deploy = store
        .create_api_token(ana.id, &label("deploy bot"), "hash-deploy", now)
        .unwrap();
    let laptop = store
        .create_api_token(ana.id, &label("laptop"), "hash-laptop", at(9, 5))
        .unwrap();
    let bos = store
        .create_api_token(bo.id, &label("cron"), "hash-cron", at(9, 1))
        .unwrap();
    assert_eq!((deploy.user, deploy.label.as_str()), (ana.id, "deploy bot"));
    assert_ne!(deploy.id, laptop.id);

    assert_eq!(
        store.user_by_api_token("hash-deploy").unwrap(),
        Some(ana.clone())
    );
    assert_eq!(
        store.user_by_api_token("hash-cron").unwrap(),
        Some(bo.clone())
    );
    assert_eq!(store.user_by_api_token("hash-unknown").unwrap(), None);
    assert_eq!(
        store.api_tokens(ana.id).unwrap(),
        [deploy.clone(), laptop.clone()],
        "read back as created, oldest first"
    );
    assert_eq!(store.api_tokens(bo.id).unwrap(), [bos]);

    assert!(
        !store.revoke_api_token(bo.id, deploy.id).unwrap(),
        "not bo's token"
    );
    assert_eq!(
        store.user_by_api_token("hash-deploy").unwrap(),
        Some(ana.clone())
    );
    assert!(store.revoke_api_token(ana.id, deploy.id).unwrap());
    assert_eq!(store.user_by_api_token("hash-deploy").unwrap(), None);
    assert_eq!(store.api_tokens(ana.id).unwrap(), [laptop]);
    assert!(
        !store.revoke_api_token(ana.id, deploy.id).unwrap(),
        "revoked once"
    );
}
