//! PagerDuty V3 webhooks: what one delivery (`{"event": {…}}`) says about one PagerDuty
//! incident, and the check of its `X-PagerDuty-Signature` header.
//!
//! Every delivery gives one [`WebhookUpdate`]: `external_id` is the incident id (`data.id`, or
//! `data.incident.id` where `data` is a note, a responder request or a status update about the
//! incident), `delivery_id` is `event.id`, the title is `data.title` (or the reference's
//! `summary`), the service is `data.service.summary`, the link is the incident's `html_url`,
//! and the participants are the assignees, the acting user (`agent`, when it is a user rather
//! than an integration) and the responder a request names.
//!
//! The event, at `event.occurred_at`, written by `agent.summary`, with the incident's page as
//! evidence:
//!
//! | `event_type` | event |
//! |---|---|
//! | `incident.triggered` | `paged`: PagerDuty pages when it triggers, and a page also counts as detection |
//! | `incident.acknowledged` | `acknowledged` |
//! | `incident.escalated` | `paged`, naming whom it escalated to |
//! | `incident.responder.added` | `paged`: a responder request pages the responder |
//! | `incident.annotated` | `note` with the note's text |
//! | `incident.priority_updated` | `severity_changed` when the priority is P1 … P5 (SEV-1 … SEV-5), else a `note` |
//! | `incident.status_update_published` | `communication` with the update's text |
//! | `incident.resolved` | `resolved` |
//! | `incident.reassigned`, `delegated`, `unacknowledged`, `reopened`, `responder.replied`, `conference_bridge.updated` | `note` |
//! | anything else | no event, and a warning |
//!
//! The update's severity is the incident's priority mapped the same way; urgency (high, low) says
//! how to notify, not how bad it is, so it maps to nothing.

use crate::webhook::{
    Draft, Node, WebhookError, WebhookSource, WebhookUpdate, add_name, add_person, read_json,
    severity_of_priority, web_link,
};
use hindsight_core::{EventKind, EventSource, Severity};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Reads one PagerDuty V3 webhook body.
pub fn parse(body: &[u8]) -> Result<WebhookUpdate, WebhookError> {
    let json = read_json(body)?;
    let event = Node::root(&json).object()?.get("event").object()?;
    let delivery_id = event.get("id").text()?.to_owned();
    let event_type = event.get("event_type").text()?;
    let at = event.get("occurred_at").instant()?;
    let data = event.get("data").object()?;
    // Incident events carry the incident itself; notes, responder requests and status updates
    // carry a reference to it under `incident`.
    let incident = match data.get("incident").present() {
        Some(reference) => reference.object()?,
        None => data.clone(),
    };
    let external_id = incident.get("id").text()?.to_owned();

    let mut warnings = Vec::new();
    let title = incident
        .get("title")
        .optional_text(&mut warnings)
        .or_else(|| incident.get("summary").optional_text(&mut warnings))
        .map(str::to_owned);
    let link = web_link(&incident.get("html_url"), &mut warnings);
    let mut services = Vec::new();
    if let Some(service) = data
        .get("service")
        .get("summary")
        .optional_text(&mut warnings)
    {
        add_name(&mut services, service);
    }
    let priority = data
        .get("priority")
        .get("summary")
        .optional_text(&mut warnings);
    let severity = priority.and_then(severity_of_priority);

    let mut participants = Vec::new();
    let mut assignees = Vec::new();
    for assignee in data.get("assignees").optional_items(&mut warnings) {
        if let Some(name) = assignee.get("summary").optional_text(&mut warnings) {
            add_name(&mut assignees, name);
            add_person(&mut participants, name, &mut warnings);
        }
    }
    let agent = event.get("agent");
    let author = agent.get("summary").optional_text(&mut warnings);
    // An agent may be an integration or a service (an auto-resolve): it writes the event but
    // is not a person who took part.
    if let Some(name) = author
        && agent.get("type").value().and_then(|t| t.as_str()) == Some("user_reference")
    {
        add_person(&mut participants, name, &mut warnings);
    }
    let responder = data
        .get("user")
        .get("summary")
        .optional_text(&mut warnings)
        .or_else(|| {
            data.get("escalation_policy")
                .get("summary")
                .optional_text(&mut warnings)
        });
    if let Some(name) = data.get("user").get("summary").optional_text(&mut warnings) {
        add_person(&mut participants, name, &mut warnings);
    }

    let assigned = |prefix: &str| {
        if assignees.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix} to {}", assignees.join(", "))
        }
    };
    let message = |warnings: &mut Vec<String>, key: &str| -> Option<String> {
        let text = data.get(key).optional_text(warnings)?;
        // PagerDuty cuts long notes and status updates in webhooks and says so.
        if data.get("trimmed").value().and_then(|t| t.as_bool()) == Some(true) {
            warnings.push(format!(
                "`{}`: PagerDuty shortened this text; the whole of it is on the incident's page",
                data.get(key).path
            ));
        }
        Some(text.to_owned())
    };

    let mapped: Option<(EventKind, String, Option<Severity>)> = match event_type {
        "incident.triggered" => Some((
            EventKind::Paged,
            match &title {
                Some(title) => format!("Triggered in PagerDuty: {title}"),
                None => "Triggered in PagerDuty".to_owned(),
            },
            None,
        )),
        "incident.acknowledged" => Some((
            EventKind::Acknowledged,
            "Acknowledged in PagerDuty".to_owned(),
            None,
        )),
        "incident.unacknowledged" => Some((
            EventKind::Note,
            "Unacknowledged in PagerDuty: the incident waits for a responder again".to_owned(),
            None,
        )),
        "incident.escalated" => Some((EventKind::Paged, assigned("Escalated in PagerDuty"), None)),
        "incident.reassigned" => Some((EventKind::Note, assigned("Reassigned in PagerDuty"), None)),
        "incident.delegated" => {
            let policy = data
                .get("escalation_policy")
                .get("summary")
                .optional_text(&mut warnings);
            let text = match policy {
                Some(policy) => format!("Delegated in PagerDuty to the escalation policy {policy}"),
                None => "Delegated in PagerDuty to another escalation policy".to_owned(),
            };
            Some((EventKind::Note, text, None))
        }
        "incident.reopened" => Some((EventKind::Note, "Reopened in PagerDuty".to_owned(), None)),
        "incident.resolved" => Some((
            EventKind::Resolved,
            "Resolved in PagerDuty".to_owned(),
            None,
        )),
        "incident.annotated" => match message(&mut warnings, "content") {
            Some(note) => Some((EventKind::Note, note, None)),
            None => {
                warnings.push(format!(
                    "{event_type} without a note in `{}`: no event",
                    data.get("content").path
                ));
                None
            }
        },
        "incident.status_update_published" => match message(&mut warnings, "message") {
            Some(update) => Some((
                EventKind::Communication,
                format!("Status update published in PagerDuty: {update}"),
                None,
            )),
            None => Some((
                EventKind::Communication,
                "Status update published in PagerDuty".to_owned(),
                None,
            )),
        },
        "incident.priority_updated" => Some(match (priority, severity) {
            (Some(priority), Some(severity)) => (
                EventKind::SeverityChanged,
                format!("Priority changed to {priority} in PagerDuty"),
                Some(severity),
            ),
            (Some(priority), None) => {
                warnings.push(format!(
                    "priority `{priority}` maps to no severity (P1 … P5 map to SEV-1 … SEV-5): recorded as a note"
                ));
                (
                    EventKind::Note,
                    format!("Priority changed to {priority} in PagerDuty"),
                    None,
                )
            }
            (None, _) => (
                EventKind::Note,
                "Priority removed in PagerDuty".to_owned(),
                None,
            ),
        }),
        "incident.responder.added" => {
            let mut text = match responder {
                Some(who) => format!("Responder request sent in PagerDuty to {who}"),
                None => "Responder request sent in PagerDuty".to_owned(),
            };
            if let Some(request) = message(&mut warnings, "message") {
                text = format!("{text}: {request}");
            }
            Some((EventKind::Paged, text, None))
        }
        "incident.responder.replied" => {
            let state = data.get("state").optional_text(&mut warnings);
            let mut text = match (responder, state) {
                (Some(who), Some(state)) => {
                    format!("{who} {state} the responder request in PagerDuty")
                }
                (Some(who), None) => format!("{who} replied to the responder request in PagerDuty"),
                (None, _) => "Responder request answered in PagerDuty".to_owned(),
            };
            if let Some(reply) = message(&mut warnings, "message") {
                text = format!("{text}: {reply}");
            }
            Some((EventKind::Note, text, None))
        }
        "incident.conference_bridge.updated" => {
            let url = data.get("conference_url").optional_text(&mut warnings);
            let text = match url {
                Some(url) => format!("Conference bridge set in PagerDuty: {url}"),
                None => "Conference bridge changed in PagerDuty".to_owned(),
            };
            Some((EventKind::Note, text, None))
        }
        other => {
            warnings.push(format!(
                "event type `{other}` is not one hindsight records: no event"
            ));
            None
        }
    };

    let events = mapped
        .and_then(|(kind, text, severity)| {
            Draft {
                at,
                kind,
                text,
                source: EventSource::PagerWebhook,
                severity,
                author,
                evidence: link.as_ref(),
            }
            .build(&mut warnings)
        })
        .into_iter()
        .collect();

    Ok(WebhookUpdate {
        source: WebhookSource::PagerDuty,
        external_id,
        delivery_id,
        title,
        severity,
        services,
        link,
        events,
        participants,
        warnings,
    })
}

/// Why a delivery's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signing secret is empty: set the secret PagerDuty shows for the webhook")]
    EmptySecret,
    #[error(
        "the signature header is malformed: expected `v1=` and 64 hex digits, several separated by commas, found `{0}`"
    )]
    Malformed(String),
    #[error("the signature header has no v1 signature, only {0}")]
    NoV1(String),
    #[error("no v1 signature in the header matches the body")]
    Mismatch,
}

type HmacSha256 = Hmac<Sha256>;

/// Checks an `X-PagerDuty-Signature` header (`v1=<hex HMAC-SHA256(secret, body)>`) against the
/// raw body. While a secret is being rotated PagerDuty sends one signature per secret,
/// separated by commas: any `v1` signature that matches is enough, and other schemes are
/// skipped. Signatures are compared in constant time.
pub fn verify_signature(secret: &[u8], body: &[u8], header: &str) -> Result<(), SignatureError> {
    // HMAC accepts an empty key, and anyone can sign with it: refuse rather than accept them.
    if secret.is_empty() {
        return Err(SignatureError::EmptySecret);
    }
    let mac = HmacSha256::new_from_slice(secret)
        .map_err(|_| SignatureError::EmptySecret)?
        .chain_update(body);
    let mut checked = 0;
    let mut malformed = None;
    let mut other_schemes = Vec::new();
    for entry in header.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((scheme, signature)) = entry.split_once('=') else {
            malformed.get_or_insert(entry);
            continue;
        };
        if scheme.trim() != "v1" {
            other_schemes.push(format!("`{}`", scheme.trim()));
            continue;
        }
        match hex::decode(signature.trim()) {
            Ok(bytes) if bytes.len() == 32 => {
                checked += 1;
                if mac.clone().verify_slice(&bytes).is_ok() {
                    return Ok(());
                }
            }
            _ => {
                malformed.get_or_insert(entry);
            }
        }
    }
    if checked > 0 {
        Err(SignatureError::Mismatch)
    } else if let Some(entry) = malformed {
        Err(SignatureError::Malformed(entry.chars().take(80).collect()))
    } else if !other_schemes.is_empty() {
        Err(SignatureError::NoV1(other_schemes.join(", ")))
    } else {
        Err(SignatureError::Malformed(header.chars().take(80).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::test_support::{any_json, fixture, mutated, render};
    use proptest::prelude::*;

    fn check(name: &str, expected: &str) {
        let update = parse(&fixture(&format!("pagerduty-v3/{name}"))).unwrap();
        assert_eq!(render(&update), expected, "{name}");
    }

    #[test]
    fn a_triggered_incident_pages_and_names_its_assignee() {
        check(
            "triggered_v3.json",
            "pagerduty PFQZPSY (delivery 01BZYIL05THJDFF2Y08X9SVMTU)
title: Test Incident 3
severity: none
services: pig208
link: https://pig208.pagerduty.com/incidents/PFQZPSY
participants: PIG 208
event: 2021-06-04T13:35:29.781Z paged by PIG 208 (pager_webhook): Triggered in PagerDuty: Test Incident 3
  evidence: https://pig208.pagerduty.com/incidents/PFQZPSY
",
        );
    }

    #[test]
    fn an_acknowledgement_is_one_acknowledged_event_by_the_agent() {
        check(
            "acknowledged_v3.json",
            "pagerduty PQ1K5C8 (delivery 01BZYK8N47N5JG55J1EEEHPEJI)
title: Test Incident
severity: none
services: pig208
link: https://pig208.pagerduty.com/incidents/PQ1K5C8
participants: PIG 208
event: 2021-06-04T13:55:30.394Z acknowledged by PIG 208 (pager_webhook): Acknowledged in PagerDuty
  evidence: https://pig208.pagerduty.com/incidents/PQ1K5C8
",
        );
    }

    #[test]
    fn an_escalation_pages_the_new_assignees_and_the_priority_gives_the_severity() {
        check(
            "escalate_v3.json",
            "pagerduty Q3B15VLMF3ASBD (delivery 01GI0JWUU28G8XE5M6IIT4BZ39)
title: Critical: Checkout API High Latency
severity: SEV-1
services: Default Service
link: https://harsh0303.pagerduty.com/incidents/Q3B15VLMF3ASBD
participants: Harsh Santwani
event: 2026-04-01T02:08:04.642Z paged by Harsh Santwani (pager_webhook): Escalated in PagerDuty to Harsh Santwani
  evidence: https://harsh0303.pagerduty.com/incidents/Q3B15VLMF3ASBD
",
        );
    }

    #[test]
    fn a_note_is_a_note_on_the_referenced_incident() {
        check(
            "annotated_v3.json",
            "pagerduty Q3B15VLMF3ASBD (delivery 01GI0KTE33V5QXBVIJDEVJFUNE)
title: Critical: Checkout API High Latency
severity: none
link: https://harsh0303.pagerduty.com/incidents/Q3B15VLMF3ASBD
participants: Harsh Santwani
event: 2026-04-01T02:18:59.674Z note by Harsh Santwani (pager_webhook): Running KILL on long-running queries from the reporting-service.
  evidence: https://harsh0303.pagerduty.com/incidents/Q3B15VLMF3ASBD
",
        );
    }

    #[test]
    fn a_priority_of_p2_changes_the_severity_to_sev_2() {
        check(
            "priority_updated_v3.json",
            "pagerduty Q3B15VLMF3ASBD (delivery 01GI0KJAEAC3CFEOFSC8BIJF3O)
title: Critical: Checkout API High Latency
severity: SEV-2
services: Default Service
link: https://harsh0303.pagerduty.com/incidents/Q3B15VLMF3ASBD
participants: Harsh Santwani
event: 2026-04-01T02:15:36.315Z severity_changed SEV-2 by Harsh Santwani (pager_webhook): Priority changed to P2 in PagerDuty
  evidence: https://harsh0303.pagerduty.com/incidents/Q3B15VLMF3ASBD
",
        );
    }

    #[test]
    fn a_responder_request_pages_the_responder_with_its_message() {
        check(
            "responder_added.json",
            "pagerduty Q3B15VLMF3ASBD (delivery 01GI0KX4BFZXPEDNCS4USCAH22)
title: Critical: Checkout API High Latency
severity: none
link: https://harsh0303.pagerduty.com/incidents/Q3B15VLMF3ASBD
participants: Harsh Santwani
event: 2026-04-01T02:20:14.737Z paged by Harsh Santwani (pager_webhook): Responder request sent in PagerDuty to Harsh Santwani: Please help with \"Critical: Checkout API High Latency\"
  evidence: https://harsh0303.pagerduty.com/incidents/Q3B15VLMF3ASBD
",
        );
    }

    #[test]
    fn a_resolution_without_assignees_names_only_the_agent() {
        check(
            "resolved_v3.json",
            "pagerduty PCPZE64 (delivery 01BZYH1JJY09P9LEIST8HG2PMN)
title: Test Incident
severity: none
services: pig208
link: https://pig208.pagerduty.com/incidents/PCPZE64
participants: PIG 208
event: 2021-06-04T13:16:53.816Z resolved by PIG 208 (pager_webhook): Resolved in PagerDuty
  evidence: https://pig208.pagerduty.com/incidents/PCPZE64
",
        );
    }

    #[test]
    fn the_signature_test_vector_body_reads_despite_its_numeric_conference_number() {
        let update = parse(&fixture("pagerduty-signature-test-vector/body.json")).unwrap();
        assert_eq!(
            render(&update),
            "pagerduty PGR0VU2 (delivery 01BWDWL3NYY7LUFPZCC28QUCMK)
title: A little bump in the road
severity: SEV-1
services: API Service
link: https://acme.pagerduty.com/incidents/PGR0VU2
participants: User 123, Tenex Engineer
event: 2021-04-26T17:36:27.458Z severity_changed SEV-1 by Tenex Engineer (pager_webhook): Priority changed to P1 in PagerDuty
  evidence: https://acme.pagerduty.com/incidents/PGR0VU2
"
        );
    }

    /// The reassigned, unacknowledged and status-update shapes, as PagerDuty documents them.
    fn delivery(event_type: &str, data: serde_json::Value) -> Vec<u8> {
        serde_json::json!({
            "event": {
                "id": "01DELIVERY",
                "event_type": event_type,
                "resource_type": "incident",
                "occurred_at": "2026-04-01T02:10:00.123Z",
                "agent": {"type": "service_reference", "summary": "Datadog"},
                "client": null,
                "data": data
            }
        })
        .to_string()
        .into_bytes()
    }

    fn incident() -> serde_json::Value {
        serde_json::json!({
            "id": "PIQUG8X",
            "type": "incident",
            "html_url": "https://acme.pagerduty.com/incidents/PIQUG8X",
            "title": "Checkout latency",
            "service": {"summary": "checkout"},
            "assignees": [{"summary": "Test User", "type": "user_reference"}],
            "priority": null
        })
    }

    fn one_event(event_type: &str, data: serde_json::Value) -> (String, WebhookUpdate) {
        let update = parse(&delivery(event_type, data)).unwrap();
        assert_eq!(update.events.len(), 1, "{event_type}: {update:?}");
        let event = &update.events[0];
        (format!("{} {}", event.kind(), event.text()), update)
    }

    #[test]
    fn other_incident_events_are_notes_and_an_integration_is_an_author_but_no_participant() {
        for (event_type, expected) in [
            (
                "incident.reassigned",
                "note Reassigned in PagerDuty to Test User",
            ),
            (
                "incident.unacknowledged",
                "note Unacknowledged in PagerDuty: the incident waits for a responder again",
            ),
            ("incident.reopened", "note Reopened in PagerDuty"),
        ] {
            let (event, update) = one_event(event_type, incident());
            assert_eq!(event, expected);
            assert_eq!(update.events[0].author(), Some("Datadog"));
            let names: Vec<_> = update.participants.iter().map(|p| p.to_string()).collect();
            assert_eq!(names, ["Test User"]);
        }
    }

    #[test]
    fn a_published_status_update_is_a_communication_and_a_shortened_one_warns() {
        let data = serde_json::json!({
            "incident": {"id": "Q3B", "html_url": "https://acme.pagerduty.com/incidents/Q3B", "summary": "Checkout"},
            "id": "PE8VDWS",
            "message": "Investigating a P1 incident with the Checkout API.",
            "trimmed": true,
            "type": "incident_status_update"
        });
        let (event, update) = one_event("incident.status_update_published", data);
        assert_eq!(
            event,
            "communication Status update published in PagerDuty: Investigating a P1 incident with the Checkout API."
        );
        assert_eq!(update.external_id, "Q3B");
        assert_eq!(update.title.as_deref(), Some("Checkout"));
        assert_eq!(update.warnings.len(), 1, "{:?}", update.warnings);
        assert!(update.warnings[0].contains("shortened"));
    }

    #[test]
    fn a_priority_that_maps_to_no_severity_or_none_at_all_is_a_note() {
        let mut data = incident();
        data["priority"] = serde_json::json!({"summary": "Urgent"});
        let (event, update) = one_event("incident.priority_updated", data);
        assert_eq!(event, "note Priority changed to Urgent in PagerDuty");
        assert_eq!(update.severity, None);
        assert!(update.warnings[0].contains("maps to no severity"));
        let (event, _) = one_event("incident.priority_updated", incident());
        assert_eq!(event, "note Priority removed in PagerDuty");
    }

    #[test]
    fn an_unknown_event_type_gives_an_update_with_a_warning_and_no_event() {
        let update = parse(&delivery("incident.workflow.started", incident())).unwrap();
        assert!(update.events.is_empty());
        assert_eq!(update.external_id, "PIQUG8X");
        assert_eq!(
            update.warnings,
            ["event type `incident.workflow.started` is not one hindsight records: no event"]
        );
    }

    #[test]
    fn a_non_web_link_is_dropped_with_a_warning_and_the_event_kept() {
        let mut data = incident();
        data["html_url"] = serde_json::json!("javascript:alert(1)");
        let (_, update) = one_event("incident.resolved", data);
        assert_eq!(update.link, None);
        assert!(update.events[0].evidence().is_empty());
        assert!(
            update.warnings[0]
                .starts_with("`event.data.html_url`: `javascript:alert(1)` is not a web link"),
            "{:?}",
            update.warnings
        );
    }

    #[test]
    fn a_body_that_is_not_json_says_where() {
        assert_eq!(
            parse(b"{\"event\": {\"id\": 1,}}"),
            Err(WebhookError::Json {
                line: 1,
                column: 20,
                message: "trailing comma".to_owned()
            })
        );
        assert!(matches!(
            parse(b""),
            Err(WebhookError::Json {
                line: 1,
                column: 0,
                ..
            })
        ));
    }

    #[test]
    fn missing_or_wrongly_typed_required_fields_name_their_path() {
        let body = String::from_utf8(fixture("pagerduty-v3/acknowledged_v3.json")).unwrap();
        let mut value: serde_json::Value = serde_json::from_str(&body).unwrap();
        value["event"]
            .as_object_mut()
            .unwrap()
            .remove("occurred_at");
        assert_eq!(
            parse(value.to_string().as_bytes()).unwrap_err().to_string(),
            "`event.occurred_at`: expected an RFC 3339 time between the years 1900 and 9999, found nothing"
        );
        value["event"]["occurred_at"] = serde_json::json!(1622814930);
        assert_eq!(
            parse(value.to_string().as_bytes()).unwrap_err().to_string(),
            "`event.occurred_at`: expected an RFC 3339 time between the years 1900 and 9999, found the number 1622814930"
        );
        value["event"]["occurred_at"] = serde_json::json!("2021-06-04T13:55:30.394Z");
        value["event"]["data"]["id"] = serde_json::json!(10);
        assert_eq!(
            parse(value.to_string().as_bytes()).unwrap_err().to_string(),
            "`event.data.id`: expected a non-empty string, found the number 10"
        );
        assert_eq!(
            parse(b"[]").unwrap_err().to_string(),
            "`$`: expected an object, found a list"
        );
        assert_eq!(
            parse(b"{\"event\": \"x\"}").unwrap_err().to_string(),
            "`event`: expected an object, found the string \"x\""
        );
    }

    fn vector(label: &str) -> String {
        let vectors =
            String::from_utf8(fixture("pagerduty-signature-test-vector/vectors.txt")).unwrap();
        vectors
            .lines()
            .find_map(|line| line.strip_prefix(label))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no `{label}` in vectors.txt"))
            .to_owned()
    }

    fn secret_and_body() -> (Vec<u8>, Vec<u8>) {
        (
            fixture("pagerduty-signature-test-vector/secret.txt"),
            fixture("pagerduty-signature-test-vector/body.json"),
        )
    }

    #[test]
    fn the_test_vector_signature_is_accepted_and_the_wrong_one_refused() {
        let (secret, body) = secret_and_body();
        let valid = vector("valid header:");
        let wrong = vector("mismatch header:");
        assert_eq!(verify_signature(&secret, &body, &valid), Ok(()));
        assert_eq!(
            verify_signature(&secret, &body, &wrong),
            Err(SignatureError::Mismatch)
        );
        // One byte more in the body, or another secret, and the valid signature fails.
        let mut changed = body.clone();
        changed.push(b' ');
        assert_eq!(
            verify_signature(&secret, &changed, &valid),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(b"another secret", &body, &valid),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn during_rotation_any_matching_v1_signature_is_enough() {
        let (secret, body) = secret_and_body();
        let valid = vector("valid header:");
        let wrong = vector("mismatch header:");
        assert_eq!(
            verify_signature(&secret, &body, &format!("{wrong},{valid}")),
            Ok(())
        );
        assert_eq!(
            verify_signature(&secret, &body, &format!("v0=abc, {valid} ,v2=def")),
            Ok(())
        );
        assert_eq!(
            verify_signature(&secret, &body, &format!("v1=zz,{valid}")),
            Ok(())
        );
        assert_eq!(
            verify_signature(&secret, &body, &format!("{wrong},v1=zz")),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(&secret, &body, &valid.to_uppercase().replace("V1=", "v1=")),
            Ok(())
        );
    }

    #[test]
    fn malformed_headers_and_other_schemes_alone_are_refused_with_the_reason() {
        let (secret, body) = secret_and_body();
        for header in ["", " , ", "garbage", "v1=", "v1=0c0b", "v1=not-hex-at-all"] {
            assert!(
                matches!(
                    verify_signature(&secret, &body, header),
                    Err(SignatureError::Malformed(_))
                ),
                "{header:?}"
            );
        }
        let valid_hex = vector("valid header:").replace("v1=", "");
        assert_eq!(
            verify_signature(&secret, &body, &format!("v2={valid_hex},v0=x")),
            Err(SignatureError::NoV1("`v2`, `v0`".to_owned()))
        );
        assert_eq!(
            verify_signature(b"", &body, &vector("valid header:")),
            Err(SignatureError::EmptySecret)
        );
        assert_eq!(
            SignatureError::Malformed("x".into()).to_string(),
            "the signature header is malformed: expected `v1=` and 64 hex digits, several separated by commas, found `x`"
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse(&body);
        }

        #[test]
        fn arbitrary_json_never_panics(value in any_json()) {
            let _ = parse(value.to_string().as_bytes());
        }

        #[test]
        fn fixtures_with_one_value_changed_are_read_or_refused_by_field(
            value in prop_oneof![
                mutated(&fixture("pagerduty-v3/triggered_v3.json")),
                mutated(&fixture("pagerduty-v3/acknowledged_v3.json")),
                mutated(&fixture("pagerduty-v3/escalate_v3.json")),
                mutated(&fixture("pagerduty-v3/annotated_v3.json")),
                mutated(&fixture("pagerduty-v3/priority_updated_v3.json")),
                mutated(&fixture("pagerduty-v3/responder_added.json")),
                mutated(&fixture("pagerduty-v3/resolved_v3.json")),
                mutated(&fixture("pagerduty-signature-test-vector/body.json")),
            ]
        ) {
            let result = parse(value.to_string().as_bytes());
            prop_assert!(!matches!(result, Err(WebhookError::Json { .. })), "{result:?}");
        }

        #[test]
        fn arbitrary_headers_never_panic(header in ".{0,200}", body in prop::collection::vec(any::<u8>(), 0..64)) {
            let _ = verify_signature(b"secret", &body, &header);
        }
    }
}
