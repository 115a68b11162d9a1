//! Pager and alert webhooks (PagerDuty V3, Alertmanager v4, Opsgenie, Statuspage) read into one
//! shape: what a delivery says about an incident, in hindsight's terms. The parsers are pure;
//! linking a delivery to an incident, creating it when new and ignoring a delivery seen before
//! are the app's job.

use hindsight_core::{NewTimelineEvent, Person, Severity};
use std::fmt;
use url::Url;

/// The tool a delivery came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookSource {
    PagerDuty,
    Alertmanager,
    Opsgenie,
    Statuspage,
}

impl WebhookSource {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookSource::PagerDuty => "pagerduty",
            WebhookSource::Alertmanager => "alertmanager",
            WebhookSource::Opsgenie => "opsgenie",
            WebhookSource::Statuspage => "statuspage",
        }
    }
}

impl fmt::Display for WebhookSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one delivery says about one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUpdate {
    pub source: WebhookSource,
    /// The incident's id in the tool (a PagerDuty incident id, an Alertmanager group key, an
    /// Opsgenie alert id, a Statuspage incident id): every delivery about it goes to one
    /// hindsight incident.
    pub external_id: String,
    /// The delivery's own id, so the same delivery twice changes nothing.
    pub delivery_id: String,
    /// The incident's title in the tool, for creating it.
    pub title: Option<String>,
    /// The severity the tool's priority or urgency maps to, when it says.
    pub severity: Option<Severity>,
    pub services: Vec<String>,
    /// The incident's page in the tool.
    pub link: Option<Url>,
    /// The events the delivery records, with the tool's own instants, the link as evidence.
    pub events: Vec<NewTimelineEvent>,
    /// The people it names (assignees, responders, the person who acted).
    pub participants: Vec<Person>,
    /// What was skipped or odd but not fatal.
    pub warnings: Vec<String>,
}

/// Why a delivery could not be read: where in the body, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("line {line}, column {column}: the body is not JSON: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("`{path}`: {expected}")]
    Field { path: String, expected: String },
}
