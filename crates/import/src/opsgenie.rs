//! Opsgenie outgoing webhooks: what one alert action (`{"action": …, "alert": {…}}`) says about
//! one Opsgenie alert.
//!
//! One delivery gives one [`WebhookUpdate`]: `external_id` is `alert.alertId`, the title is
//! `alert.message`, the service is `alert.entity` (Opsgenie's "domain the alert is related
//! to"), the severity is `alert.priority` (`P1` … `P5`, or the bare number 1 … 5 some payloads
//! carry) as SEV-1 … SEV-5. The participants are the owner, the users among the responders, and
//! the user who acted (`alert.username`) unless that is Opsgenie itself (`System`). Opsgenie
//! sends no link to the alert, so there is none.
//!
//! The event, written by `alert.username`:
//!
//! | `action` | event |
//! |---|---|
//! | `Create` | `detected` |
//! | `Acknowledge` | `acknowledged` |
//! | `Close` | `resolved` |
//! | `AddNote` | `note` with `alert.note` |
//! | `UpdatePriority` | `severity_changed` when the new priority maps, else a `note` |
//! | anything else | a `note` naming the action, and a warning |
//!
//! **Times.** Opsgenie writes `createdAt` in epoch milliseconds and `updatedAt` and
//! `insertedAt` in epoch nanoseconds, side by side. Nanoseconds since 1970 overflow the 53 bits
//! a float holds exactly, so the numbers are read as integers, never through `f64`, and the unit
//! is told by size: a value of 10^15 or more is nanoseconds (as milliseconds it would be past
//! the year 33 000), anything less is milliseconds (as nanoseconds it would be within twelve
//! days of 1970). A creation happened at `createdAt`; any other action happened at `updatedAt`,
//! the alert's last change. Each falls back on the other when missing.
//!
//! `delivery_id` is the alert id, the action and the raw integer time it happened at: Opsgenie
//! sends no delivery id, and a retry of the same action carries the same three.

use crate::webhook::{
    Draft, Node, WebhookError, WebhookSource, WebhookUpdate, add_name, add_person, read_json,
    severity_of_priority,
};
use chrono::{DateTime, Utc};
use hindsight_core::{EventKind, EventSource, Severity};
use serde_json::Value;

/// Reads one Opsgenie webhook body.
pub fn parse(body: &[u8]) -> Result<WebhookUpdate, WebhookError> {
    let json = read_json(body)?;
    let root = Node::root(&json).object()?;
    let action = root.get("action").text()?;
    let alert = root.get("alert").object()?;
    let alert_id = alert.get("alertId").text()?;
    let (first, second) = if action == "Create" {
        ("createdAt", "updatedAt")
    } else {
        ("updatedAt", "createdAt")
    };
    let time = match (alert.get(first).present(), alert.get(second).present()) {
        (Some(node), _) | (None, Some(node)) => node,
        (None, None) => alert.get(first),
    };
    let (at, raw_at) = epoch_time(&time)?;

    let mut warnings = Vec::new();
    let title = alert
        .get("message")
        .optional_text(&mut warnings)
        .map(str::to_owned);
    let mut services = Vec::new();
    if let Some(entity) = alert.get("entity").optional_text(&mut warnings) {
        add_name(&mut services, entity);
    }
    let severity = priority(&alert.get("priority"), &mut warnings);

    let mut participants = Vec::new();
    if let Some(owner) = alert.get("owner").optional_text(&mut warnings) {
        add_person(&mut participants, owner, &mut warnings);
    }
    for responder in alert.get("responders").optional_items(&mut warnings) {
        // Responders are written as names, or as objects for users, teams, schedules and
        // escalations: only users are people.
        let name = match responder.value() {
            Some(Value::String(name)) => Some(name.as_str()),
            Some(Value::Object(_)) => {
                let kind = responder.get("type").optional_text(&mut warnings);
                match kind {
                    None | Some("user") => responder
                        .get("username")
                        .optional_text(&mut warnings)
                        .or_else(|| responder.get("name").optional_text(&mut warnings)),
                    Some(_) => None,
                }
            }
            _ => None,
        };
        if let Some(name) = name {
            add_person(&mut participants, name, &mut warnings);
        }
    }
    let author = alert.get("username").optional_text(&mut warnings);
    if let Some(name) = author.filter(|name| !name.eq_ignore_ascii_case("system")) {
        add_person(&mut participants, name, &mut warnings);
    }

    let mapped: Option<(EventKind, String, Option<Severity>)> = match action {
        "Create" => Some((
            EventKind::Detected,
            match &title {
                Some(title) => format!("Alert created in Opsgenie: {title}"),
                None => "Alert created in Opsgenie".to_owned(),
            },
            None,
        )),
        "Acknowledge" => Some((
            EventKind::Acknowledged,
            "Acknowledged in Opsgenie".to_owned(),
            None,
        )),
        "Close" => Some((EventKind::Resolved, "Closed in Opsgenie".to_owned(), None)),
        "AddNote" => match alert.get("note").optional_text(&mut warnings) {
            Some(note) => Some((EventKind::Note, note.to_owned(), None)),
            None => {
                warnings.push(format!(
                    "AddNote without a note in `{}`: no event",
                    alert.get("note").path
                ));
                None
            }
        },
        "UpdatePriority" => {
            let text = |level: &str| format!("Priority changed to {level} in Opsgenie");
            match severity {
                Some(severity) => Some((
                    EventKind::SeverityChanged,
                    text(&format!("P{}", severity.level())),
                    Some(severity),
                )),
                None => {
                    warnings.push(
                        "UpdatePriority without a priority that maps to a severity: recorded as a note"
                            .to_owned(),
                    );
                    Some((EventKind::Note, text("an unknown priority"), None))
                }
            }
        }
        other => {
            warnings.push(format!(
                "action `{other}` has no timeline meaning in hindsight: recorded as a note"
            ));
            Some((EventKind::Note, format!("{other} in Opsgenie"), None))
        }
    };
    let events = mapped
        .and_then(|(kind, text, event_severity)| {
            Draft {
                at,
                kind,
                text,
                source: EventSource::PagerWebhook,
                severity: event_severity,
                author,
                evidence: None,
            }
            .build(&mut warnings)
        })
        .into_iter()
        .collect();

    Ok(WebhookUpdate {
        source: WebhookSource::Opsgenie,
        external_id: alert_id.to_owned(),
        delivery_id: format!("{alert_id}:{action}:{raw_at}"),
        title,
        severity,
        services,
        link: None,
        events,
        participants,
        warnings,
    })
}

/// Nanosecond values are at least this; millisecond values of the years hindsight accepts are
/// all below it (see the module docs).
const NANOSECONDS_FROM: i64 = 1_000_000_000_000_000;

/// An epoch time in milliseconds or nanoseconds, written as a JSON integer (or a string of
/// digits), and the integer as written.
fn epoch_time(node: &Node<'_>) -> Result<(DateTime<Utc>, i64), WebhookError> {
    const EXPECTED: &str = "expected an integer epoch time in milliseconds or nanoseconds between the years 1900 and 9999";
    // serde_json keeps every integer that fits 64 bits as an integer: only larger ones, and
    // numbers with a fraction or exponent, become floats, and those are refused here.
    let value = match node.value() {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
    .ok_or_else(|| node.error(EXPECTED))?;
    let at = if value.unsigned_abs() >= NANOSECONDS_FROM.unsigned_abs() {
        Some(DateTime::from_timestamp_nanos(value))
    } else {
        DateTime::from_timestamp_millis(value)
    };
    at.and_then(|at| hindsight_core::timeline::check_instant(at).ok())
        .map(|at| (at, value))
        .ok_or_else(|| node.error(EXPECTED))
}

/// `P1` … `P5`, or the bare number 1 … 5; anything else is ignored with a warning.
fn priority(node: &Node<'_>, warnings: &mut Vec<String>) -> Option<Severity> {
    let written = match node.value()? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let severity = severity_of_priority(&written);
    if severity.is_none() {
        warnings.push(format!(
            "{} (ignored)",
            node.error("expected a priority P1 to P5")
        ));
    }
    severity
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::test_support::{any_json, fixture, mutated, render};
    use proptest::prelude::*;
    use serde_json::json;

    fn create() -> Value {
        serde_json::from_slice(&fixture("opsgenie/create.json")).unwrap()
    }

    fn parse_value(value: &Value) -> Result<WebhookUpdate, WebhookError> {
        parse(value.to_string().as_bytes())
    }

    #[test]
    fn a_created_alert_is_detected_at_its_millisecond_creation_time() {
        let update = parse(&fixture("opsgenie/create.json")).unwrap();
        assert_eq!(
            render(&update),
            "opsgenie ec03dad6-62c8-4c94-b38b-d88f398e900f (delivery ec03dad6-62c8-4c94-b38b-d88f398e900f:Create:1502709956288)
title: another alert
severity: SEV-3
services: Server
participants: test@example.com
event: 2017-08-14T11:25:56.288Z detected by test@example.com (pager_webhook): Alert created in Opsgenie: another alert
"
        );
    }

    #[test]
    fn nanosecond_times_past_two_to_the_53_read_exactly_as_integers() {
        let body = String::from_utf8(fixture("opsgenie/create.json")).unwrap();
        // The fixture's raw text holds a nanosecond time no float can hold.
        assert!(body.contains("\"updatedAt\":1502709956288000110"));
        let exact: i64 = 1502709956288000110;
        assert_ne!(exact as f64 as i64, exact);
        let value = create();
        let alert = Node::root(&value).get("alert");
        let (updated, raw) = epoch_time(&alert.get("updatedAt")).unwrap();
        assert_eq!(raw, 1502709956288000110);
        assert_eq!(updated.timestamp_subsec_nanos(), 288000110);
        let (created, _) = epoch_time(&alert.get("createdAt")).unwrap();
        assert_eq!(created.timestamp_millis(), updated.timestamp_millis());
        // Any other action happens at updatedAt: the microseconds of the nanosecond time.
        let mut acknowledged = value.clone();
        acknowledged["action"] = json!("Acknowledge");
        let update = parse_value(&acknowledged).unwrap();
        assert_eq!(
            update.delivery_id,
            "ec03dad6-62c8-4c94-b38b-d88f398e900f:Acknowledge:1502709956288000110"
        );
        assert_eq!(
            update.events[0].at().to_rfc3339(),
            "2017-08-14T11:25:56.288+00:00"
        );
    }

    #[test]
    fn each_action_maps_to_its_event() {
        for (action, extra, expected) in [
            (
                "Acknowledge",
                json!({}),
                "acknowledged Acknowledged in Opsgenie",
            ),
            ("Close", json!({}), "resolved Closed in Opsgenie"),
            (
                "AddNote",
                json!({"note": "note to test alert"}),
                "note note to test alert",
            ),
            (
                "UpdatePriority",
                json!({"priority": "P1"}),
                "severity_changed Priority changed to P1 in Opsgenie",
            ),
        ] {
            let mut value = create();
            value["action"] = json!(action);
            for (key, v) in extra.as_object().unwrap() {
                value["alert"][key] = v.clone();
            }
            let update = parse_value(&value).unwrap();
            let events: Vec<_> = update
                .events
                .iter()
                .map(|e| format!("{} {}", e.kind(), e.text()))
                .collect();
            assert_eq!(events, [expected], "{action}");
            assert!(
                update.warnings.is_empty(),
                "{action}: {:?}",
                update.warnings
            );
        }
    }

    #[test]
    fn other_actions_are_notes_with_a_warning_and_a_note_without_text_is_skipped() {
        let mut value = create();
        value["action"] = json!("AddTags");
        let update = parse_value(&value).unwrap();
        assert_eq!(update.events[0].kind(), EventKind::Note);
        assert_eq!(update.events[0].text(), "AddTags in Opsgenie");
        assert_eq!(
            update.warnings,
            ["action `AddTags` has no timeline meaning in hindsight: recorded as a note"]
        );
        value["action"] = json!("AddNote");
        let update = parse_value(&value).unwrap();
        assert!(update.events.is_empty());
        assert_eq!(
            update.warnings,
            ["AddNote without a note in `alert.note`: no event"]
        );
    }

    #[test]
    fn owner_and_user_responders_are_participants_but_teams_and_the_system_are_not() {
        let mut value = create();
        value["action"] = json!("AssignOwnership");
        value["alert"]["owner"] = json!("user2@example.com");
        value["alert"]["username"] = json!("System");
        value["alert"]["responders"] = json!([
            {"type": "user", "username": "ana@example.com", "id": "1"},
            {"type": "team", "name": "Platform", "id": "2"},
            "bo@example.com",
        ]);
        value["alert"]["priority"] = json!("P1");
        let update = parse_value(&value).unwrap();
        let names: Vec<_> = update.participants.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            names,
            ["user2@example.com", "ana@example.com", "bo@example.com"]
        );
        assert_eq!(update.events[0].author(), Some("System"));
        assert_eq!(update.severity.map(|s| s.level()), Some(1));
    }

    #[test]
    fn a_priority_outside_p1_to_p5_warns_and_gives_no_severity() {
        let mut value = create();
        value["alert"]["priority"] = json!(9);
        let update = parse_value(&value).unwrap();
        assert_eq!(update.severity, None);
        assert_eq!(
            update.warnings,
            ["`alert.priority`: expected a priority P1 to P5, found the number 9 (ignored)"]
        );
    }

    #[test]
    fn bad_times_and_missing_ids_name_their_path() {
        let mut value = create();
        value["alert"]["createdAt"] = json!(1.502709956288e12);
        assert_eq!(
            parse_value(&value).unwrap_err().to_string(),
            "`alert.createdAt`: expected an integer epoch time in milliseconds or nanoseconds between the years 1900 and 9999, found the number 1502709956288.0"
        );
        // A time past 64 bits becomes a float in serde_json, and is refused rather than rounded.
        let text = create()
            .to_string()
            .replace("1502709956288,", "150270995628800011000000,");
        assert!(
            parse(text.as_bytes())
                .unwrap_err()
                .to_string()
                .starts_with("`alert.createdAt`")
        );
        let mut value = create();
        value["alert"].as_object_mut().unwrap().remove("createdAt");
        assert_eq!(
            parse_value(&value).unwrap().events[0]
                .at()
                .timestamp_millis(),
            1502709956288,
            "falls back on updatedAt"
        );
        value["alert"].as_object_mut().unwrap().remove("updatedAt");
        assert_eq!(
            parse_value(&value).unwrap_err().to_string(),
            "`alert.createdAt`: expected an integer epoch time in milliseconds or nanoseconds between the years 1900 and 9999, found nothing"
        );
        let mut value = create();
        value["alert"]["alertId"] = json!("");
        assert_eq!(
            parse_value(&value).unwrap_err().to_string(),
            "`alert.alertId`: expected a non-empty string, found the string \"\""
        );
        assert!(matches!(
            parse(b"{\"action\": Create}"),
            Err(WebhookError::Json {
                line: 1,
                column: 12,
                ..
            })
        ));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(&body);
        }

        #[test]
        fn arbitrary_json_never_panics(value in any_json()) {
            let _ = parse_value(&value);
        }

        #[test]
        fn the_fixture_with_one_value_changed_is_read_or_refused_by_field(
            value in mutated(&fixture("opsgenie/create.json"))
        ) {
            let result = parse_value(&value);
            prop_assert!(!matches!(result, Err(WebhookError::Json { .. })), "{result:?}");
        }

        #[test]
        fn any_integer_time_is_read_or_refused_without_panicking(n in any::<i64>()) {
            let value = json!(n);
            let _ = epoch_time(&Node::root(&value));
        }
    }
}
