//! The JSON shapes of the API, with their OpenAPI schemas. They are the API's own types, built
//! from the domain's, so that a change of the domain is a visible change of the API here.

use chrono::{DateTime, NaiveDate, Utc};
use hindsight_core::{
    ActionItem, Figures, Incident, IncidentRecord, IncidentStatus, PostmortemStatus, TimelineEvent,
    User,
    readiness::{Level, ReadinessFinding},
};
use hindsight_store::IncidentSummary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// An incident as lists show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentJson {
    /// `INC-42`
    pub key: String,
    pub title: String,
    /// The severity it was opened with, `SEV-1` … `SEV-5`.
    pub severity: String,
    /// Derived from the timeline: `active`, `mitigated` or `resolved`.
    pub status: String,
    pub services: Vec<String>,
    /// An IANA timezone name.
    pub timezone: String,
    pub private: bool,
    pub created_at: DateTime<Utc>,
    pub owner: Option<String>,
    /// `draft`, `in_review`, `reviewed`, `published` or `closed`.
    pub postmortem_status: String,
}

impl IncidentJson {
    pub fn new(
        incident: &Incident,
        status: IncidentStatus,
        owner: Option<&str>,
        postmortem_status: PostmortemStatus,
    ) -> Self {
        IncidentJson {
            key: incident.key.to_string(),
            title: incident.title.as_str().to_owned(),
            severity: incident.severity.to_string(),
            status: status.to_string(),
            services: incident
                .services
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            timezone: incident.timezone.name().to_owned(),
            private: incident.private,
            created_at: incident.created_at,
            owner: owner.map(str::to_owned),
            postmortem_status: postmortem_status.as_str().to_owned(),
        }
    }

    pub fn of_summary(summary: &IncidentSummary) -> Self {
        IncidentJson::new(
            &summary.incident,
            summary.status,
            summary.owner.as_ref().map(|o| o.as_str()),
            summary.postmortem_status,
        )
    }

    pub fn of_record(record: &IncidentRecord) -> Self {
        IncidentJson::new(
            &record.incident,
            record.status(),
            record.postmortem.owner.as_ref().map(|o| o.as_str()),
            record.postmortem.status,
        )
    }
}

/// One page of incidents, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentPage {
    pub incidents: Vec<IncidentJson>,
    /// The URL of the next page, when there is one.
    pub next: Option<String>,
}

/// What it takes to open an incident.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncidentJson {
    pub title: String,
    /// `SEV-1` … `SEV-5`
    pub severity: String,
    #[serde(default)]
    pub services: Vec<String>,
    /// An IANA timezone name; UTC when absent.
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub private: bool,
    /// The post-mortem template; `pagerduty` when absent.
    #[serde(default)]
    pub template: Option<String>,
}

/// A change to an incident's own fields: only those present change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentChangeJson {
    pub title: Option<String>,
    pub severity: Option<String>,
    pub services: Option<Vec<String>>,
    pub timezone: Option<String>,
    pub private: Option<bool>,
}

/// Every figure derived from the timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FiguresJson {
    pub started_at: Option<DateTime<Utc>>,
    pub detected_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub time_to_detect_s: Option<i64>,
    pub time_to_acknowledge_s: Option<i64>,
    pub time_to_mitigate_s: Option<i64>,
    pub time_to_resolve_s: Option<i64>,
    pub impact_duration_s: Option<i64>,
    /// Seconds spent in each severity, by `SEV-n`.
    pub time_in_severity_s: BTreeMap<String, i64>,
    pub peak_severity: String,
    pub current_severity: String,
    /// The last day the post-mortem meeting may take place.
    pub meeting_deadline: Option<NaiveDate>,
}

impl From<&Figures> for FiguresJson {
    fn from(f: &Figures) -> Self {
        FiguresJson {
            started_at: f.instants.started,
            detected_at: f.instants.detected,
            acknowledged_at: f.instants.acknowledged,
            mitigated_at: f.instants.mitigated,
            resolved_at: f.instants.resolved,
            time_to_detect_s: f.time_to_detect_s,
            time_to_acknowledge_s: f.time_to_acknowledge_s,
            time_to_mitigate_s: f.time_to_mitigate_s,
            time_to_resolve_s: f.time_to_resolve_s,
            impact_duration_s: f.impact_duration_s,
            time_in_severity_s: f
                .time_in_severity_s
                .iter()
                .map(|(s, secs)| (s.to_string(), *secs))
                .collect(),
            peak_severity: f.peak_severity.to_string(),
            current_severity: f.current_severity.to_string(),
            meeting_deadline: f.meeting_deadline,
        }
    }
}

/// An incident with everything about it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentDetailJson {
    pub incident: IncidentJson,
    pub figures: FiguresJson,
    /// The version of the post-mortem document, also sent as the `ETag` of
    /// `/incidents/{key}/postmortem`.
    pub postmortem_version: u64,
    /// The whole record in the JSON document format (`hindsight.postmortem`, version 1).
    #[schema(schema_with = document_schema)]
    pub document: hindsight_core::exchange::PostmortemDocument,
}

/// A reference to the document format's schema, added to the components by `openapi.rs`.
pub fn document_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::Ref::from_schema_name("PostmortemDocument").into()
}

/// A timeline event as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventJson {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub text: String,
    pub author: Option<String>,
    /// `typed`, `chat`, `pager_webhook`, `alert_webhook` or `import`.
    pub source: String,
    pub severity: Option<String>,
    pub evidence: Vec<String>,
    pub key_point: bool,
    pub recorded_at: DateTime<Utc>,
}

impl From<&TimelineEvent> for EventJson {
    fn from(e: &TimelineEvent) -> Self {
        EventJson {
            id: e.id.0,
            at: e.at(),
            kind: e.kind().as_str().to_owned(),
            text: e.text().to_owned(),
            author: e.author().map(str::to_owned),
            source: e.source().as_str().to_owned(),
            severity: e.severity().map(|s| s.to_string()),
            evidence: e.evidence().iter().map(|u| u.to_string()).collect(),
            key_point: e.is_key_point(),
            recorded_at: e.recorded_at,
        }
    }
}

/// A timeline event to add, or the new content of one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEventJson {
    /// RFC 3339 with an offset, or a local `YYYY-MM-DD HH:MM` in the incident's timezone.
    pub at: String,
    /// One of the event kinds (`detected`, `mitigated`, …).
    pub kind: String,
    pub text: String,
    #[serde(default)]
    pub author: Option<String>,
    /// Required with `severity_changed`.
    #[serde(default)]
    pub severity: Option<String>,
    /// http(s) links to what shows the event.
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub key_point: bool,
}

/// A follow-up action.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionJson {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    pub priority: String,
    pub kind: String,
    pub impact: String,
    pub effort: String,
    pub status: String,
    pub ticket: Option<String>,
    pub created_at: DateTime<Utc>,
    /// `sev1` and `sev1_YYYYMMDD`, from the incident.
    pub tags: Vec<String>,
}

impl ActionJson {
    pub fn new(a: &ActionItem, tags: &[String]) -> Self {
        ActionJson {
            id: a.id.0,
            title: a.title.as_str().to_owned(),
            description: a.description.clone(),
            owner: a.owner.as_ref().map(|o| o.as_str().to_owned()),
            due: a.due,
            priority: a.priority.as_str().to_owned(),
            kind: a.kind.as_str().to_owned(),
            impact: a.impact.as_str().to_owned(),
            effort: a.effort.as_str().to_owned(),
            status: a.status.as_str().to_owned(),
            ticket: a.ticket.as_ref().map(|t| t.to_string()),
            created_at: a.created_at,
            tags: tags.to_vec(),
        }
    }
}

/// A new action item, or a change to one: absent fields keep their value (or the default).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionFieldsJson {
    pub title: Option<String>,
    pub description: Option<String>,
    /// An empty string removes the owner.
    pub owner: Option<String>,
    /// `YYYY-MM-DD`; an empty string removes the due date.
    pub due: Option<String>,
    pub priority: Option<String>,
    pub kind: Option<String>,
    pub impact: Option<String>,
    pub effort: Option<String>,
    pub status: Option<String>,
    /// An empty string removes the link.
    pub ticket: Option<String>,
}

/// A finding of the readiness check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingJson {
    /// A stable rule id: `no-owner`.
    pub rule: String,
    /// `error` or `warning`.
    pub level: String,
    /// Where in the document.
    pub location: String,
    pub message: String,
}

impl From<&ReadinessFinding> for FindingJson {
    fn from(f: &ReadinessFinding) -> Self {
        FindingJson {
            rule: f.rule.to_owned(),
            level: match f.level {
                Level::Error => "error",
                Level::Warning => "warning",
            }
            .to_owned(),
            location: f.location.to_string(),
            message: f.message.clone(),
        }
    }
}

/// An account as others see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserJson {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    /// `viewer`, `editor` or `admin`.
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl From<&User> for UserJson {
    fn from(u: &User) -> Self {
        UserJson {
            id: u.id.0,
            name: u.name.to_string(),
            display_name: u.display_name.as_str().to_owned(),
            role: u.role.as_str().to_owned(),
            created_at: u.created_at,
        }
    }
}
