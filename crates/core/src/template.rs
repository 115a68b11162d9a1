//! Post-mortem templates: which sections a document has, in which order, at which heading level,
//! with what help and what starting text.
//!
//! A section either holds Markdown a person writes (`Narrative`) or shows structured data kept
//! elsewhere in the document (the impact, the timeline, the action items…), optionally with
//! Markdown above it. Starting text may hold placeholders such as `{{title}}`, filled from the
//! incident whenever the section has not been written yet.

use serde::{Deserialize, Serialize};

/// What a section shows besides its Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionContent {
    Narrative,
    ContributingFactors,
    /// Impact figures, with the durations derived from the timeline.
    Impact,
    /// The key instants and the durations between them.
    Figures,
    Timeline,
    /// The events flagged as key points.
    KeyPoints,
    Responders,
    HowdWeDo,
    WentWell,
    WentWrong,
    GotLucky,
    Lessons,
    ActionItems,
    Questions,
    /// The war room and links to logs, dashboards and recordings.
    Communication,
    /// Questions, communication and the commands used, together.
    SupportingInformation,
}

impl SectionContent {
    pub const ALL: [SectionContent; 16] = [
        SectionContent::Narrative,
        SectionContent::ContributingFactors,
        SectionContent::Impact,
        SectionContent::Figures,
        SectionContent::Timeline,
        SectionContent::KeyPoints,
        SectionContent::Responders,
        SectionContent::HowdWeDo,
        SectionContent::WentWell,
        SectionContent::WentWrong,
        SectionContent::GotLucky,
        SectionContent::Lessons,
        SectionContent::ActionItems,
        SectionContent::Questions,
        SectionContent::Communication,
        SectionContent::SupportingInformation,
    ];
}

/// The placeholders starting text may use, each filled from the incident when shown.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("key", "the incident key, INC-42"),
    ("title", "the incident title"),
    ("severity", "the most severe level reached, SEV-1"),
    ("status", "active, mitigated or resolved"),
    ("services", "the affected services, comma-separated"),
    ("commander", "the incident commander"),
    ("owner", "the post-mortem owner"),
    (
        "responders",
        "everyone with a role or who took part, with job titles",
    ),
    ("date", "the day impact started, in the incident's timezone"),
    ("started_at", "when impact started"),
    ("detected_at", "when it was detected"),
    ("mitigated_at", "when it was mitigated"),
    ("resolved_at", "when it was resolved"),
    ("impact_duration", "from the start of impact to resolution"),
    ("time_to_detect", "from the start of impact to detection"),
    ("time_to_acknowledge", "from detection to acknowledgement"),
    ("time_to_mitigate", "from the start of impact to mitigation"),
    ("time_to_resolve", "from the start of impact to resolution"),
    (
        "meeting_deadline",
        "the last day for the post-mortem meeting",
    ),
];

/// The `{{name}}` placeholders in `text`, in order, as written (without braces), and any
/// unclosed `{{` as an error.
pub fn placeholders_in(text: &str) -> Result<Vec<&str>, String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or_else(|| {
            format!(
                "`{{{{` without a closing `}}}}` near `{}`",
                excerpt(&rest[open..])
            )
        })?;
        found.push(after[..close].trim());
        rest = &after[close + 2..];
    }
    Ok(found)
}

fn excerpt(text: &str) -> String {
    text.chars().take(24).collect()
}

/// Fills every `{{name}}` of `text` with `value(name)`; unknown names are left as written.
pub fn fill_placeholders(text: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => {
                let name = after[..close].trim();
                match value(name) {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&rest[open..open + 2 + close + 2]),
                }
                rest = &after[close + 2..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// One section of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSection {
    /// The key its Markdown is stored under: `overview`.
    pub id: String,
    pub title: String,
    /// What to write here, for the person writing.
    pub help: String,
    /// A required section left empty is a readiness error.
    pub required: bool,
    pub content: SectionContent,
    /// The Markdown heading level: 2 for a section, 3 or 4 for a part of the one above.
    #[serde(default = "section_level")]
    pub level: u8,
    /// Shown, with its placeholders filled, until someone writes the section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_text: Option<String>,
}

fn section_level() -> u8 {
    2
}

/// A post-mortem template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// What `--template` names: `pagerduty`.
    pub name: String,
    pub title: String,
    /// Where it comes from and when to use it.
    #[serde(default)]
    pub description: String,
    pub sections: Vec<TemplateSection>,
}

/// A section of a built-in template.
fn section(
    id: &str,
    title: &str,
    level: u8,
    required: bool,
    content: SectionContent,
    help: &str,
) -> TemplateSection {
    TemplateSection {
        id: id.to_owned(),
        title: title.to_owned(),
        help: help.to_owned(),
        required,
        content,
        level,
        starting_text: None,
    }
}

impl Template {
    /// The template a post-mortem gets when none is chosen.
    pub const DEFAULT: &'static str = "pagerduty";

    /// The templates hindsight ships with.
    pub fn built_in() -> Vec<Template> {
        vec![
            Template::pagerduty(),
            Template::observations(),
            Template::google_sre(),
        ]
    }

    /// A built-in template by name.
    pub fn find_built_in(name: &str) -> Option<Template> {
        Template::built_in()
            .into_iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// The PagerDuty-style template: overview, what happened, contributing factors, resolution,
    /// impact, timeline, responders, how'd we do, action items, messaging.
    pub fn pagerduty() -> Template {
        use SectionContent::*;
        Template {
            name: "pagerduty".into(),
            title: "PagerDuty-style post-mortem".into(),
            description: "After PagerDuty's post-mortem template: a narrative, contributing factors instead of one root cause, and the messaging to stakeholders and customers.".into(),
            sections: vec![
                section("overview", "Overview", 2, true, Narrative,
                    "Two or three sentences: what happened, who was affected, how bad it was and how it was fixed."),
                section("what_happened", "What happened", 2, true, Narrative,
                    "The story of the incident in the order it unfolded, without blame: what the systems did and what people saw."),
                section("contributing_factors", "Contributing factors", 2, true, ContributingFactors,
                    "The conditions that together allowed this to happen. There is rarely a single root cause; ask 'why?' until the answers describe the system."),
                section("resolution", "Resolution", 2, true, Narrative,
                    "What fixed it, and how we knew it was fixed."),
                section("impact", "Impact", 2, true, Impact,
                    "Who and what was affected, in exact numbers: time in each severity, users and accounts affected, support requests, events dropped."),
                section("timeline", "Timeline", 2, true, Timeline,
                    "Key events in order, each with the evidence that shows it: a graph, a log search, a message."),
                section("responders", "Responders", 2, false, Responders,
                    "Who held each role and who else took part, with their job titles."),
                section("howd_we_do", "How'd we do?", 2, false, HowdWeDo,
                    "What went well, what did not, where we got lucky, and what we learn."),
                section("action_items", "Action items", 2, true, ActionItems,
                    "Follow-up tickets, each with an owner and a due date. Fewer, well-chosen actions beat a long list."),
                section("messaging", "Messaging", 2, false, Narrative,
                    "The internal e-mail to stakeholders and the external message for the status page."),
                section("supporting_information", "Supporting information", 2, false, SupportingInformation,
                    "Questions raised and their answers, where the response happened, links to logs and dashboards, and the commands used to look the data up."),
            ],
        }
    }

    /// The observations-style template: what was seen before what was concluded.
    pub fn observations() -> Template {
        use SectionContent::*;
        Template {
            name: "observations".into(),
            title: "Observations-style post-mortem".into(),
            description: "Starts from what people observed and the symptoms, then the hypothesis and the remediation; suits incidents whose cause took a while to find.".into(),
            sections: vec![
                section("observations", "Observations", 2, true, Narrative,
                    "What people saw, in their own words, before any conclusion."),
                section("symptoms", "Symptoms", 2, true, Narrative,
                    "How the problem showed itself to users and to monitoring."),
                section("hypothesis", "Hypothesis", 2, true, ContributingFactors,
                    "What we believe allowed this to happen, and the evidence for it."),
                section("remediation", "Remediation", 2, true, Narrative,
                    "What was done to stop the impact, and what will stop it recurring."),
                section("impact", "Impact", 2, true, Impact,
                    "Who and what was affected, in exact numbers."),
                section("key_points", "Key points", 2, false, KeyPoints,
                    "The few moments that mattered most; flag them on the timeline."),
                section("participants", "Participants", 2, false, Responders,
                    "Everyone who took part, with their role and job title."),
                section("timeline", "Timeline", 2, true, Timeline,
                    "Every event in order, with its evidence."),
                section("additional_details", "Additional details", 2, false, Narrative,
                    "Perspectives gathered from people outside the incident channel."),
                section("communication", "Communication", 2, false, Communication,
                    "Where the war room was, links to logs and dashboards, the call recording."),
                section("images", "Images", 2, false, Narrative,
                    "Screenshots and graphs as they looked at the time."),
                section("tasks", "Tasks", 2, true, ActionItems,
                    "Follow-up tickets, each with an owner and a due date."),
                section("questions", "Questions", 2, false, Questions,
                    "Questions raised before or in the meeting, with their answers."),
                section("what_went_well", "What went well", 2, false, WentWell, "What helped."),
                section("what_did_not_go_well", "What did not go well", 2, false, WentWrong,
                    "What hindered, without naming anyone as the cause."),
                section("what_we_learn", "What we learn", 2, false, Lessons,
                    "What we now know that we did not before."),
            ],
        }
    }

    /// The template of Google's Site Reliability Engineering book.
    pub fn google_sre() -> Template {
        use SectionContent::*;
        Template {
            name: "google-sre".into(),
            title: "Google SRE book post-mortem".into(),
            description: "The example post-mortem of the Site Reliability Engineering book (Beyer, Jones, Petoff, Murphy), chapter 15.".into(),
            sections: vec![
                section("summary", "Summary", 2, true, Narrative,
                    "What happened, in a few sentences."),
                section("impact", "Impact", 2, true, Impact,
                    "Who was affected and how much, in exact numbers."),
                section("root_causes", "Root causes", 2, true, ContributingFactors,
                    "The conditions that allowed this to happen; usually several."),
                section("trigger", "Trigger", 2, true, Narrative,
                    "What set the latent problem off."),
                section("resolution", "Resolution", 2, true, Narrative,
                    "What stopped the impact."),
                section("detection", "Detection", 2, true, Figures,
                    "How and when we found out; whether monitoring or people noticed first."),
                section("action_items", "Action items", 2, true, ActionItems,
                    "Each with an owner, a due date, and a ticket."),
                section("lessons_learned", "Lessons learned", 2, false, Narrative,
                    "What we learn, in three parts."),
                section("went_well", "What went well", 3, false, WentWell, "What helped."),
                section("went_wrong", "What went wrong", 3, false, WentWrong, "What hindered."),
                section("got_lucky", "Where we got lucky", 3, false, GotLucky,
                    "What could have gone worse, and did not by chance."),
                section("timeline", "Timeline", 2, true, Timeline,
                    "The events in order, with evidence."),
                section("supporting_information", "Supporting information", 2, false, SupportingInformation,
                    "Links to dashboards, logs and documents; the commands used."),
            ],
        }
    }

    pub fn section(&self, id: &str) -> Option<&TemplateSection> {
        self.sections.iter().find(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pagerduty_template_has_every_section_of_the_brief_once() {
        let t = Template::pagerduty();
        let ids: Vec<_> = t.sections.iter().map(|s| s.id.as_str()).collect();
        for id in [
            "overview",
            "what_happened",
            "contributing_factors",
            "resolution",
            "impact",
            "timeline",
            "responders",
            "howd_we_do",
            "action_items",
            "messaging",
        ] {
            assert_eq!(ids.iter().filter(|i| **i == id).count(), 1, "{id}");
        }
        assert_eq!(Template::find_built_in("PagerDuty"), Some(t));
    }

    #[test]
    fn every_built_in_template_has_unique_section_ids_and_valid_levels() {
        for t in Template::built_in() {
            let mut ids: Vec<_> = t.sections.iter().map(|s| s.id.as_str()).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), t.sections.len(), "{}", t.name);
            assert!(
                t.sections.iter().all(|s| (2..=4).contains(&s.level)),
                "{}",
                t.name
            );
        }
    }

    #[test]
    fn placeholders_are_found_and_filled() {
        assert_eq!(
            placeholders_in("{{ key }}: {{title}}"),
            Ok(vec!["key", "title"])
        );
        assert!(placeholders_in("{{key").is_err());
        let filled = fill_placeholders("{{key}} / {{nope}} / {{ title }}", |name| match name {
            "key" => Some("INC-1".into()),
            "title" => Some("Down".into()),
            _ => None,
        });
        assert_eq!(filled, "INC-1 / {{nope}} / Down");
    }
}
