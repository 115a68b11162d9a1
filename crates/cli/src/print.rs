//! Text for a person and JSON for a tool: how results leave the command line.

use chrono::{DateTime, SecondsFormat, Utc};
use hindsight_core::{Figures, Incident, IncidentRecord, Template, figures::describe_duration};
use hindsight_render::local_time;
use serde_json::{Value, json};
use std::fmt::Write;

fn rfc3339(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |at| {
        json!(at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    })
}

/// The figures as one JSON object, with the field names scripts rely on.
pub fn figures_json(record: &IncidentRecord, figures: &Figures) -> Value {
    let i = &figures.instants;
    json!({
        "incident": record.incident.key,
        "started_at": rfc3339(i.started),
        "root_cause_began_at": rfc3339(i.root_cause_began),
        "detected_at": rfc3339(i.detected),
        "acknowledged_at": rfc3339(i.acknowledged),
        "declared_at": rfc3339(i.declared),
        "status_page_updated_at": rfc3339(i.status_page_updated),
        "mitigated_at": rfc3339(i.mitigated),
        "resolved_at": rfc3339(i.resolved),
        "time_to_detect_s": figures.time_to_detect_s,
        "time_to_acknowledge_s": figures.time_to_acknowledge_s,
        "time_to_mitigate_s": figures.time_to_mitigate_s,
        "time_to_resolve_s": figures.time_to_resolve_s,
        "impact_duration_s": figures.impact_duration_s,
        "time_in_severity_s": figures.time_in_severity_s
            .iter()
            .map(|(severity, seconds)| (severity.to_string(), json!(seconds)))
            .collect::<serde_json::Map<_, _>>(),
        "peak_severity": figures.peak_severity,
        "current_severity": figures.current_severity,
        "meeting_deadline": figures.meeting_deadline.map(|d| d.to_string()),
    })
}

fn local(at: Option<DateTime<Utc>>, record: &IncidentRecord) -> String {
    at.map_or("—".to_owned(), |at| {
        local_time(at, record.incident.timezone)
    })
}

/// The figures for a person.
pub fn figures(record: &IncidentRecord, figures: &Figures) -> String {
    let mut out = String::new();
    let i = &figures.instants;
    let _ = writeln!(out, "{}  {}", record.incident.key, record.incident.title);
    let _ = writeln!(out, "  times in {}", record.incident.timezone.name());
    for (name, at) in [
        ("root cause began", i.root_cause_began),
        ("impact started", i.started),
        ("detected", i.detected),
        ("acknowledged", i.acknowledged),
        ("mitigated", i.mitigated),
        ("resolved", i.resolved),
    ] {
        let _ = writeln!(out, "  {name:<22} {}", local(at, record));
    }
    out.push('\n');
    for (name, seconds) in [
        ("time to detect", figures.time_to_detect_s),
        ("time to acknowledge", figures.time_to_acknowledge_s),
        ("time to mitigate", figures.time_to_mitigate_s),
        ("time to resolve", figures.time_to_resolve_s),
        ("impact duration", figures.impact_duration_s),
    ] {
        let _ = writeln!(out, "  {name:<22} {}", describe_duration(seconds));
    }
    for (severity, seconds) in &figures.time_in_severity_s {
        let name = format!("time in {severity}");
        let _ = writeln!(out, "  {name:<22} {}", describe_duration(Some(*seconds)));
    }
    let _ = writeln!(
        out,
        "\n  {:<22} {}",
        "meeting deadline",
        figures
            .meeting_deadline
            .map_or("once resolved".to_owned(), |d| d
                .format("%A %Y-%m-%d")
                .to_string())
    );
    out
}

pub fn incident_list(incidents: &[Incident]) -> String {
    if incidents.is_empty() {
        return "no incidents yet: `hindsight incident new --title … --severity SEV-2` opens one\n"
            .to_owned();
    }
    let mut out = String::new();
    for incident in incidents {
        let _ = writeln!(
            out,
            "{:<8} {:<6} {}  {}{}",
            incident.key.to_string(),
            incident.severity.to_string(),
            incident
                .created_at
                .with_timezone(&incident.timezone)
                .format("%Y-%m-%d"),
            incident.title,
            if incident.private { "  (private)" } else { "" }
        );
    }
    out
}

/// An incident at a glance, with what is left to do.
pub fn incident(record: &IncidentRecord, figures: &Figures) -> String {
    let mut out = String::new();
    let incident = &record.incident;
    let pm = &record.postmortem;
    let _ = writeln!(out, "{}  {}", incident.key, incident.title);
    let severity = if figures.peak_severity == incident.severity {
        figures.peak_severity.to_string()
    } else {
        format!(
            "{} at peak (declared {})",
            figures.peak_severity, incident.severity
        )
    };
    let services: Vec<_> = incident.services.iter().map(|s| s.as_str()).collect();
    let rows = [
        ("severity", severity),
        ("status", record.status().to_string()),
        (
            "services",
            if services.is_empty() {
                "—".into()
            } else {
                services.join(", ")
            },
        ),
        ("timezone", incident.timezone.name().to_owned()),
        (
            "created",
            local_time(incident.created_at, incident.timezone),
        ),
        (
            "private",
            if incident.private { "yes" } else { "no" }.to_owned(),
        ),
        ("template", pm.template.clone()),
        ("post-mortem", pm.status.as_str().replace('_', " ")),
        (
            "owner",
            pm.owner
                .as_ref()
                .map_or("not designated".into(), |o| o.to_string()),
        ),
        ("impact", describe_duration(figures.impact_duration_s)),
        (
            "meeting deadline",
            figures
                .meeting_deadline
                .map_or("once resolved".into(), |d| d.to_string()),
        ),
        ("tags", record.action_tags(figures).join(", ")),
    ];
    for (name, value) in rows {
        let _ = writeln!(out, "  {name:<17} {value}");
    }
    if !record.responders.is_empty() {
        out.push_str("\n  responders\n");
        for (role, person) in record.responders.iter() {
            let _ = writeln!(out, "    {:<22} {person}", role.title());
        }
    }
    let key_points = record.timeline.iter().filter(|e| e.is_key_point()).count();
    let without_evidence = record
        .timeline
        .iter()
        .filter(|e| e.evidence().is_empty())
        .count();
    let _ = writeln!(
        out,
        "\n  timeline          {} events, {key_points} key points, {without_evidence} without evidence",
        record.timeline.len()
    );
    let open = record
        .actions
        .iter()
        .filter(|a| !a.status.is_closed())
        .count();
    let unowned = record.actions.iter().filter(|a| a.owner.is_none()).count();
    let _ = writeln!(
        out,
        "  action items      {} ({open} open, {unowned} without an owner)",
        record.actions.len()
    );
    let _ = writeln!(
        out,
        "  factors           {}\n  questions         {} ({} unanswered)",
        pm.factors.len(),
        pm.questions.len(),
        pm.questions.iter().filter(|q| q.answer.is_none()).count()
    );
    out
}

/// The timeline with ids, for editing from the command line.
pub fn timeline(record: &IncidentRecord) -> String {
    if record.timeline.is_empty() {
        return format!(
            "{} has no timeline yet: `hindsight timeline import {} FILE.csv` or `timeline add`\n",
            record.incident.key, record.incident.key
        );
    }
    let mut out = String::new();
    for event in &record.timeline {
        let severity = event
            .severity()
            .map(|s| format!(" {s}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:>5}  {}  {}{}{}  {}{}{}",
            event.id,
            local_time(event.at(), record.incident.timezone),
            event.kind(),
            severity,
            if event.is_key_point() { " ★" } else { "" },
            event.text(),
            event
                .author()
                .map(|a| format!("  — {a}"))
                .unwrap_or_default(),
            match event.evidence().len() {
                0 => String::new(),
                n => format!("  [{n} evidence]"),
            }
        );
    }
    out
}

pub fn actions(record: &IncidentRecord, figures: &Figures) -> String {
    if record.actions.is_empty() {
        return format!("{} has no action items yet\n", record.incident.key);
    }
    let mut out = String::new();
    for a in &record.actions {
        let _ = writeln!(
            out,
            "{:>4}  {:<11} {}  {}  owner: {}  due: {}{}",
            a.id,
            a.status.as_str(),
            a.priority.as_str().to_uppercase(),
            a.title,
            a.owner.as_ref().map_or("none", |o| o.as_str()),
            a.due.map_or("none".to_owned(), |d| d.to_string()),
            a.ticket
                .as_ref()
                .map(|t| format!("  {t}"))
                .unwrap_or_default(),
        );
    }
    let _ = writeln!(out, "tags: {}", record.action_tags(figures).join(", "));
    out
}

pub fn sections(record: &IncidentRecord, template: &Template) -> String {
    let mut out = String::new();
    for section in &template.sections {
        let written = !record.section_is_empty(section);
        let _ = writeln!(
            out,
            "{:<24} {:<9} {}{}",
            section.id,
            if written { "filled" } else { "empty" },
            section.title,
            if section.required { " (required)" } else { "" }
        );
    }
    out
}

/// A template for a person choosing or writing one.
pub fn template(template: &Template) -> String {
    let mut out = format!("{}  {}\n", template.name, template.title);
    if !template.description.is_empty() {
        let _ = writeln!(out, "{}", template.description);
    }
    for section in &template.sections {
        let indent = "  ".repeat(usize::from(section.level.saturating_sub(1)));
        let _ = writeln!(
            out,
            "\n{indent}{} [{}]{}{}",
            section.title,
            section.id,
            if section.required { " required" } else { "" },
            match section.content {
                hindsight_core::SectionContent::Narrative => String::new(),
                content => format!(
                    " shows {}",
                    serde_json::to_value(content)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                        .replace('_', " ")
                ),
            }
        );
        if !section.help.is_empty() {
            let _ = writeln!(out, "{indent}  {}", section.help);
        }
        if let Some(text) = &section.starting_text {
            for line in text.lines() {
                let _ = writeln!(out, "{indent}  > {line}");
            }
        }
    }
    out
}
