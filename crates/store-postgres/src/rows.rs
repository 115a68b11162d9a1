//! Rows to domain values and back. Every stored value goes through the domain's own parser, so
//! a row the domain would refuse surfaces as [`StoreError::Corrupt`] naming what it belongs to.
//! A value of the wrong SQL type (a column altered by hand) is a driver error, so
//! [`StoreError::Backend`], as on SQLite.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use hindsight_core::{
    ActionId, ActionItem, ApiTokenInfo, EventId, Incident, IncidentKey, NewActionItem,
    NewTimelineEvent, Postmortem, Severity, TimelineEvent, User, UserId, Username,
    incident::parse_timezone, text::Line,
};
use hindsight_store::{IncidentSummary, StoreError, StoreResult, Versioned};
use r2d2_postgres::postgres::{self, Row};
use serde_json::Value;
use url::Url;

/// `at` as PostgreSQL holds it. timestamptz keeps microseconds, and rounding here rather than in
/// the driver means what a method returns is exactly what a later read gives back.
pub fn instant(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

pub use hindsight_store::decode;

fn severity(what: &str, level: i16) -> StoreResult<Severity> {
    hindsight_store::decode_severity(what, i64::from(level))
}

pub fn severity_level(severity: Severity) -> i16 {
    i16::from(severity.level())
}

fn line(what: &str, text: &str) -> StoreResult<Line> {
    Line::parse("text", text).map_err(|e| StoreError::corrupt(what, e))
}

pub fn incident_key(id: i64) -> StoreResult<IncidentKey> {
    u64::try_from(id)
        .map_err(|e| StoreError::corrupt("incident id", e))
        .and_then(|n| {
            IncidentKey::from_number(n).map_err(|e| StoreError::corrupt("incident id", e))
        })
}

pub fn evidence_json(evidence: &[Url]) -> Value {
    Value::Array(
        evidence
            .iter()
            .map(|url| Value::String(url.as_str().to_owned()))
            .collect(),
    )
}

pub fn postmortem_json(postmortem: &Postmortem) -> StoreResult<Value> {
    serde_json::to_value(postmortem).map_err(|e| StoreError::corrupt("post-mortem document", e))
}

pub fn version(what: &str, version: i64) -> StoreResult<u64> {
    u64::try_from(version).map_err(|_| StoreError::corrupt(what, format!("version {version}")))
}

/// `(version, document)` of a post-mortem row.
pub fn postmortem(row: &Row) -> StoreResult<Versioned<Postmortem>> {
    let db = StoreError::backend;
    let document: Value = row.try_get("document").map_err(db)?;
    Ok(Versioned {
        value: serde_json::from_value(document)
            .map_err(|e| StoreError::corrupt("post-mortem document", e))?,
        version: version("post-mortem version", row.try_get("version").map_err(db)?)?,
    })
}

/// The columns [`RawIncident::from_row`] reads: the incident and its services in one row, so a
/// list of incidents is one query.
pub const INCIDENT_SELECT: &str =
    "SELECT i.id, i.title, i.severity, i.timezone, i.private, i.created_at,
        ARRAY(SELECT s.service FROM incident_services s
              WHERE s.incident_id = i.id ORDER BY s.position) AS services
     FROM incidents i";

pub struct RawIncident {
    id: i64,
    title: String,
    severity: i16,
    timezone: String,
    private: bool,
    created_at: DateTime<Utc>,
    services: Vec<String>,
}

impl RawIncident {
    pub fn from_row(row: &Row) -> Result<Self, postgres::Error> {
        Ok(RawIncident {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            severity: row.try_get("severity")?,
            timezone: row.try_get("timezone")?,
            private: row.try_get("private")?,
            created_at: row.try_get("created_at")?,
            services: row.try_get("services")?,
        })
    }

    pub fn into_incident(self) -> StoreResult<Incident> {
        Ok(Incident {
            key: incident_key(self.id)?,
            title: line("incident title", &self.title)?,
            severity: severity("incident severity", self.severity)?,
            services: self
                .services
                .iter()
                .map(|s| line("incident service", s))
                .collect::<StoreResult<_>>()?,
            timezone: parse_timezone(&self.timezone)
                .map_err(|e| StoreError::corrupt("incident timezone", e))?,
            private: self.private,
            created_at: self.created_at,
        })
    }
}

/// A row of the incident search: the incident's columns as [`INCIDENT_SELECT`] names them, and
/// `incident_status` (derived in SQL), `postmortem_status` and `owner`.
pub fn summary(row: &Row) -> StoreResult<IncidentSummary> {
    let db = StoreError::backend;
    let incident = RawIncident::from_row(row).map_err(db)?.into_incident()?;
    let postmortem = format!("post-mortem of {}", incident.key);
    let status: String = row.try_get("incident_status").map_err(db)?;
    let postmortem_status: String = row.try_get("postmortem_status").map_err(db)?;
    let owner: Option<String> = row.try_get("owner").map_err(db)?;
    Ok(IncidentSummary {
        status: hindsight_store::decode_status(&format!("status of {}", incident.key), &status)?,
        postmortem_status: decode(&postmortem, &postmortem_status)?,
        owner: owner.map(|o| line(&postmortem, &o)).transpose()?,
        incident,
    })
}

pub const EVENT_COLUMNS: &str =
    "id, at, kind, text, author, source, severity, evidence, key_point, recorded_at";

pub struct RawEvent {
    id: i64,
    at: DateTime<Utc>,
    kind: String,
    text: String,
    author: Option<String>,
    source: String,
    severity: Option<i16>,
    evidence: Value,
    key_point: bool,
    recorded_at: DateTime<Utc>,
}

impl RawEvent {
    pub fn from_row(row: &Row) -> Result<Self, postgres::Error> {
        Ok(RawEvent {
            id: row.try_get("id")?,
            at: row.try_get("at")?,
            kind: row.try_get("kind")?,
            text: row.try_get("text")?,
            author: row.try_get("author")?,
            source: row.try_get("source")?,
            severity: row.try_get("severity")?,
            evidence: row.try_get("evidence")?,
            key_point: row.try_get("key_point")?,
            recorded_at: row.try_get("recorded_at")?,
        })
    }

    pub fn into_event(self) -> StoreResult<TimelineEvent> {
        let what = format!("timeline event {}", self.id);
        let severity = self
            .severity
            .map(|level| severity(&what, level))
            .transpose()?;
        let mut event = NewTimelineEvent::from_parts(
            self.at,
            decode(&what, &self.kind)?,
            &self.text,
            decode(&what, &self.source)?,
            severity,
        )
        .and_then(|e| e.with_author(self.author.as_deref()))
        .map_err(|e| StoreError::corrupt(&what, e))?;
        let evidence: Vec<Url> =
            serde_json::from_value(self.evidence).map_err(|e| StoreError::corrupt(&what, e))?;
        for url in evidence {
            event = event
                .with_evidence(url)
                .map_err(|e| StoreError::corrupt(&what, e))?;
        }
        Ok(TimelineEvent {
            id: EventId(self.id),
            event: event.key_point(self.key_point),
            recorded_at: self.recorded_at,
        })
    }
}

pub const ACTION_COLUMNS: &str = "id, title, description, owner, due, priority, kind, impact, effort, status, ticket, created_at";

pub struct RawAction {
    id: i64,
    title: String,
    description: String,
    owner: Option<String>,
    due: Option<NaiveDate>,
    priority: String,
    kind: String,
    impact: String,
    effort: String,
    status: String,
    ticket: Option<String>,
    created_at: DateTime<Utc>,
}

impl RawAction {
    pub fn from_row(row: &Row) -> Result<Self, postgres::Error> {
        Ok(RawAction {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            owner: row.try_get("owner")?,
            due: row.try_get("due")?,
            priority: row.try_get("priority")?,
            kind: row.try_get("kind")?,
            impact: row.try_get("impact")?,
            effort: row.try_get("effort")?,
            status: row.try_get("status")?,
            ticket: row.try_get("ticket")?,
            created_at: row.try_get("created_at")?,
        })
    }

    pub fn into_action(self) -> StoreResult<ActionItem> {
        let what = format!("action item {}", self.id);
        let item = NewActionItem {
            title: line(&what, &self.title)?,
            description: self.description,
            owner: self.owner.map(|o| line(&what, &o)).transpose()?,
            due: self.due,
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
            created_at: self.created_at,
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
    created_at: DateTime<Utc>,
}

impl RawUser {
    pub fn from_row(row: &Row) -> Result<Self, postgres::Error> {
        Ok(RawUser {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            display_name: row.try_get("display_name")?,
            role: row.try_get("role")?,
            created_at: row.try_get("created_at")?,
        })
    }

    pub fn into_user(self) -> StoreResult<User> {
        let what = format!("user {}", self.id);
        Ok(User {
            id: UserId(self.id),
            name: decode::<Username>(&what, &self.name)?,
            display_name: line(&what, &self.display_name)?,
            role: decode(&what, &self.role)?,
            created_at: self.created_at,
        })
    }
}

pub const TOKEN_COLUMNS: &str = "id, user_id, label, created_at";

pub struct RawToken {
    id: i64,
    user_id: i64,
    label: String,
    created_at: DateTime<Utc>,
}

impl RawToken {
    pub fn from_row(row: &Row) -> Result<Self, postgres::Error> {
        Ok(RawToken {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            label: row.try_get("label")?,
            created_at: row.try_get("created_at")?,
        })
    }

    pub fn into_token(self) -> StoreResult<ApiTokenInfo> {
        Ok(ApiTokenInfo {
            id: self.id,
            user: UserId(self.user_id),
            label: line(&format!("API token {}", self.id), &self.label)?,
            created_at: self.created_at,
        })
    }
}
