//! Rows to domain values and back. Every stored value goes through the domain's own parser, so
//! a row the domain would refuse surfaces as [`StoreError::Corrupt`] naming the column.

use chrono::{DateTime, NaiveDate, Utc};
use hindsight_core::{
    ActionId, ActionItem, ApiTokenInfo, EventId, Incident, IncidentKey, NewActionItem,
    NewTimelineEvent, TimelineEvent, User, UserId, Username, incident::parse_timezone, text::Line,
};
use hindsight_store::{IncidentSummary, StoreError, StoreResult};
use r2d2_sqlite::rusqlite::{self, Row};
use url::Url;

pub fn to_micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

pub fn from_micros(micros: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| StoreError::corrupt("instant", format!("{micros} is out of range")))
}

pub use hindsight_store::decode;

fn line(what: &str, text: &str) -> StoreResult<Line> {
    Line::parse("text", text).map_err(|e| StoreError::corrupt(what, e))
}

pub fn evidence_json(evidence: &[Url]) -> String {
    serde_json::to_string(evidence).unwrap_or_else(|_| "[]".to_owned())
}

pub struct RawIncident {
    pub id: i64,
    title: String,
    severity: i64,
    timezone: String,
    private: bool,
    created_at: i64,
}

impl RawIncident {
    pub fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawIncident {
            id: row.get(0)?,
            title: row.get(1)?,
            severity: row.get(2)?,
            timezone: row.get(3)?,
            private: row.get(4)?,
            created_at: row.get(5)?,
        })
    }

    pub fn into_incident(self, services: Vec<String>) -> StoreResult<Incident> {
        Ok(Incident {
            key: IncidentKey::from_number(self.id as u64)
                .map_err(|e| StoreError::corrupt("incident id", e))?,
            title: line("incident title", &self.title)?,
            severity: hindsight_store::decode_severity("incident severity", self.severity)?,
            services: services
                .iter()
                .map(|s| line("incident service", s))
                .collect::<StoreResult<_>>()?,
            timezone: parse_timezone(&self.timezone)
                .map_err(|e| StoreError::corrupt("incident timezone", e))?,
            private: self.private,
            created_at: from_micros(self.created_at)?,
        })
    }
}

/// A row of the incident search: the incident's columns as [`RawIncident::from_row`] reads
/// them, then the status derived in SQL, the post-mortem's status and its owner.
pub struct RawSummary {
    pub incident: RawIncident,
    status: String,
    postmortem_status: String,
    owner: Option<String>,
}

impl RawSummary {
    pub fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawSummary {
            incident: RawIncident::from_row(row)?,
            status: row.get(6)?,
            postmortem_status: row.get(7)?,
            owner: row.get(8)?,
        })
    }

    pub fn into_summary(self, services: Vec<String>) -> StoreResult<IncidentSummary> {
        let incident = self.incident.into_incident(services)?;
        let postmortem = format!("post-mortem of {}", incident.key);
        Ok(IncidentSummary {
            status: hindsight_store::decode_status(
                &format!("status of {}", incident.key),
                &self.status,
            )?,
            postmortem_status: decode(&postmortem, &self.postmortem_status)?,
            owner: self.owner.map(|o| line(&postmortem, &o)).transpose()?,
            incident,
        })
    }
}

pub struct RawEvent {
    id: i64,
    at: i64,
    kind: String,
    text: String,
    author: Option<String>,
    source: String,
    severity: Option<i64>,
    evidence: String,
    key_point: bool,
    recorded_at: i64,
}

impl RawEvent {
    pub fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawEvent {
            id: row.get(0)?,
            at: row.get(1)?,
            kind: row.get(2)?,
            text: row.get(3)?,
            author: row.get(4)?,
            source: row.get(5)?,
            severity: row.get(6)?,
            evidence: row.get(7)?,
            key_point: row.get(8)?,
            recorded_at: row.get(9)?,
        })
    }

    pub fn into_event(self) -> StoreResult<TimelineEvent> {
        let what = format!("timeline event {}", self.id);
        let severity = self
            .severity
            .map(|level| hindsight_store::decode_severity(&what, level))
            .transpose()?;
        let mut event = NewTimelineEvent::from_parts(
            from_micros(self.at)?,
            decode(&what, &self.kind)?,
            &self.text,
            decode(&what, &self.source)?,
            severity,
        )
        .and_then(|e| e.with_author(self.author.as_deref()))
        .map_err(|e| StoreError::corrupt(&what, e))?;
        let evidence: Vec<Url> =
            serde_json::from_str(&self.evidence).map_err(|e| StoreError::corrupt(&what, e))?;
        for url in evidence {
            event = event
                .with_evidence(url)
                .map_err(|e| StoreError::corrupt(&what, e))?;
        }
        Ok(TimelineEvent {
            id: EventId(self.id),
            event: event.key_point(self.key_point),
            recorded_at: from_micros(self.recorded_at)?,
        })
    }
}

pub struct RawAction {
    id: i64,
    title: String,
    description: String,
    owner: Option<String>,
    due: Option<String>,
    priority: String,
    kind: String,
    impact: String,
    effort: String,
    status: String,
    ticket: Option<String>,
    created_at: i64,
}

impl RawAction {
    pub fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawAction {
            id: row.get(0)?,
            title: row.get(1)?,
            description: row.get(2)?,
            owner: row.get(3)?,
            due: row.get(4)?,
            priority: row.get(5)?,
            kind: row.get(6)?,
            impact: row.get(7)?,
            effort: row.get(8)?,
            status: row.get(9)?,
            ticket: row.get(10)?,
            created_at: row.get(11)?,
        })
    }

    pub fn into_action(self) -> StoreResult<ActionItem> {
        let what = format!("action item {}", self.id);
        let item = NewActionItem {
            title: line(&what, &self.title)?,
            description: self.description,
            owner: self.owner.map(|o| line(&what, &o)).transpose()?,
            due: self
                .due
                .map(|d| decode::<NaiveDate>(&what, &d))
                .transpose()?,
            priority: decode(&what, &self.priority)?,
            kind: decode(&what, &self.kind)?,
            impact: decode(&what, &self.impact)?,
            effort: decode(&what, &self.effort)?,
            status: decode(&what, &self.status)?,
            ticket: self.ticket.map(|t| decode::<Url>(&what, &t)).transpose()?,
        };
        Ok(ActionItem {
            id: ActionId(self.id),
            item,
            created_at: from_micros(self.created_at)?,
        })
    }
}

/// The columns [`RawUser::from_row`] reads, from `users` aliased `u`.
pub const USER_COLUMNS: &str = "u.id, u.name, u.display_name, u.role, u.created_at";

pub struct RawUser {
    id: i64,
    name: String,
    display_name: String,
    role: String,
    created_at: i64,
}

impl RawUser {
    /// The [`USER_COLUMNS`], which a query lists first.
    pub fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawUser {
            id: row.get(0)?,
            name: row.get(1)?,
            display_name: row.get(2)?,
            role: row.get(3)?,
            created_at: row.get(4)?,
        })
    }

    pub fn into_user(self) -> StoreResult<User> {
        let what = format!("user {}", self.id);
        Ok(User {
            id: UserId(self.id),
            name: decode::<Username>(&what, &self.name)?,
            display_name: line(&what, &self.display_name)?,
            role: decode(&what, &self.role)?,
            created_at: from_micros(self.created_at)?,
        })
    }
}

pub const TOKEN_COLUMNS: &str = "id, user_id, label, created_at";

pub struct RawToken {
    id: i64,
    user_id: i64,
    label: String,
    created_at: i64,
}

impl RawToken {
    pub fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawToken {
            id: row.get(0)?,
            user_id: row.get(1)?,
            label: row.get(2)?,
            created_at: row.get(3)?,
        })
    }

    pub fn into_token(self) -> StoreResult<ApiTokenInfo> {
        Ok(ApiTokenInfo {
            id: self.id,
            user: UserId(self.user_id),
            label: line(&format!("API token {}", self.id), &self.label)?,
            created_at: from_micros(self.created_at)?,
        })
    }
}
