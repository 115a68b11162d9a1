//! First drafts of the messages that tell people what happened, written from the document so
//! that nobody starts from a blank page: the internal e-mail (a short paragraph and the link)
//! and the external status-page message (what happened, what we are doing, an apology). People
//! edit them; the readiness check lints what they end up saying.

use crate::local_time;
use hindsight_core::{
    IncidentRecord,
    figures::{Figures, human_duration},
};

/// The internal e-mail to stakeholders, with `link` to the post-mortem when there is one.
pub fn internal_email(record: &IncidentRecord, figures: &Figures, link: Option<&str>) -> String {
    let incident = &record.incident;
    let tz = incident.timezone;
    let when = match (figures.instants.started, figures.instants.resolved) {
        (Some(start), Some(end)) => format!(
            "from {} to {} ({})",
            local_time(start, tz),
            local_time(end, tz),
            human_duration((end - start).num_seconds())
        ),
        (Some(start), None) => format!("since {}", local_time(start, tz)),
        _ => "recently".to_owned(),
    };
    let services = services(record);
    let summary = record
        .postmortem
        .section("overview")
        .or_else(|| record.postmortem.section("summary"))
        .map(|s| format!("\n\n{}", first_paragraph(s)))
        .unwrap_or_default();
    let factors = match record.postmortem.factors.len() {
        0 => String::new(),
        1 => " The post-mortem records one contributing factor".to_owned(),
        n => format!(" The post-mortem records {n} contributing factors"),
    };
    let actions = match (factors.is_empty(), record.actions.len()) {
        (true, 0) => String::new(),
        (true, n) => format!(" The post-mortem files {n} follow-up action{}.", plural(n)),
        (false, 0) => format!("{factors}."),
        (false, n) => format!("{factors} and {n} follow-up action{}.", plural(n)),
    };
    let link = link
        .map(|l| format!("\n\nThe post-mortem: {l}"))
        .unwrap_or_default();
    format!(
        "Subject: [{key}] {title} ({severity}) — post-mortem\n\n\
         {key}, a {severity} incident affecting {services}, lasted {when}.{summary}\n\n\
         The post-mortem explains what happened and what we learn.{actions}{link}",
        key = incident.key,
        title = incident.title,
        severity = figures.peak_severity,
    )
}

/// The external message for the status page: what happened, what we are doing, an apology.
pub fn external_message(record: &IncidentRecord, figures: &Figures) -> String {
    let tz = record.incident.timezone;
    let when = match (figures.instants.started, figures.instants.resolved) {
        (Some(start), Some(end)) => format!(
            "Between {} and {}",
            local_time(start, tz),
            local_time(end, tz)
        ),
        _ => "Recently".to_owned(),
    };
    let what = if record.postmortem.impact.full_outage {
        "was unavailable"
    } else {
        "did not work as expected for some of you"
    };
    let doing = match record
        .actions
        .iter()
        .filter(|a| a.kind == hindsight_core::ActionKind::Prevent)
        .count()
    {
        0 => "We are reviewing what allowed this to happen and how to prevent it.".to_owned(),
        n => format!(
            "We have identified what allowed this to happen and are making {n} change{} to prevent it from happening again.",
            plural(n)
        ),
    };
    format!(
        "{when}, {services} {what}. {doing}\n\n\
         We are sorry for the disruption this caused you, and we thank you for your patience.",
        services = services(record),
    )
}

fn services(record: &IncidentRecord) -> String {
    let names: Vec<_> = record
        .incident
        .services
        .iter()
        .map(|s| s.as_str())
        .collect();
    match names.as_slice() {
        [] => "our service".to_owned(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn first_paragraph(markdown: &str) -> &str {
    markdown
        .trim()
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .trim()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
