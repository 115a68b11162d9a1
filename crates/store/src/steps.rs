//! Writes that span several rows, written once for every backend.
//!
//! A backend offers its row-level operations inside one write transaction through [`WriteTx`];
//! the steps here (add events without duplicates, accept a proposal, apply a webhook delivery,
//! import a whole record) are built only from those operations, so both backends run the very
//! same logic and differ only in their SQL.

use crate::{Delivery, DeliveryOutcome, StoreError, StoreResult, add_participants};
use chrono::{DateTime, SubsecRound, Utc};
use hindsight_core::{
    ActionId, EventId, IncidentKey, IncidentRecord, NewActionItem, NewIncident, NewTimelineEvent,
    Postmortem, PostmortemStatus, Responders, TimelineEvent,
    proposal::{Proposal, ProposalId, ProposalStatus, Suggestion},
    timeline::new_events_only,
};

/// The row-level operations of one write transaction.
pub trait WriteTx {
    /// The row id of `key`, or not found; `lock` holds the incident's row until the end of the
    /// transaction, for backends where concurrent writers would otherwise interleave.
    fn incident_id(&mut self, key: IncidentKey, lock: bool) -> StoreResult<i64>;
    fn insert_incident(&mut self, new: &NewIncident, created_at: DateTime<Utc>)
    -> StoreResult<i64>;
    /// The first version of a post-mortem.
    fn insert_postmortem(
        &mut self,
        id: i64,
        postmortem: &Postmortem,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    fn timeline(&mut self, id: i64) -> StoreResult<Vec<TimelineEvent>>;
    fn insert_event(
        &mut self,
        id: i64,
        event: &NewTimelineEvent,
        recorded_at: DateTime<Utc>,
    ) -> StoreResult<EventId>;
    fn insert_action(
        &mut self,
        id: i64,
        item: &NewActionItem,
        created_at: DateTime<Utc>,
    ) -> StoreResult<ActionId>;
    fn responders(&mut self, id: i64) -> StoreResult<Responders>;
    fn write_responders(&mut self, id: i64, responders: &Responders) -> StoreResult<()>;
    fn proposal(&mut self, id: i64, proposal: ProposalId) -> StoreResult<Option<Proposal>>;
    fn set_proposal_status(
        &mut self,
        proposal: ProposalId,
        status: ProposalStatus,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Makes deliveries about one tool incident take turns (a no-op where the transaction
    /// already excludes every other writer).
    fn lock_external(&mut self, source: &str, external_id: &str) -> StoreResult<()>;
    /// The incident a delivery was applied to, if it was.
    fn delivery(&mut self, source: &str, delivery_id: &str) -> StoreResult<Option<i64>>;
    fn external_incident(&mut self, source: &str, external_id: &str) -> StoreResult<Option<i64>>;
    /// Links the tool's incident to `id`, replacing an earlier link.
    fn link_external(&mut self, source: &str, external_id: &str, id: i64) -> StoreResult<()>;
    fn postmortem_status(&mut self, id: i64) -> StoreResult<PostmortemStatus>;
    fn record_delivery(
        &mut self,
        source: &str,
        delivery_id: &str,
        id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
}

/// The key of the incident at row `id`.
pub fn key_of(id: i64) -> StoreResult<IncidentKey> {
    u64::try_from(id)
        .ok()
        .and_then(|n| IncidentKey::from_number(n).ok())
        .ok_or_else(|| StoreError::corrupt("incident id", id))
}

/// Adds the events not already on the timeline, and returns them as stored.
pub fn add_events(
    tx: &mut impl WriteTx,
    id: i64,
    events: Vec<NewTimelineEvent>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<TimelineEvent>> {
    let (fresh, _) = new_events_only(&tx.timeline(id)?, events);
    let mut stored = Vec::with_capacity(fresh.len());
    for event in fresh {
        stored.push(TimelineEvent {
            id: tx.insert_event(id, &event, now)?,
            event,
            recorded_at: now,
        });
    }
    Ok(stored)
}

/// Changes the responders on their current value.
pub fn edit_responders(
    tx: &mut impl WriteTx,
    key: IncidentKey,
    change: &mut dyn FnMut(&mut Responders),
) -> StoreResult<Responders> {
    let id = tx.incident_id(key, true)?;
    let mut responders = tx.responders(id)?;
    change(&mut responders);
    tx.write_responders(id, &responders)?;
    Ok(responders)
}

/// Stores a whole record as a new incident; events and actions keep their instants.
pub fn import_record(
    tx: &mut impl WriteTx,
    record: &IncidentRecord,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    let incident = &record.incident;
    let new = NewIncident {
        title: incident.title.clone(),
        severity: incident.severity,
        services: incident.services.clone(),
        timezone: incident.timezone,
        private: incident.private,
        template: record.postmortem.template.clone(),
    };
    let id = tx.insert_incident(&new, incident.created_at.trunc_subsecs(6))?;
    tx.write_responders(id, &record.responders)?;
    let events: Vec<NewTimelineEvent> = record.timeline.iter().map(|e| e.event.clone()).collect();
    let (fresh, _) = new_events_only(&[], events);
    for event in &fresh {
        // Each event keeps the time it was first recorded.
        let recorded_at = record
            .timeline
            .iter()
            .find(|e| &e.event == event)
            .map_or(now, |e| e.recorded_at.trunc_subsecs(6));
        tx.insert_event(id, event, recorded_at)?;
    }
    tx.insert_postmortem(id, &record.postmortem, now)?;
    for action in &record.actions {
        tx.insert_action(id, action, action.created_at.trunc_subsecs(6))?;
    }
    Ok(id)
}

/// Accepts or rejects a pending proposal; accepting adds what it suggests.
pub fn decide_proposal(
    tx: &mut impl WriteTx,
    key: IncidentKey,
    proposal: ProposalId,
    accept: bool,
    now: DateTime<Utc>,
) -> StoreResult<Proposal> {
    // The lock makes deciding take turns per incident, so nothing is decided twice.
    let id = tx.incident_id(key, true)?;
    let mut found = tx
        .proposal(id, proposal)?
        .ok_or(StoreError::ProposalNotFound { key, id: proposal })?;
    if found.status != ProposalStatus::Pending {
        return Err(StoreError::AlreadyDecided {
            key,
            id: proposal,
            status: found.status,
        });
    }
    if accept {
        match &found.suggestion {
            Suggestion::Event { event } => {
                add_events(tx, id, vec![event.clone()], now)?;
            }
            Suggestion::Action { item } => {
                tx.insert_action(id, item, now)?;
            }
            Suggestion::Participant { person } => {
                let mut responders = tx.responders(id)?;
                if add_participants(&mut responders, std::slice::from_ref(person)) {
                    tx.write_responders(id, &responders)?;
                }
            }
        }
    }
    found.status = if accept {
        ProposalStatus::Accepted
    } else {
        ProposalStatus::Rejected
    };
    tx.set_proposal_status(proposal, found.status, now)?;
    Ok(found)
}

/// Applies a webhook delivery: once per delivery, opening its incident once per tool incident.
pub fn apply_delivery(
    tx: &mut impl WriteTx,
    delivery: &Delivery,
    now: DateTime<Utc>,
) -> StoreResult<DeliveryOutcome> {
    tx.lock_external(&delivery.source, &delivery.external_id)?;
    if let Some(id) = tx.delivery(&delivery.source, &delivery.delivery_id)? {
        return Ok(DeliveryOutcome {
            key: key_of(id)?,
            created: false,
            duplicate: true,
            events_added: 0,
        });
    }
    // An incident whose post-mortem is published or closed is over: a tool that reuses its id
    // (Alertmanager's group key never changes) reports a new incident, not more of the old.
    let known = match tx.external_incident(&delivery.source, &delivery.external_id)? {
        Some(id) if !tx.postmortem_status(id)?.is_finished() => Some(id),
        _ => None,
    };
    let (id, created) = match known {
        // The incident's row is locked like every other writer of it locks it.
        Some(id) => (tx.incident_id(key_of(id)?, true)?, false),
        None => {
            let id = tx.insert_incident(&delivery.new_incident, now)?;
            tx.insert_postmortem(id, &Postmortem::new(&delivery.new_incident.template), now)?;
            tx.link_external(&delivery.source, &delivery.external_id, id)?;
            (id, true)
        }
    };
    let added = add_events(tx, id, delivery.events.clone(), now)?;
    let mut responders = tx.responders(id)?;
    if add_participants(&mut responders, &delivery.participants) {
        tx.write_responders(id, &responders)?;
    }
    tx.record_delivery(&delivery.source, &delivery.delivery_id, id, now)?;
    Ok(DeliveryOutcome {
        key: key_of(id)?,
        created,
        duplicate: false,
        events_added: added.len(),
    })
}
