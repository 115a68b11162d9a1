//! The post-mortem as GitHub-flavoured Markdown, section by section in its template's order.
//! Every section of the template is present; an empty one says so and shows its help, so a
//! draft shows what is left to write.

use crate::local_time;
use hindsight_core::{
    IncidentRecord, SectionContent, Template, TemplateSection,
    figures::{Figures, describe_duration, human_duration},
};
use std::fmt::Write;

/// Renders the whole document.
pub fn postmortem(record: &IncidentRecord, figures: &Figures, template: &Template) -> String {
    document(record, figures, template).0
}

/// The whole document, and the byte offset where the heading of its timeline section starts
/// (none when the template has no timeline section): the HTML page puts the picture under it.
pub(crate) fn document(
    record: &IncidentRecord,
    figures: &Figures,
    template: &Template,
) -> (String, Option<usize>) {
    let mut timeline_heading = None;
    let mut out = String::new();
    let incident = &record.incident;
    let pm = &record.postmortem;
    let _ = writeln!(
        out,
        "# {}: {}\n",
        incident.key,
        one_line(incident.title.as_str())
    );

    let severity = if figures.peak_severity == figures.current_severity {
        figures.peak_severity.to_string()
    } else {
        format!(
            "{} (peak), now {}",
            figures.peak_severity, figures.current_severity
        )
    };
    let services = incident
        .services
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let facts = [
        ("Severity", severity),
        ("Status", record.status().to_string()),
        ("Services", or_dash(&services)),
        (
            "Post-mortem owner",
            pm.owner
                .as_ref()
                .map_or("not designated yet".to_owned(), |o| o.to_string()),
        ),
        ("Post-mortem status", pm.status.as_str().replace('_', " ")),
        (
            "Meeting deadline",
            figures
                .meeting_deadline
                .map_or("set once the incident is resolved".to_owned(), |d| {
                    d.format("%A %Y-%m-%d").to_string()
                }),
        ),
        ("Meeting", meeting(record)),
        ("Timezone", incident.timezone.name().to_owned()),
        ("Ticket tags", record.action_tags(figures).join(", ")),
    ];
    let _ = writeln!(out, "| Incident | {} |\n|---|---|", incident.key);
    for (name, value) in facts {
        let _ = writeln!(out, "| {name} | {} |", cell(&value));
    }
    out.push('\n');

    for section in &template.sections {
        let hashes = "#".repeat(usize::from(section.level.clamp(2, 4)));
        if section.content == SectionContent::Timeline && timeline_heading.is_none() {
            timeline_heading = Some(out.len());
        }
        let _ = writeln!(out, "{hashes} {}\n", section.title);
        out.push_str(&section_body(section, record, figures));
    }
    let checklists = &pm.checklists;
    if !checklists.is_empty() {
        let open = checklists.iter().filter(|i| !i.done).count();
        let _ = writeln!(
            out,
            "## After-incident checklist\n\n{open} of {} still open.\n",
            checklists.len()
        );
        for item in checklists {
            let _ = writeln!(
                out,
                "- [{}] **{}**: {}",
                if item.done { "x" } else { " " },
                item.role.title(),
                one_line(&item.text)
            );
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    (out, timeline_heading)
}

/// The body of one section, without its heading: what was written (or the template's starting
/// text), then the data the section shows; "not written yet" with the help when both are empty.
/// The web page renders each section through this, so it reads like the exports.
pub fn section_body(
    section: &TemplateSection,
    record: &IncidentRecord,
    figures: &Figures,
) -> String {
    let mut out = String::new();
    let written = record
        .postmortem
        .section(&section.id)
        .map(str::to_owned)
        .or_else(|| {
            section
                .starting_text
                .as_deref()
                .map(|text| crate::fill_placeholders(text, record, figures))
        });
    if let Some(markdown) = &written {
        out.push_str(markdown.trim_end());
        out.push_str("\n\n");
    }
    match structured(section, record, figures) {
        Some(body) => out.push_str(&body),
        None if written.is_none() => {
            let _ = writeln!(out, "_Not written yet._ {}\n", section.help);
        }
        None => {}
    }
    out
}

/// When the meeting is and who runs it.
fn meeting(record: &IncidentRecord) -> String {
    let meeting = &record.postmortem.meeting;
    let when = meeting
        .scheduled_for
        .map_or("not scheduled yet".to_owned(), |at| {
            local_time(at, record.incident.timezone)
        });
    let mut parts = vec![when];
    if let Some(moderator) = &meeting.moderator {
        parts.push(format!("moderator {moderator}"));
    }
    if let Some(note_taker) = &meeting.note_taker {
        parts.push(format!("note-taker {note_taker}"));
    }
    parts.join(", ")
}

/// The structured part of a section, or `None` when it has nothing to show.
fn structured(
    section: &TemplateSection,
    record: &IncidentRecord,
    figures: &Figures,
) -> Option<String> {
    match section.content {
        SectionContent::Narrative => None,
        SectionContent::ContributingFactors => factors(record),
        SectionContent::Impact => Some(impact(record, figures)),
        SectionContent::Figures => Some(key_figures(record, figures)),
        SectionContent::Timeline => timeline(record),
        SectionContent::KeyPoints => key_points(record),
        SectionContent::Responders => responders(record),
        SectionContent::HowdWeDo => howd_we_do(record),
        SectionContent::WentWell => list(&record.postmortem.howd_we_do.went_well),
        SectionContent::WentWrong => list(&record.postmortem.howd_we_do.went_wrong),
        SectionContent::GotLucky => list(&record.postmortem.howd_we_do.got_lucky),
        SectionContent::Lessons => list(&record.postmortem.howd_we_do.lessons),
        SectionContent::ActionItems => actions(record, figures),
        SectionContent::Questions => questions(record),
        SectionContent::Communication => communication(record),
        SectionContent::SupportingInformation => supporting(record),
    }
}

fn factors(record: &IncidentRecord) -> Option<String> {
    let factors = &record.postmortem.factors;
    if factors.is_empty() {
        return None;
    }
    let mut out = String::new();
    for (i, factor) in factors.iter().enumerate() {
        let worse = if factor.made_worse {
            " _(a response action that made things worse)_"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{}. **{}** — {}{}",
            i + 1,
            factor.category.as_str().replace('_', " "),
            one_line(&factor.description),
            worse
        );
        for (depth, why) in factor.whys.iter().enumerate() {
            let _ = writeln!(out, "   {}. Why? {}", depth + 1, one_line(why));
        }
    }
    out.push('\n');
    Some(out)
}

fn impact(record: &IncidentRecord, figures: &Figures) -> String {
    let duration = describe_duration;
    let count = |n: Option<u64>| n.map_or("not recorded".to_owned(), |n| n.to_string());
    let impact = &record.postmortem.impact;
    let mut rows = vec![
        (
            "Impact duration".to_owned(),
            duration(figures.impact_duration_s),
        ),
        (
            "Time to detect".to_owned(),
            duration(figures.time_to_detect_s),
        ),
        (
            "Time to acknowledge".to_owned(),
            duration(figures.time_to_acknowledge_s),
        ),
        (
            "Time to mitigate".to_owned(),
            duration(figures.time_to_mitigate_s),
        ),
        (
            "Time to resolve".to_owned(),
            duration(figures.time_to_resolve_s),
        ),
    ];
    for (severity, seconds) in &figures.time_in_severity_s {
        rows.push((format!("Time in {severity}"), duration(Some(*seconds))));
    }
    rows.extend([
        ("Users affected".to_owned(), count(impact.users_affected)),
        (
            "Accounts affected".to_owned(),
            count(impact.accounts_affected),
        ),
        (
            "Notifications delivered out of SLA".to_owned(),
            count(impact.notifications_out_of_sla),
        ),
        (
            "Events dropped or not accepted".to_owned(),
            match impact.events_dropped {
                Some(n) => format!("{n} (checked)"),
                None => "not checked yet".to_owned(),
            },
        ),
        (
            "Support requests raised".to_owned(),
            count(impact.support_requests),
        ),
    ]);
    for figure in &impact.custom {
        let unit = figure
            .unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        rows.push((figure.name.to_string(), format!("{}{unit}", figure.value)));
    }
    let mut out = String::from("| Figure | Value |\n|---|---|\n");
    for (name, value) in rows {
        let _ = writeln!(out, "| {} | {} |", cell(&name), cell(&value));
    }
    if !impact.support_tickets.is_empty() {
        out.push_str("\nSupport tickets: ");
        let links: Vec<_> = impact
            .support_tickets
            .iter()
            .map(|url| format!("<{}>", md_url(url)))
            .collect();
        out.push_str(&links.join(", "));
        out.push('\n');
    }
    out.push('\n');
    out
}

fn timeline(record: &IncidentRecord) -> Option<String> {
    if record.timeline.is_empty() {
        return None;
    }
    let tz = record.incident.timezone;
    let mut out = String::new();
    if let Some(points) = key_points(record) {
        out.push_str("**Key points**\n\n");
        out.push_str(&points);
    }
    let _ = writeln!(
        out,
        "| Time ({}) | Event | What happened | Who | Evidence |",
        tz.name()
    );
    out.push_str("|---|---|---|---|---|\n");
    for event in &record.timeline {
        let mut kind = event.kind().label().to_owned();
        if let Some(severity) = event.severity() {
            let _ = write!(kind, " ({severity})");
        }
        let mut text = cell(event.text());
        if event.is_key_point() {
            text = format!("**{text}**");
        }
        let evidence = event
            .evidence()
            .iter()
            .enumerate()
            .map(|(i, url)| format!("[{}]({})", i + 1, md_url(url)))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            local_time(event.at(), tz),
            kind,
            text,
            cell(event.author().unwrap_or("")),
            or_dash(&evidence)
        );
    }
    out.push('\n');
    Some(out)
}

fn responders(record: &IncidentRecord) -> Option<String> {
    if record.responders.is_empty() {
        return None;
    }
    let mut out = String::new();
    for (role, person) in record.responders.iter() {
        let _ = writeln!(
            out,
            "- **{}**: {}",
            role.title(),
            one_line(&person.to_string())
        );
    }
    out.push('\n');
    Some(out)
}

fn howd_we_do(record: &IncidentRecord) -> Option<String> {
    let howd = &record.postmortem.howd_we_do;
    if howd.is_empty() {
        return None;
    }
    let mut out = String::new();
    for (title, items) in [
        ("What went well", &howd.went_well),
        ("What did not go well", &howd.went_wrong),
        ("Where we got lucky", &howd.got_lucky),
        ("What we learn", &howd.lessons),
    ] {
        let _ = writeln!(out, "### {title}\n");
        if items.is_empty() {
            out.push_str("_Nothing recorded._\n\n");
            continue;
        }
        for item in items {
            let _ = writeln!(out, "- {}", one_line(item));
        }
        out.push('\n');
    }
    Some(out)
}

fn actions(record: &IncidentRecord, figures: &Figures) -> Option<String> {
    if record.actions.is_empty() {
        return None;
    }
    let mut out = String::from(
        "| # | Action | Owner | Due | Priority | Kind | Impact / effort | Status | Ticket |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for action in &record.actions {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} / {} | {} | {} |",
            action.id,
            cell(action.title.as_str()),
            action
                .owner
                .as_ref()
                .map_or("**none**".to_owned(), |o| cell(o.as_str())),
            action.due.map_or("**none**".to_owned(), |d| d.to_string()),
            action.priority.as_str().to_uppercase(),
            action.kind.as_str().replace('_', " "),
            action.impact,
            action.effort,
            action.status.as_str().replace('_', " "),
            action
                .ticket
                .as_ref()
                .map_or("—".to_owned(), |t| format!("<{}>", md_url(t))),
        );
    }
    let _ = writeln!(
        out,
        "\nEvery ticket is tagged {}.\n",
        record.action_tags(figures).join(" and ")
    );
    Some(out)
}

fn questions(record: &IncidentRecord) -> Option<String> {
    let questions = &record.postmortem.questions;
    if questions.is_empty() {
        return None;
    }
    let mut out = String::new();
    for q in questions {
        let asked = q
            .asked_by
            .as_deref()
            .map(|a| format!(" _(asked by {})_", one_line(a)))
            .unwrap_or_default();
        let _ = writeln!(out, "- **Q:** {}{asked}", one_line(&q.question));
        let answer = q
            .answer
            .as_deref()
            .map_or("_not answered yet_".to_owned(), one_line);
        let _ = writeln!(out, "  **A:** {answer}");
    }
    out.push('\n');
    Some(out)
}

fn supporting(record: &IncidentRecord) -> Option<String> {
    let pm = &record.postmortem;
    let mut out = String::new();
    if let Some(q) = questions(record) {
        out.push_str("### Questions\n\n");
        out.push_str(&q);
    }
    if let Some(links) = communication(record) {
        out.push_str("### Communication\n\n");
        out.push_str(&links);
    }
    if !pm.commands.is_empty() {
        out.push_str("### Commands and queries used\n\n");
        for command in &pm.commands {
            let fence = fence_for(&command.command);
            let _ = writeln!(
                out,
                "{}\n\n{fence}\n{}\n{fence}\n",
                one_line(&command.description),
                command.command.trim_end()
            );
        }
    }
    (!out.is_empty()).then_some(out)
}

fn key_points(record: &IncidentRecord) -> Option<String> {
    let tz = record.incident.timezone;
    let mut out = String::new();
    for event in record.timeline.iter().filter(|e| e.is_key_point()) {
        let _ = writeln!(
            out,
            "- {} — {}",
            local_time(event.at(), tz),
            one_line(event.text())
        );
    }
    (!out.is_empty()).then(|| out + "\n")
}

fn communication(record: &IncidentRecord) -> Option<String> {
    let comms = &record.postmortem.communication;
    let mut out = String::new();
    if let Some(channel) = &comms.channel {
        let _ = writeln!(out, "- War room: {}", one_line(channel));
    }
    for link in &comms.links {
        let title = link
            .title
            .as_deref()
            .map(one_line)
            .unwrap_or_else(|| link.url.to_string());
        let _ = writeln!(
            out,
            "- {}: [{}]({})",
            link.kind,
            link_text(&title),
            md_url(&link.url)
        );
    }
    (!out.is_empty()).then(|| out + "\n")
}

fn list(items: &[String]) -> Option<String> {
    let mut out = String::new();
    for item in items {
        let _ = writeln!(out, "- {}", one_line(item));
    }
    (!out.is_empty()).then(|| out + "\n")
}

/// The key instants, each with the time since the start of impact.
fn key_figures(record: &IncidentRecord, figures: &Figures) -> String {
    let tz = record.incident.timezone;
    let i = &figures.instants;
    let mut out = String::from("| Moment | When | Since the start of impact |\n|---|---|---|\n");
    for (name, instant) in [
        ("Impact started", i.started),
        ("Detected", i.detected),
        ("Acknowledged", i.acknowledged),
        ("Mitigated", i.mitigated),
        ("Resolved", i.resolved),
    ] {
        let when = instant.map_or("—".to_owned(), |at| local_time(at, tz));
        let since = match (i.started, instant) {
            (Some(start), Some(at)) => human_duration((at - start).num_seconds()),
            _ => "—".to_owned(),
        };
        let _ = writeln!(out, "| {name} | {when} | {since} |");
    }
    out.push('\n');
    out
}

/// A code fence longer than any run of backticks inside the code.
fn fence_for(code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

/// Text safe inside a table cell: pipes escaped, line breaks (of any kind) kept as `<br>`.
fn cell(text: &str) -> String {
    text.trim()
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "<br>")
}

/// A link target that cannot end a link or a table cell early: the characters Markdown reads
/// there are percent-encoded, which leaves the address the same.
fn md_url(url: &url::Url) -> String {
    url.as_str()
        .replace('|', "%7C")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('<', "%3C")
        .replace('>', "%3E")
        .replace(' ', "%20")
}

/// Link text that cannot close the link or open another.
fn link_text(text: &str) -> String {
    one_line(text)
        .replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// Text on one line, for list items and headings.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "—".to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_keep_pipes_and_line_breaks_from_breaking_the_table() {
        assert_eq!(cell("a | b\nc"), "a \\| b<br>c");
    }

    #[test]
    fn a_link_with_pipes_or_parentheses_cannot_break_its_table_cell_or_link() {
        let url = url::Url::parse("https://g.example.com/d?a|b&f=(x)").unwrap();
        assert_eq!(md_url(&url), "https://g.example.com/d?a%7Cb&f=%28x%29");
        assert_eq!(cell("a\rb"), "a<br>b");
    }

    #[test]
    fn a_link_title_cannot_open_another_link() {
        assert_eq!(
            link_text("a](https://evil.example) [b"),
            "a\\](https://evil.example) \\[b"
        );
    }

    #[test]
    fn code_fences_outgrow_backticks_in_the_code() {
        assert_eq!(fence_for("ls"), "```");
        assert_eq!(fence_for("echo ````"), "`````");
    }
}
