//! Proposals: what an importer suggests adding to an incident (a timeline event, an action
//! item, a participant), waiting for the scribe to accept or reject it. A proposal remembers
//! where it came from, so importing the same export twice proposes nothing twice.

use crate::{
    action::{NewActionItem, named_enum},
    responders::Person,
    timeline::NewTimelineEvent,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// What accepting a proposal adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Suggestion {
    Event { event: NewTimelineEvent },
    Action { item: NewActionItem },
    Participant { person: Person },
}

impl Suggestion {
    pub fn kind(&self) -> &'static str {
        match self {
            Suggestion::Event { .. } => "event",
            Suggestion::Action { .. } => "action",
            Suggestion::Participant { .. } => "participant",
        }
    }
}

/// A proposal as an importer makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProposal {
    /// Where it came from, unique per incident and kind of suggestion: the chat message's id
    /// (`slack:C024BE91L:1458174810.000002`), or `participant:<name>`.
    pub source_id: String,
    /// Why it was proposed, for the person deciding: "pinned in the channel", "says “rolled
    /// back”".
    pub reason: String,
    /// The message it came from, as written, when there is one.
    pub quote: Option<String>,
    pub suggestion: Suggestion,
    /// Not proposed: a message of the chat that neither the rules nor the team's past decisions
    /// picked, kept so the scribe can still add it to the timeline. Lists hide it unless asked,
    /// and accepting or rejecting "all" leaves it alone; once its incident is reviewed, it
    /// tells the next import what this team does not put on a timeline.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quiet: bool,
}

named_enum!(
    /// Where a proposal stands.
    ProposalStatus, "proposal status" { Pending = "pending", Accepted = "accepted", Rejected = "rejected" }
);

/// The id a store gave a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ProposalId(pub i64);

impl fmt::Display for ProposalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A stored proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: ProposalId,
    pub status: ProposalStatus,
    #[serde(flatten)]
    pub proposal: NewProposal,
    pub created_at: DateTime<Utc>,
}

impl std::ops::Deref for Proposal {
    type Target = NewProposal;
    fn deref(&self) -> &NewProposal {
        &self.proposal
    }
}
