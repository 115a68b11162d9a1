//! Pager and alert webhooks (PagerDuty V3, Alertmanager v4, Opsgenie, Statuspage) read into one
//! shape: what a delivery says about an incident, in hindsight's terms. The parsers are pure;
//! linking a delivery to an incident, creating it when new and ignoring a delivery seen before
//! are the app's job.

use chrono::{DateTime, Utc};
use hindsight_core::{EventKind, EventSource, NewTimelineEvent, Person, Severity};
use serde_json::Value;
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

// What the four parsers share: reading a JSON body with paths in its errors, and turning what a
// tool says into checked domain values, keeping what fails a check as a warning rather than
// failing the delivery.

/// Reads a body as JSON, reporting where a body that is not JSON goes wrong. Deeply nested
/// bodies are refused by serde_json's recursion limit rather than overflowing the stack.
pub(crate) fn read_json(body: &[u8]) -> Result<Value, WebhookError> {
    serde_json::from_slice(body).map_err(|e| {
        let position = format!(" at line {} column {}", e.line(), e.column());
        let message = e.to_string();
        WebhookError::Json {
            line: e.line(),
            column: e.column(),
            message: message
                .strip_suffix(&position)
                .unwrap_or(&message)
                .to_owned(),
        }
    })
}

/// A value in a delivery, or the absence of one, and the path that leads to it
/// (`event.data.id`, `alerts[0].startsAt`), so an error can say where and what was expected.
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    value: Option<&'a Value>,
    pub path: String,
}

impl<'a> Node<'a> {
    pub fn root(value: &'a Value) -> Self {
        Node {
            value: Some(value),
            path: String::new(),
        }
    }

    /// The member `key`, present or not. A value that is not an object has no members: read
    /// containers with [`Node::object`] first, so that error names the container.
    pub fn get(&self, key: &str) -> Node<'a> {
        Node {
            value: self.value.and_then(|v| v.get(key)),
            path: if self.path.is_empty() {
                key.to_owned()
            } else {
                format!("{}.{key}", self.path)
            },
        }
    }

    /// Whether there is a value here other than null, which tools send for "none".
    pub fn is_present(&self) -> bool {
        self.value.is_some_and(|v| !v.is_null())
    }

    /// The node, when there is a value here other than null.
    pub fn present(self) -> Option<Self> {
        self.is_present().then_some(self)
    }

    /// The error for this place: what was expected here and what was found.
    pub fn error(&self, expected: &str) -> WebhookError {
        WebhookError::Field {
            path: if self.path.is_empty() {
                "$".to_owned()
            } else {
                self.path.clone()
            },
            expected: format!("{expected}, found {}", describe(self.value)),
        }
    }

    /// This node, checked to be an object.
    pub fn object(self) -> Result<Self, WebhookError> {
        match self.value {
            Some(Value::Object(_)) => Ok(self),
            _ => Err(self.error("expected an object")),
        }
    }

    /// The members of an object, in the order serde_json keeps them: sort them where order
    /// matters.
    pub fn members(&self) -> Result<Vec<(&'a str, Node<'a>)>, WebhookError> {
        let Some(Value::Object(map)) = self.value else {
            return Err(self.error("expected an object"));
        };
        Ok(map
            .iter()
            .map(|(key, value)| {
                (
                    key.as_str(),
                    Node {
                        value: Some(value),
                        path: format!("{}.{key}", self.path),
                    },
                )
            })
            .collect())
    }

    pub fn str(&self) -> Result<&'a str, WebhookError> {
        self.value
            .and_then(Value::as_str)
            .ok_or_else(|| self.error("expected a string"))
    }

    /// A string with something in it besides spaces, trimmed.
    pub fn text(&self) -> Result<&'a str, WebhookError> {
        match self.value.and_then(Value::as_str).map(str::trim) {
            Some(text) if !text.is_empty() => Ok(text),
            _ => Err(self.error("expected a non-empty string")),
        }
    }

    /// The raw JSON value, for readers that accept several types.
    pub fn value(&self) -> Option<&'a Value> {
        self.value.filter(|v| !v.is_null())
    }

    pub fn items(&self) -> Result<Vec<Node<'a>>, WebhookError> {
        let Some(Value::Array(items)) = self.value else {
            return Err(self.error("expected a list"));
        };
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, value)| Node {
                value: Some(value),
                path: format!("{}[{i}]", self.path),
            })
            .collect())
    }

    /// An RFC 3339 instant (any number of fractional digits) in the years hindsight accepts.
    pub fn instant(&self) -> Result<DateTime<Utc>, WebhookError> {
        const EXPECTED: &str = "expected an RFC 3339 time between the years 1900 and 9999";
        let text = self
            .value
            .and_then(Value::as_str)
            .ok_or_else(|| self.error(EXPECTED))?;
        DateTime::parse_from_rfc3339(text.trim())
            .ok()
            .map(|at| at.with_timezone(&Utc))
            .and_then(|at| hindsight_core::timeline::check_instant(at).ok())
            .ok_or_else(|| self.error(EXPECTED))
    }

    /// An optional string: missing, null or blank is none; another type is ignored with a
    /// warning, because the rest of the delivery is still worth reading.
    pub fn optional_text(&self, warnings: &mut Vec<String>) -> Option<&'a str> {
        match self.value? {
            Value::Null => None,
            Value::String(s) if s.trim().is_empty() => None,
            _ => keep(self.text(), warnings),
        }
    }

    /// An optional list: missing or null is empty; another type is ignored with a warning.
    pub fn optional_items(&self, warnings: &mut Vec<String>) -> Vec<Node<'a>> {
        if self.is_present() {
            keep(self.items(), warnings).unwrap_or_default()
        } else {
            Vec::new()
        }
    }
}

/// How a found value reads in an error: its type, and short values themselves.
fn describe(found: Option<&Value>) -> String {
    match found {
        None => "nothing".to_owned(),
        Some(Value::Null) => "null".to_owned(),
        Some(Value::Bool(b)) => format!("`{b}`"),
        Some(Value::Number(n)) => format!("the number {n}"),
        Some(Value::String(s)) => {
            let mut shown: String = s.chars().take(40).collect();
            if shown.len() < s.len() {
                shown.push('…');
            }
            format!("the string {shown:?}")
        }
        Some(Value::Array(_)) => "a list".to_owned(),
        Some(Value::Object(_)) => "an object".to_owned(),
    }
}

/// Keeps the value of `result`, or records its error as a warning.
pub(crate) fn keep<T>(result: Result<T, WebhookError>, warnings: &mut Vec<String>) -> Option<T> {
    result
        .map_err(|e| warnings.push(format!("{e} (ignored)")))
        .ok()
}

/// A web link from a tool, or a warning: only http(s) links reach a document.
pub(crate) fn web_link(node: &Node<'_>, warnings: &mut Vec<String>) -> Option<Url> {
    let text = node.optional_text(warnings)?;
    match hindsight_core::text::web_url(text) {
        Ok(url) => Some(url),
        Err(e) => {
            warnings.push(format!("`{}`: {e} (ignored)", node.path));
            None
        }
    }
}

/// Adds a person by name once; a name hindsight cannot hold becomes a warning.
pub(crate) fn add_person(people: &mut Vec<Person>, name: &str, warnings: &mut Vec<String>) {
    match Person::new(name, None) {
        Ok(person) => {
            if !people.iter().any(|p| p.name == person.name) {
                people.push(person);
            }
        }
        Err(e) => warnings.push(format!("participant `{}`: {e} (ignored)", name.trim())),
    }
}

/// Adds a name once, trimmed, skipping empty ones.
pub(crate) fn add_name(names: &mut Vec<String>, name: &str) {
    let name = name.trim();
    if !name.is_empty() && !names.iter().any(|n| n == name) {
        names.push(name.to_owned());
    }
}

/// A priority as pagers spell it (`P1` … `P5`, or a bare level) as a severity, level for level.
pub(crate) fn severity_of_priority(priority: &str) -> Option<Severity> {
    let priority = priority.trim();
    let level = priority
        .strip_prefix(['P', 'p'])
        .unwrap_or(priority)
        .parse::<u8>()
        .ok()?;
    Severity::from_level(level).ok()
}

/// An event about to be built from a delivery.
#[derive(Debug)]
pub(crate) struct Draft<'a> {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub text: String,
    pub source: EventSource,
    pub severity: Option<Severity>,
    pub author: Option<&'a str>,
    pub evidence: Option<&'a Url>,
}

impl Draft<'_> {
    /// Checks the event as the domain does. An author or evidence the domain refuses is
    /// dropped with a warning; an event it refuses (empty text) is skipped with a warning.
    pub fn build(self, warnings: &mut Vec<String>) -> Option<NewTimelineEvent> {
        let event = match NewTimelineEvent::from_parts(
            self.at,
            self.kind,
            &self.text,
            self.source,
            self.severity,
        ) {
            Ok(event) => event,
            Err(e) => {
                warnings.push(format!("{} event at {}: {e} (skipped)", self.kind, self.at));
                return None;
            }
        };
        let event = match event.clone().with_author(self.author) {
            Ok(with_author) => with_author,
            Err(e) => {
                warnings.push(format!("author of the {} event: {e} (ignored)", self.kind));
                event
            }
        };
        match self.evidence {
            Some(url) => match event.clone().with_evidence(url.clone()) {
                Ok(with_evidence) => Some(with_evidence),
                Err(e) => {
                    warnings.push(format!(
                        "evidence of the {} event: {e} (ignored)",
                        self.kind
                    ));
                    Some(event)
                }
            },
            None => Some(event),
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Fixtures and generators the parsers' tests share.

    use super::WebhookUpdate;
    use proptest::prelude::*;
    use serde_json::Value;
    use std::fmt::Write;

    /// An update as text, every field in it, for tests to compare whole.
    pub fn render(update: &WebhookUpdate) -> String {
        let mut out = format!(
            "{} {} (delivery {})\n",
            update.source, update.external_id, update.delivery_id
        );
        let mut line = |label: &str, value: String| {
            if !value.is_empty() {
                let _ = writeln!(out, "{label}: {value}");
            }
        };
        line("title", update.title.clone().unwrap_or_default());
        line(
            "severity",
            update.severity.map_or("none".to_owned(), |s| s.to_string()),
        );
        line("services", update.services.join(", "));
        line(
            "link",
            update
                .link
                .as_ref()
                .map(|l| l.to_string())
                .unwrap_or_default(),
        );
        let names: Vec<String> = update.participants.iter().map(|p| p.to_string()).collect();
        line("participants", names.join(", "));
        for event in &update.events {
            let _ = write!(
                out,
                "event: {} {}",
                event
                    .at()
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                event.kind()
            );
            if let Some(severity) = event.severity() {
                let _ = write!(out, " {severity}");
            }
            if let Some(author) = event.author() {
                let _ = write!(out, " by {author}");
            }
            let _ = writeln!(out, " ({}): {}", event.source(), event.text());
            for url in event.evidence() {
                let _ = writeln!(out, "  evidence: {url}");
            }
        }
        for warning in &update.warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
        out
    }

    /// The shared fixtures sit beside the repository (`…/main` and `…/shared`), here and in CI.
    pub const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/webhooks/"
    );

    pub fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{FIXTURES}{name}");
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read the fixture {path}: {e}"))
    }

    /// Member names the parsers look for, so generated objects reach past the first check.
    const KEYS: &[&str] = &[
        "event",
        "id",
        "event_type",
        "occurred_at",
        "agent",
        "summary",
        "type",
        "data",
        "incident",
        "html_url",
        "title",
        "service",
        "assignees",
        "priority",
        "content",
        "user",
        "message",
        "version",
        "groupKey",
        "status",
        "alerts",
        "labels",
        "annotations",
        "startsAt",
        "endsAt",
        "fingerprint",
        "generatorURL",
        "externalURL",
        "commonLabels",
        "commonAnnotations",
        "truncatedAlerts",
        "action",
        "alert",
        "alertId",
        "createdAt",
        "updatedAt",
        "owner",
        "responders",
        "note",
        "name",
        "impact",
        "shortlink",
        "incident_updates",
        "created_at",
        "body",
        "components",
        "severity",
        "alertname",
    ];

    /// Any JSON value, with strings and member names close to what the parsers read.
    pub fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            prop::sample::select(vec![
                "incident.triggered",
                "incident.annotated",
                "incident.priority_updated",
                "incident.responder.added",
                "firing",
                "resolved",
                "monitoring",
                "Create",
                "AddNote",
                "P1",
                "critical",
                "2021-06-04T13:55:30.394Z",
                "0001-01-01T00:00:00Z",
                "https://example.com/x",
                "javascript:alert(1)",
                "",
                " ",
            ])
            .prop_map(|s| Value::String(s.to_owned())),
            ".{0,20}".prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 96, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop_oneof![prop::sample::select(KEYS).prop_map(str::to_owned), ".{0,8}"],
                        inner
                    ),
                    0..8
                )
                .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// Where each value in `value` sits, as JSON pointers (`/event/data/id`).
    fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let child_at = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                    out.push(child_at.clone());
                    pointers(child, child_at, out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let child_at = format!("{at}/{i}");
                    out.push(child_at.clone());
                    pointers(child, child_at, out);
                }
            }
            _ => {}
        }
    }

    /// A fixture with one value somewhere in it replaced by any value, or removed: the
    /// deliveries a tool might send, which a parser must read or refuse without panicking.
    pub fn mutated(fixture: &[u8]) -> impl Strategy<Value = Value> + use<> {
        let original: Value = serde_json::from_slice(fixture).unwrap();
        let mut all = Vec::new();
        pointers(&original, String::new(), &mut all);
        (prop::sample::select(all), any_json(), any::<bool>()).prop_map(
            move |(pointer, replacement, remove)| {
                let mut value = original.clone();
                let (parent, last) = pointer.rsplit_once('/').unwrap();
                match value.pointer_mut(parent) {
                    Some(Value::Object(map)) if remove => {
                        map.remove(&last.replace("~1", "/").replace("~0", "~"));
                    }
                    _ => {
                        if let Some(slot) = value.pointer_mut(&pointer) {
                            *slot = replacement;
                        }
                    }
                }
                value
            },
        )
    }
}
