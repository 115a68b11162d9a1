//! Statuspage (Atlassian) incident webhooks: the whole public story of one incident, sent again
//! each time an update is posted.
//!
//! One delivery gives one [`WebhookUpdate`]:
//! - `external_id` is `incident.id`; `delivery_id` is the incident id and the id of its newest
//!   update (`z3lct0r596n4:cdwfdrjlp53y`), so the delivery for one update is read once.
//! - The title is `incident.name`, the link and each event's evidence the `shortlink`, the
//!   services the incident's components (and those its updates affect), by name.
//! - The severity is the impact (`impact_override` when someone overrode it): `critical` →
//!   SEV-1, `major` → SEV-2, `minor` → SEV-3, `none` → SEV-4 (a status page post with no impact
//!   is still an incident, just the mildest one hindsight names above SEV-5's cosmetic issues).
//! - Statuspage writes `incident_updates` newest first; they become events oldest first, each
//!   a `status_page_updated` event at the update's `created_at`, saying its status and text.
//!   A `resolved` update is also a `resolved` event, and a `monitoring` update a `mitigated`
//!   event: Statuspage's "monitoring" means a fix is in place and being watched, which is
//!   hindsight's mitigation. `investigating` and `identified` say nothing a timeline does not
//!   already hold in the update itself.
//! - A backfilled incident was written up after the fact: its updates were posted later than
//!   they happened, so their events are at `display_at`, the time the page shows, with a
//!   warning.
//! - Since every delivery repeats the earlier updates, their events come again with the same
//!   instant, kind and text; the app's de-duplication keeps one of each.
//! - Statuspage says nothing of who posted, so events have no author and there are no
//!   participants. Component webhooks (`component_update`) are about no incident and are
//!   refused.

use crate::webhook::{
    Draft, Node, WebhookError, WebhookSource, WebhookUpdate, add_name, read_json, web_link,
};
use chrono::{DateTime, Utc};
use hindsight_core::{EventKind, EventSource, Severity};

/// Reads one Statuspage incident webhook body.
pub fn parse(body: &[u8]) -> Result<WebhookUpdate, WebhookError> {
    let json = read_json(body)?;
    let root = Node::root(&json).object()?;
    let incident = root.get("incident");
    if !incident.is_present() && root.get("component_update").is_present() {
        return Err(incident.error(
            "expected an object: this is a component webhook, and only incident webhooks are read",
        ));
    }
    let incident = incident.object()?;
    let incident_id = incident.get("id").text()?;
    let backfilled = incident.get("backfilled").value().and_then(|b| b.as_bool()) == Some(true);

    let mut updates = Vec::new();
    for update in incident.get("incident_updates").items()? {
        let update = update.object()?;
        let time = if backfilled {
            update
                .get("display_at")
                .present()
                .unwrap_or_else(|| update.get("created_at"))
        } else {
            update.get("created_at")
        };
        updates.push(Posted {
            id: update.get("id").text()?,
            status: update.get("status").text()?,
            at: time.instant()?,
            node: update,
        });
    }
    // Oldest first; updates posted at the same instant keep the page's order, reversed.
    updates.reverse();
    updates.sort_by_key(|u| u.at);

    let mut warnings = Vec::new();
    if backfilled {
        warnings.push(
            "the incident was backfilled: its updates are placed at the times the page shows, not when they were posted"
                .to_owned(),
        );
    }
    let title = incident
        .get("name")
        .optional_text(&mut warnings)
        .map(str::to_owned);
    let link = web_link(&incident.get("shortlink"), &mut warnings);
    let impact_override = incident.get("impact_override");
    let impact_node = if impact_override.is_present() {
        impact_override
    } else {
        incident.get("impact")
    };
    let severity = impact_node.optional_text(&mut warnings).and_then(|impact| {
        let severity = severity_of_impact(impact);
        if severity.is_none() {
            warnings.push(format!(
                "`{}`: impact `{impact}` is not critical, major, minor or none: no severity",
                impact_node.path
            ));
        }
        severity
    });
    let mut services = Vec::new();
    for component in incident.get("components").optional_items(&mut warnings) {
        if let Some(name) = component.get("name").optional_text(&mut warnings) {
            add_name(&mut services, name);
        }
    }

    let mut events = Vec::new();
    for update in &updates {
        for component in update
            .node
            .get("affected_components")
            .optional_items(&mut warnings)
        {
            if let Some(name) = component.get("name").optional_text(&mut warnings) {
                add_name(&mut services, name);
            }
        }
        let status = update.status.replace('_', " ");
        let text = match update.node.get("body").optional_text(&mut warnings) {
            Some(body) => format!("Status page updated to {status}: {body}"),
            None => format!("Status page updated to {status}"),
        };
        let mut kinds = vec![(EventKind::StatusPageUpdated, text)];
        match update.status {
            "resolved" => kinds.push((
                EventKind::Resolved,
                "Marked resolved on the status page".to_owned(),
            )),
            "monitoring" => kinds.push((
                EventKind::Mitigated,
                "Marked monitoring on the status page: a fix is in place".to_owned(),
            )),
            _ => {}
        }
        for (kind, text) in kinds {
            events.extend(
                Draft {
                    at: update.at,
                    kind,
                    text,
                    source: EventSource::PagerWebhook,
                    severity: None,
                    author: None,
                    evidence: link.as_ref(),
                }
                .build(&mut warnings),
            );
        }
    }

    let delivery_id = match updates.last() {
        Some(newest) => format!("{incident_id}:{}", newest.id),
        None => {
            warnings.push("the incident has no updates: no event".to_owned());
            // Without updates, the incident's own last change tells deliveries apart.
            match incident.get("updated_at").optional_text(&mut warnings) {
                Some(updated_at) => format!("{incident_id}:{updated_at}"),
                None => incident_id.to_owned(),
            }
        }
    };

    Ok(WebhookUpdate {
        source: WebhookSource::Statuspage,
        external_id: incident_id.to_owned(),
        delivery_id,
        title,
        severity,
        services,
        link,
        events,
        participants: Vec::new(),
        warnings,
    })
}

/// One posted update, read.
struct Posted<'a> {
    id: &'a str,
    status: &'a str,
    at: DateTime<Utc>,
    node: Node<'a>,
}

fn severity_of_impact(impact: &str) -> Option<Severity> {
    let level = match impact.trim().to_ascii_lowercase().as_str() {
        "critical" => 1,
        "major" => 2,
        "minor" => 3,
        "none" => 4,
        _ => return None,
    };
    Severity::from_level(level).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::test_support::{any_json, fixture, mutated, render};
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn incident_update() -> Value {
        serde_json::from_slice(&fixture("statuspage/incident_update.json")).unwrap()
    }

    fn parse_value(value: &Value) -> Result<WebhookUpdate, WebhookError> {
        parse(value.to_string().as_bytes())
    }

    #[test]
    fn updates_sent_newest_first_become_events_oldest_first() {
        let update = parse(&fixture("statuspage/incident_update.json")).unwrap();
        assert_eq!(
            render(&update),
            "statuspage z3lct0r596n4 (delivery z3lct0r596n4:cdwfdrjlp53y)
title: Database query delays
severity: SEV-4
services: Management Portal (example)
link: http://stspg.io/646947c1e
event: 2017-12-26T07:32:00.548Z status_page_updated (pager_webhook): Status page updated to identified: We just encountered that database queries are timing out resulting in inconvenience to our end users...we'll do quick fix latest by tomorrow !!!
  evidence: http://stspg.io/646947c1e
event: 2017-12-26T07:37:20.785Z status_page_updated (pager_webhook): Status page updated to resolved: The database issue is resolved.
  evidence: http://stspg.io/646947c1e
event: 2017-12-26T07:37:20.785Z resolved (pager_webhook): Marked resolved on the status page
  evidence: http://stspg.io/646947c1e
"
        );
    }

    #[test]
    fn the_newest_update_names_the_delivery_whatever_the_order() {
        let mut value = incident_update();
        value["incident"]["incident_updates"]
            .as_array_mut()
            .unwrap()
            .reverse();
        let update = parse_value(&value).unwrap();
        assert_eq!(update.delivery_id, "z3lct0r596n4:cdwfdrjlp53y");
        assert_eq!(update.events[0].kind(), EventKind::StatusPageUpdated);
        assert_eq!(update.events.len(), 3);
    }

    #[test]
    fn monitoring_is_a_mitigation_and_impact_gives_the_severity() {
        let mut value = incident_update();
        value["incident"]["incident_updates"][0]["status"] = json!("monitoring");
        value["incident"]["incident_updates"][0]["body"] = json!("");
        for (impact, level) in [("critical", 1), ("major", 2), ("minor", 3), ("none", 4)] {
            value["incident"]["impact"] = json!(impact);
            let update = parse_value(&value).unwrap();
            assert_eq!(update.severity.map(|s| s.level()), Some(level), "{impact}");
            let last: Vec<_> = update
                .events
                .iter()
                .skip(1)
                .map(|e| format!("{} {}", e.kind(), e.text()))
                .collect();
            assert_eq!(
                last,
                [
                    "status_page_updated Status page updated to monitoring",
                    "mitigated Marked monitoring on the status page: a fix is in place"
                ]
            );
        }
        value["incident"]["impact_override"] = json!("critical");
        value["incident"]["impact"] = json!("none");
        assert_eq!(
            parse_value(&value).unwrap().severity.map(|s| s.level()),
            Some(1)
        );
        value["incident"]["impact_override"] = json!("catastrophic");
        let update = parse_value(&value).unwrap();
        assert_eq!(update.severity, None);
        assert_eq!(
            update.warnings,
            [
                "`incident.impact_override`: impact `catastrophic` is not critical, major, minor or none: no severity"
            ]
        );
    }

    #[test]
    fn a_backfilled_incident_places_its_updates_at_the_times_shown() {
        let mut value = incident_update();
        value["incident"]["backfilled"] = json!(true);
        value["incident"]["incident_updates"][1]["display_at"] = json!("2017-12-25T22:00:00Z");
        let update = parse_value(&value).unwrap();
        assert_eq!(
            update.events[0].at().to_rfc3339(),
            "2017-12-25T22:00:00+00:00"
        );
        assert_eq!(update.warnings.len(), 1);
    }

    #[test]
    fn an_incident_without_updates_gives_no_event_and_names_the_delivery_by_its_last_change() {
        let mut value = incident_update();
        value["incident"]["incident_updates"] = json!([]);
        let update = parse_value(&value).unwrap();
        assert!(update.events.is_empty());
        assert_eq!(update.delivery_id, "z3lct0r596n4:2017-12-26T07:37:20.837Z");
        assert_eq!(update.warnings, ["the incident has no updates: no event"]);
    }

    #[test]
    fn component_webhooks_and_bad_fields_are_refused_with_their_path() {
        let component = json!({
            "meta": {},
            "page": {"id": "jb7j80lkgqvb"},
            "component_update": {"created_at": "2017-12-26T07:37:20Z", "new_status": "operational"},
            "component": {"name": "API"}
        });
        assert_eq!(
            parse_value(&component).unwrap_err().to_string(),
            "`incident`: expected an object: this is a component webhook, and only incident webhooks are read, found nothing"
        );
        let mut value = incident_update();
        value["incident"]["incident_updates"][1]["created_at"] = json!("yesterday");
        assert_eq!(
            parse_value(&value).unwrap_err().to_string(),
            "`incident.incident_updates[1].created_at`: expected an RFC 3339 time between the years 1900 and 9999, found the string \"yesterday\""
        );
        value["incident"]["incident_updates"] = json!({});
        assert_eq!(
            parse_value(&value).unwrap_err().to_string(),
            "`incident.incident_updates`: expected a list, found an object"
        );
        assert!(matches!(
            parse(b"{\n  \"incident\": {\n    \"id\": 'z3'\n  }\n}"),
            Err(WebhookError::Json {
                line: 3,
                column: 11,
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
            value in mutated(&fixture("statuspage/incident_update.json"))
        ) {
            let result = parse_value(&value);
            prop_assert!(!matches!(result, Err(WebhookError::Json { .. })), "{result:?}");
        }
    }
}
