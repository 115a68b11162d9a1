//! The JSON document format: a post-mortem that survives a change of tool. It is versioned, its
//! schema is published (`docs/schema/hindsight-postmortem-v1.schema.json`, generated from these
//! types), and reading it back applies every rule of the domain, so an imported document is as
//! trustworthy as one typed in.

use crate::{
    ActionItem, Incident, IncidentRecord, Postmortem, Responders, TimelineEvent,
    timeline::sort_timeline,
};
use serde::{Deserialize, Serialize};

/// What the `format` field of every document says.
pub const FORMAT: &str = "hindsight.postmortem";
/// The version of the format these types write. Readers refuse newer versions.
pub const VERSION: u32 = 1;

/// One post-mortem with everything it refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "hindsight post-mortem",
    description = "A post-mortem exported by hindsight: the incident, its responders, timeline, document and action items."
)]
pub struct PostmortemDocument {
    /// Always `hindsight.postmortem`.
    pub format: String,
    /// The format version; this schema describes version 1.
    pub version: u32,
    pub incident: Incident,
    pub responders: Responders,
    /// In time order.
    pub timeline: Vec<TimelineEvent>,
    pub postmortem: Postmortem,
    pub actions: Vec<ActionItem>,
}

/// Why a document was refused.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("not a hindsight post-mortem: {0}")]
    Unreadable(#[from] serde_json::Error),
    #[error("the format is `{0}`, expected `{FORMAT}`")]
    WrongFormat(String),
    #[error(
        "the document is version {0}, newer than the {VERSION} this hindsight reads; upgrade hindsight"
    )]
    TooNew(u32),
    #[error("{0}")]
    Invalid(String),
}

impl PostmortemDocument {
    pub fn from_record(record: &IncidentRecord) -> Self {
        PostmortemDocument {
            format: FORMAT.to_owned(),
            version: VERSION,
            incident: record.incident.clone(),
            responders: record.responders.clone(),
            timeline: record.timeline.clone(),
            postmortem: record.postmortem.clone(),
            actions: record.actions.clone(),
        }
    }

    /// The document of a record no longer needed as a record: moved, not copied.
    pub fn of_record(record: IncidentRecord) -> Self {
        PostmortemDocument {
            format: FORMAT.to_owned(),
            version: VERSION,
            incident: record.incident,
            responders: record.responders,
            timeline: record.timeline,
            postmortem: record.postmortem,
            actions: record.actions,
        }
    }

    /// The record the document holds, as of `version` of its post-mortem.
    pub fn into_record(self, postmortem_version: u64) -> IncidentRecord {
        let mut timeline = self.timeline;
        sort_timeline(&mut timeline);
        IncidentRecord {
            incident: self.incident,
            responders: self.responders,
            timeline,
            postmortem: self.postmortem,
            postmortem_version,
            actions: self.actions,
        }
    }

    pub fn to_json(&self) -> String {
        // Every field is a plain value: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a document, checking its format and version and every value in it.
    pub fn from_json(text: &str) -> Result<Self, DocumentError> {
        #[derive(Deserialize)]
        struct Header {
            format: String,
            version: u32,
        }
        let header: Header = serde_json::from_str(text)?;
        if header.format != FORMAT {
            return Err(DocumentError::WrongFormat(header.format));
        }
        if header.version > VERSION {
            return Err(DocumentError::TooNew(header.version));
        }
        let document: PostmortemDocument = serde_json::from_str(text)?;
        document.check_links()?;
        Ok(document)
    }

    /// Every link a reader may follow must be a web link (evidence is checked by its event).
    fn check_links(&self) -> Result<(), DocumentError> {
        let tickets = self.actions.iter().filter_map(|a| a.ticket.as_ref());
        let support = self.postmortem.impact.support_tickets.iter();
        let links = self.postmortem.communication.links.iter().map(|l| &l.url);
        for url in tickets.chain(support).chain(links) {
            crate::text::check_web_url(url.clone())
                .map_err(|e| DocumentError::Invalid(e.to_string()))?;
        }
        Ok(())
    }

    /// The published JSON Schema of the format.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(PostmortemDocument);
        serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
    }
}
