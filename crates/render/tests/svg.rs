//! Snapshots of the timeline picture (a multi-day incident through a DST change, an incident
//! still open, an empty timeline) and the properties every picture keeps: well-formed, no
//! author's markup, the start red and the resolution green, whatever the timeline.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
use chrono::{DateTime, TimeDelta, Utc};
use hindsight_core::{
    EventId, EventKind, EventSource, Incident, IncidentRecord, MeetingPolicy, NewTimelineEvent,
    Postmortem, Responders, Severity, Template, TimelineEvent, text::Line,
};
use hindsight_render::svg::{IMPACT_RED, RESOLVED_GREEN, timeline_svg};
use url::Url;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn record(title: &str, timeline: Vec<TimelineEvent>) -> IncidentRecord {
    IncidentRecord {
        incident: Incident {
            key: "INC-7".parse().unwrap(),
            title: Line::parse("title", title).unwrap(),
            severity: Severity::from_level(2).unwrap(),
            services: vec![Line::parse("service", "checkout-api").unwrap()],
            timezone: chrono_tz::Europe::Paris,
            private: false,
            created_at: utc("2026-10-24T21:00:00Z"),
        },
        responders: Responders::default(),
        timeline,
        postmortem: Postmortem::new("pagerduty"),
        postmortem_version: 1,
        actions: Vec::new(),
    }
}

/// One row of a timeline: when (RFC 3339), kind, text, author, severity, key point.
type Row<'a> = (&'a str, EventKind, &'a str, &'a str, Option<u8>, bool);

fn events(rows: &[Row]) -> Vec<TimelineEvent> {
    rows.iter()
        .enumerate()
        .map(|(i, (at, kind, text, author, severity, key_point))| {
            let event = NewTimelineEvent::from_parts(
                utc(at),
                *kind,
                text,
                EventSource::Import,
                severity.map(|s| Severity::from_level(s).unwrap()),
            )
            .unwrap()
            .with_author(Some(author))
            .unwrap()
            .with_evidence(Url::parse("https://grafana.example.com/d/checkout").unwrap())
            .unwrap()
            .key_point(*key_point);
            TimelineEvent {
                id: EventId(i as i64 + 1),
                event,
                recorded_at: utc("2026-10-26T09:00:00Z"),
            }
        })
        .collect()
}

/// The demo incident (`hindsight demo`): 24 October 22:40 CEST to 25 October 03:00 CET, through
/// the end of summer time, raised from SEV-2 to SEV-1, with five key points and nearly two hours
/// without an event while the rollback was prepared.
#[rustfmt::skip]
const DEMO: [Row; 12] = [
    ("2026-10-24T20:40:00Z", EventKind::RootCauseBegan, "Config push raises the checkout connection-pool limit from 400 to 4000", "deploy-bot", None, false),
    ("2026-10-24T20:52:00Z", EventKind::ImpactStarted, "Checkout starts returning 502 for about 30% of requests", "Grafana", None, true),
    ("2026-10-24T20:58:00Z", EventKind::Detected, "Alert: checkout 5xx ratio above 5% for 5 minutes", "Alertmanager", None, false),
    ("2026-10-24T20:58:00Z", EventKind::Paged, "Checkout on-call paged", "PagerDuty", None, false),
    ("2026-10-24T21:03:00Z", EventKind::Acknowledged, "On-call acknowledges the page and opens #inc-checkout-502", "Ana Lima", None, false),
    ("2026-10-24T21:10:00Z", EventKind::Declared, "Incident declared at SEV-2; Ana Lima is commander", "Ana Lima", Some(2), true),
    ("2026-10-24T21:25:00Z", EventKind::StatusPageUpdated, "Status page: 'Some payments may fail; we are investigating'", "Di Novak", None, false),
    ("2026-10-24T22:30:00Z", EventKind::SeverityChanged, "Payments fail too: raised to SEV-1", "Ana Lima", Some(1), true),
    ("2026-10-24T22:50:00Z", EventKind::Action, "Restart of payments workers (later found to drop in-flight payments)", "Bo Chen", None, false),
    ("2026-10-25T00:45:00Z", EventKind::Mitigated, "Pool limit rolled back to 400; 5xx ratio under 0.1%", "Cy Okafor", None, true),
    ("2026-10-25T01:30:00Z", EventKind::Resolved, "Queues drained and every order reconciled", "Ana Lima", None, true),
    ("2026-10-25T02:00:00Z", EventKind::StatusPageUpdated, "Status page: resolved", "Di Novak", None, false),
];

fn picture(record: &IncidentRecord, now: &str) -> String {
    let figures = record.figures(&MeetingPolicy::default(), utc(now));
    timeline_svg(record, &figures)
}

fn demo() -> String {
    let record = record(
        "Checkout returned 502s after a connection-pool change",
        events(&DEMO),
    );
    picture(&record, "2026-10-26T12:00:00Z")
}

#[test]
fn a_multi_day_incident_with_severity_changes_key_points_and_a_gap() {
    let svg = demo();
    assert_well_formed(&svg);
    for expected in [
        "24 Oct 23:00",         // full dates on the ticks: the incident spans two days
        "SEV-1 · 3h 0m",        // the band, labelled with its severity and duration
        "SEV-2 · 1h 38m",       //
        "no events for 1h 55m", // the gap between the restart and the rollback
        "Impact started 24 Oct 22:52 CEST",
        "Resolved 25 Oct 02:30 CET", // both sides of the DST change say which
        "Impact 4h 38m",
        "time to detect 6m",
    ] {
        assert!(svg.contains(expected), "{expected} missing from\n{svg}");
    }
    insta::assert_snapshot!(svg);
}

#[test]
fn an_unresolved_incident_ends_at_its_last_event_and_says_so() {
    let record = record("Checkout still failing", events(&DEMO[..9]));
    let svg = picture(&record, "2026-10-25T06:00:00Z");
    assert_well_formed(&svg);
    assert!(svg.contains("Not resolved"), "{svg}");
    assert!(!svg.contains("hs-tl-resolved"), "{svg}");
    assert!(svg.contains(r#"class="hs-tl-ongoing""#), "{svg}");
    // The last tick is before the last event, not at "now".
    assert!(
        !svg.contains(">06:00<") && !svg.contains(">07:00<"),
        "{svg}"
    );
    insta::assert_snapshot!(svg);
}

#[test]
fn an_empty_timeline_says_there_is_nothing_to_draw_yet() {
    let svg = picture(&record("Nothing yet", Vec::new()), "2026-10-25T06:00:00Z");
    assert_well_formed(&svg);
    assert!(svg.contains("No events on the timeline yet"), "{svg}");
    insta::assert_snapshot!(svg);
}

#[test]
fn no_text_from_a_person_reaches_the_picture_as_markup() {
    let hostile = "</title><script>alert(1)</script><text onload='x'>&amp;\u{7}";
    let mut rows = DEMO;
    rows[1].2 = hostile;
    rows[1].3 = hostile;
    rows[4].2 = "\"><script>alert(2)</script>";
    let title = "</title><script>alert(3)</script> & 'x'";
    let svg = picture(&record(title, events(&rows)), "2026-10-26T12:00:00Z");
    assert_well_formed(&svg);
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!svg.contains("<text onload"), "{svg}");
    assert!(!svg.contains("</title><script"), "{svg}");
    assert!(
        svg.contains("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{svg}"
    );
    assert!(
        svg.contains("&amp;amp;"),
        "an entity typed is shown, not read: {svg}"
    );
}

#[test]
fn the_page_shows_the_picture_at_the_top_of_the_timeline_section_and_no_script() {
    let mut rows = DEMO;
    rows[2].2 = "</title><script>alert(1)</script>";
    let record = record("<script>alert(2)</script>", events(&rows));
    let figures = record.figures(&MeetingPolicy::default(), utc("2026-10-26T12:00:00Z"));
    let page = hindsight_render::html::postmortem_page(&record, &figures, &Template::pagerduty());
    assert!(!page.contains("<script"), "{page}");
    assert_eq!(page.matches("<svg ").count(), 1, "{page}");
    let heading = page.find("<h2>Timeline</h2>").unwrap();
    let picture = page.find("<svg ").unwrap();
    assert_eq!(page[heading..picture].trim(), "<h2>Timeline</h2>");
    assert!(page[picture..].contains("&lt;/title&gt;&lt;script&gt;alert(1)"));

    // Without events there is nothing to draw, and the page says so in words only.
    let empty = record_without_events();
    let figures = empty.figures(&MeetingPolicy::default(), utc("2026-10-26T12:00:00Z"));
    let page = hindsight_render::html::postmortem_page(&empty, &figures, &Template::pagerduty());
    assert!(!page.contains("<svg"), "{page}");
}

fn record_without_events() -> IncidentRecord {
    record("Nothing yet", Vec::new())
}

/// The red, green and blue parts of `#rrggbb`.
fn rgb(hex: &str) -> (u8, u8, u8) {
    let part = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
    (part(1), part(3), part(5))
}

/// The markup of the first element with `class` up to the end of its group or element.
fn element_with_class<'a>(svg: &'a str, class: &str) -> &'a str {
    let start = svg
        .find(class)
        .unwrap_or_else(|| panic!("no {class} in\n{svg}"));
    let rest = &svg[start..];
    let end = rest.find("</g>").or_else(|| rest.find("/>")).unwrap();
    &rest[..end]
}

#[test]
fn the_start_of_impact_is_red_and_the_resolution_green() {
    let (r, g, b) = rgb(IMPACT_RED);
    assert!(r > 150 && g < 100 && b < 100, "{IMPACT_RED} is not red");
    let (r, g, b) = rgb(RESOLVED_GREEN);
    assert!(g > 100 && r < 80 && b < 80, "{RESOLVED_GREEN} is not green");

    let svg = demo();
    let started_line = element_with_class(&svg, "hs-tl-marker-line hs-tl-started");
    assert!(
        started_line.contains(&format!(r#"stroke="{IMPACT_RED}""#)),
        "{started_line}"
    );
    let started = element_with_class(&svg, "hs-tl-marker hs-tl-started");
    assert!(started.contains(&format!("fill:{IMPACT_RED}")), "{started}");
    assert!(started.contains("Impact started"), "{started}");
    let resolved_line = element_with_class(&svg, "hs-tl-marker-line hs-tl-resolved");
    assert!(
        resolved_line.contains(&format!(r#"stroke="{RESOLVED_GREEN}""#)),
        "{resolved_line}"
    );
    let resolved = element_with_class(&svg, "hs-tl-marker hs-tl-resolved");
    assert!(
        resolved.contains(&format!("fill:{RESOLVED_GREEN}")),
        "{resolved}"
    );
    assert!(resolved.contains("Resolved"), "{resolved}");
}

#[test]
fn the_picture_is_accessible_and_scales_to_its_container() {
    let svg = demo();
    let root = &svg[..svg.find('>').unwrap()];
    for attribute in [
        r#"xmlns="http://www.w3.org/2000/svg""#,
        r#"role="img""#,
        r#"width="100%""#,
        r#"viewBox="0 0 800 "#,
        r#"aria-labelledby="hs-tl-INC-7-title hs-tl-INC-7-desc""#,
    ] {
        assert!(root.contains(attribute), "{attribute} missing from {root}");
    }
    let desc = &svg[svg.find("<desc").unwrap()..svg.find("</desc>").unwrap()];
    for figure in ["Time to detect: 6m", "to resolve: 4h 38m", "SEV-1 3h 0m"] {
        assert!(desc.contains(figure), "{figure} missing from {desc}");
    }
    // No text under 11 units, so it stays readable on a phone.
    for size in svg.split("font-size: ").skip(1) {
        let px: f64 = size[..size.find("px").unwrap()].parse().unwrap();
        assert!(px >= 11.0, "font-size {px}px");
    }
}

#[test]
fn degenerate_timelines_draw_without_panicking() {
    let one = &DEMO[1..2];
    let mut same_instant: Vec<Row> = DEMO.to_vec();
    for row in &mut same_instant {
        row.0 = "2026-10-24T20:52:00Z";
    }
    let only_notes: Vec<Row> = vec![(
        "2026-10-24T20:52:00Z",
        EventKind::Note,
        "a note",
        "x",
        None,
        true,
    )];
    let centuries: Vec<Row> = vec![
        (
            "1900-01-01T00:00:00Z",
            EventKind::ImpactStarted,
            "long ago",
            "x",
            None,
            false,
        ),
        (
            "9999-12-31T23:59:59Z",
            EventKind::Resolved,
            "far ahead",
            "x",
            None,
            true,
        ),
    ];
    let seconds_apart: Vec<Row> = vec![
        (
            "2026-10-24T20:52:00Z",
            EventKind::ImpactStarted,
            "a",
            "x",
            None,
            false,
        ),
        (
            "2026-10-24T20:52:01Z",
            EventKind::Resolved,
            "b",
            "x",
            None,
            false,
        ),
    ];
    let many_key_points: Vec<Row> = (0..40)
        .map(|i| {
            let at = utc("2026-10-24T20:00:00Z") + TimeDelta::minutes(i * 3);
            let at: &'static str = Box::leak(at.to_rfc3339().into_boxed_str());
            (at, EventKind::Action, "step", "x", None, true)
        })
        .collect();
    for rows in [
        one,
        &same_instant[..],
        &only_notes[..],
        &centuries[..],
        &seconds_apart[..],
        &many_key_points[..],
    ] {
        let svg = picture(&record("Degenerate", events(rows)), "2026-10-26T12:00:00Z");
        assert_well_formed(&svg);
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }
}

/// A small check that the markup is well-formed XML: every element closes in order, no `<` or
/// stray `&` in text or attribute values.
fn assert_well_formed(svg: &str) {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        assert_text_is_escaped(&rest[..start], svg);
        let end = rest[start..].find('>').unwrap() + start;
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "a `<` inside the tag <{tag}>");
        let quotes = tag.matches('"').count();
        assert!(quotes.is_multiple_of(2), "unbalanced quotes in <{tag}>");
        for value in tag.split('"').skip(1).step_by(2) {
            assert_text_is_escaped(value, svg);
        }
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name), "</{name}> closes the wrong element");
        } else if !tag.ends_with('/') {
            open.push(tag.split_whitespace().next().unwrap());
        }
        rest = &rest[end + 1..];
    }
    assert!(open.is_empty(), "unclosed: {open:?}");
    assert_eq!(open.len(), 0);
    assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
}

fn assert_text_is_escaped(text: &str, svg: &str) {
    assert!(!text.contains('>') || text.trim().is_empty() || !text.contains('<'));
    for (i, _) in text.match_indices('&') {
        let entity = &text[i..text[i..].find(';').map_or(text.len(), |e| i + e + 1)];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity),
            "a stray `{entity}` in\n{svg}"
        );
    }
}
