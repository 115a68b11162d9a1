//! Post-mortem templates: which sections a document has, in which order, with what help.
//!
//! A section either holds Markdown a person writes (`Narrative`) or shows structured data kept
//! elsewhere in the document (the impact, the timeline, the action items…), optionally with
//! Markdown above it.

use serde::{Deserialize, Serialize};

/// What a section shows besides its Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionContent {
    Narrative,
    ContributingFactors,
    Impact,
    Timeline,
    Responders,
    HowdWeDo,
    ActionItems,
    Questions,
    /// The war room, links to logs and dashboards, and the commands used.
    SupportingInformation,
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
}

/// A post-mortem template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    pub title: String,
    pub sections: Vec<TemplateSection>,
}

impl Template {
    /// The template a post-mortem gets when none is chosen.
    pub const DEFAULT: &'static str = "pagerduty";

    /// The templates hindsight ships with.
    pub fn built_in() -> Vec<Template> {
        vec![Template::pagerduty()]
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
        let section =
            |id: &str, title: &str, required: bool, content, help: &str| TemplateSection {
                id: id.to_owned(),
                title: title.to_owned(),
                help: help.to_owned(),
                required,
                content,
            };
        Template {
            name: "pagerduty".into(),
            title: "PagerDuty-style post-mortem".into(),
            sections: vec![
                section(
                    "overview",
                    "Overview",
                    true,
                    Narrative,
                    "Two or three sentences: what happened, who was affected, how bad it was and how it was fixed.",
                ),
                section(
                    "what_happened",
                    "What happened",
                    true,
                    Narrative,
                    "The story of the incident in the order it unfolded, without blame: what the systems did and what people saw.",
                ),
                section(
                    "contributing_factors",
                    "Contributing factors",
                    true,
                    ContributingFactors,
                    "The conditions that together allowed this to happen. There is rarely a single root cause; ask 'why?' until the answers describe the system.",
                ),
                section(
                    "resolution",
                    "Resolution",
                    true,
                    Narrative,
                    "What fixed it, and how we knew it was fixed.",
                ),
                section(
                    "impact",
                    "Impact",
                    true,
                    Impact,
                    "Who and what was affected, in exact numbers: time in each severity, users and accounts affected, support requests, events dropped.",
                ),
                section(
                    "timeline",
                    "Timeline",
                    true,
                    Timeline,
                    "Key events in order, each with the evidence that shows it: a graph, a log search, a message.",
                ),
                section(
                    "responders",
                    "Responders",
                    false,
                    Responders,
                    "Who held each role and who else took part, with their job titles.",
                ),
                section(
                    "howd_we_do",
                    "How'd we do?",
                    false,
                    HowdWeDo,
                    "What went well, what did not, where we got lucky, and what we learn.",
                ),
                section(
                    "action_items",
                    "Action items",
                    true,
                    ActionItems,
                    "Follow-up tickets, each with an owner and a due date. Fewer, well-chosen actions beat a long list.",
                ),
                section(
                    "messaging",
                    "Messaging",
                    false,
                    Narrative,
                    "The internal e-mail to stakeholders and the external message for the status page.",
                ),
                section(
                    "supporting_information",
                    "Supporting information",
                    false,
                    SupportingInformation,
                    "Questions raised and their answers, where the response happened, links to logs and dashboards, and the commands used to look the data up.",
                ),
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
}
