//! Prometheus Alertmanager webhooks (payload version 4, and Grafana's superset of it): what one
//! group notification says about the alerts of one group.
//!
//! One delivery gives one [`WebhookUpdate`]:
//! - `external_id` is the `groupKey`: every notification about a group goes to one incident.
//! - `delivery_id` is a SHA-256 of the group key, the group's status and each alert's
//!   fingerprint (its labels when it has none), `startsAt` and `endsAt`, in a fixed order.
//!   Alertmanager sends no id of its own and repeats a notification unchanged every
//!   `repeat_interval`; a repeat hashes the same, so it changes nothing.
//! - Each firing alert is a `detected` event at its `startsAt`; each resolved alert is a
//!   `resolved` event at its `endsAt`. Go's zero time (`0001-01-01T00:00:00Z`), which firing
//!   alerts carry as `endsAt`, means "no end" and never becomes an event. Times keep the
//!   microseconds of Prometheus' nanosecond times.
//! - An event's text is the alert's name and its labels (`High CPU Temperature firing
//!   (host=andromeda, severity=critical)`), not its annotations: annotations are often templated
//!   with the current value (`{{ $value }}`), so they change between notifications, and the
//!   same alert would otherwise come back as a new event each time its group is notified.
//! - The evidence is the alert's `generatorURL` (the graph that fired), else the group's
//!   `externalURL`; the update's link is `externalURL`. Only http(s) links are kept.
//! - The title is `commonAnnotations.summary`, else the `alertname` common to the group.
//! - Services come from each alert's `service` label, else its `job` label.
//! - The severity comes from the `severity` label (the group's common one, else the most severe
//!   of its alerts): `critical`, `crit`, `fatal`, `emergency`, `page` → SEV-1; `error`,
//!   `major`, `high` → SEV-2; `warning`, `warn`, `minor`, `medium` → SEV-3; `info`,
//!   `informational`, `notice`, `low` → SEV-4; `debug` → SEV-5; and hindsight's own spellings
//!   (`SEV-2`, `sev2`) and pager priorities (`P2`). Anything else maps to nothing, with a
//!   warning. Detection events cannot carry a severity, so it goes on the update only.
//! - Alerts name no people, so there are no participants.

use crate::webhook::{
    Draft, Node, WebhookError, WebhookSource, WebhookUpdate, add_name, keep, read_json,
    severity_of_priority, web_link,
};
use chrono::{DateTime, TimeZone, Utc};
use hindsight_core::{EventKind, EventSource, Severity};
use sha2::{Digest, Sha256};

/// Reads one Alertmanager webhook body.
pub fn parse(body: &[u8]) -> Result<WebhookUpdate, WebhookError> {
    let json = read_json(body)?;
    let root = Node::root(&json).object()?;
    let group_key = root.get("groupKey").text()?;
    let status = root.get("status").text()?;
    let alerts = root.get("alerts").items()?;

    let mut warnings = Vec::new();
    if let Some(version) = root.get("version").optional_text(&mut warnings)
        && !matches!(version, "4" | "1")
    {
        warnings.push(format!(
            "payload version `{version}` is not one hindsight knows (4, or Grafana's 1): read as version 4"
        ));
    }
    if let Some(truncated) = root.get("truncatedAlerts").present() {
        match truncated.value().and_then(|v| v.as_u64()) {
            Some(0) => {}
            Some(n) => warnings.push(format!(
                "Alertmanager left out {n} alerts of this group (max_alerts): they give no events"
            )),
            None => {
                keep::<()>(Err(truncated.error("expected a count")), &mut warnings);
            }
        }
    }
    let common_labels = labels(&root.get("commonLabels"), &mut warnings);
    let title = root
        .get("commonAnnotations")
        .get("summary")
        .optional_text(&mut warnings)
        .or_else(|| label(&common_labels, "alertname"))
        .or_else(|| {
            label(
                &labels(&root.get("groupLabels"), &mut warnings),
                "alertname",
            )
        })
        .map(str::to_owned);
    let link = web_link(&root.get("externalURL"), &mut warnings);

    let mut services = Vec::new();
    add_service(&mut services, &common_labels);
    let mut severity = severity_label(&common_labels, &mut warnings);
    let mut alerts_severity: Option<Severity> = None;
    let mut identities = Vec::new();
    let mut events = Vec::new();
    if alerts.is_empty() {
        warnings.push("the notification holds no alerts: no event".to_owned());
    }
    for alert in alerts {
        let alert = alert.object()?;
        let alert_status = alert.get("status").text()?;
        let starts_at = alert.get("startsAt").text()?;
        let ends_at = alert.get("endsAt").optional_text(&mut warnings);
        let labels = labels(&alert.get("labels"), &mut warnings);
        let fingerprint = alert.get("fingerprint").optional_text(&mut warnings);
        identities.push([
            // Alertmanager's fingerprint is a hash of the labels: without one, the labels are
            // the alert's identity.
            fingerprint.map_or_else(|| label_list(&labels, ""), str::to_owned),
            starts_at.to_owned(),
            ends_at.unwrap_or_default().to_owned(),
        ]);
        add_service(&mut services, &labels);
        if let Some(alert_severity) = severity_label(&labels, &mut warnings) {
            alerts_severity =
                Some(alerts_severity.map_or(alert_severity, |s| s.min(alert_severity)));
        }
        let evidence = web_link(&alert.get("generatorURL"), &mut warnings).or_else(|| link.clone());
        let name = label(&labels, "alertname").unwrap_or("Alert");
        let others = label_list(&labels, "alertname");
        let describe = |verb: &str| {
            if others.is_empty() {
                format!("{name} {verb}")
            } else {
                format!("{name} {verb} ({others})")
            }
        };
        let (kind, at, text) = match alert_status {
            "firing" => (
                EventKind::Detected,
                alert.get("startsAt").instant()?,
                describe("firing"),
            ),
            "resolved" => {
                if ends_at.is_none_or(is_go_zero_time) {
                    warnings.push(format!(
                        "`{}`: a resolved alert without an end time: no event",
                        alert.get("endsAt").path
                    ));
                    continue;
                }
                (
                    EventKind::Resolved,
                    alert.get("endsAt").instant()?,
                    describe("resolved"),
                )
            }
            other => {
                warnings.push(format!(
                    "`{}`: status `{other}` is neither firing nor resolved: no event",
                    alert.get("status").path
                ));
                continue;
            }
        };
        events.extend(
            Draft {
                at,
                kind,
                text,
                source: EventSource::AlertWebhook,
                severity: None,
                author: None,
                evidence: evidence.as_ref(),
            }
            .build(&mut warnings),
        );
    }
    severity = severity.or(alerts_severity);

    Ok(WebhookUpdate {
        source: WebhookSource::Alertmanager,
        external_id: group_key.to_owned(),
        delivery_id: delivery_id(group_key, status, identities),
        title,
        severity,
        services,
        link,
        events,
        participants: Vec::new(),
        warnings,
    })
}

/// The labels of an alert or a group, sorted by name so texts and hashes do not depend on how
/// the JSON was ordered; a label whose value is not a string is skipped with a warning.
fn labels<'a>(node: &Node<'a>, warnings: &mut Vec<String>) -> Vec<(&'a str, &'a str)> {
    if !node.is_present() {
        return Vec::new();
    }
    let Some(members) = keep(node.members(), warnings) else {
        return Vec::new();
    };
    let mut labels: Vec<_> = members
        .into_iter()
        .filter_map(|(name, value)| keep(value.str(), warnings).map(|value| (name, value)))
        .collect();
    labels.sort_unstable();
    labels
}

fn label<'a>(labels: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    labels
        .iter()
        .find(|(n, v)| *n == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

/// `name=value` for every label but `except`, comma-separated.
fn label_list(labels: &[(&str, &str)], except: &str) -> String {
    labels
        .iter()
        .filter(|(name, _)| *name != except)
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn add_service(services: &mut Vec<String>, labels: &[(&str, &str)]) {
    if let Some(service) = label(labels, "service").or_else(|| label(labels, "job")) {
        add_name(services, service);
    }
}

fn severity_label(labels: &[(&str, &str)], warnings: &mut Vec<String>) -> Option<Severity> {
    let value = label(labels, "severity")?;
    let severity = match value.to_ascii_lowercase().as_str() {
        "critical" | "crit" | "fatal" | "emergency" | "page" => Severity::from_level(1).ok(),
        "error" | "major" | "high" => Severity::from_level(2).ok(),
        "warning" | "warn" | "minor" | "medium" => Severity::from_level(3).ok(),
        "info" | "informational" | "notice" | "low" => Severity::from_level(4).ok(),
        "debug" => Severity::from_level(5).ok(),
        other => other
            .parse::<Severity>()
            .ok()
            .or_else(|| severity_of_priority(other)),
    };
    if severity.is_none() {
        let warning = format!("severity label `{value}` maps to no severity: none taken from it");
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }
    severity
}

/// Whether `text` is Go's zero time, which Alertmanager writes for "no end".
fn is_go_zero_time(text: &str) -> bool {
    let zero = Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).single();
    DateTime::parse_from_rfc3339(text.trim()).is_ok_and(|at| Some(at.to_utc()) == zero)
}

/// A hash of what the notification says, the same for a repeat of it whatever order its
/// alerts come in. Each part is length-prefixed, so no two different notifications can run
/// together into the same bytes.
fn delivery_id(group_key: &str, status: &str, mut identities: Vec<[String; 3]>) -> String {
    identities.sort_unstable();
    let mut hash = Sha256::new();
    let mut part = |text: &str| {
        hash.update((text.len() as u64).to_le_bytes());
        hash.update(text.as_bytes());
    };
    part(group_key);
    part(status);
    for identity in &identities {
        for field in identity {
            part(field);
        }
    }
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::test_support::{any_json, fixture, mutated, render};
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn zulip_fixture() -> Value {
        serde_json::from_slice(&fixture("alertmanager/zulip_alert_firing.json")).unwrap()
    }

    fn parse_value(value: &Value) -> Result<WebhookUpdate, WebhookError> {
        parse(value.to_string().as_bytes())
    }

    #[test]
    fn two_firing_alerts_are_two_detections_at_their_nanosecond_start_and_none_at_year_one() {
        let update = parse(&fixture("alertmanager/zulip_alert_firing.json")).unwrap();
        let delivery = update.delivery_id.clone();
        assert_eq!(delivery.len(), 64);
        assert_eq!(
            render(&update),
            format!(
                "alertmanager {{}}/{{}}:{{}} (delivery {delivery})
title: High CPU core temperature
severity: SEV-1
link: http://ops1:9093/
event: 2020-02-06T00:17:58.432911Z detected (alert_webhook): High CPU Temperature firing (host=andromeda, severity=critical)
  evidence: http://cobalt:9090/graph?g0.expr=avg+by%28host%29+%28sensors_temp_input%7Bfeature%3D~%22core_%5B0-9%5D%2B%22%7D%29+%3E+15&g0.tab=1
event: 2020-02-06T00:17:58.432911Z detected (alert_webhook): High CPU Temperature firing (host=andromeda, severity=critical)
  evidence: http://cobalt:9090/graph?g0.expr=avg+by%28host%29+%28sensors_temp_input%7Bfeature%3D~%22core_%5B0-9%5D%2B%22%7D%29+%3E+15&g0.tab=1
"
            )
        );
    }

    #[test]
    fn the_delivery_id_is_stable_across_repeats_and_alert_order_and_changes_with_the_alerts() {
        let original = zulip_fixture();
        let first = parse_value(&original).unwrap().delivery_id;
        assert_eq!(parse_value(&original).unwrap().delivery_id, first);

        let mut reordered = original.clone();
        reordered["alerts"].as_array_mut().unwrap().reverse();
        reordered["receiver"] = json!("another receiver");
        assert_eq!(parse_value(&reordered).unwrap().delivery_id, first);

        let mut resolved = original.clone();
        resolved["alerts"][1]["status"] = json!("resolved");
        resolved["alerts"][1]["endsAt"] = json!("2020-02-06T00:27:58.1Z");
        assert_ne!(parse_value(&resolved).unwrap().delivery_id, first);

        let mut other_group = original.clone();
        other_group["groupKey"] = json!("{}:{alertname=\"x\"}");
        assert_ne!(parse_value(&other_group).unwrap().delivery_id, first);
    }

    #[test]
    fn a_resolved_alert_is_resolved_at_its_end_and_one_without_an_end_only_warns() {
        let mut value = zulip_fixture();
        value["status"] = json!("resolved");
        value["alerts"][0]["status"] = json!("resolved");
        value["alerts"][0]["endsAt"] = json!("2020-02-06T00:27:58.000000001+01:00");
        value["alerts"][1]["status"] = json!("resolved");
        let update = parse_value(&value).unwrap();
        let events: Vec<_> = update
            .events
            .iter()
            .map(|e| (e.at().to_rfc3339(), e.kind(), e.text().to_owned()))
            .collect();
        assert_eq!(
            events,
            [(
                "2020-02-05T23:27:58+00:00".to_owned(),
                EventKind::Resolved,
                "High CPU Temperature resolved (host=andromeda, severity=critical)".to_owned()
            )]
        );
        assert_eq!(
            update.warnings,
            ["`alerts[1].endsAt`: a resolved alert without an end time: no event"]
        );
    }

    #[test]
    fn severity_labels_map_to_severities_and_unknown_ones_warn() {
        for (label, expected) in [
            ("critical", Some(1)),
            ("page", Some(1)),
            ("error", Some(2)),
            ("major", Some(2)),
            ("warning", Some(3)),
            ("Warning", Some(3)),
            ("info", Some(4)),
            ("debug", Some(5)),
            ("SEV-2", Some(2)),
            ("P4", Some(4)),
            ("disastrous", None),
        ] {
            let mut value = zulip_fixture();
            value["commonLabels"]["severity"] = json!(label);
            for alert in value["alerts"].as_array_mut().unwrap() {
                alert["labels"]["severity"] = json!(label);
            }
            let update = parse_value(&value).unwrap();
            assert_eq!(
                update.severity.map(|s| s.level()),
                expected,
                "{label}: {:?}",
                update.warnings
            );
            assert_eq!(
                update.warnings.len(),
                usize::from(expected.is_none()),
                "{label}"
            );
        }
    }

    #[test]
    fn without_a_common_severity_the_most_severe_alert_gives_it() {
        let mut value = zulip_fixture();
        value["commonLabels"]
            .as_object_mut()
            .unwrap()
            .remove("severity");
        value["alerts"][0]["labels"]["severity"] = json!("warning");
        value["alerts"][1]["labels"]["severity"] = json!("error");
        assert_eq!(
            parse_value(&value).unwrap().severity.map(|s| s.level()),
            Some(2)
        );
    }

    #[test]
    fn services_come_from_the_service_label_else_the_job_and_titles_fall_back_to_the_alert_name() {
        let mut value = zulip_fixture();
        value["alerts"][0]["labels"]["service"] = json!("checkout");
        value["alerts"][0]["labels"]["job"] = json!("node");
        value["alerts"][1]["labels"]["job"] = json!("node");
        value["commonAnnotations"] = json!({});
        let update = parse_value(&value).unwrap();
        assert_eq!(update.services, ["checkout", "node"]);
        assert_eq!(update.title.as_deref(), Some("High CPU Temperature"));
    }

    #[test]
    fn non_web_links_are_not_evidence_and_the_external_url_stands_in() {
        let mut value = zulip_fixture();
        value["alerts"][0]["generatorURL"] = json!("file:///etc/passwd");
        value["alerts"][1]
            .as_object_mut()
            .unwrap()
            .remove("generatorURL");
        let update = parse_value(&value).unwrap();
        for event in &update.events {
            assert_eq!(
                event
                    .evidence()
                    .iter()
                    .map(|u| u.as_str())
                    .collect::<Vec<_>>(),
                ["http://ops1:9093/"]
            );
        }
        assert_eq!(update.warnings.len(), 1, "{:?}", update.warnings);
        assert!(update.warnings[0].starts_with("`alerts[0].generatorURL`"));
    }

    #[test]
    fn truncated_alerts_and_unknown_versions_are_warnings() {
        let mut value = zulip_fixture();
        value["truncatedAlerts"] = json!(3);
        value["version"] = json!("5");
        let update = parse_value(&value).unwrap();
        assert_eq!(update.events.len(), 2);
        assert_eq!(
            update.warnings,
            [
                "payload version `5` is not one hindsight knows (4, or Grafana's 1): read as version 4",
                "Alertmanager left out 3 alerts of this group (max_alerts): they give no events"
            ]
        );
    }

    #[test]
    fn missing_or_bad_required_fields_name_their_path() {
        let mut value = zulip_fixture();
        value["alerts"][1]["startsAt"] = json!("0001-01-01T00:00:00Z");
        assert_eq!(
            parse_value(&value).unwrap_err().to_string(),
            "`alerts[1].startsAt`: expected an RFC 3339 time between the years 1900 and 9999, found the string \"0001-01-01T00:00:00Z\""
        );
        value.as_object_mut().unwrap().remove("groupKey");
        assert_eq!(
            parse_value(&value).unwrap_err().to_string(),
            "`groupKey`: expected a non-empty string, found nothing"
        );
        assert!(matches!(
            parse(b"{\"groupKey\": "),
            Err(WebhookError::Json {
                line: 1,
                column: 13,
                ..
            })
        ));
    }

    /// The documented payload, its placeholders filled in, reads as one firing alert.
    #[test]
    fn the_documented_v4_schema_reads() {
        let doc = String::from_utf8(fixture(
            "alertmanager/alertmanager_docs_webhook_schema_v4.md",
        ))
        .unwrap();
        let schema = doc.split("```").nth(1).unwrap();
        let filled: String = schema
            .lines()
            .filter(|line| line.trim() != "...")
            .map(|line| line.split("//").next().unwrap().trim_end())
            .collect::<Vec<_>>()
            .join("\n")
            .replace("\"<resolved|firing>\"", "\"firing\"")
            .replace("\"<rfc3339>\"", "\"2026-08-22T10:00:00.123456789Z\"")
            .replace("\"<string>\"", "\"x\"")
            .replace("<string>", "\"https://alertmanager.example.com\"")
            .replace("<int>", "0")
            .replace("<object>", "{\"alertname\": \"Documented\"}")
            .replace("},\n  ]", "}\n  ]");
        let update = parse(filled.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{filled}"));
        assert_eq!(update.events.len(), 1, "{update:?}");
        assert_eq!(update.events[0].kind(), EventKind::Detected);
        assert_eq!(
            update.events[0].at().to_rfc3339(),
            "2026-08-22T10:00:00.123456+00:00"
        );
        assert_eq!(update.title.as_deref(), Some("Documented"));
        assert_eq!(update.warnings, Vec::<String>::new());
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
            value in mutated(&fixture("alertmanager/zulip_alert_firing.json"))
        ) {
            let result = parse_value(&value);
            prop_assert!(!matches!(result, Err(WebhookError::Json { .. })), "{result:?}");
        }
    }
}
