//! The whole record of one incident: what a page, a report or a figure needs, in one value.

use crate::{
    action::{ActionItem, action_tags},
    calendar::MeetingPolicy,
    figures::Figures,
    incident::{Incident, IncidentStatus},
    postmortem::Postmortem,
    responders::Responders,
    template::{SectionContent, TemplateSection},
    timeline::{EventKind, TimelineEvent},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// An incident with its responders, timeline, post-mortem and action items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentRecord {
    pub incident: Incident,
    pub responders: Responders,
    /// Ordered by instant, then by the order the events were recorded.
    pub timeline: Vec<TimelineEvent>,
    pub postmortem: Postmortem,
    /// The version of the post-mortem document, for saves that must not overwrite a newer one.
    pub postmortem_version: u64,
    pub actions: Vec<ActionItem>,
}

impl IncidentRecord {
    pub fn figures(&self, policy: &MeetingPolicy, now: DateTime<Utc>) -> Figures {
        Figures::compute(
            self.incident.severity,
            self.incident.timezone,
            &self.timeline,
            policy,
            now,
        )
    }

    /// Resolved once the timeline has a resolution, mitigated once it has a mitigation.
    pub fn status(&self) -> IncidentStatus {
        let has = |kind| self.timeline.iter().any(|e| e.kind() == kind);
        if has(EventKind::Resolved) {
            IncidentStatus::Resolved
        } else if has(EventKind::Mitigated) {
            IncidentStatus::Mitigated
        } else {
            IncidentStatus::Active
        }
    }

    /// The day the incident happened, in its timezone: the start of impact, else its creation.
    pub fn date(&self, figures: &Figures) -> NaiveDate {
        figures
            .instants
            .started
            .unwrap_or(self.incident.created_at)
            .with_timezone(&self.incident.timezone)
            .date_naive()
    }

    /// The tags every follow-up ticket carries: `sev1`, `sev1_20261120`.
    pub fn action_tags(&self, figures: &Figures) -> [String; 2] {
        action_tags(figures.peak_severity, self.date(figures))
    }

    /// Whether a template section has nothing to show: no Markdown written, and none of the
    /// data it displays. Impact and figures are never empty: they are derived.
    pub fn section_is_empty(&self, section: &TemplateSection) -> bool {
        let pm = &self.postmortem;
        if pm.section(&section.id).is_some() {
            return false;
        }
        let howd = &pm.howd_we_do;
        let no_links = pm.communication.channel.is_none() && pm.communication.links.is_empty();
        match section.content {
            SectionContent::Narrative => true,
            SectionContent::ContributingFactors => pm.factors.is_empty(),
            SectionContent::Impact | SectionContent::Figures => false,
            SectionContent::Timeline => self.timeline.is_empty(),
            SectionContent::KeyPoints => !self.timeline.iter().any(|e| e.is_key_point()),
            SectionContent::Responders => self.responders.is_empty(),
            SectionContent::HowdWeDo => howd.is_empty(),
            SectionContent::WentWell => howd.went_well.is_empty(),
            SectionContent::WentWrong => howd.went_wrong.is_empty(),
            SectionContent::GotLucky => howd.got_lucky.is_empty(),
            SectionContent::Lessons => howd.lessons.is_empty(),
            SectionContent::ActionItems => self.actions.is_empty(),
            SectionContent::Questions => pm.questions.is_empty(),
            SectionContent::Communication => no_links,
            SectionContent::SupportingInformation => {
                pm.questions.is_empty() && pm.commands.is_empty() && no_links
            }
        }
    }
}
