//! The storage port: what hindsight asks of a database, whichever it is.
//!
//! Every method is one unit of work: it commits whole or not at all, so a failed import leaves
//! nothing behind. Backends live in their own crates (`hindsight-store-sqlite`,
//! `hindsight-store-postgres`), know SQL so nothing else has to, and pass [`contract`] unchanged.

pub mod contract;
pub mod steps;

use chrono::{DateTime, Utc};
use hindsight_core::{
    ActionId, ActionItem, ApiTokenInfo, EventId, Incident, IncidentKey, IncidentRecord,
    IncidentStatus, NewActionItem, NewIncident, NewTimelineEvent, NewUser, Person, Postmortem,
    PostmortemStatus, Responders, Role, Session, Severity, TimelineEvent, User, UserId, Username,
    proposal::{NewProposal, Proposal, ProposalId, ProposalStatus},
    text::Line,
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
    #[error("a user named `{0}` already exists")]
    UserExists(Username),
    #[error("no user {0}")]
    UserNotFound(UserId),
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
                | StoreError::UserNotFound(_)
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

/// Which incidents a list shows: every filter is optional and they all apply together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentQuery {
    /// Derived from the timeline, as [`IncidentRecord::status`] derives it.
    pub status: Option<IncidentStatus>,
    /// The severity the incident was opened with.
    pub severity: Option<Severity>,
    /// Incidents that affected this service (exact name).
    pub service: Option<String>,
    /// Incidents whose post-mortem this person owns (exact name).
    pub owner: Option<String>,
    pub postmortem_status: Option<PostmortemStatus>,
    /// Opened at or after this instant.
    pub opened_from: Option<DateTime<Utc>>,
    /// Opened before this instant.
    pub opened_before: Option<DateTime<Utc>>,
    /// Words that must all appear in the title (case-insensitive, ASCII).
    pub title_contains: Option<String>,
    /// Paging by key: only incidents with a smaller number than this one (the next page starts
    /// after the last key of the previous one).
    pub before: Option<IncidentKey>,
    /// Who is looking: `None` for an admin, who sees every incident; otherwise private incidents
    /// are listed only where this display name is a responder or the post-mortem owner.
    pub member: Option<String>,
    pub limit: u32,
}

impl Default for IncidentQuery {
    fn default() -> Self {
        IncidentQuery {
            status: None,
            severity: None,
            service: None,
            owner: None,
            postmortem_status: None,
            opened_from: None,
            opened_before: None,
            title_contains: None,
            before: None,
            member: None,
            limit: 50,
        }
    }
}

/// An incident as a list shows it: with its derived status and its post-mortem's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentSummary {
    pub incident: Incident,
    pub status: IncidentStatus,
    pub postmortem_status: PostmortemStatus,
    pub owner: Option<Line>,
}

/// A new sign-in session: the store keeps only the hash of the cookie's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Hex SHA-256 of the token in the cookie.
    pub token_hash: String,
    pub user: UserId,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
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
    /// twice. A pending quiet proposal gives way to a proposal (not quiet) of the same message,
    /// which keeps its id and is returned as added.
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

    /// The incidents `query` selects, newest (highest key) first, at most `query.limit`.
    fn search_incidents(&self, query: &IncidentQuery) -> StoreResult<Vec<IncidentSummary>>;

    /// Creates an account; a name already taken is [`StoreError::UserExists`].
    fn create_user(
        &self,
        user: &NewUser,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<User>;

    /// An account and its password hash (PHC string), by sign-in name.
    fn user_credentials(&self, name: &Username) -> StoreResult<Option<(User, String)>>;

    /// Every account, by name.
    fn users(&self) -> StoreResult<Vec<User>>;

    /// Changes an account's role; [`StoreError::UserNotFound`] when there is no such account.
    fn set_user_role(&self, id: UserId, role: hindsight_core::AccountRole) -> StoreResult<User>;

    /// Replaces an account's password hash and ends all its sessions.
    fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()>;

    fn create_session(&self, session: &NewSession) -> StoreResult<()>;

    /// The session whose cookie hashes to `token_hash`, unless it expired by `now` (expired
    /// sessions are deleted when met).
    fn session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<Option<Session>>;

    /// Ends a session (signing out); unknown hashes are ignored.
    fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    /// Stores a new API token for `user` by the hash of its secret.
    fn create_api_token(
        &self,
        user: UserId,
        label: &Line,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<ApiTokenInfo>;

    /// The account an API token belongs to, by the hash of its secret.
    fn user_by_api_token(&self, token_hash: &str) -> StoreResult<Option<User>>;

    /// The tokens of one account, oldest first.
    fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiTokenInfo>>;

    /// Revokes a token of `user`; false when that user has no such token.
    fn revoke_api_token(&self, user: UserId, id: i64) -> StoreResult<bool>;
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

/// An incident status as the backends derive it in SQL (`active`, `mitigated`, `resolved`),
/// read back into the domain's value.
pub fn decode_status(what: &str, text: &str) -> StoreResult<IncidentStatus> {
    match text {
        "active" => Ok(IncidentStatus::Active),
        "mitigated" => Ok(IncidentStatus::Mitigated),
        "resolved" => Ok(IncidentStatus::Resolved),
        other => Err(StoreError::corrupt(
            what,
            format!("unknown incident status `{other}`"),
        )),
    }
}

/// The LIKE patterns, with `\` as the escape character, that together select the titles
/// containing every whitespace-separated word of `words`. `%`, `_` and `\` in a word are
/// escaped, so what a user types is matched as written and never read as a pattern. Both
/// backends build their title filter from these, so they escape alike.
pub fn title_patterns(words: &str) -> Vec<String> {
    words
        .split_whitespace()
        .map(|word| {
            let mut pattern = String::with_capacity(word.len() + 2);
            pattern.push('%');
            for c in word.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(c);
            }
            pattern.push('%');
            pattern
        })
        .collect()
}

/// Whether `member` may see `record`, by the rule [`Store::search_incidents`] applies in SQL:
/// a public incident is seen by everyone, a private one by admins (`None`) and by the person
/// whose display name is exactly that of a responder (any role) or of the post-mortem owner.
/// A page showing one incident checks this, so it agrees with the lists.
pub fn visible_to(record: &IncidentRecord, member: Option<&str>) -> bool {
    let Some(name) = member else { return true };
    !record.incident.private
        || record
            .responders
            .iter()
            .any(|(_, p)| p.name.as_str() == name)
        || record
            .postmortem
            .owner
            .as_ref()
            .is_some_and(|owner| owner.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_patterns_escape_every_wildcard() {
        assert_eq!(
            title_patterns("  100%  db_1\ta\\b "),
            ["%100\\%%", "%db\\_1%", "%a\\\\b%"]
        );
        assert!(title_patterns(" \t ").is_empty());
    }

    #[test]
    fn only_the_three_derived_statuses_decode() {
        for status in [
            IncidentStatus::Active,
            IncidentStatus::Mitigated,
            IncidentStatus::Resolved,
        ] {
            assert_eq!(
                decode_status("status", &status.to_string()).ok(),
                Some(status)
            );
        }
        assert!(matches!(
            decode_status("status", "Resolved"),
            Err(StoreError::Corrupt { .. })
        ));
    }
}
