//! Renderers: a post-mortem in, a document out. Renderers never touch the network or the
//! database; everything they show is in the values they are given.

pub mod drafts;
pub mod html;
pub mod markdown;
pub mod svg;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// An instant as a reader of the document sees it: the full date and time in the incident's
/// timezone with its abbreviation, so multi-day incidents and DST changes read unambiguously.
pub fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

/// Fills the placeholders of a template's starting text from the incident (see
/// [`hindsight_core::template::PLACEHOLDERS`]).
pub fn fill_placeholders(
    text: &str,
    record: &hindsight_core::IncidentRecord,
    figures: &hindsight_core::Figures,
) -> String {
    use hindsight_core::figures::human_duration;
    let tz = record.incident.timezone;
    let at = |at: Option<DateTime<Utc>>| at.map_or("—".to_owned(), |at| local_time(at, tz));
    let duration = |s: Option<i64>| s.map_or("—".to_owned(), human_duration);
    let i = &figures.instants;
    hindsight_core::template::fill_placeholders(text, |name| {
        Some(match name {
            "key" => record.incident.key.to_string(),
            "title" => record.incident.title.to_string(),
            "severity" => figures.peak_severity.to_string(),
            "status" => record.status().to_string(),
            "services" => record
                .incident
                .services
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            "commander" => record
                .responders
                .commander
                .as_ref()
                .map_or("—".to_owned(), |p| p.to_string()),
            "owner" => record
                .postmortem
                .owner
                .as_ref()
                .map_or("—".to_owned(), |o| o.to_string()),
            "responders" => record
                .responders
                .iter()
                .map(|(role, p)| format!("{p} ({})", role.title().to_lowercase()))
                .collect::<Vec<_>>()
                .join("; "),
            "date" => record.date(figures).to_string(),
            "started_at" => at(i.started),
            "detected_at" => at(i.detected),
            "mitigated_at" => at(i.mitigated),
            "resolved_at" => at(i.resolved),
            "impact_duration" => duration(figures.impact_duration_s),
            "time_to_detect" => duration(figures.time_to_detect_s),
            "time_to_acknowledge" => duration(figures.time_to_acknowledge_s),
            "time_to_mitigate" => duration(figures.time_to_mitigate_s),
            "time_to_resolve" => duration(figures.time_to_resolve_s),
            "meeting_deadline" => figures
                .meeting_deadline
                .map_or("—".to_owned(), |d| d.to_string()),
            _ => return None,
        })
    })
}
