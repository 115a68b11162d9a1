//! The storage port: what hindsight asks of a database, whichever it is.
//!
//! Every method is one unit of work: it commits whole or not at all, so a failed import leaves
//! nothing behind. Backends live in their own crates (`hindsight-store-sqlite`,
//! `hindsight-store-postgres`), know SQL so nothing else has to, and pass [`contract`] unchanged.

pub mod contract;
pub mod steps;

use chrono::{DateTime, Utc};
use hindsight_core::{
    ActionId, ActionItem, EventId, Incident, IncidentKey, IncidentRecord, NewActionItem,
    NewIncident, NewTimelineEvent, Person, Postmortem, Responders, Role, TimelineEvent,
    proposal::{NewProposal, Proposal, ProposalId, ProposalStatus},
};

pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong in a store, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no incident {0}")]
    IncidentNotFound(IncidentKey),
    #[error("incident {key} has no timeline event {id}")]
    EventNotFound { key: IncidentKey, id: EventId },
    #[error("incident {key} has no action item {id}")]
    ActionNotFound { key: IncidentKey, id: ActionId },
    #[error("incident {key} has no revision {number}")]
    RevisionNotFound { key: IncidentKey, number: u64 },
    #[error("incident {key} has no proposal {id}")]
    ProposalNotFound { key: IncidentKey, id: ProposalId },
    #[error("proposal {id} of {key} was already {status}")]
    AlreadyDecided {
        key: IncidentKey,
        id: ProposalId,
        status: ProposalStatus,
    },
    /// A save based on a version someone else has since replaced.
    #[error(
        "the post-mortem of {key} was changed by someone else: you edited version {expected}, it is now at version {actual}"
    )]
    Conflict {
        key: IncidentKey,
        expected: u64,
        actual: u64,
    },
    /// A stored value the domain refuses: written by a newer version, or edited by hand.
    #[error("stored {what} is unreadable: {reason}")]
    Corrupt { what: String, reason: String },
    #[error(
        "migration {version} ({name}) was changed after it was applied; migrations are append-only"
    )]
    MigrationChanged { version: i64, name: String },
    #[error(
        "the database is at migration {found}, newer than this hindsight knows ({known}); upgrade hindsight"
    )]
    DatabaseTooNew { found: i64, known: i64 },
    /// The message says it all; the error is not chained again as a source, so it is shown
    /// once.
    #[error("database error: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(Box::new(error))
    }

    pub fn corrupt(what: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        StoreError::Corrupt {
            what: what.into(),
            reason: reason.to_string(),
        }
    }

    /// Whether the thing asked for does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            StoreError::IncidentNotFound(_)
                | StoreError::EventNotFound { .. }
                | StoreError::ActionNotFound { .. }
                | StoreError::RevisionNotFound { .. }
                | StoreError::ProposalNotFound { .. }
        )
    }
}

/// One change in the history of a post-mortem, without its snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionSummary {
    /// 1 for the first revision of an incident, then counting up.
    pub number: u64,
    pub author: String,
    pub at: DateTime<Utc>,
    /// What changed, in a few words: "imported 12 events from timeline.csv".
    pub summary: String,
}

/// A revision with the whole post-mortem as it stood after the change, in the JSON document
/// format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub summary: RevisionSummary,
    pub document: String,
}

/// One webhook delivery, in the store's terms: which incident of which tool it is about, what
/// to create when hindsight does not know that incident yet, and what to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The tool: `pagerduty`, `alertmanager`, `opsgenie`, `statuspage`.
    pub source: String,
    pub external_id: String,
    pub delivery_id: String,
    /// The incident to open when the tool's incident is new to hindsight.
    pub new_incident: NewIncident,
    pub events: Vec<NewTimelineEvent>,
    pub participants: Vec<Person>,
}

/// What applying a delivery did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryOutcome {
    pub key: IncidentKey,
    /// The incident was opened by this delivery.
    pub created: bool,
    /// The delivery had been applied before: nothing changed.
    pub duplicate: bool,
    pub events_added: usize,
}

/// A post-mortem with the version it was read at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: u64,
}

/// What hindsight stores. Implementations are shared between threads.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Brings the schema up to date. Safe to run again, and from several instances at once.
    fn migrate(&self) -> StoreResult<()>;

    /// Opens an incident and its empty draft post-mortem; the store picks the key.
    fn create_incident(&self, new: &NewIncident, now: DateTime<Utc>) -> StoreResult<Incident>;

    /// Stores a whole record read from elsewhere (an exported document) as a new incident with
    /// a key of its own, all or nothing. Events and actions keep their original instants; the
    /// post-mortem starts a new version history.
    fn import_record(&self, record: &IncidentRecord, now: DateTime<Utc>) -> StoreResult<Incident>;

    fn incident(&self, key: IncidentKey) -> StoreResult<Incident>;

    /// The newest incidents first, at most `limit`.
    fn list_incidents(&self, limit: u32) -> StoreResult<Vec<Incident>>;

    /// Saves the title, severity, services, timezone and privacy of `incident`.
    fn update_incident(&self, incident: &Incident) -> StoreResult<()>;

    /// Everything about one incident, read in one consistent snapshot.
    fn record(&self, key: IncidentKey) -> StoreResult<IncidentRecord>;

    /// Changes who held which role and who took part: `change` runs on the current value inside
    /// the write, so two people editing at once both keep their change.
    fn edit_responders(
        &self,
        key: IncidentKey,
        change: &mut dyn FnMut(&mut Responders),
    ) -> StoreResult<Responders>;

    /// Replaces who held which role and who took part.
    fn set_responders(&self, key: IncidentKey, responders: &Responders) -> StoreResult<()> {
        self.edit_responders(key, &mut |current| *current = responders.clone())
            .map(drop)
    }

    /// Adds the `events` not already on the timeline (the same instant, kind and text), all
    /// together or none of them, and returns those it added as stored. Importing the same events
    /// twice, even at the same moment, adds them once.
    fn add_timeline_events(
        &self,
        key: IncidentKey,
        events: &[NewTimelineEvent],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<TimelineEvent>>;

    /// Replaces an event's content; its id and the time it was recorded stay.
    fn update_timeline_event(&self, key: IncidentKey, event: &TimelineEvent) -> StoreResult<()>;

    fn delete_timeline_event(&self, key: IncidentKey, id: EventId) -> StoreResult<()>;

    fn postmortem(&self, key: IncidentKey) -> StoreResult<Versioned<Postmortem>>;

    /// Saves the document if it is still at `expected_version`, and returns the new version;
    /// otherwise refuses with [`StoreError::Conflict`] and changes nothing.
    fn save_postmortem(
        &self,
        key: IncidentKey,
        postmortem: &Postmortem,
        expected_version: u64,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;

    fn add_action_item(
        &self,
        key: IncidentKey,
        item: &NewActionItem,
        now: DateTime<Utc>,
    ) -> StoreResult<ActionItem>;

    /// Replaces an action item's content; its id and creation time stay.
    fn update_action_item(&self, key: IncidentKey, item: &ActionItem) -> StoreResult<()>;

    /// Appends a revision (its number is the next one) and returns its number.
    fn add_revision(
        &self,
        key: IncidentKey,
        author: &str,
        at: DateTime<Utc>,
        summary: &str,
        document: &str,
    ) -> StoreResult<u64>;

    /// The history of a post-mortem, oldest first.
    fn revisions(&self, key: IncidentKey) -> StoreResult<Vec<RevisionSummary>>;

    /// One revision with its snapshot.
    fn revision(&self, key: IncidentKey, number: u64) -> StoreResult<Revision>;

    /// Stores the proposals not already made for this incident (the same `source_id`), as
    /// pending, and returns those it added. Importing the same export twice proposes nothing
    /// twice.
    fn add_proposals(
        &self,
        key: IncidentKey,
        proposals: &[NewProposal],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Proposal>>;

    /// Every proposal of an incident, in the order they were made.
    fn proposals(&self, key: IncidentKey) -> StoreResult<Vec<Proposal>>;

    /// Accepts or rejects a pending proposal. Accepting adds what it suggests (an event, an
    /// action item, a participant) in the same transaction.
    fn decide_proposal(
        &self,
        key: IncidentKey,
        id: ProposalId,
        accept: bool,
        now: DateTime<Utc>,
    ) -> StoreResult<Proposal>;

    /// Applies a webhook delivery in one transaction: a delivery seen before changes nothing;
    /// otherwise the tool's incident is found (or opened) and the events and participants are
    /// added, events already on the timeline skipped.
    fn apply_delivery(
        &self,
        delivery: &Delivery,
        now: DateTime<Utc>,
    ) -> StoreResult<DeliveryOutcome>;
}

/// Adds the people not already among the responders, as participants; whether any was new.
pub fn add_participants(responders: &mut Responders, people: &[Person]) -> bool {
    let mut changed = false;
    for person in people {
        let known = responders
            .iter()
            .any(|(_, p)| p.name.as_str().eq_ignore_ascii_case(person.name.as_str()));
        if !known {
            responders.assign(Role::Participant, person.clone());
            changed = true;
        }
    }
    changed
}

/// Parses a stored text with the domain's parser, so a value the domain refuses surfaces as
/// [`StoreError::Corrupt`] naming `what`. Every backend reads its rows through this.
pub fn decode<T>(what: &str, text: &str) -> StoreResult<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| StoreError::corrupt(what, e))
}

/// A stored severity level, read back through the domain.
pub fn decode_severity(what: &str, level: i64) -> StoreResult<hindsight_core::Severity> {
    u8::try_from(level)
        .ok()
        .and_then(|l| hindsight_core::Severity::from_level(l).ok())
        .ok_or_else(|| StoreError::corrupt(what, format!("severity level {level}")))
}
