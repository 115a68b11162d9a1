//! The post-mortem document: its owner, sections, impact, contributing factors, how we did,
//! questions, communication links, the commands used, and the meeting.

use crate::action::named_enum;
use crate::text::{self, Line, TextError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, fmt, str::FromStr};
use url::Url;

named_enum!(
    /// Where a post-mortem is in its life. Moving forward is gated by the readiness check.
    PostmortemStatus, "post-mortem status" {
        Draft = "draft", InReview = "in_review", Reviewed = "reviewed",
        Published = "published", Closed = "closed"
    }
);

/// The whole post-mortem document of one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Postmortem {
    /// The person who writes the document and runs the meeting.
    #[serde(default)]
    pub owner: Option<Line>,
    /// The template it was created from.
    pub template: String,
    pub status: PostmortemStatus,
    /// Markdown by section id of the template.
    #[serde(default)]
    pub sections: BTreeMap<String, String>,
    #[serde(default)]
    pub impact: Impact,
    #[serde(default)]
    pub factors: Vec<ContributingFactor>,
    #[serde(default)]
    pub howd_we_do: HowdWeDo,
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default)]
    pub communication: Communication,
    #[serde(default)]
    pub commands: Vec<CommandUsed>,
    #[serde(default)]
    pub meeting: Meeting,
    #[serde(default)]
    pub messages: Messages,
    /// Each role's after-incident checklist, made when the incident is resolved.
    #[serde(default)]
    pub checklists: Vec<ChecklistItem>,
}

impl PostmortemStatus {
    /// Whether the review is over: published or closed.
    pub fn is_finished(self) -> bool {
        matches!(self, PostmortemStatus::Published | PostmortemStatus::Closed)
    }
}

impl Postmortem {
    /// An empty draft from `template`.
    pub fn new(template: &str) -> Self {
        Postmortem {
            owner: None,
            template: template.to_owned(),
            status: PostmortemStatus::Draft,
            sections: BTreeMap::new(),
            impact: Impact::default(),
            factors: Vec::new(),
            howd_we_do: HowdWeDo::default(),
            questions: Vec::new(),
            communication: Communication::default(),
            commands: Vec::new(),
            meeting: Meeting::default(),
            messages: Messages::default(),
            checklists: Vec::new(),
        }
    }

    /// The Markdown of a section, if anything was written there.
    pub fn section(&self, id: &str) -> Option<&str> {
        self.sections
            .get(id)
            .map(String::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    /// Writes a section; empty text removes it.
    pub fn set_section(&mut self, id: &str, markdown: &str) -> Result<(), TextError> {
        match text::optional("section", Some(markdown), text::LONG)? {
            Some(_) => {
                self.sections
                    .insert(id.to_owned(), markdown.trim_end().to_owned());
            }
            None => {
                self.sections.remove(id);
            }
        }
        Ok(())
    }
}

/// A number kept exactly as written: `1234`, `-3`, `0.25`. Money and ratios are not rounded
/// through a float on their way to a report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExactNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a number: expected digits with an optional sign and decimal point, like 1234 or 0.25"
)]
pub struct NotANumber(pub String);

impl FromStr for ExactNumber {
    type Err = NotANumber;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let ok = !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit())
            && !(digits.contains('.') && fraction.is_empty());
        if ok {
            Ok(ExactNumber(t.to_owned()))
        } else {
            Err(NotANumber(s.to_owned()))
        }
    }
}

impl TryFrom<String> for ExactNumber {
    type Error = NotANumber;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<ExactNumber> for String {
    fn from(value: ExactNumber) -> Self {
        value.0
    }
}

impl fmt::Display for ExactNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A team's own impact figure: "orders lost: 312", "refunds: 1520.50 EUR".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CustomFigure {
    pub name: Line,
    pub value: ExactNumber,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// The measured impact, in exact numbers. `None` means "not filled in yet"; the time in each
/// severity is not here because it is derived from the timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Impact {
    pub notifications_out_of_sla: Option<u64>,
    /// Expected to be zero, but it must be checked: `Some(0)` records that someone checked.
    pub events_dropped: Option<u64>,
    pub accounts_affected: Option<u64>,
    pub users_affected: Option<u64>,
    pub support_requests: Option<u64>,
    #[serde(default)]
    pub support_tickets: Vec<Url>,
    #[serde(default)]
    pub custom: Vec<CustomFigure>,
    /// Whether the affected services were entirely down, rather than degraded. The external
    /// message may say "outage" only then.
    #[serde(default)]
    pub full_outage: bool,
}

named_enum!(
    /// What kind of thing a contributing factor is.
    FactorCategory, "factor category" {
        Technical = "technical", Process = "process", HumanFactors = "human_factors",
        External = "external", Organisational = "organisational", Other = "other"
    }
);

/// One of the things that together let the incident happen. There is no single root cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ContributingFactor {
    pub category: FactorCategory,
    pub description: String,
    /// An optional "5 whys" chain, each answer asking the next why.
    #[serde(default)]
    pub whys: Vec<String>,
    /// An action taken during the response that made things worse, recorded to learn from.
    #[serde(default)]
    pub made_worse: bool,
}

impl ContributingFactor {
    pub fn new(category: FactorCategory, description: &str) -> Result<Self, TextError> {
        Ok(ContributingFactor {
            category,
            description: text::required("description", description, text::LONG)?,
            whys: Vec::new(),
            made_worse: false,
        })
    }
}

/// How'd we do: what went well, what did not, where we got lucky, what we learn.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HowdWeDo {
    #[serde(default)]
    pub went_well: Vec<String>,
    #[serde(default)]
    pub went_wrong: Vec<String>,
    #[serde(default)]
    pub got_lucky: Vec<String>,
    #[serde(default)]
    pub lessons: Vec<String>,
}

named_enum!(
    /// A list of How'd we do.
    HowdList, "list" {
        WentWell = "went_well", WentWrong = "went_wrong", GotLucky = "got_lucky", Lessons = "lessons"
    }
);

impl HowdWeDo {
    pub fn list_mut(&mut self, list: HowdList) -> &mut Vec<String> {
        match list {
            HowdList::WentWell => &mut self.went_well,
            HowdList::WentWrong => &mut self.went_wrong,
            HowdList::GotLucky => &mut self.got_lucky,
            HowdList::Lessons => &mut self.lessons,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.went_well.is_empty()
            && self.went_wrong.is_empty()
            && self.got_lucky.is_empty()
            && self.lessons.is_empty()
    }
}

/// A question raised before or in the meeting, with its answer once known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Question {
    pub question: String,
    #[serde(default)]
    pub answer: Option<String>,
    #[serde(default)]
    pub asked_by: Option<String>,
}

named_enum!(
    /// What a communication link points at.
    LinkKind, "link kind" {
        Log = "log", Dashboard = "dashboard", Recording = "recording",
        Ticket = "ticket", Document = "document", Other = "other"
    }
);

/// A link with what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Link {
    pub kind: LinkKind,
    pub url: Url,
    #[serde(default)]
    pub title: Option<String>,
}

/// Where the response happened and where to look it up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Communication {
    /// The war room: the chat channel the response ran in.
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub links: Vec<Link>,
}

/// A command or query used to look the data up, so others can rerun it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CommandUsed {
    pub description: String,
    pub command: String,
}

/// The post-mortem meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Meeting {
    pub scheduled_for: Option<DateTime<Utc>>,
    pub moderator: Option<Line>,
    pub note_taker: Option<Line>,
}

/// The drafts of the messages that tell people what happened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Messages {
    /// The internal e-mail: a short paragraph and the link, sent after the meeting.
    #[serde(default)]
    pub internal: Option<String>,
    /// The external message for the status page: what happened, what we are doing, an apology.
    #[serde(default)]
    pub external: Option<String>,
}

named_enum!(
    /// Which message.
    MessageKind, "message" { Internal = "internal", External = "external" }
);

impl Messages {
    pub fn get(&self, kind: MessageKind) -> Option<&str> {
        match kind {
            MessageKind::Internal => self.internal.as_deref(),
            MessageKind::External => self.external.as_deref(),
        }
        .filter(|text| !text.trim().is_empty())
    }

    pub fn set(&mut self, kind: MessageKind, text: Option<String>) {
        let text = text.filter(|t| !t.trim().is_empty());
        match kind {
            MessageKind::Internal => self.internal = text,
            MessageKind::External => self.external = text,
        }
    }
}

named_enum!(
    /// Who an after-incident checklist item belongs to.
    ChecklistRole, "checklist role" {
        Commander = "commander", Scribe = "scribe", Sme = "sme",
        CustomerLiaison = "customer_liaison", Owner = "owner"
    }
);

impl ChecklistRole {
    pub fn title(self) -> &'static str {
        match self {
            ChecklistRole::Commander => "Incident commander",
            ChecklistRole::Scribe => "Scribe",
            ChecklistRole::Sme => "Subject-matter experts",
            ChecklistRole::CustomerLiaison => "Customer liaison",
            ChecklistRole::Owner => "Post-mortem owner",
        }
    }
}

/// One thing a role does after the incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChecklistItem {
    pub role: ChecklistRole,
    pub text: String,
    #[serde(default)]
    pub done: bool,
}

/// Each role's after-incident checklist (PRODUCT.md §2). The deputy has nothing of its own.
pub fn after_incident_checklists() -> Vec<ChecklistItem> {
    use ChecklistRole::*;
    [
        (Commander, "Create the post-mortem from a template"),
        (Commander, "Designate the post-mortem owner"),
        (
            Commander,
            "Send the internal e-mail to stakeholders with the link",
        ),
        (Commander, "Check that the post-mortem is finished in time"),
        (
            Scribe,
            "Go through the chat and pull the key events into the timeline",
        ),
        (
            Scribe,
            "Collect every to-do said during the incident into the action items",
        ),
        (Sme, "Add your notes to the post-mortem"),
        (CustomerLiaison, "Answer customer questions"),
        (
            CustomerLiaison,
            "Publish the external message to the status page once it is approved",
        ),
        (Owner, "Schedule the meeting within the deadline"),
        (Owner, "Keep the post-mortem up to date"),
        (Owner, "Investigate the contributing factors"),
        (Owner, "Create the follow-up tickets"),
        (Owner, "Run the meeting"),
        (
            Owner,
            "Write the public blog post when one is needed, through its review",
        ),
    ]
    .into_iter()
    .map(|(role, text)| ChecklistItem {
        role,
        text: text.to_owned(),
        done: false,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_numbers_keep_what_was_written() {
        for ok in ["0", "1234", "-3", "0.25", "1520.50"] {
            assert_eq!(ok.parse::<ExactNumber>().unwrap().to_string(), ok);
        }
        for bad in ["", "1e3", "1.", ".5", "1,000", "abc", "--1"] {
            assert!(bad.parse::<ExactNumber>().is_err(), "{bad}");
        }
    }

    #[test]
    fn an_empty_section_is_removed() {
        let mut pm = Postmortem::new("pagerduty");
        pm.set_section("overview", "  Something broke.\n\n")
            .unwrap();
        assert_eq!(pm.section("overview"), Some("  Something broke."));
        pm.set_section("overview", "   ").unwrap();
        assert_eq!(pm.section("overview"), None);
    }

    #[test]
    fn the_document_round_trips_through_json() {
        let mut pm = Postmortem::new("pagerduty");
        pm.impact.events_dropped = Some(0);
        pm.impact.custom.push(CustomFigure {
            name: Line::parse("name", "refunds").unwrap(),
            value: "1520.50".parse().unwrap(),
            unit: Some("EUR".into()),
        });
        pm.factors
            .push(ContributingFactor::new(FactorCategory::Process, "no canary").unwrap());
        let json = serde_json::to_string(&pm).unwrap();
        assert_eq!(serde_json::from_str::<Postmortem>(&json).unwrap(), pm);
    }
}

crate::schema::string_schema!(
    ExactNumber,
    "^-?[0-9]+(\\.[0-9]+)?$",
    "a number kept exactly as written, e.g. 1520.50"
);
